/**
 * Registration as code: the registration file (docs/registration.md, templates/registration.schema.json)
 * as dvsol reads it. One file describes plug-in assemblies (their DLL), the steps of their types with
 * images, and service endpoints with the steps bound to them. `dvsol apply` turns it into edits of a
 * solution: what the file describes is added or updated; with --prune, what it no longer lists is removed
 * (within the assemblies and endpoints it manages).
 */
import type { JsonPosition } from "./json.js";

/** A step as the file describes it, validated and with its defaults filled in. */
export interface RegStep {
  /** JSON path of the step in the file (`assemblies[0].steps[2]`), for errors. */
  at: string;
  /** Fixed step id (lowercase, no braces), or undefined to derive one. */
  id?: string;
  /** Step name; undefined: "<Type>: <Message> of <table>" (as the Plug-in Registration Tool names steps). */
  name?: string;
  /** Managed only when given. */
  description?: string;
  /** Plug-in type (assembly steps): full class name or a short name unique in the DLL. */
  type?: string;
  message: string;
  /** The message's id in the target environment (custom actions and custom APIs). */
  messageId?: string;
  /** Primary table logical name; null: any table. */
  entity: string | null;
  /** Managed only when given ("" removes it). */
  secondaryEntity?: string;
  /** 10, 20 or 40. */
  stage: number;
  /** 0 sync, 1 async (default 0). */
  mode: number;
  /** Default 1. */
  rank: number;
  /** Default none. */
  filteringAttributes: string[];
  /** Unsecure configuration; null: none. */
  configuration: string | null;
  /** Default false. */
  asyncAutoDelete: boolean;
  /** "server" | "outlook" | "both" (default server). */
  deployment: "server" | "outlook" | "both";
  /** User the step runs as (name as exported, e.g. SYSTEM); null: the calling user. */
  impersonatingUser: string | null;
  /** Managed only when given. */
  enabled?: boolean;
  images: RegImage[];
}

export interface RegImage {
  at: string;
  alias: string;
  type: "pre" | "post" | "both";
  /** Empty: all columns. */
  attributes: string[];
}

export interface RegAssembly {
  at: string;
  /** The DLL, as written in the file (relative to the registration file, or to --assembly-dir). */
  path: string;
  /** Major/minor change: move the steps of the previous assembly to the new one. */
  repoint: boolean;
  /** Major/minor change: remove the previous assembly once no step uses it. */
  retireOld: boolean;
  /** Id of a new assembly (default: derived from its name and major.minor). */
  id?: string;
  /** WorkflowActivityGroupName of new workflow activities. */
  activityGroup?: string;
  /** Display names of workflow activities: class -> name. */
  activityNames?: Record<string, string>;
  steps: RegStep[];
}

export interface RegEndpoint {
  at: string;
  id?: string;
  name: string;
  description?: string;
  contract: string;
  namespace?: string;
  path?: string;
  auth?: string;
  sasKeyName?: string;
  messageFormat?: string;
  userClaim?: string;
  url?: string;
  steps: RegStep[];
}

export interface Registration {
  /** The file it was read from (for error locations), if any. */
  file?: string;
  assemblies: RegAssembly[];
  /**
   * The endpoints the file describes; null when the file has no `endpoints` key: then it does not manage
   * endpoints and --prune leaves every endpoint alone.
   */
  endpoints: RegEndpoint[] | null;
  /** Where a JSON path is in the file (its key when it has one). */
  where(path: string): JsonPosition | undefined;
}
