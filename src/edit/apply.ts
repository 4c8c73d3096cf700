/**
 * applyPlan: a plan's file edits applied in memory over an overlay of the solution's files; the model is
 * read again from the result, so the next plan sees the edited solution (plan -> apply -> plan ...).
 */
import { DvsolError } from "../errors.js";
import { applyEdits } from "../xml/edit.js";
import { encodeXmlText } from "../xml/parse.js";
import { readSolution } from "../model/read.js";
import type { Solution } from "../model/types.js";
import type { EditPlan } from "../plan/types.js";
import { OverlaySource, baseOf } from "./overlay.js";

export async function applyPlan(sol: Solution, plan: EditPlan): Promise<Solution> {
  if (plan.files.length === 0) return sol;
  const base = baseOf(sol.source);
  const prev = sol.source instanceof OverlaySource ? sol.source : null;
  const written = new Map<string, Buffer>(prev?.written ?? []);
  const deleted = new Set<string>(prev?.deleted ?? []);
  for (const f of plan.files) {
    switch (f.kind) {
      case "edit": {
        const d = sol.docs.get(f.path);
        if (!d) throw new Error(`internal: plan edits ${f.path}, which is not a document of the solution`);
        const text = applyEdits(d.doc.text, f.edits);
        written.set(d.path, encodeXmlText(text, d.doc.encoding, d.doc.bom));
        deleted.delete(d.path);
        break;
      }
      case "create":
      case "replace": {
        const existing = sol.source.find(f.path);
        if (f.kind === "create" && existing) {
          throw new DvsolError("EDIT_CONFLICT", `${f.path} already exists in the solution`, { file: sol.source.location, entry: f.path });
        }
        const p = existing?.path ?? base.find(f.path)?.path ?? f.path;
        written.set(p, f.bytes);
        deleted.delete(p);
        break;
      }
      case "delete": {
        const existing = sol.source.find(f.path);
        if (!existing) break;
        written.delete(existing.path);
        if (base.get(existing.path)) deleted.add(existing.path);
        break;
      }
    }
  }
  const overlay = new OverlaySource(base, written, deleted);
  try {
    return await readSolution(overlay);
  } catch (e) {
    // A plan that makes the solution unreadable is a bug in dvsol, not a user mistake.
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`internal: the edited solution does not read back (${msg})`, { cause: e });
  }
}
