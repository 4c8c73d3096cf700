/**
 * The edit lock is created with its content in one step (written aside, hard-linked into place): a run killed
 * while taking it leaves at most its `<lock>.<pid>.tmp`, which the next run removes, never an empty lock that
 * would refuse every later edit with LOCKED (found by the SIGKILL tests in test/reliability).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { acquireLock } from "../../src/edit/lock.js";
import { tmp } from "../helpers.js";

function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

test("lock: a killed run's temporary lock file is removed, the lock is taken with its owner inside, and released", async (t) => {
  const dir = tmp("dvsol-lock-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const zip = path.join(dir, "Sol.zip");
  writeFileSync(zip, "");
  const stale = path.join(dir, `.dvsol-lock-Sol.zip.${deadPid()}.tmp`);
  writeFileSync(stale, "");
  const release = await acquireLock(zip);
  assert.ok(!existsSync(stale), "the dead run's temporary lock file was removed");
  assert.deepEqual(readdirSync(dir).sort(), [".dvsol-lock-Sol.zip", "Sol.zip"], "only the lock itself, no temporary file");
  await assert.rejects(acquireLock(zip), (e: { code?: string; message: string }) => e.code === "LOCKED" && e.message.includes(`pid ${process.pid}`));
  await release();
  assert.deepEqual(readdirSync(dir), ["Sol.zip"]);
});
