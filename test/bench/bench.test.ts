/**
 * The benchmark script runs end to end (`node bench/run.mjs --dry`: the tiny generated input, one run, no
 * corpus needed). No timing is asserted: figures from a shared CI machine mean nothing; what is checked is
 * that every task ran, measured something, and compared against its baseline when Info-ZIP is there.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { HAS_UNZIP, ROOT, tmp } from "../helpers.js";

test("bench/run.mjs --dry runs every task and writes results.json", { timeout: 300_000 }, () => {
  const work = tmp("dvsol-bench-");
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, "bench", "run.mjs"), "--dry", "--work", work], { encoding: "utf8", cwd: ROOT });
    assert.equal(r.status, 0, `bench failed:\n${r.stderr}\n${r.stdout}`);
    assert.match(r.stdout, /dvsol benchmarks \(--dry\)/);
    assert.match(r.stdout, /start-up/);
    assert.match(r.stdout, /targets:/);
    const resultsFile = path.join(work, "results.json");
    assert.ok(existsSync(resultsFile), "results.json written");
    const res = JSON.parse(readFileSync(resultsFile, "utf8")) as {
      mode: string;
      rows: { task: string; error?: string; dvsol?: { wall: number; runs: number }; baseline?: { wall: number } | null }[];
      startup: Record<string, { wall: number }>;
    };
    assert.equal(res.mode, "dry");
    const tasks = res.rows.map((x) => x.task).sort();
    assert.deepEqual(tasks, ["check", "edit-add-step", "edit-version", "impact", "inspect", "pack", "unpack"]);
    for (const row of res.rows) {
      assert.equal(row.error, undefined, `${row.task}: ${row.error}`);
      assert.ok(row.dvsol && row.dvsol.wall > 0 && row.dvsol.runs === 1, `${row.task} measured`);
      if (HAS_UNZIP && ["unpack", "pack", "edit-version", "edit-add-step"].includes(row.task)) {
        assert.ok(row.baseline && row.baseline.wall > 0, `${row.task} has its Info-ZIP baseline`);
      }
    }
    for (const k of ["dvsol --version", "dvsol --help", "node -e 0"]) assert.ok(res.startup[k]!.wall > 0, k);
    // The scratch runs are removed; the inputs stay for reuse.
    assert.ok(!existsSync(path.join(work, "runs")), "scratch folder removed");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
