/** ZipReader on the shapes real archives take: descriptors, stored entries, folders, comments, prefixes, encodings. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ZipReader, crc32 } from "../../src/archive/index.js";
import { HAVE_ZIP, buildZip, run, tmpDir, type RawEntry } from "./helpers.js";

const xml = "<ImportExportXml version=\"9.2\">" + "<Entity Name=\"account\" />".repeat(50) + "</ImportExportXml>";

async function readAll(r: ZipReader): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of r.entries) out[e.name] = (await r.read(e)).toString("utf8");
  return out;
}

async function consume(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

test("reads deflated and stored entries, folders, and reports central directory fields", async () => {
  const r = ZipReader.fromBuffer(
    buildZip([
      { name: "[Content_Types].xml", content: "<Types/>" },
      { name: "Other/", method: 0, content: "" },
      { name: "Other/Solution.xml", content: xml, dosTime: 0x6000, dosDate: 0x5a21, versionMadeBy: 0x0314, externalAttributes: (0o100644 << 16) >>> 0 },
      { name: "WebResources/new_ logo.png", method: 0, content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]) },
    ]),
  );
  assert.deepEqual(r.entries.map((e) => e.name), ["[Content_Types].xml", "Other/", "Other/Solution.xml", "WebResources/new_ logo.png"]);
  const sol = r.get("Other/Solution.xml")!;
  assert.equal(sol.method, 8);
  assert.equal(sol.size, Buffer.byteLength(xml));
  assert.ok(sol.compressedSize < sol.size);
  assert.equal(sol.crc32, crc32(Buffer.from(xml)));
  assert.equal(sol.dosTime, 0x6000);
  assert.equal(sol.dosDate, 0x5a21);
  assert.equal(sol.versionMadeBy, 0x0314);
  assert.equal(sol.externalAttributes, (0o100644 << 16) >>> 0);
  assert.equal(sol.index, 2);
  assert.equal(sol.isDirectory, false);
  assert.equal(r.get("Other/")!.isDirectory, true);
  assert.equal(r.get("other/solution.xml"), undefined);
  const all = await readAll(r);
  assert.equal(all["Other/Solution.xml"], xml);
  assert.equal(all["Other/"], "");
  assert.deepEqual([...(await r.read(r.entries[3]!))], [0x89, 0x50, 0x4e, 0x47, 0, 1, 2]);
  assert.equal((await consume(r.stream(sol))).toString(), xml);
  // readRaw gives the stored bytes: the deflate stream for method 8.
  const raw = await r.readRaw(sol);
  assert.equal(raw.length, sol.compressedSize);
  assert.equal((await import("node:zlib")).inflateRawSync(raw).toString(), xml);
});

test("data descriptors, with and without signature: sizes come from the central directory", async () => {
  const entries: RawEntry[] = [
    { name: "a.xml", content: xml, descriptor: "sig" },
    { name: "b.xml", content: "bbb", descriptor: "nosig" },
    { name: "c.bin", method: 0, content: "stored with descriptor", descriptor: "sig" },
  ];
  const r = ZipReader.fromBuffer(buildZip(entries));
  assert.deepEqual(await readAll(r), { "a.xml": xml, "b.xml": "bbb", "c.bin": "stored with descriptor" });
  assert.ok(r.entries.every((e) => (e.flags & 8) === 8));
});

test("local extra field of another length than the central one; central extra and entry comment", async () => {
  const r = ZipReader.fromBuffer(
    buildZip([
      { name: "a.xml", content: xml, localExtra: Buffer.alloc(28, 1), centralExtra: Buffer.from([0x55, 0x54, 1, 0, 3]), comment: Buffer.from("note") },
      { name: "b.xml", content: "b", localExtra: Buffer.alloc(3) },
    ]),
  );
  assert.deepEqual(await readAll(r), { "a.xml": xml, "b.xml": "b" });
});

test("archive comment, including one that holds a fake end record, and bytes after the end record", async () => {
  const entries: RawEntry[] = [{ name: "a.xml", content: "a" }];
  assert.equal(ZipReader.fromBuffer(buildZip(entries, { comment: Buffer.from("Exported by Dataverse") })).entries.length, 1);
  const fake = Buffer.alloc(22);
  fake.writeUInt32LE(0x06054b50, 0);
  fake.writeUInt16LE(7, 10);
  fake.writeUInt32LE(12345, 16);
  const r = ZipReader.fromBuffer(buildZip(entries, { comment: Buffer.concat([Buffer.from("xx"), fake, Buffer.from("yy")]) }));
  assert.equal(r.entries[0]!.name, "a.xml");
  assert.deepEqual(await readAll(ZipReader.fromBuffer(buildZip(entries, { trailing: Buffer.from("garbage") }))), { "a.xml": "a" });
});

test("prefix bytes before the first local header (self-extractor), offsets relative or absolute", async (t) => {
  const entries: RawEntry[] = [
    { name: "a.xml", content: xml },
    { name: "b.xml", content: "b" },
  ];
  const prefix = Buffer.from("#!/bin/sh\necho self-extracting stub\nexit 0\n" + "\0".repeat(100));
  for (const absoluteOffsets of [false, true]) {
    const zip = buildZip(entries, { prefix, absoluteOffsets });
    assert.deepEqual(await readAll(ZipReader.fromBuffer(zip)), { "a.xml": xml, "b.xml": "b" });
    const f = path.join(tmpDir(t), "sfx.zip");
    fs.writeFileSync(f, zip);
    const r = await ZipReader.open(f);
    assert.deepEqual(await readAll(r), { "a.xml": xml, "b.xml": "b" });
    await r.close();
  }
});

test("an empty archive (end record only) has no entries", async () => {
  assert.equal(ZipReader.fromBuffer(buildZip([])).entries.length, 0);
});

test("names: UTF-8 with bit 11, CP437 without, Info-ZIP Unicode path field, UTF-8 bytes from Unix archivers", async () => {
  const unicodeName = "WebResources/café ü.js";
  const up = (name: Buffer) => {
    const u = Buffer.from(unicodeName, "utf8");
    const b = Buffer.alloc(9);
    b.writeUInt16LE(0x7075, 0);
    b.writeUInt16LE(5 + u.length, 2);
    b[4] = 1;
    b.writeUInt32LE(crc32(name), 5);
    return Buffer.concat([b, u]);
  };
  const cp437 = Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x78, 0x6d, 0x6c]); // "café.xml" in CP437
  const r = ZipReader.fromBuffer(
    buildZip([
      { name: "utf8/é.xml", flags: 0x800, content: "1" },
      { name: cp437, content: "2" },
      { name: Buffer.from([0x80, 0xe1, 0x9c]), content: "3" }, // Çß£
      { name: Buffer.from("WebResources/cafe u.js"), centralExtra: up(Buffer.from("WebResources/cafe u.js")), content: "4" },
      { name: Buffer.from("unix/é.xml", "utf8"), versionMadeBy: 0x031e, content: "5" },
      { name: Buffer.from([0x75, 0x2f, 0xe9, 0x2e, 0x78]), versionMadeBy: 0x031e, content: "6" }, // not UTF-8: CP437 "u/Θ.x"
    ]),
  );
  assert.deepEqual(r.entries.map((e) => e.name), ["utf8/é.xml", "café.xml", "Çß£", unicodeName, "unix/é.xml", "u/Θ.x"]);
});

test("stream() delivers big entries in pieces with constant memory", async () => {
  const big = Buffer.alloc(5 * 1024 * 1024);
  let x = 12345;
  for (let i = 0; i < big.length; i++) big[i] = i % 3 ? (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24 : 0x41; // compresses a little
  const r = ZipReader.fromBuffer(buildZip([{ name: "big.bin", content: big }, { name: "s.bin", method: 0, content: big }]));
  for (const e of r.entries) {
    let chunks = 0;
    let n = 0;
    for await (const c of r.stream(e) as AsyncIterable<Buffer>) {
      chunks++;
      n += c.length;
    }
    assert.equal(n, big.length);
    assert.ok(chunks > 1);
    assert.ok((await consume(r.stream(e))).equals(big));
  }
});

test("reading from a file uses positional reads; concurrent reads of many entries agree with the content", async (t) => {
  const entries: RawEntry[] = Array.from({ length: 300 }, (_, i) => ({
    name: `Workflows/flow-${i}.json`,
    content: JSON.stringify({ id: i, body: "x".repeat(i * 7) }),
    method: i % 5 === 0 ? 0 : 8,
  }));
  const f = path.join(tmpDir(t), "many.zip");
  fs.writeFileSync(f, buildZip(entries));
  const r = await ZipReader.open(f);
  const got = await Promise.all(r.entries.map((e) => r.read(e)));
  got.forEach((b, i) => assert.equal(b.toString(), entries[i]!.content));
  await r.close();
  await assert.rejects(() => r.read(r.entries[0]!), /closed/);
});

test("entries of another reader are refused", async () => {
  const a = ZipReader.fromBuffer(buildZip([{ name: "a", content: "a" }]));
  const b = ZipReader.fromBuffer(buildZip([{ name: "a", content: "a" }]));
  await assert.rejects(() => a.read(b.entries[0]!), TypeError);
  assert.throws(() => a.stream({ ...a.entries[0]! }), TypeError);
});

test("limits are validated", () => {
  assert.throws(() => ZipReader.fromBuffer(buildZip([]), { limits: { maxEntries: -1 } }), TypeError);
  assert.throws(() => ZipReader.fromBuffer(buildZip([]), { limits: { maxRatio: Number.NaN } }), TypeError);
});

test("reads zips made by Info-ZIP zip: folders, spaces, non-ASCII names, stored and empty files, data descriptors", { skip: !HAVE_ZIP && "Info-ZIP zip is not installed" }, async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, "src");
  const files: Record<string, Buffer> = {
    "[Content_Types].xml": Buffer.from("<Types/>"),
    "Other/Solution.xml": Buffer.from(xml),
    "WebResources/new_ my logo.svg": Buffer.from("<svg/>".repeat(300)),
    "WebResources/naïve é.js": Buffer.from("let x = 1;\n".repeat(50)),
    "Empty/empty.txt": Buffer.alloc(0),
    "bin/random.bin": Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)),
  };
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.join(src, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(src, name), data);
  }
  const check = async (zip: string, expectDescriptors: boolean) => {
    const r = await ZipReader.open(zip);
    const names = r.entries.filter((e) => !e.isDirectory).map((e) => e.name).sort();
    assert.deepEqual(names, Object.keys(files).sort());
    for (const [name, data] of Object.entries(files)) assert.ok((await r.read(r.get(name)!)).equals(data), name);
    assert.ok(r.entries.some((e) => e.isDirectory && e.name === "WebResources/"));
    assert.ok(r.entries.some((e) => e.method === 0)); // empty files and folders are stored
    if (expectDescriptors) assert.ok(r.entries.filter((e) => !e.isDirectory).every((e) => e.flags & 8));
    await r.close();
  };
  const z1 = path.join(dir, "plain.zip");
  run("zip", ["-q", "-r", "-6", z1, "."], src);
  await check(z1, false);
  // zip writing to a pipe cannot seek back: every file entry gets a data descriptor.
  const z2 = path.join(dir, "piped.zip");
  const { spawnSync } = await import("node:child_process");
  const piped = spawnSync("sh", ["-c", `zip -q -r - . | cat > "${z2}"`], { cwd: src });
  assert.equal(piped.status, 0, String(piped.stderr));
  await check(z2, true);
  // -0 stores everything.
  const z3 = path.join(dir, "stored.zip");
  run("zip", ["-q", "-r", "-0", z3, "."], src);
  await check(z3, false);
});
