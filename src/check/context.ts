/**
 * What every rule needs besides the solution: resolved messages, component references and locations,
 * and lookups of types and endpoints. Built once per check; pure.
 */
import { finding } from "../findings/catalog.js";
import type { ComponentKind, ComponentRef, Finding, FindingArgs, FindingLocation } from "../findings/types.js";
import type { ElementLoc, PluginAssembly, PluginType, RootComponent, ServiceEndpoint, Solution, Step, StepImage } from "../model/types.js";
import { COMPONENT_TYPE } from "../model/types.js";
import { parseFullName, parseQualifiedName } from "../model/names.js";
import { normId } from "../model/ids.js";
import { child } from "../xml/dom.js";
import { elementPath } from "../xml/parse.js";
import { resolveMessage, type ResolvedMessage } from "./messages.js";

export interface TypeEntry {
  assembly: PluginAssembly;
  type: PluginType;
}

export interface RuleContext {
  sol: Solution;
  /** The step's message, resolved once (see messages.ts). */
  message(step: Step): ResolvedMessage;
  /** Location of an element, or of one of its children when present (more precise lines for SARIF). */
  where(loc: ElementLoc, childName?: string): FindingLocation;
  stepRef(step: Step): ComponentRef;
  imageRef(step: Step, image: StepImage): ComponentRef;
  assemblyRef(a: PluginAssembly): ComponentRef;
  typeRef(t: PluginType): ComponentRef;
  endpointRef(e: ServiceEndpoint): ComponentRef;
  /** A display name for a step: its Name, else its id. */
  stepName(step: Step): string;
  /** The registered type a step runs, by PluginTypeId, else by class and assembly name (any version). */
  stepType(step: Step): TypeEntry | undefined;
  /** The solution's type-91 root components matched to its assemblies (indexed; built on first use). */
  assemblyRoots(): AssemblyRoots;
  /** Makes a finding with the catalogue's default severity. */
  make(code: string, args: FindingArgs, component: ComponentRef, location: FindingLocation): Finding;
}

export function createContext(sol: Solution): RuleContext {
  const messages = new WeakMap<Step, ResolvedMessage>();
  const stepTypes = new Map<Step, TypeEntry | undefined>();
  let assemblyRoots: AssemblyRoots | undefined;
  const typesById = new Map<string, TypeEntry>();
  const typesByClass = new Map<string, TypeEntry[]>();
  for (const a of sol.assemblies) {
    for (const t of a.types) {
      const e = { assembly: a, type: t };
      if (t.id && !typesById.has(t.id)) typesById.set(t.id, e);
      const k = t.typeName.toLowerCase();
      const same = typesByClass.get(k);
      if (same) same.push(e);
      else typesByClass.set(k, [e]);
    }
  }
  const file = sol.source.location;
  const ref = (kind: ComponentKind, id: string | null, name: string | null): ComponentRef => ({ kind, id, name });
  const stepName = (s: Step): string => (s.name && s.name.trim() ? s.name : s.id);
  return {
    sol,
    message(step) {
      let r = messages.get(step);
      if (!r) {
        r = resolveMessage(step);
        messages.set(step, r);
      }
      return r;
    },
    where(loc, childName) {
      const el = (childName ? child(loc.el, childName) : undefined) ?? loc.el;
      return { file, entry: loc.doc, line: el.line, path: elementPath(el) };
    },
    stepRef: (s) => ref("step", s.id, stepName(s)),
    imageRef: (s, i) => ref("image", i.id, `${stepName(s)} / ${i.alias ?? i.name ?? "?"}`),
    assemblyRef: (a) => ref("assembly", a.id, a.name),
    typeRef: (t) => ref("plugintype", t.id, t.typeName),
    endpointRef: (e) => ref("endpoint", e.id, e.name),
    stepName,
    stepType(step) {
      if (stepTypes.has(step)) return stepTypes.get(step);
      const t = findStepType(step);
      stepTypes.set(step, t);
      return t;
    },
    assemblyRoots() {
      return (assemblyRoots ??= indexAssemblyRoots(sol.assemblies, sol.manifest.rootComponents));
    },
    make(code, args, component, location) {
      return finding(code, args, { component, location });
    },
  };

  function findStepType(step: Step): TypeEntry | undefined {
    if (step.pluginTypeId) {
      const byId = typesById.get(step.pluginTypeId);
      if (byId) return byId;
    }
    if (!step.pluginTypeName) return undefined;
    const q = parseQualifiedName(step.pluginTypeName);
    const candidates = typesByClass.get(q.typeName.toLowerCase()) ?? [];
    if (!q.assembly) return candidates[0];
    const asmName = q.assembly.name.toLowerCase();
    return candidates.find((c) => c.assembly.name.toLowerCase() === asmName);
  }
}

