/**
 * The reporter registry: one function per output format, CheckResult -> text. Reporters format only;
 * every word about a finding comes from the catalogue (src/findings/catalog.ts).
 */
import type { CheckResult } from "../check/index.js";
import { jsonReport } from "./json.js";
import { markdownReport } from "./markdown.js";
import { sarifReport } from "./sarif.js";
import type { ReportOptions } from "./shared.js";
import { textReport } from "./text.js";

export type ReportFormat = "text" | "json" | "sarif" | "markdown";
export type Reporter = (r: CheckResult, opts: ReportOptions) => string;

export const REPORTERS: Readonly<Record<ReportFormat, Reporter>> = Object.freeze({
  text: textReport,
  json: jsonReport,
  sarif: sarifReport,
  markdown: markdownReport,
});

export const REPORT_FORMATS = Object.keys(REPORTERS) as ReportFormat[];

export function report(format: ReportFormat, r: CheckResult, opts: ReportOptions = {}): string {
  const rep = REPORTERS[format];
  if (!rep) throw new Error(`unknown report format: ${format}`);
  return rep(r, opts);
}

export type { ReportOptions } from "./shared.js";
export { displayLocation, fingerprint, docsLink } from "./shared.js";
export { SARIF_SCHEMA, ruleName } from "./sarif.js";
export { summaryLine } from "./text.js";
