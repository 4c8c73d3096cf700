/**
 * What every rule needs besides the solution: resolved messages, component references and locations,
 * and lookups of types and endpoints. Built once per check; pure.
 */
import { finding } from "../findings/catalog.js";
import type { ComponentKind, ComponentRef, Finding, FindingArgs, FindingLocation } from "../findings/types.js";
import type { ElementLoc, PluginAssembly, PluginType, ServiceEndpoint, Solution, Step, StepImage } from "../model/types.js";
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
  /** Makes a finding with the catalogue's default severity. */
  make(code: string, args: FindingArgs, component: ComponentRef, location: FindingLocation): Finding;
}

export function createContext(sol: Solution): RuleContext {
  const messages = new WeakMap<Step, ResolvedMessage>();
  const typesById = new Map<string, TypeEntry>();
  const typesByClass = new Map<string, TypeEntry[]>();
  for (const a of sol.assemblies) {
    for (const t of a.types) {
      const e = { assembly: a, type: t };
      if (t.id && !typesById.has(t.id)) typesById.set(t.id, e);
      const k = t.typeName.toLowerCase();
      typesByClass.set(k, [...(typesByClass.get(k) ?? []), e]);
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
    },
    make(code, args, component, location) {
      return finding(code, args, { component, location });
    },
  };
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
