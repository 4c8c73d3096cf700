/**
 * Regression tests for what bench/fuzz.mjs found (each names the fuzz finding it pins down). The inputs are
 * rebuilt here from their essence rather than copied from the corpus.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { crc32 } from "../../src/archive/index.js";
import { tmp } from "../helpers.js";
import { buildZip, type RawEntry } from "../archive/helpers.js";
import { assertRefused, dvsolAsync, names, sampleSolution, zipFiles } from "./gen.js";

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = tmp("dvsol-rel-fuzzreg-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("fuzz regressions", { concurrency: 2 }, () => {
  test("unpack failing on one entry while others are being written leaves no temp folder (fuzz: unclean leftovers .dvsol-tmp-out-*)", async (t) => {
    const dir = scratch(t);
    // Many entries written eight at a time; one in the middle fails its CRC check while the others are in flight.
    const entries: RawEntry[] = zipFiles(sampleSolution()).map(([name, content]) => ({ name, content }));
    for (let i = 0; i < 400; i++) {
      const content = randomBytes(300 * 1024 + i);
      entries.push({ name: `WebResources/con_/r${String(i).padStart(4, "0")}.bin`, content, crc: i === 200 ? (crc32(content) ^ 1) >>> 0 : undefined, method: 0 });
    }
    const zip = path.join(dir, "Crc.zip");
    fs.writeFileSync(zip, buildZip(entries));
    for (let round = 0; round < 3; round++) {
      const r = await dvsolAsync(["unpack", zip, path.join(dir, "out")]);
      assertRefused(r, "ZIP_CRC_MISMATCH");
      assert.deepEqual(names(dir), ["Crc.zip"], `round ${round}: the failed unpack left something next to its target`);
    }
  });
});
