/**
 * A few seconds that say dvsol works at all: help, reading the sample assembly, a new solution with a
 * registration, a check. The only tests `npm test` runs when DVSOL_NESTED=1 (a test that runs the README's
 * own `npm test` in a fresh clone uses it, so that the suite does not run itself inside itself).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, dvsol, tmp } from "../helpers.js";

test("smoke: help, the sample assembly, init + apply + check + pack", (t) => {
  const dir = tmp("dvsol-smoke-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const help = dvsol(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: dvsol/);
  const asm = dvsol(["assembly", path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll")]);
  assert.equal(asm.code, 0, asm.stderr);
  assert.match(asm.stdout, /^Contoso\.Plugins, Version=1\.0\.0\.0/);
  const folder = path.join(dir, "ContosoPlugins");
  assert.equal(dvsol(["init", folder, "--name", "ContosoPlugins", "--publisher", "contoso", "--prefix", "contoso"]).code, 0);
  const apply = dvsol(["apply", folder, path.join(ROOT, "samples", "registration.json")]);
  assert.equal(apply.code, 0, apply.stderr);
  const check = dvsol(["check", folder, "--json"]);
  assert.equal(check.code, 0, check.stderr);
  assert.equal(JSON.parse(check.stdout).summary.error, 0);
  const pack = dvsol(["pack", folder, path.join(dir, "ContosoPlugins.zip")]);
  assert.equal(pack.code, 0, pack.stderr);
});
