/**
 * Every `pair` row of ../shared/corpus/MANIFEST.tsv gets an impact report. The expected verdict and
 * assembly classification of each pair were worked out by reading both solutions (dvsol inspect, unzip,
 * and sha256sum of the DLLs) before running the planner; each entry says why.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CORPUS, corpusManifest, corpusPath, corpusSkip } from "../helpers.js";
import { impact, formatImpact, type ImpactReport } from "../../src/impact/index.js";

interface Expected {
  verdict: ImpactReport["verdict"];
  /** "name from -> to: change" per assembly. */
  assemblies: string[];
  /** Step changes, counted. */
  steps?: Partial<Record<string, number>>;
  endpoints?: Partial<Record<string, number>>;
  /** Codes of the error and warning reasons (sorted). */
  act: string[];
  why: string;
}

/** Keyed by the file name pair (old => new) of the row's local_path. */
const EXPECTED: Record<string, Expected> = {
  "StartMenu_1_1_managed.zip => StartMenu_1_2_managed.zip": {
    verdict: "attention",
    assemblies: ["QuickNavigation.Plugins 1.0.0.0 -> 1.0.0.0: content-changed"],
    steps: { unchanged: 1 },
    act: ["IMPACT_ASSEMBLY_CONTENT_CHANGED"],
    why: "Managed 1.1 -> 1.2 (higher). The assembly keeps 1.0.0.0 but its DLL differs (sha256 f2dc516f... vs 603bfbb9...). The one step (3702e8f1) is identical. Both declare the same two missing dependencies (known).",
  },
  "StartMenu_1_2_managed.zip => StartMenu_1_3_managed.zip": {
    verdict: "attention",
    assemblies: ["QuickNavigation.Plugins 1.0.0.0 -> 1.0.0.0: content-changed"],
    steps: { removed: 1 },
    act: ["IMPACT_ASSEMBLY_CONTENT_CHANGED"],
    why: "1.3 drops the step 3702e8f1: the upgrade deletes it (information). The DLL changes again under 1.0.0.0 (603bfbb9... -> 4e5eea24...).",
  },
  "StartMenu_1_3_managed.zip => StartMenu_1_4_managed.zip": {
    verdict: "attention",
    assemblies: ["QuickNavigation.Plugins 1.0.0.0 -> 1.0.0.0: unchanged"],
    steps: { added: 1 },
    act: ["IMPACT_SECURE_CONFIG"],
    why: "Same DLL bytes (4e5eea24... both). The step 3702e8f1 comes back: a new step for the environment, so its secure configuration (if any) must be set again.",
  },
  "EducationCoreBusinessLogic_managed.zip@53392ae7 => EducationCoreBusinessLogic_managed.zip": {
    verdict: "blocked",
    assemblies: ["Microsoft.Education.Core.Plugins 1.0.0.0 -> 1.0.0.0: content-changed"],
    steps: { unchanged: 7 },
    act: ["IMPACT_ASSEMBLY_CONTENT_CHANGED", "IMPACT_VERSION_NOT_HIGHER"],
    why: "Both are managed 5.0.3.0: an upgrade of the same version is refused. The DLL differs (aba7bf4f... vs 10693315...) under 1.0.0.0; the seven steps and their images are identical; the 17 missing dependencies are the same on both sides.",
  },
  "PL400Demos_1_0_22_0.zip => PL400Demos_1_0_23_0.zip": {
    verdict: "attention",
    assemblies: ["DemoPlugin 1.0.0.0 -> 1.0.0.0: unchanged"],
    steps: { added: 1, unchanged: 1 },
    endpoints: { added: 1 },
    act: ["IMPACT_ENDPOINT_SECRET"],
    why: "Unmanaged 1.0.22 -> 1.0.23, same DemoPlugin DLL (49f0006c...). Adds the Service Bus queue endpoint b414f7f8 (AuthType 2: its SAS key is not exported) and the async step 8f5eab6a that posts to it (an endpoint step has no secure configuration).",
  },
  "PL400Demos_1_0_23_0.zip => PL400Demos_1_0_24_0.zip": {
    verdict: "safe",
    assemblies: ["DemoPlugin 1.0.0.0 -> 1.0.0.0: unchanged"],
    steps: { unchanged: 2 },
    endpoints: { unchanged: 1 },
    act: [],
    why: "1.0.24 adds components that are not plug-ins; the assembly (same bytes), both steps and the endpoint are identical.",
  },
  "PermitManagement_1_0_0_10.zip@d5876d70 => PermitManagement_1_0_0_10.zip@39f9a73a": {
    verdict: "attention",
    assemblies: ["ContosoPackageProject 1.0.0.0 -> 1.0.0.0: content-changed"],
    steps: { added: 1, removed: 1 },
    act: ["IMPACT_ASSEMBLY_CONTENT_CHANGED", "IMPACT_ASSEMBLY_ID_CHANGED", "IMPACT_SECURE_CONFIG", "IMPACT_STEP_DUPLICATE", "IMPACT_STEP_LEFT_BEHIND"],
    why: "The same unmanaged 1.0.0.10 exported from two lab environments: the assembly was registered anew (id 770b2903 -> 46024254, new type ids, different DLL), and the PreOperation Create step of contoso_permit was re-created (3ad74844 -> 7dfee87a). An unmanaged import deletes nothing: the old step stays and runs next to the new one.",
  },
  "PermitManagement_1_0_0_5.zip@3fde006b => PermitManagement_1_0_0_10.zip@39f9a73a": {
    verdict: "attention",
    assemblies: ["ContosoPackageProject 1.0.0.0 -> 1.0.0.0: content-changed"],
    steps: { added: 1, removed: 2 },
    act: ["IMPACT_ASSEMBLY_CONTENT_CHANGED", "IMPACT_ASSEMBLY_ID_CHANGED", "IMPACT_SECURE_CONFIG", "IMPACT_STEP_DUPLICATE", "IMPACT_STEP_LEFT_BEHIND", "IMPACT_STEP_LEFT_BEHIND"],
    why: "Unmanaged 1.0.0.5 (2020) -> 1.0.0.10 (2023): assembly re-registered (bd7f1a29 -> 46024254), both old steps (7113b6f1 contoso_LockPermit, a47713ed Create) are gone from the new version but stay (unmanaged), and a47713ed duplicates the new Create step 7dfee87a.",
  },
  "PermitManagement_1_0_0_5_managed.zip@3fde006b => PermitManagement_1_0_0_11_managed.zip@39f9a73a": {
    verdict: "attention",
    assemblies: ["ContosoPackageProject 1.0.0.0 -> 1.0.0.0: content-changed"],
    steps: { added: 1, removed: 2 },
    act: ["IMPACT_ASSEMBLY_CONTENT_CHANGED", "IMPACT_ASSEMBLY_ID_CHANGED", "IMPACT_SECURE_CONFIG"],
    why: "The managed counterpart: the upgrade (1.0.0.5 -> 1.0.0.11, higher) deletes the two old steps, so nothing is left behind; the re-registered assembly and the new step remain to check.",
  },
  "KaskelasWorkflowElementsforDynamics365CE_3_2_0_0 - Managed.zip@977e45c4 => KaskelasWorkflowElementsforDynamics365CE_3_2_1_0 - Managed.zip": {
    verdict: "safe",
    assemblies: ["Kaskela.WorkflowElements.CE 3.2.0.0 -> 3.2.1.0: in-place-upgrade"],
    act: [],
    why: "Managed 3.2.0.0 -> 3.2.1.0; the assembly keeps its id and goes 3.2.0.0 -> 3.2.1.0 (build): an in-place upgrade with the same 24 workflow activity types and no steps.",
  },
  "ExportDataUsingFetchXmlToAnnotation_1_0_0_0_managed.zip@c817a470 => ExportDataUsingFetchXmlToAnnotation_1_0_0_0_managed.zip": {
    verdict: "blocked",
    assemblies: ["ExportDataUsingFetchXmlToAnnotation 1.0.0.0 -> 1.0.0.0: unchanged"],
    act: ["IMPACT_VERSION_NOT_HIGHER"],
    why: "Both managed 1.0.0.0 (the old zip differs only in zip structure): the DLL is byte-identical (48feee0b...), but an upgrade needs a higher solution version.",
  },
  "Success_1_0_0_0.zip => Success_1_1_0_0.zip": {
    verdict: "safe",
    assemblies: [],
    act: [],
    why: "No plug-in components; unmanaged 1.0.0.0 -> 1.1.0.0.",
  },
  "Success_1_0_0_0_managed.zip => Success_1_1_0_0_managed.zip": {
    verdict: "safe",
    assemblies: [],
    act: [],
    why: "No plug-in components; managed 1.0.0.0 -> 1.1.0.0 (higher).",
  },
  "Dynamics365WorkflowTools_1_0_38_0_target_CRM_8.0.zip@7be74b17 => Dynamics365WorkflowTools_1_0_38_0.zip@7be74b17": {
    verdict: "safe",
    assemblies: ["msdyncrmWorkflowTools 1.0.37.0 -> 1.0.37.0: unchanged"],
    act: [],
    why: "The same unmanaged 1.0.38.0 exported for CRM 8.0 and natively: same DLL bytes (4157175a...), same 48 types, no steps.",
  },
  "solution@0912f661 => solution": {
    verdict: "attention",
    assemblies: ["BGuidinger.Reports 1.0.0.0 -> 1.0.0.0: content-changed"],
    steps: { unchanged: 3 },
    act: ["IMPACT_ASSEMBLY_CONTENT_CHANGED"],
    why: "Unpacked (package type Both) ReportRenderer 1.4.0.0 -> 1.5.0.0: the assembly keeps 1.0.0.0 but its DLL changed (ec64abfe... -> 09bdbfec...) and gained the type BGuidinger.Reports.Parameters; the three steps are identical.",
  },
};

