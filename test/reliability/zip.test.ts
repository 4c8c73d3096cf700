/**
 * Hostile and damaged zips through the CLI, as a user meets them: `unpack`, `inspect`, an edit in place
 * (`version --bump`) and `pack` refuse with the stable code, exit 2, print no stack trace, and write nothing:
 * no output folder, no temp sibling, the zip itself byte-for-byte unchanged.
 *
 * The reader's own refusals (every header field, every truncation length) are tested in
 * test/archive/hostile.test.ts; here each class of damage is checked once end to end, with the "nothing
 * written" guarantee the archive layer alone cannot give.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { crc32 } from "../../src/archive/index.js";
import { dvsol, tmp } from "../helpers.js";
import { buildZip, deflatedZeros, type BuildOptions, type RawEntry } from "../archive/helpers.js";
import { assertRefused, assertSameTree, dvsolAsync, names, sampleSolution, treeHash, zipFiles } from "./gen.js";

/** The generated sample solution as raw entries (so that any one of them can be forged). */
function solutionEntries(): RawEntry[] {
  return zipFiles(sampleSolution()).map(([name, content]) => ({ name, content }));
}

interface Case {
  name: string;
  code: string;
  entries: () => RawEntry[];
  opts?: BuildOptions;
  /** Bytes of the file instead of a built zip. */
  bytes?: () => Buffer;
  /** Damage found only when the entry is read (inspect does not read DLLs, so it succeeds). */
  readTime?: boolean;
  /** Extra CLI options. */
  args?: string[];
}

const withEntry = (e: RawEntry, at = 3) => () => {
  const list = solutionEntries();
  list.splice(at, 0, e);
  return list;
};
const MiB = 1024 * 1024;

/** A big DLL-like entry: written late, so a failure on it comes after other files were written. */
function bigBinary(n = 6 * MiB): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i += 4) {
    x = (x * 1103515245 + 12345) >>> 0;
    b.writeUInt32LE(x, i);
  }
  return b;
}

