/** Property test: random entry sets (safe names, random bytes, stored or deflated) round-trip exactly. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { ZipReader, ZipWriter } from "../../src/archive/index.js";
import { NameSet } from "../../src/archive/names.js";
import { tmpDir } from "./helpers.js";

const segment = fc.stringOf(fc.constantFrom(..."abcXYZ019_-. é[]()".split("")), { minLength: 1, maxLength: 8 }).filter((s) => s !== "." && s !== "..");
const name = fc.array(segment, { minLength: 1, maxLength: 4 }).map((segs) => segs.join("/"));
const content = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.tuple(fc.string({ maxLength: 20 }), fc.nat({ max: 500 })).map(([s, n]) => new TextEncoder().encode(s.repeat(n))),
);
const entry = fc.record({ name, data: content, store: fc.boolean(), dir: fc.boolean() });

/** Keeps the entries a zip can hold together (no duplicates or file/folder clashes, ignoring case). */
function admissible(list: Array<{ name: string; data: Uint8Array; store: boolean; dir: boolean }>) {
  const names = new NameSet();
  const out = [];
  for (const e of list) {
    const n = e.dir ? e.name + "/" : e.name;
    try {
      names.add(n);
      out.push({ ...e, name: n, data: e.dir ? new Uint8Array(0) : e.data });
    } catch {
      /* a clash: leave it out */
    }
  }
  return out;
}

test("property: random entry sets round-trip through ZipWriter and ZipReader (file and buffer)", async (t) => {
  const dir = tmpDir(t);
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 25 }), fc.integer({ min: 1, max: 4 }), async (raw, concurrency) => {
      const list = admissible(raw);
      const f = path.join(dir, `p${run++}.zip`);
      const w = await ZipWriter.create(f, { concurrency });
      for (const e of list) w.add(e.name, e.data, { store: e.store });
      await w.finish();
      for (const r of [await ZipReader.open(f), ZipReader.fromBuffer(fs.readFileSync(f))]) {
        assert.deepEqual(r.entries.map((e) => e.name), list.map((e) => e.name));
        for (const [i, e] of r.entries.entries()) {
          assert.deepEqual(new Uint8Array(await r.read(e)), new Uint8Array(list[i]!.data));
          assert.equal(e.isDirectory, list[i]!.dir);
          assert.equal(e.method, list[i]!.store || list[i]!.dir ? 0 : 8);
        }
        await r.close();
      }
      fs.rmSync(f);
    }),
    { numRuns: 60 },
  );
});

test("property: arbitrary bytes never crash the reader; they open or fail with a ZIP_* code", async () => {
  const { buildZip } = await import("./helpers.js");
  const base = buildZip([
    { name: "a.xml", content: "<a/>".repeat(30) },
    { name: "b/c.bin", method: 0, content: "stored" },
  ]);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), async (flips) => {
      const z = Buffer.from(base);
      for (const [at, v] of flips) z[at] = v;
      try {
        const r = ZipReader.fromBuffer(z);
        for (const e of r.entries) await r.read(e).catch((err: { code?: string }) => assert.match(String(err.code), /^ZIP_/));
      } catch (err) {
        assert.match(String((err as { code?: string }).code), /^ZIP_/, String(err));
      }
    }),
    { numRuns: 2000 },
  );
});
