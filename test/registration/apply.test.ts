// `dvsol apply` end to end, as a user runs it: init -> apply the example -> inspect/check -> apply again
// (nothing written) -> change the file (dry run lists exactly the changes) -> --prune -> in-place upgrade
// (only version strings change) -> major version with repoint -> prune the old assembly; on a folder and
// on a zip. Determinism, pack/unpack round trip, and the other rules (prune scope, endpoints, errors).
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { dvsol, tmp } from "../helpers.js";
import { ZipReader } from "../../src/archive/index.js";
import { DEMO, SAMPLE, assertOnlySubstitutions, changedPaths, inspectJson, lineDiff, ok, roundTrip, samplesSkip, snapshot } from "../edit/helpers.js";
import { exampleFor, writeJson, type Json } from "./helpers.js";

type Form = "folder" | "zip";

async function zipEntries(zip: string): Promise<Map<string, Buffer>> {
  const r = await ZipReader.open(zip);
  try {
    const out = new Map<string, Buffer>();
    for (const e of r.entries) out.set(e.name, await r.read(e));
    return out;
  } finally {
    await r.close();
  }
}

/** Every file (folder) or entry (zip), path -> bytes. */
async function contents(location: string): Promise<Map<string, Buffer>> {
  return statSync(location).isDirectory() ? snapshot(location) : zipEntries(location);
}

/** Modification times of every file of a folder, or of the zip. */
function mtimes(location: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!statSync(location).isDirectory()) {
    out.set(location, statSync(location).mtimeMs);
    return out;
  }
  for (const p of snapshot(location).keys()) out.set(p, statSync(path.join(location, p)).mtimeMs);
  return out;
}

/** A new empty solution (init), as a folder or packed into a zip. */
function newSolution(dir: string, form: Form): string {
  const folder = path.join(dir, "ContosoPlugins");
  ok(["init", folder, "--name", "ContosoPlugins", "--publisher", "contoso", "--prefix", "contoso"]);
  if (form === "folder") return folder;
  const zip = path.join(dir, "ContosoPlugins.zip");
  ok(["pack", folder, zip]);
  return zip;
}

function applyJsonOut(args: string[]): Json {
  const r = ok(["apply", ...args, "--json"]);
  return JSON.parse(r.stdout);
}

const sign = (c: { action: string; kind: string; name: string }) => `${{ add: "+", change: "~", remove: "-" }[c.action]} ${c.kind} ${c.name}`;

const STEP_POST = "Contoso.Plugins.AccountPostUpdate: Update of account";
const STEP_PRE = "Contoso.Plugins.AccountPreCreate: Create of account";
const STEP_CONTACT = "Contoso.Plugins.ContactPreUpdate: Update of contact";
const STEP_NEW = "Contoso.Plugins.AccountPreCreate: Update of account";
const STEP_QUEUE = "Contoso account events: Update of account";

