/**
 * Which types the Plug-in Registration Tool would offer: public, non-abstract, non-generic classes that
 * implement Microsoft.Xrm.Sdk.IPlugin or derive from System.Activities.CodeActivity, found by walking
 * base classes (II.22.37 Extends) and interfaces (II.22.23) through this assembly and, when the caller
 * can supply them, the assemblies it references.
 *
 * Only System.Activities.CodeActivity counts as a workflow activity: Dataverse registers CodeActivity
 * subclasses; CodeActivity<T>, NativeActivity and AsyncCodeActivity do not qualify.
 *
 * Interfaces: C# and VB list every interface a class implements, including the bases of those
 * interfaces, in InterfaceImpl. So an interface that cannot be resolved does not make a class
 * undetermined; only a base class that cannot be resolved does.
 */
import { DvsolError, isDvsolError } from "../errors.js";
import { T, tableName, type CodedRef } from "./metadata.js";
import { ModuleView, TypeAttr } from "./module.js";
import { corrupt } from "./pe.js";

export const IPLUGIN = "Microsoft.Xrm.Sdk.IPlugin";
export const CODE_ACTIVITY = "System.Activities.CodeActivity";

/**
 * Assemblies whose types are known to neither implement IPlugin nor derive from CodeActivity: the core
 * libraries and framework assemblies that do not reference Microsoft.Xrm.Sdk or System.Activities, and
 * the Dataverse SDK assemblies themselves (whose IPlugin is recognised by name). A base class from one of
 * these ends the walk with "no" instead of "undetermined".
 */
const KNOWN_ASSEMBLIES = new Set(
  [
    "mscorlib", "netstandard", "System.Runtime", "System.Private.CoreLib", "System", "System.Core", "System.Xml",
    "System.Xml.Linq", "System.Data", "System.Drawing", "System.Net.Http", "System.Runtime.Serialization",
    "System.ComponentModel.DataAnnotations", "System.Configuration", "System.Transactions", "System.Numerics",
    "System.IdentityModel", "System.ServiceModel", "Microsoft.Xrm.Sdk", "Microsoft.Crm.Sdk.Proxy",
  ].map((s) => s.toLowerCase()),
);

/** Limits that keep damaged or hostile metadata from looping or recursing without end. */
const MAX_BASE_CHAIN = 256;
const MAX_INTERFACE_DEPTH = 64;
const MAX_FORWARDS = 8;
const MAX_MODULES = 64;

export type PluginKind = "plugin" | "workflow-activity";

export interface Classification {
  kind: PluginKind | null;
  /** Set when no answer was found and the base chain leaves for a type that could not be resolved. */
  undetermined: { baseType: string; reason: string } | null;
}

interface Loaded {
  id: number;
  mod: ModuleView;
}

type Target =
  | { kind: "def"; m: Loaded; row: number }
  /** A type outside what could be read: reason null means a known framework type (not a plug-in). */
  | { kind: "external"; name: string; reason: string | null };

interface Verdict {
  plugin: boolean;
  activity: boolean;
  unresolved: { baseType: string; reason: string } | null;
}

// Shared verdicts: most types get one of these, so the memo holds no object of its own for them.
const NONE: Verdict = Object.freeze({ plugin: false, activity: false, unresolved: null });
const PLUGIN: Verdict = Object.freeze({ plugin: true, activity: false, unresolved: null });
const ACTIVITY: Verdict = Object.freeze({ plugin: false, activity: true, unresolved: null });
const PLUGIN_ACTIVITY: Verdict = Object.freeze({ plugin: true, activity: true, unresolved: null });

function makeVerdict(plugin: boolean, activity: boolean, unresolved: Verdict["unresolved"]): Verdict {
  if (unresolved) return { plugin, activity, unresolved };
  return plugin ? (activity ? PLUGIN_ACTIVITY : PLUGIN) : activity ? ACTIVITY : NONE;
}

const IS_PLUGIN: Classification = Object.freeze({ kind: "plugin", undetermined: null });
const IS_ACTIVITY: Classification = Object.freeze({ kind: "workflow-activity", undetermined: null });
const IS_NEITHER: Classification = Object.freeze({ kind: null, undetermined: null });

const typeKey = (m: Loaded, row: number): number => m.id * 0x1000000 + row;

export class TypeWorld {
  private readonly main: Loaded;
  private readonly byName = new Map<string, Loaded | string>();
  private nextId = 1;
  /** Memos keyed by module id * 2^24 + TypeDef row (rows fit in 24 bits, II.22). */
  private readonly verdicts = new Map<number, Verdict>();
  private readonly ifaceMemo = new Map<number, boolean>();

  constructor(
    mainModule: ModuleView,
    mainName: string,
    private readonly resolveReference?: (name: string) => Uint8Array | null,
  ) {
    this.main = { id: 0, mod: mainModule };
    this.byName.set(mainName.toLowerCase(), this.main);
  }

