/**
 * Reads a plug-in assembly the way the Plug-in Registration Tool does by reflection, but straight from
 * the PE file and its ECMA-335 metadata: identity, signing, target framework, references, and the
 * plug-in and workflow-activity classes it would offer for registration.
 */
import { COMIMAGE_FLAGS_STRONGNAMESIGNED } from "./pe.js";
import { readFile, readdir } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DvsolError, isDvsolError } from "../errors.js";
import { ModuleView, firstStringArgument } from "./module.js";
import { corrupt } from "./pe.js";
import { TypeWorld, type PluginKind } from "./plugins.js";

export interface PluginTypeInfo {
  /** Namespace.Class; nested classes as Outer+Inner. */
  name: string;
  kind: PluginKind;
}

export interface UndeterminedType {
  name: string;
  /** Full name of the base class that could not be resolved. */
  baseType: string;
  reason: string;
}

export interface ReferenceInfo {
  name: string;
  version: string;
  publicKeyToken: string | null;
}

export interface AssemblyInfo {
  name: string;
  /** "1.2.3.4" */
  version: string;
  /** "neutral" when the assembly has no culture. */
  culture: string;
  /** 16 lowercase hex digits: the last 8 bytes of the SHA-1 of the public key, reversed. */
  publicKeyToken: string | null;
  /** "Name, Version=1.2.3.4, Culture=neutral, PublicKeyToken=abcd…" (PublicKeyToken=null when unsigned). */
  fullName: string;
  /** Has a public key and a (non-empty) strong-name signature directory. */
  /** Strong-name signed (public key, signature directory and the signed flag): what the sandbox needs. */
  signed: boolean;
  /** Has a public key and room for a signature, but was never signed (`sn -R` not run). */
  delaySigned: boolean;
  /** From System.Runtime.Versioning.TargetFrameworkAttribute, e.g. ".NETFramework,Version=v4.6.2". */
  targetFramework: string | null;
  pluginTypes: PluginTypeInfo[];
  undeterminedTypes: UndeterminedType[];
  references: ReferenceInfo[];
  isReferenceAssembly: boolean;
}

export interface ReadAssemblyOptions {
  /** Named in error locations. */
  file?: string;
  /** Bytes of a referenced assembly by simple name, or null; used to follow base classes into it. */
  resolveReference?: (name: string) => Uint8Array | null;
}

const TARGET_FRAMEWORK_ATTRIBUTE = "System.Runtime.Versioning.TargetFrameworkAttribute";
const REFERENCE_ASSEMBLY_ATTRIBUTE = "System.Runtime.CompilerServices.ReferenceAssemblyAttribute";

const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Reads an assembly from its bytes. Throws DvsolError ASSEMBLY_NOT_PE, ASSEMBLY_NOT_MANAGED or ASSEMBLY_CORRUPT. */
export function readAssembly(bytes: Uint8Array, opts: ReadAssemblyOptions = {}): AssemblyInfo {
  try {
    return read(bytes, opts);
  } catch (e) {
    if (isDvsolError(e) && opts.file !== undefined) throw e.withLocation({ file: opts.file });
    throw e;
  }
}