async function scenario(form: Form): Promise<void> {
  const dir = tmp(`dvsol-reg-${form}-`);
  const sol = newSolution(dir, form);
  const regDir = path.join(dir, "repo");
  mkdirSync(regDir);
  const regFile = path.join(regDir, "registration.json");
  const reg = exampleFor(regDir, "1.0.0.0");
  writeJson(regFile, reg);

  // Dry run first: the plan, nothing written.
  const before = await contents(sol);
  const dry = applyJsonOut([sol, regFile, "--dry-run"]);
  assert.equal(dry.dryRun, true);
  assert.equal(dry.upToDate, false);
  assert.deepEqual(changedPaths(before, await contents(sol)), { added: [], removed: [], modified: [] });
  assert.match(dry.changes.find((c: Json) => c.kind === "assembly").required.because, /^steps "Contoso\.Plugins\.AccountPreCreate: Create of account", .* run its types$/);
  assert.match(dry.changes.find((c: Json) => c.kind === "endpoint").required.because, /^step "Contoso account events: Update of account" is bound to it$/);
  assert.deepEqual(
    dry.changes.filter((c: Json) => c.kind === "step" || c.kind === "endpoint" || c.kind === "assembly").map(sign),
    ["+ endpoint Contoso account events", "+ assembly Contoso.Plugins, Version=1.0.0.0, Culture=neutral, PublicKeyToken=a547478c9063475c", `+ step ${STEP_PRE}`, `+ step ${STEP_POST}`, `+ step ${STEP_CONTACT}`, `+ step ${STEP_QUEUE}`],
  );

  // Apply: everything the file describes is there.
  const first = ok(["apply", sol, regFile]);
  assert.match(first.stdout, /wrote .*: \d+ file\(s\) written, 0 deleted/);
  let m = inspectJson(sol);
  assert.deepEqual(m.assemblies.map((a) => `${a.name} ${a.version} ${a.dllPresent}`), ["Contoso.Plugins 1.0.0.0 true"]);
  assert.deepEqual(m.steps.map((s) => s.name).sort(), [STEP_QUEUE, STEP_POST, STEP_PRE, STEP_CONTACT].sort());
  const post = m.steps.find((s) => s.name === STEP_POST)!;
  assert.equal(post.rank, 10);
  assert.deepEqual(post.filteringAttributes, ["creditlimit", "name"]);
  assert.equal(post.configuration, '{"traceLevel":"changes"}');
  assert.deepEqual(post.images.map((i) => `${i.alias} ${i.imageType} ${i.attributes.join(",")} ${i.messagePropertyName}`), ["PostImage 1 creditlimit,name Target", "PreImage 0 creditlimit Target"]);
  const queueStep = m.steps.find((s) => s.name === STEP_QUEUE)!;
  assert.equal(queueStep.mode, 1);
  assert.equal(queueStep.eventHandler, m.serviceEndpoints[0]!.id);
  assert.deepEqual(m.serviceEndpoints.map((e) => `${e.name} ${e.contract}`), ["Contoso account events 6"]);
  assert.deepEqual(m.rootComponents.map((r) => String(r.type)).sort(), ["91", "92", "92", "92", "92", "95"]);
  const chk = ok(["check", sol]);
  assert.doesNotMatch(chk.stdout, /\berror\b/);

  // Again: nothing changes, nothing is written (bytes and modification times), "up to date".
  const snap1 = await contents(sol);
  const times1 = mtimes(sol);
  const again = ok(["apply", sol, regFile]);
  assert.match(again.stdout, /up to date/);
  assert.deepEqual(changedPaths(snap1, await contents(sol)), { added: [], removed: [], modified: [] });
  assert.deepEqual(mtimes(sol), times1);
  assert.equal(applyJsonOut([sol, regFile, "--dry-run"]).upToDate, true);

  // Change the file: a new step, a changed rank, a removed step. The dry run lists exactly those.
  const steps = reg.assemblies[0].steps;
  steps[1].rank = 20;
  steps.splice(2, 1);
  steps.push({ type: "AccountPreCreate", message: "Update", entity: "account", stage: "preoperation", rank: 5, filteringAttributes: ["accountnumber"] });
  writeJson(regFile, reg);
  const plan = applyJsonOut([sol, regFile, "--dry-run"]);
  assert.deepEqual(plan.changes.map(sign), [`~ step ${STEP_POST}`, `+ step ${STEP_NEW}`, `+ rootcomponent 92 ${STEP_NEW}`]);
  assert.deepEqual(plan.changes[0].fields, { Rank: ["10", "20"] });
  assert.deepEqual(
    plan.findings.filter((f: Json) => f.code === "REGISTRATION_NOT_LISTED").map((f: Json) => f.args.name),
    [STEP_CONTACT],
    "the removed step is kept and reported",
  );
  assert.deepEqual(changedPaths(snap1, await contents(sol)), { added: [], removed: [], modified: [] });
  ok(["apply", sol, regFile]);
  m = inspectJson(sol);
  assert.equal(m.steps.find((s) => s.name === STEP_POST)!.rank, 20);
  assert.ok(m.steps.some((s) => s.name === STEP_NEW));
  assert.ok(m.steps.some((s) => s.name === STEP_CONTACT), "without --prune nothing is removed");

  // --prune removes the step the file no longer lists.
  const pruneDry = applyJsonOut([sol, regFile, "--prune", "--dry-run"]);
  assert.deepEqual(pruneDry.changes.map(sign), [`- step ${STEP_CONTACT}`, `- rootcomponent 92 ${STEP_CONTACT}`]);
  assert.equal(pruneDry.operation, "apply --prune");
  ok(["apply", sol, regFile, "--prune"]);
  m = inspectJson(sol);
  assert.ok(!m.steps.some((s) => s.name === STEP_CONTACT));
  assert.equal(m.steps.length, 4);
  assert.match(ok(["apply", sol, regFile, "--prune"]).stdout, /up to date/);

  // 1.0.1.0: an in-place upgrade. Existing files change only in their version strings (and the new type is added).
  reg.assemblies[0].path = path.relative(regDir, SAMPLE("1.0.1.0"));
  writeJson(regFile, reg);
  const pre101 = await contents(sol);
  const up = applyJsonOut([sol, regFile]);
  assert.match(up.rule, /^in-place upgrade: 1\.0\.0\.0 -> 1\.0\.1\.0/);
  const post101 = await contents(sol);
  const diff = changedPaths(pre101, post101);
  assert.deepEqual(diff.added, []);
  assert.deepEqual(diff.removed, []);
  const xmlChanged = diff.modified.filter((p) => !p.endsWith(".dll"));
  assert.equal(diff.modified.filter((p) => p.endsWith(".dll")).length, 1, "the DLL is replaced");
  assert.ok(xmlChanged.length >= (form === "folder" ? 5 : 2), xmlChanged.join(", "));
  let typeLines = 0;
  for (const p of xmlChanged) {
    const a = pre101.get(p)!.toString("utf8");
    const b = post101.get(p)!.toString("utf8");
    const d = lineDiff(a.split("Version=1.0.0.0").join("Version=1.0.1.0"), b);
    assert.deepEqual(d.removed, [], `${p}: only version strings change in existing lines`);
    for (const [, line] of d.added) assert.match(line, /ContactPostCreate|<\/PluginType>|<FriendlyName>/, `${p}: an added line that is not the new type`);
    typeLines += d.added.length;
    if (!/PluginType|customizations|data\.xml/i.test(p)) assertOnlySubstitutions(lineDiff(a, b), [["Version=1.0.0.0", "Version=1.0.1.0"]], p);
  }
  assert.equal(typeLines, 3, "ContactPostCreate is added (3 lines)");
  const queueFile = [...post101.keys()].find((p) => p.includes(queueStep.id));
  if (queueFile) assert.ok(!diff.modified.includes(queueFile), "the endpoint's step is untouched");
  m = inspectJson(sol);
  assert.deepEqual(m.assemblies.map((a) => a.version), ["1.0.1.0"]);
  assert.match(ok(["apply", sol, regFile]).stdout, /up to date/);

  // 2.0.0.0: a new assembly. Without "repoint" the steps stay (and the plan says so); with it they move.
  reg.assemblies[0].path = path.relative(regDir, SAMPLE("2.0.0.0"));
  writeJson(regFile, reg);
  const noRepoint = applyJsonOut([sol, regFile, "--dry-run"]);
  assert.equal(noRepoint.findings.filter((f: Json) => f.code === "EDIT_STEP_NEEDS_REPOINT").length, 3);
  reg.assemblies[0].repoint = true;
  writeJson(regFile, reg);
  const rp = applyJsonOut([sol, regFile]);
  assert.deepEqual(
    rp.changes.filter((c: Json) => c.kind === "step").map((c: Json) => c.reason.replace(/ \(--repoint\)$/, "")),
    Array(3).fill("re-pointed from Contoso.Plugins 1.0.1.0 to Contoso.Plugins 2.0.0.0"),
  );
  m = inspectJson(sol);
  assert.deepEqual(m.assemblies.map((a) => a.version).sort(), ["1.0.1.0", "2.0.0.0"]);
  const v2 = m.assemblies.find((a) => a.version === "2.0.0.0")!;
  for (const s of m.steps.filter((x) => !x.eventHandler)) {
    assert.match(s.pluginTypeName!, /Version=2\.0\.0\.0/);
    assert.ok(v2.types.some((t) => t.id === s.pluginTypeId), `${s.name} runs a type of 2.0.0.0`);
  }
  const kept = applyJsonOut([sol, regFile, "--dry-run"]);
  assert.equal(kept.upToDate, true);
  assert.deepEqual(kept.findings.filter((f: Json) => f.code === "REGISTRATION_NOT_LISTED").map((f: Json) => f.args.kind), ["assembly"]);
  // --prune retires the old version nothing uses any more.
  const retire = applyJsonOut([sol, regFile, "--prune"]);
  assert.deepEqual(retire.changes.filter((c: Json) => c.kind === "assembly").map(sign), ["- assembly Contoso.Plugins, Version=1.0.1.0, Culture=neutral, PublicKeyToken=a547478c9063475c"]);
  m = inspectJson(sol);
  assert.deepEqual(m.assemblies.map((a) => a.version), ["2.0.0.0"]);
  assert.match(ok(["apply", sol, regFile, "--prune"]).stdout, /up to date/);
  assert.doesNotMatch(ok(["check", sol]).stdout, /\berror\b/);

  // The result packs and unpacks without losing anything.
  roundTrip(sol);
}