const CASES: Case[] = [
  { name: "entry path with ../ (zip slip)", code: "ZIP_UNSAFE_PATH", entries: withEntry({ name: "../../evil.txt", content: "pwned" }) },
  { name: "entry path deep ../ inside a folder", code: "ZIP_UNSAFE_PATH", entries: withEntry({ name: "WebResources/../../../evil.txt", content: "pwned" }) },
  { name: "absolute entry path", code: "ZIP_UNSAFE_PATH", entries: withEntry({ name: "/tmp/evil.txt", content: "pwned" }) },
  { name: "drive letter entry path", code: "ZIP_UNSAFE_PATH", entries: withEntry({ name: "C:/Windows/evil.txt", content: "pwned" }) },
  { name: "backslash entry path", code: "ZIP_UNSAFE_PATH", entries: withEntry({ name: "..\\..\\evil.txt", content: "pwned" }) },
  { name: "NUL in an entry name", code: "ZIP_UNSAFE_PATH", entries: withEntry({ name: "evil.txt\0.xml", content: "pwned" }) },
  {
    name: "symbolic link entry (Unix mode 120777)",
    code: "ZIP_SYMLINK",
    entries: withEntry({ name: "WebResources/link", content: "/etc/passwd", method: 0, versionMadeBy: 0x031e, externalAttributes: (0o120777 << 16) >>> 0 }),
  },
  { name: "duplicate entry name", code: "ZIP_DUPLICATE_ENTRY", entries: withEntry({ name: "solution.xml", content: "<ImportExportXml/>" }, 4) },
  { name: "entry names differing only by case", code: "ZIP_DUPLICATE_ENTRY", entries: withEntry({ name: "Customizations.XML", content: "<ImportExportXml/>" }, 4) },
  { name: "file and folder with one name", code: "ZIP_DUPLICATE_ENTRY", entries: withEntry({ name: "solution.xml/inner.txt", content: "x" }, 4) },
  { name: "encrypted entry (flag bit 0)", code: "ZIP_ENCRYPTED", entries: withEntry({ name: "WebResources/secret.bin", content: "x".repeat(40), flags: 1 }) },
  { name: "zip64 end-of-central-directory locator", code: "ZIP_ZIP64", entries: solutionEntries, opts: { beforeEocd: zip64Locator() } },
  { name: "zip64 sizes (0xFFFFFFFF)", code: "ZIP_ZIP64", entries: withEntry({ name: "WebResources/big.bin", content: "x", usize: 0xffffffff }) },
  { name: "unsupported compression method (LZMA)", code: "ZIP_UNSUPPORTED_METHOD", entries: withEntry({ name: "WebResources/a.bin", data: Buffer.from("xxxx"), content: "xxxx", method: 14 }) },
  { name: "truncated archive (cut in the central directory)", code: "ZIP_CORRUPT", entries: solutionEntries, bytes: () => truncated(0.97) },
  { name: "truncated archive (cut in the middle)", code: "ZIP_CORRUPT", entries: solutionEntries, bytes: () => truncated(0.5) },
  { name: "central directory offset out of range", code: "ZIP_CORRUPT", entries: solutionEntries, opts: { eocd: { cdOffset: 0x7fff0000 } } },
  { name: "central directory entry count too high", code: "ZIP_CORRUPT", entries: solutionEntries, opts: { eocd: { count: 9, countHere: 9 } } },
  { name: "local header missing where the directory points", code: "ZIP_CORRUPT", entries: withEntry({ name: "WebResources/a.bin", content: "abc", offset: 7 }) },
  { name: "not a zip (a text file)", code: "ZIP_NOT_ZIP", entries: solutionEntries, bytes: () => Buffer.from("This is not a solution.\n".repeat(50)) },
  { name: "not a zip (empty file)", code: "ZIP_NOT_ZIP", entries: solutionEntries, bytes: () => Buffer.alloc(0) },
  { name: "not a zip (a PE file)", code: "ZIP_NOT_ZIP", entries: solutionEntries, bytes: () => Buffer.concat([Buffer.from("MZ"), Buffer.alloc(4000)]) },
  {
    name: "CRC mismatch in a big DLL (found while writing)",
    code: "ZIP_CRC_MISMATCH",
    readTime: true,
    entries: () => {
      const list = solutionEntries();
      const dll = list.findIndex((e) => /\.dll$/.test(String(e.name)));
      const content = bigBinary();
      list[dll] = { name: list[dll]!.name, content, crc: (crc32(content) ^ 0x5a5a5a5a) >>> 0 };
      return list;
    },
  },
  {
    name: "CRC mismatch in customizations.xml (stored)",
    code: "ZIP_CRC_MISMATCH",
    entries: () => {
      const list = solutionEntries();
      list[0] = { ...list[0]!, method: 0, crc: 0x12345678 };
      return list;
    },
  },
  {
    name: "deflate stream that inflates past its declared size (bomb declared small)",
    code: "ZIP_LIMIT",
    readTime: true,
    entries: withEntry({ name: "WebResources/bomb.bin", data: deflatedZeros(256 * MiB), usize: 2 * MiB, crc: 0, content: Buffer.alloc(0) }),
  },
  {
    name: "compression ratio bomb (64 MiB of zeros in ~64 KB)",
    code: "ZIP_LIMIT",
    entries: withEntry({ name: "WebResources/bomb.bin", data: deflatedZeros(64 * MiB), usize: 64 * MiB, crc: crc32(Buffer.alloc(64 * MiB)), content: Buffer.alloc(0) }),
  },
  { name: "declared entry size over the 1 GiB limit", code: "ZIP_LIMIT", entries: withEntry({ name: "WebResources/huge.bin", data: deflatedZeros(2 * MiB), usize: 1100 * MiB, crc: 0, content: Buffer.alloc(0) }) },
];

