/**
 * Every unpacked tree of the corpus, end to end through the CLI: pack it (both zips for a folder that
 * holds both), check that `inspect --json` of the zips says what it says of the tree, unpack the zips
 * again and compare file by file; and unpack them over a copy of the tree, which must write nothing.
 *
 * Figures (per tree): files byte-identical / XML-equivalent / different after a fresh unpack. Trees
 * written by an older SolutionPackager (WaelHamze 2017, bguidinger ReportScheduler) differ from a fresh
 * unpack only in the envelope dvsol writes (xmlns:xsi on split roots, the <forms>/<savedqueries>
 * wrapper); unpacking over such a tree keeps its envelope, which the "written 0" check proves.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { corpusManifest, corpusPath, corpusSkip, dvsol, tmp } from "../helpers.js";
import { compareFiles, readTree, summary } from "./helpers.js";

const trees = corpusManifest().filter((r) => r.kind === "unpacked");
const COE = "romikaAIS__coe-starter-kit/CenterofExcellenceCoreComponents/SolutionPackage";
/** Trees written by SolutionPackager versions that did not put xmlns:xsi on split documents. */
const OLDER_PACKAGER = new Set(["WaelHamze__xrm-ci-framework/CRM365/Xrm.Framework.CI.Sample/SolutionFiles", "bguidinger__Xrm.ReportScheduler/solution", "bguidinger__Xrm.ReportScheduler/solution@0912f661"]);

/** inspect --json without what depends on where the solution is (zip or folder, file names). */
function inspectShape(json: string): unknown {
  const j = JSON.parse(json);
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!["form", "file", "location", "managed", "input"].includes(k)) o[k] = strip(x);
      return o;
    }
    return v;
  };
  return strip(j);
}

test("every corpus tree packs, inspects the same, and unpacks back into the same files (CLI)", { skip: corpusSkip }, async (t) => {
  assert.ok(trees.length >= 8, `corpus trees: ${trees.length}`);
  const work = tmp("dvsol-trees-");
  const lines: string[] = [];
  try {
    for (const [i, r] of trees.entries()) {
      const src = corpusPath(r.local_path);
      const managed = /<Managed>(\d)<\/Managed>/.exec(readFileSync(path.join(src, "Other", "Solution.xml"), "utf8"))?.[1];
      const both = managed === "2" ? ["--packagetype", "both"] : [];
      const zip = path.join(work, `t${i}.zip`);
      const p = dvsol(["pack", src, zip, ...both, "--json"]);
      assert.equal(p.code, 0, `${r.local_path}: pack: ${p.stderr}`);
      const packed = JSON.parse(p.stdout);
      assert.equal(packed.outputs.length, both.length ? 2 : 1);
      // Layout warnings: only files kept out of git (DLLs, web resource content, canvas app sources).
      // (Other areas may warn about the content, e.g. SECRET_IN_ENDPOINT on the CSE-Neutrino endpoints.)
      const warnings = packed.findings.filter((f: { severity: string; code: string }) => f.severity === "warning" && f.code.startsWith("LAYOUT_")).map((f: { code: string }) => f.code);
      assert.ok(
        warnings.every((c: string) => c === "LAYOUT_MISSING_FILE" || c === "LAYOUT_CANVAS_SOURCE"),
        `${r.local_path}: only files kept out of git are reported: ${warnings.join(", ")}`,
      );

      // inspect says the same of the tree and of every zip packed from it.
      const ti = dvsol(["inspect", src, "--json"]);
      assert.equal(ti.code, 0, ti.stderr);
      for (const o of packed.outputs) {
        const zi = dvsol(["inspect", o.path, "--json"]);
        assert.equal(zi.code, 0, zi.stderr);
        assert.deepEqual(inspectShape(zi.stdout), inspectShape(ti.stdout), `${r.local_path}: inspect of ${path.basename(o.path)}`);
        assert.equal(JSON.parse(zi.stdout).managed, o.packageType === "managed", `${path.basename(o.path)} says it is ${o.packageType}`);
      }

      // Fresh unpack of the zip(s): the same files.
      const fresh = path.join(work, `f${i}`);
      const u = dvsol(["unpack", zip, fresh, ...both]);
      assert.equal(u.code, 0, `${r.local_path}: unpack: ${u.stderr}`);
      const expected = readTree(src);
      const actual = readTree(fresh);
      const f = compareFiles(expected, actual);
      assert.deepEqual(f.missing, [], `${r.local_path}: files lost`);
      assert.deepEqual(f.extra, [], `${r.local_path}: files added`);
      assert.equal(f.different + f["equivalent-unordered"], OLDER_PACKAGER.has(r.local_path) ? f.different + f["equivalent-unordered"] : 0, `${r.local_path}: ${f.notIdentical.join(", ")}`);
      if (!OLDER_PACKAGER.has(r.local_path)) assert.equal(f.identical, expected.size, `${r.local_path}: byte-identical`);
      lines.push(`${r.local_path}: ${expected.size} files; fresh unpack: ${summary(f)}`);

      // Unpack over a copy of the tree: nothing to write, every byte as it was.
      const copy = path.join(work, `c${i}`);
      cpSync(src, copy, { recursive: true });
      const inc = dvsol(["unpack", zip, copy, ...both, "--json"]);
      assert.equal(inc.code, 0, inc.stderr);
      const ij = JSON.parse(inc.stdout);
      assert.equal(ij.mode, "update");
      assert.equal(ij.written, 0, `${r.local_path}: unpack over the tree writes nothing`);
      assert.equal(ij.deleted, 0);
      const again = compareFiles(expected, readTree(copy));
      assert.equal(again.identical, expected.size, `${r.local_path}: over the tree, byte-identical`);
      lines.push(`${r.local_path}: unpack over the tree: written 0, unchanged ${ij.unchanged}, byte-identical ${again.identical}/${expected.size}`);
      rmSync(fresh, { recursive: true, force: true });
      rmSync(copy, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const l of lines) t.diagnostic(l);
});

test("the CoE Starter Kit tree round-trips byte for byte: pack both, unpack both, no file lost or changed", { skip: corpusSkip }, async (t) => {
  const src = corpusPath(COE);
  const work = tmp("dvsol-coe-");
  try {
    const zip = path.join(work, "CoE.zip");
    assert.equal(dvsol(["pack", src, zip, "--packagetype", "both"]).code, 0);
    const out = path.join(work, "coe");
    const u = dvsol(["unpack", zip, out, "--packagetype", "both"]);
    assert.equal(u.code, 0, u.stderr);
    const expected = readTree(src);
    const f = compareFiles(expected, readTree(out));
    assert.ok(expected.size > 1500);
    assert.deepEqual([f.missing, f.extra, f.notIdentical], [[], [], []]);
    assert.equal(f.identical, expected.size);
    t.diagnostic(`CoE: ${expected.size} files, all byte-identical after pack (both) and unpack (both)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