  /** Classifies a TypeDef of the main assembly, or returns null if it is not a candidate at all. */
  classify(row: number): Classification | null {
    const mod = this.main.mod;
    const md = mod.md;
    // Cheap checks on the raw row first: most types are not candidates.
    if (md.cell(T.TypeDef, row, 0) & (TypeAttr.Interface | TypeAttr.Abstract)) return null;
    if (!mod.isVisibleOutside(row)) return null;
    if (mod.hasGenericParams(row) || md.string(md.cell(T.TypeDef, row, 1)).includes("`")) return null;
    const ext = mod.extendsOf(row);
    if (!ext) return null; // no base type: System.Object itself, or an interface
    const base = mod.typeName(ext);
    if (base === "System.ValueType" || base === "System.Enum") return null; // structs and enums are not classes
    const v = this.verdict(this.main, row);
    if (v.plugin) return IS_PLUGIN;
    if (v.activity) return IS_ACTIVITY;
    if (v.unresolved) return { kind: null, undetermined: v.unresolved };
    return IS_NEITHER;
  }

  /** Walks the base chain from a TypeDef (iteratively, memoised per type, loops detected). */
  private verdict(startModule: Loaded, startRow: number): Verdict {
    const known = this.verdicts.get(typeKey(startModule, startRow));
    if (known) return known;
    const path: { m: Loaded; row: number; key: number }[] = [];
    let cur: { m: Loaded; row: number } = { m: startModule, row: startRow };
    let tail: Verdict = NONE;
    for (;;) {
      const key = typeKey(cur.m, cur.row);
      const memo = this.verdicts.get(key);
      if (memo) {
        tail = memo;
        break;
      }
      const loop = path.some((p) => p.key === key); // chains are short: a scan beats a Set
      if (loop || path.length >= MAX_BASE_CHAIN) {
        const problem = loop
          ? `the base classes form a loop: ${[...path, cur].map((p) => p.m.mod.typeDef(p.row).fullName).join(" -> ")}`
          : `the base-class chain of ${startModule.mod.typeDef(startRow).fullName} is more than ${MAX_BASE_CHAIN} classes deep`;
        // Damage in this assembly is its own; damage met in a referenced one only leaves the answer open.
        if (cur.m === this.main && path.every((p) => p.m === this.main)) throw corrupt(problem);
        tail = { plugin: false, activity: false, unresolved: { baseType: cur.m.mod.typeDef(cur.row).fullName, reason: problem } };
        break;
      }
      path.push({ m: cur.m, row: cur.row, key });
      const ext = cur.m.mod.extendsOf(cur.row);
      if (!ext) break;
      const baseName = cur.m.mod.typeName(ext);
      if (baseName === CODE_ACTIVITY) {
        tail = ACTIVITY;
        break;
      }
      if (baseName === "System.Object") break;
      const t = this.target(cur.m, ext);
      if (t.kind === "external") {
        if (t.reason !== null) tail = { plugin: false, activity: false, unresolved: { baseType: t.name, reason: t.reason } };
        break;
      }
      cur = t;
    }
    // Fill in verdicts from the top of the chain down.
    let next = tail;
    for (let i = path.length - 1; i >= 0; i--) {
      const p = path[i]!;
      const v = makeVerdict(
        next.plugin || this.implementsIPlugin(p.m, p.row),
        next.activity || p.m.mod.isTopLevelNamed(p.row, "System.Activities", "CodeActivity"),
        next.unresolved,
      );
      this.verdicts.set(p.key, v);
      next = v;
    }
    return next;
  }

  /** Does the TypeDef list IPlugin, or an interface that (transitively) extends it? */
  private implementsIPlugin(m: Loaded, row: number): boolean {
    return m.mod.interfacesOf(row).some((i) => this.isIPlugin(m, i, 0));
  }

  private isIPlugin(m: Loaded, ref: CodedRef, depth: number): boolean {
    if (depth > MAX_INTERFACE_DEPTH) {
      if (m === this.main) throw corrupt(`interfaces extend each other more than ${MAX_INTERFACE_DEPTH} levels deep`);
      return false;
    }
    if (m.mod.typeName(ref) === IPLUGIN) return true;
    const t = this.target(m, ref);
    if (t.kind === "external") return false;
    const key = typeKey(t.m, t.row);
    const memo = this.ifaceMemo.get(key);
    if (memo !== undefined) return memo;
    this.ifaceMemo.set(key, false); // a loop of interfaces adds nothing
    const yes = t.m.mod.interfacesOf(t.row).some((i) => this.isIPlugin(t.m, i, depth + 1));
    this.ifaceMemo.set(key, yes);
    return yes;
  }

