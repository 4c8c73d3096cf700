/**
 * The impact report: what importing an incoming solution over an installed one will do. Pure data
 * (no XML, no locations into documents): the JSON format prints it as it is (see docs/impact-schema.md
 * and templates/impact.schema.json), the other formats render it.
 */
import type { Finding } from "../findings/types.js";

/** How the incoming solution will be imported over a managed installed solution. */
export type ImportMode = "upgrade" | "update" | "stage";
export const IMPORT_MODES: readonly ImportMode[] = ["upgrade", "update", "stage"];

export type Verdict = "safe" | "attention" | "blocked";
export const VERDICTS: readonly Verdict[] = ["safe", "attention", "blocked"];

/** What happens to a component that the installed solution has and the incoming one does not. */
export type RemovedFate =
  /** Upgrade: deleted when the import finishes. */
  | "deleted"
  /** Stage for upgrade: stays (and keeps running) until the holding solution is applied, then deleted. */
  | "deleted-on-apply"
  /** Update mode or an unmanaged import: nothing is deleted; the component stays and keeps running. */
  | "left-behind";

export type AssemblyChange = "added" | "removed" | "unchanged" | "in-place-upgrade" | "new-assembly" | "content-changed" | "downgrade";
export const ASSEMBLY_CHANGES: readonly AssemblyChange[] = ["added", "removed", "unchanged", "in-place-upgrade", "new-assembly", "content-changed", "downgrade"];

export type StepChange = "added" | "removed" | "changed" | "unchanged" | "needs-repoint" | "moved";
export const STEP_CHANGES: readonly StepChange[] = ["added", "removed", "changed", "unchanged", "needs-repoint", "moved"];

export type EndpointChange = "added" | "removed" | "changed" | "unchanged";
export const ENDPOINT_CHANGES: readonly EndpointChange[] = ["added", "removed", "changed", "unchanged"];

export interface SolutionSide {
  /** File or folder name (without its directories, so reports do not depend on where files sit). */
  file: string | null;
  uniqueName: string;
  friendlyName: string | null;
  version: string;
  /** "both" for an unpacked folder made with package type Both. */
  managed: boolean | "both";
  publisher: string;
  publisherPrefix: string | null;
}

export interface VersionAdvice {
  /** The part to raise: "major" | "minor" | "build" | "revision". */
  part: string;
  /** The conventional next version (raise the part, zero the parts after it). */
  conventional: string;
  /** The smallest version that is higher than the installed one. */
  minimal: string;
}

export interface SolutionImpact {
  uniqueName: { installed: string; incoming: string; match: boolean };
  publisher: { installed: string; incoming: string; match: boolean };
  version: { installed: string; incoming: string; comparison: "higher" | "same" | "lower"; advice: VersionAdvice | null };
  managed: { installed: boolean | "both"; incoming: boolean | "both"; match: boolean };
  /** The mode asked for. */
  mode: ImportMode;
  /**
   * What the platform will actually do: the mode for a managed import, "unmanaged" for an unmanaged one
   * (modes do not apply: it creates and updates, and deletes nothing).
   */
  effectiveMode: ImportMode | "unmanaged";
  /** Stage for upgrade: the holding solution it leaves ("<UniqueName>_Upgrade"). */
  holdingSolution: string | null;
  /** What happens to components that the incoming solution no longer has. */
  removedComponents: RemovedFate;
}

export interface RepointStep {
  id: string;
  name: string | null;
  /** still-bound: the incoming solution binds it to the old version; left-behind: not in the incoming solution and not deleted. */
  reason: "still-bound" | "left-behind";
  /** The class it runs. */
  type: string;
}

export interface DllFacts {
  sha256: string;
  /** From the DLL's metadata, when the assembly reader could read it. */
  version: string | null;
  /** Plug-in and workflow types the DLL offers, when read. */
  types: string[] | null;
}

