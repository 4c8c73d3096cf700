/**
 * A step's unsecure configuration: --unsecure-config (the Plug-in Registration Tool's name), and --config after
 * the subcommand as its other name; two different values are a usage error, not a silent choice.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { ROOT, dvsol, tmp } from "../helpers.js";

test("add/update step: --unsecure-config and its other name --config; conflicting values refused", (t) => {
  const dir = tmp("dvsol-unsecure-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = path.join(dir, "src");
  const ok = (args: string[]) => {
    const r = dvsol(args);
    assert.equal(r.code, 0, `${args.join(" ")}\n${r.stderr}`);
    return r;
  };
  ok(["init", f, "--name", "ContosoPlugins", "--publisher", "contoso", "--prefix", "contoso"]);
  ok(["add", "assembly", f, path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll")]);
  ok(["add", "step", f, "--type", "Contoso.Plugins.AccountPreCreate", "--message", "Create", "--entity", "account", "--stage", "preoperation", "--unsecure-config", "level=1"]);
  const stepDir = path.join(f, "SdkMessageProcessingSteps");
  const stepXml = () => readFileSync(path.join(stepDir, readdirSync(stepDir)[0]!), "utf8");
  assert.match(stepXml(), /<Configuration>level=1<\/Configuration>/);
  const name = "Contoso.Plugins.AccountPreCreate: Create of account";
  ok(["update", "step", f, name, "--config", "level=2"]);
  assert.match(stepXml(), /<Configuration>level=2<\/Configuration>/);
  const before = stepXml();
  const bad = dvsol(["update", "step", f, name, "--unsecure-config", "level=3", "--config", "level=4"]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /error USAGE_BAD_OPTION: --unsecure-config and --config/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace");
  assert.equal(stepXml(), before, "nothing written");
});
