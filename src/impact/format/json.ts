/**
 * The impact report as JSON (schemaVersion 1; docs/impact-schema.md, templates/impact.schema.json).
 * The report's data as it is, with each reason and finding given its title and message from the
 * catalogue so that consumers need not know dvsol's wording.
 */
import type { Finding } from "../../findings/types.js";
import type { ImpactReport } from "../types.js";
import { safeMessage } from "./common.js";
import { findingSpec } from "../../findings/catalog.js";

export interface JsonFinding extends Finding {
  title: string;
  message: string;
}

function worded(f: Finding): JsonFinding {
  let titleText = f.code;
  try {
    titleText = findingSpec(f.code).title;
  } catch {
    // a code from an area this build does not load: keep the code
  }
  const out: JsonFinding = { code: f.code, severity: f.severity, title: titleText, message: safeMessage(f), args: f.args };
  if (f.component) out.component = f.component;
  if (f.location) out.location = f.location;
  return out;
}

/** The JSON document (an object; formatImpactJson serialises it). */
export function impactJson(r: ImpactReport): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    schemaVersion: r.schemaVersion,
    verdict: r.verdict,
    reasons: r.reasons.map(worded),
    installed: r.installed,
    incoming: r.incoming,
    solution: r.solution,
    assemblies: r.assemblies,
    steps: r.steps,
    endpoints: r.endpoints,
    missingDependencies: r.missingDependencies,
    findings: { incoming: r.findings.incoming.map(worded), new: r.findings.new.map(worded) },
    summary: r.summary,
  };
  if (r.generatedAt) doc.generatedAt = r.generatedAt;
  return doc;
}

export function formatImpactJson(r: ImpactReport): string {
  return JSON.stringify(impactJson(r), null, 2) + "\n";
}
