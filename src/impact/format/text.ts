/** The impact report for a terminal: verdict and reasons first, then what changes. Colour only when asked. */
import type { ImpactReport, StepImpact } from "../types.js";
import {
  ASSEMBLY_CHANGE_ORDER,
  ASSEMBLY_CHANGE_TEXT,
  ENDPOINT_CHANGE_ORDER,
  FATE_TEXT,
  STEP_CHANGE_ORDER,
  VERDICT_LINE,
  countsText,
  findingsForDisplay,
  handlerLabel,
  managedText,
  modeText,
  oldAssemblyText,
  reasonMessage,
  reasonTitle,
  safeMessage,
  stepLabel,
  stepWhat,
  stepsForDisplay,
  title,
} from "./common.js";
import { depLabel } from "../plan.js";

export interface TextOptions {
  color?: boolean;
}

const ESC = "\u001b[";
type Paint = (s: string) => string;

const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Control characters from a solution must not reach a terminal (escape sequences could rewrite the screen).
 * Copies only the arrays and objects on the way to a string that holds one: a report of thousands of steps
 * without any is returned as it is.
 */
function sanitized<T>(v: T): T {
  if (typeof v === "string") return v.replace(CONTROLS, "\ufffd") as T; // equal to v (no copy made) when it holds none
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = sanitized(v[i] as unknown);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return (out ?? v) as T;
  }
  if (v !== null && typeof v === "object") {
    let out: Record<string, unknown> | undefined;
    for (const [k, x] of Object.entries(v)) {
      const c = sanitized(x);
      if (c !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = c;
    }
    return (out ?? v) as T;
  }
  return v;
}

