/** Markdown for pull-request comments and job summaries ($GITHUB_STEP_SUMMARY). */
import type { CheckResult } from "../check/index.js";
import { findingMessage } from "../findings/catalog.js";
import type { Severity } from "../findings/types.js";
import { docsLink, type ReportOptions } from "./shared.js";
import { summaryLine } from "./text.js";

const HEADINGS: Record<Severity, string> = { error: "Errors", warning: "Warnings", info: "Info" };

/** Text safe inside a table cell: pipes escaped, no line breaks, no raw HTML. */
export function cell(t: string): string {
  return t.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
}

const code = (t: string): string => (t.includes("`") ? `\`\` ${t} \`\`` : `\`${t}\``);
/** A code span inside a table cell: GitHub reads \\| as a pipe there too. */
const codeCell = (t: string): string => code(t.replace(/\|/g, "\\|").replace(/\r?\n/g, " "));

export function markdownReport(r: CheckResult, opts: ReportOptions = {}): string {
  const out: string[] = [`## dvsol check: ${cell(r.solution.uniqueName)} ${cell(r.solution.version)}`, ""];
  out.push(r.findings.length ? `**${summaryLine(r)}** in ${code(r.solution.location)}` : `No findings in ${code(r.solution.location)}.`);
  for (const sev of ["error", "warning", "info"] as const) {
    const fs = r.findings.filter((f) => f.severity === sev);
    if (!fs.length) continue;
    out.push("", `### ${HEADINGS[sev]} (${fs.length})`, "", "| Code | Component | Where | Message |", "| --- | --- | --- | --- |");
    for (const f of fs) {
      const where = f.location?.entry ? codeCell(`${f.location.entry}${f.location.line !== undefined ? `:${f.location.line}` : ""}`) : "";
      const comp = f.component?.name ?? f.component?.id ?? "";
      out.push(`| [${f.code}](${docsLink(f.code, opts)}) | ${cell(comp)} | ${where} | ${cell(findingMessage(f))} |`);
    }
  }
  out.push("");
  return out.join("\n");
}
