/** Precompressor: files deflated ahead on a thread give the same zip, byte for byte, whoever deflates them. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ZipReader, ZipWriter } from "../../src/archive/index.js";
import { Precompressor } from "../../src/archive/precompress.js";
import { isDvsolError } from "../../src/errors.js";
import { tmpDir } from "./helpers.js";

function pseudoRandom(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return b;
}

/** Files of every kind of size: empty, under and over the writer's sync-deflate limit, incompressible, large. */
function makeFiles(dir: string): string[] {
  const contents: Buffer[] = [
    Buffer.alloc(0),
    Buffer.from("{}"),
    Buffer.from('{"name":"flow","steps":[]}\n'.repeat(400)),
    pseudoRandom(20_000, 3),
    Buffer.from(Array.from({ length: 60_000 }, (_, i) => `<x n="${i}"/>`).join("")),
    pseudoRandom(5_000_000, 9),
  ];
  for (let i = 0; i < 40; i++) contents.push(Buffer.from(`{"i":${i},"text":"${"abc".repeat(i * 50)}"}`));
  return contents.map((c, i) => {
    const p = path.join(dir, `f${String(i).padStart(3, "0")}.json`);
    fs.writeFileSync(p, c);
    return p;
  });
}

async function writeZip(out: string, files: string[], pre?: Precompressor): Promise<void> {
  const w = await ZipWriter.create(out, { precompressor: pre });
  for (const f of files) w.addFile(`Files/${path.basename(f)}`, f);
  await w.finish();
}

test("a zip written with files deflated ahead is byte-identical to one written without, and the thread did deflate them", async (t) => {
  const dir = tmpDir(t);
  const files = makeFiles(dir);
  await writeZip(path.join(dir, "plain.zip"), files);
  const pre = new Precompressor(files);
  await pre.whenThrough();
  await writeZip(path.join(dir, "ahead.zip"), files, pre);
  await pre.close();
  assert.equal(pre.served, files.length, "every file came deflated from the thread");
  assert.ok(fs.readFileSync(path.join(dir, "plain.zip")).equals(fs.readFileSync(path.join(dir, "ahead.zip"))));
  const r = await ZipReader.open(path.join(dir, "ahead.zip"));
  try {
    for (const [i, e] of r.entries.entries()) assert.ok((await r.read(e)).equals(fs.readFileSync(files[i]!)), e.name);
  } finally {
    await r.close();
  }
});

test("writer and thread racing (the writer claims what the thread has not reached) give the same bytes", async (t) => {
  const dir = tmpDir(t);
  const files = makeFiles(dir);
  await writeZip(path.join(dir, "plain.zip"), files);
  // Offered in reverse: the writer starts at the end the thread reaches last.
  const pre = new Precompressor([...files].reverse());
  await writeZip(path.join(dir, "race.zip"), files, pre);
  await pre.close();
  assert.ok(pre.served < files.length);
  assert.ok(fs.readFileSync(path.join(dir, "plain.zip")).equals(fs.readFileSync(path.join(dir, "race.zip"))));
});

test("a budget of one byte: the thread pauses after each file and nothing waits forever", async (t) => {
  const dir = tmpDir(t);
  const files = makeFiles(dir);
  await writeZip(path.join(dir, "plain.zip"), files);
  const pre = new Precompressor(files, { budget: 1 });
  await writeZip(path.join(dir, "tight.zip"), files, pre);
  await pre.close();
  assert.ok(pre.served > 0);
  assert.ok(fs.readFileSync(path.join(dir, "plain.zip")).equals(fs.readFileSync(path.join(dir, "tight.zip"))));
});

test("take: a path not offered, or taken already, is the caller's to deflate; close() returns with files left", async (t) => {
  const dir = tmpDir(t);
  const files = makeFiles(dir);
  const pre = new Precompressor(files, { budget: 1 });
  assert.equal(pre.take(path.join(dir, "other.json")), null);
  const first = pre.take(files[2]!);
  const got = first ? await first : null;
  if (got) assert.equal(got.usize, fs.statSync(files[2]!).size);
  assert.equal(pre.take(files[2]!), null);
  await pre.close();
});

test("a file gone after it was offered fails the writer as it would without the thread", async (t) => {
  const dir = tmpDir(t);
  const files = makeFiles(dir);
  const gone = files[10]!;
  fs.rmSync(gone);
  const pre = new Precompressor(files);
  await pre.whenThrough();
  const w = await ZipWriter.create(path.join(dir, "x.zip"), { precompressor: pre });
  for (const f of files) w.addFile(path.basename(f), f);
  await assert.rejects(w.finish(), (e: unknown) => isDvsolError(e) && e.message.includes(path.basename(gone)));
  await pre.close();
  assert.ok(!fs.existsSync(path.join(dir, "x.zip")));
});

test("a writer at another level than its precompressor is refused (the bytes would depend on who deflates)", async (t) => {
  const dir = tmpDir(t);
  const pre = new Precompressor([], { level: 9 });
  await assert.rejects(ZipWriter.create(path.join(dir, "x.zip"), { level: 6, precompressor: pre }), /level 9.*level|at 6/);
  await pre.close();
  assert.deepEqual(fs.readdirSync(dir), []);
});
