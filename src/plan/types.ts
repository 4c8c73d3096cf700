/**
 * What a planner returns: the changes in the solution's terms (components added, changed, removed,
 * and why), the findings, and the file edits that realise them. Plans are data: `--dry-run --json`
 * prints them, `applyPlan` (src/edit) applies them over an overlay, `commit` writes the result.
 */
import type { TextEdit } from "../xml/edit.js";
import type { Finding } from "../findings/types.js";

export type { TextEdit };

export type ChangeKind = "assembly" | "plugintype" | "step" | "image" | "endpoint" | "rootcomponent" | "dependency" | "solution" | "file";

export interface Change {
  action: "add" | "change" | "remove";
  kind: ChangeKind;
  /** The component's id (lowercase, no braces), or null for components keyed by name. */
  id: string | null;
  name: string;
  /** What happens and why, in one sentence. */
  reason: string;
  /** Set when the component is added (or kept) only because another one needs it. */
  required?: { because: string };
  /** Field-level detail of a change: element or attribute -> [before, after]. */
  fields?: Record<string, [string | null, string | null]>;
}

export type FileEdit =
  /** Splices of an XML document the solution already holds (offsets into its current text). */
  | { path: string; kind: "edit"; edits: TextEdit[] }
  /** A new file. */
  | { path: string; kind: "create"; bytes: Buffer }
  /** New bytes for a file the solution holds (a DLL upgraded in place). */
  | { path: string; kind: "replace"; bytes: Buffer }
  | { path: string; kind: "delete" };

export interface EditPlan {
  /** What was asked, for reports: "add step", "add assembly", ... */
  operation: string;
  changes: Change[];
  findings: Finding[];
  files: FileEdit[];
  /** Which platform rule decided the plan and why (assembly versioning, solution versions). */
  rule?: string;
}

/** A plan that changes nothing. */
export function emptyPlan(operation: string): EditPlan {
  return { operation, changes: [], findings: [], files: [] };
}

/** Stages and modes by the names the CLI takes. */
export const STAGE_BY_NAME: Record<string, number> = { prevalidation: 10, preoperation: 20, postoperation: 40 };
export const MODE_BY_NAME: Record<string, number> = { sync: 0, synchronous: 0, async: 1, asynchronous: 1 };
export const DEPLOYMENT_BY_NAME: Record<string, number> = { server: 0, outlook: 1, both: 2 };
export const IMAGE_TYPE_BY_NAME: Record<string, number> = { pre: 0, post: 1, both: 2 };
