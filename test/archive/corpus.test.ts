/**
 * Every zip of the shared corpus of real solutions (../shared/corpus): open, read every entry (CRC and size
 * checked), and copy every entry raw to a new zip that Info-ZIP's `unzip -t` accepts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ZipReader, ZipWriter, crc32 } from "../../src/archive/index.js";
import { CORPUS, HAVE_UNZIP, centralFields, corpusZips, tmpDir, unzipTest } from "./helpers.js";

const zips = corpusZips();
const skip = zips.length === 0 ? `the corpus is absent (${CORPUS})` : false;

test("corpus: every zip opens and every entry reads with a correct CRC", { skip }, async () => {
  assert.ok(zips.length >= 40, `expected the corpus's ~50 zips, found ${zips.length}`);
  let entries = 0;
  for (const z of zips) {
    const r = await ZipReader.open(z);
    assert.ok(r.entries.length > 0, z);
    for (const e of r.entries) {
      const data = await r.read(e); // verifies size and CRC itself
      assert.equal(crc32(data), e.crc32, `${z}!${e.name}`);
      entries++;
    }
    await r.close();
  }
  assert.ok(entries > 500);
});

test("corpus: odd shapes are read (directory and stored entries, spaces in names, [Content_Types].xml)", { skip }, async () => {
  const entries = [];
  for (const z of zips) {
    const r = await ZipReader.open(z);
    entries.push(...r.entries);
    await r.close();
  }
  assert.ok(entries.some((e) => e.isDirectory), "a directory entry");
  assert.ok(entries.some((e) => e.method === 0), "a stored entry");
  assert.ok(entries.some((e) => e.name === "[Content_Types].xml"));
  assert.ok(zips.some((z) => path.basename(z).includes(" ")), "a zip with spaces in its name");
});

test("corpus: a raw copy of every zip keeps every entry's bytes and fields, and passes unzip -t", { skip }, async (t) => {
  const dir = tmpDir(t);
  for (const [i, z] of zips.entries()) {
    const r = await ZipReader.open(z);
    const out = path.join(dir, `copy-${i}.zip`);
    const w = await ZipWriter.create(out);
    for (const e of r.entries) w.addRaw(e.name, r, e);
    await w.finish();
    const c = await ZipReader.open(out);
    assert.equal(c.entries.length, r.entries.length, z);
    for (const [k, e] of r.entries.entries()) {
      const d = c.entries[k]!;
      for (const f of ["name", "method", "compressedSize", "size", "crc32", "dosTime", "dosDate", "externalAttributes", "versionMadeBy"] as const)
        assert.equal(d[f], e[f], `${z}!${e.name} ${f}`);
      assert.ok((await c.readRaw(d)).equals(await r.readRaw(e)), `${z}!${e.name}`);
    }
    // Central directory fields, parsed independently of the reader.
    const a = centralFields(fs.readFileSync(z));
    const b = centralFields(fs.readFileSync(out));
    a.forEach((x, k) => {
      for (const f of ["method", "crc", "csize", "usize", "dosTime", "dosDate", "externalAttributes", "versionMadeBy", "versionNeeded"]) assert.equal(b[k]![f], x[f], `${z} #${k} ${f}`);
    });
    if (HAVE_UNZIP) unzipTest(out);
    await r.close();
    await c.close();
  }
});
