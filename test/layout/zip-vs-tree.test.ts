/**
 * The one solution the corpus holds both as a zip and as a SolutionPackager tree of the same version:
 * WaelHamze xrm-ci-framework XrmCIFrameworkSample 1.0.0.0 (Lib/Solutions/*.zip and SolutionFiles/).
 * They are not the same export: the tree was extracted later (it has two plug-in assemblies and a step
 * the zip lacks, and Managed 2: made from both zips), by a 2017 SolutionPackager (no xmlns:xsi, bare
 * <systemform>/<savedquery>). Every difference is listed and explained here, file by file.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { corpusPath, corpusSkip, dvsol, tmp } from "../helpers.js";
import { compareFiles, readTree, readZip, writeTree } from "./helpers.js";
import { compareXml, xmlCanonical } from "./xmlequiv.js";
import { adaptToExisting } from "../../src/layout/incremental.js";
import { parseXmlBytes } from "../../src/xml/parse.js";
import { elements } from "../../src/xml/dom.js";

const ZIP = "WaelHamze__xrm-ci-framework/CRM365/Xrm.Framework.CI.Sample/Lib/Solutions/XrmCIFrameworkSample_1_0_0_0.zip";
const TREE = "WaelHamze__xrm-ci-framework/CRM365/Xrm.Framework.CI.Sample/SolutionFiles";

/** Files of the tree the zip cannot give: they come from a later export. */
const LATER_EXPORT = [
  "PluginAssemblies/XrmFrameworkCISamplePlugins-D16718E7-28B9-4BD5-9461-E162CE09CA05/XrmFrameworkCISamplePlugins.dll.data.xml",
  "PluginAssemblies/XrmFrameworkCISampleWFActivities-B9F394F4-0C0D-43BA-90ED-8D0AD66B10C0/XrmFrameworkCISampleWFActivities.dll.data.xml",
  "SdkMessageProcessingSteps/{ddb0a2d1-3edb-e611-80d4-1458d0431600}.xml",
];
/** Files whose content differs between the two exports (explained in the test below). */
const CHANGED = ["Entities/Account/Entity.xml", "Entities/wh_Config/Entity.xml", "Other/Customizations.xml", "Other/Solution.xml"];
/** The web resources' content is not committed in the tree (supplied by a map file at pack time). */
const NOT_COMMITTED = ["WebResources/wh_JavaScript/SampleAccount.js", "WebResources/wh_WebPages/SampleAccount.html"];