function zip64Locator(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(0x07064b50, 0);
  return b;
}

function truncated(frac: number): Buffer {
  const z = buildZip(solutionEntries());
  return z.subarray(0, Math.floor(z.length * frac));
}

function writeCase(c: Case, dir: string): string {
  const file = path.join(dir, "Hostile_1_0_0_0.zip");
  fs.writeFileSync(file, c.bytes ? c.bytes() : buildZip(c.entries(), c.opts));
  return file;
}

describe("hostile zips through unpack, inspect and an edit", { concurrency: 4 }, () => {
  for (const c of CASES) {
    test(`zip: ${c.name} -> ${c.code}, nothing written`, async (t) => {
      const dir = tmp("dvsol-rel-zip-");
      t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
      const zip = writeCase(c, dir);
      const before = treeHash(dir);
      const out = path.join(dir, "out");

      const u = await dvsolAsync(["unpack", zip, out, ...(c.args ?? [])]);
      assertRefused(u, c.code, `unpack (${c.name})`);
      assert.ok(!fs.existsSync(out), "unpack left an output folder");
      assertSameTree(before, treeHash(dir), `unpack (${c.name})`);

      const i = await dvsolAsync(["inspect", zip, "--json", ...(c.args ?? [])]);
      if (c.readTime) assert.equal(i.code, 0, `inspect reads no DLL and no extra entry: ${i.stderr}`);
      else assertRefused(i, c.code, `inspect (${c.name})`);

      // An edit in place (under the lock, written aside and renamed) must leave the zip and its folder as they were:
      // an edit copies untouched entries raw, so it must check them first rather than carry the damage along.
      const v = await dvsolAsync(["version", zip, "--bump", "revision", ...(c.args ?? [])]);
      assertRefused(v, c.code, `version --bump (${c.name})`);
      assertSameTree(before, treeHash(dir), `version --bump (${c.name})`);
      assert.deepEqual(names(dir), ["Hostile_1_0_0_0.zip"], "a lock or temp file was left next to the zip");
    });
  }
});

