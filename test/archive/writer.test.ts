/** ZipWriter: round trips (own reader and Info-ZIP), determinism, raw copies, ordering, limits, failure cleanup. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { ZipReader, ZipWriter, crc32 } from "../../src/archive/index.js";
import { HAVE_UNZIP, HAVE_ZIP, centralFields, expectCode, run, tmpDir, unzipTest } from "./helpers.js";

const xml = (n: number) => `<?xml version="1.0" encoding="utf-8"?>\n<ImportExportXml>${"<Attribute PhysicalName=\"new_field\" />".repeat(n)}</ImportExportXml>`;

function pseudoRandom(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return b;
}

const sample: Array<[string, Buffer | string, { store?: boolean }?]> = [
  ["[Content_Types].xml", '<?xml version="1.0"?><Types/>'],
  ["solution.xml", xml(10)],
  ["customizations.xml", xml(2000)],
  ["WebResources/new_/scripts/form main.js", "function onLoad() {}\n".repeat(100)],
  ["WebResources/new_/images/logo é.png", pseudoRandom(3000)],
  ["PluginAssemblies/Contoso-1A2B/Contoso.dll", pseudoRandom(40_000, 7), { store: true }],
  ["Workflows/empty.json", ""],
  ["Folder/", ""],
];

async function writeSample(file: string, opts: { concurrency?: number; level?: number } = {}): Promise<void> {
  const w = await ZipWriter.create(file, opts);
  for (const [name, data, o] of sample) w.add(name, data, o);
  await w.finish();
}

test("round trip: what ZipWriter writes, ZipReader reads back exactly, in the order added", async (t) => {
  const f = path.join(tmpDir(t), "out.zip");
  await writeSample(f);
  const r = await ZipReader.open(f);
  assert.deepEqual(r.entries.map((e) => e.name), sample.map(([n]) => n));
  for (const [name, data, o] of sample) {
    const e = r.get(name)!;
    assert.ok((await r.read(e)).equals(Buffer.from(data)), name);
    assert.equal(e.method, o?.store || name.endsWith("/") ? 0 : 8, name);
  }
  await r.close();
});

test("fixed fields: 1980-01-01 timestamp, version made by 0x0014, attributes 0, UTF-8 flag only for non-ASCII names, no extra, no descriptor, no comment", async (t) => {
  const f = path.join(tmpDir(t), "out.zip");
  await writeSample(f);
  const zip = fs.readFileSync(f);
  assert.equal(zip.readUInt16LE(zip.length - 2), 0, "no archive comment");
  for (const c of centralFields(zip)) {
    assert.equal(c.dosDate, 0x21);
    assert.equal(c.dosTime, 0);
    assert.equal(c.versionMadeBy, 0x0014);
    assert.equal(c.externalAttributes, 0);
    assert.equal(c.extraLength, 0);
    assert.equal(c.commentLength, 0);
    assert.equal(c.flags, /[^\x00-\x7f]/.test(String(c.name)) ? 0x0800 : 0, String(c.name));
    // Local header: same flags, sizes present (no data descriptor), no extra field.
    const o = Number(c.offset);
    assert.equal(zip.readUInt32LE(o), 0x04034b50);
    assert.equal(zip.readUInt16LE(o + 6), c.flags);
    assert.equal(zip.readUInt32LE(o + 14), c.crc);
    assert.equal(zip.readUInt32LE(o + 18), c.csize);
    assert.equal(zip.readUInt32LE(o + 22), c.usize);
    assert.equal(zip.readUInt16LE(o + 28), 0);
  }
  // Given timestamps are kept.
  const g = path.join(tmpDir(t), "time.zip");
  const w = await ZipWriter.create(g);
  w.add("a.xml", "a", { dosTime: 0x6b2d, dosDate: 0x5a96 });
  await w.finish();
  const [c] = centralFields(fs.readFileSync(g));
  assert.equal(c!.dosTime, 0x6b2d);
  assert.equal(c!.dosDate, 0x5a96);
});

test("Info-ZIP unzip -t accepts the output, and unzip extracts the same bytes", { skip: !HAVE_UNZIP && "Info-ZIP unzip is not installed" }, async (t) => {
  const dir = tmpDir(t);
  const f = path.join(dir, "out.zip");
  await writeSample(f);
  unzipTest(f);
  const x = path.join(dir, "x");
  run("unzip", ["-q", f, "-d", x]);
  for (const [name, data] of sample) {
    // Debian's UnZip 6.0 recodes UTF-8 names (bit 11) to its own idea of the local charset; the name
    // bytes themselves are checked in the "fixed fields" test, so compare contents by ASCII names only.
    if (/[^\x00-\x7f]/.test(name)) continue;
    if (name.endsWith("/")) assert.ok(fs.statSync(path.join(x, name)).isDirectory());
    else assert.ok(fs.readFileSync(path.join(x, name)).equals(Buffer.from(data)), name);
  }
});

test("determinism: same input, same bytes, whatever the concurrency", async (t) => {
  const dir = tmpDir(t);
  const files = [1, 1, 4, 16].map((c, i) => {
    const f = path.join(dir, `out-${i}.zip`);
    return { f, c };
  });
  for (const { f, c } of files) await writeSample(f, { concurrency: c });
  const first = fs.readFileSync(files[0]!.f);
  for (const { f } of files.slice(1)) assert.ok(fs.readFileSync(f).equals(first), f);
});

test("entries come out in the order added even when a big early entry compresses last", async (t) => {
  const dir = tmpDir(t);
  const f = path.join(dir, "order.zip");
  const w = await ZipWriter.create(f, { concurrency: 4 });
  const big = Buffer.concat([pseudoRandom(3 * 1024 * 1024), Buffer.from(xml(50_000))]);
  w.add("z-big.bin", big);
  for (let i = 0; i < 50; i++) w.add(`small/${String(i).padStart(2, "0")}.xml`, xml(i));
  w.add("a-last.xml", "last");
  await w.finish();
  const r = await ZipReader.open(f);
  assert.deepEqual(r.entries.map((e) => e.name), ["z-big.bin", ...Array.from({ length: 50 }, (_, i) => `small/${String(i).padStart(2, "0")}.xml`), "a-last.xml"]);
  assert.ok((await r.read(r.entries[0]!)).equals(big));
  await r.close();
});

test("addFile: small files read whole, big files streamed; both produce what add() produces", async (t) => {
  const dir = tmpDir(t);
  const small = path.join(dir, "small.xml");
  const big = path.join(dir, "big.bin");
  const bigData = Buffer.concat([pseudoRandom(2 * 1024 * 1024), Buffer.from(xml(300_000))]); // over the 8 MiB streaming threshold
  assert.ok(bigData.length > 8 * 1024 * 1024);
  fs.writeFileSync(small, xml(100));
  fs.writeFileSync(big, bigData);
  const fromFiles = path.join(dir, "files.zip");
  const fromMemory = path.join(dir, "memory.zip");
  let w = await ZipWriter.create(fromFiles);
  w.addFile("Other/Customizations.xml", small);
  w.addFile("Assets/big.bin", big);
  w.addFile("Assets/big-stored.bin", big, { store: true });
  w.addFile("Other/Solution.xml", small);
  await w.finish();
  w = await ZipWriter.create(fromMemory);
  w.add("Other/Customizations.xml", fs.readFileSync(small));
  w.add("Assets/big.bin", bigData);
  w.add("Assets/big-stored.bin", bigData, { store: true });
  w.add("Other/Solution.xml", fs.readFileSync(small));
  await w.finish();
  // Deflate's output does not depend on how the input was fed to it, so streaming changes nothing.
  assert.ok(fs.readFileSync(fromFiles).equals(fs.readFileSync(fromMemory)));
  const r = await ZipReader.open(fromFiles);
  assert.ok((await r.read(r.get("Assets/big.bin")!)).equals(bigData));
  assert.equal(r.get("Assets/big-stored.bin")!.method, 0);
  assert.equal(r.get("Assets/big.bin")!.crc32, crc32(bigData));
  await r.close();
  if (HAVE_UNZIP) unzipTest(fromFiles);
});

test("addRaw copies compressed bytes and header fields without inflating", async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, "src.zip");
  await writeSample(src, { level: 9 });
  const r = await ZipReader.open(src);
  const out = path.join(dir, "copy.zip");
  const w = await ZipWriter.create(out);
  for (const e of r.entries) w.addRaw(e.name, r, e);
  w.addRaw("renamed/é.xml", r, r.get("solution.xml")!);
  await w.finish();
  const c = await ZipReader.open(out);
  assert.equal(c.entries.length, r.entries.length + 1);
  for (const e of r.entries) {
    const d = c.get(e.name)!;
    for (const k of ["method", "compressedSize", "size", "crc32", "dosTime", "dosDate", "externalAttributes", "internalAttributes", "versionMadeBy", "versionNeeded", "isDirectory"] as const)
      assert.equal(d[k], e[k], `${e.name} ${k}`);
    assert.ok((await c.readRaw(d)).equals(await r.readRaw(e)));
  }
  const renamed = c.get("renamed/é.xml")!;
  assert.equal(renamed.flags & 0x800, 0x800);
  assert.equal((await c.read(renamed)).toString(), xml(10));
  // Not level 6 recompression: the level 9 stream is kept byte for byte.
  assert.ok(fs.readFileSync(out).includes(await r.readRaw(r.get("customizations.xml")!)));
  await r.close();
  await c.close();
  if (HAVE_UNZIP) unzipTest(out);
});

test("addRaw streams entries over 8 MiB compressed across (constant memory); streamRaw gives the stored bytes", async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, "src.zip");
  const big = pseudoRandom(9 * 1024 * 1024, 3);
  let w = await ZipWriter.create(src);
  w.add("a.xml", xml(10));
  w.add("big.bin", big);
  w.add("big-stored.bin", big, { store: true });
  w.add("z.xml", xml(20));
  await w.finish();
  const r = await ZipReader.open(src);
  assert.ok(r.get("big.bin")!.compressedSize > 8 * 1024 * 1024);
  const parts: Buffer[] = [];
  for await (const c of r.streamRaw(r.get("big-stored.bin")!) as AsyncIterable<Buffer>) parts.push(c);
  assert.ok(parts.length > 1 && Buffer.concat(parts).equals(big));
  const out = path.join(dir, "copy.zip");
  w = await ZipWriter.create(out);
  for (const e of r.entries) w.addRaw(e.name, r, e);
  await w.finish();
  // Same entries, same order, same bytes: the copy of a dvsol zip is the zip itself.
  assert.ok(fs.readFileSync(out).equals(fs.readFileSync(src)));
  await r.close();
  // The streamed raw path checks the 4 GiB limit as it writes.
  const r2 = await ZipReader.open(src);
  const v = await ZipWriter.create(path.join(dir, "limit.zip"), { maxOffset: 4 * 1024 * 1024 } as never);
  v.addRaw("big.bin", r2, r2.get("big.bin")!);
  await expectCode(() => v.finish(), "ZIP_LIMIT");
  await r2.close();
});

test("addRaw of a zip made by Info-ZIP keeps its fields (times, Unix attributes, version made by)", { skip: (!HAVE_ZIP || !HAVE_UNZIP) && "Info-ZIP zip/unzip are not installed" }, async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, "src");
  fs.mkdirSync(path.join(src, "Other"), { recursive: true });
  fs.writeFileSync(path.join(src, "Other", "Solution.xml"), xml(500));
  fs.writeFileSync(path.join(src, "run me.sh"), "#!/bin/sh\n");
  fs.chmodSync(path.join(src, "run me.sh"), 0o755);
  const z = path.join(dir, "in.zip");
  run("zip", ["-q", "-r", "-9", z, "."], src);
  const r = await ZipReader.open(z);
  const out = path.join(dir, "out.zip");
  const w = await ZipWriter.create(out);
  for (const e of r.entries) w.addRaw(e.name, r, e);
  await w.finish();
  const a = centralFields(fs.readFileSync(z));
  const b = centralFields(fs.readFileSync(out));
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    const y = b[i]!;
    for (const k of ["name", "versionMadeBy", "versionNeeded", "method", "dosTime", "dosDate", "crc", "csize", "usize", "internalAttributes", "externalAttributes"]) assert.equal(y[k], x[k], `${x.name} ${k}`);
    assert.equal(Number(y.flags) & 0x06, Number(x.flags) & 0x06); // deflate level hint kept
  });
  unzipTest(out);
  await r.close();
});

test("refuses unsafe and duplicate names as it adds them", async (t) => {
  const w = await ZipWriter.create(path.join(tmpDir(t), "x.zip"));
  await expectCode(() => w.add("../evil.dll", "x"), "ZIP_UNSAFE_PATH");
  await expectCode(() => w.add("C:\\x", "x"), "ZIP_UNSAFE_PATH");
  await expectCode(() => w.addFile("/etc/passwd", "/etc/passwd"), "ZIP_UNSAFE_PATH");
  w.add("Other/Solution.xml", "x");
  await expectCode(() => w.add("other/solution.xml", "y"), "ZIP_DUPLICATE_ENTRY");
  await expectCode(() => w.add("Other/Solution.xml/x", "y"), "ZIP_DUPLICATE_ENTRY");
  assert.throws(() => w.add("dir/", "content"), TypeError);
  assert.throws(() => w.addFile("dir/", "/etc/hostname"), TypeError);
  assert.throws(() => w.add("a", "x", { dosDate: 70000 }), TypeError);
  // A refused name is not registered: it can be added later in a valid form.
  w.add("dir/", "");
  await w.finish();
  assert.throws(() => w.add("late.xml", "x"), /after finish/);
});

test("ZIP_LIMIT: no more than 65534 entries, no archive of 4 GiB or more", async (t) => {
  const dir = tmpDir(t);
  const w = await ZipWriter.create(path.join(dir, "many.zip"));
  for (let i = 0; i < 65534; i++) w.add(`d${i >> 10}/${i}`, "", { store: true });
  await expectCode(() => w.add("one-more", ""), "ZIP_LIMIT", "65534");
  await w.abort();
  // Offsets: the 4 GiB limit, lowered for the test (an internal option) so it is reached with a few bytes.
  const out = path.join(dir, "big.zip");
  const v = await ZipWriter.create(out, { maxOffset: 5000 } as never);
  v.add("a.bin", pseudoRandom(3000), { store: true });
  v.add("b.bin", pseudoRandom(3000), { store: true });
  await expectCode(() => v.finish(), "ZIP_LIMIT", "zip64");
  assert.equal(fs.existsSync(out), false);
  assert.deepEqual(fs.readdirSync(dir), []);
  // The streamed path checks as it writes.
  const bigFile = path.join(dir, "big.src");
  fs.writeFileSync(bigFile, pseudoRandom(9 * 1024 * 1024));
  const u = await ZipWriter.create(out, { maxOffset: 1024 * 1024 } as never);
  u.addFile("big.bin", bigFile);
  await expectCode(() => u.finish(), "ZIP_LIMIT");
  assert.equal(fs.existsSync(out), false);
  // The central directory counts too.
  const s = await ZipWriter.create(out, { maxOffset: 30 + 5 + 100 + 20 } as never);
  s.add("a.bin", pseudoRandom(100), { store: true });
  await expectCode(() => s.finish(), "ZIP_LIMIT", "central directory");
});

test("a failing entry fails finish(), leaves nothing at the path, and removes the temporary file", async (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "out.zip");
  fs.writeFileSync(out, "previous content");
  const w = await ZipWriter.create(out);
  w.add("a.xml", "a");
  w.addFile("b.xml", path.join(dir, "missing.xml"));
  w.add("c.xml", "c");
  const e = await expectCode(() => w.finish(), "INPUT_NOT_FOUND");
  assert.equal((e as { location?: { entry?: string } }).location?.entry, "b.xml");
  assert.equal(fs.readFileSync(out, "utf8"), "previous content");
  assert.deepEqual(fs.readdirSync(dir), ["out.zip"]);
  await assert.rejects(() => w.finish(), /finish/);
});

test("abort() removes the temporary file and leaves the path untouched", async (t) => {
  const dir = tmpDir(t);
  const w = await ZipWriter.create(path.join(dir, "out.zip"));
  for (let i = 0; i < 100; i++) w.add(`f${i}.xml`, xml(i * 10));
  await w.abort();
  assert.deepEqual(fs.readdirSync(dir), []);
  await w.abort(); // twice is harmless
  await expectCode(() => ZipWriter.create(path.join(dir, "no", "such", "out.zip")), "INPUT_NOT_FOUND");
});

test("an empty archive is valid", async (t) => {
  const f = path.join(tmpDir(t), "empty.zip");
  const w = await ZipWriter.create(f);
  await w.finish();
  assert.equal(fs.statSync(f).size, 22);
  assert.equal((await ZipReader.open(f)).entries.length, 0);
});

test("options are validated", async (t) => {
  const f = path.join(tmpDir(t), "x.zip");
  await assert.rejects(() => ZipWriter.create(f, { level: 10 }), TypeError);
  await assert.rejects(() => ZipWriter.create(f, { concurrency: 0 }), TypeError);
});

test("level 0..9 all round-trip; deflate is kept even when it does not shrink (method 8)", async (t) => {
  const dir = tmpDir(t);
  for (const level of [0, 1, 9]) {
    const f = path.join(dir, `l${level}.zip`);
    const w = await ZipWriter.create(f, { level });
    w.add("random.bin", pseudoRandom(10_000));
    w.add("text.xml", xml(100));
    await w.finish();
    const r = await ZipReader.open(f);
    assert.equal(r.get("random.bin")!.method, 8);
    assert.ok((await r.read(r.get("random.bin")!)).equals(pseudoRandom(10_000)));
    assert.equal((await r.read(r.get("text.xml")!)).toString(), xml(100));
    await r.close();
  }
  assert.ok(zlib.constants.Z_BEST_COMPRESSION === 9);
});
