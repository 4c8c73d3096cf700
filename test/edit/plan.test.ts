// The planners as pure functions over a loaded solution: data shapes, ids, rule findings; and the zip
// writer's [Content_Types].xml handling.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { loadSolution } from "../../src/model/read.js";
import { deriveId } from "../../src/model/ids.js";
import { readAssembly } from "../../src/assembly/index.js";
import { DvsolError } from "../../src/errors.js";
import { parseImage, parseStage, planAddAssembly, planAddStep, planRemove, planSetStepState, planSetVersion, planUpdateStep } from "../../src/plan/index.js";
import { applyPlan } from "../../src/edit/index.js";
import { zipInsertIndex } from "../../src/edit/overlay.js";
import { DEMO, MINIMAL, copyOf, entryText, ok, rawEntries } from "./helpers.js";

async function withDemo<T>(fn: (sol: Awaited<ReturnType<typeof loadSolution>>) => Promise<T>): Promise<T> {
  const f = copyOf(MINIMAL);
  ok(["add", "assembly", f, DEMO("1.0.1.0")]);
  const sol = await loadSolution(f);
  try {
    return await fn(sol);
  } finally {
    await sol.source.close();
  }
}

test("plan: parse helpers accept the documented forms and refuse the rest", () => {
  assert.deepEqual(parseImage("pre:PreImage:name, statuscode"), { imageType: 0, alias: "PreImage", attributes: ["name", "statuscode"] });
  assert.deepEqual(parseImage("post"), { imageType: 1, alias: "PostImage", attributes: [] });
  assert.deepEqual(parseImage("BOTH:Snap:a"), { imageType: 2, alias: "Snap", attributes: ["a"] });
  assert.throws(() => parseImage("both"), /needs an alias/);
  assert.throws(() => parseImage("mid:x"), (e: unknown) => e instanceof DvsolError && e.code === "EDIT_INVALID");
  assert.throws(() => parseImage("pre:bad alias"), /letters, digits and underscores/);
  assert.equal(parseStage("PreValidation"), 10);
  assert.equal(parseStage("pre-operation"), 20);
  assert.equal(parseStage("40"), 40);
  assert.throws(() => parseStage("30"), /not a stage/);
});

test("plan: ids are derived from stable keys, so a request gives the same id every time", async () => {
  await withDemo(async (sol) => {
    const req = { type: "AuditTrick", message: "Update", entity: "account", stage: "postoperation", images: ["pre:PreImage:name"] };
    const a = planAddStep(sol, req);
    const b = planAddStep(sol, req);
    assert.deepEqual(a, b);
    const step = a.changes.find((c) => c.kind === "step")!;
    assert.equal(step.id, deriveId("step", "DemoPlugin", "DemoPlugin.AuditTrick", "Update", "account", 40, 0, "DemoPlugin.AuditTrick: Update of account"));
    assert.equal(a.changes.find((c) => c.kind === "image")!.id, deriveId("image", step.id, "PreImage", 0));
    const other = planAddStep(sol, { ...req, stage: "preoperation", images: [] });
    assert.notEqual(other.changes.find((c) => c.kind === "step")!.id, step.id);
    const fixed = planAddStep(sol, { ...req, id: "{ABCDEF01-2345-6789-ABCD-EF0123456789}" });
    assert.equal(fixed.changes.find((c) => c.kind === "step")!.id, "abcdef01-2345-6789-abcd-ef0123456789");
  });
});

test("plan: rule findings (same rank, primary key filter, secondary table, impersonation) are data with catalogue wording", async () => {
  await withDemo(async (sol) => {
    const s1 = await applyPlan(sol, planAddStep(sol, { type: "AuditTrick", message: "Update", entity: "account", stage: "postoperation" }));
    const p = planAddStep(s1, { type: "ValidatePetTrick", message: "Update", entity: "account", stage: "postoperation", filter: "accountid,name", secondaryEntity: "contact", impersonate: "SYSTEM" });
    const codes = p.findings.map((f) => f.code).sort();
    assert.deepEqual(codes, ["EDIT_FILTER_PRIMARY_KEY", "EDIT_IMPERSONATION", "EDIT_SAME_RANK", "EDIT_SECONDARY_ENTITY"]);
    for (const f of p.findings) {
      assert.equal(typeof f.args, "object");
      assert.ok(f.component?.kind === "step");
    }
    const q = planAddStep(s1, { type: "ValidatePetTrick", message: "Update", entity: "account", stage: "postoperation", rank: 2 });
    assert.ok(!q.findings.some((f) => f.code === "EDIT_SAME_RANK"));
  });
});