export interface AssemblyImpact {
  name: string;
  change: AssemblyChange;
  /** Installed version (null when added). */
  from: string | null;
  /** Incoming version (null when removed). */
  to: string | null;
  fromId: string | null;
  toId: string | null;
  /** Which version part changed first: "major" | "minor" | "build" | "revision" | "same" (null when added or removed). */
  versionChange: string | null;
  /** Plug-in type classes the incoming assembly has and the installed one had not. */
  typesAdded: string[];
  /** Plug-in type classes the installed assembly had and the incoming one has not. */
  typesRemoved: string[];
  /** Plug-in type classes in both. */
  typesKept: string[];
  /** Installed steps bound to the old assembly that still need re-pointing (new-assembly only). */
  stepsToRepoint: RepointStep[];
  /**
   * new-assembly and removed: what becomes of the old assembly. "kept" when the incoming solution still
   * carries it; otherwise the removed-component fate.
   */
  oldAssembly: "kept" | RemovedFate | null;
  /** DLL facts when both solutions carry the DLL; sameBytes compares SHA-256. */
  dll: { from: DllFacts | null; to: DllFacts | null; sameBytes: boolean | null };
}

export interface FieldChange {
  field: string;
  from: string | null;
  to: string | null;
}

export interface ImageChange {
  /** EntityAlias (or the image name or id when the alias is missing). */
  alias: string;
  change: "added" | "removed" | "changed" | "unchanged";
  /** "pre", "post" or "both" (incoming; installed for removed images). */
  imageType: string | null;
  fields: FieldChange[];
}

export interface StepHandler {
  kind: "plugin" | "endpoint" | "unknown";
  /** Plug-in: the assembly name and version; endpoint: null. */
  assembly: string | null;
  version: string | null;
  /** Plug-in: the class; endpoint: the system handler class. */
  type: string | null;
  /** Endpoint id for steps that post to a service endpoint. */
  endpoint: string | null;
  /** Endpoint name when the solution carries it. */
  endpointName: string | null;
}

export interface StepImpact {
  id: string;
  name: string | null;
  change: StepChange;
  /** Message name (or id when the name is not known), table and stage as a short description. */
  message: string | null;
  table: string | null;
  stage: string | null;
  mode: string | null;
  /** Installed binding (null when added). */
  from: StepHandler | null;
  /** Incoming binding (null when removed). */
  to: StepHandler | null;
  /** For removed steps: what the import does with it. */
  fate: RemovedFate | null;
  /** Field changes (changed, moved and needs-repoint steps), image changes included as "image <alias>". */
  fields: FieldChange[];
  /** Every image of the step (installed and incoming) with what happens to it. */
  images: ImageChange[];
  /** The step is new or runs a new or re-pointed type: set its secure configuration again if it uses one. */
  secureConfiguration: boolean;
  /** Enabled after import (StateCode); for removed steps, as installed. */
  enabled: boolean;
}

export interface EndpointImpact {
  id: string;
  name: string;
  change: EndpointChange;
  contract: string | null;
  fate: RemovedFate | null;
  fields: FieldChange[];
  /** The endpoint is new, or its address or authentication changed: its secret must be set in the target. */
  secretToSet: boolean;
}

export interface DependencyImpact {
  required: Record<string, string>;
  dependent: Record<string, string>;
  /** Not declared by the installed version: it may not be in the target environment yet. */
  new: boolean;
}

export interface ImpactSummary {
  reasons: { error: number; warning: number; info: number };
  assemblies: Record<AssemblyChange, number>;
  steps: Record<StepChange, number>;
  endpoints: Record<EndpointChange, number>;
  missingDependencies: { total: number; new: number };
  findings: { incoming: number; new: number };
}

export interface ImpactReport {
  schemaVersion: 1;
  verdict: Verdict;
  /** Why: errors (blocked) first, then warnings (attention), then information. */
  reasons: Finding[];
  installed: SolutionSide;
  incoming: SolutionSide;
  solution: SolutionImpact;
  assemblies: AssemblyImpact[];
  steps: StepImpact[];
  endpoints: EndpointImpact[];
  missingDependencies: DependencyImpact[];
  findings: { incoming: Finding[]; new: Finding[] };
  summary: ImpactSummary;
  /** Only with --timestamp: when the report was made (ISO 8601). */
  generatedAt?: string;
}