test("apply: the full cycle on an unpacked folder", { skip: samplesSkip }, async () => {
  await scenario("folder");
});

test("apply: the full cycle on a zip", { skip: samplesSkip }, async () => {
  await scenario("zip");
});

test("apply: the same file on copies of the same solution gives the same bytes", { skip: samplesSkip }, async () => {
  for (const form of ["folder", "zip"] as Form[]) {
    const runs: Map<string, Buffer>[] = [];
    const raw: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const dir = tmp(`dvsol-reg-det-${form}-`);
      const sol = newSolution(dir, form);
      const regFile = writeJson(path.join(dir, "registration.json"), exampleFor(dir));
      ok(["apply", sol, regFile]);
      const reg = exampleFor(dir, "1.0.1.0");
      reg.assemblies[0].steps[0].rank = 3;
      writeJson(regFile, reg);
      ok(["apply", sol, regFile, "--prune"]);
      runs.push(await contents(sol));
      if (form === "zip") raw.push(readFileSync(sol));
    }
    assert.deepEqual(changedPaths(runs[0]!, runs[1]!), { added: [], removed: [], modified: [] }, form);
    if (form === "zip") assert.ok(raw[0]!.equals(raw[1]!), "the zips are byte-identical");
  }
});

test("apply: --out writes elsewhere and leaves the input; --assembly-dir finds the DLL by file name", { skip: samplesSkip }, async () => {
  const dir = tmp("dvsol-reg-out-");
  const sol = newSolution(dir, "folder");
  const reg = exampleFor(dir);
  reg.assemblies[0].path = "bin/Release/net462/Contoso.Plugins.dll";
  const regFile = writeJson(path.join(dir, "registration.json"), reg);
  const before = snapshot(sol);
  const missing = dvsol(["apply", sol, regFile]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /error REGISTRATION_INVALID: bin\/Release\/net462\/Contoso\.Plugins\.dll: no such DLL/);
  assert.match(missing.stderr, /registration\.json:5:\d+ \(assemblies\[0\]\.path\)/);
  const zip = path.join(dir, "out.zip");
  ok(["apply", sol, regFile, "--assembly-dir", path.dirname(SAMPLE("1.0.0.0")), "--out", zip]);
  assert.deepEqual(changedPaths(before, snapshot(sol)), { added: [], removed: [], modified: [] });
  assert.equal(inspectJson(zip).steps.length, 4);
  const folderOut = path.join(dir, "out-folder");
  ok(["apply", zip, regFile, "--assembly-dir", path.dirname(SAMPLE("1.0.0.0")), "--out", folderOut]);
  assert.equal(inspectJson(folderOut).steps.length, 4);
});

