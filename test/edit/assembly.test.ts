// add assembly: new assemblies, in-place upgrades, major/minor bumps with --repoint/--retire-old, and the
// refusals, on copies of real corpus solutions (folder and zip) and on a minimal fixture.
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { dvsol, tmp } from "../helpers.js";
import { parseXmlBytes } from "../../src/xml/parse.js";
import { elements } from "../../src/xml/dom.js";
import { ZipReader } from "../../src/archive/index.js";
import {
  DEMO,
  KASKELA_ZIP,
  MINIMAL,
  PL400_ZIP,
  SAMPLE,
  assertOnlySubstitutions,
  changedPaths,
  copyOf,
  entryText,
  inspectJson,
  lineDiff,
  ok,
  pl400Folder,
  pl400Skip,
  rawEntries,
  roundTrip,
  samplesSkip,
  snapshot,
  text,
} from "./helpers.js";
import { CORPUS, corpusSkip } from "../helpers.js";

const DLL_DIR = "PluginAssemblies/DemoPlugin-DD8E53FA-2538-4593-8159-8772E309FFE9";
const STEP_FILE = "SdkMessageProcessingSteps/{64ea8779-2726-ee11-9966-00224823910f}.xml";
const PL400_TOKEN = "8a51fa8e51b7b9ab";
const FIX_TOKEN = "881785528cc6c0dc";

/** PL400Demos unpacked, with its DemoPlugin re-signed to the fixtures' key (same version 1.0.0.0). */
function pl400Rekeyed(): string {
  const f = pl400Folder();
  ok(["add", "assembly", f, DEMO("1.0.0.0"), "--allow-key-change"]);
  return f;
}

function json(args: string[], code = 0) {
  return JSON.parse(ok([...args, "--json"], code).stdout);
}

/** Element names and attribute names of an element, recursively: the shape to compare with real exports. */
function shape(xml: Buffer | string, pick?: (root: ReturnType<typeof parseXmlBytes>["root"]) => ReturnType<typeof parseXmlBytes>["root"]): unknown {
  const doc = parseXmlBytes(typeof xml === "string" ? Buffer.from(xml) : xml);
  const walk = (el: ReturnType<typeof parseXmlBytes>["root"]): unknown => ({ name: el.name, attrs: el.attrs.map((a) => a.name).filter((a) => a !== "xmlns:xsi"), kids: elements(el).map(walk) });
  return walk(pick ? pick(doc.root) : doc.root);
}