test("plan: a plan is pure: planning writes nothing and the Solution is unchanged", async () => {
  await withDemo(async (sol) => {
    const text = sol.docs.get("Other/Solution.xml")!.doc.text;
    const steps = sol.steps.length;
    planAddStep(sol, { type: "AuditTrick", message: "Update", entity: "account", stage: "postoperation" });
    planSetVersion(sol, { bump: "major" });
    assert.equal(sol.docs.get("Other/Solution.xml")!.doc.text, text);
    assert.equal(sol.steps.length, steps);
  });
});

test("plan: update, state and remove plans name what they change, field by field", async () => {
  await withDemo(async (sol) => {
    const s1 = await applyPlan(sol, planAddStep(sol, { type: "AuditTrick", message: "Update", entity: "account", stage: "postoperation", images: ["pre:PreImage:name"] }));
    const name = s1.steps[0]!.name!;
    const u = planUpdateStep(s1, name, { rank: 3, filter: "name", mode: "async", asyncAutoDelete: true });
    const c = u.changes[0]!;
    assert.deepEqual(c.fields, { AsyncAutoDelete: ["0", "1"], FilteringAttributes: ["", "name"], Mode: ["0", "1"], Rank: ["1", "3"] });
    const s2 = await applyPlan(s1, u);
    assert.equal(s2.steps[0]!.asyncAutoDelete, true);
    const back = planUpdateStep(s2, name, { mode: "sync" });
    assert.deepEqual(back.changes[0]!.fields!.AsyncAutoDelete, ["1", "0"], "going synchronous clears AsyncAutoDelete");
    const d = planSetStepState(s2, name, false);
    assert.deepEqual(d.changes[0]!.fields, { StateCode: [null, "1"], StatusCode: [null, "2"] });
    const r = planRemove(s2, "step", name);
    assert.deepEqual(r.files.map((x) => `${x.kind} ${x.path}`), ["edit Other/Solution.xml", `delete SdkMessageProcessingSteps/{${s2.steps[0]!.id}}.xml`]);
  });
});

test("plan: planAddAssembly over bytes and info from readAssembly (library use, no files)", async () => {
  const f = copyOf(MINIMAL);
  const sol = await loadSolution(f);
  try {
    const dll = readFileSync(DEMO("1.0.0.0"));
    const p = planAddAssembly(sol, { dll, info: readAssembly(dll) });
    assert.match(p.rule!, /^new assembly: the solution has no assembly named DemoPlugin/);
    const created = p.files.filter((x) => x.kind === "create").map((x) => x.path);
    assert.equal(created.length, 2);
    assert.ok(created.some((x) => /^PluginAssemblies\/DemoPlugin-[0-9A-F-]{36}\/DemoPlugin\.dll$/.test(x)));
    const s = await applyPlan(sol, p);
    assert.equal(s.assemblies[0]!.dllPath, created.find((x) => x.endsWith(".dll")));
  } finally {
    await sol.source.close();
  }
});

test("zip: new entries go where the server puts them; [Content_Types].xml is regenerated only for a new extension", async () => {
  assert.equal(zipInsertIndex(["customizations.xml", "[Content_Types].xml", "solution.xml", "Workflows/a.xaml", "WebResources/x", "CanvasApps/c.msapp"], "PluginAssemblies/P-1/P.dll"), 5);
  assert.equal(zipInsertIndex(["customizations.xml", "solution.xml", "a.xml", "[Content_Types].xml"], "PluginAssemblies/P-1/P.dll"), 3);
  const f = copyOf(MINIMAL);
  const z = path.join(path.dirname(f), "m.zip");
  ok(["pack", f, z]);
  const before = await rawEntries(z);
  assert.ok(!(await entryText(z, "[Content_Types].xml")).includes('Extension="dll"'));
  ok(["add", "assembly", z, DEMO("1.0.0.0")]);
  const ct = await entryText(z, "[Content_Types].xml");
  assert.match(ct, /^\ufeff<\?xml version="1\.0" encoding="utf-8"\?><Types xmlns="http:\/\/schemas.openxmlformats.org\/package\/2006\/content-types"><Default Extension="xml" ContentType="application\/octet-stream" \/><Default Extension="dll" ContentType="application\/octet-stream" \/><\/Types>$/);
  const after = await rawEntries(z);
  assert.deepEqual([...after.keys()].slice(0, 3), [...before.keys()]);
  const ct1 = after.get("[Content_Types].xml")!.raw;
  ok(["add", "assembly", z, DEMO("2.0.0.0")]);
  assert.deepEqual((await rawEntries(z)).get("[Content_Types].xml")!.raw, ct1, "kept when no new extension appears");
});
