// Builds the fixture assemblies with mono at test time (new key from `sn -k`) and checks the reader
// against mono's own tools: `monodis --assembly/--assemblyref/--typedef` and `sn -T`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, test } from "node:test";
import { readAssembly } from "../../src/assembly/index.js";
import { T } from "../../src/assembly/metadata.js";
import { ModuleView } from "../../src/assembly/module.js";
import { HAS_MONO, monoSkip, tmp } from "../helpers.js";
import { FIXTURES, fixtureTests } from "./expected.js";

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Fresh build of every fixture, or null without mono. */
const built: string | null = HAS_MONO ? tmp("dvsol-asm-") : null;
if (built) run("bash", [path.join(FIXTURES, "build.sh"), built, "--fresh-key"]);
after(() => {
  if (built) rmSync(built, { recursive: true, force: true });
});

function snToken(file: string): string | null {
  const m = /Public Key Token: ([0-9a-f]*)/.exec(run("sn", ["-T", file]));
  assert.ok(m, `sn -T printed no token line for ${file}`);
  return m[1] ? m[1] : null;
}

/** `monodis --assembly`: name, version, culture ("" when neutral). */
function monodisAssembly(file: string): { name: string; version: string; culture: string } {
  const out = run("monodis", ["--assembly", file]);
  const field = (k: string) => new RegExp(`^${k}:[ \\t]*(.*)$`, "m").exec(out)?.[1]?.trim() ?? "";
  return { name: field("Name"), version: field("Version"), culture: field("Culture") };
}

/** `monodis --assemblyref`: name, version, and the public key or token bytes as lowercase hex. */
function monodisAssemblyRefs(file: string): { name: string; version: string; keyOrToken: string }[] {
  const out = run("monodis", ["--assemblyref", file]);
  const refs: { name: string; version: string; keyOrToken: string }[] = [];
  for (const block of out.split(/^\d+: /m).slice(1)) {
    const version = /^Version=(\S+)/.exec(block)?.[1] ?? "";
    const name = /Name=(.*)/.exec(block)?.[1]?.trim() ?? "";
    const bytes = [...block.matchAll(/^0x[0-9a-fA-F]+: ((?:[0-9A-F]{2} )+)/gm)].map((m) => m[1]!.replace(/ /g, "")).join("");
    refs.push({ name, version, keyOrToken: bytes.toLowerCase() });
  }
  return refs;
}

/** `monodis --typedef`: per row, name (nested as Outer/Inner), flags and the raw Extends coded index. */
function monodisTypeDefs(file: string): { row: number; name: string; flags: number; extends: number }[] {
  const out = run("monodis", ["--typedef", file]);
  return [...out.matchAll(/^(\d+): (.*) \(flist=\d+, mlist=\d+, flags=(0x[0-9a-f]+), extends=(0x[0-9a-f]+)\)$/gm)].map((m) => ({
    row: Number(m[1]),
    name: m[2]!,
    flags: Number(m[3]),
    extends: Number(m[4]),
  }));
}

function dlls(dir: string): string[] {
  const top = readdirSync(dir).filter((f) => f.endsWith(".dll")).map((f) => path.join(dir, f));
  const refs = readdirSync(path.join(dir, "refs")).filter((f) => f.endsWith(".dll")).map((f) => path.join(dir, "refs", f));
  return [...top, ...refs].sort();
}

/** Compares one DLL with monodis and sn; returns how many facts agreed. */
function compareWithMono(file: string): number {
  const bytes = readFileSync(file);
  const info = readAssembly(bytes, { file });
  let agreed = 0;
  const asm = monodisAssembly(file);
  assert.equal(info.name, asm.name, `${file}: name`);
  assert.equal(info.version, asm.version, `${file}: version`);
  assert.equal(info.culture, asm.culture || "neutral", `${file}: culture`);
  assert.equal(info.publicKeyToken, snToken(file), `${file}: public key token (sn -T)`);
  agreed += 4;
  const refs = monodisAssemblyRefs(file);
  assert.equal(info.references.length, refs.length, `${file}: reference count`);
  info.references.forEach((r, i) => {
    assert.equal(r.name, refs[i]!.name);
    assert.equal(r.version, refs[i]!.version);
    // mcs writes tokens (8 bytes) into AssemblyRef; compare bytes as written.
    assert.equal(r.publicKeyToken ?? "", refs[i]!.keyOrToken, `${file}: token of reference ${r.name}`);
    agreed += 3;
  });
  const mod = new ModuleView(bytes);
  const defs = monodisTypeDefs(file);
  assert.equal(mod.typeDefCount, defs.length, `${file}: TypeDef row count`);
  for (const d of defs) {
    const td = mod.typeDef(d.row);
    if (d.row > 1) assert.equal(td.fullName.replace(/\+/g, "/"), d.name, `${file}: TypeDef ${d.row} name`);
    assert.equal(td.flags, d.flags, `${file}: TypeDef ${d.row} flags`);
    assert.equal(mod.md.cell(T.TypeDef, d.row, 3), d.extends, `${file}: TypeDef ${d.row} extends`);
    agreed += 3;
  }
  return agreed;
}

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
