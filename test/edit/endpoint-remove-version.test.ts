// add endpoint, remove step|image|endpoint|assembly, version.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { dvsol } from "../helpers.js";
import { parseXmlBytes } from "../../src/xml/parse.js";
import { elements } from "../../src/xml/dom.js";
import { CSE_FOLDER, DEMO, MINIMAL, PL400_ZIP, changedPaths, copyOf, entryText, inspectJson, lineDiff, ok, pl400Folder, pl400Skip, rawEntries, roundTrip, snapshot, text } from "./helpers.js";
import { corpusSkip } from "../helpers.js";

const PET = "DemoPlugin.ValidatePetTrick: Create of dem_petrrick";
const QUEUE = "trickqueue pl400demosajs202307";

function json(args: string[], code = 0) {
  return JSON.parse(ok([...args, "--json"], code).stdout);
}

function fails(args: string[], re: RegExp): string {
  const r = dvsol(args);
  assert.equal(r.code, 2, `expected exit 2 from dvsol ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, re);
  return r.stderr;
}

const childNames = (xml: string, name: string) => {
  const root = parseXmlBytes(Buffer.from(xml)).root;
  const all = root.name === name ? [root] : [...elements(root, name), ...elements(root).flatMap((e) => elements(e, name))];
  return all.map((e) => elements(e).map((c) => c.name));
};

test("add endpoint: a Service Bus queue with the element order of the PL400Demos export, appended to ServiceEndpoints.xml", { skip: pl400Skip }, () => {
  const f = pl400Folder();
  const before = snapshot(f);
  const r = json(["add", "endpoint", f, "--name", "orders queue", "--contract", "queue", "--namespace", "contosobus", "--path", "orders", "--sas-key-name", "RootManageSharedAccessKey", "--message-format", "xml"]);
  assert.ok(r.findings.some((x: { code: string }) => x.code === "EDIT_ENDPOINT_SECRET_NEEDED"));
  const after = snapshot(f);
  assert.deepEqual(changedPaths(before, after).modified, ["Other/Solution.xml", "PluginAssemblies/ServiceEndpoints.xml"]);
  const xml = after.get("PluginAssemblies/ServiceEndpoints.xml")!.toString("utf8");
  const shapes = childNames(xml.replace(/^\ufeff/, ""), "ServiceEndpoint");
  assert.deepEqual(shapes[1], shapes[0], "same elements in the same order as the real queue endpoint");
  const d = lineDiff(before.get("PluginAssemblies/ServiceEndpoints.xml")!.toString(), xml);
  assert.equal(d.removed.length, 0);
  assert.ok(d.added.every(([, l]) => l.endsWith("\r")), "CRLF");
  assert.match(xml, /<SolutionNamespace>contosobus<\/SolutionNamespace>\r\n    <UserClaim>1<\/UserClaim>/);
  assert.match(xml, /<NamespaceAddress>sb:\/\/contosobus.servicebus.windows.net\/<\/NamespaceAddress>\r\n    <NamespaceFormat>2<\/NamespaceFormat>\r\n    <SASKeyName>RootManageSharedAccessKey<\/SASKeyName>/);
  assert.match(text(path.join(f, "Other/Solution.xml")), new RegExp(`<RootComponent type="95" id="\\{${r.changes[0].id}\\}" behavior="0" />`));
  roundTrip(f);
});

test("add endpoint: a webhook with the element order of the CSE-Neutrino export; secrets are refused", { skip: corpusSkip }, () => {
  const f = copyOf(CSE_FOLDER, "cse");
  const before = snapshot(f);
  fails(["add", "endpoint", f, "--name", "w", "--contract", "webhook", "--url", "https://x.azurewebsites.net/api/a", "--auth-value", "secret"], /USAGE_BAD_OPTION: --auth-value: dvsol never writes secrets/);
  fails(["add", "endpoint", f, "--name", "q", "--contract", "queue", "--namespace", "contosobus", "--path", "p", "--sas-key-name", "k", "--sas-key", "abc"], /--sas-key: dvsol never writes secrets[\s\S]*hint: .*Plug-in Registration Tool/);
  assert.deepEqual(changedPaths(before, snapshot(f)).modified, []);
  ok(["add", "endpoint", f, "--name", "orders hook", "--contract", "webhook", "--url", "https://contoso.azurewebsites.net/api/orders"]);
  const xml = text(path.join(f, "PluginAssemblies/ServiceEndpoints.xml")).replace(/^\ufeff/, "");
  const shapes = childNames(xml, "ServiceEndpoint");
  assert.deepEqual(shapes[2], shapes[0]!.filter((n) => n !== "AuthValue"), "the real webhook's elements, without the secret");
  assert.ok(!xml.slice(xml.indexOf('Name="orders hook"')).includes("AuthValue"));
  fails(["add", "endpoint", f, "--name", "orders hook", "--contract", "webhook", "--url", "https://contoso.azurewebsites.net/api/x"], /EDIT_CONFLICT: the solution already has a service endpoint named "orders hook"/);
  fails(["add", "endpoint", f, "--name", "x", "--contract", "carrier-pigeon"], /EDIT_INVALID: "carrier-pigeon" is not a contract/);
  fails(["add", "endpoint", f, "--name", "x", "--contract", "queue", "--namespace", "contosobus", "--path", "p"], /needs --sas-key-name/);
  fails(["add", "endpoint", f, "--name", "x", "--contract", "webhook", "--url", "http://insecure"], /must be an https:\/\/ address/);
  roundTrip(f);
});

test("add endpoint: into a zip's ServiceEndpoints section, and a new ServiceEndpoints.xml (plus placeholder) in a folder without one", async () => {
  const f = copyOf(MINIMAL);
  ok(["add", "endpoint", f, "--name", "events", "--contract", "eventhub", "--namespace", "sb://contoso-events.servicebus.windows.net", "--path", "dataverse", "--sas-key-name", "send"]);
  const xml = readFileSync(path.join(f, "PluginAssemblies/ServiceEndpoints.xml"));
  assert.deepEqual([...xml.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  assert.match(xml.toString("utf8"), /^\ufeff<\?xml version="1.0" encoding="utf-8"\?>\n<ServiceEndpoints xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance">\n  <ServiceEndpoint ServiceEndpointId="\{[0-9a-f-]+\}" Name="events">\n    <ConnectionMode>1<\/ConnectionMode>\n    <Contract>7<\/Contract>/);
  assert.match(xml.toString(), /<NamespaceAddress>sb:\/\/contoso-events.servicebus.windows.net\/<\/NamespaceAddress>/);
  assert.match(text(path.join(f, "Other/Customizations.xml")), /<CustomControls \/>\n  <ServiceEndpoints \/>\n  <EntityDataProviders \/>/);
  const zip = path.join(path.dirname(f), "m.zip");
  ok(["pack", f, zip]);
  ok(["add", "endpoint", zip, "--name", "grid", "--contract", "eventgrid", "--url", "https://contoso.westeurope-1.eventgrid.azure.net/api/events"]);
  const cust = await entryText(zip, "customizations.xml");
  assert.match(cust, /<ServiceEndpoint ServiceEndpointId="\{[0-9a-f-]+\}" Name="events">[\s\S]*<\/ServiceEndpoint>\n    <ServiceEndpoint ServiceEndpointId="\{[0-9a-f-]+\}" Name="grid">/);
  assert.equal(inspectJson(zip).serviceEndpoints.length, 2);
  roundTrip(zip);
});

test("remove step: the step file, its root component; removing an image touches only its step", { skip: pl400Skip }, () => {
  const f = pl400Folder();
  ok(["add", "step", f, "--type", "ValidatePetTrick", "--message", "Update", "--entity", "dem_petrrick", "--stage", "postoperation", "--image", "pre:PreImage:dem_name", "--image", "post:PostImage:dem_name"]);
  const before = snapshot(f);
  const s = inspectJson(f).steps.find((x) => x.name === "DemoPlugin.ValidatePetTrick: Update of dem_petrrick")!;
  ok(["remove", "image", f, "PostImage"]);
  const mid = snapshot(f);
  const file = `SdkMessageProcessingSteps/{${s.id}}.xml`;
  assert.deepEqual(changedPaths(before, mid).modified, [file]);
  const d = lineDiff(before.get(file)!.toString(), mid.get(file)!.toString());
  assert.equal(d.added.length, 0);
  assert.equal(d.removed.length, 8, "the image's lines");
  const r = json(["remove", "step", f, "DemoPlugin.ValidatePetTrick: Update of dem_petrrick"]);
  assert.deepEqual(r.changes.map((c: { action: string; kind: string }) => `${c.action} ${c.kind}`), ["remove step", "remove image", "remove rootcomponent"]);
  const after = snapshot(f);
  assert.deepEqual(changedPaths(mid, after), { added: [], removed: [file], modified: ["Other/Solution.xml"] });
  fails(["remove", "step", f, "DemoPlugin.ValidatePetTrick: Update of dem_petrrick"], /EDIT_NOT_FOUND: no step named/);
  roundTrip(f);
});

test("remove endpoint: refused while steps use it (naming them) unless --cascade; remove assembly likewise", { skip: pl400Skip }, async () => {
  const z = copyOf(PL400_ZIP, "PL400.zip");
  const before = await rawEntries(z);
  const e = fails(["remove", "endpoint", z, QUEUE], /EDIT_CONFLICT: service endpoint "trickqueue pl400demosajs202307" is used by "trickqueue pl400demosajs202307: Create of dem_trick" \(8f5eab6a-2b26-ee11-9966-00224823910f\)/);
  assert.match(e, /--cascade/);
  fails(["remove", "assembly", z, "DemoPlugin"], /EDIT_CONFLICT: DemoPlugin, Version=1\.0\.0\.0, .* is used by "DemoPlugin.ValidatePetTrick: Create of dem_petrrick" .*an assembly cannot be deleted while steps depend on it/);
  const r = json(["remove", "endpoint", z, QUEUE, "--cascade"]);
  assert.deepEqual(r.changes.map((c: { action: string; kind: string }) => `${c.action} ${c.kind}`), ["remove step", "remove rootcomponent", "remove endpoint", "remove rootcomponent"]);
  const cust = await entryText(z, "customizations.xml");
  assert.match(cust, /\r\n  <ServiceEndpoints \/>\r\n/, "an emptied section is written as exports write empty sections");
  ok(["remove", "assembly", z, "dd8e53fa-2538-4593-8159-8772e309ffe9", "--cascade"]);
  const after = await rawEntries(z);
  assert.ok(!after.has("PluginAssemblies/DemoPlugin-DD8E53FA-2538-4593-8159-8772E309FFE9/DemoPlugin.dll"), "DLL entry removed");
  for (const [n, x] of after) if (!["customizations.xml", "solution.xml"].includes(n)) assert.deepEqual(x.raw, before.get(n)!.raw, n);
  const j = inspectJson(z);
  assert.equal(j.assemblies.length + j.steps.length + j.serviceEndpoints.length, 0);
  assert.ok(!j.rootComponents.some((rc) => [91, 92, 95].includes(rc.type as number)));
  roundTrip(z);
});

test("remove assembly: the folder's .dll.data.xml, DLL and its folder go", () => {
  const f = copyOf(MINIMAL);
  ok(["add", "assembly", f, DEMO("1.0.0.0")]);
  const id = inspectJson(f).assemblies[0]!.id!;
  ok(["remove", "assembly", f, "DemoPlugin, Version=1.0.0.0"]);
  assert.ok(!existsSync(path.join(f, `PluginAssemblies/DemoPlugin-${id.toUpperCase()}`)));
  assert.match(text(path.join(f, "Other/Solution.xml")), /<RootComponents \/>/);
  fails(["remove", "assembly", f, "DemoPlugin"], /EDIT_NOT_FOUND/);
});

test("version: --bump changes only the <Version> text; lower parts reset; --set validates", { skip: pl400Skip }, async () => {
  const f = pl400Folder();
  const before = snapshot(f);
  const r = json(["version", f, "--bump", "minor"]);
  assert.match(r.rule, /^bump minor: 1\.0\.24\.0 -> 1\.1\.0\.0 \(lower parts reset to 0\)/);
  const after = snapshot(f);
  assert.deepEqual(changedPaths(before, after).modified, ["Other/Solution.xml"]);
  const d = lineDiff(before.get("Other/Solution.xml")!.toString(), after.get("Other/Solution.xml")!.toString());
  assert.deepEqual(d.removed, [[9, "    <Version>1.0.24.0</Version>\r"]]);
  assert.deepEqual(d.added, [[9, "    <Version>1.1.0.0</Version>\r"]]);
  ok(["version", f, "--bump", "revision"]);
  assert.equal(inspectJson(f).version, "1.1.0.1");
  ok(["version", f, "--bump", "major"]);
  assert.equal(inspectJson(f).version, "2.0.0.0");
  const low = json(["version", f, "--set", "1.9.9.9"]);
  assert.ok(low.findings.some((x: { code: string }) => x.code === "VERSION_NOT_HIGHER"));
  fails(["version", f, "--set", "1.2.x"], /SOLUTION_BAD_VERSION: "1\.2\.x" is not a solution version/);
  fails(["version", f, "--set", "1.2.3.4.5"], /SOLUTION_BAD_VERSION/);
  fails(["version", f, "--set", "1.2147483648"], /larger than 2147483647/);
  fails(["version", f], /give exactly one of --bump/);
  fails(["version", f, "--bump", "patch"], /--bump takes major, minor, build or revision/);
  const z = copyOf(PL400_ZIP, "v.zip");
  const zb = await rawEntries(z);
  ok(["version", z, "--bump", "build"]);
  const za = await rawEntries(z);
  for (const [n, e] of zb) if (n !== "solution.xml") assert.deepEqual(za.get(n)!.raw, e.raw, n);
  assert.match(await entryText(z, "solution.xml"), /<Version>1\.0\.25\.0<\/Version>/);
});

test("version: two- and three-part versions keep their parts unless a lower part is bumped", () => {
  const f = copyOf(MINIMAL);
  ok(["version", f, "--bump", "minor"]);
  assert.equal(inspectJson(f).version, "1.1");
  const r = json(["version", f, "--bump", "revision"]);
  assert.equal(inspectJson(f).version, "1.1.0.1");
  assert.ok(r.findings.some((x: { code: string }) => x.code === "VERSION_PART_ADDED"));
});
