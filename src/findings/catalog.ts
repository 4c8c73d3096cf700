/**
 * The one place where findings are worded. Each code: default severity, a title, a message built from
 * the finding's args, and the documentation (why it matters, how to fix, the source rule) that
 * docs/findings/<CODE>.md and SARIF rule help are generated from.
 *
 * Codes carry an area prefix: ASSEMBLY_, TYPE_, STEP_, IMAGE_, ENDPOINT_, SOLUTION_, ROOT_, DEP_, SECRET_, EDIT_, IMPACT_.
 * A code never changes meaning once released.
 */
import type { Finding, FindingArgs, Severity } from "./types.js";

export interface FindingSpec {
  severity: Severity;
  title: string;
  message: (a: FindingArgs) => string;
  why: string;
  fix: string;
  /** Where the rule comes from: a documentation page or "observed in real exports". */
  source: string;
}

const s = (v: unknown): string => (Array.isArray(v) ? v.join(", ") : v === null || v === undefined ? "" : String(v));

const CATALOG: Record<string, FindingSpec> = {};

/** Registers finding specs. Called once per area module at load time. */
export function defineFindings(specs: Record<string, FindingSpec>): void {
  for (const [code, spec] of Object.entries(specs)) {
    if (CATALOG[code]) throw new Error(`finding code defined twice: ${code}`);
    CATALOG[code] = spec;
  }
}

export function findingSpec(code: string): FindingSpec {
  const spec = CATALOG[code];
  if (!spec) throw new Error(`unknown finding code: ${code}`);
  return spec;
}

export function allFindingCodes(): string[] {
  return Object.keys(CATALOG).sort();
}

export function findingMessage(f: Finding): string {
  return findingSpec(f.code).message(f.args);
}

/** Makes a finding with the catalogue's default severity. */
export function finding(code: string, args: FindingArgs = {}, extra: Omit<Finding, "code" | "severity" | "args"> = {}): Finding {
  return { code, severity: findingSpec(code).severity, args, ...extra };
}

export { s as argText };
