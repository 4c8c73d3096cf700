/**
 * What dvsol must read from the assemblies built by test/fixtures/assemblies/build.sh, worked out by hand
 * from the C# sources there (each class says which list it belongs to). Shared by the tests over the
 * committed DLLs and the tests over DLLs freshly built with mono.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { DvsolError } from "../../src/errors.js";
import { assertLoadable, readAssemblyFile } from "../../src/assembly/index.js";
import { ROOT } from "../helpers.js";

export const FIXTURES = path.join(ROOT, "test", "fixtures", "assemblies");
export const FIXTURE_BIN = path.join(FIXTURES, "bin");

/** Token of test/fixtures/assemblies/key.snk (what `sn -T` prints for the committed signed DLLs). */
export const COMMITTED_KEY_TOKEN = "3dee37e19adc03c6";

type Kind = "plugin" | "workflow-activity";
const p = (name: string): { name: string; kind: Kind } => ({ name, kind: "plugin" });
const wf = (name: string): { name: string; kind: Kind } => ({ name, kind: "workflow-activity" });

/** Fixture.Plugins without any referenced assembly available. */
export const PLUGINS_WITHOUT_REFS = [
  wf("Fixture.ActivityViaBase"),
  p("Fixture.ClosedGeneric"),
  p("Fixture.DirectPlugin"),
  wf("Fixture.MyActivity"),
  p("Fixture.Outer+InnerPlugin"),
  p("Fixture.Outer+Mid+DeepPlugin"),
  p("Fixture.RemoteInterface"),
  p("Fixture.SealedPlugin"),
  p("Fixture.ViaInterface"),
  p("Fixture.ViaInterfaceChain"),
  p("Fixture.ViaLocalBase"),
  p("Fixture.ViaTwoBases"),
];

export const UNDETERMINED_WITHOUT_REFS = [
  { name: "Fixture.GenericResultActivity", baseType: "System.Activities.CodeActivity`1" },
  { name: "Fixture.MovedPlugin", baseType: "Contoso.Shared.MovedBase" },
  { name: "Fixture.NativeThing", baseType: "System.Activities.NativeActivity" },
  { name: "Fixture.RemoteActivity", baseType: "Contoso.Base.ActivityBase" },
  { name: "Fixture.RemoteGenericPlugin", baseType: "Contoso.Base.GenericPluginBase`1" },
  { name: "Fixture.RemoteHelperDerived", baseType: "Contoso.Base.Helper" },
  { name: "Fixture.RemoteNestedBase", baseType: "Contoso.Base.Container+NestedBase" },
  { name: "Fixture.RemotePlugin", baseType: "Contoso.Base.PluginBase" },
];

/** Fixture.Plugins with refs/ given: every base class resolves (MovedBase through a type forwarder). */
export const PLUGINS_WITH_REFS = [
  wf("Fixture.ActivityViaBase"),
  p("Fixture.ClosedGeneric"),
  p("Fixture.DirectPlugin"),
  p("Fixture.MovedPlugin"),
  wf("Fixture.MyActivity"),
  p("Fixture.Outer+InnerPlugin"),
  p("Fixture.Outer+Mid+DeepPlugin"),
  wf("Fixture.RemoteActivity"),
  p("Fixture.RemoteGenericPlugin"),
  p("Fixture.RemoteInterface"),
  p("Fixture.RemoteNestedBase"),
  p("Fixture.RemotePlugin"),
  p("Fixture.SealedPlugin"),
  p("Fixture.ViaInterface"),
  p("Fixture.ViaInterfaceChain"),
  p("Fixture.ViaLocalBase"),
  p("Fixture.ViaTwoBases"),
];

