/**
 * Hostile and damaged zips: each refusal with its exact error code, at open() when the central directory
 * tells, at read time otherwise.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { ZipReader, crc32, type ZipLimits } from "../../src/archive/index.js";
import { isDvsolError } from "../../src/errors.js";
import { buildZip, deflatedZeros, expectCode, localHeaderBytes, tmpDir, type BuildOptions, type RawEntry } from "./helpers.js";

const open = (entries: RawEntry[], opts?: BuildOptions, limits?: Partial<ZipLimits>) =>
  ZipReader.fromBuffer(buildZip(entries, opts), { limits, file: "hostile.zip" });
const good: RawEntry[] = [
  { name: "solution.xml", content: "<ImportExportXml/>".repeat(20) },
  { name: "customizations.xml", content: "<c/>" },
];

test("a well-formed forged zip opens (control for the cases below)", async () => {
  const r = open(good);
  assert.deepEqual(r.entries.map((e) => e.name), ["solution.xml", "customizations.xml"]);
  assert.equal((await r.read(r.entries[1]!)).toString(), "<c/>");
});

// ---- ZIP_NOT_ZIP -------------------------------------------------------------------------------------

test("ZIP_NOT_ZIP: empty file, text file, random bytes, one byte", async (t) => {
  const dir = tmpDir(t);
  const empty = path.join(dir, "empty.zip");
  fs.writeFileSync(empty, "");
  await expectCode(() => ZipReader.open(empty), "ZIP_NOT_ZIP", "empty");
  const text = path.join(dir, "notes.zip");
  fs.writeFileSync(text, "This is a text file, not an archive.\n".repeat(100));
  const e = await expectCode(() => ZipReader.open(text), "ZIP_NOT_ZIP");
  assert.equal((e as { location?: { file?: string } }).location?.file, text);
  await expectCode(() => ZipReader.fromBuffer(Buffer.from([7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])), "ZIP_NOT_ZIP");
  await expectCode(() => ZipReader.fromBuffer(Buffer.from("P")), "ZIP_NOT_ZIP");
});

test("INPUT_NOT_FOUND for a missing file; INPUT_UNREADABLE for a folder", async (t) => {
  const dir = tmpDir(t);
  await expectCode(() => ZipReader.open(path.join(dir, "missing.zip")), "INPUT_NOT_FOUND");
  await expectCode(() => ZipReader.open(dir), "INPUT_UNREADABLE");
});

// ---- ZIP_CORRUPT -----------------------------------------------------------------------------------------

test("ZIP_CORRUPT: truncation at every length (buffer) and at several offsets (file)", async (t) => {
  const zip = buildZip(good);
  for (let len = 2; len < zip.length; len++) await expectCode(() => ZipReader.fromBuffer(zip.subarray(0, len)), "ZIP_CORRUPT");
  const dir = tmpDir(t);
  const cdStart = zip.length - 22 - 2 * 46 - "solution.xml".length - "customizations.xml".length;
  for (const len of [4, 20, 31, 60, cdStart, cdStart + 10, zip.length - 22, zip.length - 5, zip.length - 1]) {
    const f = path.join(dir, `cut-${len}.zip`);
    fs.writeFileSync(f, zip.subarray(0, len));
    await expectCode(() => ZipReader.open(f), "ZIP_CORRUPT");
  }
});

test("ZIP_CORRUPT: central directory offset or size out of range", async () => {
  const zip = buildZip(good);
  const cdOffset = zip.readUInt32LE(zip.length - 6);
  const cdSize = zip.readUInt32LE(zip.length - 10);
  await expectCode(() => open(good, { eocd: { cdOffset: cdOffset + 1 } }), "ZIP_CORRUPT", "does not fit");
  await expectCode(() => open(good, { eocd: { cdOffset: 0xfffffff0 } }), "ZIP_CORRUPT", "does not fit");
  await expectCode(() => open(good, { eocd: { cdSize: zip.length + 100 } }), "ZIP_CORRUPT", "does not fit");
  // A smaller offset reads as a prefix: every local header is then looked for at the wrong place.
  await expectCode(() => open(good, { eocd: { cdOffset: cdOffset - 3 } }), "ZIP_CORRUPT", "no local header");
  await expectCode(() => open(good, { eocd: { cdSize: cdSize - 1 } }), "ZIP_CORRUPT");
});

test("ZIP_CORRUPT: entry count mismatch in either direction", async () => {
  await expectCode(() => open(good, { eocd: { count: 3 } }), "ZIP_CORRUPT", "holds only 2");
  await expectCode(() => open(good, { eocd: { count: 1 } }), "ZIP_CORRUPT", "holds more");
});

test("ZIP_CORRUPT: archive split across disks", async () => {
  await expectCode(() => open(good, { eocd: { disk: 1 } }), "ZIP_CORRUPT", "split");
  await expectCode(() => open(good, { eocd: { countHere: 1 } }), "ZIP_CORRUPT", "split");
  await expectCode(() => open([{ name: "a.xml", content: "x", diskStart: 1 }]), "ZIP_CORRUPT", "disk 1");
});

test("ZIP_CORRUPT: no local header where the central directory points", async () => {
  await expectCode(() => open([...good, { name: "ghost.xml", content: "x", centralOnly: true, offset: 5 }]), "ZIP_CORRUPT", "no local header at offset 5");
  await expectCode(() => open([{ name: "a.xml", content: "x", offset: 100000 }]), "ZIP_CORRUPT", "points at or past the central directory");
});

test("ZIP_CORRUPT: name length overflowing the central directory", async () => {
  await expectCode(() => open([{ name: "a.xml", content: "x", centralNameLength: 60000 }]), "ZIP_CORRUPT", "overflow");
});

test("ZIP_CORRUPT: local header name differs from the central name", async () => {
  const e = await expectCode(() => open([{ name: "solution.xml", localName: "../evil.xml", content: "x" }]), "ZIP_CORRUPT", "local header names it");
  assert.equal((e as { location?: { entry?: string } }).location?.entry, "solution.xml");
  await expectCode(() => open([{ name: "solution.xml", localName: "solution.xmlx", content: "x" }]), "ZIP_CORRUPT");
});

test("ZIP_CORRUPT: local header method or sizes disagree with the central directory", async () => {
  await expectCode(() => open([{ name: "a.xml", content: "hello", local: { method: 0 } }]), "ZIP_CORRUPT", "compression method");
  await expectCode(() => open([{ name: "a.xml", content: "hello", local: { usize: 999 } }]), "ZIP_CORRUPT", "disagrees");
  await expectCode(() => open([{ name: "a.xml", content: "hello", local: { crc: 1 } }]), "ZIP_CORRUPT", "disagrees");
});

test("ZIP_CORRUPT: overlapping entries (quoted local header, the overlapping zip-bomb construction)", async () => {
  // Entry "b" lives inside the stored data of entry "a": the same bytes would be inflated twice.
  const inner: RawEntry = { name: "b.xml", method: 0, content: "payload payload payload" };
  const innerContent = Buffer.from("payload payload payload");
  const innerBytes = Buffer.concat([localHeaderBytes(inner, innerContent, crc32(innerContent), innerContent.length), innerContent]);
  const outer: RawEntry = { name: "a.xml", method: 0, content: innerBytes };
  const offsetOfB = 30 + "a.xml".length;
  await expectCode(
    () => open([outer, { ...inner, centralOnly: true, offset: offsetOfB }]),
    "ZIP_CORRUPT",
    /overlap/,
  );
});

test("ZIP_CORRUPT: several central entries pointing at the same local data", async () => {
  // Same offset twice: the second entry's name does not match the local header, or (same name) it is a duplicate.
  await expectCode(() => open([{ name: "a.xml", content: "x" }, { name: "b.xml", content: "x", centralOnly: true, offset: 0 }]), "ZIP_CORRUPT");
  await expectCode(() => open([{ name: "a.xml", content: "x" }, { name: "a.xml", content: "x", centralOnly: true, offset: 0 }]), "ZIP_DUPLICATE_ENTRY");
});

test("ZIP_CORRUPT: data running into the central directory", async () => {
  await expectCode(() => open([{ name: "a.xml", content: "hello", csize: 5000, descriptor: "sig" }]), "ZIP_CORRUPT", "run into the central directory");
});

test("ZIP_CORRUPT: stored entry with different sizes; directory with content; bad UTF-8 name", async () => {
  await expectCode(() => open([{ name: "a.xml", method: 0, content: "hello", csize: 4, data: Buffer.from("hell") }]), "ZIP_CORRUPT", "stored");
  await expectCode(() => open([{ name: "dir/", method: 0, content: "hello" }]), "ZIP_CORRUPT", "Directory entry");
  await expectCode(() => open([{ name: Buffer.from([0x61, 0xff, 0xfe]), flags: 0x800, content: "x" }]), "ZIP_CORRUPT", "not valid UTF-8");
});

test("ZIP_CORRUPT at read time: invalid deflate data, and inflated size below the declared size", async () => {
  const r1 = open([{ name: "a.xml", data: Buffer.from([0xff, 0xff, 0xff, 0xff]), usize: 10, crc: 0 }]);
  await expectCode(() => r1.read(r1.entries[0]!), "ZIP_CORRUPT", "deflate data is invalid");
  const truncatedDeflate = zlib.deflateRawSync(Buffer.from("x".repeat(1000) + "y".repeat(1000))).subarray(0, 8);
  const r2 = open([{ name: "a.xml", data: truncatedDeflate, usize: 2000 }]);
  await expectCode(() => r2.read(r2.entries[0]!), "ZIP_CORRUPT");
  const r3 = open([{ name: "a.xml", content: "hello", usize: 6 }]);
  await expectCode(() => r3.read(r3.entries[0]!), "ZIP_CORRUPT", "holds 5 bytes");
  await expectCode(() => consume(r3.stream(r3.entries[0]!)), "ZIP_CORRUPT", "holds 5 bytes");
  await expectCode(() => consume(r1.stream(r1.entries[0]!)), "ZIP_CORRUPT", "deflate data is invalid");
  const r4 = open([{ name: "a.xml", method: 0, content: "hello", usize: 5, crc: 0 }]);
  await expectCode(() => r4.read(r4.entries[0]!), "ZIP_CRC_MISMATCH");
});

// ---- ZIP_CRC_MISMATCH ---------------------------------------------------------------------------------

test("ZIP_CRC_MISMATCH: wrong CRC detected by read() and stream(), deflated and stored", async () => {
  for (const method of [0, 8]) {
    const r = open([{ name: "Other/Solution.xml", method, content: "<x/>".repeat(100), crc: 0x12345678 }]);
    const e = r.entries[0]!;
    const err = await expectCode(() => r.read(e), "ZIP_CRC_MISMATCH", "12345678");
    assert.equal((err as { location?: { entry?: string; file?: string } }).location?.entry, "Other/Solution.xml");
    assert.equal((err as { location?: { file?: string } }).location?.file, "hostile.zip");
    await expectCode(() => consume(r.stream(e)), "ZIP_CRC_MISMATCH");
  }
});

// ---- ZIP_UNSAFE_PATH ------------------------------------------------------------------------------------

test("ZIP_UNSAFE_PATH: traversal, absolute, drive letter, backslash, control characters, empty segments", async () => {
  for (const name of ["../evil.dll", "a/../../b.xml", "/etc/passwd", "\\windows\\win.ini", "a\\b.xml", "C:/x.xml", "c:x.xml", "a\u0000b", "a\nb.xml", "a\u007f", "a//b.xml", "./a.xml", "a/./b.xml", "", "..", "../"]) {
    await expectCode(() => open([{ name, content: "x" }]), "ZIP_UNSAFE_PATH");
  }
});

// ---- ZIP_SYMLINK ---------------------------------------------------------------------------------------

test("ZIP_SYMLINK: Unix mode S_IFLNK in the external attributes", async () => {
  const link = (0o120777 << 16) >>> 0;
  await expectCode(() => open([{ name: "WebResources/link", content: "/etc/passwd", versionMadeBy: 0x031e, externalAttributes: link }]), "ZIP_SYMLINK", "symbolic link");
  // The same bits from an MS-DOS host mean nothing; a regular Unix file is fine.
  assert.equal(open([{ name: "a", content: "x", versionMadeBy: 0x0014, externalAttributes: link }]).entries.length, 1);
  assert.equal(open([{ name: "a", content: "x", versionMadeBy: 0x031e, externalAttributes: (0o100644 << 16) >>> 0 }]).entries.length, 1);
});

// ---- ZIP_DUPLICATE_ENTRY --------------------------------------------------------------------------------

test("ZIP_DUPLICATE_ENTRY: same name, names equal ignoring case or normalisation, file and folder of one name", async () => {
  const cases: string[][] = [
    ["a.xml", "a.xml"],
    ["Other/Solution.xml", "other/solution.XML"],
    ["caf\u00e9.xml", "cafe\u0301.xml"],
    ["dir/", "DIR/"],
    ["a", "a/b.xml"],
    ["a/b.xml", "a"],
    ["a/b/c.xml", "A/B"],
    ["x/", "x"],
  ];
  for (const names of cases) await expectCode(() => open(names.map((name) => ({ name, content: "", flags: 0x800 }))), "ZIP_DUPLICATE_ENTRY");
  // Folders that differ by case are not a collision (their files merge).
  assert.equal(open([{ name: "A/x.xml", content: "" }, { name: "a/y.xml", content: "" }]).entries.length, 2);
});

// ---- ZIP_ENCRYPTED --------------------------------------------------------------------------------------

test("ZIP_ENCRYPTED: flag bit 0, strong encryption bit 6, masked headers bit 13, or bit 0 in the local header only", async () => {
  await expectCode(() => open([{ name: "a.xml", content: "x", flags: 0x0001 }]), "ZIP_ENCRYPTED", "encrypted");
  await expectCode(() => open([{ name: "a.xml", content: "x", flags: 0x0041 }]), "ZIP_ENCRYPTED");
  await expectCode(() => open([{ name: "a.xml", content: "x", flags: 0x0040 }]), "ZIP_ENCRYPTED");
  await expectCode(() => open([{ name: "a.xml", content: "x", flags: 0x2000 }]), "ZIP_ENCRYPTED");
  await expectCode(() => open([{ name: "a.xml", content: "x", local: { flags: 0x0001 } }]), "ZIP_ENCRYPTED");
});

// ---- ZIP_ZIP64 ------------------------------------------------------------------------------------------

test("ZIP_ZIP64: a zip64 locator, or 0xFFFFFFFF / 0xFFFF fields", async () => {
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeUInt32LE(1, 16);
  await expectCode(() => open(good, { beforeEocd: locator }), "ZIP_ZIP64", "locator");
  await expectCode(() => open([{ name: "big.bin", content: "x", usize: 0xffffffff }]), "ZIP_ZIP64", "big.bin");
  await expectCode(() => open([{ name: "big.bin", content: "x", csize: 0xffffffff, descriptor: "sig" }]), "ZIP_ZIP64");
  await expectCode(() => open([{ name: "big.bin", content: "x", offset: 0xffffffff }]), "ZIP_ZIP64");
  await expectCode(() => open(good, { eocd: { cdOffset: 0xffffffff } }), "ZIP_ZIP64");
  await expectCode(() => open(good, { eocd: { count: 0xffff } }), "ZIP_ZIP64");
});

// ---- ZIP_UNSUPPORTED_METHOD -----------------------------------------------------------------------------

test("ZIP_UNSUPPORTED_METHOD: LZMA, bzip2, deflate64", async () => {
  await expectCode(() => open([{ name: "a.xml", method: 14, data: Buffer.from("xx"), usize: 2 }]), "ZIP_UNSUPPORTED_METHOD", "method 14 (lzma)");
  await expectCode(() => open([{ name: "a.xml", method: 12, data: Buffer.from("xx"), usize: 2 }]), "ZIP_UNSUPPORTED_METHOD");
  await expectCode(() => open([{ name: "a.xml", method: 9, data: Buffer.from("xx"), usize: 2 }]), "ZIP_UNSUPPORTED_METHOD");
});

// ---- ZIP_LIMIT --------------------------------------------------------------------------------------------

test("ZIP_LIMIT at open: entry count, declared entry size, total size, declared ratio", async () => {
  const three: RawEntry[] = [1, 2, 3].map((i) => ({ name: `f${i}.xml`, content: "x".repeat(100) }));
  await expectCode(() => open(three, {}, { maxEntries: 2 }), "ZIP_LIMIT", "maxEntries");
  await expectCode(() => open(three, {}, { maxEntrySize: 99 }), "ZIP_LIMIT", "maxEntrySize");
  await expectCode(() => open(three, {}, { maxTotalSize: 250 }), "ZIP_LIMIT", "maxTotalSize");
  // 2 GiB declared (over the 1 GiB default) from a few bytes.
  await expectCode(() => open([{ name: "big.bin", content: "x", usize: 2 ** 31, descriptor: "sig" }]), "ZIP_LIMIT", "maxEntrySize");
  // 64 MiB declared from 1 KB: ratio 65536:1 over the default 200:1.
  const d = deflatedZeros(64 * 1024 * 1024);
  await expectCode(() => open([{ name: "zeros.bin", data: d, usize: 64 * 1024 * 1024, crc: 0 }]), "ZIP_LIMIT", "maxRatio");
  // Ratio is not checked at or under 1 MiB: XML of spaces may compress 1000:1.
  const small = Buffer.alloc(1024 * 1024, 0x20);
  const r = open([{ name: "spaces.xml", content: small }]);
  assert.equal((await r.read(r.entries[0]!)).length, small.length);
  // Raised limits let it through.
  assert.equal(open(three, {}, { maxEntries: 3, maxEntrySize: 100, maxTotalSize: 300 }).entries.length, 3);
});

test("ZIP_LIMIT while inflating: 1 GiB of zeros declared as 1 KB stops at once (read and stream)", async () => {
  const bomb = deflatedZeros(1024 * 1024 * 1024);
  assert.ok(bomb.length < 2 * 1024 * 1024);
  const r = open([{ name: "customizations.xml", data: bomb, usize: 1024, crc: crc32(Buffer.alloc(1024)) }]);
  const e = r.entries[0]!;
  const t0 = Date.now();
  const err = await expectCode(() => r.read(e), "ZIP_LIMIT", "more than its declared 1024 bytes");
  assert.equal((err as { location?: { entry?: string } }).location?.entry, "customizations.xml");
  await expectCode(() => consume(r.stream(e)), "ZIP_LIMIT");
  // Inflating all of it would take seconds; stopping early takes milliseconds.
  assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  // An empty declared size with data behind it.
  const r0 = open([{ name: "empty.xml", data: zlib.deflateRawSync(Buffer.from("surprise")), usize: 0, crc: 0 }]);
  await expectCode(() => r0.read(r0.entries[0]!), "ZIP_LIMIT");
  await expectCode(() => consume(r0.stream(r0.entries[0]!)), "ZIP_LIMIT");
});

test("errors carry file and entry, and say what is wrong", async (t) => {
  const dir = tmpDir(t);
  const f = path.join(dir, "evil.zip");
  fs.writeFileSync(f, buildZip([{ name: "../../evil.dll", content: "MZ" }]));
  try {
    await ZipReader.open(f);
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(isDvsolError(e));
    assert.equal(e.code, "ZIP_UNSAFE_PATH");
    assert.equal(e.location.file, f);
    assert.equal(e.location.entry, "../../evil.dll");
    assert.match(e.message, /"\.\.\/\.\.\/evil\.dll" has a \.\. segment/);
    assert.equal(e.where(), `${f}!../../evil.dll`);
  }
});

test("open() leaves no file handle behind when it refuses an archive", { skip: !fs.existsSync("/proc/self/fd") && "needs /proc/self/fd" }, async (t) => {
  const dir = tmpDir(t);
  const f = path.join(dir, "bad.zip");
  fs.writeFileSync(f, buildZip([{ name: "a", content: "x", flags: 1 }]));
  const before = fs.readdirSync("/proc/self/fd").length;
  for (let i = 0; i < 20; i++) await expectCode(() => ZipReader.open(f), "ZIP_ENCRYPTED");
  assert.ok(fs.readdirSync("/proc/self/fd").length <= before + 1);
});

async function consume(s: NodeJS.ReadableStream): Promise<number> {
  let n = 0;
  for await (const c of s as AsyncIterable<Buffer>) n += c.length;
  return n;
}
