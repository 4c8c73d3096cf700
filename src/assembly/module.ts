/**
 * A typed view of one assembly's metadata: the assembly identity (II.22.2), its references (II.22.5),
 * type definitions with their nesting (II.22.37, II.22.32), type references (II.22.38), interface
 * implementations (II.22.23), generic parameters (II.22.20), type specs (II.22.39, II.23.2.14),
 * exported types (II.22.14) and the assembly's custom attributes (II.22.10, II.23.3).
 */
import { createHash } from "node:crypto";
import { isDvsolError } from "../errors.js";
import { CI, Metadata, T, readCompressed, tableName, type CodedRef } from "./metadata.js";
import { ByteReader, corrupt, readPe, type PeImage } from "./pe.js";

/** II.23.1.15 TypeAttributes. */
export const TypeAttr = {
  VisibilityMask: 0x7,
  Public: 0x1,
  NestedPublic: 0x2,
  Interface: 0x20,
  Abstract: 0x80,
} as const;

/** II.23.1.2 AssemblyFlags.PublicKey: the AssemblyRef blob is a full public key, not a token. */
const AF_PUBLIC_KEY = 0x0001;

/** Deeper nesting than this is treated as damage (the C# compiler has no such limit, but no real code gets near). */
const MAX_NESTING = 64;

export interface AssemblyIdentity {
  name: string;
  version: string;
  culture: string;
  publicKey: Uint8Array;
  publicKeyToken: string | null;
}

export interface AssemblyRefInfo {
  name: string;
  version: string;
  culture: string;
  publicKeyToken: string | null;
}

export interface TypeDefInfo {
  row: number;
  flags: number;
  name: string;
  namespace: string;
  /** Namespace.Name, nested types as Outer+Inner. */
  fullName: string;
  /** Encloser's row, 0 for a top-level type. */
  enclosing: number;
  extends: CodedRef | null;
}

export interface CustomAttributeInfo {
  /** Full name of the attribute's type (the constructor's declaring type). */
  type: string;
  value: Uint8Array;
}