const pairs = corpusManifest().filter((r) => r.kind === "pair");
const keyOf = (local: string): string =>
  local
    .split(" => ")
    .map((p) => p.slice(p.lastIndexOf("/") + 1))
    .join(" => ");

test("every corpus pair has an expectation", { skip: corpusSkip }, () => {
  assert.ok(pairs.length > 0, `no pair rows in ${CORPUS}/MANIFEST.tsv`);
  assert.deepEqual(pairs.map((p) => keyOf(p.local_path)).filter((k) => !EXPECTED[k]), []);
});

for (const row of pairs) {
  const key = keyOf(row.local_path);
  test(`impact ${key}`, { skip: corpusSkip }, async () => {
    const [oldPath, newPath] = row.local_path.split(" => ").map(corpusPath) as [string, string];
    const exp = EXPECTED[key];
    assert.ok(exp, `no expectation for ${key}`);
    const r = await impact(oldPath, newPath);
    assert.equal(r.verdict, exp.verdict, `${exp.why}\n${formatImpact(r, "text")}`);
    assert.deepEqual(
      r.assemblies.map((a) => `${a.name} ${a.from ?? "-"} -> ${a.to ?? "-"}: ${a.change}`),
      exp.assemblies,
    );
    if (exp.steps) assert.deepEqual(Object.fromEntries(Object.entries(r.summary.steps).filter(([, n]) => n > 0)), exp.steps);
    else assert.equal(r.steps.length, 0);
    if (exp.endpoints) assert.deepEqual(Object.fromEntries(Object.entries(r.summary.endpoints).filter(([, n]) => n > 0)), exp.endpoints);
    else assert.equal(r.endpoints.length, 0);
    assert.deepEqual(r.reasons.filter((x) => x.severity !== "info").map((x) => x.code).sort(), exp.act);
    // Every format renders the report.
    for (const f of ["text", "markdown", "json", "html"] as const) assert.ok(formatImpact(r, f).length > 100, f);
  });
}
