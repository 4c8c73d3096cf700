/** Finding the components a request names: by id, full name, or a short name unique in the solution. */
import { DvsolError } from "../errors.js";
import { isGuid, normId } from "../model/ids.js";
import { parseFullName, parseQualifiedName } from "../model/names.js";
import type { PluginAssembly, PluginType, ServiceEndpoint, Solution, Step, StepImage } from "../model/types.js";

export interface TypeMatch {
  assembly: PluginAssembly;
  type: PluginType;
}

const lc = (s: string) => s.toLowerCase();
const shortOf = (typeName: string) => typeName.slice(Math.max(typeName.lastIndexOf("."), typeName.lastIndexOf("+")) + 1);

/** Does the step run this type of this assembly? By PluginTypeId when both have one, else by qualified name. */
export function stepUsesType(step: Step, asm: PluginAssembly, type: PluginType): boolean {
  if (step.pluginTypeId && type.id) return step.pluginTypeId === type.id;
  if (!step.pluginTypeName) return false;
  const q = parseQualifiedName(step.pluginTypeName);
  if (q.typeName !== type.typeName || !q.assembly) return false;
  return lc(q.assembly.name) === lc(asm.name) && (q.assembly.version === "" || q.assembly.version === asm.version);
}

export function stepsOfType(sol: Solution, asm: PluginAssembly, type: PluginType): Step[] {
  return sol.steps.filter((s) => stepUsesType(s, asm, type));
}

export function stepsOfAssembly(sol: Solution, asm: PluginAssembly): Step[] {
  return sol.steps.filter((s) => asm.types.some((t) => stepUsesType(s, asm, t)));
}

/** The assembly and type a step runs, when they are in the solution. */
export function typeOfStep(sol: Solution, step: Step): TypeMatch | null {
  for (const a of sol.assemblies) for (const t of a.types) if (stepUsesType(step, a, t)) return { assembly: a, type: t };
  return null;
}

export function describeStep(s: Step): string {
  return `"${s.name ?? s.id}" (${s.id})`;
}

/**
 * A plug-in type by id, full class name, Name, or short class name unique in the solution; the
 * assembly can be named after a comma: "Ns.Class, DemoPlugin, Version=2.0.0.0".
 */
export function findType(sol: Solution, ref: string): TypeMatch {
  const m = findTypes(sol, ref);
  if (m.length === 1) return m[0]!;
  if (m.length === 0) {
    const known = sol.assemblies.flatMap((a) => a.types.map((t) => t.typeName));
    throw new DvsolError("EDIT_NOT_FOUND", `no plug-in type "${ref}" in the solution${known.length ? ` (types: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", ..." : ""})` : " (it has no plug-in assemblies)"}`, {
      hint: "Give the class's full name as `dvsol inspect` lists it, or add its assembly with --assembly <file.dll>.",
    });
  }
  throw new DvsolError("EDIT_AMBIGUOUS", `"${ref}" matches ${m.length} plug-in types: ${m.map((x) => `${x.type.typeName} (${x.assembly.name} ${x.assembly.version})`).join(", ")}`, {
    hint: `Give the full name, with the assembly when two versions hold the class: --type "${m[0]!.type.typeName}, ${m[0]!.assembly.name}, Version=${m[0]!.assembly.version}".`,
  });
}

export function findTypes(sol: Solution, ref: string): TypeMatch[] {
  const r = ref.trim();
  const all: TypeMatch[] = sol.assemblies.flatMap((a) => a.types.map((t) => ({ assembly: a, type: t })));
  if (isGuid(r)) {
    const id = normId(r);
    return all.filter((x) => x.type.id === id);
  }
  let typePart = r;
  let pool = all;
  const comma = r.indexOf(",");
  if (comma >= 0) {
    typePart = r.slice(0, comma).trim();
    const asm = parseFullName(r.slice(comma + 1));
    pool = all.filter((x) => lc(x.assembly.name) === lc(asm.name) && (!asm.version || x.assembly.version === asm.version));
  }
  const tiers: ((x: TypeMatch) => boolean)[] = [
    (x) => x.type.typeName === typePart || x.type.name === typePart,
    (x) => lc(x.type.typeName) === lc(typePart) || lc(x.type.name) === lc(typePart),
    (x) => lc(shortOf(x.type.typeName)) === lc(typePart),
  ];
  for (const t of tiers) {
    const m = pool.filter(t);
    if (m.length) return m;
  }
  return [];
}