/** Fixture.Many: P<n> plug-ins for n % 3 == 1, A<n> activities for n % 3 == 0, H<n> helpers otherwise. */
export function manyExpected(): { name: string; kind: Kind }[] {
  const out: { name: string; kind: Kind }[] = [];
  for (let i = 1; i <= 300; i++) {
    const n = String(i).padStart(3, "0");
    if (i % 3 === 1) out.push(p(`Fixture.Many.P${n}`));
    else if (i % 3 === 0) out.push(wf(`Fixture.Many.A${n}`));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export const FIXTURE_REFERENCES = [
  { name: "mscorlib", version: "4.0.0.0", publicKeyToken: "b77a5c561934e089" },
  { name: "Microsoft.Xrm.Sdk", version: "9.0.0.0" },
  { name: "System.Activities", version: "4.0.0.0" },
  { name: "Contoso.Base", version: "2.0.0.0" },
  { name: "Contoso.Moved", version: "1.0.0.0" },
];

/**
 * The checks every build of the fixtures must pass, registered as tests. `dir` holds Fixture.*.dll and
 * refs/; `token` is the public key token of the key they were signed with.
 */
export function fixtureTests(label: string, dir: () => string, token: () => string, skip: string | false = false): void {
  const file = (n: string) => path.join(dir(), n);
  const refs = () => path.join(dir(), "refs");

  test(`${label}: Fixture.Plugins identity, signing, framework, references`, { skip }, async () => {
    const info = await readAssemblyFile(file("Fixture.Plugins.dll"));
    assert.equal(info.name, "Fixture.Plugins");
    assert.equal(info.version, "1.2.3.4");
    assert.equal(info.culture, "neutral");
    assert.equal(info.publicKeyToken, token());
    assert.equal(info.fullName, `Fixture.Plugins, Version=1.2.3.4, Culture=neutral, PublicKeyToken=${token()}`);
    assert.equal(info.signed, true);
    assert.equal(info.targetFramework, ".NETFramework,Version=v4.6.2");
    assert.equal(info.isReferenceAssembly, false);
    assert.deepEqual(
      info.references,
      FIXTURE_REFERENCES.map((r) => ({ publicKeyToken: token(), ...r })),
    );
  });

  test(`${label}: Fixture.Plugins types without references`, { skip }, async () => {
    const info = await readAssemblyFile(file("Fixture.Plugins.dll"));
    assert.deepEqual(info.pluginTypes, PLUGINS_WITHOUT_REFS);
    assert.deepEqual(info.undeterminedTypes.map(({ name, baseType }) => ({ name, baseType })), UNDETERMINED_WITHOUT_REFS);
    for (const u of info.undeterminedTypes) assert.match(u.reason, /^it is defined in (System\.Activities|Contoso\.Base|Contoso\.Moved), which was not provided$/);
  });

  test(`${label}: Fixture.Plugins types with --ref (base classes in other assemblies, a forwarded type)`, { skip }, async () => {
    const info = await readAssemblyFile(file("Fixture.Plugins.dll"), { refDirs: [refs()] });
    assert.deepEqual(info.pluginTypes, PLUGINS_WITH_REFS);
    assert.deepEqual(info.undeterminedTypes, []);
  });

  test(`${label}: a ref folder without the needed assembly leaves the types undetermined, saying so`, { skip }, async () => {
    const info = await readAssemblyFile(file("Fixture.Plugins.dll"), { refDirs: [dir()] });
    assert.deepEqual(info.pluginTypes, PLUGINS_WITHOUT_REFS);
    assert.equal(info.undeterminedTypes.length, UNDETERMINED_WITHOUT_REFS.length);
    for (const u of info.undeterminedTypes) assert.match(u.reason, /which was not found$/);
  });

  test(`${label}: Fixture.Culture: unsigned, fr-FR, version parts up to 65534, no target framework`, { skip }, async () => {
    const info = await readAssemblyFile(file("Fixture.Culture.dll"));
    assert.equal(info.version, "65534.65533.65532.65531");
    assert.equal(info.culture, "fr-FR");
    assert.equal(info.publicKeyToken, null);
    assert.equal(info.signed, false);
    assert.equal(info.targetFramework, null);
    assert.equal(info.fullName, "Fixture.Culture, Version=65534.65533.65532.65531, Culture=fr-FR, PublicKeyToken=null");
    assert.deepEqual(info.pluginTypes, [p("Fixture.Culture.FrenchPlugin")]);
  });

  test(`${label}: Fixture.RefOnly is read, flagged as a reference assembly, and refused by assertLoadable`, { skip }, async () => {
    const info = await readAssemblyFile(file("Fixture.RefOnly.dll"));
    assert.equal(info.isReferenceAssembly, true);
    assert.equal(info.targetFramework, ".NETFramework,Version=v4.5.2");
    assert.deepEqual(info.pluginTypes, [p("Fixture.RefOnly.RefPlugin")]);
    assert.throws(
      () => assertLoadable(info, "x.dll"),
      (e: unknown) => e instanceof DvsolError && e.code === "ASSEMBLY_REFERENCE_ONLY" && e.location.file === "x.dll",
    );
    assert.doesNotThrow(() => assertLoadable({ ...info, isReferenceAssembly: false }));
  });

  test(`${label}: Fixture.DelaySigned has a token but is not signed: the sandbox needs a real signature`, { skip }, async () => {
    // A delay-signed assembly has a public key and a signature directory, but COMIMAGE_FLAGS_STRONGNAMESIGNED
    // is clear: it was never signed, and Dataverse's sandbox refuses it.
    const info = await readAssemblyFile(file("Fixture.DelaySigned.dll"));
    assert.equal(info.publicKeyToken, token());
    assert.equal(info.signed, false);
    assert.equal(info.delaySigned, true);
  });

  test(`${label}: Fixture.Many: 300 generated classes`, { skip }, async () => {
    const info = await readAssemblyFile(file("Fixture.Many.dll"));
    assert.deepEqual(info.pluginTypes, manyExpected());
    assert.equal(info.targetFramework, ".NETFramework,Version=v4.8");
    assert.equal(info.version, "0.0.0.300");
  });
}