test("zip: an unpack that fails on a late entry leaves no folder, no temp sibling, and an existing folder untouched with --clobber", (t) => {
  const dir = tmp("dvsol-rel-zip-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const c = CASES.find((x) => x.code === "ZIP_CRC_MISMATCH" && x.readTime)!;
  const zip = writeCase(c, dir);
  // An earlier folder that --clobber would replace: it must survive the failed run byte for byte.
  const out = path.join(dir, "out");
  fs.mkdirSync(path.join(out, "Other"), { recursive: true });
  fs.writeFileSync(path.join(out, "Other", "Solution.xml"), "<ImportExportXml><SolutionManifest><UniqueName>Old</UniqueName></SolutionManifest></ImportExportXml>");
  fs.writeFileSync(path.join(out, "keep.txt"), "previous state");
  const before = treeHash(dir);
  const r = dvsol(["unpack", zip, out, "--clobber"]);
  assertRefused(r, "ZIP_CRC_MISMATCH");
  assert.match(r.stderr, /Contoso\.Plugins\.dll/, "the message names the damaged entry");
  assertSameTree(before, treeHash(dir), "unpack --clobber over an existing folder");
});

test("zip: the messages say which entry and what is wrong", (t) => {
  const dir = tmp("dvsol-rel-zip-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const zip = writeCase(CASES[0]!, dir);
  const r = dvsol(["inspect", zip]);
  assertRefused(r, "ZIP_UNSAFE_PATH");
  assert.match(r.stderr, /\.\.\/\.\.\/evil\.txt/);
  assert.match(r.stderr, /hint: /);
  assert.ok(!fs.existsSync(path.join(dir, "..", "evil.txt")) && !fs.existsSync(path.join(dir, "..", "..", "evil.txt")), "the traversal entry was written");
});

// ---- limits and the options that raise them --------------------------------------------------------------------

test("zip limits: --max-ratio, --max-entry-size, --max-size and --max-entries refuse, and raising them lets a trusted archive through", (t) => {
  const dir = tmp("dvsol-rel-zip-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // 8 MiB of zeros: deflate gives ~1000:1, over the default 200:1 ratio limit.
  const zeros = Buffer.alloc(8 * MiB);
  const zip = path.join(dir, "Ratio_1_0_0_0.zip");
  fs.writeFileSync(zip, buildZip(withEntry({ name: "WebResources/zeros.bin", content: zeros })()));
  const before = treeHash(dir);

  const r1 = dvsol(["unpack", zip, path.join(dir, "a")]);
  assertRefused(r1, "ZIP_LIMIT");
  assert.match(r1.stderr, /maxRatio|ratio/);
  assertSameTree(before, treeHash(dir), "refused by ratio");

  const r2 = dvsol(["unpack", zip, path.join(dir, "b"), "--max-ratio", "5000"]);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(fs.statSync(path.join(dir, "b", "WebResources", "zeros.bin")).size, zeros.length);

  const r3 = dvsol(["inspect", zip, "--max-ratio", "5000", "--max-entry-size", String(MiB)]);
  assertRefused(r3, "ZIP_LIMIT");
  assert.match(r3.stderr, /maxEntrySize/);

  const r4 = dvsol(["inspect", zip, "--max-ratio", "5000", "--max-size", String(4 * MiB)]);
  assertRefused(r4, "ZIP_LIMIT");
  assert.match(r4.stderr, /maxTotalSize/);

  const r5 = dvsol(["inspect", zip, "--max-ratio", "5000", "--max-entries", "3"]);
  assertRefused(r5, "ZIP_LIMIT");
  assert.match(r5.stderr, /maxEntries/);

  const r6 = dvsol(["inspect", zip, "--max-ratio", "5000", "--max-entries", "10", "--max-size", String(64 * MiB), "--max-entry-size", String(16 * MiB)]);
  assert.equal(r6.code, 0, r6.stderr);

  for (const bad of [["--max-ratio", "0"], ["--max-size", "-5"], ["--max-entries", "lots"]]) {
    const r = dvsol(["inspect", zip, ...bad]);
    assertRefused(r, "USAGE_BAD_OPTION", bad.join(" "));
  }
});

// ---- pack ------------------------------------------------------------------------------------------------------

test("pack: given a hostile zip instead of a folder, refuses; an existing output zip is kept when pack fails", (t) => {
  const dir = tmp("dvsol-rel-zip-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const zip = writeCase(CASES[0]!, dir);
  const out = path.join(dir, "out.zip");
  fs.writeFileSync(out, "previous artifact");
  const before = treeHash(dir);
  const r = dvsol(["pack", zip, out]);
  assertRefused(r, "ZIP_UNSAFE_PATH");
  assertSameTree(before, treeHash(dir), "pack of a zip");

  // A folder that fails late (malformed XML in a step file) leaves the previous artifact as it was.
  const folder = path.join(dir, "folder");
  assert.equal(dvsol(["unpack", writeGood(dir), folder]).code, 0);
  const stepDir = path.join(folder, "SdkMessageProcessingSteps");
  const step = path.join(stepDir, fs.readdirSync(stepDir)[0]!);
  fs.writeFileSync(step, fs.readFileSync(step, "utf8").replace("</SdkMessageProcessingStep>", "</SdkMessageProcessingStepX>"));
  const before2 = treeHash(dir);
  const p = dvsol(["pack", folder, out]);
  assertRefused(p, "XML_MALFORMED");
  assertSameTree(before2, treeHash(dir), "failed pack");
  assert.equal(fs.readFileSync(out, "utf8"), "previous artifact");
});

function writeGood(dir: string): string {
  const file = path.join(dir, "Good_1_0_0_0.zip");
  fs.writeFileSync(file, buildZip(solutionEntries()));
  return file;
}
