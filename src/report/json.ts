/**
 * JSON for scripts. Shape (stable; fields are only ever added):
 * { tool: {name, version}, solution: {uniqueName, version, location, form, managed}, summary: {error, warning, info},
 *   findings: [{code, severity, title, message, component, location, args, docs}] }
 */
import type { CheckResult } from "../check/index.js";
import { findingMessage, findingSpec } from "../findings/catalog.js";
import { docsLink, type ReportOptions } from "./shared.js";

export function jsonReport(r: CheckResult, opts: ReportOptions = {}): string {
  return JSON.stringify(
    {
      tool: { name: "dvsol", version: opts.toolVersion ?? null },
      solution: r.solution,
      summary: r.summary,
      findings: r.findings.map((f) => ({
        code: f.code,
        severity: f.severity,
        title: findingSpec(f.code).title,
        message: findingMessage(f),
        component: f.component ?? null,
        location: f.location ?? null,
        args: f.args,
        docs: docsLink(f.code, opts),
      })),
    },
    null,
    2,
  );
}
