#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [substring ...]   (only files whose path contains a substring)
//        DVSOL_NESTED=1 node scripts/run-tests.mjs     (only test/firsthour/smoke.test.ts)
import { spawnSync } from "node:child_process";
import { globby } from "globby";

// DVSOL_NESTED=1: only the smoke test (a test that runs `npm test` in a fresh clone sets it, so that the
// suite does not run itself inside itself).
const filters = process.env.DVSOL_NESTED === "1" ? ["test/firsthour/smoke.test.ts"] : process.argv.slice(2);
let files = (await globby("test/**/*.test.ts")).sort();
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", ...files],
  { stdio: "inherit", env: { ...process.env, DVSOL_TEST: "1" } },
);
process.exit(r.status ?? 1);
