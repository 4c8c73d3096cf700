/**
 * A fresh clone and the README's Quick start, run as written: the first line (`npm install && npm run
 * samples`) in full, the second (`npm test`) with DVSOL_NESTED=1, which makes the suite run only its smoke
 * test (running the whole suite inside itself would recurse). npm is offline-friendly here
 * (npm_config_prefer_offline): dependencies come from the cache the repository's own install filled.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, tmp } from "../helpers.js";

const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOCACHE|cache mode is 'only-if-cached'/i;

/** The Quick start's first code block, line by line. */
export function quickStart(readme: string): string[] {
  const section = /^## Quick start\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  assert.ok(section, "README.md has a ## Quick start section");
  const block = /```(?:sh|bash|shell)?\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, "the Quick start has a code block");
  return block.split("\n").filter((l) => l.trim());
}

const top = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: ROOT, encoding: "utf8" });
const repo = top.status === 0 ? top.stdout.trim() : "";
const skip = !repo ? "not a git checkout: skipped" : spawnSync("npm", ["--version"]).status !== 0 ? "npm not on PATH: skipped" : false;

test("README Quick start: exactly two lines, `npm install && npm run samples` then `npm test`", () => {
  assert.deepEqual(quickStart(readFileSync(path.join(ROOT, "README.md"), "utf8")), ["npm install && npm run samples", "npm test"]);
});

test("a fresh clone runs the README's Quick start as written", { skip }, (t) => {
  const dir = tmp("dvsol-clone-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clone = path.join(dir, "dvsol");
  const c = spawnSync("git", ["clone", "--quiet", "--local", repo, clone], { encoding: "utf8" });
  assert.equal(c.status, 0, c.stderr);
  assert.ok(!existsSync(path.join(clone, "node_modules")), "a fresh clone has no node_modules");

  const [first, second] = quickStart(readFileSync(path.join(clone, "README.md"), "utf8"));
  const env = {
    ...process.env,
    NO_COLOR: "1",
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_loglevel: "error",
  };
  delete env.DVSOL_TEST;
  // Node's test runner marks its child processes; a nested `npm test` that inherits the mark refuses
  // to run ("run() is being called recursively"). A user's shell has no such mark.
  delete env.NODE_TEST_CONTEXT;
  const sh = (line: string, extra: NodeJS.ProcessEnv = {}) => spawnSync("sh", ["-c", line], { cwd: clone, encoding: "utf8", env: { ...env, ...extra }, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });

  const one = sh(first!);
  if (one.status !== 0 && NETWORK.test(one.stderr) && !existsSync(path.join(clone, "node_modules", "commander"))) {
    t.skip(`npm install could reach neither the registry nor a cache: ${one.stderr.split("\n").find((l) => NETWORK.test(l))?.trim()}`);
    return;
  }
  assert.equal(one.status, 0, `${first}\n${one.stdout}\n${one.stderr}`);
  assert.match(one.stdout, /\$ dvsol init /);
  assert.match(one.stdout, /verdict: {6}attention/);
  for (const f of ["impact.html", "impact.md", "ContosoPlugins_1_1_0_0_managed.zip"]) assert.ok(existsSync(path.join(clone, "samples", "out", f)), f);

  const two = sh(second!, { DVSOL_NESTED: "1" });
  assert.equal(two.status, 0, `${second}\n${two.stdout}\n${two.stderr}`);
  assert.match(two.stdout + two.stderr, /# pass 1\b/);
  assert.match(two.stdout + two.stderr, /# fail 0\b/);
});