/** A step by id or Name (exact, then ignoring case). */
export function findStep(sol: Solution, ref: string): Step {
  const r = ref.trim();
  if (isGuid(r)) {
    const id = normId(r);
    const same = sol.steps.filter((x) => x.id === id);
    if (!same.length) throw new DvsolError("EDIT_NOT_FOUND", `no step with id ${id} in the solution`);
    // Two steps under one id: editing "the" step would pick one silently (reliability: duplicate ids).
    if (same.length > 1) throw duplicateId("steps", id!, same.map((x) => `"${x.name ?? ""}" (${x.loc.doc}:${x.loc.el.line})`));
    return same[0]!;
  }
  let m = sol.steps.filter((s) => s.name === r);
  if (!m.length) m = sol.steps.filter((s) => s.name !== null && lc(s.name) === lc(r));
  if (m.length === 1) return m[0]!;
  if (!m.length) {
    const names = sol.steps.map((s) => `"${s.name ?? s.id}"`);
    throw new DvsolError("EDIT_NOT_FOUND", `no step named "${r}" in the solution${names.length ? ` (steps: ${names.slice(0, 10).join(", ")}${names.length > 10 ? ", ..." : ""})` : " (it has no steps)"}`);
  }
  throw new DvsolError("EDIT_AMBIGUOUS", `${m.length} steps are named "${r}": ${m.map((s) => s.id).join(", ")}`, { hint: "Give the step's id instead." });
}

export function findEndpoint(sol: Solution, ref: string): ServiceEndpoint {
  const e = findEndpointOrNull(sol, ref);
  if (e) return e;
  const names = sol.endpoints.map((x) => `"${x.name}"`);
  throw new DvsolError("EDIT_NOT_FOUND", `no service endpoint "${ref}" in the solution${names.length ? ` (endpoints: ${names.join(", ")})` : " (it has none)"}`, {
    hint: "Add it first with `dvsol add endpoint`, or give the id of an endpoint of the target environment with --no-required.",
  });
}

export function findEndpointOrNull(sol: Solution, ref: string): ServiceEndpoint | null {
  const r = ref.trim();
  if (isGuid(r)) {
    const same = sol.endpoints.filter((e) => e.id === normId(r));
    if (same.length > 1) throw duplicateId("service endpoints", normId(r)!, same.map((e) => `"${e.name}" (${e.loc.doc}:${e.loc.el.line})`));
    return same[0] ?? null;
  }
  let m = sol.endpoints.filter((e) => e.name === r);
  if (!m.length) m = sol.endpoints.filter((e) => lc(e.name) === lc(r));
  if (m.length > 1) throw new DvsolError("EDIT_AMBIGUOUS", `${m.length} service endpoints are named "${r}": ${m.map((e) => e.id).join(", ")}`, { hint: "Give the endpoint's id instead." });
  return m[0] ?? null;
}

function duplicateId(kind: string, id: string, which: string[]): DvsolError {
  return new DvsolError("SOLUTION_DUPLICATE_ID", `${which.length} ${kind} have the id ${id}: ${which.join(", ")}; dvsol cannot tell which one you mean`, {
    hint: "Give one of them a new id first (`dvsol check` lists every duplicate); Dataverse keeps only one.",
  });
}

/** An assembly by id, FullName, or name (unique). */
export function findAssembly(sol: Solution, ref: string): PluginAssembly {
  const r = ref.trim();
  let m: PluginAssembly[];
  if (isGuid(r)) m = sol.assemblies.filter((a) => a.id === normId(r));
  else if (r.includes(",")) {
    const want = parseFullName(r);
    m = sol.assemblies.filter((a) => lc(a.name) === lc(want.name) && (!want.version || a.version === want.version));
  } else m = sol.assemblies.filter((a) => lc(a.name) === lc(r));
  if (m.length === 1) return m[0]!;
  if (!m.length) {
    throw new DvsolError("EDIT_NOT_FOUND", `no plug-in assembly "${r}" in the solution${sol.assemblies.length ? ` (assemblies: ${sol.assemblies.map((a) => a.fullName).join("; ")})` : " (it has none)"}`);
  }
  throw new DvsolError("EDIT_AMBIGUOUS", `"${r}" matches ${m.length} assemblies: ${m.map((a) => `${a.fullName} (${a.id})`).join("; ")}`, {
    hint: `Give the id, or the name with its version: "${m[0]!.name}, Version=${m[0]!.version}".`,
  });
}

/** An image by id or alias/Name, optionally within one step. */
export function findImage(sol: Solution, ref: string, stepRef?: string): { step: Step; image: StepImage } {
  const steps = stepRef ? [findStep(sol, stepRef)] : sol.steps;
  const r = ref.trim();
  const all = steps.flatMap((s) => s.images.map((i) => ({ step: s, image: i })));
  let m = isGuid(r) ? all.filter((x) => x.image.id === normId(r)) : all.filter((x) => x.image.alias === r || x.image.name === r);
  if (!m.length && !isGuid(r)) m = all.filter((x) => lc(x.image.alias ?? "") === lc(r) || lc(x.image.name ?? "") === lc(r));
  if (m.length === 1) return m[0]!;
  if (!m.length) throw new DvsolError("EDIT_NOT_FOUND", `no image "${r}"${stepRef ? ` on step "${stepRef}"` : " in the solution"}`);
  throw new DvsolError("EDIT_AMBIGUOUS", `"${r}" matches ${m.length} images: ${m.map((x) => `${x.image.id} on step "${x.step.name ?? x.step.id}"`).join(", ")}`, {
    hint: "Give the image's id, or the step with --step.",
  });
}
