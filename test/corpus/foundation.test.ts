/**
 * Issue "foundation" over the whole corpus: inspect agrees with the files and with MANIFEST.tsv, and
 * zip -> unpack -> pack gives back every entry (non-XML byte for byte, XML with the same content;
 * byte-identical XML is counted and reported).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { ZipReader } from "../../src/archive/index.js";
import { loadSolution } from "../../src/model/read.js";
import { inspectSolution } from "../../src/ops/inspect.js";
import { pack, unpack } from "../../src/ops/unpack.js";
import { corpusManifest, corpusPath, corpusSkip, dvsol, tmp } from "../helpers.js";

const rows = corpusManifest().filter((r) => r.kind !== "pair");
const zips = rows.filter((r) => r.kind.startsWith("zip"));
const folders = rows.filter((r) => r.kind === "unpacked");

const oracle = new XMLParser({ ignoreAttributes: false, preserveOrder: true, attributeNamePrefix: "", trimValues: true, parseTagValue: false, parseAttributeValue: false, htmlEntities: true, commentPropName: "#comment" });
/** XML content as an independent parser reads it (whitespace-only text ignored). */
function xmlContent(buf: Buffer): string {
  let t = buf.toString("utf8");
  if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
  return JSON.stringify(oracle.parse(t));
}

/** Same XML content; on failure, says where the first difference is instead of dumping documents. */
function assertSameXml(actual: Buffer, expected: Buffer, what: string): void {
  const a = xmlContent(actual);
  const b = xmlContent(expected);
  if (a === b) return;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  assert.fail(`${what}: XML content differs at ${i}: got …${a.slice(Math.max(0, i - 80), i + 80)}… expected …${b.slice(Math.max(0, i - 80), i + 80)}…`);
}

