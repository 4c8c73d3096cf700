// Raw copies are verified (src/edit/verify.ts): on a worker thread started when the zip opens, or by commit
// itself for library callers; a damaged entry that is copied raw refuses the edit, one that is not copied does not.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ZipReader, crc32 } from "../../src/archive/index.js";
import { loadSolution } from "../../src/model/read.js";
import { planSetVersion } from "../../src/plan/index.js";
import { applyPlan, commit, setVersion } from "../../src/edit/index.js";
import { startRawVerification } from "../../src/edit/verify.js";
import { ROOT } from "../helpers.js";
import { buildZip } from "../archive/helpers.js";
import { sampleSolution, zipFiles } from "../reliability/gen.js";
import { tmp } from "../helpers.js";

const DAMAGED = "WebResources/damaged.bin";
const GOOD = "WebResources/good.bin";

/** The sample solution with two extra entries: one whose CRC is wrong, one intact. */
function damagedZip(t: { after: (fn: () => void) => void }): string {
  const dir = tmp("dvsol-verify-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const content = Buffer.from("x".repeat(50_000) + "y".repeat(50_000));
  const entries = zipFiles(sampleSolution()).map(([name, c]) => ({ name, content: c }) as { name: string; content: Buffer; crc?: number });
  entries.push({ name: DAMAGED, content, crc: (crc32(content) ^ 1) >>> 0 }, { name: GOOD, content });
  const file = path.join(dir, "Damaged_1_0_0_0.zip");
  writeFileSync(file, buildZip(entries));
  return file;
}

// The worker is compiled code (dist, built before the tests); from the TypeScript sources the check runs on this thread.
const built = (await import(path.join(ROOT, "dist", "edit", "verify.js"))) as { startRawVerification: typeof startRawVerification };

for (const [label, start, via] of [
  ["on a worker thread (built code)", built.startRawVerification, "worker"],
  ["on this thread (sources)", startRawVerification, "this thread"],
] as const) {
  test(`verification ${label}: reports the damaged entry only, with the reader's code; skipped entries are not checked`, async (t) => {
    const file = damagedZip(t);
    const zip = await ZipReader.open(file);
    try {
      const all = start(zip, file, undefined, { skip: [] });
      const failures = await all.done;
      assert.equal(all.via, via);
      assert.deepEqual([...failures.keys()], [DAMAGED]);
      assert.equal((failures.get(DAMAGED) as { code?: string }).code, "ZIP_CRC_MISMATCH");
      assert.match(failures.get(DAMAGED)!.message, /damaged\.bin/);
      await all.cancel();
      const some = start(zip, file, undefined, { skip: [DAMAGED] });
      assert.equal((await some.done).size, 0);
      assert.ok(some.skipped.has(DAMAGED));
      const only = start(zip, file, undefined, { only: [GOOD, DAMAGED] });
      assert.deepEqual([...(await only.done).keys()], [DAMAGED]);
    } finally {
      await zip.close();
    }
  });
}

test("commit (library) refuses to copy a damaged entry raw and leaves the zip as it was", async (t) => {
  const file = damagedZip(t);
  const before = readFileSync(file);
  const sol = await loadSolution(file);
  try {
    const edited = await applyPlan(sol, planSetVersion(sol, { bump: "build" }));
    await assert.rejects(commit(sol, edited), (e: { code?: string }) => e.code === "ZIP_CRC_MISMATCH");
  } finally {
    await sol.source.close();
  }
  assert.ok(before.equals(readFileSync(file)), "the zip changed");
  assert.deepEqual(readdirSync(path.dirname(file)), [path.basename(file)]);
});

test("an edit (runEdit: the check starts when the zip is opened) refuses a damaged entry; --out leaves no output either", async (t) => {
  const file = damagedZip(t);
  const before = readFileSync(file);
  await assert.rejects(setVersion(file, { bump: "build" }), (e: { code?: string; location?: { entry?: string } }) => e.code === "ZIP_CRC_MISMATCH" && e.location?.entry === DAMAGED);
  const out = path.join(path.dirname(file), "out.zip");
  await assert.rejects(setVersion(file, { bump: "build" }, { out }), (e: { code?: string }) => e.code === "ZIP_CRC_MISMATCH");
  assert.ok(before.equals(readFileSync(file)), "the zip changed");
  assert.deepEqual(readdirSync(path.dirname(file)), [path.basename(file)]);
  // A dry run writes nothing, so it copies nothing raw and has nothing to refuse.
  const r = await setVersion(file, { bump: "build" }, { dryRun: true });
  assert.equal(r.output, null);
});

test("verification: an entry over 8 MiB is checked as a stream (constant memory), and its damage is still found", async (t) => {
  const dir = tmp("dvsol-verify-big-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // 9 MiB that deflate cannot shrink much (a hash chain), so the ratio limit stays out of the way.
  const { createHash } = await import("node:crypto");
  const parts: Buffer[] = [];
  let h = Buffer.from("dvsol");
  for (let n = 0; n < (9 * 1024 * 1024) / 32; n++) parts.push((h = createHash("sha256").update(h).digest()));
  const big = Buffer.concat(parts);
  const entries = zipFiles(sampleSolution()).map(([name, c]) => ({ name, content: c }) as { name: string; content: Buffer; crc?: number });
  entries.push({ name: "WebResources/big-bad.bin", content: big, crc: (crc32(big) ^ 1) >>> 0 }, { name: "WebResources/big-good.bin", content: big });
  const file = path.join(dir, "Big_1_0_0_0.zip");
  writeFileSync(file, buildZip(entries));
  for (const start of [built.startRawVerification, startRawVerification]) {
    const zip = await ZipReader.open(file);
    try {
      const v = start(zip, file, undefined, { skip: [] });
      const failures = await v.done;
      assert.deepEqual([...failures.keys()], ["WebResources/big-bad.bin"], v.via);
      assert.equal((failures.get("WebResources/big-bad.bin") as { code?: string }).code, "ZIP_CRC_MISMATCH");
    } finally {
      await zip.close();
    }
  }
});