/** Plug-in types that Dataverse itself provides (service endpoint and webhook handlers, ...). */
export function isBuiltInType(pluginTypeName: string | null): boolean {
  if (!pluginTypeName) return false;
  const q = parseQualifiedName(pluginTypeName);
  const asm = q.assembly?.name ?? "";
  return /^Microsoft\.Crm(\.|$)/i.test(asm) || /^Microsoft\.Crm\./i.test(q.typeName);
}

/** True when a MissingDependency's Required side names this component. */
export function requiredBy(sol: Solution, match: (req: Record<string, string>) => boolean): boolean {
  return sol.manifest.missingDependencies.some((d) => match(d.required));
}

export function sameId(a: string | null | undefined, b: string | null | undefined): boolean {
  const x = normId(a);
  return x !== null && x === normId(b);
}

/** Simple assembly name of a FullName or AssemblyQualifiedName's assembly part. */
export function assemblyNameOf(fullName: string | null | undefined): string {
  return fullName ? parseFullName(fullName).name : "";
}

/**
 * The type-91 root components of a solution matched to its assemblies through indexes (by id and by name),
 * so that a solution with hundreds of assemblies costs no assemblies x roots scan:
 * - `of(rc)` is assemblyOfRoot(sol.assemblies, rc);
 * - `rootsOf(a)` lists, in document order, the roots for which assemblyOfRoot([a], rc) is a.
 */
export interface AssemblyRoots {
  of(rc: RootComponent): PluginAssembly | undefined;
  rootsOf(a: PluginAssembly): readonly RootComponent[];
}

const nameKey = (n: string): string => n.trim().toLowerCase();

export function indexAssemblyRoots(assemblies: readonly PluginAssembly[], roots: readonly RootComponent[]): AssemblyRoots {
  const byId = new Map<string, PluginAssembly[]>();
  const byName = new Map<string, PluginAssembly[]>();
  for (const a of assemblies) {
    if (a.id) {
      const l = byId.get(a.id);
      if (l) l.push(a);
      else byId.set(a.id, [a]);
    }
    // eq() needs both names non-empty; a root's name is trimmed and non-empty, so a blank key never matches.
    if (a.name) {
      const k = nameKey(a.name);
      const l = byName.get(k);
      if (l) l.push(a);
      else byName.set(k, [a]);
    }
  }
  const of = (rc: RootComponent): PluginAssembly | undefined => {
    if (rc.id) {
      const hit = byId.get(rc.id)?.[0];
      if (hit) return hit;
    }
    const name = assemblyNameOf(rc.schemaName);
    if (!name) return undefined;
    return byName.get(nameKey(name))?.find((a) => !rc.id || !a.id);
  };
  const matched = new Map<PluginAssembly, RootComponent[]>();
  const push = (a: PluginAssembly, rc: RootComponent) => {
    const l = matched.get(a);
    if (!l) matched.set(a, [rc]);
    else if (l[l.length - 1] !== rc) l.push(rc);
  };
  for (const rc of roots) {
    if (rc.type !== COMPONENT_TYPE.pluginAssembly) continue;
    // assemblyOfRoot([a], rc) === a: a has the root's id, or a's name is the root's and one of the two has no id.
    const viaId = rc.id ? (byId.get(rc.id) ?? []) : [];
    const name = assemblyNameOf(rc.schemaName);
    const viaName = name ? (byName.get(nameKey(name)) ?? []).filter((a) => !rc.id || !a.id) : [];
    for (const a of viaId) push(a, rc);
    for (const a of viaName) push(a, rc);
  }
  return { of, rootsOf: (a) => matched.get(a) ?? [] };
}
