/** Text for a terminal: findings grouped by severity, each with file:line, code and message. */
import type { CheckResult } from "../check/index.js";
import { findingMessage } from "../findings/catalog.js";
import type { Severity } from "../findings/types.js";
import { displayLocation, type ReportOptions } from "./shared.js";

const GROUPS: { severity: Severity; title: string; ansi: string }[] = [
  { severity: "error", title: "errors", ansi: "\x1b[31m" },
  { severity: "warning", title: "warnings", ansi: "\x1b[33m" },
  { severity: "info", title: "info", ansi: "\x1b[36m" },
];
const RESET = "\x1b[0m";
const BOLD = "\x1b[1m";
const DIM = "\x1b[2m";

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function summaryLine(r: CheckResult): string {
  const s = r.summary;
  return `${plural(s.error, "error")}, ${plural(s.warning, "warning")}, ${s.info} info`;
}

export function textReport(r: CheckResult, opts: ReportOptions = {}): string {
  const c = (code: string, t: string) => (opts.color ? `${code}${t}${RESET}` : t);
  const lines: string[] = [c(BOLD, `${r.solution.uniqueName} ${r.solution.version}`) + ` (${r.solution.form}: ${r.solution.location})`];
  for (const g of GROUPS) {
    const fs = r.findings.filter((f) => f.severity === g.severity);
    if (!fs.length) continue;
    lines.push("", c(g.ansi + BOLD, `${g.title} (${fs.length})`));
    for (const f of fs) {
      const where = displayLocation(f, r.solution.form);
      lines.push(`  ${where ? c(DIM, `${where}: `) : ""}${c(g.ansi, f.code)} ${findingMessage(f)}`);
    }
  }
  lines.push("", r.findings.length ? summaryLine(r) : "no findings");
  return lines.join("\n");
}