/** Token = last 8 bytes of the SHA-1 of the public key, reversed (II.6.2.1.3). */
export function publicKeyToken(publicKey: Uint8Array): string {
  const sha = createHash("sha1").update(publicKey).digest();
  return Buffer.from(sha.subarray(sha.length - 8)).reverse().toString("hex");
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

export class ModuleView {
  readonly pe: PeImage;
  readonly md: Metadata;
  private typeDefCache: (TypeDefInfo | undefined)[] = [];
  private enclosingOf: Map<number, number> | null = null;
  private nestedByEncloser: Map<number, number[]> | null = null;
  private interfaces: Map<number, CodedRef[]> | null = null;
  private genericOwners: Set<number> | null = null;
  private topLevelByName: Map<string, number> | null = null;
  private typeRefNames = new Map<number, string>();

  constructor(bytes: Uint8Array) {
    this.pe = readPe(bytes);
    this.md = new Metadata(bytes, this.pe.metadataOffset, this.pe.metadataSize);
  }

  /** The Assembly row (II.22.2), or null for a module without a manifest (.netmodule). */
  identity(): AssemblyIdentity | null {
    const md = this.md;
    if (md.rowCount(T.Assembly) === 0) return null;
    const c = (i: number) => md.cell(T.Assembly, 1, i);
    const publicKey = md.blob(c(6));
    return {
      version: `${c(1)}.${c(2)}.${c(3)}.${c(4)}`,
      publicKey,
      publicKeyToken: publicKey.length > 0 ? publicKeyToken(publicKey) : null,
      name: md.string(c(7)),
      culture: md.string(c(8)),
    };
  }

  assemblyRef(row: number): AssemblyRefInfo {
    const md = this.md;
    const c = (i: number) => md.cell(T.AssemblyRef, row, i);
    const flags = c(4);
    const keyOrToken = md.blob(c(5));
    return {
      name: md.string(c(6)),
      version: `${c(0)}.${c(1)}.${c(2)}.${c(3)}`,
      culture: md.string(c(7)),
      publicKeyToken: keyOrToken.length === 0 ? null : flags & AF_PUBLIC_KEY ? publicKeyToken(keyOrToken) : toHex(keyOrToken),
    };
  }

  assemblyRefs(): AssemblyRefInfo[] {
    const out: AssemblyRefInfo[] = [];
    for (let r = 1; r <= this.md.rowCount(T.AssemblyRef); r++) out.push(this.assemblyRef(r));
    return out;
  }

  get typeDefCount(): number {
    return this.md.rowCount(T.TypeDef);
  }

  typeDef(row: number): TypeDefInfo {
    const hit = this.typeDefCache[row];
    if (hit) return hit;
    const md = this.md;
    const flags = md.cell(T.TypeDef, row, 0);
    const name = md.string(md.cell(T.TypeDef, row, 1));
    const namespace = md.string(md.cell(T.TypeDef, row, 2));
    const ext = md.decode(CI.TypeDefOrRef, md.cell(T.TypeDef, row, 3));
    const enclosing = this.enclosing(row);
    let fullName: string;
    if (enclosing) {
      // Walk out to the top-level type; the chain is bounded and may not loop.
      const parts = [name];
      const seen = new Set([row]);
      let e = enclosing;
      let top = e;
      while (e) {
        if (seen.has(e) || seen.size > MAX_NESTING) throw corrupt(`type ${name} (TypeDef row ${row}) is nested in a loop or more than ${MAX_NESTING} levels deep`);
        seen.add(e);
        parts.unshift(md.string(md.cell(T.TypeDef, e, 1)));
        top = e;
        e = this.enclosing(e);
      }
      const ns = md.string(md.cell(T.TypeDef, top, 2));
      fullName = (ns ? ns + "." : "") + parts.join("+");
    } else {
      fullName = namespace ? `${namespace}.${name}` : name;
    }
    const info: TypeDefInfo = { row, flags, name, namespace, fullName, enclosing, extends: ext.row === 0 ? null : ext };
    this.typeDefCache[row] = info;
    return info;
  }

  /** II.22.37 TypeDef.Extends, or null when the type has no base (System.Object, interfaces). */
  extendsOf(row: number): CodedRef | null {
    const ext = this.md.decode(CI.TypeDefOrRef, this.md.cell(T.TypeDef, row, 3));
    return ext.row === 0 ? null : ext;
  }

  /** Is the TypeDef the top-level type namespace.name? (Without building its TypeDefInfo.) */
  isTopLevelNamed(row: number, namespace: string, name: string): boolean {
    const md = this.md;
    return md.string(md.cell(T.TypeDef, row, 1)) === name && md.string(md.cell(T.TypeDef, row, 2)) === namespace && this.enclosing(row) === 0;
  }

  /** II.22.32 NestedClass: the row of the type enclosing `row`, or 0. */
  enclosing(row: number): number {
    if (!this.enclosingOf) {
      const m = new Map<number, number>();
      const byEncloser = new Map<number, number[]>();
      const md = this.md;
      for (let r = 1; r <= md.rowCount(T.NestedClass); r++) {
        const nested = md.cell(T.NestedClass, r, 0);
        const encl = md.cell(T.NestedClass, r, 1);
        if (nested < 1 || nested > this.typeDefCount || encl < 1 || encl > this.typeDefCount) {
          throw corrupt(`NestedClass row ${r} refers to TypeDef rows ${nested} and ${encl}, but there are ${this.typeDefCount}`);
        }
        if (!m.has(nested)) {
          m.set(nested, encl);
          const list = byEncloser.get(encl) ?? [];
          list.push(nested);
          byEncloser.set(encl, list);
        }
      }
      // II.22.32: nesting may not loop. Every chain must reach a top-level type within MAX_NESTING steps.
      for (const start of m.keys()) {
        let e = start;
        for (let depth = 0; e; depth++) {
          if (depth > MAX_NESTING) throw corrupt(`type at TypeDef row ${start} is nested in a loop or more than ${MAX_NESTING} levels deep`);
          e = m.get(e) ?? 0;
        }
      }
      this.enclosingOf = m;
      this.nestedByEncloser = byEncloser;
    }
    return this.enclosingOf.get(row) ?? 0;
  }

  /** A type that is public and, if nested, nested-public inside a public chain. */
  isVisibleOutside(row: number): boolean {
    let r = row;
    for (let depth = 0; depth <= MAX_NESTING; depth++) {
      const vis = this.md.cell(T.TypeDef, r, 0) & TypeAttr.VisibilityMask;
      const enc = this.enclosing(r);
      if (!enc) return vis === TypeAttr.Public;
      if (vis !== TypeAttr.NestedPublic) return false;
      r = enc;
    }
    return false;
  }

  /** II.22.23 InterfaceImpl rows of a TypeDef (the table is usually sorted, but #- tables need not be). */
  interfacesOf(row: number): CodedRef[] {
    if (!this.interfaces) {
      const m = new Map<number, CodedRef[]>();
      const md = this.md;
      for (let r = 1; r <= md.rowCount(T.InterfaceImpl); r++) {
        const cls = md.cell(T.InterfaceImpl, r, 0);
        const iface = md.decode(CI.TypeDefOrRef, md.cell(T.InterfaceImpl, r, 1));
        if (iface.row === 0) continue;
        const list = m.get(cls) ?? [];
        list.push(iface);
        m.set(cls, list);
      }
      this.interfaces = m;
    }
    return this.interfaces.get(row) ?? [];
  }

  /** II.22.20: does the TypeDef own generic parameters (an open generic type)? */
  hasGenericParams(row: number): boolean {
    if (!this.genericOwners) {
      const s = new Set<number>();
      const md = this.md;
      for (let r = 1; r <= md.rowCount(T.GenericParam); r++) {
        const owner = md.decode(CI.TypeOrMethodDef, md.cell(T.GenericParam, r, 2));
        if (owner.table === T.TypeDef) s.add(owner.row);
      }
      this.genericOwners = s;
    }
    return this.genericOwners.has(row);
  }

  /** Top-level TypeDef by namespace-qualified name, or 0. */
  findTopLevel(fullName: string): number {
    if (!this.topLevelByName) {
      const m = new Map<string, number>();
      for (let r = 1; r <= this.typeDefCount; r++) {
        if (this.enclosing(r)) continue;
        const t = this.typeDef(r);
        if (!m.has(t.fullName)) m.set(t.fullName, r);
      }
      this.topLevelByName = m;
    }
    return this.topLevelByName.get(fullName) ?? 0;
  }

  /** A TypeDef nested directly in `encloser` with simple name `name`, or 0. */
  findNested(encloser: number, name: string): number {
    this.enclosing(1);
    for (const r of this.nestedByEncloser?.get(encloser) ?? []) {
      if (this.md.string(this.md.cell(T.TypeDef, r, 1)) === name) return r;
    }
    return 0;
  }

  /** II.22.38 a TypeRef's ResolutionScope (row 0 = null scope). */
  typeRefScope(row: number): CodedRef {
    return this.md.decode(CI.ResolutionScope, this.md.cell(T.TypeRef, row, 0));
  }

  typeRefSimpleName(row: number): { name: string; namespace: string } {
    return { name: this.md.string(this.md.cell(T.TypeRef, row, 1)), namespace: this.md.string(this.md.cell(T.TypeRef, row, 2)) };
  }

  /** Namespace.Name of a TypeRef, nested refs (scope = TypeRef) as Outer+Inner. */
  typeRefName(row: number): string {
    const hit = this.typeRefNames.get(row);
    if (hit !== undefined) return hit;
    const parts: string[] = [];
    const seen = new Set<number>();
    let r = row;
    let ns = "";
    for (;;) {
      if (seen.has(r) || seen.size > MAX_NESTING) throw corrupt(`TypeRef row ${row}'s resolution scopes form a loop or nest more than ${MAX_NESTING} levels`);
      seen.add(r);
      const { name, namespace } = this.typeRefSimpleName(r);
      parts.unshift(name);
      ns = namespace;
      const scope = this.typeRefScope(r);
      if (scope.table !== T.TypeRef || scope.row === 0) break;
      r = scope.row;
    }
    const full = (ns ? ns + "." : "") + parts.join("+");
    this.typeRefNames.set(row, full);
    return full;
  }

  /** The outermost TypeRef of a nested TypeRef chain (whose scope says which assembly holds it). */
  outermostTypeRef(row: number): number {
    let r = row;
    for (let i = 0; i <= MAX_NESTING; i++) {
      const scope = this.typeRefScope(r);
      if (scope.table !== T.TypeRef || scope.row === 0) return r;
      r = scope.row;
    }
    throw corrupt(`TypeRef row ${row}'s resolution scopes nest more than ${MAX_NESTING} levels`);
  }

  /** Full name of a TypeDef or TypeRef; TypeSpecs are described by their generic type's name. */
  typeName(ref: CodedRef): string {
    if (ref.table === T.TypeDef) return this.typeDef(ref.row).fullName;
    if (ref.table === T.TypeRef) return this.typeRefName(ref.row);
    if (ref.table === T.TypeSpec) {
      const g = this.genericTypeOfSpec(ref.row);
      return g ? this.typeName(g) : `TypeSpec row ${ref.row}`;
    }
    throw corrupt(`expected a type, found a reference to ${tableName(ref.table)} row ${ref.row}`);
  }

  /**
   * II.23.2.14 TypeSpec blob of a generic instantiation: GENERICINST (0x15), CLASS (0x12) or VALUETYPE
   * (0x11), then the generic type as a TypeDefOrRefOrSpecEncoded (II.23.2.8). Returns that generic type
   * (a TypeDef or TypeRef), or null for any other kind of TypeSpec.
   */
  genericTypeOfSpec(row: number): CodedRef | null {
    const blob = this.md.blob(this.md.cell(T.TypeSpec, row, 0));
    const r = new ByteReader(blob, 0, blob.length, `the signature of TypeSpec row ${row}`);
    if (blob.length < 3 || blob[0] !== 0x15 || (blob[1] !== 0x12 && blob[1] !== 0x11)) return null;
    const { value } = readCompressed(r, 2, `the generic type in TypeSpec row ${row}`);
    const tag = value & 3;
    const target = value >>> 2;
    if (target === 0 || (tag !== 0 && tag !== 1)) return null;
    return { table: tag === 0 ? T.TypeDef : T.TypeRef, row: target };
  }

  /** II.22.14 ExportedType rows that forward `fullName` (top-level only) to another assembly: AssemblyRef rows. */
  forwardedTo(fullName: string): number[] {
    const md = this.md;
    const out: number[] = [];
    for (let r = 1; r <= md.rowCount(T.ExportedType); r++) {
      const name = md.string(md.cell(T.ExportedType, r, 2));
      const ns = md.string(md.cell(T.ExportedType, r, 3));
      if ((ns ? ns + "." : "") + name !== fullName) continue;
      const impl = md.decode(CI.Implementation, md.cell(T.ExportedType, r, 4));
      if (impl.table === T.AssemblyRef && impl.row > 0) out.push(impl.row);
    }
    return out;
  }

  /**
   * Reads every row a walk across assemblies can touch (TypeDefs with their bases, nesting and
   * interfaces, TypeRefs with their scopes, AssemblyRefs, ExportedTypes), so that damage in a
   * referenced assembly shows when it is loaded, where it can be reported as "could not be read",
   * rather than midway through classifying a type of the assembly being read.
   */
  touchAll(): void {
    const md = this.md;
    for (let r = 1; r <= this.typeDefCount; r++) {
      const td = this.typeDef(r);
      if (td.extends) this.typeName(td.extends);
      for (const i of this.interfacesOf(r)) this.typeName(i);
    }
    for (let r = 1; r <= md.rowCount(T.TypeRef); r++) {
      this.typeRefName(r);
      const scope = this.typeRefScope(this.outermostTypeRef(r));
      if (scope.table === T.AssemblyRef && scope.row > 0) this.assemblyRef(scope.row);
    }
    this.assemblyRefs();
    for (let r = 1; r <= md.rowCount(T.ExportedType); r++) {
      const impl = md.decode(CI.Implementation, md.cell(T.ExportedType, r, 4));
      if (impl.table === T.AssemblyRef && impl.row > 0) this.assemblyRef(impl.row);
    }
    this.forwardedTo("");
  }

  /** The TypeDef that owns MethodDef `method` (II.22.37 MethodList ranges), or 0. */
  private methodOwner(method: number): number {
    const md = this.md;
    let lo = 1;
    let hi = this.typeDefCount;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (md.cell(T.TypeDef, mid, 5) <= method) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** II.22.10 custom attributes whose parent is the Assembly row, with their attribute type's name. */
  assemblyAttributes(): CustomAttributeInfo[] {
    const md = this.md;
    const out: CustomAttributeInfo[] = [];
    const n = md.rowCount(T.CustomAttribute);
    for (let r = 1; r <= n; r++) {
      const parent = md.decode(CI.HasCustomAttribute, md.cell(T.CustomAttribute, r, 0));
      if (parent.table !== T.Assembly) continue;
      const ctor = md.decode(CI.CustomAttributeType, md.cell(T.CustomAttribute, r, 1));
      let type: string | null = null;
      if (ctor.table === T.MemberRef) {
        const cls = md.decode(CI.MemberRefParent, md.cell(T.MemberRef, ctor.row, 0));
        if (cls.table === T.TypeRef || cls.table === T.TypeDef || cls.table === T.TypeSpec) type = this.typeName(cls);
      } else if (ctor.table === T.MethodDef) {
        const owner = this.methodOwner(ctor.row);
        if (owner) type = this.typeDef(owner).fullName;
      }
      if (type !== null) out.push({ type, value: md.blob(md.cell(T.CustomAttribute, r, 2)) });
    }
    return out;
  }
}

/**
 * II.23.3 custom attribute blob whose first fixed argument is a string: prolog 0x0001, then a SerString
 * (compressed length + UTF-8, or 0xFF for null). Returns null when the blob does not have that shape.
 */
export function firstStringArgument(value: Uint8Array): string | null {
  if (value.length < 3 || value[0] !== 0x01 || value[1] !== 0x00) return null;
  if (value[2] === 0xff) return null;
  const r = new ByteReader(value, 0, value.length, "a custom attribute value");
  try {
    const { value: len, size } = readCompressed(r, 2, "a custom attribute string's length");
    return new TextDecoder("utf-8").decode(r.slice(2 + size, len, "a custom attribute string"));
  } catch (e) {
    if (isDvsolError(e)) return null; // malformed attribute blobs do not stop the CLR from loading the assembly either
    throw e;
  }
}