test("apply: errors name the file entry (path, line, column) and write nothing", { skip: samplesSkip }, () => {
  const dir = tmp("dvsol-reg-err-");
  const sol = newSolution(dir, "folder");
  const before = snapshot(sol);
  const run = (mutate: (r: Json) => void): { stderr: string; code: number } => {
    const reg = exampleFor(dir);
    mutate(reg);
    const regFile = writeJson(path.join(dir, "registration.json"), reg);
    const r = dvsol(["apply", sol, regFile]);
    assert.deepEqual(changedPaths(before, snapshot(sol)), { added: [], removed: [], modified: [] });
    return r;
  };
  let r = run((x) => (x.assemblies[0].steps[2].stage = "PreOperation"));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /error REGISTRATION_INVALID: "PreOperation" is not a stage.*did you mean "preoperation"/);
  assert.match(r.stderr, /at .*registration\.json:\d+:\d+ \(assemblies\[0\]\.steps\[2\]\.stage\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at .*\.js:\d+/, "no stack trace");
  r = run((x) => (x.assemblies[0].steps[1].type = "AccountPostUpdat"));
  assert.match(r.stderr, /no plug-in type "AccountPostUpdat" in Contoso\.Plugins 1\.0\.0\.0 \(did you mean "Contoso\.Plugins\.AccountPostUpdate"\?\)/);
  assert.match(r.stderr, /\(assemblies\[0\]\.steps\[1\]\.type\)/);
  r = run((x) => (x.assemblies[0].steps[1].type = "Contoso.Plugins.Activities.CalculateDiscount"));
  assert.match(r.stderr, /custom workflow activity/);
  r = run((x) => (x.endpoints[0].sasKey = "do-not-print-me"));
  assert.match(r.stderr, /"sasKey" looks like a secret/);
  assert.doesNotMatch(r.stderr + r.stderr, /do-not-print-me/);
  r = run((x) => (x.endpoints[0] = { name: "hook", contract: "webhook", url: "https://contoso.example/api/x?code=abc" }));
  assert.match(r.stderr, /error USAGE_BAD_OPTION: "url" carries a secret/, "engine errors speak of the file's keys");
  assert.match(r.stderr, /\(endpoints\[0\]\)/);
  r = run((x) => delete x.endpoints[0].sasKeyName);
  assert.match(r.stderr, /SAS key authentication needs "sasKeyName"/);
  r = run((x) => x.assemblies[0].steps.push({ ...x.assemblies[0].steps[0] }));
  assert.match(r.stderr, /two steps of this entry are named "Contoso\.Plugins\.AccountPreCreate: Create of account"/);
  r = run((x) => x.assemblies.push({ path: x.assemblies[0].path }));
  assert.match(r.stderr, /already describes/);
  r = run((x) => (x.assemblies[0].steps[0].message = "Assign"));
  assert.match(r.stderr, /"messageId"/);
});

