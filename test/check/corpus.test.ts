/**
 * `dvsol check` over every real solution of ../shared/corpus: no crash, every code in the catalogue,
 * every finding located; the findings judged real in the review are pinned, so a false positive
 * that creeps in (or a real finding that disappears) fails here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSolution } from "../../src/model/read.js";
import { checkSolution, type CheckResult } from "../../src/check/index.js";
import { MESSAGES, messageFromStepName } from "../../src/check/messages.js";
import { allFindingCodes, findingMessage } from "../../src/findings/catalog.js";
import { corpusManifest, corpusPath, corpusSkip, dvsol } from "../helpers.js";
import { sarifProblems } from "./sarif-shape.js";

const rows = corpusManifest().filter((r) => r.kind !== "pair");

async function checkAll(): Promise<Map<string, CheckResult>> {
  const out = new Map<string, CheckResult>();
  for (const r of rows) {
    const sol = await loadSolution(corpusPath(r.local_path));
    try {
      out.set(r.local_path, await checkSolution(sol));
    } finally {
      await sol.source.close();
    }
  }
  return out;
}

let cached: Promise<Map<string, CheckResult>> | undefined;
const results = () => (cached ??= checkAll());

test("every corpus solution checks without error; every finding is catalogued, worded and located", { skip: corpusSkip }, async () => {
  const all = await results();
  const known = new Set(allFindingCodes());
  assert.equal(all.size, rows.length);
  for (const [p, r] of all) {
    for (const f of r.findings) {
      assert.ok(known.has(f.code), `${p}: ${f.code} is in the catalogue`);
      assert.ok(findingMessage(f).length > 10, `${p}: ${f.code} has a message`);
      assert.ok(f.component && f.location?.entry && typeof f.location.line === "number", `${p}: ${f.code} is located`);
    }
    assert.deepEqual(r.summary, {
      error: r.findings.filter((f) => f.severity === "error").length,
      warning: r.findings.filter((f) => f.severity === "warning").length,
      info: r.findings.filter((f) => f.severity === "info").length,
    });
  }
});

test("errors on real solutions are only the DLL/XML identity mismatches of the repacked FastTrack zips", { skip: corpusSkip }, async () => {
  const errors: string[] = [];
  for (const [p, r] of await results()) for (const f of r.findings) if (f.severity === "error") errors.push(`${p.split("/").pop()} ${f.code} ${f.args.field}`);
  assert.deepEqual([...new Set(errors)].sort(), [
    "P2CFieldService.zip ASSEMBLY_IDENTITY_MISMATCH public key token",
    "P2CFieldService.zip ASSEMBLY_IDENTITY_MISMATCH version",
    "P2CFieldService_managed.zip ASSEMBLY_IDENTITY_MISMATCH public key token",
    "P2CFieldService_managed.zip ASSEMBLY_IDENTITY_MISMATCH version",
    "msdyn_ServiceUniversalScheduling.zip ASSEMBLY_IDENTITY_MISMATCH version",
    "msdyn_ServiceUniversalScheduling_managed.zip ASSEMBLY_IDENTITY_MISMATCH version",
  ]);
});

test("known shapes of real exports raise no finding (former false-positive risks)", { skip: corpusSkip }, async () => {
  const all = await results();
  const codesOf = (suffix: string) => [...all].filter(([p]) => p.endsWith(suffix)).flatMap(([, r]) => r.findings.map((f) => f.code));
  const everywhere = [...all.values()].flatMap((r) => r.findings.map((f) => f.code));
  // Steps of Microsoft.Crm.ServiceBus endpoints, old exports without ids, steps without Description,
  // workflow activities registered under display names: no dangling-reference or type findings.
  for (const c of ["STEP_TYPE_MISSING", "STEP_ENDPOINT_MISSING", "ROOT_WITHOUT_COMPONENT", "COMPONENT_WITHOUT_ROOT", "ASSEMBLY_TYPE_NOT_IN_DLL", "ASSEMBLY_VERSION_MISMATCH", "STEP_NO_MESSAGE"]) {
    assert.ok(!everywhere.includes(c), `${c} on a real solution`);
  }
  // VendorIntegration registers its Create-of-systemuser step asynchronously, as the rule asks.
  assert.deepEqual(codesOf("VendorIntegration_1_1_0_0.zip"), []);
  // The Education accelerator's custom API step (empty SdkMessageId, SdkMessageName mshied_Clone) is fine.
  assert.ok(!codesOf("EducationCoreBusinessLogic_managed.zip").some((c) => /^STEP_(NO_|FILTER)|^IMAGE_UNSUPPORTED/.test(c)));
  // Real findings that must stay found.
  assert.ok(codesOf("RegisterServiceEndpointsSolution").includes("SECRET_IN_ENDPOINT"));
  assert.equal(codesOf("CRMP2C.zip").filter((c) => c === "STEP_OUTLOOK_OFFLINE").length, 16);
  assert.equal(codesOf("EducationCoreBusinessLogic_managed.zip").filter((c) => c === "STEP_SAME_RANK").length, 4);
  assert.ok(codesOf("msdyn_URSUpgradeScripts.zip").includes("ASSEMBLY_NOT_SANDBOXED"));
});

test("the message catalogue lists only ids seen in the corpus, and the steps' names agree with them", { skip: corpusSkip }, async () => {
  const seen = new Map<string, Set<string>>();
  for (const r of rows) {
    const sol = await loadSolution(corpusPath(r.local_path));
    try {
      for (const s of sol.steps) {
        if (!s.messageId) continue;
        const named = messageFromStepName(s.name) ?? messageFromStepName(s.description) ?? (/RetrieveMultiple/.test(s.description ?? "") ? "RetrieveMultiple" : null);
        if (!seen.has(s.messageId)) seen.set(s.messageId, new Set());
        if (named) seen.get(s.messageId)!.add(named);
      }
    } finally {
      await sol.source.close();
    }
  }
  for (const m of MESSAGES.filter((x) => x.id)) {
    assert.ok(seen.has(m.id!), `${m.name} ${m.id} is used by a corpus step`);
    assert.deepEqual([...seen.get(m.id!)!], [m.name], `corpus steps with ${m.id} are named for ${m.name}`);
  }
});

test("SARIF for a real zip and a real folder passes the structural check", { skip: corpusSkip }, () => {
  for (const p of [
    "microsoft__Industry-Accelerator-Education/solutions/EducationCoreBusinessLogic_managed.zip",
    "CSE-Neutrino__dataverse-serviceendpoint-sample/deployment/solutions/RegisterServiceEndpointsSolution",
  ]) {
    const r = dvsol(["check", corpusPath(p), "--format", "sarif", "--fail-on", "never"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sarifProblems(JSON.parse(r.stdout)), [], p);
  }
});