  /** Finds the definition a TypeDef, TypeRef or generic TypeSpec stands for. */
  private target(m: Loaded, ref: CodedRef): Target {
    const mod = m.mod;
    if (ref.table === T.TypeDef) {
      if (ref.row < 1 || ref.row > mod.typeDefCount) throw corrupt(`a reference to TypeDef row ${ref.row}, but there are ${mod.typeDefCount}`);
      return { kind: "def", m, row: ref.row };
    }
    if (ref.table === T.TypeSpec) {
      const g = mod.genericTypeOfSpec(ref.row);
      if (!g) return { kind: "external", name: `TypeSpec row ${ref.row}`, reason: "its base type is neither a class nor a generic class instantiation" };
      return this.target(m, g);
    }
    if (ref.table !== T.TypeRef) throw corrupt(`a type reference points to ${tableName(ref.table)} row ${ref.row}, which is not a type`);
    const name = mod.typeRefName(ref.row);
    // The chain of TypeRefs from the outermost type inwards (nested types are scoped by their encloser).
    const chain: number[] = [];
    for (let r = ref.row; ; ) {
      chain.unshift(r);
      const s = mod.typeRefScope(r);
      if (s.table !== T.TypeRef || s.row === 0) break;
      r = s.row;
      if (chain.length > 64) throw corrupt(`TypeRef row ${ref.row} is nested more than 64 levels deep`);
    }
    const scope = mod.typeRefScope(chain[0]!);
    if (scope.table === T.Module) return this.findIn(m, mod, chain) ?? { kind: "external", name, reason: `it is declared as part of this assembly, but no such type is defined in it` };
    if (scope.table === T.ModuleRef) return { kind: "external", name, reason: "it is in another module of this multi-module assembly, which dvsol does not read" };
    if (scope.table !== T.AssemblyRef || scope.row === 0) return { kind: "external", name, reason: "its type reference names no assembly" };
    const asm = mod.assemblyRef(scope.row).name;
    if (KNOWN_ASSEMBLIES.has(asm.toLowerCase())) return { kind: "external", name, reason: null };
    let holder = this.load(asm);
    if (typeof holder === "string") return { kind: "external", name, reason: holder };
    // II.22.14: the assembly may forward the (outermost) type to another one, which may forward it again.
    const outer = mod.typeRefName(chain[0]!);
    for (let hops = 0; ; hops++) {
      const found = this.findIn(holder, mod, chain);
      if (found) return found;
      const fwd = holder.mod.forwardedTo(outer)[0];
      if (fwd === undefined) return { kind: "external", name, reason: hops ? `it is forwarded to an assembly that does not define it` : `it is not defined in ${asm}` };
      if (hops >= MAX_FORWARDS) return { kind: "external", name, reason: `it is forwarded from assembly to assembly more than ${MAX_FORWARDS} times` };
      const dest = holder.mod.assemblyRef(fwd).name;
      if (KNOWN_ASSEMBLIES.has(dest.toLowerCase())) return { kind: "external", name, reason: null };
      holder = this.load(dest);
      if (typeof holder === "string") return { kind: "external", name, reason: holder };
    }
  }

  /** Looks a TypeRef chain up by name among the definitions of `where`. */
  private findIn(where: Loaded, refMod: ModuleView, chain: number[]): Target | null {
    let row = where.mod.findTopLevel(refMod.typeRefName(chain[0]!));
    for (let i = 1; row && i < chain.length; i++) row = where.mod.findNested(row, refMod.typeRefSimpleName(chain[i]!).name);
    return row ? { kind: "def", m: where, row } : null;
  }

  /** Loads a referenced assembly through the caller's resolver; a string is the reason it is not available. */
  private load(name: string): Loaded | string {
    const key = name.toLowerCase();
    const hit = this.byName.get(key);
    if (hit !== undefined) return hit;
    let result: Loaded | string;
    if (!this.resolveReference) {
      result = `it is defined in ${name}, which was not provided`;
    } else if (this.nextId > MAX_MODULES) {
      result = `it is defined in ${name}, but more than ${MAX_MODULES} referenced assemblies were already read`;
    } else {
      try {
        // The resolver may throw DvsolError (an unreadable file); that, like a damaged one, leaves the type open.
        const bytes = this.resolveReference(name);
        if (!bytes) {
          result = `it is defined in ${name}, which was not found`;
        } else {
          const mod = new ModuleView(bytes);
          const id = mod.identity();
          if (!id) result = `the file found for ${name} is a module without an assembly manifest`;
          else if (id.name.toLowerCase() !== key) result = `the file found for ${name} is assembly ${id.name}`;
          else {
            mod.touchAll();
            result = { id: this.nextId++, mod };
          }
        }
      } catch (e) {
        if (!isDvsolError(e)) throw e;
        result = `it is defined in ${name}, which could not be read (${(e as DvsolError).code}: ${e.message})`;
      }
    }
    this.byName.set(key, result);
    return result;
  }
}
