/**
 * SARIF 2.1.0 as GitHub code scanning reads it (upload with github/codeql-action/upload-sarif).
 *
 * - One rule per finding code, with the catalogue's title, why, fix and source as help.
 * - Results point at the file and line: for an unpacked folder the XML file itself (relative to
 *   `baseDir`, the repository root in CI); for a zip the zip file, with the entry and line inside it
 *   as a logical location and in the message (a zip has no lines of its own; line 1 is given).
 * - partialFingerprints (dvsol/v1) are stable across runs and line shifts.
 */
import { checkCodes, type CheckResult } from "../check/index.js";
import { findingMessage, findingSpec } from "../findings/catalog.js";
import type { Finding, Severity } from "../findings/types.js";
import { fingerprint, joinPosix, relativePosix, type ReportOptions } from "./shared.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const LEVEL: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", info: "note" };

/** STEP_ASYNC_NOT_POSTOPERATION -> StepAsyncNotPostoperation */
export function ruleName(code: string): string {
  return code
    .toLowerCase()
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/** Percent-encodes each segment of a relative path (spaces, #, ? and non-ASCII are common in solution paths). */
export function uriOf(rel: string): string {
  return rel
    .split("/")
    .map((seg) => (seg === ".." || seg === "." ? seg : encodeURIComponent(seg)))
    .join("/");
}

function rule(code: string, opts: ReportOptions) {
  const spec = findingSpec(code);
  const text = `${spec.why}\n\nHow to fix: ${spec.fix}\n\nSource: ${spec.source}`;
  const markdown = `**${spec.title}**\n\n${spec.why}\n\n**How to fix:** ${spec.fix}\n\n**Source:** ${spec.source}`;
  return {
    id: code,
    name: ruleName(code),
    shortDescription: { text: spec.title },
    fullDescription: { text: spec.why },
    help: { text, markdown },
    defaultConfiguration: { level: LEVEL[spec.severity] },
    ...(opts.docsBase ? { helpUri: `${opts.docsBase}${code}.md` } : {}),
    properties: { tags: ["dataverse", code.split("_")[0]!.toLowerCase()] },
  };
}

function location(f: Finding, r: CheckResult, opts: ReportOptions) {
  const l = f.location ?? {};
  const solutionPath = l.file ?? r.solution.location;
  const inFolder = r.solution.form === "folder";
  const artifact = inFolder && l.entry ? joinPosix(solutionPath, l.entry) : solutionPath;
  const physicalLocation = {
    artifactLocation: { uri: uriOf(relativePosix(artifact, opts.baseDir)), uriBaseId: "%SRCROOT%" },
    region: { startLine: inFolder && l.line !== undefined ? l.line : 1 },
  };
  const logical = l.entry
    ? [{ name: l.entry, fullyQualifiedName: `${l.entry}${l.line !== undefined ? `:${l.line}` : ""}${l.path ? ` ${l.path}` : ""}`, kind: "resource" }]
    : undefined;
  return { physicalLocation, ...(logical ? { logicalLocations: logical } : {}) };
}

export function sarifReport(r: CheckResult, opts: ReportOptions = {}): string {
  const codes = [...new Set<string>([...checkCodes(), ...r.findings.map((f) => f.code)])].sort();
  const index = new Map(codes.map((c, i) => [c, i]));
  const results = r.findings.map((f) => {
    let text = findingMessage(f);
    if (r.solution.form === "zip" && f.location?.entry) text += ` (in ${f.location.entry}${f.location.line !== undefined ? ` at line ${f.location.line}` : ""})`;
    return {
      ruleId: f.code,
      ruleIndex: index.get(f.code)!,
      level: LEVEL[f.severity],
      message: { text },
      locations: [location(f, r, opts)],
      partialFingerprints: { "dvsol/v1": fingerprint(f) },
      properties: {
        ...(f.component ? { component: f.component } : {}),
        args: f.args,
      },
    };
  });
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "dvsol",
            ...(opts.toolVersion ? { version: opts.toolVersion, semanticVersion: opts.toolVersion } : {}),
            ...(opts.docsBase ? { informationUri: opts.docsBase.replace(/docs\/findings\/?$/, "") } : {}),
            rules: codes.map((c) => rule(c, opts)),
          },
        },
        results,
        columnKind: "utf16CodeUnits",
        properties: { solution: r.solution, summary: r.summary },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