function contentTypeSet(buf: Buffer): string[] {
  const t = buf.toString("utf8");
  return [...t.matchAll(/<(Default|Override) ([^>]*?)\s*\/>/g)].map((m) => `${m[1]} ${m[2]}`.replace(/ContentType="[^"]*"/, "")).sort();
}

test("inspect agrees with MANIFEST.tsv for every zip and folder", { skip: corpusSkip }, async () => {
  assert.ok(zips.length >= 40 && folders.length >= 5, `corpus rows: ${zips.length} zips, ${folders.length} folders`);
  for (const r of [...zips, ...folders]) {
    const sol = await loadSolution(corpusPath(r.local_path));
    try {
      const j = inspectSolution(sol);
      const what = r.local_path;
      assert.equal(j.uniqueName, r.solution_unique_name, what);
      assert.equal(j.version, r.solution_version, what);
      assert.equal(j.assemblies.length, Number(r.n_plugin_assemblies), `${what}: assemblies`);
      assert.equal(j.steps.length, Number(r.n_steps), `${what}: steps`);
      assert.equal(j.steps.reduce((n, s) => n + s.images.length, 0), Number(r.n_images), `${what}: images`);
      assert.equal(j.serviceEndpoints.length, Number(r.n_service_endpoints), `${what}: endpoints`);
      assert.equal(j.managed, r.kind === "zip-managed" ? true : r.kind === "zip-unmanaged" ? false : j.managed, what);
      for (const a of j.assemblies) {
        assert.match(a.version, /^\d+(\.\d+){1,3}$/, `${what}: ${a.name} version`);
        if (a.publicKeyToken !== null) assert.match(a.publicKeyToken, /^[0-9a-f]{16}$/, `${what}: ${a.name} token`);
        if (r.kind.startsWith("zip")) assert.equal(a.dllPresent, true, `${what}: ${a.name} DLL resolved through FileName`);
      }
      for (const s of j.steps) {
        assert.match(s.id, /^[0-9a-f-]{36}$/);
        if (s.pluginTypeId) assert.match(s.pluginTypeId, /^[0-9a-f-]{36}$/);
      }
      const asmNote = /asm=([^;]+)/.exec(r.notes);
      for (const one of asmNote ? asmNote[1]!.split(",") : []) {
        const [name, version] = one.split("@");
        assert.ok(j.assemblies.some((a) => a.name === name && a.version === version), `${what}: ${one}`);
      }
    } finally {
      await sol.source.close();
    }
  }
});

test("every corpus zip round-trips through unpack and pack", { skip: corpusSkip }, async (t) => {
  const work = tmp("dvsol-rt-");
  let entries = 0;
  let xmlEntries = 0;
  let xmlIdentical = 0;
  let binaryIdentical = 0;
  let contentTypes = 0;
  let contentTypesIdentical = 0;
  const notIdentical: string[] = [];
  try {
    for (const [i, r] of zips.entries()) {
      const src = corpusPath(r.local_path);
      const folder = path.join(work, `u${i}`);
      const out = path.join(work, `p${i}.zip`);
      await unpack(src, folder);
      await pack(folder, out);
      const a = await ZipReader.open(src);
      const b = await ZipReader.open(out);
      try {
        const names = (z: ZipReader) => z.entries.filter((e) => !e.isDirectory).map((e) => e.name).sort();
        assert.deepEqual(names(b), names(a), `${r.local_path}: entry names`);
        for (const e of a.entries) {
          if (e.isDirectory) continue;
          entries++;
          const x = await a.read(e);
          const y = await b.read(b.get(e.name)!);
          if (e.name === "[Content_Types].xml") {
            // Regenerated on pack. Its Overrides follow zip entry order, which a folder does not
            // carry; as a set (what the format means) it must be the same.
            assert.deepEqual(contentTypeSet(y), contentTypeSet(x), `${r.local_path}: [Content_Types].xml`);
            contentTypes++;
            if (x.equals(y)) contentTypesIdentical++;
          } else if (/\.xml$/i.test(e.name)) {
            xmlEntries++;
            if (x.equals(y)) xmlIdentical++;
            else {
              notIdentical.push(`${path.basename(r.local_path)}!${e.name}`);
              assertSameXml(y, x, `${r.local_path}!${e.name}`);
            }
          } else {
            assert.ok(x.equals(y), `${r.local_path}!${e.name}: bytes`);
            binaryIdentical++;
          }
        }
      } finally {
        await a.close();
        await b.close();
      }
      rmSync(folder, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  t.diagnostic(`zips: ${zips.length}; entries: ${entries}; non-XML byte-identical: ${binaryIdentical}; XML entries: ${xmlEntries}, byte-identical: ${xmlIdentical}, equivalent only: ${notIdentical.length}; [Content_Types].xml same set: ${contentTypes}, byte-identical: ${contentTypesIdentical}`);
  if (notIdentical.length) t.diagnostic(`equivalent but not identical: ${notIdentical.join(", ")}`);
});

test("unpack and pack are deterministic and refuse a non-empty target (CLI)", { skip: corpusSkip }, () => {
  const src = corpusPath("MicrosoftLearning__PL-400_Microsoft-Power-Platform-Developer/Allfiles/Demos/PL400Demos_1_0_24_0.zip");
  const work = tmp();
  try {
    const u = path.join(work, "u");
    assert.equal(dvsol(["unpack", src, u]).code, 0);
    const other = path.join(work, "other");
    mkdirSync(other);
    writeFileSync(path.join(other, "notes.txt"), "not a solution");
    const refused = dvsol(["unpack", src, other]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /error OUTPUT_NOT_EMPTY/);
    assert.equal(readFileSync(path.join(other, "notes.txt"), "utf8"), "not a solution", "target left as it was");
    assert.equal(dvsol(["unpack", src, other, "--clobber"]).code, 0);
    assert.equal(dvsol(["pack", u, path.join(work, "a.zip")]).code, 0);
    assert.equal(dvsol(["pack", u, path.join(work, "b.zip")]).code, 0);
    assert.ok(readFileSync(path.join(work, "a.zip")).equals(readFileSync(path.join(work, "b.zip"))), "two packs give identical bytes");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
