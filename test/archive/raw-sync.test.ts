// ZipReader.readRawSync (used by ZipWriter.addRaw for small entries): the stored bytes, as readRaw gives them.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ZipReader } from "../../src/archive/index.js";
import { buildZip, tmpDir } from "./helpers.js";

test("readRawSync returns the stored bytes of each entry, like readRaw (deflated, stored, empty)", async (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "a.zip");
  writeFileSync(file, buildZip([{ name: "a.txt", content: "hello ".repeat(500) }, { name: "b.bin", content: "stored", method: 0 }, { name: "empty.txt", content: "" }]));
  const zip = await ZipReader.open(file);
  try {
    for (const e of zip.entries) {
      const raw = zip.readRawSync(e);
      assert.equal(raw.length, e.compressedSize, e.name);
      assert.ok(raw.equals(await zip.readRaw(e)), e.name);
    }
    assert.equal(zip.readRawSync(zip.get("b.bin")!).toString(), "stored");
  } finally {
    await zip.close();
  }
  assert.throws(() => zip.readRawSync(zip.entries[0]!), /closed/);
});
