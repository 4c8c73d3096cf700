/** Findings are data; their wording lives only in ./catalog.ts. */
export type Severity = "error" | "warning" | "info";

export type FindingArgValue = string | number | boolean | null | readonly string[];
export type FindingArgs = Record<string, FindingArgValue>;

export type ComponentKind =
  | "solution"
  | "assembly"
  | "plugintype"
  | "step"
  | "image"
  | "endpoint"
  | "rootcomponent"
  | "dependency"
  | "file";

export interface ComponentRef {
  kind: ComponentKind;
  id: string | null;
  name: string | null;
}

export interface FindingLocation {
  /** The solution (zip or folder) as given on the command line. */
  file?: string;
  /** Entry in the zip, or path relative to the unpacked folder (forward slashes). */
  entry?: string;
  line?: number;
  column?: number;
  /** Element path in the document. */
  path?: string;
}

export interface Finding {
  code: string;
  severity: Severity;
  args: FindingArgs;
  component?: ComponentRef;
  location?: FindingLocation;
}
