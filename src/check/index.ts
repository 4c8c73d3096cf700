/**
 * `dvsol check`: the platform's registration rules and the consistency of a solution's plug-in
 * components, as findings. The rules are pure functions over the model (./rules); the only I/O is
 * reading the assemblies' DLLs through sol.source, which is why checkSolution is async.
 */
import type { Finding, Severity } from "../findings/types.js";
import type { Solution } from "../model/types.js";
import type { SolutionFile } from "../solution/source.js";
import { applyConfig, type DvsolConfig } from "../config.js";
import { createContext, type RuleContext } from "./context.js";
import type { DllRead } from "./rules/dll.js";
import { dllRule } from "./rules/dll.js";
import { assemblySettingsRule, assemblyVersionRule } from "./rules/assemblies.js";
import { duplicateIdRule } from "./rules/ids.js";
import { imageRule } from "./rules/images.js";
import { rootComponentRule, stepReferenceRule } from "./rules/references.js";
import { filterPrimaryKeyRule, messageRule, rankRule, stageAndModeRule, tableAndSettingsRule } from "./rules/steps.js";
import { CHECK_FINDING_CODES } from "./findings.js";
import { allFindingCodes } from "../findings/catalog.js";
import "../model/findings.js";
import { assemblyFindings } from "../assembly/findings.js";

export { CHECK_FINDING_CODES, type CheckFindingCode } from "./findings.js";

/**
 * Every code `dvsol check` can report: its own rules, the reading findings (SECRET_) and the assembly
 * reader's (ASSEMBLY_ codes of src/assembly/findings.ts). Sorted.
 */
export function checkCodes(): string[] {
  return [...new Set([...CHECK_FINDING_CODES, ...allFindingCodes().filter((c) => /^(ASSEMBLY|SECRET)_/.test(c))])].sort();
}
export { MESSAGES, messageById, messageByName, resolveMessage, messageFromStepName, type SdkMessageInfo, type ResolvedMessage, type MessageSource } from "./messages.js";

export type Rule = (ctx: RuleContext) => Finding[];

/** Every rule that needs only the XML, in report order. */
export const RULES: readonly { name: string; run: Rule }[] = Object.freeze([
  { name: "stage-and-mode", run: stageAndModeRule },
  { name: "message", run: messageRule },
  { name: "filter-primary-key", run: filterPrimaryKeyRule },
  { name: "images", run: imageRule },
  { name: "rank", run: rankRule },
  { name: "table-and-settings", run: tableAndSettingsRule },
  { name: "step-references", run: stepReferenceRule },
  { name: "root-components", run: rootComponentRule },
  { name: "assembly-settings", run: assemblySettingsRule },
  { name: "assembly-versions", run: assemblyVersionRule },
  { name: "duplicate-ids", run: duplicateIdRule },
]);

export interface CheckSummary {
  error: number;
  warning: number;
  info: number;
}

export interface CheckResult {
  solution: { uniqueName: string; version: string; location: string; form: "zip" | "folder"; managed: 0 | 1 | 2 };
  findings: Finding[];
  summary: CheckSummary;
}

export interface CheckOptions {
  config?: DvsolConfig;
  /** Read the DLLs and compare them with the XML (default true). */
  readDlls?: boolean;
}

/** Checks a loaded solution. The caller closes sol.source. */
export async function checkSolution(sol: Solution, opts: CheckOptions = {}): Promise<CheckResult> {
  const ctx = createContext(sol);
  const findings: Finding[] = [...sol.readFindings];
  for (const r of RULES) findings.push(...r.run(ctx));
  if (opts.readDlls !== false) findings.push(...(await dllFindings(ctx)));
  const kept = sortFindings(applyConfig(findings, opts.config));
  return {
    solution: { uniqueName: sol.manifest.uniqueName, version: sol.manifest.version, location: sol.source.location, form: sol.form, managed: sol.manifest.managed },
    findings: kept,
    summary: summarize(kept),
  };
}

/** Reads each assembly's DLL (when the solution holds it) and runs the DLL rules. */
async function dllFindings(ctx: RuleContext): Promise<Finding[]> {
  const dlls = await readSolutionDlls(ctx.sol);
  const out: Finding[] = [];
  for (const a of ctx.sol.assemblies) {
    const d = a.dllPath ? dlls.get(a.dllPath) : undefined;
    if (d) out.push(...dllRule(ctx, a, d.read, (info) => assemblyFindings(info)));
  }
  return out;
}

