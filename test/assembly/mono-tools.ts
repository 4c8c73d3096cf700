/** mono's own tools as an independent check on the reader: `monodis` and `sn -T`. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { readAssembly } from "../../src/assembly/index.js";
import { T } from "../../src/assembly/metadata.js";
import { ModuleView, publicKeyToken } from "../../src/assembly/module.js";

export function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export function snToken(file: string): string | null {
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

export function dlls(dir: string): string[] {
  const top = readdirSync(dir).filter((f) => f.endsWith(".dll")).map((f) => path.join(dir, f));
  const refs = readdirSync(path.join(dir, "refs")).filter((f) => f.endsWith(".dll")).map((f) => path.join(dir, "refs", f));
  return [...top, ...refs].sort();
}

/** Compares one DLL with monodis and sn; returns how many facts agreed. */
export function compareWithMono(file: string): number {
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
    // AssemblyRef holds a token (8 bytes) or, with flag PublicKey, the whole key: reduce that to its token.
    const dumped = refs[i]!.keyOrToken;
    const expected = dumped.length > 16 ? publicKeyToken(Buffer.from(dumped, "hex")) : dumped;
    assert.equal(r.publicKeyToken ?? "", expected, `${file}: token of reference ${r.name}`);
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
