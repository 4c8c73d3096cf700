/**
 * The impact planner over synthetic pairs (folders written by ./fixtures.ts with the shapes of real
 * exports and the real Contoso.Plugins sample builds). Each test asserts the verdict, the reasons' codes
 * and the classifications exactly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { impact, assessImpact, versionAdvice, type ImpactReport, type ImpactOptions } from "../../src/impact/index.js";
import { loadSolution } from "../../src/model/read.js";
import { formatImpact } from "../../src/impact/format/index.js";
import {
  ASM_ID,
  ASM_ID_V2,
  ENDPOINT_ID,
  STEP_CONTACT,
  STEP_POSTUPDATE,
  STEP_PRECREATE,
  TYPES_100,
  TYPES_101,
  baseSolution,
  sampleAssembly,
  sampleDll,
  sampleSteps,
  writePair,
  type FxSolution,
} from "./fixtures.js";

/** Runs the impact without `dvsol check` (the check integration has its own test below). */
async function run(installed: FxSolution, incoming: FxSolution, opts: ImpactOptions = {}): Promise<ImpactReport> {
  const p = writePair(installed, incoming);
  try {
    return await impact(p.installed, p.incoming, { check: false, ...opts });
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
}

const codes = (r: ImpactReport, severity?: string) => r.reasons.filter((x) => !severity || x.severity === severity).map((x) => x.code);
const step = (r: ImpactReport, id: string) => r.steps.find((s) => s.id === id)!;
const asm = (r: ImpactReport) => r.assemblies.map((a) => `${a.name} ${a.from ?? "-"} -> ${a.to ?? "-"}: ${a.change}`);

test("in-place upgrade 1.0.0.0 -> 1.0.1.0: steps follow, nothing needs a person (safe)", async () => {
  const r = await run(baseSolution(), baseSolution({ version: "1.0.1.0" }, "1.0.1.0"));
  assert.equal(r.verdict, "safe");
  assert.deepEqual(codes(r), []);
  assert.deepEqual(asm(r), ["Contoso.Plugins 1.0.0.0 -> 1.0.1.0: in-place-upgrade"]);
  const a = r.assemblies[0]!;
  assert.equal(a.versionChange, "build");
  assert.deepEqual(a.typesAdded, ["Contoso.Plugins.ContactPostCreate"]);
  assert.deepEqual(a.typesRemoved, []);
  assert.deepEqual(a.typesKept, TYPES_100);
  assert.equal(a.dll.sameBytes, false);
  assert.equal(a.dll.to?.version, "1.0.1.0", "identity read from the DLL");
  assert.deepEqual(a.dll.to?.types, TYPES_101);
  assert.deepEqual(
    r.steps.map((s) => [s.id, s.change, s.secureConfiguration]),
    [
      [STEP_PRECREATE, "unchanged", false],
      [STEP_POSTUPDATE, "unchanged", false],
      [STEP_CONTACT, "unchanged", false],
    ],
  );
  assert.deepEqual(r.solution.version, { installed: "1.0.0.0", incoming: "1.0.1.0", comparison: "higher", advice: null });
  assert.equal(r.solution.removedComponents, "deleted");
});

test("major bump without re-pointing: new-assembly, the steps still on 1.0 need re-pointing (attention)", async () => {
  // What the Plug-in Registration Tool leaves after registering 2.0.0.0: both assemblies in the solution,
  // the steps still on the 1.0 types.
  const incoming = baseSolution({ version: "1.1.0.0", assemblies: [sampleAssembly("1.0.0.0"), sampleAssembly("2.0.0.0")], steps: sampleSteps("1.0.0.0") });
  const r = await run(baseSolution(), incoming);
  assert.equal(r.verdict, "attention");
  assert.deepEqual(asm(r), ["Contoso.Plugins 1.0.0.0 -> 1.0.0.0: unchanged", "Contoso.Plugins 1.0.0.0 -> 2.0.0.0: new-assembly"]);
  const na = r.assemblies[1]!;
  assert.equal(na.versionChange, "major");
  assert.equal(na.oldAssembly, "kept");
  assert.equal(na.fromId, ASM_ID);
  assert.equal(na.toId, ASM_ID_V2);
  assert.deepEqual(
    na.stepsToRepoint.map((s) => [s.id, s.reason, s.type]),
    [
      [STEP_POSTUPDATE, "still-bound", "Contoso.Plugins.AccountPostUpdate"],
      [STEP_PRECREATE, "still-bound", "Contoso.Plugins.AccountPreCreate"],
      [STEP_CONTACT, "still-bound", "Contoso.Plugins.ContactPreUpdate"],
    ],
  );
  assert.deepEqual(
    r.steps.map((s) => s.change),
    ["needs-repoint", "needs-repoint", "needs-repoint"],
  );
  assert.deepEqual(codes(r), ["IMPACT_ASSEMBLY_NEW_VERSION", "IMPACT_STEP_NEEDS_REPOINT", "IMPACT_STEP_NEEDS_REPOINT", "IMPACT_STEP_NEEDS_REPOINT"]);
});

test("major bump that drops the old assembly without re-pointing: the steps' types are gone (blocked)", async () => {
  const incoming = baseSolution({ version: "1.1.0.0", assemblies: [sampleAssembly("2.0.0.0")], steps: sampleSteps("1.0.0.0") });
  const r = await run(baseSolution(), incoming);
  assert.equal(r.verdict, "blocked");
  assert.deepEqual(asm(r), ["Contoso.Plugins 1.0.0.0 -> 2.0.0.0: new-assembly"]);
  assert.equal(r.assemblies[0]!.oldAssembly, "deleted");
  assert.equal(r.assemblies[0]!.stepsToRepoint.length, 3);
  assert.deepEqual(codes(r, "error"), ["IMPACT_STEP_TYPE_MISSING", "IMPACT_STEP_TYPE_MISSING", "IMPACT_STEP_TYPE_MISSING"]);
  assert.deepEqual(r.steps.map((s) => s.change), ["needs-repoint", "needs-repoint", "needs-repoint"]);
});

test("major bump with re-pointed steps: steps move to 2.0, the old assembly is deleted (attention: secure configuration)", async () => {
  const incoming = baseSolution({ version: "2.0.0.0" }, "2.0.0.0");
  const r = await run(baseSolution(), incoming);
  assert.equal(r.verdict, "attention");
  assert.deepEqual(asm(r), ["Contoso.Plugins 1.0.0.0 -> 2.0.0.0: new-assembly"]);
  const a = r.assemblies[0]!;
  assert.equal(a.oldAssembly, "deleted");
  assert.deepEqual(a.stepsToRepoint, []);
  assert.deepEqual(a.typesAdded, ["Contoso.Plugins.ContactPostCreate"]);
  for (const s of r.steps) {
    assert.equal(s.change, "moved", s.id);
    assert.equal(s.secureConfiguration, true);
    assert.equal(s.fields[0]!.field, "handler");
    assert.match(s.fields[0]!.from!, /\(Contoso\.Plugins 1\.0\.0\.0\)$/);
    assert.match(s.fields[0]!.to!, /\(Contoso\.Plugins 2\.0\.0\.0\)$/);
  }
  assert.deepEqual(codes(r), ["IMPACT_ASSEMBLY_NEW_VERSION", "IMPACT_SECURE_CONFIG", "IMPACT_SECURE_CONFIG", "IMPACT_SECURE_CONFIG"]);
});

test("removed type that an installed step still uses: blocked (pain #1)", async () => {
  // 1.0.1.0 drops ContactPreUpdate, but the incoming solution keeps its step.
  const types = TYPES_101.filter((t) => t !== "Contoso.Plugins.ContactPreUpdate");
  const incoming = baseSolution({ version: "1.0.1.0", assemblies: [sampleAssembly("1.0.1.0", { types })] }, "1.0.1.0");
  const r = await run(baseSolution(), incoming);
  assert.equal(r.verdict, "blocked");
  assert.deepEqual(asm(r), ["Contoso.Plugins 1.0.0.0 -> 1.0.1.0: in-place-upgrade"]);
  assert.deepEqual(r.assemblies[0]!.typesRemoved, ["Contoso.Plugins.ContactPreUpdate"]);
  assert.deepEqual(codes(r), ["IMPACT_TYPE_REMOVED_IN_USE"]);
  assert.equal(r.reasons[0]!.args.stepId, STEP_CONTACT);
  assert.match(formatImpact(r, "text"), /Plug-in assembly does not contain the required types/);
});

test("removed type whose step the upgrade deletes: attention, the step is deleted", async () => {
  const types = TYPES_101.filter((t) => t !== "Contoso.Plugins.ContactPreUpdate");
  const incoming = baseSolution({ version: "1.0.1.0", assemblies: [sampleAssembly("1.0.1.0", { types })], steps: sampleSteps("1.0.1.0").filter((s) => s.id !== STEP_CONTACT) }, "1.0.1.0");
  const r = await run(baseSolution(), incoming);
  assert.equal(r.verdict, "attention");
  assert.deepEqual(codes(r), ["IMPACT_TYPE_REMOVED", "IMPACT_STEP_REMOVED"]);
  assert.equal(step(r, STEP_CONTACT).change, "removed");
  assert.equal(step(r, STEP_CONTACT).fate, "deleted");

  // The same in update mode: nothing deletes the step, so the type stays in use.
  const u = await run(baseSolution(), incoming, { mode: "update" });
  assert.equal(u.verdict, "blocked");
  assert.deepEqual(codes(u), ["IMPACT_TYPE_REMOVED_IN_USE", "IMPACT_STEP_LEFT_BEHIND"]);
  assert.equal(u.reasons[0]!.args.how, "left-behind");
});

test("lower solution version over a managed install: blocked, says which part to raise", async () => {
  const r = await run(baseSolution({ version: "1.0.0.10" }), baseSolution({ version: "1.0.0.9" }));
  assert.equal(r.verdict, "blocked");
  assert.deepEqual(codes(r), ["IMPACT_VERSION_NOT_HIGHER"]);
  assert.deepEqual(r.solution.version, { installed: "1.0.0.10", incoming: "1.0.0.9", comparison: "lower", advice: { part: "build", conventional: "1.0.1.0", minimal: "1.0.0.11" } });
  assert.match(formatImpact(r, "text"), /raise build: 1\.0\.0\.10 -> 1\.0\.1\.0 or at least 1\.0\.0\.11/);
  // The same version is refused by an upgrade and by stage for upgrade, accepted by update.
  assert.deepEqual(codes(await run(baseSolution(), baseSolution()), "error"), ["IMPACT_VERSION_NOT_HIGHER"]);
  assert.deepEqual(codes(await run(baseSolution(), baseSolution(), { mode: "stage" }), "error"), ["IMPACT_VERSION_NOT_HIGHER"]);
  const upd = await run(baseSolution(), baseSolution(), { mode: "update" });
  assert.equal(upd.verdict, "safe");
  assert.deepEqual(codes(upd), ["IMPACT_VERSION_SAME"]);
});

test("version advice for 2-, 3- and 4-part versions", () => {
  assert.deepEqual(versionAdvice("1.0.0.10"), { part: "build", conventional: "1.0.1.0", minimal: "1.0.0.11" });
  assert.deepEqual(versionAdvice("1.4.2"), { part: "build", conventional: "1.4.3", minimal: "1.4.3" });
  assert.deepEqual(versionAdvice("1.1"), { part: "minor", conventional: "1.2", minimal: "1.2" });
});

test("other publisher: blocked", async () => {
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", publisher: "fabrikam" }));
  assert.equal(r.verdict, "blocked");
  assert.deepEqual(codes(r), ["IMPACT_PUBLISHER_MISMATCH"]);
  assert.deepEqual(r.solution.publisher, { installed: "contoso", incoming: "fabrikam", match: false });
});

test("other unique name: blocked", async () => {
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", uniqueName: "ContosoCore" }));
  assert.equal(r.verdict, "blocked");
  assert.deepEqual(codes(r), ["IMPACT_SOLUTION_NAME_MISMATCH"]);
  assert.equal(r.solution.uniqueName.match, false);
});

test("managed over unmanaged and unmanaged over managed: blocked", async () => {
  const a = await run(baseSolution({ managed: 0 }), baseSolution({ version: "1.1.0.0", managed: 1 }));
  assert.equal(a.verdict, "blocked");
  assert.deepEqual(codes(a, "error"), ["IMPACT_MANAGED_MISMATCH"]);
  const b = await run(baseSolution({ managed: 1 }), baseSolution({ version: "1.1.0.0", managed: 0 }));
  assert.equal(b.verdict, "blocked");
  assert.deepEqual(codes(b), ["IMPACT_MANAGED_MISMATCH", "IMPACT_UNMANAGED_IMPORT"]);
  assert.equal(b.solution.effectiveMode, "unmanaged");
});

test("update mode leaves removed steps behind (attention); upgrade deletes them; stage deletes them on apply", async () => {
  const incoming = baseSolution({ version: "1.1.0.0", steps: sampleSteps("1.0.0.0").filter((s) => s.id !== STEP_POSTUPDATE) });
  const u = await run(baseSolution(), incoming, { mode: "update" });
  assert.equal(u.verdict, "attention");
  assert.deepEqual(codes(u), ["IMPACT_STEP_LEFT_BEHIND"]);
  assert.deepEqual([step(u, STEP_POSTUPDATE).change, step(u, STEP_POSTUPDATE).fate], ["removed", "left-behind"]);
  assert.equal(u.solution.removedComponents, "left-behind");

  const g = await run(baseSolution(), incoming);
  assert.equal(g.verdict, "safe");
  assert.deepEqual(codes(g), ["IMPACT_STEP_REMOVED"]);
  assert.equal(step(g, STEP_POSTUPDATE).fate, "deleted");
  assert.deepEqual(step(g, STEP_POSTUPDATE).images.map((i) => [i.alias, i.change]), [["pre", "removed"]]);

  const s = await run(baseSolution(), incoming, { mode: "stage" });
  assert.equal(s.verdict, "safe");
  assert.deepEqual(codes(s), ["IMPACT_STAGE_HOLDING", "IMPACT_STEP_REMOVED"]);
  assert.equal(s.solution.holdingSolution, "ContosoPlugins_Upgrade");
  assert.equal(step(s, STEP_POSTUPDATE).fate, "deleted-on-apply");
});

test("a new missing dependency: attention; one the installed version declared too: information", async () => {
  const dep = { required: { type: "1", schemaName: "msdyn_customerasset", displayName: "Customer Asset", solution: "msdyn_FieldService (8.8.0.0)" }, dependent: { type: "92", id: `{${STEP_PRECREATE}}`, displayName: "step" } };
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", missing: [dep] }));
  assert.equal(r.verdict, "attention");
  assert.deepEqual(codes(r), ["IMPACT_MISSING_DEPENDENCY"]);
  assert.equal(r.missingDependencies.length, 1);
  assert.equal(r.missingDependencies[0]!.new, true);
  const known = await run(baseSolution({ missing: [dep] }), baseSolution({ version: "1.1.0.0", missing: [dep] }));
  assert.equal(known.verdict, "safe");
  assert.deepEqual(codes(known), ["IMPACT_MISSING_DEPENDENCY_KNOWN"]);
});

test("step field changes: message, stage, rank, filtering, configuration, images, state, impersonation, description", async () => {
  const steps = sampleSteps("1.0.0.0");
  const changed = steps.map((s) =>
    s.id === STEP_POSTUPDATE
      ? { ...s, rank: 5, filtering: ["telephone1", "name", "fax"], config: "<cfg/>", images: [{ alias: "pre", type: 0 as const, attributes: ["name"] }, { alias: "post", type: 1 as const }], state: 1 as const, impersonate: "Integration User", description: "new text" }
      : s.id === STEP_CONTACT
        ? { ...s, stage: 40, mode: 1 }
        : s,
  );
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", steps: changed }));
  const p = step(r, STEP_POSTUPDATE);
  assert.equal(p.change, "changed");
  assert.deepEqual(p.fields, [
    { field: "rank", from: "1", to: "5" },
    { field: "filteringAttributes", from: "name,telephone1", to: "fax,name,telephone1" },
    { field: "configuration", from: null, to: "<cfg/>" },
    { field: "enabled", from: "enabled", to: "disabled" },
    { field: "impersonation", from: null, to: "Integration User" },
    { field: "description", from: "Contoso.Plugins.AccountPostUpdate: Update of account", to: "new text" },
    { field: "image post", from: null, to: "post: (all columns) [Target]" },
    { field: "image pre.attributes", from: "name,telephone1", to: "name" },
  ]);
  assert.deepEqual(p.images.map((i) => [i.alias, i.change]), [["post", "added"], ["pre", "changed"]]);
  assert.equal(p.enabled, false);
  const c = step(r, STEP_CONTACT);
  assert.deepEqual(c.fields, [
    { field: "stage", from: "PreOperation (20)", to: "PostOperation (40)" },
    { field: "mode", from: "sync (0)", to: "async (1)" },
  ]);
  assert.equal(step(r, STEP_PRECREATE).change, "unchanged");
  assert.equal(r.verdict, "attention");
  assert.deepEqual(codes(r), ["IMPACT_STEP_DISABLED", "IMPACT_STEP_IMPERSONATION"]);
});

test("service endpoints: added (secret to set), changed, removed; steps on them", async () => {
  const ep = { id: ENDPOINT_ID, name: "orders queue", contract: 6, path: "orders" };
  const epStep = { id: "44444444-2b26-ee11-9966-00224823910f", name: "orders queue: Create of salesorder", endpoint: ENDPOINT_ID, message: "Create" as const, entity: "salesorder", stage: 40, mode: 1 };
  const added = await run(baseSolution(), baseSolution({ version: "1.1.0.0", endpoints: [ep], steps: [...sampleSteps("1.0.0.0"), epStep] }));
  assert.equal(added.verdict, "attention");
  assert.deepEqual(codes(added), ["IMPACT_ENDPOINT_SECRET"], "an endpoint step needs no secure configuration");
  assert.deepEqual(added.endpoints.map((e) => [e.name, e.change, e.secretToSet]), [["orders queue", "added", true]]);
  assert.equal(step(added, epStep.id).to?.kind, "endpoint");
  assert.equal(step(added, epStep.id).to?.endpointName, "orders queue");

  const withEp = baseSolution({ endpoints: [ep], steps: [...sampleSteps("1.0.0.0"), epStep] });
  const changed = await run(withEp, baseSolution({ version: "1.1.0.0", endpoints: [{ ...ep, path: "orders-v2", messageFormat: 3 }], steps: [...sampleSteps("1.0.0.0"), epStep] }));
  assert.deepEqual(changed.endpoints[0]!.fields, [
    { field: "path", from: "orders", to: "orders-v2" },
    { field: "messageFormat", from: "JSON (2)", to: "TextXML (3)" },
  ]);
  assert.deepEqual(codes(changed), ["IMPACT_ENDPOINT_SECRET"]);

  // The endpoint leaves but its step stays: the step's endpoint is missing (blocked).
  const gone = await run(withEp, baseSolution({ version: "1.1.0.0", steps: [...sampleSteps("1.0.0.0"), epStep] }));
  assert.equal(gone.verdict, "blocked");
  assert.deepEqual(codes(gone), ["IMPACT_STEP_ENDPOINT_MISSING", "IMPACT_ENDPOINT_REMOVED"]);
});

test("same assembly version with different bytes: content-changed (attention)", async () => {
  const bumped = sampleAssembly("1.0.0.0", { dll: Buffer.concat([sampleDll("1.0.0.0"), Buffer.from([0])]) });
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", assemblies: [bumped] }));
  assert.deepEqual(asm(r), ["Contoso.Plugins 1.0.0.0 -> 1.0.0.0: content-changed"]);
  assert.equal(r.assemblies[0]!.dll.sameBytes, false);
  assert.deepEqual(codes(r), ["IMPACT_ASSEMBLY_CONTENT_CHANGED"]);
  const same = await run(baseSolution(), baseSolution({ version: "1.1.0.0" }));
  assert.deepEqual(asm(same), ["Contoso.Plugins 1.0.0.0 -> 1.0.0.0: unchanged"]);
  assert.equal(same.assemblies[0]!.dll.sameBytes, true);
});

test("assembly downgrade, added and removed assemblies", async () => {
  const down = await run(baseSolution({}, "1.0.1.0"), baseSolution({ version: "1.1.0.0" }, "1.0.0.0"));
  assert.deepEqual(asm(down), ["Contoso.Plugins 1.0.1.0 -> 1.0.0.0: downgrade"]);
  assert.ok(codes(down).includes("IMPACT_ASSEMBLY_DOWNGRADE"));
  const other = { name: "Fabrikam.Plugins", version: "1.0.0.0", id: "5c6d7e8f-0a1b-4c2d-8e3f-4a5b6c7d8e9f", types: ["Fabrikam.Plugins.Audit"] };
  const added = await run(baseSolution(), baseSolution({ version: "1.1.0.0", assemblies: [sampleAssembly("1.0.0.0"), other] }));
  assert.deepEqual(asm(added), ["Contoso.Plugins 1.0.0.0 -> 1.0.0.0: unchanged", "Fabrikam.Plugins - -> 1.0.0.0: added"]);
  assert.equal(added.verdict, "safe");
  const removed = await run(baseSolution({ assemblies: [sampleAssembly("1.0.0.0"), other] }), baseSolution({ version: "1.1.0.0" }));
  assert.deepEqual(asm(removed), ["Contoso.Plugins 1.0.0.0 -> 1.0.0.0: unchanged", "Fabrikam.Plugins 1.0.0.0 -> -: removed"]);
  assert.deepEqual(codes(removed), ["IMPACT_ASSEMBLY_REMOVED"]);
  assert.equal(removed.assemblies[1]!.oldAssembly, "deleted");
});

test("a new step is flagged for secure configuration; a step whose type is missing blocks", async () => {
  const newStep = { id: "55555555-2726-ee11-9966-00224823910f", type: "Contoso.Plugins.AccountPreCreate", assembly: "Contoso.Plugins", version: "1.0.0.0", message: "Create" as const, entity: "lead", stage: 20 };
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", steps: [...sampleSteps("1.0.0.0"), newStep] }));
  assert.equal(r.verdict, "attention");
  assert.deepEqual(codes(r), ["IMPACT_SECURE_CONFIG"]);
  assert.deepEqual([step(r, newStep.id).change, step(r, newStep.id).secureConfiguration], ["added", true]);

  const ghost = { ...newStep, type: "Contoso.Plugins.Ghost" };
  const b = await run(baseSolution(), baseSolution({ version: "1.1.0.0", steps: [...sampleSteps("1.0.0.0"), ghost] }));
  assert.equal(b.verdict, "blocked");
  assert.deepEqual(codes(b, "error"), ["IMPACT_STEP_TYPE_MISSING"]);
  // Declared as a missing dependency: the author knows it comes from elsewhere.
  const dep = { required: { type: "90", schemaName: "Contoso.Plugins.Ghost", displayName: "Ghost", solution: "ContosoCore (1.0.0.0)" }, dependent: { type: "92", id: `{${ghost.id}}` } };
  const d = await run(baseSolution(), baseSolution({ version: "1.1.0.0", steps: [...sampleSteps("1.0.0.0"), ghost], missing: [dep] }));
  assert.deepEqual(codes(d, "error"), []);
  assert.equal(d.verdict, "attention");
});

test("unmanaged import: modes do not apply, removed steps stay, a re-created step runs twice", async () => {
  const recreated = { ...sampleSteps("1.0.0.0")[0]!, id: "66666666-2726-ee11-9966-00224823910f" };
  const incoming = baseSolution({ version: "1.1.0.0", managed: 0, steps: [recreated, ...sampleSteps("1.0.0.0").slice(1)] });
  const r = await run(baseSolution({ managed: 0 }), incoming, { mode: "upgrade" });
  assert.equal(r.solution.effectiveMode, "unmanaged");
  assert.equal(r.verdict, "attention");
  assert.deepEqual(codes(r), ["IMPACT_STEP_LEFT_BEHIND", "IMPACT_SECURE_CONFIG", "IMPACT_STEP_DUPLICATE", "IMPACT_UNMANAGED_IMPORT"]);
});

test("assessImpact is pure and deterministic: same inputs, byte-identical reports in every format", async () => {
  const p = writePair(baseSolution(), baseSolution({ version: "2.0.0.0" }, "2.0.0.0"));
  try {
    const a = await loadSolution(p.installed);
    const b = await loadSolution(p.incoming);
    const r1 = assessImpact(a, b, { mode: "upgrade" });
    // Reversed component order in the models changes nothing.
    a.steps.reverse();
    b.assemblies.reverse();
    b.steps.reverse();
    const r2 = assessImpact(a, b, { mode: "upgrade" });
    for (const f of ["text", "markdown", "json", "html"] as const) assert.equal(formatImpact(r1, f), formatImpact(r2, f), f);
    assert.equal(JSON.stringify(r1), JSON.stringify(r2));
    await a.source.close();
    await b.source.close();
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
});

test("dvsol.config.json settings change the reasons and so the verdict", async () => {
  const newStep = { id: "55555555-2726-ee11-9966-00224823910f", type: "Contoso.Plugins.AccountPreCreate", assembly: "Contoso.Plugins", version: "1.0.0.0", message: "Create" as const, entity: "lead", stage: 20 };
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", steps: [...sampleSteps("1.0.0.0"), newStep] }), {
    config: { path: null, rules: { IMPACT_SECURE_CONFIG: [{ severity: "off" }] } },
  });
  assert.equal(r.verdict, "safe");
  assert.deepEqual(codes(r), []);
});