function read(bytes: Uint8Array, opts: ReadAssemblyOptions): AssemblyInfo {
  const mod = new ModuleView(bytes);
  const id = mod.identity();
  if (!id) throw corrupt("the metadata has no Assembly row (II.22.2): this is a .netmodule, not an assembly, and cannot be registered");
  const culture = id.culture === "" ? "neutral" : id.culture;
  const attributes = mod.assemblyAttributes();
  const tfa = attributes.find((a) => a.type === TARGET_FRAMEWORK_ATTRIBUTE);
  const sn = mod.pe.cli.strongNameSignature;
  const hasKeyAndDirectory = id.publicKey.length > 0 && sn.rva !== 0 && sn.size !== 0;

  const world = new TypeWorld(mod, id.name, opts.resolveReference);
  const kinds = new Map<string, PluginKind>();
  const undeterminedTypes: UndeterminedType[] = [];
  for (let row = 1; row <= mod.typeDefCount; row++) {
    const c = world.classify(row);
    if (!c) continue;
    const name = mod.typeDef(row).fullName;
    if (c.kind) kinds.set(name, c.kind);
    else if (c.undetermined) undeterminedTypes.push({ name, ...c.undetermined });
  }
  // Ordinal order (UTF-16 code units): the default sort of strings, much faster than a comparator.
  const pluginTypes: PluginTypeInfo[] = [...kinds.keys()].sort().map((name) => ({ name, kind: kinds.get(name)! }));
  undeterminedTypes.sort((a, b) => ordinal(a.name, b.name));

  return {
    name: id.name,
    version: id.version,
    culture,
    publicKeyToken: id.publicKeyToken,
    fullName: `${id.name}, Version=${id.version}, Culture=${culture}, PublicKeyToken=${id.publicKeyToken ?? "null"}`,
    // Fully signed: a public key, a signature directory and COMIMAGE_FLAGS_STRONGNAMESIGNED (II.25.3.3.1).
    // A delay-signed assembly has the first two only; Dataverse's sandbox does not load it.
    signed: hasKeyAndDirectory && (mod.pe.cli.flags & COMIMAGE_FLAGS_STRONGNAMESIGNED) !== 0,
    delaySigned: hasKeyAndDirectory && (mod.pe.cli.flags & COMIMAGE_FLAGS_STRONGNAMESIGNED) === 0,
    targetFramework: tfa ? firstStringArgument(tfa.value) : null,
    pluginTypes,
    undeterminedTypes,
    references: mod.assemblyRefs().map((r) => ({ name: r.name, version: r.version, publicKeyToken: r.publicKeyToken })),
    isReferenceAssembly: attributes.some((a) => a.type === REFERENCE_ASSEMBLY_ATTRIBUTE),
  };
}

/** Reads an assembly file; referenced assemblies are looked up as <Name>.dll in refDirs (case-insensitively). */
export async function readAssemblyFile(path: string, opts: { refDirs?: string[] } = {}): Promise<AssemblyInfo> {
  const bytes = await readInput(path);
  const dirs: Map<string, string>[] = [];
  for (const dir of opts.refDirs ?? []) dirs.push(await listDlls(dir));
  const resolveReference = (name: string): Uint8Array | null => {
    const want = `${name}.dll`.toLowerCase();
    for (const d of dirs) {
      const p = d.get(want);
      if (!p) continue;
      try {
        return readFileSync(p);
      } catch (e) {
        throw new DvsolError("INPUT_UNREADABLE", `cannot read ${p}: ${(e as Error).message}`, { file: p, cause: e });
      }
    }
    return null;
  };
  return readAssembly(bytes, { file: path, ...(dirs.length ? { resolveReference } : {}) });
}

/** Throws ASSEMBLY_REFERENCE_ONLY for a reference assembly, which holds metadata but no code. */
export function assertLoadable(info: AssemblyInfo, file?: string): void {
  if (info.isReferenceAssembly) {
    throw new DvsolError(
      "ASSEMBLY_REFERENCE_ONLY",
      `${info.name} is a reference assembly (it carries ReferenceAssemblyAttribute): it has metadata but no code, so Dataverse cannot run it`,
      { file },
    );
  }
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DvsolError("INPUT_NOT_FOUND", `no such file: ${path}`, { file: path });
    if (code === "EISDIR") throw new DvsolError("ASSEMBLY_NOT_PE", `${path} is a folder, not an assembly file`, { file: path });
    throw new DvsolError("INPUT_UNREADABLE", `cannot read ${path}: ${(e as Error).message}`, { file: path, cause: e });
  }
}

async function listDlls(dir: string): Promise<Map<string, string>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new DvsolError("INPUT_NOT_FOUND", `reference folder not found: ${dir}`, { file: dir });
    throw new DvsolError("INPUT_UNREADABLE", `cannot list reference folder ${dir}: ${(e as Error).message}`, { file: dir, cause: e });
  }
  const m = new Map<string, string>();
  for (const n of names.sort()) {
    const k = n.toLowerCase();
    if (k.endsWith(".dll") && !m.has(k)) m.set(k, join(dir, n));
  }
  return m;
}
