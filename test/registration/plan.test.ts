// planRegistration as a library function: it writes nothing, and its plan is one splice per changed document
// that applyPlan + commit turn into the same result as the CLI.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { tmp } from "../helpers.js";
import { ok, samplesSkip, snapshot, changedPaths, SAMPLE } from "../edit/helpers.js";
import { loadSolution } from "../../src/model/read.js";
import { readAssembly } from "../../src/assembly/index.js";
import { applyPlan, commit } from "../../src/edit/index.js";
import { parseRegistration, planRegistration } from "../../src/index.js";
import { exampleFor, writeJson } from "./helpers.js";

test("planRegistration: pure over the solution; the plan applies to the original in one go", { skip: samplesSkip }, async () => {
  const dir = tmp("dvsol-reg-lib-");
  const folder = path.join(dir, "sol");
  ok(["init", folder, "--name", "ContosoPlugins", "--publisher", "contoso", "--prefix", "contoso"]);
  const regFile = writeJson(path.join(dir, "registration.json"), exampleFor(dir));
  const reg = parseRegistration(readFileSync(regFile, "utf8"), { file: regFile });
  const dll = readFileSync(SAMPLE("1.0.0.0"));
  const before = snapshot(folder);
  const sol = await loadSolution(folder);
  try {
    const plan = await planRegistration(sol, reg, { dlls: [{ file: SAMPLE("1.0.0.0"), dll, info: readAssembly(dll) }] });
    assert.deepEqual(changedPaths(before, snapshot(folder)), { added: [], removed: [], modified: [] }, "planning writes nothing");
    assert.equal(plan.operation, "apply");
    for (const f of plan.files) if (f.kind === "edit") assert.equal(f.edits.length, 1, `${f.path}: one splice`);
    assert.deepEqual(
      plan.files.map((f) => `${f.kind} ${f.path.replace(/\{[0-9a-f-]{36}\}|[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}/g, "#")}`),
      [
        "edit Other/Customizations.xml",
        "edit Other/Solution.xml",
        "create PluginAssemblies/ContosoPlugins-#/ContosoPlugins.dll",
        "create PluginAssemblies/ContosoPlugins-#/ContosoPlugins.dll.data.xml",
        "create PluginAssemblies/ServiceEndpoints.xml",
        "create SdkMessageProcessingSteps/#.xml",
        "create SdkMessageProcessingSteps/#.xml",
        "create SdkMessageProcessingSteps/#.xml",
        "create SdkMessageProcessingSteps/#.xml",
      ],
    );
    const edited = await applyPlan(sol, plan);
    assert.equal(edited.steps.length, 4);
    assert.equal(edited.endpoints.length, 1);
    // The same plan again on the edited solution: nothing to do.
    const again = await planRegistration(edited, reg, { dlls: [{ file: SAMPLE("1.0.0.0"), dll, info: readAssembly(dll) }] });
    assert.deepEqual([again.changes, again.files], [[], []]);
    await commit(sol, edited);
  } finally {
    await sol.source.close();
  }
  // The library's result is the CLI's.
  const viaCli = path.join(dir, "cli");
  ok(["init", viaCli, "--name", "ContosoPlugins", "--publisher", "contoso", "--prefix", "contoso"]);
  ok(["apply", viaCli, regFile]);
  assert.deepEqual(changedPaths(snapshot(viaCli), snapshot(folder)), { added: [], removed: [], modified: [] });
});
