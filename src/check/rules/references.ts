/** Rules on references between components: steps -> types and endpoints, root components <-> components. */
import type { Finding } from "../../findings/types.js";
import { parseQualifiedName } from "../../model/names.js";
import type { PluginAssembly, RootComponent } from "../../model/types.js";
import { COMPONENT_TYPE, EVENT_HANDLER_SERVICE_ENDPOINT } from "../../model/types.js";
import { assemblyNameOf, isBuiltInType, requiredBy, sameId, type RuleContext } from "../context.js";

const is = (t: string | undefined, code: number, name: string): boolean => t === String(code) || (t ?? "").toLowerCase() === name.toLowerCase();
const eq = (a: string | null | undefined, b: string | null | undefined): boolean => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

export function stepReferenceRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const sol = ctx.sol;
  for (const s of sol.steps) {
    const ref = ctx.stepRef(s);
    const toEndpoint = s.eventHandler !== null || s.eventHandlerTypeCode === EVENT_HANDLER_SERVICE_ENDPOINT;
    if (toEndpoint) {
      if (s.eventHandler && !sol.endpoints.some((e) => e.id === s.eventHandler)) {
        const declared = requiredBy(sol, (r) => is(r.type, COMPONENT_TYPE.serviceEndpoint, "ServiceEndpoint") && (sameId(r.id, s.eventHandler) || sameId(r["id.serviceendpointid"], s.eventHandler)));
        if (!declared) out.push(ctx.make("STEP_ENDPOINT_MISSING", { step: ctx.stepName(s), endpoint: s.eventHandler }, ref, ctx.where(s.loc, "EventHandler")));
      }
      continue;
    }
    if (!s.pluginTypeName && !s.pluginTypeId) continue;
    if (isBuiltInType(s.pluginTypeName)) continue;
    if (ctx.stepType(s)) continue;
    const q = s.pluginTypeName ? parseQualifiedName(s.pluginTypeName) : null;
    const className = q?.typeName ?? null;
    const asmName = q?.assembly?.name ?? null;
    const declared = requiredBy(sol, (r) => {
      if (is(r.type, COMPONENT_TYPE.pluginType, "PluginType")) {
        return sameId(r.id, s.pluginTypeId) || eq(r.schemaName, className) || eq(r.schemaName, s.pluginTypeName) || eq(parseQualifiedName(r.schemaName ?? "").typeName, className);
      }
      if (is(r.type, COMPONENT_TYPE.pluginAssembly, "PluginAssembly")) return eq(assemblyNameOf(r.schemaName), asmName);
      return false;
    });
    if (!declared) out.push(ctx.make("STEP_TYPE_MISSING", { step: ctx.stepName(s), type: s.pluginTypeName ?? s.pluginTypeId, typeId: s.pluginTypeId }, ref, ctx.where(s.loc, s.pluginTypeName ? "PluginTypeName" : "PluginTypeId")));
  }
  return out;
}

/** The assembly a type-91 root component stands for: by id, else by the name in its schemaName. */
export function assemblyOfRoot(assemblies: readonly PluginAssembly[], rc: RootComponent): PluginAssembly | undefined {
  if (rc.id) {
    const byId = assemblies.find((a) => a.id === rc.id);
    if (byId) return byId;
  }
  const name = assemblyNameOf(rc.schemaName);
  if (!name) return undefined;
  // An id that matches no assembly still names one when the assembly itself has no id (old exports).
  return assemblies.find((a) => (!rc.id || !a.id) && eq(a.name, name));
}

export function rootComponentRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const sol = ctx.sol;
  const roots = sol.manifest.rootComponents;
  const rootsOf = (type: number) => roots.filter((r) => r.type === type);
  const loc = (rc: RootComponent) => ctx.where(rc.loc);
  const asmIndex = ctx.assemblyRoots();
  const stepIds = new Set(sol.steps.map((s) => s.id));
  const endpointIds = new Set(sol.endpoints.map((e) => e.id));

  // Root components that name something the solution does not hold.
  for (const rc of rootsOf(COMPONENT_TYPE.pluginAssembly)) {
    if (!asmIndex.of(rc)) {
      out.push(ctx.make("ROOT_WITHOUT_COMPONENT", { kind: "plug-in assembly", ref: rc.schemaName ?? rc.id, type: rc.type }, { kind: "rootcomponent", id: rc.id, name: rc.schemaName }, loc(rc)));
    }
  }
  for (const rc of rootsOf(COMPONENT_TYPE.step)) {
    if (rc.id && !stepIds.has(rc.id)) {
      out.push(ctx.make("ROOT_WITHOUT_COMPONENT", { kind: "step", ref: rc.id, type: rc.type }, { kind: "rootcomponent", id: rc.id, name: rc.schemaName }, loc(rc)));
    }
  }
  for (const rc of rootsOf(COMPONENT_TYPE.serviceEndpoint)) {
    if (rc.id && !endpointIds.has(rc.id)) {
      out.push(ctx.make("ROOT_WITHOUT_COMPONENT", { kind: "service endpoint", ref: rc.id, type: rc.type }, { kind: "rootcomponent", id: rc.id, name: rc.schemaName }, loc(rc)));
    }
  }

  // Components without their root component.
  for (const a of sol.assemblies) {
    if (!asmIndex.rootsOf(a).length) {
      out.push(ctx.make("COMPONENT_WITHOUT_ROOT", { kind: "plug-in assembly", ref: a.fullName, type: COMPONENT_TYPE.pluginAssembly }, ctx.assemblyRef(a), ctx.where(a.loc)));
    }
  }
  const stepRoots = new Set(rootsOf(COMPONENT_TYPE.step).map((r) => r.id));
  for (const s of sol.steps) {
    if (!stepRoots.has(s.id)) {
      out.push(ctx.make("COMPONENT_WITHOUT_ROOT", { kind: "step", ref: `"${ctx.stepName(s)}" (${s.id})`, type: COMPONENT_TYPE.step }, ctx.stepRef(s), ctx.where(s.loc)));
    }
  }
  const epRoots = new Set(rootsOf(COMPONENT_TYPE.serviceEndpoint).map((r) => r.id));
  for (const e of sol.endpoints) {
    if (!epRoots.has(e.id)) {
      out.push(ctx.make("COMPONENT_WITHOUT_ROOT", { kind: "service endpoint", ref: `"${e.name}" (${e.id})`, type: COMPONENT_TYPE.serviceEndpoint }, ctx.endpointRef(e), ctx.where(e.loc)));
    }
  }
  return out;
}