export function formatImpactText(report: ImpactReport, opts: TextOptions = {}): string {
  const r = sanitized(report);
  const c = opts.color;
  const wrap = (code: string): Paint => (s) => (c ? `${ESC}${code}m${s}${ESC}0m` : s);
  const bold = wrap("1");
  const dim = wrap("2");
  const red = wrap("31");
  const green = wrap("32");
  const yellow = wrap("33");
  const verdictPaint = r.verdict === "blocked" ? wrap("1;31") : r.verdict === "attention" ? wrap("1;33") : wrap("1;32");
  const changePaint = (ch: string): Paint =>
    ch === "added" ? green : ch === "removed" ? red : ch === "unchanged" ? dim : ch === "needs-repoint" || ch === "new-assembly" || ch === "downgrade" ? wrap("1;33") : yellow;
  const sevPaint = (s: string): Paint => (s === "error" ? red : s === "warning" ? yellow : dim);

  const out: string[] = [];
  out.push(`${bold("dvsol impact")} ${title(r)}`);
  out.push(`verdict: ${verdictPaint(r.verdict.toUpperCase())}  ${VERDICT_LINE[r.verdict].replace(/^\w+: /, "")}`);
  if (r.generatedAt) out.push(dim(`generated ${r.generatedAt}`));
  out.push("");

  // Reasons
  const counts = r.summary.reasons;
  out.push(bold(`Reasons (${counts.error} error, ${counts.warning} attention, ${counts.info} info)`));
  if (!r.reasons.length) out.push("  none");
  // Information that repeats (many known dependencies, many deleted steps) is counted, not listed:
  // the sections below list those components.
  const infoCount = new Map<string, number>();
  for (const f of r.reasons) if (f.severity === "info") infoCount.set(f.code, (infoCount.get(f.code) ?? 0) + 1);
  const folded = new Set<string>();
  for (const f of r.reasons) {
    if (f.severity === "info" && (infoCount.get(f.code) ?? 0) > 3) {
      if (folded.has(f.code)) continue;
      folded.add(f.code);
      out.push(`  ${dim("info     ")} ${dim(f.code)}`);
      out.push(`            ${infoCount.get(f.code)} x ${reasonTitle(f).toLowerCase()} (listed below)`);
      continue;
    }
    const tag = f.severity === "error" ? "blocked " : f.severity === "warning" ? "attention" : "info     ";
    out.push(`  ${sevPaint(f.severity)(tag)} ${dim(f.code)}`);
    out.push(`            ${reasonMessage(f)}`);
  }
  out.push("");

  // Solution
  const s = r.solution;
  out.push(bold("Solution"));
  const same = (ok: boolean) => (ok ? dim("(same)") : red("(DIFFERENT)"));
  out.push(`  unique name  ${s.uniqueName.installed}${s.uniqueName.match ? "" : ` -> ${s.uniqueName.incoming}`} ${same(s.uniqueName.match)}`);
  out.push(`  publisher    ${s.publisher.installed}${s.publisher.match ? "" : ` -> ${s.publisher.incoming}`} ${same(s.publisher.match)}`);
  const vtag = s.version.comparison === "higher" ? green("(higher)") : s.version.comparison === "same" ? yellow("(same)") : red("(lower)");
  out.push(`  version      ${s.version.installed} -> ${s.version.incoming} ${vtag}${s.version.advice && r.reasons.some((x) => x.code === "IMPACT_VERSION_NOT_HIGHER") ? `  raise ${s.version.advice.part}: ${s.version.advice.conventional}` : ""}`);
  out.push(`  package      ${managedText(s.managed.installed)} -> ${managedText(s.managed.incoming)}${s.managed.match ? "" : " " + red("(MISMATCH)")}`);
  out.push(`  import       ${modeText(s)}`);
  if (r.installed.file || r.incoming.file) out.push(dim(`  files        ${r.installed.file ?? "?"} -> ${r.incoming.file ?? "?"}`));
  out.push("");

  // Assemblies
  out.push(bold(`Plug-in assemblies (${r.assemblies.length}): ${countsText(r.summary.assemblies, ASSEMBLY_CHANGE_ORDER)}`));
  for (const a of r.assemblies) {
    const ver = a.from && a.to ? (a.from === a.to ? a.to : `${a.from} -> ${a.to}`) : (a.to ?? a.from ?? "");
    out.push(`  ${changePaint(a.change)(a.change.padEnd(17))} ${a.name} ${ver}  ${dim(ASSEMBLY_CHANGE_TEXT[a.change])}`);
    if (a.oldAssembly && a.change !== "removed") out.push(`      old assembly: ${oldAssemblyText(a.oldAssembly)}`);
    if (a.change === "removed" && a.oldAssembly) out.push(`      ${oldAssemblyText(a.oldAssembly)}`);
    if (a.change === "content-changed" && a.dll.sameBytes === false) out.push(`      DLL changed: sha256 ${a.dll.from!.sha256.slice(0, 16)} -> ${a.dll.to!.sha256.slice(0, 16)}`);
    if (a.from && a.to) {
      for (const t of a.typesAdded) out.push(`      ${green("+ type")} ${t}`);
      for (const t of a.typesRemoved) out.push(`      ${red("- type")} ${t}`);
    } else if (a.change === "added" && a.typesAdded.length) out.push(dim(`      ${a.typesAdded.length} type(s): ${a.typesAdded.join(", ")}`));
    for (const p of a.stepsToRepoint) out.push(`      ${yellow("re-point")} "${stepLabel(p)}" (${p.id}) ${dim(p.reason === "left-behind" ? "left behind on the old version" : "still bound to the old version")}`);
  }
  if (!r.assemblies.length) out.push("  none in either solution");
  out.push("");

  // Steps
  out.push(bold(`Steps (${r.steps.length}): ${countsText(r.summary.steps, STEP_CHANGE_ORDER)}`));
  const shown = stepsForDisplay(r).filter((x) => x.change !== "unchanged");
  for (const st of shown) out.push(...stepLines(st, changePaint, dim));
  if (r.summary.steps.unchanged) out.push(dim(`  ${r.summary.steps.unchanged} unchanged step(s) not listed (see --format json or html)`));
  if (!r.steps.length) out.push("  none in either solution");
  out.push("");

  // Endpoints
  if (r.endpoints.length) {
    out.push(bold(`Service endpoints (${r.endpoints.length}): ${countsText(r.summary.endpoints, ENDPOINT_CHANGE_ORDER)}`));
    for (const e of r.endpoints) {
      out.push(`  ${changePaint(e.change)(e.change.padEnd(17))} ${e.name} ${dim(e.contract ?? "")}${e.fate ? `  ${FATE_TEXT[e.fate]}` : ""}${e.secretToSet ? "  " + yellow("set its secret after import") : ""}`);
      for (const f of e.fields) out.push(`      ${f.field}: ${f.from ?? "(none)"} -> ${f.to ?? "(none)"}`);
    }
    out.push("");
  }

  // Dependencies
  const deps = r.missingDependencies;
  out.push(bold(`Missing dependencies (${deps.length}, ${r.summary.missingDependencies.new} new)`));
  if (!deps.length) out.push("  none declared");
  for (const d of deps) {
    out.push(`  ${d.new ? yellow("new  ") : dim("known")} ${depLabel(d.required)}${d.required.solution ? ` from ${d.required.solution}` : ""} ${dim(`for ${depLabel(d.dependent)}`)}`);
  }
  out.push("");

  // Findings
  const fs = findingsForDisplay(r);
  out.push(bold(`Check findings: ${r.summary.findings.incoming} in the incoming solution, ${r.summary.findings.new} new`));
  for (const { f, isNew } of fs) {
    const where = f.location?.entry ? dim(` (${f.location.entry}${f.location.line ? `:${f.location.line}` : ""})`) : "";
    out.push(`  ${isNew ? yellow("new") : dim("old")} ${sevPaint(f.severity)(f.severity.padEnd(7))} ${f.code}: ${safeMessage(f)}${where}`);
  }
  return out.join("\n") + "\n";
}

function stepLines(st: StepImpact, changePaint: (ch: string) => Paint, dim: Paint): string[] {
  const lines = [`  ${changePaint(st.change)(st.change.padEnd(17))} ${stepLabel(st)}  ${dim(stepWhat(st))}`];
  const detail = (s: string) => lines.push(`      ${s}`);
  if (st.change === "added") detail(`runs ${handlerLabel(st.to)}${st.enabled ? "" : " (disabled)"}`);
  if (st.change === "removed") detail(`${handlerLabel(st.from)}: ${st.fate ? FATE_TEXT[st.fate] : ""}`);
  if (st.change === "needs-repoint") detail(`still runs ${handlerLabel(st.to)}`);
  for (const f of st.fields) detail(`${f.field}: ${one(f.from)} -> ${one(f.to)}`);
  if (st.change === "added") for (const i of st.images) detail(`image ${i.alias}: ${i.fields[0]?.to ?? i.imageType ?? ""}`);
  if (st.secureConfiguration) detail(dim("secure configuration: set it again if the step uses one"));
  lines.push(`      ${dim(st.id)}`);
  return lines;
}

function one(v: string | null): string {
  if (v === null) return "(none)";
  const t = v.replace(/\s+/g, " ").trim();
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
}
