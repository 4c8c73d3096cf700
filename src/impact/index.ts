/**
 * `dvsol impact`: what importing an incoming solution over an installed one will do, before anyone
 * imports it. assessImpact (./plan.ts) is the pure planner; impact() loads both solutions, reads the
 * DLLs they carry (SHA-256 and, through the assembly reader, identity and types), runs `dvsol check` on
 * both, and returns the report.
 */
import { createHash } from "node:crypto";
import type { Finding } from "../findings/types.js";
import type { DvsolConfig } from "../config.js";
import type { LoadOptions } from "../model/read.js";
import type { Solution } from "../model/types.js";
import { assessImpact, dllKey, type AssessOptions } from "./plan.js";
import { ASSEMBLY_VERSION, SOLUTION_VERSION, parseVersion } from "../model/names.js";
import { isDvsolError } from "../errors.js";
import { child } from "../xml/dom.js";
import type { DllFacts, ImpactReport, ImportMode } from "./types.js";

export * from "./types.js";
export { assessImpact, dllKey, versionAdvice, depLabel, type AssessOptions } from "./plan.js";
export { formatImpact, IMPACT_FORMATS, type ImpactFormat, type ImpactFormatOptions } from "./format/index.js";

export interface ImpactOptions extends LoadOptions {
  mode?: ImportMode;
  /** Rule and policy settings for check findings and IMPACT_ reasons. */
  config?: DvsolConfig | null;
  /** Run `dvsol check` on both solutions (default true). */
  check?: boolean;
  /** Read the DLLs (default true). */
  readDlls?: boolean;
  /** Adds generatedAt (ISO 8601) to the report; off by default so that reports are reproducible. */
  timestamp?: Date;
  /** Called with both solutions once read (the CLI prints their read findings, e.g. secrets, as every command does). */
  onLoaded?: (installed: Solution, incoming: Solution) => void;
}

/** Loads both solutions and assesses the impact of importing `incomingPath` over `installedPath`. */
export async function impact(installedPath: string, incomingPath: string, opts: ImpactOptions = {}): Promise<ImpactReport> {
  const { loadSolution } = await import("../model/read.js");
  const loadOpts: LoadOptions = opts.limits ? { limits: opts.limits } : {};
  // Both at once: one's reads and inflation (thread pool) overlap the other's parse (this thread). The
  // installed solution's error, if any, is the one reported, as when they were read one after the other.
  const [a, b] = await Promise.allSettled([loadSolution(installedPath, loadOpts), loadSolution(incomingPath, loadOpts)]);
  if (a.status === "rejected" || b.status === "rejected") {
    if (a.status === "fulfilled") await a.value.source.close();
    if (b.status === "fulfilled") await b.value.source.close();
    throw a.status === "rejected" ? a.reason : (b as PromiseRejectedResult).reason;
  }
  const installed = a.value;
  const incoming = b.value;
  try {
    opts.onLoaded?.(installed, incoming);
    return await impactOf(installed, incoming, opts);
  } finally {
    try {
      await incoming.source.close();
    } finally {
      await installed.source.close();
    }
  }
}

/** Like impact() over solutions already loaded (the caller closes their sources). */
export async function impactOf(installed: Solution, incoming: Solution, opts: Omit<ImpactOptions, "limits"> = {}): Promise<ImpactReport> {
  assertVersions(installed);
  assertVersions(incoming);
  const assess: AssessOptions = { mode: opts.mode ?? "upgrade", config: opts.config ?? null };
  if (opts.readDlls !== false) {
    assess.dllInfo = { installed: await dllFacts(installed), incoming: await dllFacts(incoming) };
  }
  if (opts.check !== false) {
    assess.installedFindings = await checkFindings(installed, opts.config ?? null);
    assess.incomingFindings = await checkFindings(incoming, opts.config ?? null);
  }
  const report = assessImpact(installed, incoming, assess);
  if (opts.timestamp) report.generatedAt = opts.timestamp.toISOString();
  return report;
}

/**
 * The report compares versions: one that does not parse (1.x, five parts, a part over Int32 or, for an
 * assembly, over 65534) would compare as 0.0 and give a wrong verdict, so it is refused with its place.
 */
function assertVersions(sol: Solution): void {
  const file = sol.source.location;
  try {
    parseVersion(sol.manifest.version, SOLUTION_VERSION);
  } catch (e) {
    throw isDvsolError(e) ? e.withLocation({ file, entry: sol.manifestPath, line: child(sol.manifest.loc.el, "Version")?.line ?? sol.manifest.loc.el.line, path: "/ImportExportXml/SolutionManifest/Version" }) : e;
  }
  for (const a of sol.assemblies) {
    if (!a.version) continue; // no Version= in FullName: the report says "unknown"
    try {
      parseVersion(a.version, ASSEMBLY_VERSION);
    } catch (e) {
      throw isDvsolError(e) ? e.withLocation({ file, entry: a.loc.doc, line: a.loc.el.line, path: "PluginAssembly/@FullName" }) : e;
    }
  }
}

async function checkFindings(sol: Solution, config: DvsolConfig | null): Promise<Finding[]> {
  const { checkSolution } = await import("../check/index.js");
  const r = await checkSolution(sol, config ? { config } : {});
  return r.findings;
}

/**
 * SHA-256 of each DLL the solution carries, with its identity and types when the reader can read it. The DLLs
 * are read once for this and for the check (src/check/index.ts, readSolutionDlls).
 */
export async function dllFacts(sol: Solution): Promise<Map<string, DllFacts>> {
  const out = new Map<string, DllFacts>();
  const withDll = sol.assemblies.filter((a) => a.dllPath);
  if (!withDll.length) return out;
  const { readAssembly } = await import("../assembly/index.js");
  const { readComponentFile, readSolutionDlls } = await import("../check/index.js");
  const dlls = await readSolutionDlls(sol);
  const sha = new Map<Buffer, string>();
  for (const a of withDll) {
    let d = dlls.get(a.dllPath!);
    if (!d) {
      // Found only when the case of its path differs (the check reports it missing): read it here.
      const f = sol.source.find(a.dllPath!);
      if (!f) continue;
      const bytes = await readComponentFile(f);
      try {
        d = { bytes, read: { info: readAssembly(bytes, { file: a.dllPath! }) } };
      } catch {
        d = { bytes, read: { error: "" } };
      }
    }
    let sha256 = sha.get(d.bytes);
    if (!sha256) {
      sha256 = createHash("sha256").update(d.bytes).digest("hex");
      sha.set(d.bytes, sha256);
    }
    // An unreadable DLL is a check finding (ASSEMBLY_*); here it only lacks identity and types.
    const info = "info" in d.read ? d.read.info : null;
    out.set(dllKey(a), { sha256, version: info?.version ?? null, types: info ? info.pluginTypes.map((t) => t.name) : null });
  }
  return out;
}
