/** An edit's plan and result as text (for a terminal) and as JSON (for scripts and CI). */
import { findingMessage, findingSpec } from "../findings/catalog.js";
import type { Finding } from "../findings/types.js";
import type { EditResult } from "./ops.js";

const SIGN = { add: "+", change: "~", remove: "-" } as const;

function fieldText(fields: Record<string, [string | null, string | null]> | undefined): string {
  if (!fields) return "";
  const parts = Object.entries(fields).map(([k, [a, b]]) => `${k}: ${a ?? "(none)"} -> ${b ?? "(none)"}`);
  return parts.length ? `\n      ${parts.join("\n      ")}` : "";
}

export function findingLine(f: Finding): string {
  return `${f.severity} ${f.code}: ${findingMessage(f)}`;
}

export function formatEditText(r: EditResult): string {
  const L: string[] = [];
  const p = r.plan;
  L.push(`${p.operation}: ${r.solution} (${r.form})${r.dryRun ? " [dry run]" : ""}`);
  if (p.rule) L.push(`rule: ${p.rule}`);
  if (p.changes.length) {
    L.push("changes:");
    for (const c of p.changes) {
      L.push(`  ${SIGN[c.action]} ${c.kind} ${c.name}${c.id ? ` {${c.id}}` : ""}: ${c.reason}${c.required ? `\n      required because ${c.required.because}` : ""}${fieldText(c.fields)}`);
    }
  } else L.push("changes: none");
  if (p.findings.length) {
    L.push("findings:");
    for (const f of p.findings) L.push(`  ${findingLine(f)}`);
  }
  const files = p.files.map((f) => `  ${f.kind === "create" ? "A" : f.kind === "delete" ? "D" : "M"} ${f.path}`);
  if (files.length) L.push(r.dryRun ? "files it would write:" : "files:", ...files);
  if (r.dryRun) L.push("dry run: nothing written");
  else if (r.written.length || r.deleted.length) L.push(`wrote ${r.output}: ${r.written.length} file(s) written, ${r.deleted.length} deleted`);
  else L.push(`nothing written: ${r.output} already is as asked`);
  return L.join("\n");
}

export function editJson(r: EditResult): unknown {
  return {
    operation: r.plan.operation,
    solution: r.solution,
    form: r.form,
    dryRun: r.dryRun,
    output: r.output,
    rule: r.plan.rule ?? null,
    changes: r.plan.changes,
    findings: r.plan.findings.map((f) => ({ ...f, message: findingMessage(f), title: findingSpec(f.code).title })),
    files: r.plan.files.map((f) => ({ path: f.path, action: f.kind })),
    written: r.written,
    deleted: r.deleted,
  };
}
