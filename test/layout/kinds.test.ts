/**
 * Every component kind, on a small solution shaped like real exports (test/fixtures/layout/allkinds):
 * where unpack puts each part, what stays in Customizations.xml, and that pack gives back the zip's
 * customizations.xml byte for byte.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { planPack, planUnpack } from "../../src/layout/engine.js";
import { parseXmlBytes } from "../../src/xml/parse.js";
import { child, elements } from "../../src/xml/dom.js";
import type { LayoutPlan } from "../../src/layout/engine.js";
import { fixtureFiles, memSource } from "./helpers.js";
import { compareXml } from "./xmlequiv.js";

async function filesOf(plan: LayoutPlan): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const f of plan.files) out.set(f.path, Buffer.isBuffer(f.content) ? f.content : await f.content.from.read());
  return out;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const text = (b: Buffer) => (b.subarray(0, 3).equals(BOM) ? b.subarray(3) : b).toString("utf8");
const root = (b: Buffer) => parseXmlBytes(b).root;
const hasXsi = (b: Buffer) => root(b).attrs.some((a) => a.name === "xmlns:xsi");

async function unpackFixture(): Promise<{ zip: Map<string, Buffer>; tree: Map<string, Buffer>; plan: LayoutPlan }> {
  const zip = fixtureFiles("allkinds");
  const plan = await planUnpack(memSource("zip", "allkinds.zip", zip), {});
  return { zip, tree: await filesOf(plan), plan };
}

test("unpack: every kind goes to its SolutionPackager file", async () => {
  const { tree } = await unpackFixture();
  assert.deepEqual([...tree.keys()].sort(), [
    "AppModuleSiteMaps/cts_ProjectHub/AppModuleSiteMap.xml",
    "AppModules/cts_ProjectHub/AppModule.xml",
    "CanvasApps/cts_projectcanvas_71e90.meta.xml",
    "CanvasApps/cts_projectcanvas_71e90_BackgroundImageUri",
    "CanvasApps/cts_projectcanvas_71e90_DocumentUri.msapp",
    "Connectors/cts_inventory.xml",
    "Connectors/cts_inventory_connectionparameters.json",
    "Connectors/cts_inventory_iconblob.Png",
    "Connectors/cts_inventory_openapidefinition.json",
    "Controls/cts_Contoso.Timeline/ControlManifest.xml",
    "Controls/cts_Contoso.Timeline/ControlManifest.xml.data.xml",
    "Controls/cts_Contoso.Timeline/bundle.js",
    "Dashboards/{cf839870-ff70-e911-a833-000d3a375590}.xml",
    "Entities/Account/Entity.xml",
    "Entities/Account/RibbonDiff.xml",
    "Entities/cts_Project/Entity.xml",
    "Entities/cts_Project/FormXml/main/{a7446247-a969-409e-b820-709c61ed50be}.xml",
    "Entities/cts_Project/FormXml/quickCreate/{b7a6c2a1-0f4e-4c4d-9a8e-7d0c6e7a2b11}.xml",
    "Entities/cts_Project/Formulas/cts_project-cts_total.xaml",
    "Entities/cts_Project/RibbonDiff.xml",
    "Entities/cts_Project/SavedQueries/{271bffc2-f409-4f48-9301-e3dd466c1dc6}.xml",
    "Entities/cts_Project/SavedQueries/{66a678e9-0d0e-410a-be6c-87805cfee37c}.xml",
    "Entities/cts_Project/Visualizations/{CD098782-FA70-E911-A833-000D3A375590}.xml",
    "EntityDataProviders/{4ce87aa8-6263-e811-a96b-000d3a1a9151}.xml",
    "OptionSets/cts_projectstage.xml",
    "Other/Customizations.xml",
    "Other/EntityMaps.xml",
    "Other/FieldSecurityProfiles.xml",
    "Other/Relationships.xml",
    "Other/Relationships/Account.xml",
    "Other/Relationships/SystemUser.xml",
    "Other/Relationships/cts_Project.xml",
    "Other/Solution.xml",
    "PluginAssemblies/ContosoPlugins-46024254-3586-47B7-BED5-1FDBF186B43A/ContosoPlugins.dll",
    "PluginAssemblies/ContosoPlugins-46024254-3586-47B7-BED5-1FDBF186B43A/ContosoPlugins.dll.data.xml",
    "Reports/1033/{b587ddc7-6f86-e911-a960-000d3a37f702}/Project Summary.rdl",
    "Reports/1033/{b587ddc7-6f86-e911-a960-000d3a37f702}/Project Summary.rdl.data.xml",
    "Reports/ReportSignatureIdMappings.xml",
    "Roles/Project Manager.xml",
    "SdkMessageProcessingSteps/{5a3b8a2d-5c1e-ee11-9cbd-00224823910f}.xml",
    "WebResources/cts_/scripts/project.js",
    "WebResources/cts_/scripts/project.js.data.xml",
    "WebResources/cts_ProjectIcon",
    "WebResources/cts_ProjectIcon.data.xml",
    "Workflows/RenderReport-049BA365-A576-4DDC-B300-BCD60C321D0B.xaml",
    "Workflows/RenderReport-049BA365-A576-4DDC-B300-BCD60C321D0B.xaml.data.xml",
    "Workflows/SyncProjects-9E9FFF08-A643-EB11-A813-000D3A1BB495.json",
    "Workflows/SyncProjects-9E9FFF08-A643-EB11-A813-000D3A1BB495.json.data.xml",
    "customapis/cts_Recalculate/customapi.xml",
    "environmentvariabledefinitions/cts_ApiUrl/environmentvariabledefinition.xml",
  ]);
});

test("unpack: split documents have SolutionPackager's envelope and roots", async () => {
  const { tree } = await unpackFixture();
  const expectRoots: [string, string, boolean][] = [
    ["Entities/cts_Project/Entity.xml", "Entity", true],
    ["Entities/cts_Project/FormXml/main/{a7446247-a969-409e-b820-709c61ed50be}.xml", "forms", true],
    ["Entities/cts_Project/SavedQueries/{271bffc2-f409-4f48-9301-e3dd466c1dc6}.xml", "savedqueries", true],
    ["Entities/cts_Project/Visualizations/{CD098782-FA70-E911-A833-000D3A375590}.xml", "visualization", true],
    ["Entities/cts_Project/RibbonDiff.xml", "RibbonDiffXml", true],
    ["Other/Relationships.xml", "EntityRelationships", true],
    ["Other/Relationships/cts_Project.xml", "EntityRelationships", true],
    ["Other/EntityMaps.xml", "EntityMaps", true],
    ["Other/FieldSecurityProfiles.xml", "FieldSecurityProfiles", true],
    ["OptionSets/cts_projectstage.xml", "optionset", true],
    ["Roles/Project Manager.xml", "Role", true],
    ["Workflows/RenderReport-049BA365-A576-4DDC-B300-BCD60C321D0B.xaml.data.xml", "Workflow", true],
    ["WebResources/cts_ProjectIcon.data.xml", "WebResource", true],
    ["Dashboards/{cf839870-ff70-e911-a833-000d3a375590}.xml", "Dashboard", true],
    ["Reports/ReportSignatureIdMappings.xml", "ReportSignatureIdMappings", false],
    ["Reports/1033/{b587ddc7-6f86-e911-a960-000d3a37f702}/Project Summary.rdl.data.xml", "Report", false],
    ["Controls/cts_Contoso.Timeline/ControlManifest.xml.data.xml", "CustomControl", true],
    ["AppModuleSiteMaps/cts_ProjectHub/AppModuleSiteMap.xml", "AppModuleSiteMap", true],
    ["AppModules/cts_ProjectHub/AppModule.xml", "AppModule", false],
    ["EntityDataProviders/{4ce87aa8-6263-e811-a96b-000d3a1a9151}.xml", "EntityDataProvider", true],
    ["CanvasApps/cts_projectcanvas_71e90.meta.xml", "CanvasApp", true],
    ["Connectors/cts_inventory.xml", "Connector", true],
  ];
  for (const [p, name, xsi] of expectRoots) {
    const b = tree.get(p)!;
    assert.ok(b.subarray(0, 3).equals(BOM), `${p}: UTF-8 BOM`);
    assert.match(text(b), /^<\?xml version="1\.0" encoding="utf-8"\?>\r\n</, `${p}: declaration, then the server's CRLF`);
    assert.doesNotMatch(text(b), /\r?\n$/, `${p}: no final line break`);
    assert.equal(root(b).name, name, p);
    assert.equal(hasXsi(b), xsi, `${p}: xmlns:xsi`);
  }
  // Wrapped forms and views hold exactly one element.
  const form = root(tree.get("Entities/cts_Project/FormXml/main/{a7446247-a969-409e-b820-709c61ed50be}.xml")!);
  assert.deepEqual(elements(form).map((e) => e.name), ["systemform"]);
  assert.equal(form.attrs.length, 1, "the wrapper carries no type attribute");
  // Relationships: the list keeps the export order; each table holds its own (1:N referenced, N:N first).
  assert.deepEqual(elements(root(tree.get("Other/Relationships.xml")!)).map((e) => e.attrs[0]!.value), ["cts_account_cts_project", "cts_project_contact", "lk_cts_project_createdby"]);
  assert.match(text(tree.get("Other/Relationships.xml")!), /<EntityRelationship Name="cts_account_cts_project" \/>/);
  assert.deepEqual(elements(root(tree.get("Other/Relationships/cts_Project.xml")!)).map((e) => e.attrs[0]!.value), ["cts_project_contact"]);
  assert.deepEqual(elements(root(tree.get("Other/Relationships/Account.xml")!)).map((e) => e.attrs[0]!.value), ["cts_account_cts_project"]);
});

test("unpack: what stays in Entity.xml and Customizations.xml", async () => {
  const { tree } = await unpackFixture();
  const entity = text(tree.get("Entities/cts_Project/Entity.xml")!);
  for (const ph of ["<FormXml />", "<SavedQueries />", "<Visualizations />", "<RibbonDiffXml />"]) assert.ok(entity.includes(ph), `Entity.xml keeps ${ph}`);
  assert.match(entity, /<EntityInfo>/);
  assert.match(entity, /<CustomControlDefaultConfigs>/);
  assert.match(entity, /<FormulaDefinitionFileName>\/Formulas\/cts_project-cts_total\.xaml<\/FormulaDefinitionFileName>/, "the reference keeps its zip path");
  const account = text(tree.get("Entities/Account/Entity.xml")!);
  assert.match(account, /<entity Name="Account" unmodified="1">/, "EntityInfo of an unmodified table stays");
  const cust = parseXmlBytes(tree.get("Other/Customizations.xml")!);
  const placeholders = ["Entities", "Roles", "Workflows", "FieldSecurityProfiles", "EntityMaps", "EntityRelationships", "optionsets", "Reports", "Dashboards", "WebResources", "CustomControls", "SolutionPluginAssemblies", "SdkMessageProcessingSteps", "AppModuleSiteMaps", "AppModules", "EntityDataProviders", "CanvasApps", "Connectors"];
  for (const s of placeholders) {
    const el = child(cust.root, s)!;
    assert.ok(el, s);
    assert.equal(el.selfClosing, true, `<${s} /> left behind`);
  }
  // Kinds dvsol does not split, and the ones SolutionPackager keeps inline, stay where they were.
  assert.equal(elements(child(cust.root, "Dialogs")!).length, 1, "unknown kind kept in Customizations.xml");
  assert.equal(elements(child(cust.root, "connectionreferences")!).length, 1, "connection references stay inline (as in the CoE tree)");
  assert.ok(child(cust.root, "Languages"));
  assert.match(text(tree.get("Other/Customizations.xml")!), /^<\?xml version="1\.0" encoding="utf-8"\?>\r\n<ImportExportXml/);
});

test("unpack: text content is never re-indented (descriptions, a step's XML configuration)", async () => {
  const { tree } = await unpackFixture();
  const entity = text(tree.get("Entities/cts_Project/Entity.xml")!);
  assert.ok(entity.includes("<Description>First line\r\nsecond line, indented in the text:\r\n    kept exactly</Description>"));
  const step = text(tree.get("SdkMessageProcessingSteps/{5a3b8a2d-5c1e-ee11-9cbd-00224823910f}.xml")!);
  assert.ok(step.includes("<Configuration>&lt;?xml version=\"1.0\" encoding=\"utf-8\"?&gt;\r\n&lt;Settings&gt;\r\n  &lt;Setting name=\"a\" /&gt;\r\n&lt;/Settings&gt;</Configuration>"));
  const app = text(tree.get("CanvasApps/cts_projectcanvas_71e90.meta.xml")!);
  assert.ok(app.includes("<Description>Two lines\r\nof description</Description>"));
});

test("unpack: content files move with their component, bytes unchanged", async () => {
  const { zip, tree } = await unpackFixture();
  const moved: [string, string][] = [
    ["WebResources/cts_scriptsprojectjsB9E478CC-2ADB-E611-80D9-3863BB34CDB0", "WebResources/cts_/scripts/project.js"],
    ["WebResources/cts_ProjectIcon97E278D8-666E-E911-A83D-000D3A375888", "WebResources/cts_ProjectIcon"],
    ["Connector/cts_inventory_openapidefinition.json", "Connectors/cts_inventory_openapidefinition.json"],
    ["Connector/cts_inventory_iconblob.Png", "Connectors/cts_inventory_iconblob.Png"],
    ["Formulas/cts_project-cts_total.xaml", "Entities/cts_Project/Formulas/cts_project-cts_total.xaml"],
    ["Reports/ProjectSummaryrdlb587ddc7-6f86-e911-a960-000d3a37f702.wdl", "Reports/1033/{b587ddc7-6f86-e911-a960-000d3a37f702}/Project Summary.rdl"],
    ["environmentvariabledefinitions/cts_ApiUrl/environmentvariabledefinition.xml", "environmentvariabledefinitions/cts_ApiUrl/environmentvariabledefinition.xml"],
    ["customapis/cts_Recalculate/customapi.xml", "customapis/cts_Recalculate/customapi.xml"],
  ];
  for (const [z, t] of moved) assert.ok(zip.get(z)!.equals(tree.get(t)!), `${z} -> ${t}`);
});

test("pack: the unpacked fixture gives back the zip: customizations.xml and solution.xml byte for byte", async () => {
  const { zip, tree } = await unpackFixture();
  const packed = await filesOf(await planPack(memSource("folder", "allkinds", tree), {}));
  assert.deepEqual([...packed.keys()].filter((p) => p !== "[Content_Types].xml").sort(), [...zip.keys()].sort());
  for (const [p, b] of zip) {
    assert.ok(packed.get(p)!.equals(b), `${p}: ${compareXml(packed.get(p)!, b)}`);
  }
  const names = [...packed.keys()];
  assert.deepEqual(names.slice(0, 3), ["customizations.xml", "[Content_Types].xml", "solution.xml"], "server entry order");
});

test("pack: older SolutionPackager trees (bare <systemform>/<savedquery>, no xmlns:xsi) pack the same", async () => {
  const { zip, tree } = await unpackFixture();
  const legacy = new Map<string, Buffer>();
  for (const [p, b] of tree) {
    let t = b.toString("utf8");
    if (/\.xml$/.test(p) && !p.startsWith("Other/Customizations") && !p.startsWith("Other/Solution")) t = t.replace(/ xmlns:xsi="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance"/, "");
    if (/\/(FormXml\/[^/]+|SavedQueries)\/[^/]+\.xml$/.test(p)) {
      // <forms>\r\n  <systemform>...</systemform>\r\n</forms>  ->  <systemform>...</systemform>, one level less indented
      t = t.replace(/<(forms|savedqueries)>\r\n {2}/, "").replace(/\r\n<\/(forms|savedqueries)>$/, "").replace(/\r\n {2}/g, "\r\n");
    }
    legacy.set(p, Buffer.from(t, "utf8"));
  }
  assert.equal(root(legacy.get("Entities/cts_Project/FormXml/main/{a7446247-a969-409e-b820-709c61ed50be}.xml")!).name, "systemform");
  const packed = await filesOf(await planPack(memSource("folder", "legacy", legacy), {}));
  assert.ok(packed.get("customizations.xml")!.equals(zip.get("customizations.xml")!), compareXml(packed.get("customizations.xml")!, zip.get("customizations.xml")!));
});

test("pack: a folder edited by hand: sections created in schema order, parts without placeholders, LF line endings", async () => {
  const { zip, tree } = await unpackFixture();
  const edited = new Map(tree);
  // An LF checkout (git with autocrlf) of every XML file.
  for (const [p, b] of edited) if (/\.xml$/.test(p)) edited.set(p, Buffer.from(b.toString("utf8").replace(/\r\n/g, "\n"), "utf8"));
  // Customizations.xml without the <optionsets /> and <Dashboards /> placeholders; Entity.xml without <SavedQueries />.
  const c = edited.get("Other/Customizations.xml")!.toString("utf8").replace("  <optionsets />\n", "").replace("  <Dashboards />\n", "");
  edited.set("Other/Customizations.xml", Buffer.from(c, "utf8"));
  const e = edited.get("Entities/cts_Project/Entity.xml")!.toString("utf8").replace("  <SavedQueries />\n", "");
  edited.set("Entities/cts_Project/Entity.xml", Buffer.from(e, "utf8"));
  const packed = await filesOf(await planPack(memSource("folder", "edited", edited), {}));
  const cust = packed.get("customizations.xml")!;
  assert.equal(compareXml(cust, zip.get("customizations.xml")!), "equivalent");
  assert.ok(!cust.includes(Buffer.from("\r\n")), "LF folder gives an LF customizations.xml");
  const order = elements(parseXmlBytes(cust).root).map((el) => el.name);
  assert.ok(order.indexOf("optionsets") === order.indexOf("OrganizationSettings") + 1 && order.indexOf("Dashboards") === order.indexOf("Reports") + 1, order.join(" "));
});

test("pack: sections out of schema order are put in order (unknown sections travel with the one before them); hidden files stay out", async () => {
  const { zip, tree } = await unpackFixture();
  const edited = new Map(tree);
  // Move <Languages> to the top.
  let c = edited.get("Other/Customizations.xml")!.toString("utf8");
  const languages = /\r\n {2}<Languages>[\s\S]*?<\/Languages>/.exec(c)![0];
  c = c.replace(languages, "").replace('<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">', `<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${languages}`);
  edited.set("Other/Customizations.xml", Buffer.from(c, "utf8"));
  edited.set(".gitignore", Buffer.from("*.dll\n"));
  edited.set("WebResources/.gitkeep", Buffer.alloc(0));
  const plan = await planPack(memSource("folder", "edited", edited), {});
  const packed = await filesOf(plan);
  assert.ok(packed.get("customizations.xml")!.equals(zip.get("customizations.xml")!), compareXml(packed.get("customizations.xml")!, zip.get("customizations.xml")!));
  assert.deepEqual(
    plan.findings.filter((f) => f.code === "LAYOUT_SECTIONS_REORDERED").map((f) => f.args.section),
    ["Entities"],
    "reported once, naming the first section found out of order",
  );
  assert.deepEqual(plan.findings.filter((f) => f.code === "LAYOUT_IGNORED_FILE").map((f) => f.args.path).sort(), [".gitignore", "WebResources/.gitkeep"]);
  assert.ok(![...packed.keys()].some((p) => p.includes(".git")));
  // <Roles> moved to the end, followed by a section the schema does not know (seen in real exports):
  // that section goes with <Roles>.
  let d = tree.get("Other/Customizations.xml")!.toString("utf8");
  d = d.replace("<Roles />", "").replace("</ImportExportXml>", `  <Roles />\r\n  <msdyn_dataflows />\r\n</ImportExportXml>`);
  const moved = new Map(tree).set("Other/Customizations.xml", Buffer.from(d, "utf8"));
  const order = elements(parseXmlBytes((await filesOf(await planPack(memSource("folder", "moved", moved), {}))).get("customizations.xml")!).root).map((e) => e.name);
  assert.deepEqual(order.slice(0, 4), ["Entities", "Roles", "msdyn_dataflows", "Workflows"]);
});

test("pack: relationships in a table's file but not in the list (and the reverse) are packed and reported", async () => {
  const { tree } = await unpackFixture();
  const edited = new Map(tree);
  const list = edited.get("Other/Relationships.xml")!.toString("utf8").replace('\r\n  <EntityRelationship Name="lk_cts_project_createdby" />', '\r\n  <EntityRelationship Name="cts_gone" />');
  edited.set("Other/Relationships.xml", Buffer.from(list, "utf8"));
  const plan = await planPack(memSource("folder", "edited", edited), {});
  const msgs = plan.findings.filter((f) => f.code === "LAYOUT_RELATIONSHIP_UNLISTED").map((f) => `${f.args.name}: ${f.args.problem}`);
  assert.equal(msgs.length, 2);
  assert.match(msgs[0]!, /^cts_gone: is listed in Other\/Relationships\.xml but no file under Other\/Relationships\/ defines it/);
  assert.match(msgs[1]!, /^lk_cts_project_createdby: is defined in Other\/Relationships\/SystemUser\.xml but not listed/);
  const cust = (await filesOf(plan)).get("customizations.xml")!.toString("utf8");
  assert.match(cust, /<EntityRelationship Name="cts_gone" \/>[\s\S]*<EntityRelationship Name="lk_cts_project_createdby">/, "listed ones first, in list order");
});

test("unpack and pack: an empty relationship list file survives the round trip (ReportScheduler tree)", async () => {
  const zip = fixtureFiles("allkinds", { "customizations.xml": [[/<EntityRelationships>[\s\S]*?<\/EntityRelationships>/, "<EntityRelationships></EntityRelationships>"]] });
  const tree = await filesOf(await planUnpack(memSource("zip", "z.zip", zip), {}));
  assert.equal(text(tree.get("Other/Relationships.xml")!), '<?xml version="1.0" encoding="utf-8"?>\r\n<EntityRelationships xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />');
  assert.match(text(tree.get("Other/Customizations.xml")!), /<EntityRelationships \/>/);
  const packed = await filesOf(await planPack(memSource("folder", "t", tree), {}));
  assert.ok(packed.get("customizations.xml")!.equals(zip.get("customizations.xml")!));
  // The server writes an empty list <EntityRelationships />: no file, as SolutionPackager's newer trees show.
  const zip2 = fixtureFiles("allkinds", { "customizations.xml": [[/<EntityRelationships>[\s\S]*?<\/EntityRelationships>/, "<EntityRelationships />"]] });
  const tree2 = await filesOf(await planUnpack(memSource("zip", "z.zip", zip2), {}));
  assert.ok(!tree2.has("Other/Relationships.xml"));
});

test("pack: a missing formula or canvas app is reported with the folder path that should hold it", async () => {
  const { tree } = await unpackFixture();
  const edited = new Map(tree);
  edited.delete("Entities/cts_Project/Formulas/cts_project-cts_total.xaml");
  edited.delete("CanvasApps/cts_projectcanvas_71e90_DocumentUri.msapp");
  edited.set("CanvasApps/cts_projectcanvas_71e90_DocumentUri_msapp_src/CanvasManifest.json", Buffer.from("{}"));
  const plan = await planPack(memSource("folder", "edited", edited), {});
  const got = plan.findings.filter((f) => f.severity === "warning").map((f) => [f.code, f.args.component ?? f.args.app, f.args.path ?? f.args.folder]);
  assert.deepEqual(got, [
    ["LAYOUT_MISSING_FILE", "formula column cts_total", "Entities/cts_Project/Formulas/cts_project-cts_total.xaml"],
    ["LAYOUT_CANVAS_SOURCE", "cts_projectcanvas_71e90", "CanvasApps/cts_projectcanvas_71e90_DocumentUri_msapp_src/"],
  ]);
});
