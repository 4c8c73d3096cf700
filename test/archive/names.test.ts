/** Name rules, CP437 decoding and CRC-32. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import * as zlib from "node:zlib";
import { validateEntryName, foldName } from "../../src/archive/index.js";
import { NameSet, decodeCp437 } from "../../src/archive/names.js";
import { crc32, crc32Js } from "../../src/archive/crc32.js";
import { expectCode } from "./helpers.js";

test("validateEntryName accepts what solutions hold", () => {
  for (const n of ["solution.xml", "[Content_Types].xml", "WebResources/new_/a b.js", "Other/", "Entities/account/Entity.xml", "a..b", "...x", "é/ü.png", "a/b/c/"])
    validateEntryName(n);
});

test("validateEntryName refuses path tricks with ZIP_UNSAFE_PATH and says which", async () => {
  const cases: Array<[string, string]> = [
    ["", "empty"],
    ["/", "empty"],
    ["..", ".. segment"],
    ["a/../b", ".. segment"],
    ["a/..", ".. segment"],
    ["/abs", "absolute"],
    ["\\abs", "backslash"],
    ["a\\b", "backslash"],
    ["C:", "drive letter"],
    ["z:/x", "drive letter"],
    ["a\u0000", "NUL"],
    ["a\tb", "U+0009"],
    ["a\u0085b", "U+0085"],
    ["a//b", "empty path segment"],
    ["a/", ""],
    ["./a", ". segment"],
  ];
  for (const [n, why] of cases) {
    if (n === "a/") {
      validateEntryName(n);
      continue;
    }
    const e = await expectCode(() => validateEntryName(n), "ZIP_UNSAFE_PATH", why);
    assert.equal((e as { location?: { entry?: string } }).location?.entry, n);
  }
});

test("foldName and NameSet: case, Unicode normalisation, file/folder clashes", async () => {
  assert.equal(foldName("Other/Solution.XML"), foldName("other/solution.xml"));
  assert.equal(foldName("caf\u00e9"), foldName("cafe\u0301"));
  assert.equal(foldName("dir/"), foldName("dir"));
  const s = new NameSet();
  s.add("a/b/c.xml");
  s.add("a/b/d.xml");
  s.add("a/");
  s.add("A/B/E.xml");
  assert.equal(s.size, 4);
  await expectCode(() => s.add("a/b"), "ZIP_DUPLICATE_ENTRY", "folder");
  await expectCode(() => s.add("A/b/C.xml"), "ZIP_DUPLICATE_ENTRY", "differs only by case");
  await expectCode(() => s.add("a/b/c.xml"), "ZIP_DUPLICATE_ENTRY", "appears twice");
  await expectCode(() => s.add("a/b/c.xml/x"), "ZIP_DUPLICATE_ENTRY", "same name as the file");
});

test("CP437: the high half maps as IBM code page 437", () => {
  const all = decodeCp437(Uint8Array.from({ length: 256 }, (_, i) => i));
  assert.equal(all.length, 256);
  assert.equal(all.slice(0x41, 0x44), "ABC");
  assert.equal(all[0x80], "Ç");
  assert.equal(all[0x82], "é");
  assert.equal(all[0x9e], "₧");
  assert.equal(all[0xb0], "░");
  assert.equal(all[0xe1], "ß");
  assert.equal(all[0xe3], "π");
  assert.equal(all[0xfe], "■");
  assert.equal(all[0xff], "\u00a0");
});

test("CRC-32: native and fallback agree with the zip check value, in one piece or several", () => {
  const check = Buffer.from("123456789");
  assert.equal(crc32Js(check), 0xcbf43926);
  assert.equal(crc32(check), 0xcbf43926);
  const data = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 131) & 0xff));
  const whole = crc32Js(data);
  assert.equal(crc32(data), whole);
  assert.equal(crc32Js(data.subarray(5000), crc32Js(data.subarray(0, 5000))), whole);
  assert.equal(crc32(data.subarray(5000), crc32(data.subarray(0, 5000))), whole);
  assert.equal(crc32(new Uint8Array(0)), 0);
  if (typeof (zlib as { crc32?: unknown }).crc32 === "function") assert.equal((zlib as unknown as { crc32: (b: Buffer) => number }).crc32(data), whole);
});