test("check findings of the incoming solution, and those new since the installed one, join the report", async () => {
  // An asynchronous step in PreOperation is a registration error `dvsol check` reports.
  const bad = sampleSteps("1.0.0.0").map((s) => (s.id === STEP_CONTACT ? { ...s, mode: 1 } : s));
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", steps: bad }), { check: true });
  assert.ok(r.findings.incoming.length >= 1);
  assert.ok(r.findings.new.length >= 1);
  assert.ok(r.findings.new.every((f) => r.findings.incoming.includes(f)));
  assert.ok(r.findings.new.some((f) => f.component?.id === STEP_CONTACT), JSON.stringify(r.findings.new));
  assert.ok(codes(r).includes("IMPACT_NEW_CHECK_FINDINGS"));
  assert.equal(r.summary.findings.new, r.findings.new.length);
  // The same findings on both sides are not new.
  const same = await run(baseSolution({ steps: bad }), baseSolution({ version: "1.1.0.0", steps: bad }), { check: true });
  assert.ok(same.findings.incoming.length >= 1);
  assert.deepEqual(same.findings.new, []);
  assert.ok(!codes(same).includes("IMPACT_NEW_CHECK_FINDINGS"));
});

test("a step whose PluginTypeId is not its type's id but whose PluginTypeName matches runs that type (as in msdyn_URSUpgradeScripts)", async () => {
  const steps = sampleSteps("1.0.0.0").map((s) => (s.id === STEP_PRECREATE ? { ...s, typeId: "4aaa6515-d36c-48b5-9a08-ad644544559d" } : s));
  const r = await run(baseSolution({ steps }), baseSolution({ version: "1.1.0.0", steps }));
  assert.equal(r.verdict, "safe");
  assert.deepEqual(codes(r), []);
  assert.equal(step(r, STEP_PRECREATE).to?.type, "Contoso.Plugins.AccountPreCreate");
});

test("an image the new version of a step drops: deleted by an upgrade, kept by update mode", async () => {
  const noImage = sampleSteps("1.0.0.0").map((s) => (s.id === STEP_POSTUPDATE ? { ...s, images: [] } : s));
  const r = await run(baseSolution(), baseSolution({ version: "1.1.0.0", steps: noImage }));
  assert.equal(r.verdict, "safe");
  assert.deepEqual(codes(r), ["IMPACT_IMAGE_REMOVED"]);
  assert.equal(r.reasons[0]!.args.fate, "deleted");
  assert.deepEqual(step(r, STEP_POSTUPDATE).images.map((i) => [i.alias, i.change]), [["pre", "removed"]]);
  assert.equal(step(r, STEP_POSTUPDATE).change, "changed");
  const u = await run(baseSolution(), baseSolution({ version: "1.1.0.0", steps: noImage }), { mode: "update" });
  assert.equal(u.reasons[0]!.args.fate, "left-behind");
});