test("apply: updates in place (endpoint, images, configuration, state) and says what changed", { skip: samplesSkip }, () => {
  const dir = tmp("dvsol-reg-upd-");
  const sol = newSolution(dir, "folder");
  const reg = exampleFor(dir);
  const regFile = writeJson(path.join(dir, "registration.json"), reg);
  ok(["apply", sol, regFile]);
  const ids = new Map(inspectJson(sol).steps.map((s) => [s.name, s.id]));
  const ep = reg.endpoints[0];
  ep.path = "account-changes";
  ep.messageFormat = "xml";
  const postStep = reg.assemblies[0].steps[1];
  postStep.images[0].attributes = ["creditlimit"];
  postStep.images[1].type = "both";
  delete postStep.configuration;
  postStep.mode = "async";
  reg.assemblies[0].steps[0].enabled = false;
  writeJson(regFile, reg);
  const plan = applyJsonOut([sol, regFile, "--dry-run"]);
  assert.deepEqual(plan.changes.map(sign), [
    "~ endpoint Contoso account events",
    "~ step Contoso.Plugins.AccountPreCreate: Create of account",
    "~ image PostImage",
    "~ image PreImage",
    `~ step ${STEP_POST}`,
  ]);
  assert.deepEqual(plan.changes[0].fields, { Path: ["accounts", "account-changes"], MessageFormat: ["2", "3"] });
  assert.deepEqual(plan.changes[2].fields, { Attributes: ["creditlimit,name", "creditlimit"] });
  assert.deepEqual(plan.changes[3].fields, { ImageType: ["0", "2"] });
  assert.deepEqual(plan.changes[4].fields, { Configuration: ['{"traceLevel":"changes"}', null], Mode: ["0", "1"] });
  ok(["apply", sol, regFile]);
  const m = inspectJson(sol);
  assert.deepEqual(new Map(m.steps.map((s) => [s.name, s.id])), ids, "ids are kept");
  assert.equal(m.steps.find((s) => s.name === STEP_PRE)!.enabled, false);
  const p = m.steps.find((s) => s.name === STEP_POST)!;
  assert.equal(p.configuration, null);
  assert.equal(p.mode, 1);
  assert.deepEqual(p.images.map((i) => `${i.alias} ${i.imageType} ${i.attributes.join(",")}`), ["PostImage 1 creditlimit", "PreImage 2 creditlimit"]);
  assert.match(ok(["apply", sol, regFile]).stdout, /up to date/);
  assert.doesNotMatch(ok(["check", sol]).stdout, /\berror\b/);
  // Nothing secret went in.
  for (const [, b] of snapshot(sol)) assert.doesNotMatch(b.toString("latin1"), /<SASKey>|<SASToken>|<AuthValue>/);
});