/** A DLL of the solution: its bytes and what the assembly reader made of them. */
export interface SolutionDll {
  bytes: Buffer;
  read: DllRead;
}

const dllReads = new WeakMap<Solution, Promise<Map<string, SolutionDll>>>();

/**
 * The DLLs the solution holds, by the assembly's dllPath, each read once per loaded solution: `dvsol impact`
 * needs them for the check and for its own facts (300 assemblies on each side of the generated large input).
 * Base classes may live in another assembly of the same solution: the reader follows them there.
 */
export function readSolutionDlls(sol: Solution): Promise<Map<string, SolutionDll>> {
  let p = dllReads.get(sol);
  if (!p) {
    p = readDlls(sol);
    dllReads.set(sol, p);
  }
  return p;
}

async function readDlls(sol: Solution): Promise<Map<string, SolutionDll>> {
  const out = new Map<string, SolutionDll>();
  const withDll = sol.assemblies.filter((a) => a.dllPath);
  if (!withDll.length) return out;
  const { readAssembly } = await import("../assembly/index.js");
  const { isDvsolError } = await import("../errors.js");
  const bytes = new Map<string, Buffer>();
  for (const a of withDll) {
    const f = sol.source.get(a.dllPath!);
    if (f) bytes.set(a.dllPath!, await readComponentFile(f));
  }
  const byName = new Map<string, Buffer>();
  for (const a of withDll) {
    const b = bytes.get(a.dllPath!);
    if (b && !byName.has(a.name.toLowerCase())) byName.set(a.name.toLowerCase(), b);
  }
  const resolveReference = (name: string): Uint8Array | null => byName.get(name.toLowerCase()) ?? null;
  for (const a of withDll) {
    const b = bytes.get(a.dllPath!);
    if (!b || out.has(a.dllPath!)) continue;
    let read: DllRead;
    try {
      read = { info: readAssembly(b, { file: a.dllPath!, resolveReference }) };
    } catch (e) {
      if (!isDvsolError(e)) throw e;
      read = { error: `${e.code}: ${e.message}` };
    }
    out.set(a.dllPath!, { bytes: b, read });
  }
  return out;
}

/** Zip entries up to this size are read and inflated on this thread (a plug-in DLL is tens of KB). */
const SYNC_READ_MAX = 256 * 1024;
/** Bytes of the DLLs read so far, by file: `dvsol impact` reads each DLL for its facts and for the check. */
const fileBytes = new WeakMap<SolutionFile, Buffer>();

/**
 * A file of the solution that rules read whole (DLLs), read once per file object: small zip entries
 * synchronously (for 300 DLLs the thread-pool round trips of read() cost more than the work), others with read().
 */
export async function readComponentFile(f: SolutionFile): Promise<Buffer> {
  let b = fileBytes.get(f);
  if (!b) {
    b = f.zip && f.zipEntry && f.size <= SYNC_READ_MAX && f.zipEntry.compressedSize <= SYNC_READ_MAX ? f.zip.readSync(f.zipEntry) : await f.read();
    fileBytes.set(f, b);
  }
  return b;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Defined order: severity, then file, line, code, component. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding) => [f.location?.entry ?? "", f.location?.line ?? 0, f.code, f.component?.id ?? f.component?.name ?? ""] as const;
  return findings
    .map((f, i) => ({ f, i }))
    .sort((x, y) => {
      const d = SEVERITY_ORDER[x.f.severity] - SEVERITY_ORDER[y.f.severity];
      if (d) return d;
      const a = key(x.f);
      const b = key(y.f);
      if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
      if (a[1] !== b[1]) return a[1] - b[1];
      if (a[2] !== b[2]) return a[2] < b[2] ? -1 : 1;
      if (a[3] !== b[3]) return a[3] < b[3] ? -1 : 1;
      return x.i - y.i;
    })
    .map((x) => x.f);
}

export function summarize(findings: readonly Finding[]): CheckSummary {
  const s: CheckSummary = { error: 0, warning: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  return s;
}

/** Whether the findings reach the --fail-on level. */
export function reachesFailOn(summary: CheckSummary, failOn: "error" | "warning" | "info" | "never"): boolean {
  if (failOn === "never") return false;
  if (failOn === "error") return summary.error > 0;
  if (failOn === "warning") return summary.error + summary.warning > 0;
  return summary.error + summary.warning + summary.info > 0;
}
