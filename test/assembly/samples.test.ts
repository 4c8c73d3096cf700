// The sample plug-in assembly (samples/plugin/bin/<version>/Contoso.Plugins.dll) reads as its README says.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { assemblyFindings } from "../../src/assembly/findings.js";
import { readAssemblyFile } from "../../src/assembly/index.js";
import { monoSkip, ROOT } from "../helpers.js";
import { run } from "./mono-tools.js";

const dll = (v: string) => path.join(ROOT, "samples", "plugin", "bin", v, "Contoso.Plugins.dll");
const TOKEN = "a547478c9063475c";
const V1 = [
  { name: "Contoso.Plugins.AccountPostUpdate", kind: "plugin" },
  { name: "Contoso.Plugins.AccountPreCreate", kind: "plugin" },
  { name: "Contoso.Plugins.Activities.CalculateDiscount", kind: "workflow-activity" },
  { name: "Contoso.Plugins.ContactPreUpdate", kind: "plugin" },
];
const V101 = [...V1, { name: "Contoso.Plugins.ContactPostCreate", kind: "plugin" }].sort((a, b) => (a.name < b.name ? -1 : 1));

for (const [version, types] of [["1.0.0.0", V1], ["1.0.1.0", V101], ["2.0.0.0", V101]] as const) {
  test(`sample Contoso.Plugins ${version}`, async () => {
    const info = await readAssemblyFile(dll(version));
    assert.equal(info.fullName, `Contoso.Plugins, Version=${version}, Culture=neutral, PublicKeyToken=${TOKEN}`);
    assert.equal(info.signed, true);
    assert.equal(info.targetFramework, ".NETFramework,Version=v4.6.2");
    assert.deepEqual(info.pluginTypes, types);
    assert.deepEqual(info.undeterminedTypes, []);
    assert.deepEqual(assemblyFindings(info), [], "the sample is clean");
  });
}

test("sample builds carry valid strong-name signatures (sn -v)", { skip: monoSkip }, () => {
  for (const v of ["1.0.0.0", "1.0.1.0", "2.0.0.0"]) assert.match(run("sn", ["-v", dll(v)]), /is strongnamed\./);
});