test("apply --prune: endpoints only when the file has an endpoints key; other assemblies never", { skip: samplesSkip }, () => {
  const dir = tmp("dvsol-reg-prune-");
  const sol = newSolution(dir, "folder");
  // Another assembly, registered by hand: the file never names it.
  ok(["add", "assembly", sol, DEMO("1.0.1.0")]);
  ok(["add", "step", sol, "--type", "AuditTrick", "--message", "Update", "--entity", "account", "--stage", "postoperation"]);
  const reg = exampleFor(dir);
  const regFile = writeJson(path.join(dir, "registration.json"), reg);
  ok(["apply", sol, regFile]);
  const demoFiles = () => new Map([...snapshot(sol)].filter(([p, b]) => p.includes("DemoPlugin") || b.toString("utf8").includes("DemoPlugin.AuditTrick, DemoPlugin")));
  const demo = demoFiles();
  assert.ok(demo.size >= 3);

  // A file without "endpoints" does not manage endpoints: --prune keeps them (and the Demo assembly).
  const noEp = JSON.parse(JSON.stringify(reg));
  delete noEp.endpoints;
  writeJson(regFile, noEp);
  const keep = applyJsonOut([sol, regFile, "--prune", "--dry-run"]);
  assert.equal(keep.upToDate, true, JSON.stringify(keep.changes));
  // "endpoints": [] manages them: the endpoint and its step go.
  noEp.endpoints = [];
  writeJson(regFile, noEp);
  const drop = applyJsonOut([sol, regFile, "--prune"]);
  assert.deepEqual(
    drop.changes.filter((c: Json) => c.kind === "endpoint" || c.kind === "step").map(sign),
    [`- step ${STEP_QUEUE}`, "- endpoint Contoso account events"],
  );
  const m = inspectJson(sol);
  assert.equal(m.serviceEndpoints.length, 0);
  assert.ok(m.steps.some((s) => s.name === "DemoPlugin.AuditTrick: Update of account"), "the other assembly's step is kept");
  assert.deepEqual(changedPaths(demo, demoFiles()), { added: [], removed: [], modified: [] });
  // Emptying an assembly's steps with --prune removes them, not the assembly.
  noEp.assemblies[0].steps = [];
  writeJson(regFile, noEp);
  ok(["apply", sol, regFile, "--prune"]);
  const after = inspectJson(sol);
  assert.deepEqual(after.assemblies.map((a) => a.name).sort(), ["Contoso.Plugins", "DemoPlugin"]);
  assert.deepEqual(after.steps.map((s) => s.name), ["DemoPlugin.AuditTrick: Update of account"]);
});