test("add assembly: a new assembly in a folder gets its .dll.data.xml, DLL, root component and the placeholder section", { skip: samplesSkip }, () => {
  const f = copyOf(MINIMAL);
  const before = snapshot(f);
  const r = json(["add", "assembly", f, SAMPLE("1.0.0.0")]);
  const id = r.changes.find((c: { kind: string }) => c.kind === "assembly").id as string;
  const dir = `PluginAssemblies/ContosoPlugins-${id.toUpperCase()}`;
  const d = changedPaths(before, snapshot(f));
  assert.deepEqual(d.added, [`${dir}/ContosoPlugins.dll`, `${dir}/ContosoPlugins.dll.data.xml`]);
  assert.deepEqual(d.modified, ["Other/Customizations.xml", "Other/Solution.xml"]);
  assert.deepEqual(readFileSync(path.join(f, dir, "ContosoPlugins.dll")), readFileSync(SAMPLE("1.0.0.0")));
  const data = readFileSync(path.join(f, dir, "ContosoPlugins.dll.data.xml"));
  assert.deepEqual([...data.subarray(0, 3)], [0xef, 0xbb, 0xbf], "BOM");
  const t = data.toString("utf8").slice(1);
  assert.ok(t.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<PluginAssembly FullName="Contoso.Plugins, Version=1.0.0.0, Culture=neutral, PublicKeyToken=a547478c9063475c" PluginAssemblyId="' + id + '" CustomizationLevel="1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'), t.slice(0, 300));
  assert.ok(!t.endsWith("\n"), "no final newline, as SolutionPackager writes");
  assert.match(t, new RegExp(`<FileName>/${dir}/ContosoPlugins.dll</FileName>`));
  assert.match(t, /<IsolationMode>2<\/IsolationMode>\n  <SourceType>0<\/SourceType>\n  <IntroducedVersion>1.0<\/IntroducedVersion>/);
  assert.match(t, /Name="Contoso.Plugins.Activities.CalculateDiscount">\n      <FriendlyName>[0-9a-f-]{36}<\/FriendlyName>\n      <WorkflowActivityGroupName>Contoso.Plugins \(1.0.0.0\)<\/WorkflowActivityGroupName>/);
  assert.ok(r.findings.some((x: { code: string }) => x.code === "EDIT_WORKFLOW_ACTIVITY_NAMES"), "says the activity names were defaulted");
  const cust = text(path.join(f, "Other/Customizations.xml"));
  assert.match(cust, /  <CustomControls \/>\n  <SolutionPluginAssemblies \/>\n  <EntityDataProviders \/>/, "placeholder in XSD order");
  const sol = lineDiff(text(path.join(MINIMAL, "Other/Solution.xml")), text(path.join(f, "Other/Solution.xml")));
  assert.deepEqual(sol.removed.map((x) => x[1]), ["    <RootComponents />"]);
  assert.deepEqual(sol.added.map((x) => x[1]), [
    "    <RootComponents>",
    `      <RootComponent type="91" id="{${id}}" schemaName="Contoso.Plugins, Version=1.0.0.0, Culture=neutral, PublicKeyToken=a547478c9063475c" behavior="0" />`,
    "    </RootComponents>",
  ]);
  const j = inspectJson(f);
  assert.equal(j.assemblies.length, 1);
  assert.deepEqual(j.assemblies[0]!.types.map((x) => x.typeName), ["Contoso.Plugins.AccountPostUpdate", "Contoso.Plugins.AccountPreCreate", "Contoso.Plugins.Activities.CalculateDiscount", "Contoso.Plugins.ContactPreUpdate"]);
  roundTrip(f);
});

test("add assembly: the new PluginAssembly has the shape of a real export's (PL400Demos)", { skip: pl400Skip || samplesSkip }, () => {
  const f = pl400Folder();
  ok(["add", "assembly", f, SAMPLE("1.0.0.0")]);
  const real = readFileSync(path.join(f, DLL_DIR, "DemoPlugin.dll.data.xml"));
  const j = inspectJson(f);
  const ours = j.assemblies.find((a) => a.name === "Contoso.Plugins")!;
  const mine = readFileSync(path.join(f, `PluginAssemblies/ContosoPlugins-${ours.id!.toUpperCase()}/ContosoPlugins.dll.data.xml`));
  const pluginOnly = (s: unknown) => {
    const c = JSON.parse(JSON.stringify(s));
    c.kids[4].kids = c.kids[4].kids.slice(0, 1);
    return c;
  };
  assert.deepEqual(pluginOnly(shape(mine)), shape(real));
  assert.equal(lineDiff(real.toString("utf8"), mine.toString("utf8")).added.length > 0, true);
  assert.equal(mine.toString("utf8").includes("\r\n"), true, "CRLF like the neighbouring files");
});

test("add assembly: in-place upgrade of a folder changes only the version strings, in the DLL, its data file, the step file and Solution.xml", { skip: pl400Skip }, () => {
  const f = pl400Rekeyed();
  const before = snapshot(f);
  const r = json(["add", "assembly", f, DEMO("1.0.0.5")]);
  assert.match(r.rule, /^in-place upgrade: 1\.0\.0\.0 -> 1\.0\.0\.5 changes only the revision number/);
  assert.match(r.rule, /Register a plug-in: assembly versioning/);
  const after = snapshot(f);
  const d = changedPaths(before, after);
  assert.deepEqual(d.added, []);
  assert.deepEqual(d.removed, []);
  assert.deepEqual(d.modified, ["Other/Solution.xml", `${DLL_DIR}/DemoPlugin.dll`, `${DLL_DIR}/DemoPlugin.dll.data.xml`, STEP_FILE]);
  assert.deepEqual(after.get(`${DLL_DIR}/DemoPlugin.dll`), readFileSync(DEMO("1.0.0.5")));
  const subs: [string, string][] = [["Version=1.0.0.0", "Version=1.0.0.5"]];
  for (const p of ["Other/Solution.xml", `${DLL_DIR}/DemoPlugin.dll.data.xml`, STEP_FILE]) {
    assertOnlySubstitutions(lineDiff(before.get(p)!.toString("utf8"), after.get(p)!.toString("utf8")), subs, p);
  }
  const data = lineDiff(before.get(`${DLL_DIR}/DemoPlugin.dll.data.xml`)!.toString("utf8"), after.get(`${DLL_DIR}/DemoPlugin.dll.data.xml`)!.toString("utf8"));
  assert.equal(data.added.length, 2, "FullName and the type's AssemblyQualifiedName");
  const j = inspectJson(f);
  assert.equal(j.assemblies[0]!.id, "dd8e53fa-2538-4593-8159-8772e309ffe9", "same assembly id");
  assert.equal(j.assemblies[0]!.types[0]!.id, "0e70e0bc-3805-4c03-a266-34d20dcbd631", "same type id");
  roundTrip(f);
});

test("add assembly: re-signing with --allow-key-change changes only the public key token; without it the key change is refused", { skip: pl400Skip }, () => {
  const f = pl400Folder();
  const before = snapshot(f);
  const bad = dvsol(["add", "assembly", f, DEMO("1.0.0.5")]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /error EDIT_CONFLICT: DemoPlugin is signed with public key token 881785528cc6c0dc; the solution's 1\.0\.0\.0 has 8a51fa8e51b7b9ab/);
  assert.deepEqual(changedPaths(before, snapshot(f)).modified, [], "nothing written on refusal");
  const r = json(["add", "assembly", f, DEMO("1.0.0.0"), "--allow-key-change"]);
  assert.deepEqual(r.findings.map((x: { code: string }) => x.code).sort(), ["EDIT_KEY_CHANGED", "EDIT_SAME_VERSION_DIFFERENT_BYTES"]);
  const after = snapshot(f);
  for (const p of ["Other/Solution.xml", `${DLL_DIR}/DemoPlugin.dll.data.xml`, STEP_FILE]) {
    assertOnlySubstitutions(lineDiff(before.get(p)!.toString("utf8"), after.get(p)!.toString("utf8")), [[PL400_TOKEN, FIX_TOKEN]], p);
  }
});

test("add assembly: in-place upgrade of a zip copies every other entry as its raw compressed bytes", { skip: pl400Skip }, async () => {
  const z = copyOf(PL400_ZIP, "PL400.zip");
  ok(["add", "assembly", z, DEMO("1.0.0.0"), "--allow-key-change"]);
  const before = await rawEntries(z);
  const r = json(["add", "assembly", z, DEMO("1.0.1.0")]);
  assert.deepEqual(r.written.sort(), [`${DLL_DIR}/DemoPlugin.dll`, "customizations.xml", "solution.xml"]);
  const after = await rawEntries(z);
  assert.deepEqual([...after.keys()], [...before.keys()], "same entries in the same order");
  for (const [name, e] of before) {
    if (r.written.includes(name)) continue;
    assert.deepEqual(after.get(name)!.raw, e.raw, `${name}: compressed bytes`);
    assert.equal(after.get(name)!.crc, e.crc);
    assert.equal(after.get(name)!.dosTime, e.dosTime);
  }
  assert.equal(after.get("customizations.xml")!.dosDate, before.get("customizations.xml")!.dosDate, "changed entries keep their timestamp");
  const cust = await entryText(z, "customizations.xml");
  assert.match(cust, /<PluginType AssemblyQualifiedName="DemoPlugin.AuditTrick, DemoPlugin, Version=1.0.1.0, Culture=neutral, PublicKeyToken=881785528cc6c0dc" PluginTypeId="[0-9a-f-]{36}" Name="DemoPlugin.AuditTrick">\r\n          <FriendlyName>/);
  assert.match(cust, /<PluginTypeName>DemoPlugin.ValidatePetTrick, DemoPlugin, Version=1.0.1.0, Culture=neutral, PublicKeyToken=881785528cc6c0dc<\/PluginTypeName>/);
  roundTrip(z);
});

test("add assembly: a major version is a new assembly; the old one stays and its steps are reported for re-pointing", { skip: pl400Skip }, () => {
  const f = pl400Rekeyed();
  const before = snapshot(f);
  const r = json(["add", "assembly", f, DEMO("2.0.0.0")]);
  assert.match(r.rule, /^new assembly: 1\.0\.0\.0 -> 2\.0\.0\.0 changes the major version/);
  const flagged = r.findings.filter((x: { code: string }) => x.code === "EDIT_STEP_NEEDS_REPOINT");
  assert.equal(flagged.length, 1);
  assert.equal(flagged[0].args.id, "64ea8779-2726-ee11-9966-00224823910f");
  assert.match(flagged[0].message, /step "DemoPlugin.ValidatePetTrick: Create of dem_petrrick" \(64ea8779-2726-ee11-9966-00224823910f\) still runs DemoPlugin.ValidatePetTrick of DemoPlugin 1.0.0.0/);
  const d = changedPaths(before, snapshot(f));
  assert.deepEqual(d.modified, ["Other/Solution.xml"], "the step is not touched");
  assert.equal(d.added.length, 2);
  const j = inspectJson(f);
  assert.deepEqual(j.assemblies.map((a) => a.version).sort(), ["1.0.0.0", "2.0.0.0"]);
  const sol = lineDiff(before.get("Other/Solution.xml")!.toString(), text(path.join(f, "Other/Solution.xml")));
  assert.equal(sol.removed.length, 0);
  assert.equal(sol.added.length, 1);
  assert.match(sol.added[0]![1], /<RootComponent type="91" id="\{[0-9a-f-]{36}\}" schemaName="DemoPlugin, Version=2.0.0.0, Culture=neutral, PublicKeyToken=881785528cc6c0dc" behavior="0" \/>\r$/);
  roundTrip(f);
});

test("add assembly: --repoint moves the steps (PluginTypeId and the version in PluginTypeName); --retire-old removes the old assembly", { skip: pl400Skip }, () => {
  const f = pl400Rekeyed();
  const before = snapshot(f);
  const r = json(["add", "assembly", f, DEMO("2.0.0.0"), "--repoint", "--retire-old"]);
  const newId = r.changes.find((c: { kind: string; action: string }) => c.kind === "assembly" && c.action === "add").id as string;
  const newType = r.changes.find((c: { kind: string; name: string }) => c.kind === "plugintype" && c.name === "DemoPlugin.ValidatePetTrick").id as string;
  const after = snapshot(f);
  const d = changedPaths(before, after);
  assert.deepEqual(d.removed, [`${DLL_DIR}/DemoPlugin.dll`, `${DLL_DIR}/DemoPlugin.dll.data.xml`]);
  assert.ok(!existsSync(path.join(f, DLL_DIR)), "the empty assembly folder is removed too");
  const step = lineDiff(before.get(STEP_FILE)!.toString(), after.get(STEP_FILE)!.toString());
  assert.deepEqual(step.removed.map((x) => x[1].trim()), [
    "<PluginTypeName>DemoPlugin.ValidatePetTrick, DemoPlugin, Version=1.0.0.0, Culture=neutral, PublicKeyToken=881785528cc6c0dc</PluginTypeName>",
    "<PluginTypeId>0e70e0bc-3805-4c03-a266-34d20dcbd631</PluginTypeId>",
  ]);
  assert.deepEqual(step.added.map((x) => x[1].trim()), [
    "<PluginTypeName>DemoPlugin.ValidatePetTrick, DemoPlugin, Version=2.0.0.0, Culture=neutral, PublicKeyToken=881785528cc6c0dc</PluginTypeName>",
    `<PluginTypeId>${newType}</PluginTypeId>`,
  ]);
  const j = inspectJson(f);
  assert.deepEqual(j.assemblies.map((a) => a.id), [newId]);
  assert.equal(j.steps.find((s) => s.id === "64ea8779-2726-ee11-9966-00224823910f")!.pluginTypeId, newType);
  assert.ok(!j.rootComponents.some((rc) => rc.id === "dd8e53fa-2538-4593-8159-8772e309ffe9"), "old root component gone");
  const sol = lineDiff(before.get("Other/Solution.xml")!.toString(), after.get("Other/Solution.xml")!.toString());
  assert.equal(sol.removed.length, 1);
  assert.equal(sol.added.length, 1);
  roundTrip(f);
});

test("add assembly: after a major bump, running it again with --repoint --retire-old moves the steps and retires the old build", { skip: pl400Skip }, () => {
  const f = pl400Rekeyed();
  ok(["add", "assembly", f, DEMO("2.0.0.0")]);
  const before = snapshot(f);
  const r = json(["add", "assembly", f, DEMO("2.0.0.0"), "--repoint", "--retire-old"]);
  assert.match(r.rule, /DemoPlugin 1\.0\.0\.0 is another major\/minor version: its steps are moved here \(--repoint\), and it is removed once no step uses it \(--retire-old\)/);
  assert.ok(r.findings.some((x: { code: string }) => x.code === "EDIT_SAME_ASSEMBLY"));
  const d = changedPaths(before, snapshot(f));
  assert.deepEqual(d.removed, [`${DLL_DIR}/DemoPlugin.dll`, `${DLL_DIR}/DemoPlugin.dll.data.xml`]);
  assert.deepEqual(d.modified, ["Other/Solution.xml", STEP_FILE]);
  const j = inspectJson(f);
  assert.deepEqual(j.assemblies.map((a) => a.version), ["2.0.0.0"]);
  assert.equal(j.steps.find((s) => s.id === "64ea8779-2726-ee11-9966-00224823910f")!.pluginTypeName, `DemoPlugin.ValidatePetTrick, DemoPlugin, Version=2.0.0.0, Culture=neutral, PublicKeyToken=${FIX_TOKEN}`);
  roundTrip(f);
});

test("add assembly: --repoint reports a step whose class is not in the new assembly, and --retire-old then keeps the old one", () => {
  const f = copyOf(MINIMAL);
  ok(["add", "assembly", f, DEMO("1.0.1.0")]);
  ok(["add", "step", f, "--type", "DemoPlugin.ValidatePetTrick", "--message", "Create", "--entity", "account", "--stage", "preoperation"]);
  // 1.1.0.0 keeps ValidatePetTrick; make a solution whose step runs a class 2.0 lacks by renaming the type in 1.0.2.0 terms:
  ok(["add", "step", f, "--type", "DemoPlugin.AuditTrick", "--message", "Update", "--entity", "account", "--stage", "postoperation"]);
  const r = json(["add", "assembly", f, DEMO("1.1.0.0"), "--repoint", "--retire-old"]);
  assert.equal(r.findings.filter((x: { code: string }) => x.code === "EDIT_REPOINT_TYPE_MISSING").length, 0);
  assert.equal(r.changes.filter((c: { kind: string; action: string }) => c.kind === "step" && c.action === "change").length, 2);
  assert.ok(r.changes.some((c: { kind: string; action: string }) => c.kind === "assembly" && c.action === "remove"));
  // Now 2.0.0.0 has both classes, but a step on a class that only 1.1 has cannot move: simulate with a 1.0.2.0-only class.
  const g = copyOf(MINIMAL);
  ok(["add", "assembly", g, DEMO("1.0.2.0")]);
  ok(["add", "step", g, "--type", "ValidateTrick", "--message", "Create", "--entity", "account", "--stage", "preoperation"]);
  const r2 = json(["add", "assembly", g, DEMO("2.0.0.0"), "--repoint", "--retire-old"]);
  const missing = r2.findings.filter((x: { code: string }) => x.code === "EDIT_REPOINT_TYPE_MISSING");
  assert.equal(missing.length, 1);
  assert.match(missing[0].message, /runs DemoPlugin.ValidateTrick, which DemoPlugin 2.0.0.0 does not contain; the step stays on DemoPlugin 1.0.2.0/);
  assert.ok(r2.findings.some((x: { code: string }) => x.code === "EDIT_RETIRE_BLOCKED"));
  assert.deepEqual(inspectJson(g).assemblies.map((a) => a.version).sort(), ["1.0.2.0", "2.0.0.0"]);
});

test("add assembly: a removed type that a step uses is refused, naming the step and the import error", () => {
  const f = copyOf(MINIMAL);
  ok(["add", "assembly", f, DEMO("1.0.1.0")]);
  ok(["add", "step", f, "--type", "ValidatePetTrick", "--message", "Create", "--entity", "account", "--stage", "preoperation"]);
  const before = snapshot(f);
  const r = dvsol(["add", "assembly", f, DEMO("1.0.2.0")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error EDIT_CONFLICT: DemoPlugin 1\.0\.2\.0 no longer contains DemoPlugin\.ValidatePetTrick \(used by "DemoPlugin\.ValidatePetTrick: Create of account" \([0-9a-f-]{36}\)\): the import would fail with "Plug-in assembly does not contain the required types"/);
  assert.deepEqual(changedPaths(before, snapshot(f)), { added: [], removed: [], modified: [] });
});

test("add assembly: a removed type without steps is removed, a new one added (in-place)", () => {
  const f = copyOf(MINIMAL);
  ok(["add", "assembly", f, DEMO("1.0.1.0")]);
  const r = json(["add", "assembly", f, DEMO("1.0.2.0")]);
  assert.ok(r.changes.some((c: { kind: string; action: string; name: string }) => c.kind === "plugintype" && c.action === "remove" && c.name === "DemoPlugin.ValidatePetTrick"));
  assert.ok(r.changes.some((c: { kind: string; action: string; name: string }) => c.kind === "plugintype" && c.action === "add" && c.name === "DemoPlugin.ValidateTrick"));
  assert.ok(r.findings.some((x: { code: string }) => x.code === "EDIT_TYPE_REMOVED"));
  assert.deepEqual(inspectJson(f).assemblies[0]!.types.map((t) => t.typeName).sort(), ["DemoPlugin.AuditTrick", "DemoPlugin.ValidateTrick"]);
  roundTrip(f);
});

test("add assembly: lower versions are refused unless --allow-downgrade; the same version with other bytes warns; the same DLL changes nothing", () => {
  const f = copyOf(MINIMAL);
  ok(["add", "assembly", f, DEMO("1.0.1.0")]);
  const down = dvsol(["add", "assembly", f, DEMO("1.0.0.0")]);
  assert.equal(down.code, 2);
  assert.match(down.stderr, /EDIT_CONFLICT: DemoPlugin 1\.0\.0\.0 is lower than 1\.0\.1\.0/);
  const down2 = dvsol(["add", "assembly", f, DEMO("0.9.0.0")]);
  assert.equal(down2.code, 2, "lower major too");
  const r = json(["add", "assembly", f, DEMO("1.0.0.5"), "--allow-downgrade", "--dry-run"]);
  assert.ok(r.findings.some((x: { code: string }) => x.code === "EDIT_DOWNGRADE"));
  const before = snapshot(f);
  const same = json(["add", "assembly", f, DEMO("1.0.1.0")]);
  assert.ok(same.findings.some((x: { code: string }) => x.code === "EDIT_SAME_ASSEMBLY"));
  assert.deepEqual(same.written, []);
  assert.deepEqual(changedPaths(before, snapshot(f)).modified, []);
  // Same version, other bytes: a rebuild that forgot to raise the version.
  const rebuilt = path.join(tmp("dvsol-edit-"), "DemoPlugin.dll");
  const bytes = Buffer.from(readFileSync(DEMO("1.0.1.0")));
  bytes[bytes.length - 1] ^= 0xff;
  writeFileSync(rebuilt, bytes);
  const w = json(["add", "assembly", f, rebuilt]);
  assert.ok(w.findings.some((x: { code: string; severity: string }) => x.code === "EDIT_SAME_VERSION_DIFFERENT_BYTES" && x.severity === "warning"));
  assert.equal(w.written.length, 1, "only the DLL");
});

test("add assembly: --dry-run prints the plan and writes nothing; --json is machine-readable", { skip: pl400Skip }, () => {
  const f = pl400Rekeyed();
  const before = snapshot(f);
  const t = ok(["add", "assembly", f, DEMO("2.0.0.0"), "--repoint", "--dry-run"]);
  assert.match(t.stdout, /\[dry run\]/);
  assert.match(t.stdout, /rule: new assembly/);
  assert.match(t.stdout, /  \+ assembly DemoPlugin, Version=2\.0\.0\.0/);
  assert.match(t.stdout, /  ~ step DemoPlugin\.ValidatePetTrick: Create of dem_petrrick \{64ea8779-2726-ee11-9966-00224823910f\}: re-pointed/);
  assert.match(t.stdout, /dry run: nothing written/);
  assert.deepEqual(changedPaths(before, snapshot(f)), { added: [], removed: [], modified: [] });
  const j = json(["add", "assembly", f, DEMO("2.0.0.0"), "--dry-run"]);
  assert.equal(j.dryRun, true);
  assert.equal(j.output, null);
  assert.ok(Array.isArray(j.changes) && Array.isArray(j.findings) && Array.isArray(j.files));
  assert.ok(j.files.some((x: { action: string }) => x.action === "create"));
});

test("add assembly: the real Kaskela 3.2.1.0 DLL over the 3.2.0.0 export reproduces the 3.2.1.0 export (workflow activity names kept)", { skip: corpusSkip }, async () => {
  const oldZip = path.join(CORPUS, "akaskela__WorkflowElements/Solutions/KaskelasWorkflowElementsforDynamics365CE_3_2_0_0 - Managed.zip@977e45c4");
  const newZip = path.join(CORPUS, "akaskela__WorkflowElements/Solutions/KaskelasWorkflowElementsforDynamics365CE_3_2_1_0 - Managed.zip");
  if (!existsSync(oldZip) || !existsSync(newZip)) return;
  const dir = tmp("dvsol-edit-");
  const real = await ZipReader.open(newZip);
  const dllEntry = real.entries.find((e) => e.name.endsWith(".dll"))!;
  const dll = path.join(dir, "KaskelaWorkflowElementsCE.dll");
  writeFileSync(dll, await real.read(dllEntry));
  const realCust = (await real.read(real.get("customizations.xml")!)).toString("utf8");
  const realSol = await real.read(real.get("solution.xml")!);
  await real.close();
  const z = copyOf(oldZip, "old.zip");
  const r = json(["add", "assembly", z, dll]);
  assert.match(r.rule, /^in-place upgrade: 3\.2\.0\.0 -> 3\.2\.1\.0/);
  ok(["version", z, "--set", "3.2.1.0"]);
  const out = await ZipReader.open(z);
  try {
    assert.deepEqual(await out.read(out.get("solution.xml")!), realSol, "solution.xml is byte for byte the real 3.2.1.0 export's");
    const cust = (await out.read(out.get("customizations.xml")!)).toString("utf8");
    const sec = (t: string) => t.slice(t.indexOf("<SolutionPluginAssemblies>"), t.indexOf("</SolutionPluginAssemblies>"));
    const d = lineDiff(sec(cust), sec(realCust));
    // The only difference: one type the real environment re-registered under new ids.
    assert.equal(d.removed.length, 2, JSON.stringify(d, null, 1));
    assert.ok(d.removed.every(([, l]) => /AuditGetRecentUpdates|FriendlyName/.test(l)));
    assert.ok(sec(cust).includes('Name="Sales – Add Line Item"'), "display names kept");
    assert.deepEqual(await out.read(out.get(dllEntry.name)!), readFileSync(dll));
  } finally {
    await out.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

test("add assembly: errors are DvsolErrors with exit 2 (missing DLL, not a DLL, bad --id)", () => {
  const f = copyOf(MINIMAL);
  const a = dvsol(["add", "assembly", f, path.join(f, "nope.dll")]);
  assert.equal(a.code, 2);
  assert.match(a.stderr, /error INPUT_NOT_FOUND/);
  const b = dvsol(["add", "assembly", f, path.join(f, "Other", "Solution.xml")]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /error ASSEMBLY_NOT_PE/);
  const c = dvsol(["add", "assembly", f, DEMO("1.0.0.0"), "--id", "not-a-guid"]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /USAGE_BAD_OPTION: --id takes a GUID/);
  assert.doesNotMatch(a.stderr + b.stderr + c.stderr, /at .*\.js:\d+/, "no stack trace");
  void PL400_ZIP;
  void KASKELA_ZIP;
});
