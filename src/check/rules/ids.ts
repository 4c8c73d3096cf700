/** Two components of one kind under one id: one of them is lost on import. */
import type { ComponentRef, Finding, FindingLocation } from "../../findings/types.js";
import type { RuleContext } from "../context.js";

interface Item {
  id: string | null;
  name: string;
  ref: ComponentRef;
  where: FindingLocation;
}

function duplicates(ctx: RuleContext, code: string, items: Item[]): Finding[] {
  const byId = new Map<string, Item[]>();
  for (const it of items) if (it.id) byId.set(it.id, [...(byId.get(it.id) ?? []), it]);
  const out: Finding[] = [];
  for (const [id, same] of byId) {
    if (same.length < 2) continue;
    // Reported on every copy after the first, so that each location is annotated once.
    for (const it of same.slice(1)) {
      out.push(ctx.make(code, { id, count: same.length, names: same.map((x) => x.name) }, it.ref, it.where));
    }
  }
  return out;
}

export function duplicateIdRule(ctx: RuleContext): Finding[] {
  const sol = ctx.sol;
  const types = sol.assemblies.flatMap((a) => a.types.map((t) => ({ id: t.id, name: t.typeName, ref: ctx.typeRef(t), where: ctx.where(t.loc) })));
  const images = sol.steps.flatMap((s) => s.images.map((i) => ({ id: i.id, name: `${ctx.stepName(s)} / ${i.alias ?? i.name ?? "?"}`, ref: ctx.imageRef(s, i), where: ctx.where(i.loc) })));
  return [
    ...duplicates(ctx, "ASSEMBLY_DUPLICATE_ID", sol.assemblies.map((a) => ({ id: a.id, name: a.fullName, ref: ctx.assemblyRef(a), where: ctx.where(a.loc) }))),
    ...duplicates(ctx, "TYPE_DUPLICATE_ID", types),
    ...duplicates(ctx, "STEP_DUPLICATE_ID", sol.steps.map((s) => ({ id: s.id, name: ctx.stepName(s), ref: ctx.stepRef(s), where: ctx.where(s.loc) }))),
    ...duplicates(ctx, "IMAGE_DUPLICATE_ID", images),
    ...duplicates(ctx, "ENDPOINT_DUPLICATE_ID", sol.endpoints.map((e) => ({ id: e.id, name: e.name, ref: ctx.endpointRef(e), where: ctx.where(e.loc) }))),
  ];
}
