// assemblyFindings: which findings an assembly gets, and that their wording is complete.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assemblyFindings } from "../../src/assembly/findings.js";
import type { AssemblyInfo } from "../../src/assembly/index.js";
import { findingMessage, findingSpec } from "../../src/findings/catalog.js";

const base: AssemblyInfo = {
  name: "Contoso.Plugins",
  version: "1.0.0.0",
  culture: "neutral",
  publicKeyToken: "0123456789abcdef",
  fullName: "Contoso.Plugins, Version=1.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef",
  signed: true,
  targetFramework: ".NETFramework,Version=v4.6.2",
  pluginTypes: [{ name: "Contoso.Plugins.AccountPreCreate", kind: "plugin" }],
  undeterminedTypes: [],
  references: [],
  isReferenceAssembly: false,
};

const codes = (info: Partial<AssemblyInfo>) => assemblyFindings({ ...base, ...info }).map((f) => `${f.severity} ${f.code}`);

test("a signed .NET Framework 4.6.2 assembly with plug-ins has no findings", () => {
  assert.deepEqual(assemblyFindings(base), []);
});

test("unsigned", () => {
  assert.deepEqual(codes({ signed: false, publicKeyToken: null }), ["warning ASSEMBLY_UNSIGNED"]);
});

test("target framework: 4.6.2, 4.7.x and 4.8 pass; others warn; none is info", () => {
  for (const v of ["v4.6.2", "v4.7", "v4.7.1", "v4.7.2", "v4.8"]) assert.deepEqual(codes({ targetFramework: `.NETFramework,Version=${v}` }), [], v);
  for (const tf of [".NETFramework,Version=v4.6.1", ".NETFramework,Version=v4.5.2", ".NETFramework,Version=v4.8.1", ".NETFramework,Version=v4.0", ".NETStandard,Version=v2.0", ".NETCoreApp,Version=v8.0"]) {
    assert.deepEqual(codes({ targetFramework: tf }), ["warning ASSEMBLY_TARGET_FRAMEWORK"], tf);
  }
  assert.deepEqual(codes({ targetFramework: null }), ["info ASSEMBLY_TARGET_FRAMEWORK_UNKNOWN"]);
  const [f] = assemblyFindings({ ...base, targetFramework: ".NETStandard,Version=v2.0" });
  assert.match(findingMessage(f!), /Contoso\.Plugins targets \.NETStandard,Version=v2\.0/);
});

test("no plug-in types, and undetermined types one finding each", () => {
  const info: AssemblyInfo = {
    ...base,
    pluginTypes: [],
    undeterminedTypes: [
      { name: "Contoso.Plugins.A", baseType: "Contoso.Common.PluginBase", reason: "it is defined in Contoso.Common, which was not provided" },
      { name: "Contoso.Plugins.B", baseType: "Contoso.Common.PluginBase", reason: "it is defined in Contoso.Common, which was not provided" },
    ],
  };
  const fs = assemblyFindings(info, "bin/Contoso.Plugins.dll");
  assert.deepEqual(fs.map((f) => f.code), ["ASSEMBLY_NO_PLUGIN_TYPES", "ASSEMBLY_UNDETERMINED_TYPE", "ASSEMBLY_UNDETERMINED_TYPE"]);
  assert.match(findingMessage(fs[0]!), /2 class\(es\) could not be determined/);
  assert.deepEqual(fs[1]!.component, { kind: "plugintype", id: null, name: "Contoso.Plugins.A" });
  assert.deepEqual(fs[1]!.location, { file: "bin/Contoso.Plugins.dll" });
  assert.equal(
    findingMessage(fs[1]!),
    "cannot tell whether Contoso.Plugins.A is a plug-in: its base class Contoso.Common.PluginBase could not be read (it is defined in Contoso.Common, which was not provided); pass --ref <dir> with the folder holding that assembly",
  );
  assert.deepEqual(fs[0]!.component, { kind: "assembly", id: null, name: base.fullName });
  assert.doesNotMatch(findingMessage({ ...fs[0]!, args: { ...fs[0]!.args, undetermined: 0 } }), /could not be determined/);
});

test("pure: same input, same output, input untouched; no location without a file", () => {
  const info = structuredClone({ ...base, signed: false, targetFramework: null, pluginTypes: [] });
  const copy = structuredClone(info);
  const a = assemblyFindings(info);
  assert.deepEqual(assemblyFindings(info), a);
  assert.deepEqual(info, copy);
  assert.ok(a.every((f) => f.location === undefined));
});

test("every assembly finding is fully documented", () => {
  for (const code of ["ASSEMBLY_UNSIGNED", "ASSEMBLY_TARGET_FRAMEWORK", "ASSEMBLY_TARGET_FRAMEWORK_UNKNOWN", "ASSEMBLY_NO_PLUGIN_TYPES", "ASSEMBLY_UNDETERMINED_TYPE"]) {
    const spec = findingSpec(code);
    for (const k of ["title", "why", "fix", "source"] as const) assert.ok(spec[k].length > 10, `${code}.${k}`);
  }
});
