/**
 * loadSolution does not keep the bytes of the documents it parses (src/model/read.ts, loadedDoc): a LoadedDoc's
 * `bytes` must still be exactly the file's, with or without a byte order mark, with non-ASCII text and CRLF.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadSolution } from "../../src/model/read.js";
import { makeSolution } from "../check/fixture.js";

test("a LoadedDoc's bytes are the document's bytes", async () => {
  const dir = makeSolution();
  try {
    // Customizations.xml: a BOM, CRLF line ends and characters outside ASCII (2-, 3- and 4-byte UTF-8).
    const cust = path.join(dir, "Other", "Customizations.xml");
    const text = readFileSync(cust, "utf8").replace(/^\uFEFF/, "").replace(/\r?\n/g, "\r\n").replace("<ImportExportXml", "<!-- Größe ✓ 😀 -->\r\n<ImportExportXml");
    writeFileSync(cust, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]));
    // Solution.xml: no BOM.
    const manifest = path.join(dir, "Other", "Solution.xml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace(/^\uFEFF/, ""));
    const sol = await loadSolution(dir);
    try {
      assert.ok(sol.docs.size >= 3, "manifest, customizations and plug-in documents");
      for (const d of sol.docs.values()) assert.deepEqual(d.bytes, readFileSync(path.join(dir, d.path)), d.path);
      assert.equal(sol.docs.get(sol.customizationsPath)!.doc.bom, true);
      assert.equal(sol.docs.get(sol.manifestPath)!.doc.bom, false);
    } finally {
      await sol.source.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
