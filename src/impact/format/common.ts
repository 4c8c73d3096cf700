/** What the impact formats share: labels, orders and the sentences around the data. */
import { findingMessage, findingSpec } from "../../findings/catalog.js";
import type { Finding } from "../../findings/types.js";
import "../findings.js";
import type { AssemblyChange, EndpointChange, ImpactReport, RemovedFate, SolutionImpact, StepChange, StepHandler, StepImpact, Verdict } from "../types.js";

export const VERDICT_LINE: Record<Verdict, string> = {
  safe: "safe: the import should succeed and nothing needs a person",
  attention: "attention: the import should succeed, but someone must act (see the reasons)",
  blocked: "blocked: the import will fail as it is",
};

export const FATE_TEXT: Record<RemovedFate, string> = {
  deleted: "deleted by the upgrade",
  "deleted-on-apply": "stays until the staged upgrade is applied, then deleted",
  "left-behind": "left behind: stays registered and keeps running",
};

export const ASSEMBLY_CHANGE_TEXT: Record<AssemblyChange, string> = {
  added: "new assembly in this solution",
  removed: "no longer in the solution",
  unchanged: "same version and content",
  "in-place-upgrade": "build/revision raised: upgraded in place, steps follow",
  "new-assembly": "major/minor changed: registered as a separate assembly",
  "content-changed": "same version, different content",
  downgrade: "version goes down",
};

export const STEP_CHANGE_ORDER: readonly StepChange[] = ["needs-repoint", "moved", "removed", "added", "changed", "unchanged"];
export const ASSEMBLY_CHANGE_ORDER: readonly AssemblyChange[] = ["new-assembly", "downgrade", "content-changed", "removed", "added", "in-place-upgrade", "unchanged"];
export const ENDPOINT_CHANGE_ORDER: readonly EndpointChange[] = ["removed", "added", "changed", "unchanged"];

const ord = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function reasonMessage(f: Finding): string {
  return findingMessage(f);
}

export function reasonTitle(f: Finding): string {
  return findingSpec(f.code).title;
}

/** Message of a finding whose code may come from an area this build does not know. */
export function safeMessage(f: Finding): string {
  try {
    return findingMessage(f);
  } catch {
    return f.code;
  }
}

export function managedText(v: boolean | "both"): string {
  return v === "both" ? "both (unpacked)" : v ? "managed" : "unmanaged";
}

export function modeText(s: SolutionImpact): string {
  switch (s.effectiveMode) {
    case "upgrade":
      return "upgrade: replaces the installed version and deletes what the new one no longer has";
    case "update":
      return "update: replaces components and deletes nothing (removed components stay and keep running)";
    case "stage":
      return `stage for upgrade: installs ${s.holdingSolution} next to the installed version; removed components are deleted when the upgrade is applied`;
    case "unmanaged":
      return "unmanaged import: creates and updates components and deletes nothing (import modes do not apply)";
  }
}

export function stepLabel(s: { name: string | null; id: string }): string {
  return s.name ?? s.id;
}

export function handlerLabel(h: StepHandler | null): string {
  if (!h) return "";
  if (h.kind === "endpoint") return `endpoint ${h.endpointName ?? h.endpoint ?? "?"}`;
  if (h.kind === "unknown") return "(no handler)";
  return `${h.type ?? "?"} (${h.assembly ?? "?"} ${h.version ?? "?"})`;
}

export function stepWhat(s: StepImpact): string {
  const parts = [s.message ?? "?", s.table ? `of ${s.table}` : "", s.stage ? `[${s.stage.replace(/ \(\d+\)$/, "")}${s.mode ? `, ${s.mode.replace(/ \(\d+\)$/, "")}` : ""}]` : ""];
  return parts.filter(Boolean).join(" ");
}

/** Steps in reading order: what needs a person first, then by name. */
export function stepsForDisplay(r: ImpactReport): StepImpact[] {
  return [...r.steps].sort((a, b) => STEP_CHANGE_ORDER.indexOf(a.change) - STEP_CHANGE_ORDER.indexOf(b.change) || ord(stepLabel(a).toLowerCase(), stepLabel(b).toLowerCase()) || ord(a.id, b.id));
}

export function countsText<T extends string>(counts: Record<T, number>, order: readonly T[]): string {
  const parts = order.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  return parts.length ? parts.join(", ") : "none";
}

export function title(r: ImpactReport): string {
  const name = r.solution.uniqueName.match ? r.incoming.uniqueName : `${r.installed.uniqueName} -> ${r.incoming.uniqueName}`;
  return `${name} ${r.installed.version} -> ${r.incoming.version}`;
}

/** Findings of `dvsol check` on the incoming solution, each marked new or not. */
export function findingsForDisplay(r: ImpactReport): { f: Finding; isNew: boolean }[] {
  const fresh = new Set(r.findings.new);
  return r.findings.incoming.map((f) => ({ f, isNew: fresh.has(f) || r.findings.new.some((n) => n.code === f.code && n.component?.id === f.component?.id && n.component?.name === f.component?.name && JSON.stringify(n.args) === JSON.stringify(f.args)) }));
}

export function oldAssemblyText(v: "kept" | RemovedFate): string {
  return v === "kept" ? "still in the incoming solution" : FATE_TEXT[v];
}