test("WaelHamze: unpacking the zip reproduces the tree's files; every difference is a later export, not dvsol", { skip: corpusSkip }, async (t) => {
  const work = tmp("dvsol-wh-");
  try {
    const tree = readTree(corpusPath(TREE));
    // 1. A fresh unpack, compared file by file, with the tree's envelope applied where the tree has one.
    const fresh = path.join(work, "fresh");
    assert.equal(dvsol(["unpack", corpusPath(ZIP), fresh]).code, 0);
    const out = readTree(fresh);
    const verdicts: Record<string, string[]> = {};
    const note = (v: string, p: string) => (verdicts[v] ??= []).push(p);
    for (const [p, theirs] of tree) {
      const ours = out.get(p);
      if (!ours) {
        note(p.includes("_managed.") ? "tree only: managed twin (the tree was made from both zips)" : LATER_EXPORT.includes(p) ? "tree only: later export" : "tree only: ?", p);
        continue;
      }
      const raw = ours.equals(theirs) ? "identical" : compareXml(ours, theirs);
      const adapted = adaptToExisting(p, ours, theirs);
      const enveloped = adapted.equals(theirs) ? "identical" : compareXml(adapted, theirs);
      note(`fresh ${raw}; in the tree's envelope ${enveloped}`, p);
    }
    for (const p of out.keys()) if (!tree.has(p)) note(NOT_COMMITTED.includes(p) ? "zip only: web resource content (not committed in the tree)" : "zip only: ?", p);
    for (const [v, ps] of Object.entries(verdicts).sort()) t.diagnostic(`${ps.length} ${v}: ${ps.join(", ")}`);

    const byFile = new Map<string, string>();
    for (const [v, ps] of Object.entries(verdicts)) for (const p of ps) byFile.set(p, v);
    assert.deepEqual(Object.keys(verdicts).filter((v) => v.includes("?")), [], "every file accounted for");
    for (const p of CHANGED) assert.match(byFile.get(p)!, /envelope different$/, p);
    // Everything else is the same content; the forms and views are byte-identical once in the tree's envelope.
    for (const [p, v] of byFile) {
      if (CHANGED.includes(p) || v.startsWith("tree only") || v.startsWith("zip only")) continue;
      assert.match(v, /in the tree's envelope identical$/, `${p}: ${v}`);
    }

    // The four changed files, difference by difference.
    const account = out.get("Entities/Account/Entity.xml")!.toString("utf8");
    assert.match(account, /<entity Name="Account" unmodified="1">/, "the zip's export carries EntityInfo for the unmodified Account; the later one did not");
    assert.doesNotMatch(tree.get("Entities/Account/Entity.xml")!.toString("utf8"), /EntityInfo/);
    const config = (b: Buffer) => b.toString("utf8").replace(/\r\n/g, "\n");
    assert.doesNotMatch(config(out.get("Entities/wh_Config/Entity.xml")!), /<EntityHelpUrl>/, "the later export added <EntityHelpUrl>");
    assert.match(config(tree.get("Entities/wh_Config/Entity.xml")!), /<EntityHelpUrl><\/EntityHelpUrl>/);
    assert.equal(
      compareXml(
        Buffer.from(config(tree.get("Entities/wh_Config/Entity.xml")!).replace("      <EntityHelpUrl></EntityHelpUrl>\n", "")),
        out.get("Entities/wh_Config/Entity.xml")!,
      ),
      "equivalent",
      "apart from that, SolutionPackager only re-indented <ControlDescriptionXML><controlDescriptions /></ControlDescriptionXML>",
    );
    const sections = (b: Buffer) => elements(parseXmlBytes(b).root).map((e) => e.name);
    assert.deepEqual(
      sections(tree.get("Other/Customizations.xml")!).filter((s) => !sections(out.get("Other/Customizations.xml")!).includes(s)),
      ["SolutionPluginAssemblies", "SdkMessageProcessingSteps"],
      "the later export has plug-ins",
    );
    const manifest = (b: Buffer) => xmlCanonical(b.toString("utf8").replace(/<Managed>\d<\/Managed>/, "").replace(/\s*<RootComponent type="9[12]"[^>]*\/>/g, ""));
    assert.equal(manifest(out.get("Other/Solution.xml")!), manifest(tree.get("Other/Solution.xml")!), "Solution.xml: only <Managed> (0 vs 2) and the plug-in root components differ");

    // 2. Unpacking over a copy of the tree writes exactly the changed files and the web resource content.
    const copy = path.join(work, "copy");
    cpSync(corpusPath(TREE), copy, { recursive: true });
    const inc = dvsol(["unpack", corpusPath(ZIP), copy, "--json"]);
    assert.equal(inc.code, 0, inc.stderr);
    const ij = JSON.parse(inc.stdout);
    assert.equal(ij.written, CHANGED.length + NOT_COMMITTED.length);
    const stale = ij.findings.filter((f: { code: string }) => f.code === "LAYOUT_STALE_FILE").map((f: { args: { path: string } }) => f.args.path);
    assert.deepEqual(stale.sort(), [...[...tree.keys()].filter((p) => p.includes("_managed.")), ...LATER_EXPORT].sort(), "twins and the later plug-ins are listed, not deleted");
    const after = compareFiles(tree, readTree(copy));
    assert.deepEqual(after.notIdentical.map((s) => s.replace(/ \(.*$/, "")).sort(), [...CHANGED].sort(), "nothing else changed in the tree");
    t.diagnostic(`unpack over the tree: written ${ij.written} (${CHANGED.join(", ")} + ${NOT_COMMITTED.length} web resource files), unchanged ${ij.unchanged}, stale ${stale.length}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("WaelHamze: packing the tree reproduces the zip's content (with the web resources from a map file)", { skip: corpusSkip }, async (t) => {
  const work = tmp("dvsol-wh-");
  try {
    const zip = await readZip(corpusPath(ZIP));
    // The build output a map file points at: here, the web resources taken from the zip.
    writeTree(path.join(work, "web"), new Map([
      ["SampleAccount.js", zip.get("WebResources/wh_JavaScriptSampleAccountjsB9E478CC-2ADB-E611-80D9-3863BB34CDB0")!],
      ["SampleAccount.html", zip.get("WebResources/wh_WebPagesSampleAccounthtmlCB7494EC-2ADB-E611-80D9-3863BB34CDB0")!],
    ]));
    const map = path.join(work, "map.xml");
    writeFileSync(map, `<Mapping>\n  <FileToPath map="WebResources\\**\\*.*" to="${path.join(work, "web").replace(/\\/g, "/")}" />\n</Mapping>`);
    const out = path.join(work, "tree.zip");
    const p = dvsol(["pack", corpusPath(TREE), out, "--map", map, "--json"]);
    assert.equal(p.code, 0, p.stderr);
    const missing = JSON.parse(p.stdout).findings.filter((f: { code: string }) => f.code === "LAYOUT_MISSING_FILE").map((f: { args: { entry: string } }) => f.args.entry);
    assert.deepEqual(missing.length, 2, "only the two plug-in DLLs (added after the zip, never committed) are missing");
    const packed = await readZip(out);
    const lines: string[] = [];
    for (const [name, theirs] of zip) {
      const ours = packed.get(name);
      assert.ok(ours, `${name} packed`);
      const v = ours.equals(theirs) ? "identical" : name.endsWith(".xml") ? compareXml(ours, theirs) : "different";
      lines.push(`${name}: ${v}`);
      if (!name.endsWith(".xml")) assert.equal(v, "identical", name);
    }
    assert.deepEqual([...packed.keys()].filter((n) => !zip.has(n)), [], "no entry the zip lacks");
    // customizations.xml: section by section (line endings aside: git checked the tree out with LF).
    // Same content except the later export's changes.
    const sec = (b: Buffer) => {
      const d = parseXmlBytes(b);
      return new Map(elements(d.root).map((e) => [e.name, d.text.slice(e.start, e.end).replace(/\r\n/g, "\n")]));
    };
    const ours = sec(packed.get("customizations.xml")!);
    const theirs = sec(zip.get("customizations.xml")!);
    const bySection: string[] = [];
    for (const [name, x] of theirs) {
      const y = ours.get(name);
      const v = y === undefined ? "missing" : x === y ? "identical" : compareXml(y, x);
      bySection.push(`${name} ${v}`);
      if (name === "Entities") assert.equal(v, "different", "Entities: the later export's EntityInfo and EntityHelpUrl");
      else if (name === "Roles" || name === "Workflows" || name === "FieldSecurityProfiles") assert.equal(v, "equivalent", `${name}: <X /> in the tree for the zip's <X></X>`);
      else assert.equal(v, "identical", name);
    }
    assert.deepEqual([...ours.keys()].filter((s) => !theirs.has(s)), ["SolutionPluginAssemblies", "SdkMessageProcessingSteps"]);
    // Entities in detail: forms are in SolutionPackager's order, and only the two known differences remain.
    const fix = (s: string) => s.replace(/\r\n/g, "\n").replace(/\n\s*<EntityHelpUrl><\/EntityHelpUrl>/, "").replace(/\n\s*<EntityInfo>\n\s*<entity Name="Account" unmodified="1">\n\s*<attributes \/>\n\s*<\/entity>\n\s*<\/EntityInfo>/, "");
    assert.equal(compareXml(fix(ours.get("Entities")!), fix(theirs.get("Entities")!)), "equivalent-unordered", "forms in SolutionPackager's order; otherwise the same");
    t.diagnostic(`zip entries: ${lines.join("; ")}`);
    t.diagnostic(`customizations.xml sections: ${bySection.join(", ")}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
