/**
 * planRemove: steps (with their images and root component), images, service endpoints and assemblies.
 * What other components still use is refused unless --cascade, naming the users.
 */
import { DvsolError } from "../errors.js";
import { elements } from "../xml/dom.js";
import { normId } from "../model/ids.js";
import { COMPONENT_TYPE, type Solution, type Step } from "../model/types.js";
import { PlanBuilder } from "./builder.js";
import { removeAssemblyEdits } from "./assembly.js";
import { describeStep, findAssembly, findEndpoint, findImage, findStep, stepsOfAssembly } from "./lookup.js";
import type { EditPlan } from "./types.js";

export type RemoveKind = "step" | "image" | "endpoint" | "assembly";

export interface RemoveOptions {
  /** Also remove the steps that use the endpoint or assembly. */
  cascade?: boolean;
  /** For images: the step the image belongs to (id or name). */
  step?: string;
}

export function planRemove(sol: Solution, kind: RemoveKind, ref: string, opts: RemoveOptions = {}): EditPlan {
  const b = new PlanBuilder(sol, `remove ${kind}`);
  switch (kind) {
    case "step": {
      const step = findStep(sol, ref);
      removeStepEdits(b, step, "removed as asked");
      break;
    }
    case "image": {
      const { step, image } = findImage(sol, ref, opts.step);
      b.removeElement(image.loc);
      b.change({ action: "remove", kind: "image", id: image.id, name: image.alias ?? image.name ?? "", reason: `removed from step "${step.name ?? step.id}"` });
      removeDependenciesOf(b, new Set(image.id ? [image.id] : []));
      break;
    }
    case "endpoint": {
      const e = findEndpoint(sol, ref);
      const users = sol.steps.filter((s) => s.eventHandler === e.id);
      if (users.length && !opts.cascade) {
        throw new DvsolError("EDIT_CONFLICT", `service endpoint "${e.name}" is used by ${users.map(describeStep).join(", ")}`, {
          hint: "Remove those steps first, or pass --cascade to remove them with the endpoint.",
        });
      }
      for (const s of users) removeStepEdits(b, s, `bound to the removed service endpoint "${e.name}" (--cascade)`);
      const doc = b.doc(e.loc.doc);
      const siblings = e.loc.el.parent ? elements(e.loc.el.parent, "ServiceEndpoint") : [];
      if (b.folder && e.loc.el.parent === doc.root && siblings.length === 1) b.deleteFile(e.loc.doc);
      else b.removeElement(e.loc);
      b.change({ action: "remove", kind: "endpoint", id: e.id, name: e.name, reason: "removed as asked" });
      if (b.removeRootComponent(COMPONENT_TYPE.serviceEndpoint, e.id)) b.change({ action: "remove", kind: "rootcomponent", id: e.id, name: `95 ${e.name}`, reason: "root component of the removed endpoint" });
      removeDependenciesOf(b, new Set([e.id]));
      break;
    }
    case "assembly": {
      const a = findAssembly(sol, ref);
      const users = stepsOfAssembly(sol, a);
      if (users.length && !opts.cascade) {
        throw new DvsolError("EDIT_CONFLICT", `${a.fullName} is used by ${users.map(describeStep).join(", ")}: an assembly cannot be deleted while steps depend on it`, {
          hint: "Remove or re-point those steps first, or pass --cascade to remove them with the assembly.",
        });
      }
      for (const s of users) removeStepEdits(b, s, `runs a type of the removed assembly ${a.name} ${a.version} (--cascade)`);
      removeAssemblyEdits(b, a, "removed as asked");
      removeDependenciesOf(b, new Set([...(a.id ? [a.id] : []), ...a.types.flatMap((t) => (t.id ? [t.id] : []))]));
      break;
    }
    default:
      throw new DvsolError("USAGE_BAD_OPTION", `cannot remove a "${kind as string}": use step, image, endpoint or assembly`);
  }
  return b.build();
}

/** Removes a step: its element or file, its images, its root component and missing dependencies it is the dependent of. */
export function removeStepEdits(b: PlanBuilder, step: Step, reason: string): void {
  const doc = b.doc(step.loc.doc);
  if (b.folder && step.loc.el === doc.root) b.deleteFile(step.loc.doc);
  else b.removeElement(step.loc);
  const name = step.name ?? step.id;
  b.change({ action: "remove", kind: "step", id: step.id, name, reason });
  for (const i of step.images) b.change({ action: "remove", kind: "image", id: i.id, name: i.alias ?? i.name ?? "", reason: "goes with its step" });
  if (b.removeRootComponent(COMPONENT_TYPE.step, step.id)) b.change({ action: "remove", kind: "rootcomponent", id: step.id, name: `92 ${name}`, reason: "root component of the removed step" });
  removeDependenciesOf(b, new Set([step.id, ...step.images.flatMap((i) => (i.id ? [i.id] : []))]));
}

/** Missing dependencies whose dependent (or, for removed requirements, required) component is gone. */
function removeDependenciesOf(b: PlanBuilder, ids: Set<string>): void {
  for (const md of b.sol.manifest.missingDependencies) {
    const dep = normId(md.dependent.id);
    const req = normId(md.required.id);
    if ((dep && ids.has(dep)) || (req && ids.has(req) && isPluginType(md.required.type))) {
      b.removeElement(md.loc);
      b.change({
        action: "remove",
        kind: "dependency",
        id: null,
        name: `${md.required.type ?? "?"} ${md.required.displayName ?? md.required.schemaName ?? md.required.id ?? ""}`.trim(),
        reason: "missing dependency of a removed component",
      });
    }
  }
}

function isPluginType(t: string | undefined): boolean {
  return t === "90" || t === "91" || t === "95";
}
