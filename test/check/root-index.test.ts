/**
 * The indexed matching of type-91 root components to assemblies (context.ts, indexAssemblyRoots) must give what
 * the plain scan assemblyOfRoot gives: for every root the same assembly, and for every assembly the same roots,
 * over ids present and absent, shared ids, names differing in case and spaces, and roots naming nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { indexAssemblyRoots } from "../../src/check/context.js";
import { assemblyOfRoot } from "../../src/check/rules/references.js";
import type { PluginAssembly, RootComponent } from "../../src/model/types.js";

const loc = { doc: "x", el: null as never };
const asm = (name: string, id: string | null): PluginAssembly =>
  ({ name, id, version: "1.0.0.0", culture: "neutral", publicKeyToken: null, fullName: name, fileName: null, dllPath: null, isolationMode: 2, sourceType: 0, introducedVersion: null, description: null, customizationLevel: null, types: [], loc }) as PluginAssembly;
const root = (schemaName: string | null, id: string | null, type: number | string = 91): RootComponent => ({ type, id, schemaName, behavior: 0, loc });

const ID1 = "11111111-1111-1111-1111-111111111111";
const ID2 = "22222222-2222-2222-2222-222222222222";
const ID3 = "33333333-3333-3333-3333-333333333333";

test("indexAssemblyRoots matches roots and assemblies exactly as assemblyOfRoot does", () => {
  const assemblies = [asm("Contoso.Plugins", ID1), asm("contoso.plugins", null), asm("Fabrikam", ID2), asm("Fabrikam", ID2), asm("NoId", null), asm("Other", ID3), asm("Lonely", "66666666-6666-6666-6666-666666666666")];
  const roots = [
    root("Contoso.Plugins, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null", ID1),
    root("Contoso.Plugins, Version=2.0.0.0", null),
    root(" CONTOSO.PLUGINS ", "44444444-4444-4444-4444-444444444444"),
    root("Fabrikam, Version=1.0.0.0", ID2),
    root("Fabrikam", null),
    root("NoId, Version=1.0.0.0", ID3),
    root("Missing, Version=1.0.0.0", null),
    root(null, "55555555-5555-5555-5555-555555555555"),
    root("", null),
    root("Other", null, 92),
    root("Other", ID3, "91"),
  ];
  const index = indexAssemblyRoots(assemblies, roots);
  const type91 = roots.filter((r) => r.type === 91);
  for (const rc of type91) assert.equal(index.of(rc), assemblyOfRoot(assemblies, rc), `root ${rc.schemaName} ${rc.id}`);
  for (const a of assemblies) {
    const expected = type91.filter((rc) => assemblyOfRoot([a], rc) === a);
    assert.deepEqual(index.rootsOf(a), expected, `assembly ${a.name} ${a.id}`);
  }
  // The case is not empty: some assembly has several roots, another none.
  assert.ok(assemblies.some((a) => index.rootsOf(a).length > 1));
  assert.ok(assemblies.some((a) => index.rootsOf(a).length === 0));
});
