// The reader's structure handling and error paths, on hand-made PE files and patched copies of the
// committed fixtures (no mono needed).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { DvsolError } from "../../src/errors.js";
import { readAssembly, readAssemblyFile } from "../../src/assembly/index.js";
import { CI, T } from "../../src/assembly/metadata.js";
import { ModuleView } from "../../src/assembly/module.js";
import { FIXTURE_BIN, PLUGINS_WITHOUT_REFS } from "./expected.js";
import { metadataOf, minimalPe, writeCell } from "./craft.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURE_BIN, name)));

function throwsCode(fn: () => unknown, code: string, message?: RegExp): DvsolError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DvsolError, `expected DvsolError ${code}, got ${caught === undefined ? "no error" : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

function rowOf(mod: ModuleView, fullName: string): number {
  for (let r = 1; r <= mod.typeDefCount; r++) if (mod.typeDef(r).fullName === fullName) return r;
  throw new Error(`no TypeDef ${fullName}`);
}

/** InterfaceImpl rows of `cls` whose interface is a TypeRef named Microsoft.Xrm.Sdk.IPlugin. */
function iPluginRows(mod: ModuleView, cls: number): number[] {
  const out: number[] = [];
  for (let r = 1; r <= mod.md.rowCount(T.InterfaceImpl); r++) {
    if (mod.md.cell(T.InterfaceImpl, r, 0) !== cls) continue;
    const i = mod.md.decode(CI.TypeDefOrRef, mod.md.cell(T.InterfaceImpl, r, 1));
    if (mod.typeName(i) === "Microsoft.Xrm.Sdk.IPlugin") out.push(r);
  }
  return out;
}

const typeDefCoded = (row: number) => (row << 2) | 0; // TypeDefOrRef tag 0 = TypeDef (II.24.2.6)

test("not a PE file: empty, short, text, ELF, DOS program", () => {
  throwsCode(() => readAssembly(new Uint8Array(0)), "ASSEMBLY_NOT_PE", /0 bytes long/);
  throwsCode(() => readAssembly(new Uint8Array([0x4d, 0x5a, 0, 0])), "ASSEMBLY_NOT_PE", /only 4 bytes/);
  throwsCode(() => readAssembly(new TextEncoder().encode("hello, this is not a DLL at all; it is just some text ".repeat(3))), "ASSEMBLY_NOT_PE", /'MZ'/);
  const elf = new Uint8Array(128);
  elf.set([0x7f, 0x45, 0x4c, 0x46]);
  throwsCode(() => readAssembly(elf), "ASSEMBLY_NOT_PE", /starts with 0x7f 0x45/);
  const dos = minimalPe();
  dos.set([0x4e, 0x45], 0x40); // "NE": a 16-bit executable, not PE
  throwsCode(() => readAssembly(dos), "ASSEMBLY_NOT_PE", /no 'PE' signature at offset 0x40/);
});

test("a PE file without a CLI header is native code", () => {
  throwsCode(() => readAssembly(minimalPe()), "ASSEMBLY_NOT_MANAGED", /CLI header directory is empty/);
  throwsCode(() => readAssembly(minimalPe({ numberOfRvaAndSizes: 10 })), "ASSEMBLY_NOT_MANAGED", /only 10 data directories/);
});

test("header damage is ASSEMBLY_CORRUPT with a message saying what and where", () => {
  const far = minimalPe();
  new DataView(far.buffer).setUint32(0x3c, 0x10000, true);
  throwsCode(() => readAssembly(far), "ASSEMBLY_CORRUPT", /PE header past the end of the file \(offset 0x10000 > size 0x400\)/);
  throwsCode(() => readAssembly(minimalPe({ cli: { rva: 0x5000, size: 72 } })), "ASSEMBLY_CORRUPT", /CLI header \(RVA 0x5000\) is not inside any section/);
  throwsCode(() => readAssembly(minimalPe({ cli: { rva: 0x1000, size: 72 } })), "ASSEMBLY_CORRUPT", /CLI header says it is 0 bytes long/);

  // A real DLL cut just after its headers: the metadata directory now points past the end.
  const real = fixture("Fixture.Culture.dll");
  const pe = new ModuleView(real).pe;
  const cut = real.slice(0, pe.metadataOffset + 8);
  throwsCode(() => readAssembly(cut), "ASSEMBLY_CORRUPT", new RegExp(`metadata directory points past the end of the file \\(offset 0x[0-9a-f]+ > size 0x${cut.length.toString(16)}\\)`));
});

test("errors carry the file given", () => {
  const e = throwsCode(() => readAssembly(new Uint8Array(10), { file: "bin/x.dll" }), "ASSEMBLY_NOT_PE");
  assert.equal(e.location.file, "bin/x.dll");
  assert.equal(e.where(), "bin/x.dll");
});

test("interfaces inherit through InterfaceImpl: a class that reaches IPlugin only through interfaces", () => {
  // C# lists every inherited interface on the class, so rewrite the rows to leave only the chain
  // ViaInterfaceChain -> IMoreExtended -> IExtendedPlugin -> IPlugin (and ViaInterface -> IExtendedPlugin).
  const bytes = fixture("Fixture.Plugins.dll");
  const mod = new ModuleView(bytes);
  const ext = rowOf(mod, "Fixture.IExtendedPlugin");
  const more = rowOf(mod, "Fixture.IMoreExtended");
  const via = rowOf(mod, "Fixture.ViaInterface");
  const chain = rowOf(mod, "Fixture.ViaInterfaceChain");
  for (const r of iPluginRows(mod, via)) writeCell(bytes, T.InterfaceImpl, r, 1, typeDefCoded(ext));
  for (const r of iPluginRows(mod, more)) writeCell(bytes, T.InterfaceImpl, r, 1, typeDefCoded(ext));
  for (const r of iPluginRows(mod, chain)) writeCell(bytes, T.InterfaceImpl, r, 1, typeDefCoded(more));
  const patched = new ModuleView(bytes);
  assert.deepEqual([iPluginRows(patched, via), iPluginRows(patched, more), iPluginRows(patched, chain)], [[], [], []]);
  assert.equal(iPluginRows(patched, ext).length, 1, "only IExtendedPlugin still names IPlugin");
  assert.deepEqual(readAssembly(bytes).pluginTypes, PLUGINS_WITHOUT_REFS);

  // Control: make IExtendedPlugin extend itself instead of IPlugin. The walk ends (no loop) and the two
  // classes are no longer plug-ins.
  for (const r of iPluginRows(patched, ext)) writeCell(bytes, T.InterfaceImpl, r, 1, typeDefCoded(ext));
  const names = readAssembly(bytes).pluginTypes.map((t) => t.name);
  assert.ok(!names.includes("Fixture.ViaInterface") && !names.includes("Fixture.ViaInterfaceChain"), names.join(", "));
  assert.ok(names.includes("Fixture.DirectPlugin"));
});

test("a loop of base classes is ASSEMBLY_CORRUPT naming the classes", () => {
  const bytes = fixture("Fixture.Plugins.dll");
  const mod = new ModuleView(bytes);
  // ViaTwoBases : ViaLocalBase; make ViaLocalBase : ViaTwoBases.
  writeCell(bytes, T.TypeDef, rowOf(mod, "Fixture.ViaLocalBase"), 3, typeDefCoded(rowOf(mod, "Fixture.ViaTwoBases")));
  throwsCode(() => readAssembly(bytes, { file: "loop.dll" }), "ASSEMBLY_CORRUPT", /base classes form a loop: Fixture\.Via(Local|Two)Bases? -> .* -> Fixture\.Via/);
});

test("a loop of nesting is ASSEMBLY_CORRUPT", () => {
  const bytes = fixture("Fixture.Plugins.dll");
  const mod = new ModuleView(bytes);
  const inner = rowOf(mod, "Fixture.Outer+InnerPlugin");
  for (let r = 1; r <= mod.md.rowCount(T.NestedClass); r++) {
    if (mod.md.cell(T.NestedClass, r, 0) === inner) writeCell(bytes, T.NestedClass, r, 1, inner);
  }
  throwsCode(() => readAssembly(bytes), "ASSEMBLY_CORRUPT", /nested in a loop/);
});

test("the uncompressed table stream (#-) reads like #~", () => {
  const bytes = fixture("Fixture.Plugins.dll");
  const before = readAssembly(bytes);
  const md = metadataOf(bytes);
  const tilde = md.streams.find((s) => s.name === "#~")!;
  // Stream headers sit before the streams; find the name "#~\0" in the metadata root and rename it.
  const root = new ModuleView(bytes).pe.metadataOffset;
  const at = Buffer.from(bytes.buffer, bytes.byteOffset + root, tilde.offset - root).indexOf(Buffer.from("#~\0"));
  assert.ok(at > 0);
  bytes[root + at + 1] = "-".charCodeAt(0);
  assert.equal(metadataOf(bytes).uncompressed, true);
  assert.deepEqual(readAssembly(bytes), before);
});

test("table stream damage: an undefined table, a row count larger than the stream", () => {
  const bytes = fixture("Fixture.Plugins.dll");
  const md = metadataOf(bytes);
  const s = md.streams.find((x) => x.name === "#~")!;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const undefinedTable = bytes.slice();
  // Valid mask bit 0x2d: ECMA-335 defines tables up to 0x2c.
  new DataView(undefinedTable.buffer).setUint32(s.offset + 12, v.getUint32(s.offset + 12, true) | (1 << (0x2d - 32)), true);
  throwsCode(() => readAssembly(undefinedTable), "ASSEMBLY_CORRUPT", /marks 0x2d as present/);

  // The row counts follow the 24-byte header in table order; Module (0x00) is first, TypeRef second.
  const tooMany = bytes.slice();
  new DataView(tooMany.buffer).setUint32(s.offset + 24 + 4, 0x00ffffff, true);
  throwsCode(() => readAssembly(tooMany), "ASSEMBLY_CORRUPT", /TypeRef \(16777215 rows of \d+ bytes\) runs past the end of the #~ stream/);
  const overToken = bytes.slice();
  new DataView(overToken.buffer).setUint32(s.offset + 24 + 4, 0x01000000, true);
  throwsCode(() => readAssembly(overToken), "ASSEMBLY_CORRUPT", /more than a metadata token can address/);
});

test("a reference to a row past the end of its table is ASSEMBLY_CORRUPT", () => {
  const bytes = fixture("Fixture.Plugins.dll");
  const mod = new ModuleView(bytes);
  writeCell(bytes, T.TypeDef, rowOf(mod, "Fixture.ViaTwoBases"), 3, typeDefCoded(mod.typeDefCount + 5));
  throwsCode(() => readAssembly(bytes), "ASSEMBLY_CORRUPT", /a reference to row \d+ of TypeDef, which has \d+ rows/);
});

test("a .netmodule (no Assembly row) is refused with a clear message", () => {
  const bytes = fixture("Fixture.Culture.dll");
  const s = metadataOf(bytes).streams.find((x) => x.name === "#~")!;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Set the Assembly table's row count to 0. (Tables after it are then laid out one row-size too early,
  // but the missing manifest is what the reader reports first.)
  const present: number[] = [];
  const lo = v.getUint32(s.offset + 8, true);
  const hi = v.getUint32(s.offset + 12, true);
  for (let id = 0; id < 64; id++) if ((id < 32 ? lo >>> id : hi >>> (id - 32)) & 1) present.push(id);
  v.setUint32(s.offset + 24 + 4 * present.indexOf(T.Assembly), 0, true);
  throwsCode(() => readAssembly(bytes), "ASSEMBLY_CORRUPT", /no Assembly row .*\.netmodule/);
});

test("damage met in a referenced assembly leaves the type undetermined instead of failing the read", () => {
  const main = fixture("Fixture.Plugins.dll");
  const base = fixture("refs/Contoso.Base.dll");
  const baseMod = new ModuleView(base);
  // Contoso.Base.Helper : Helper (a loop inside the referenced assembly).
  const helper = rowOf(baseMod, "Contoso.Base.Helper");
  writeCell(base, T.TypeDef, helper, 3, typeDefCoded(helper));
  const refs = (n: string) => (n === "Contoso.Base" ? base : n === "Microsoft.Xrm.Sdk" || n === "System.Activities" ? fixture(`refs/${n}.dll`) : null);
  const info = readAssembly(main, { resolveReference: refs });
  assert.deepEqual(info.undeterminedTypes.filter((u) => u.name !== "Fixture.MovedPlugin"), [
    {
      name: "Fixture.RemoteHelperDerived",
      baseType: "Contoso.Base.Helper",
      reason: "the base classes form a loop: Fixture.RemoteHelperDerived -> Contoso.Base.Helper -> Contoso.Base.Helper",
    },
  ]);
  // The rest of Contoso.Base is still used.
  assert.ok(info.pluginTypes.some((t) => t.name === "Fixture.RemotePlugin"));
  // A referenced file that is not an assembly at all: "could not be read", with the reason.
  const notPe = readAssembly(main, { resolveReference: (n) => (n === "Contoso.Base" ? new Uint8Array(100) : null) });
  assert.match(notPe.undeterminedTypes.find((u) => u.name === "Fixture.RemotePlugin")!.reason, /^it is defined in Contoso\.Base, which could not be read \(ASSEMBLY_NOT_PE: /);
  // A file that is another assembly than the one asked for is not used.
  const wrong = readAssembly(main, { resolveReference: (n) => (n === "Contoso.Base" ? fixture("Fixture.Culture.dll") : null) });
  assert.equal(wrong.undeterminedTypes.find((u) => u.name === "Fixture.RemotePlugin")!.reason, "the file found for Contoso.Base is assembly Fixture.Culture");
});

test("readAssemblyFile: a reference that cannot be read leaves its subclasses undetermined, saying why", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dvsol-asm-refs-"));
  try {
    mkdirSync(path.join(dir, "contoso.base.DLL")); // found case-insensitively, but a folder
    const info = await readAssemblyFile(path.join(FIXTURE_BIN, "Fixture.Plugins.dll"), { refDirs: [dir] });
    const u = info.undeterminedTypes.find((x) => x.name === "Fixture.RemotePlugin")!;
    assert.match(u.reason, /^it is defined in Contoso\.Base, which could not be read \(INPUT_UNREADABLE: cannot read .*contoso\.base\.DLL: /);
    await assert.rejects(readAssemblyFile(path.join(FIXTURE_BIN, "Fixture.Plugins.dll"), { refDirs: [path.join(dir, "nope")] }), (e: unknown) => e instanceof DvsolError && e.code === "INPUT_NOT_FOUND");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
