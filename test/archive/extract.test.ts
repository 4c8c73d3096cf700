/** extractAll and packFolderEntries: the helpers unpack and pack build on. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ZipReader, ZipWriter, extractAll, packFolderEntries, type ExtractProgress } from "../../src/archive/index.js";
import { HAVE_UNZIP, buildZip, expectCode, tmpDir, unzipTest } from "./helpers.js";

const files: Record<string, string | Buffer> = {
  "[Content_Types].xml": "<Types/>",
  "solution.xml": "<ImportExportXml><SolutionManifest/></ImportExportXml>",
  "customizations.xml": "<ImportExportXml>" + "<Entity/>".repeat(5000) + "</ImportExportXml>",
  "WebResources/new_/js/form main.js": "function onLoad() {}",
  "WebResources/new_/img/ü.png": Buffer.from([0x89, 0x50, 0x4e, 0x47]),
  "PluginAssemblies/A-1/A.dll": Buffer.alloc(70_000, 7),
  "Workflows/empty.json": "",
};

async function makeZip(file: string, extra: (w: ZipWriter) => void = () => {}): Promise<void> {
  const w = await ZipWriter.create(file);
  for (const [name, data] of Object.entries(files)) w.add(name, data);
  extra(w);
  await w.finish();
}

test("extractAll writes every entry and folder, creating the destination", async (t) => {
  const dir = tmpDir(t);
  const zip = path.join(dir, "s.zip");
  await makeZip(zip, (w) => w.add("EmptyFolder/", ""));
  const r = await ZipReader.open(zip);
  const progress: ExtractProgress[] = [];
  const dest = path.join(dir, "out", "nested");
  const res = await extractAll(r, dest, { concurrency: 3, onProgress: (p) => progress.push(p) });
  assert.deepEqual(res, { files: 7, directories: 1, bytes: Object.values(files).reduce((n, d) => n + Buffer.byteLength(d), 0) });
  for (const [name, data] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(dest, name)).equals(Buffer.from(data)), name);
  assert.ok(fs.statSync(path.join(dest, "EmptyFolder")).isDirectory());
  assert.equal(progress.length, 8);
  assert.deepEqual(progress.map((p) => p.done), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(progress.every((p) => p.total === 8));
  assert.equal(progress.at(-1)!.bytes, res.bytes);
  await r.close();
});

test("extractAll refuses a destination that is not empty (nothing is followed or overwritten)", async (t) => {
  const dir = tmpDir(t);
  const zip = path.join(dir, "s.zip");
  await makeZip(zip);
  const r = await ZipReader.open(zip);
  const dest = path.join(dir, "dest");
  fs.mkdirSync(dest);
  fs.symlinkSync("/etc", path.join(dest, "WebResources"));
  await expectCode(() => extractAll(r, dest), "OUTPUT_NOT_EMPTY");
  assert.deepEqual(fs.readdirSync(dest), ["WebResources"]);
  // An empty existing folder is fine.
  const empty = path.join(dir, "empty");
  fs.mkdirSync(empty);
  await extractAll(r, empty);
  assert.equal(fs.readFileSync(path.join(empty, "solution.xml"), "utf8"), files["solution.xml"]);
  await r.close();
});

test("extractAll streams big entries to disk and checks them like read()", async (t) => {
  const dir = tmpDir(t);
  const zip = path.join(dir, "big.zip");
  const big = Buffer.alloc(17 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big.write(`block ${i}\n`, i);
  const w = await ZipWriter.create(zip);
  w.add("Assets/big.bin", big);
  await w.finish();
  await expectCode(() => ZipReader.open(zip), "ZIP_LIMIT", "maxRatio"); // mostly zeros: 368:1
  const r = await ZipReader.open(zip, { limits: { maxRatio: 1000 } });
  await extractAll(r, path.join(dir, "x"));
  assert.ok(fs.readFileSync(path.join(dir, "x", "Assets", "big.bin")).equals(big));
  await r.close();
});

test("extractAll stops on a damaged entry with its code", async (t) => {
  const dir = tmpDir(t);
  const r = ZipReader.fromBuffer(buildZip([{ name: "a.xml", content: "fine" }, { name: "b/c.xml", content: "<x/>", crc: 42 }]), { file: "bad.zip" });
  const e = await expectCode(() => extractAll(r, path.join(dir, "x"), { concurrency: 1 }), "ZIP_CRC_MISMATCH");
  assert.equal((e as { location?: { entry?: string } }).location?.entry, "b/c.xml");
});

test("extractAll checks names again: a forged entry list cannot write outside the folder", async (t) => {
  const dir = tmpDir(t);
  const r = ZipReader.fromBuffer(buildZip([{ name: "a.xml", content: "x" }]));
  // Simulate a reader whose entries were tampered with after open (extractAll must not trust them).
  const forged = Object.create(r, { entries: { value: [{ ...r.entries[0]!, name: "../escape.xml" }] } }) as ZipReader;
  await expectCode(() => extractAll(forged, path.join(dir, "x")), "ZIP_UNSAFE_PATH");
  assert.equal(fs.existsSync(path.join(dir, "escape.xml")), false);
});

test("folders that differ only by case share one folder where the file system ignores case", async (t) => {
  const dir = tmpDir(t);
  const r = ZipReader.fromBuffer(buildZip([{ name: "A/x.xml", content: "1" }, { name: "a/y.xml", content: "2" }]));
  await extractAll(r, path.join(dir, "x"));
  assert.equal(fs.readFileSync(path.join(dir, "x", "A", "x.xml"), "utf8"), "1");
  assert.equal(fs.readFileSync(path.join(dir, "x", "a", "y.xml"), "utf8"), "2");
});

test("packFolderEntries adds files in the order given; the zip round-trips through extractAll", async (t) => {
  const dir = tmpDir(t);
  const src = path.join(dir, "src");
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.join(src, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(src, name), data);
  }
  const list = Object.keys(files).sort().map((name) => ({ name, path: path.join(src, ...name.split("/")) }));
  const zip = path.join(dir, "packed.zip");
  const w = await ZipWriter.create(zip);
  assert.equal(packFolderEntries(w, list), list.length);
  await w.finish();
  if (HAVE_UNZIP) unzipTest(zip);
  const r = await ZipReader.open(zip);
  assert.deepEqual(r.entries.map((e) => e.name), list.map((f) => f.name));
  const out = path.join(dir, "out");
  await extractAll(r, out);
  for (const [name, data] of Object.entries(files)) assert.ok(fs.readFileSync(path.join(out, name)).equals(Buffer.from(data)), name);
  await r.close();
  const v = await ZipWriter.create(path.join(dir, "bad.zip"));
  assert.throws(() => packFolderEntries(v, [{ name: "../x", path: list[0]!.path }]), (e: Error & { code?: string }) => e.code === "ZIP_UNSAFE_PATH");
  await v.abort();
});
