/**
 * Every zip of the corpus: unpack, then pack, gives back every entry (non-XML byte for byte, XML with
 * the same content), and unpacking that zip again gives the same folder byte for byte (the folder
 * form is a fixed point). Figures: entries byte-identical / equivalent, and customizations.xml section
 * by section (= component kind).
 *
 * "equivalent-unordered" is expected for customizations.xml: the SolutionPackager layout keeps one file
 * per component and no record of the export's order (the server lists workflows, web resources, forms
 * and views in an order no field of the files gives), so pack writes components in SolutionPackager's
 * order (checked against the zips SolutionPackager repacked: P2C, Education). Dataverse components
 * have no order; the content is the same.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";
import { pack, unpack } from "../../src/ops/unpack.js";
import { corpusManifest, corpusPath, corpusSkip, tmp } from "../helpers.js";
import { compareFiles, readTree, readZip, resolvedContentTypes } from "./helpers.js";
import { compareSections, firstDifference, type Verdict } from "./xmlequiv.js";

const zips = corpusManifest().filter((r) => r.kind.startsWith("zip"));

test("every corpus zip: unpack then pack gives back every entry; unpacking again gives the same folder", { skip: corpusSkip }, async (t) => {
  assert.ok(zips.length >= 40, `corpus zips: ${zips.length}`);
  const work = tmp("dvsol-zips-");
  const tally: Record<string, number> = {};
  const perKind = new Map<string, Record<Verdict, number>>();
  const notes: string[] = [];
  let fixedPoint = 0;
  try {
    for (const [i, r] of zips.entries()) {
      const src = corpusPath(r.local_path);
      const what = r.local_path;
      const folder = path.join(work, `u${i}`);
      const again = path.join(work, `a${i}`);
      const out = path.join(work, `p${i}.zip`);
      await unpack(src, folder);
      const packed = await pack(folder, out);
      assert.deepEqual(
        packed.findings.filter((f) => f.severity !== "info").map((f) => f.code),
        [],
        `${what}: a zip's own files are all there`,
      );
      const a = await readZip(src);
      const b = await readZip(out);
      assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), `${what}: entry names`);
      for (const [name, x] of a) {
        const y = b.get(name)!;
        let v: string;
        if (name === "[Content_Types].xml") {
          const names = [...a.keys()];
          const rx = resolvedContentTypes(x, names);
          assert.ok(Object.values(rx).every((c) => c !== null), `${what}: the original gives every entry a content type`);
          const ry = resolvedContentTypes(y, names);
          assert.ok(Object.values(ry).every((c) => c !== null), `${what}: the packed zip gives every entry a content type`);
          // The server declares application/octet-stream for everything (and so does dvsol); zips that
          // SolutionPackager repacked say text/xml for .xml files. Same entries covered either way.
          const serverStyle = Object.values(rx).every((c) => c === "application/octet-stream");
          if (serverStyle) assert.deepEqual(ry, rx, `${what}: [Content_Types].xml gives every entry the same content type`);
          v = x.equals(y) ? "content types identical" : serverStyle ? "content types same per entry" : "content types: every entry covered (original by SolutionPackager, text/xml)";
        } else if (/\.xml$/i.test(name)) {
          const c = compareSections(y, x);
          v = c.verdict;
          assert.notEqual(v, "different", `${what}!${name}: ${firstDifference(y, x, true)}`);
          if (name === "customizations.xml" && v !== "identical") {
            // Section by section (identical here means the same content, line endings and indentation aside).
            for (const [s, sv] of c.sections) {
              const k = perKind.get(s) ?? { identical: 0, equivalent: 0, "equivalent-unordered": 0, different: 0 };
              k[sv]++;
              perKind.set(s, k);
            }
          }
          v = `XML ${v}`;
          if (v !== "XML identical") notes.push(`${path.basename(what)}!${name}: ${v}`);
        } else {
          assert.ok(x.equals(y), `${what}!${name}: bytes`);
          v = "non-XML identical";
        }
        tally[v] = (tally[v] ?? 0) + 1;
      }
      // The folder is a fixed point: unpacking the packed zip gives it back byte for byte.
      await unpack(out, again);
      const f = compareFiles(readTree(folder), readTree(again));
      assert.deepEqual([f.missing, f.extra, f.notIdentical], [[], [], []], `${what}: unpack(pack(folder)) == folder`);
      fixedPoint++;
      rmSync(folder, { recursive: true, force: true });
      rmSync(again, { recursive: true, force: true });
      rmSync(out, { force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  t.diagnostic(`zips: ${zips.length}; entries: ${Object.entries(tally).map(([k, v]) => `${k} ${v}`).join(", ")}; folders that are fixed points: ${fixedPoint}`);
  t.diagnostic(
    `customizations.xml by section, where the file was not byte-identical: ${[...perKind.entries()]
      .map(([s, k]) => `${s}: ${Object.entries(k).filter(([, n]) => n).map(([v, n]) => `${v} ${n}`).join("/")}`)
      .join("; ")}`,
  );
  t.diagnostic(`not byte-identical: ${notes.join("; ")}`);
});

test("every corpus pair Name.zip + Name_managed.zip: unpack both, pack both, each zip comes back; the folder is a fixed point", { skip: corpusSkip }, async (t) => {
  const pairs = zips.filter((r) => r.kind === "zip-unmanaged" && r.local_path.endsWith(".zip") && existsSync(corpusPath(r.local_path.replace(/\.zip$/, "_managed.zip"))));
  assert.ok(pairs.length >= 7, `pairs: ${pairs.length}`);
  const work = tmp("dvsol-both-");
  const lines: string[] = [];
  try {
    for (const [i, r] of pairs.entries()) {
      const u = corpusPath(r.local_path);
      const m = u.replace(/\.zip$/, "_managed.zip");
      const folder = path.join(work, `f${i}`);
      const again = path.join(work, `a${i}`);
      const out = path.join(work, `o${i}.zip`);
      await unpack(u, folder, { packageType: "both" });
      const tree = readTree(folder);
      assert.match(tree.get("Other/Solution.xml")!.toString("utf8"), /<Managed>2<\/Managed>/);
      const twins = [...tree.keys()].filter((p) => p.includes("_managed"));
      await pack(folder, out, { packageType: "both" });
      const verdicts: string[] = [];
      for (const [orig, mine] of [
        [u, out],
        [m, out.replace(/\.zip$/, "_managed.zip")],
      ] as const) {
        const a = await readZip(orig);
        const b = await readZip(mine);
        assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), `${path.basename(orig)}: entries`);
        for (const [n, x] of a) {
          if (n === "[Content_Types].xml") continue;
          const y = b.get(n)!;
          const v = x.equals(y) ? "identical" : /\.xml$/i.test(n) ? compareSections(y, x).verdict : "different";
          assert.notEqual(v, "different", `${path.basename(orig)}!${n}`);
          if (v !== "identical") verdicts.push(`${path.basename(orig)}!${n} ${v}`);
        }
      }
      await unpack(out, again, { packageType: "both" });
      const f = compareFiles(tree, readTree(again));
      assert.deepEqual([f.missing, f.extra, f.notIdentical], [[], [], []], `${r.local_path}: fixed point`);
      lines.push(`${path.basename(u)}: ${tree.size} files, ${twins.length} _managed twins; ${verdicts.length ? verdicts.join(", ") : "all entries byte-identical"}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const l of lines) t.diagnostic(l);
});
