// Builds the fixture assemblies with mono at test time (new key from `sn -k`) and checks the reader
// against mono's own tools: `monodis --assembly/--assemblyref/--typedef` and `sn -T`.
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, test } from "node:test";
import { readAssembly } from "../../src/assembly/index.js";
import { T } from "../../src/assembly/metadata.js";
import { ModuleView } from "../../src/assembly/module.js";
import { HAS_MONO, monoSkip, tmp } from "../helpers.js";
import { FIXTURES, fixtureTests } from "./expected.js";
import { compareWithMono, dlls, run, snToken } from "./mono-tools.js";

/** Fresh build of every fixture, or null without mono. */
const built: string | null = HAS_MONO ? tmp("dvsol-asm-") : null;
if (built) run("bash", [path.join(FIXTURES, "build.sh"), built, "--fresh-key"]);
after(() => {
  if (built) rmSync(built, { recursive: true, force: true });
});

const tokenOfBuild = (): string => snToken(path.join(built!, "Fixture.Plugins.dll"))!;

fixtureTests("mono build", () => built!, tokenOfBuild, monoSkip);

test("mono build: identity, references and every TypeDef agree with monodis and sn -T", { skip: monoSkip }, (t) => {
  let facts = 0;
  const files = dlls(built!);
  for (const f of files) facts += compareWithMono(f);
  t.diagnostic(`${files.length} assemblies, ${facts} facts agreed with monodis/sn`);
  assert.ok(files.length >= 10);
});

test("mono build: wide metadata (4-byte heap and coded indexes) over 17,000 types agrees with monodis", { skip: monoSkip }, (t) => {
  // > 2^14 TypeDefs makes TypeDefOrRef and HasCustomAttribute (and more) 4 bytes wide; long names push
  // #Strings past 64 KiB, so string indexes are 4 bytes too.
  const dir = tmp("dvsol-asm-wide-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const refs = path.join(built!, "refs");
  const lines = ["using System; using Microsoft.Xrm.Sdk;", "namespace Wide.Generated.With.A.Rather.Long.Namespace.Name {"];
  for (let i = 0; i < 17_000; i++) {
    lines.push(
      i % 2 === 0
        ? `public class PluginNumber${i}WithALongishName : IPlugin { public void Execute(IServiceProvider s) { } }`
        : `public class HelperNumber${i}WithALongishName : PluginNumber${i - 1}WithALongishName { }`,
    );
  }
  lines.push("}");
  const src = path.join(dir, "Wide.cs");
  writeFileSync(src, lines.join("\n"));
  const dll = path.join(dir, "Wide.dll");
  run("mcs", ["-nologo", "-target:library", "-warn:0", `-r:${path.join(refs, "Microsoft.Xrm.Sdk.dll")}`, `-out:${dll}`, src]);
  const mod = new ModuleView(readFileSync(dll));
  assert.equal(mod.md.tables[T.TypeDef]!.colSize[1], 4, "TypeDef.Name is a 4-byte #Strings index");
  assert.equal(mod.md.tables[T.TypeDef]!.colSize[3], 4, "TypeDef.Extends is a 4-byte coded index");
  const facts = compareWithMono(dll);
  const info = readAssembly(readFileSync(dll));
  assert.equal(info.pluginTypes.length, 17_000, "every class is a plug-in (half through a base class)");
  t.diagnostic(`${facts} facts agreed with monodis/sn`);
});