test("apply: a step whose class was renamed in the new build moves to the new class before the in-place upgrade", () => {
  const dir = tmp("dvsol-reg-rename-");
  const sol = newSolution(dir, "folder");
  const reg = {
    assemblies: [{ path: DEMO("1.0.1.0"), steps: [{ name: "Validate trick", type: "ValidatePetTrick", message: "Update", entity: "dem_trick", stage: "preoperation", filteringAttributes: ["dem_name"], images: [{ type: "pre", attributes: ["dem_name"] }] }] }],
  };
  const regFile = writeJson(path.join(dir, "registration.json"), reg);
  ok(["apply", sol, regFile]);
  const id = inspectJson(sol).steps[0]!.id;
  reg.assemblies[0]!.path = DEMO("1.0.2.0");
  reg.assemblies[0]!.steps[0]!.type = "ValidateTrick";
  writeJson(regFile, reg);
  const r = applyJsonOut([sol, regFile]);
  assert.match(r.rule, /^in-place upgrade/);
  assert.deepEqual(r.changes.filter((c: Json) => c.kind === "plugintype" && c.action !== "change").map(sign), ["- plugintype DemoPlugin.ValidatePetTrick", "+ plugintype DemoPlugin.ValidateTrick"]);
  const m = inspectJson(sol);
  const asm = m.assemblies[0]!;
  assert.equal(asm.version, "1.0.2.0");
  const s = m.steps[0]!;
  assert.equal(s.id, id, "same step");
  assert.equal(s.pluginTypeId, asm.types.find((t) => t.typeName === "DemoPlugin.ValidateTrick")!.id);
  assert.match(s.pluginTypeName!, /^DemoPlugin\.ValidateTrick, DemoPlugin, Version=1\.0\.2\.0/);
  assert.match(ok(["apply", sol, regFile]).stdout, /up to date/);
  assert.doesNotMatch(ok(["check", sol]).stdout, /\berror\b/);
});

test("apply: a fixed id is used for a new step and adopts an existing one (rename in place)", { skip: samplesSkip }, () => {
  const dir = tmp("dvsol-reg-id-");
  const sol = newSolution(dir, "folder");
  const reg = exampleFor(dir);
  const fixed = "0f0e0d0c-0b0a-4908-8706-050403020100";
  reg.assemblies[0].steps[0].id = `{${fixed.toUpperCase()}}`;
  const regFile = writeJson(path.join(dir, "registration.json"), reg);
  ok(["apply", sol, regFile]);
  assert.equal(inspectJson(sol).steps.find((s) => s.name === STEP_PRE)!.id, fixed);
  reg.assemblies[0].steps[0].name = "Account number on create";
  writeJson(regFile, reg);
  const r = applyJsonOut([sol, regFile]);
  assert.deepEqual(r.changes.map(sign), [`~ step Account number on create`]);
  assert.deepEqual(r.changes[0].fields.Name, [STEP_PRE, "Account number on create"]);
  assert.equal(inspectJson(sol).steps.find((s) => s.id === fixed)!.name, "Account number on create");
});

test("apply: new steps are compared with each other (same rank) as with the solution's", { skip: samplesSkip }, () => {
  const dir = tmp("dvsol-reg-rank-");
  const sol = newSolution(dir, "folder");
  const reg = exampleFor(dir);
  reg.assemblies[0].steps.push({ name: "Second on create", type: "AccountPostUpdate", message: "Create", entity: "account", stage: "preoperation" });
  const regFile = writeJson(path.join(dir, "registration.json"), reg);
  const r = applyJsonOut([sol, regFile, "--dry-run"]);
  const same = r.findings.filter((f: Json) => f.code === "EDIT_SAME_RANK");
  assert.equal(same.length, 1);
  assert.equal(same[0].args.step, "Second on create");
  assert.deepEqual(same[0].args.others, [`"${STEP_PRE}"`]);
  assert.match(same[0].message, /their order is undefined/);
});
