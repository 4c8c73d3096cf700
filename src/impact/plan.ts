/**
 * The impact planner: two solution models in, an ImpactReport out. Pure: no I/O, no clock, no
 * randomness; the same inputs give the same report (everything is sorted).
 *
 * Platform behaviour it encodes (reference page sections 6 and 7; the wording of each conclusion is in
 * ./findings.ts):
 * - an import matches the installed solution by unique name; the publisher must match; a managed upgrade
 *   (and stage for upgrade) needs a higher version; managed over unmanaged and the reverse are refused;
 * - upgrade deletes what the new version no longer carries, stage for upgrade does so when applied,
 *   update mode and unmanaged imports delete nothing;
 * - plug-in assemblies are identified by name: a build/revision change is an in-place upgrade (steps
 *   follow), a major/minor change is a different assembly (steps stay on the old one until re-pointed);
 * - an assembly's content cannot be replaced by a DLL that lacks a type still registered ("Plug-in assembly
 *   does not contain the required types");
 * - secure configuration and endpoint secrets are never exported.
 */
import * as path from "node:path";
import { finding } from "../findings/catalog.js";
import type { ComponentRef, Finding, Severity } from "../findings/types.js";
import { normId } from "../model/ids.js";
import { compareVersions, parseQualifiedName, tryParseVersion, versionChange, ASSEMBLY_VERSION, type VersionTuple } from "../model/names.js";
import type { Manifest, PluginAssembly, PluginType, ServiceEndpoint, Solution, Step, StepImage } from "../model/types.js";
import { CONTRACT_NAMES, EVENT_HANDLER_SERVICE_ENDPOINT, IMAGE_TYPE_NAMES, MODE_NAMES, STAGE_NAMES } from "../model/types.js";
import { applyConfig, type DvsolConfig } from "../config.js";
import "./findings.js";
import {
  ASSEMBLY_CHANGES,
  ENDPOINT_CHANGES,
  STEP_CHANGES,
  type AssemblyChange,
  type AssemblyImpact,
  type DependencyImpact,
  type DllFacts,
  type EndpointImpact,
  type FieldChange,
  type ImageChange,
  type ImpactReport,
  type ImpactSummary,
  type ImportMode,
  type RemovedFate,
  type SolutionImpact,
  type SolutionSide,
  type StepHandler,
  type StepImpact,
  type Verdict,
  type VersionAdvice,
} from "./types.js";

export interface AssessOptions {
  /** Import mode for a managed import (default upgrade). */
  mode?: ImportMode;
  /** `dvsol check` findings of the incoming solution. */
  incomingFindings?: readonly Finding[];
  /** `dvsol check` findings of the installed solution (to tell which findings are new). */
  installedFindings?: readonly Finding[];
  /** Facts about the DLLs, keyed by dllKey(assembly), per side. */
  dllInfo?: { installed?: ReadonlyMap<string, DllFacts>; incoming?: ReadonlyMap<string, DllFacts> };
  /** dvsol.config.json: turns IMPACT_ reasons off or changes their severity (and so the verdict). */
  config?: DvsolConfig | null;
}

/** The key of an assembly in AssessOptions.dllInfo. */
export const dllKey = (a: PluginAssembly): string => `${a.name.toLowerCase()}|${a.version}|${a.id ?? ""}`;

// ---------------------------------------------------------------------------------------------------------
// small helpers

const lc = (v: string | null | undefined): string => (v ?? "").toLowerCase();
const ord = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

const WELL_KNOWN_MESSAGES: Record<string, string> = {
  "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8": "Create",
  "20bebb1b-ea3e-db11-86a7-000a3a5473e8": "Update",
  "a1bdbb1b-ea3e-db11-86a7-000a3a5473e8": "Delete",
};

/** Secret each endpoint authentication type needs (reference page, section 4). */
const AUTH_SECRET: Record<number, string> = {
  1: "ACS issuer secret",
  2: "SAS key",
  3: "SAS token",
  4: "webhook key",
  5: "HTTP header values",
  6: "HTTP query string values",
  7: "connection string",
  8: "access key",
};
const AUTH_NAMES: Record<number, string> = { 1: "ACS", 2: "SASKey", 3: "SASToken", 4: "WebhookKey", 5: "HttpHeader", 6: "HttpQueryString", 7: "ConnectionString", 8: "AccessKey" };
const MESSAGE_FORMAT_NAMES: Record<number, string> = { 1: "BinaryXML", 2: "JSON", 3: "TextXML" };
const USER_CLAIM_NAMES: Record<number, string> = { 1: "None", 2: "UserId", 3: "UserInfo" };
const CONNECTION_MODE_NAMES: Record<number, string> = { 1: "Normal", 2: "Federated" };
const NAMESPACE_FORMAT_NAMES: Record<number, string> = { 1: "Name", 2: "Address" };
const INVOCATION_NAMES: Record<number, string> = { [-1]: "internal", 0: "parent", 1: "child" };
const DEPLOYMENT_NAMES: Record<number, string> = { 0: "server", 1: "Outlook client", 2: "both" };

function named(v: number | null, names: Record<number, string>): string | null {
  if (v === null) return null;
  const n = names[v];
  return n ? `${n} (${v})` : String(v);
}

function majorMinor(v: VersionTuple | null): string {
  return v ? `${v[0] ?? 0}.${v[1] ?? 0}` : "";
}

function asmVersion(a: { version: string }): VersionTuple | null {
  return tryParseVersion(a.version, ASSEMBLY_VERSION);
}

/** Plug-in types of the platform itself (service endpoint handlers): never part of a solution. */
function isSystemHandler(step: Step): boolean {
  if (step.eventHandlerTypeCode === EVENT_HANDLER_SERVICE_ENDPOINT) return true;
  const q = step.pluginTypeName ? parseQualifiedName(step.pluginTypeName) : null;
  return !!q?.assembly && /^microsoft\.crm\.servicebus$/i.test(q.assembly.name);
}

function managedOf(m: Manifest): boolean | "both" {
  return m.managed === 2 ? "both" : m.managed === 1;
}

function side(sol: Solution): SolutionSide {
  const m = sol.manifest;
  return {
    file: sol.source?.location ? path.basename(sol.source.location.replace(/[\\/]+$/, "")) : null,
    uniqueName: m.uniqueName,
    friendlyName: m.friendlyName,
    version: m.version,
    managed: managedOf(m),
    publisher: m.publisher.uniqueName,
    publisherPrefix: m.publisher.prefix,
  };
}

const PARTS = ["major", "minor", "build", "revision"];

/** Which part to raise so that the incoming version is higher than the installed one. */
export function versionAdvice(installed: string): VersionAdvice {
  const t = tryParseVersion(installed) ?? [0, 0];
  const n = Math.max(2, t.length);
  const parts = Array.from({ length: n }, (_, i) => t[i] ?? 0);
  // Conventional: raise the build (the part `pac solution version` raises) of a 3- or 4-part version,
  // the minor of a 2-part one; zero what follows.
  const raise = n >= 3 ? 2 : 1;
  const conventional = parts.map((p, i) => (i < raise ? p : i === raise ? p + 1 : 0)).join(".");
  const minimal = parts.map((p, i) => (i === n - 1 ? p + 1 : p)).join(".");
  return { part: PARTS[raise]!, conventional, minimal };
}

// ---------------------------------------------------------------------------------------------------------
// step bindings

interface Binding {
  kind: "plugin" | "endpoint" | "unknown";
  /** Resolved in the solution the step comes from. */
  assembly: PluginAssembly | null;
  type: PluginType | null;
  /** From PluginTypeName (or the resolved type). */
  typeName: string | null;
  assemblyName: string | null;
  version: string | null;
  endpoint: string | null;
  system: boolean;
}

/**
 * The type a step runs, in the step's own solution: by PluginTypeId, else by PluginTypeName (class,
 * assembly name and version). Real exports carry steps whose PluginTypeId is not the id of the type the
 * solution carries while the name matches (msdyn_URSUpgradeScripts): the name decides then.
 */
function resolveType(types: TypeIndex, step: Step): { assembly: PluginAssembly; type: PluginType } | null {
  if (step.pluginTypeId) {
    const byId = types.byId.get(step.pluginTypeId);
    if (byId) return byId;
  }
  if (step.pluginTypeName) {
    const q = parseQualifiedName(step.pluginTypeName);
    if (q.assembly) {
      for (const a of types.byName.get(lc(q.assembly.name)) ?? []) {
        if (q.assembly.version !== "" && q.assembly.version !== a.version) continue;
        const t = a.types.find((x) => x.typeName === q.typeName);
        if (t) return { assembly: a, type: t };
      }
    }
  }
  return null;
}

/** resolveType's lookups: the first type of each id and the assemblies of each name, in document order. */
interface TypeIndex {
  byId: Map<string, { assembly: PluginAssembly; type: PluginType }>;
  byName: Map<string, PluginAssembly[]>;
}

function indexTypes(sol: Solution): TypeIndex {
  const byId = new Map<string, { assembly: PluginAssembly; type: PluginType }>();
  const byName = new Map<string, PluginAssembly[]>();
  for (const a of sol.assemblies) {
    for (const t of a.types) if (t.id && !byId.has(t.id)) byId.set(t.id, { assembly: a, type: t });
    const l = byName.get(lc(a.name));
    if (l) l.push(a);
    else byName.set(lc(a.name), [a]);
  }
  return { byId, byName };
}

function bindingOf(types: TypeIndex, step: Step): Binding {
  const system = isSystemHandler(step);
  if (step.eventHandlerTypeCode === EVENT_HANDLER_SERVICE_ENDPOINT || (system && step.eventHandler)) {
    const q = step.pluginTypeName ? parseQualifiedName(step.pluginTypeName) : null;
    return { kind: "endpoint", assembly: null, type: null, typeName: q?.typeName ?? null, assemblyName: q?.assembly?.name ?? null, version: q?.assembly?.version ?? null, endpoint: step.eventHandler, system: true };
  }
  const found = resolveType(types, step);
  const assembly = found?.assembly ?? null;
  const type = found?.type ?? null;
  const q = step.pluginTypeName ? parseQualifiedName(step.pluginTypeName) : null;
  if (!q && !type && !step.pluginTypeId) {
    return { kind: "unknown", assembly: null, type: null, typeName: null, assemblyName: null, version: null, endpoint: step.eventHandler, system };
  }
  return {
    kind: "plugin",
    assembly,
    type,
    typeName: type?.typeName ?? q?.typeName ?? null,
    assemblyName: assembly?.name ?? q?.assembly?.name ?? null,
    version: assembly?.version ?? q?.assembly?.version ?? null,
    endpoint: null,
    system,
  };
}

function handlerOf(b: Binding, sol: Solution): StepHandler {
  const ep = b.endpoint ? sol.endpoints.find((e) => e.id === b.endpoint) : undefined;
  return {
    kind: b.kind,
    assembly: b.kind === "plugin" ? b.assemblyName : null,
    version: b.kind === "plugin" ? b.version : null,
    type: b.typeName,
    endpoint: b.endpoint,
    endpointName: ep?.name ?? null,
  };
}

function handlerText(b: Binding): string | null {
  if (b.kind === "endpoint") return `endpoint ${b.endpoint ?? "?"}`;
  if (b.kind === "unknown") return null;
  return `${b.typeName ?? "?"} (${b.assemblyName ?? "?"} ${b.version ?? "?"})`;
}

function messageText(s: Step): string | null {
  if (s.messageName) return s.messageName;
  if (s.messageId && WELL_KNOWN_MESSAGES[s.messageId]) return WELL_KNOWN_MESSAGES[s.messageId]!;
  // Default step names read "Type: Message of table": use the message name from there for display.
  const m = /: (\S+) of (?:\S+|any Entity)$/.exec(s.name ?? "");
  if (m) return m[1]!;
  return s.messageId;
}

function messageKey(s: Step): string {
  return s.messageId ?? lc(s.messageName);
}

function imageKey(i: StepImage): string {
  return i.alias ?? i.name ?? i.id ?? "";
}

function imageText(i: StepImage): string {
  return `${imageTypeName(i) ?? "?"}: ${columnsText(i)}${i.messagePropertyName ? ` [${i.messagePropertyName}]` : ""}`;
}

const imageTypeName = (i: StepImage): string | null => (i.imageType === null ? null : (IMAGE_TYPE_NAMES[i.imageType] ?? String(i.imageType)));
const columnsText = (i: StepImage): string => (i.attributes.length ? [...i.attributes].map((x) => x.toLowerCase()).sort(ord).join(",") : "(all columns)");

/** Every image of the two versions of a step, matched by alias. */
function compareImages(a: StepImage[], b: StepImage[]): ImageChange[] {
  const out: ImageChange[] = [];
  const am = new Map(a.map((i) => [imageKey(i), i]));
  const bm = new Map(b.map((i) => [imageKey(i), i]));
  const keys = [...new Set([...am.keys(), ...bm.keys()])].sort(ord);
  for (const k of keys) {
    const x = am.get(k);
    const y = bm.get(k);
    if (x && !y) out.push({ alias: k, change: "removed", imageType: imageTypeName(x), fields: [{ field: "image", from: imageText(x), to: null }] });
    else if (!x && y) out.push({ alias: k, change: "added", imageType: imageTypeName(y), fields: [{ field: "image", from: null, to: imageText(y) }] });
    else if (x && y) {
      const fields: FieldChange[] = [];
      diff(fields, "imageType", imageTypeName(x), imageTypeName(y));
      diff(fields, "attributes", columnsText(x), columnsText(y));
      diff(fields, "messagePropertyName", x.messagePropertyName, y.messagePropertyName);
      diff(fields, "name", x.name, y.name);
      diff(fields, "relatedAttributeName", x.relatedAttributeName, y.relatedAttributeName);
      out.push({ alias: k, change: fields.length ? "changed" : "unchanged", imageType: imageTypeName(y), fields });
    }
  }
  return out;
}

function diff(out: FieldChange[], field: string, from: string | null, to: string | null): void {
  if ((from ?? null) !== (to ?? null)) out.push({ field, from: from ?? null, to: to ?? null });
}

const sortedList = (v: string[]): string | null => (v.length ? [...v].map((x) => x.toLowerCase()).sort(ord).join(",") : null);
const enabledOf = (s: Step): boolean => s.stateCode !== 1;
const boolText = (v: boolean | null): string | null => (v === null ? null : v ? "yes" : "no");

function stepFields(a: Step, b: Step): FieldChange[] {
  const f: FieldChange[] = [];
  diff(f, "name", a.name, b.name);
  if (messageKey(a) !== messageKey(b)) f.push({ field: "message", from: messageText(a), to: messageText(b) });
  diff(f, "table", a.primaryEntity, b.primaryEntity);
  diff(f, "secondaryTable", a.secondaryEntity, b.secondaryEntity);
  diff(f, "stage", named(a.stage, STAGE_NAMES), named(b.stage, STAGE_NAMES));
  diff(f, "mode", named(a.mode, MODE_NAMES), named(b.mode, MODE_NAMES));
  diff(f, "rank", a.rank === null ? null : String(a.rank), b.rank === null ? null : String(b.rank));
  diff(f, "filteringAttributes", sortedList(a.filteringAttributes), sortedList(b.filteringAttributes));
  diff(f, "configuration", a.configuration || null, b.configuration || null);
  diff(f, "enabled", enabledOf(a) ? "enabled" : "disabled", enabledOf(b) ? "enabled" : "disabled");
  diff(f, "impersonation", a.impersonatingUserIdName, b.impersonatingUserIdName);
  diff(f, "description", a.description || null, b.description || null);
  diff(f, "asyncAutoDelete", boolText(a.asyncAutoDelete), boolText(b.asyncAutoDelete));
  diff(f, "invocationSource", named(a.invocationSource, INVOCATION_NAMES), named(b.invocationSource, INVOCATION_NAMES));
  diff(f, "deployment", named(a.supportedDeployment, DEPLOYMENT_NAMES), named(b.supportedDeployment, DEPLOYMENT_NAMES));
  return f;
}

function endpointFields(a: ServiceEndpoint, b: ServiceEndpoint): FieldChange[] {
  const f: FieldChange[] = [];
  diff(f, "name", a.name, b.name);
  diff(f, "contract", named(a.contract, CONTRACT_NAMES), named(b.contract, CONTRACT_NAMES));
  diff(f, "connectionMode", named(a.connectionMode, CONNECTION_MODE_NAMES), named(b.connectionMode, CONNECTION_MODE_NAMES));
  diff(f, "namespaceAddress", a.namespaceAddress, b.namespaceAddress);
  diff(f, "solutionNamespace", a.solutionNamespace, b.solutionNamespace);
  diff(f, "namespaceFormat", named(a.namespaceFormat, NAMESPACE_FORMAT_NAMES), named(b.namespaceFormat, NAMESPACE_FORMAT_NAMES));
  diff(f, "path", a.path, b.path);
  diff(f, "url", a.url, b.url);
  diff(f, "authType", named(a.authType, AUTH_NAMES), named(b.authType, AUTH_NAMES));
  diff(f, "sasKeyName", a.sasKeyName, b.sasKeyName);
  diff(f, "messageFormat", named(a.messageFormat, MESSAGE_FORMAT_NAMES), named(b.messageFormat, MESSAGE_FORMAT_NAMES));
  diff(f, "userClaim", named(a.userClaim, USER_CLAIM_NAMES), named(b.userClaim, USER_CLAIM_NAMES));
  diff(f, "useKeyVaultConfiguration", a.useKeyVaultConfiguration, b.useKeyVaultConfiguration);
  diff(f, "description", a.description || null, b.description || null);
  return f;
}

/** Fields whose change means the endpoint's secret must be entered again. */
const SECRET_BOUND_FIELDS = new Set(["namespaceAddress", "solutionNamespace", "path", "url", "authType", "sasKeyName", "contract"]);

function needsSecret(e: ServiceEndpoint): boolean {
  return e.useKeyVaultConfiguration !== "1" && e.authType !== null && AUTH_SECRET[e.authType] !== undefined;
}

const stepRef = (s: Step): ComponentRef => ({ kind: "step", id: s.id, name: s.name });
const asmRef = (a: { id: string | null; name: string }): ComponentRef => ({ kind: "assembly", id: a.id, name: a.name });

// ---------------------------------------------------------------------------------------------------------
// assemblies

interface AsmPair {
  name: string;
  a: PluginAssembly | null;
  b: PluginAssembly | null;
  /** new-assembly/downgrade against an old assembly that the incoming solution still carries. */
  oldKept: boolean;
}

/** Pairs installed and incoming assemblies by name: same id, then same major.minor, then the newest of each. */
function pairAssemblies(A: PluginAssembly[], B: PluginAssembly[]): AsmPair[] {
  const names = [...new Set([...A, ...B].map((x) => x.name.toLowerCase()))].sort(ord);
  const byVersion = (x: PluginAssembly, y: PluginAssembly) => compareVersions(asmVersion(x) ?? [], asmVersion(y) ?? []) || ord(x.id ?? "", y.id ?? "");
  const out: AsmPair[] = [];
  for (const n of names) {
    const as = A.filter((x) => x.name.toLowerCase() === n).sort(byVersion);
    const bs = B.filter((x) => x.name.toLowerCase() === n).sort(byVersion);
    const freeA = new Set(as);
    const freeB = new Set(bs);
    const paired: PluginAssembly[] = [];
    const take = (a: PluginAssembly, b: PluginAssembly) => {
      freeA.delete(a);
      freeB.delete(b);
      paired.push(a);
      out.push({ name: b.name, a, b, oldKept: false });
    };
    // 1. Same registration (id) and same major.minor.
    for (const a of as) {
      const b = [...freeB].find((x) => a.id && x.id === a.id && majorMinor(asmVersion(x)) === majorMinor(asmVersion(a)));
      if (b && freeA.has(a)) take(a, b);
    }
    // 2. Same major.minor (the platform's identity ignores build and revision).
    for (const a of as) {
      if (!freeA.has(a)) continue;
      const b = [...freeB].reverse().find((x) => majorMinor(asmVersion(x)) === majorMinor(asmVersion(a)));
      if (b) take(a, b);
    }
    // 3. Remaining incoming assemblies of an installed name: a new assembly (or a downgrade) against the
    //    newest remaining installed one, else against the newest paired one (which the incoming keeps).
    for (const b of [...freeB].reverse()) {
      const restA = [...freeA];
      const a = restA[restA.length - 1] ?? paired[paired.length - 1] ?? as[as.length - 1] ?? null;
      if (!a) continue;
      const kept = !freeA.has(a);
      freeA.delete(a);
      freeB.delete(b);
      out.push({ name: b.name, a, b, oldKept: kept });
    }
    for (const a of freeA) out.push({ name: a.name, a, b: null, oldKept: false });
    for (const b of freeB) out.push({ name: b.name, a: null, b, oldKept: false });
  }
  return out.sort((x, y) => ord(x.name.toLowerCase(), y.name.toLowerCase()) || ord(x.a?.version ?? "", y.a?.version ?? "") || ord(x.b?.version ?? "", y.b?.version ?? ""));
}

// ---------------------------------------------------------------------------------------------------------
// the planner

export function assessImpact(installed: Solution, incoming: Solution, opts: AssessOptions = {}): ImpactReport {
  const mode: ImportMode = opts.mode ?? "upgrade";
  const reasons: Finding[] = [];
  const add = (code: string, args: Finding["args"], component?: ComponentRef): void => {
    reasons.push(finding(code, args, component ? { component } : {}));
  };
  const A = installed.manifest;
  const B = incoming.manifest;

  // --- solution --------------------------------------------------------------------------------------
  const instManaged = managedOf(A);
  const incManaged = managedOf(B);
  const incIsManaged = incManaged !== false; // "both" is taken as managed
  const effectiveMode: ImportMode | "unmanaged" = incIsManaged ? mode : "unmanaged";
  const fate: RemovedFate = effectiveMode === "upgrade" ? "deleted" : effectiveMode === "stage" ? "deleted-on-apply" : "left-behind";
  const solComp: ComponentRef = { kind: "solution", id: null, name: B.uniqueName };

  const nameMatch = A.uniqueName.toLowerCase() === B.uniqueName.toLowerCase();
  if (!nameMatch) add("IMPACT_SOLUTION_NAME_MISMATCH", { installed: A.uniqueName, incoming: B.uniqueName }, solComp);
  const pubMatch = A.publisher.uniqueName.toLowerCase() === B.publisher.uniqueName.toLowerCase();
  if (!pubMatch) add("IMPACT_PUBLISHER_MISMATCH", { installed: A.publisher.uniqueName, incoming: B.publisher.uniqueName }, solComp);

  const managedMatch = instManaged === "both" || incManaged === "both" || instManaged === incManaged;
  if (!managedMatch) add("IMPACT_MANAGED_MISMATCH", { installed: instManaged === true, incoming: incManaged === true }, solComp);
  if (instManaged === "both") add("IMPACT_PACKAGE_TYPE_BOTH", { side: "the installed solution" }, solComp);
  if (incManaged === "both") add("IMPACT_PACKAGE_TYPE_BOTH", { side: "the incoming solution" }, solComp);

  const cmp = compareVersions(tryParseVersion(B.version) ?? [], tryParseVersion(A.version) ?? []);
  const comparison = cmp > 0 ? "higher" : cmp === 0 ? "same" : "lower";
  const advice = comparison === "higher" ? null : versionAdvice(A.version);
  const installedIsManaged = instManaged !== false;
  if (incIsManaged && installedIsManaged) {
    if ((mode !== "update" && comparison !== "higher") || (mode === "update" && comparison === "lower")) {
      add("IMPACT_VERSION_NOT_HIGHER", { installed: A.version, incoming: B.version, comparison, mode, part: advice!.part, conventional: advice!.conventional, minimal: advice!.minimal }, solComp);
    } else if (comparison === "same") {
      add("IMPACT_VERSION_SAME", { installed: A.version, incoming: B.version, effectiveMode }, solComp);
    }
  } else if (!incIsManaged) {
    if (comparison === "lower") add("IMPACT_VERSION_LOWER", { installed: A.version, incoming: B.version }, solComp);
    else if (comparison === "same") add("IMPACT_VERSION_SAME", { installed: A.version, incoming: B.version, effectiveMode }, solComp);
    add("IMPACT_UNMANAGED_IMPORT", { mode }, solComp);
  }
  if (effectiveMode === "stage") add("IMPACT_STAGE_HOLDING", { holding: `${B.uniqueName}_Upgrade`, uniqueName: B.uniqueName }, solComp);

  const solution: SolutionImpact = {
    uniqueName: { installed: A.uniqueName, incoming: B.uniqueName, match: nameMatch },
    publisher: { installed: A.publisher.uniqueName, incoming: B.publisher.uniqueName, match: pubMatch },
    version: { installed: A.version, incoming: B.version, comparison, advice },
    managed: { installed: instManaged, incoming: incManaged, match: managedMatch },
    mode,
    effectiveMode,
    holdingSolution: effectiveMode === "stage" ? `${B.uniqueName}_Upgrade` : null,
    removedComponents: fate,
  };

  // --- bindings ----------------------------------------------------------------------------------------
  const stepsA = [...installed.steps].sort((x, y) => ord(x.id, y.id));
  const stepsB = [...incoming.steps].sort((x, y) => ord(x.id, y.id));
  const typesOfA = indexTypes(installed);
  const typesOfB = indexTypes(incoming);
  const bindA = new Map(stepsA.map((s) => [s.id, bindingOf(typesOfA, s)]));
  const bindB = new Map(stepsB.map((s) => [s.id, bindingOf(typesOfB, s)]));
  const stepB = new Map(stepsB.map((s) => [s.id, s]));
  const stepA = new Map(stepsA.map((s) => [s.id, s]));
  const reportedMissing = new Set<string>();

  // --- assemblies -------------------------------------------------------------------------------------
  const pairs = pairAssemblies(installed.assemblies, incoming.assemblies);
  const assemblies: AssemblyImpact[] = [];
  /** name (lowercase) -> the new-assembly pair for it, to classify steps still bound to the old one. */
  const newAssemblyOf = new Map<string, AsmPair>();
  const dll = (which: "installed" | "incoming", a: PluginAssembly | null): DllFacts | null => (a ? (opts.dllInfo?.[which]?.get(dllKey(a)) ?? null) : null);

  for (const p of pairs) {
    const { a, b } = p;
    const va = a ? asmVersion(a) : null;
    const vb = b ? asmVersion(b) : null;
    const typesA = new Set((a?.types ?? []).map((t) => t.typeName));
    const typesB = new Set((b?.types ?? []).map((t) => t.typeName));
    const typesAdded = a && b ? [...typesB].filter((t) => !typesA.has(t)).sort(ord) : b ? [...typesB].sort(ord) : [];
    const typesRemoved = a && b ? [...typesA].filter((t) => !typesB.has(t)).sort(ord) : a ? [...typesA].sort(ord) : [];
    const typesKept = a && b ? [...typesA].filter((t) => typesB.has(t)).sort(ord) : [];
    const dA = dll("installed", a);
    const dB = dll("incoming", b);
    const sameBytes = dA && dB ? dA.sha256 === dB.sha256 : null;
    let change: AssemblyChange;
    let vc: string | null = null;
    if (!a) change = "added";
    else if (!b) change = "removed";
    else {
      vc = va && vb ? versionChange(va, vb) : a.version === b.version ? "same" : "major";
      const up = compareVersions(vb ?? [], va ?? []);
      if (vc === "same") change = sameBytes === false || typesAdded.length || typesRemoved.length ? "content-changed" : "unchanged";
      else if (up < 0) change = "downgrade";
      else if (vc === "build" || vc === "revision") change = "in-place-upgrade";
      else change = "new-assembly";
    }
    const entry: AssemblyImpact = {
      name: (b ?? a)!.name,
      change,
      from: a?.version ?? null,
      to: b?.version ?? null,
      fromId: a?.id ?? null,
      toId: b?.id ?? null,
      versionChange: vc,
      typesAdded,
      typesRemoved,
      typesKept,
      stepsToRepoint: [],
      oldAssembly: null,
      dll: { from: dA, to: dB, sameBytes },
    };
    assemblies.push(entry);
    const ref = asmRef((b ?? a)!);
    const separate = change === "new-assembly" || (change === "downgrade" && (vc === "major" || vc === "minor"));

    if (a && b && separate) {
      entry.oldAssembly = p.oldKept ? "kept" : fate;
      newAssemblyOf.set(a.name.toLowerCase() + "|" + majorMinor(va), p);
      // Installed steps bound to the old assembly that the incoming solution does not move.
      for (const s of stepsA) {
        const ba = bindA.get(s.id)!;
        if (ba.assembly !== a) continue;
        const s2 = stepB.get(s.id);
        if (s2) {
          const bb = bindB.get(s.id)!;
          if (bb.kind === "plugin" && lc(bb.assemblyName) === lc(a.name) && majorMinor(tryParseVersion(bb.version ?? "", ASSEMBLY_VERSION)) === majorMinor(va)) {
            entry.stepsToRepoint.push({ id: s.id, name: s2.name, reason: "still-bound", type: bb.typeName ?? "?" });
          }
        } else if (fate === "left-behind") {
          entry.stepsToRepoint.push({ id: s.id, name: s.name, reason: "left-behind", type: ba.typeName ?? "?" });
        }
      }
      entry.stepsToRepoint.sort((x, y) => ord(lc(x.name), lc(y.name)) || ord(x.id, y.id));
      if (change === "new-assembly") {
        add("IMPACT_ASSEMBLY_NEW_VERSION", { assembly: b.name, part: vc, from: a.version, to: b.version, repoint: entry.stepsToRepoint.length, oldAssembly: entry.oldAssembly }, ref);
      } else {
        add("IMPACT_ASSEMBLY_DOWNGRADE", { assembly: b.name, part: vc, from: a.version, to: b.version }, ref);
      }
      for (const r of entry.stepsToRepoint) {
        add("IMPACT_STEP_NEEDS_REPOINT", { step: r.name ?? r.id, id: r.id, reason: r.reason, type: r.type, assembly: a.name, from: a.version, to: b.version, effectiveMode }, { kind: "step", id: r.id, name: r.name });
      }
    } else if (a && b) {
      if (change === "downgrade") add("IMPACT_ASSEMBLY_DOWNGRADE", { assembly: b.name, part: vc, from: a.version, to: b.version }, ref);
      if (change === "content-changed" && sameBytes === false) {
        add("IMPACT_ASSEMBLY_CONTENT_CHANGED", { assembly: b.name, version: b.version, fromHash: dA!.sha256.slice(0, 12), toHash: dB!.sha256.slice(0, 12) }, ref);
      }
      if (a.id && b.id && a.id !== b.id) add("IMPACT_ASSEMBLY_ID_CHANGED", { assembly: b.name, version: b.version, fromId: a.id, toId: b.id }, ref);
      // The assembly's content is replaced in place: a type it loses must not stay registered.
      for (const tn of typesRemoved) {
        const users = stepsA.filter((s) => {
          const ba = bindA.get(s.id)!;
          return ba.assembly === a && ba.typeName === tn;
        });
        let blocking: { step: Step; how: "kept" | "left-behind" } | null = null;
        for (const s of users) {
          const s2 = stepB.get(s.id);
          if (s2) {
            const bb = bindB.get(s.id)!;
            if (bb.kind === "plugin" && bb.typeName === tn && lc(bb.assemblyName) === lc(a.name)) {
              blocking = { step: s2, how: "kept" };
              break;
            }
          } else if (fate === "left-behind") {
            blocking = { step: s, how: "left-behind" };
            break;
          }
        }
        // New steps of the incoming solution that run the removed type block as well.
        if (!blocking) {
          for (const s2 of stepsB) {
            const bb = bindB.get(s2.id)!;
            if (bb.kind === "plugin" && !bb.type && bb.typeName === tn && lc(bb.assemblyName) === lc(a.name)) {
              blocking = { step: s2, how: "kept" };
              break;
            }
          }
        }
        const tref: ComponentRef = { kind: "plugintype", id: a.types.find((t) => t.typeName === tn)?.id ?? null, name: tn };
        if (blocking) {
          reportedMissing.add(blocking.step.id);
          add("IMPACT_TYPE_REMOVED_IN_USE", { type: tn, assembly: b.name, to: b.version, step: blocking.step.name ?? blocking.step.id, stepId: blocking.step.id, how: blocking.how, effectiveMode }, tref);
        } else if (fate === "left-behind") {
          add("IMPACT_TYPE_REMOVED_NOT_DELETED", { type: tn, assembly: b.name, to: b.version, effectiveMode }, tref);
        } else {
          add("IMPACT_TYPE_REMOVED", { type: tn, assembly: b.name, to: b.version, fate }, tref);
        }
      }
    } else if (a && !b) {
      entry.oldAssembly = fate;
      add("IMPACT_ASSEMBLY_REMOVED", { assembly: a.name, version: a.version, fate }, ref);
    }
  }

  // --- steps ---------------------------------------------------------------------------------------------
  const installedTypeIds = new Set(installed.assemblies.flatMap((x) => x.types.map((t) => t.id)).filter((x): x is string => !!x));
  const installedTypeKeys = new Set(installed.assemblies.flatMap((x) => x.types.map((t) => `${lc(x.name)}|${majorMinor(asmVersion(x))}|${t.typeName}`)));
  const steps: StepImpact[] = [];
  const addedSteps: Step[] = [];
  const leftBehind: Step[] = [];
  const ids = [...new Set([...stepA.keys(), ...stepB.keys()])].sort(ord);
  const missingDeps = B.missingDependencies;
  const declaredMissing = (kind: "type" | "endpoint", keys: (string | null)[]): boolean => {
    const want = new Set(keys.filter((k): k is string => !!k).map((k) => k.toLowerCase()));
    return missingDeps.some((m) => {
      const t = String(m.required.type ?? "").toLowerCase();
      const ok = kind === "type" ? ["90", "91", "plugintype", "pluginassembly"].includes(t) : ["95", "serviceendpoint"].includes(t);
      if (!ok) return false;
      const vals = [normId(m.required.id) ?? m.required.id, m.required.schemaName, m.required.displayName].filter((v): v is string => !!v).map((v) => v.toLowerCase());
      return vals.some((v) => want.has(v) || [...want].some((w) => v.startsWith(w + ",")));
    });
  };

  for (const id of ids) {
    const a = stepA.get(id);
    const b = stepB.get(id);
    const s = (b ?? a)!;
    const ba = a ? bindA.get(id)! : null;
    const bb = b ? bindB.get(id)! : null;
    const impact: StepImpact = {
      id,
      name: s.name,
      change: "unchanged",
      message: messageText(s),
      table: s.primaryEntity,
      stage: named(s.stage, STAGE_NAMES),
      mode: named(s.mode, MODE_NAMES),
      from: ba ? handlerOf(ba, installed) : null,
      to: bb ? handlerOf(bb, incoming) : null,
      fate: null,
      fields: [],
      images: [],
      secureConfiguration: false,
      enabled: enabledOf(s),
    };
    const ref = stepRef(s);
    if (!a || !b) impact.images = compareImages(a?.images ?? [], b?.images ?? []);
    if (a && !b) {
      impact.change = "removed";
      impact.fate = fate;
      if (fate === "left-behind") {
        leftBehind.push(a);
        add("IMPACT_STEP_LEFT_BEHIND", { step: a.name ?? a.id, id, effectiveMode }, ref);
      } else add("IMPACT_STEP_REMOVED", { step: a.name ?? a.id, id, fate }, ref);
    } else if (!a && b) {
      impact.change = "added";
      addedSteps.push(b);
      if (bb!.kind === "plugin") impact.secureConfiguration = true;
    } else if (a && b) {
      impact.fields = stepFields(a, b);
      impact.images = compareImages(a.images, b.images);
      for (const ic of impact.images) if (ic.change === "removed") add("IMPACT_IMAGE_REMOVED", { image: ic.alias, step: b.name ?? id, id, fate }, { kind: "image", id: a.images.find((i) => imageKey(i) === ic.alias)?.id ?? null, name: ic.alias });
      for (const ic of impact.images) if (ic.change !== "unchanged") for (const f of ic.fields) impact.fields.push({ field: `image ${ic.alias}${f.field === "image" ? "" : `.${f.field}`}`, from: f.from, to: f.to });
      const sameBinding = bindingEqual(ba!, bb!);
      const oldPair = bb!.kind === "plugin" ? newAssemblyOf.get(lc(bb!.assemblyName) + "|" + majorMinor(tryParseVersion(bb!.version ?? "", ASSEMBLY_VERSION))) : undefined;
      if (oldPair && bb!.kind === "plugin") {
        impact.change = "needs-repoint";
      } else if (!sameBinding) {
        impact.change = "moved";
        impact.fields.unshift({ field: "handler", from: handlerText(ba!), to: handlerText(bb!) });
        if (bb!.kind === "plugin") impact.secureConfiguration = true;
      } else if (impact.fields.length) impact.change = "changed";
    }
    // A step on a plug-in type that is new in this version (a new type record) loses nothing it had, but
    // anything typed into the environment for it is gone: flag it like a new step.
    let secureWhy: "added" | "moved" | "new-type" | null = !impact.secureConfiguration ? null : impact.change === "added" ? "added" : "moved";
    if (!secureWhy && b && bb!.kind === "plugin" && impact.change !== "needs-repoint" && impact.change !== "removed") {
      const t = bb!.type;
      const key = `${lc(bb!.assemblyName)}|${majorMinor(tryParseVersion(bb!.version ?? "", ASSEMBLY_VERSION))}|${bb!.typeName}`;
      const isNew = t?.id ? !installedTypeIds.has(t.id) && !installedTypeKeys.has(key) : !installedTypeKeys.has(key);
      if (isNew) {
        secureWhy = "new-type";
        impact.secureConfiguration = true;
      }
    }
    if (b) {
      if (secureWhy) add("IMPACT_SECURE_CONFIG", { step: b.name ?? id, id, why: secureWhy }, ref);
      if (!enabledOf(b) && (!a || enabledOf(a))) add("IMPACT_STEP_DISABLED", { step: b.name ?? id, id, added: !a }, ref);
      const user = b.impersonatingUserIdName;
      if (user && (!a || a.impersonatingUserIdName !== user)) {
        add(user.toUpperCase() === "SYSTEM" ? "IMPACT_STEP_RUNS_AS_SYSTEM" : "IMPACT_STEP_IMPERSONATION", { step: b.name ?? id, id, user }, ref);
      }
      // Required components: the step's type (or endpoint) must come with the solution or be declared missing.
      if (!reportedMissing.has(id)) {
        if (bb!.kind === "plugin" && !bb!.type && !bb!.system) {
          const asmName = bb!.assemblyName;
          const declared = declaredMissing("type", [b.pluginTypeId, bb!.typeName, asmName, b.pluginTypeName]);
          if (!declared) {
            reportedMissing.add(id);
            add("IMPACT_STEP_TYPE_MISSING", { step: b.name ?? id, id, type: `${bb!.typeName ?? b.pluginTypeId ?? "?"}${asmName ? ` (${asmName} ${bb!.version ?? ""})`.replace(/ \)$/, ")") : ""}`, installedHas: !!ba?.type, fate }, ref);
          }
        } else if (bb!.kind === "endpoint" && bb!.endpoint && !incoming.endpoints.some((e) => e.id === bb!.endpoint)) {
          if (!declaredMissing("endpoint", [bb!.endpoint])) {
            reportedMissing.add(id);
            add("IMPACT_STEP_ENDPOINT_MISSING", { step: b.name ?? id, id, endpoint: bb!.endpoint }, ref);
          }
        }
      }
    }
    steps.push(impact);
  }

  // Left-behind steps that duplicate a new one: the same type on the same message, table and stage.
  for (const old of leftBehind) {
    const bo = bindA.get(old.id)!;
    if (bo.kind !== "plugin") continue;
    const twin = addedSteps.find((n) => {
      const bn = bindB.get(n.id)!;
      return bn.kind === "plugin" && bn.typeName === bo.typeName && lc(bn.assemblyName) === lc(bo.assemblyName) && messageKey(n) === messageKey(old) && lc(n.primaryEntity) === lc(old.primaryEntity) && n.stage === old.stage;
    });
    if (twin) add("IMPACT_STEP_DUPLICATE", { step: old.name ?? old.id, id: old.id, other: twin.name ?? twin.id, otherId: twin.id }, stepRef(old));
  }

  // --- service endpoints -------------------------------------------------------------------------------
  const endpoints: EndpointImpact[] = [];
  const epA = new Map(installed.endpoints.map((e) => [e.id, e]));
  const epB = new Map(incoming.endpoints.map((e) => [e.id, e]));
  for (const id of [...new Set([...epA.keys(), ...epB.keys()])].sort(ord)) {
    const a = epA.get(id);
    const b = epB.get(id);
    const e = (b ?? a)!;
    const ref: ComponentRef = { kind: "endpoint", id, name: e.name };
    const impact: EndpointImpact = { id, name: e.name, change: "unchanged", contract: named(e.contract, CONTRACT_NAMES), fate: null, fields: [], secretToSet: false };
    if (a && !b) {
      impact.change = "removed";
      impact.fate = fate;
      add("IMPACT_ENDPOINT_REMOVED", { endpoint: a.name, fate }, ref);
    } else if (!a && b) {
      impact.change = "added";
      if (needsSecret(b)) {
        impact.secretToSet = true;
        add("IMPACT_ENDPOINT_SECRET", { endpoint: b.name, added: true, secret: AUTH_SECRET[b.authType!]!, fields: [] }, ref);
      }
    } else if (a && b) {
      impact.fields = endpointFields(a, b);
      if (impact.fields.length) impact.change = "changed";
      const bound = impact.fields.filter((f) => SECRET_BOUND_FIELDS.has(f.field)).map((f) => f.field);
      if (bound.length && needsSecret(b)) {
        impact.secretToSet = true;
        add("IMPACT_ENDPOINT_SECRET", { endpoint: b.name, added: false, secret: AUTH_SECRET[b.authType!]!, fields: bound }, ref);
      }
    }
    endpoints.push(impact);
  }

  // --- missing dependencies ------------------------------------------------------------------------------
  const depKey = (r: Record<string, string>): string =>
    JSON.stringify(
      Object.keys(r)
        .filter((k) => k !== "displayName" && k !== "parentDisplayName" && k !== "key")
        .sort(ord)
        .map((k) => [k, k === "id" || k.endsWith(".id") ? (normId(r[k]) ?? r[k]) : lc(r[k])]),
    );
  const knownDeps = new Set(A.missingDependencies.map((m) => depKey(m.required)));
  const missingDependencies: DependencyImpact[] = B.missingDependencies
    .map((m) => ({ required: sortRecord(m.required), dependent: sortRecord(m.dependent), new: !knownDeps.has(depKey(m.required)) }))
    .sort((x, y) => ord(depLabel(x.required), depLabel(y.required)) || ord(depLabel(x.dependent), depLabel(y.dependent)) || ord(JSON.stringify(x), JSON.stringify(y)));
  const seenDeps = new Set<string>();
  for (const d of missingDependencies) {
    const k = depKey(d.required);
    if (seenDeps.has(k)) continue;
    seenDeps.add(k);
    const args = { required: depLabel(d.required), solution: d.required.solution ?? null, dependent: depLabel(d.dependent) };
    const ref: ComponentRef = { kind: "dependency", id: normId(d.required.id) ?? null, name: d.required.schemaName ?? d.required.displayName ?? null };
    add(d.new ? "IMPACT_MISSING_DEPENDENCY" : "IMPACT_MISSING_DEPENDENCY_KNOWN", args, ref);
  }

  // --- findings ------------------------------------------------------------------------------------------
  const incomingFindings = sortFindings(dedupe([...(opts.incomingFindings ?? []), ...incoming.readFindings]));
  const installedFindings = dedupe([...(opts.installedFindings ?? []), ...installed.readFindings]);
  const oldKeys = new Set(installedFindings.map(findingKey));
  const newFindings = incomingFindings.filter((f) => !oldKeys.has(findingKey(f)));
  const newErr = newFindings.filter((f) => f.severity === "error").length;
  const newWarn = newFindings.filter((f) => f.severity === "warning").length;
  if (newErr + newWarn > 0) add("IMPACT_NEW_CHECK_FINDINGS", { count: newErr + newWarn, errors: newErr, warnings: newWarn }, solComp);

  // --- verdict -------------------------------------------------------------------------------------------
  const ordered = applyConfig(reasons, opts.config).map((r, i) => ({ r, i })).sort((x, y) => SEVERITY_RANK[x.r.severity] - SEVERITY_RANK[y.r.severity] || x.i - y.i).map((x) => x.r);
  const verdict: Verdict = ordered.some((r) => r.severity === "error") ? "blocked" : ordered.some((r) => r.severity === "warning") ? "attention" : "safe";

  const summary: ImpactSummary = {
    reasons: { error: count(ordered, "error"), warning: count(ordered, "warning"), info: count(ordered, "info") },
    assemblies: tally(ASSEMBLY_CHANGES, assemblies.map((x) => x.change)),
    steps: tally(STEP_CHANGES, steps.map((x) => x.change)),
    endpoints: tally(ENDPOINT_CHANGES, endpoints.map((x) => x.change)),
    missingDependencies: { total: missingDependencies.length, new: missingDependencies.filter((d) => d.new).length },
    findings: { incoming: incomingFindings.length, new: newFindings.length },
  };

  return {
    schemaVersion: 1,
    verdict,
    reasons: ordered,
    installed: side(installed),
    incoming: side(incoming),
    solution,
    assemblies,
    steps,
    endpoints,
    missingDependencies,
    findings: { incoming: incomingFindings, new: newFindings },
    summary,
  };
}

function bindingEqual(a: Binding, b: Binding): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "endpoint") return a.endpoint === b.endpoint;
  if (a.kind === "unknown") return true;
  if (a.typeName !== b.typeName || lc(a.assemblyName) !== lc(b.assemblyName)) return false;
  // An in-place upgrade (build/revision) keeps the binding; a major/minor change moves it.
  return majorMinor(tryParseVersion(a.version ?? "", ASSEMBLY_VERSION)) === majorMinor(tryParseVersion(b.version ?? "", ASSEMBLY_VERSION));
}

function count(rs: Finding[], s: Severity): number {
  return rs.filter((r) => r.severity === s).length;
}

function tally<T extends string>(keys: readonly T[], values: T[]): Record<T, number> {
  const out = {} as Record<T, number>;
  for (const k of keys) out[k] = 0;
  for (const v of values) out[v]++;
  return out;
}

function sortRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort(ord)) out[k] = r[k]!;
  return out;
}

export function depLabel(r: Record<string, string>): string {
  const name = r.displayName || r.schemaName || r["id.uniquename"] || r.id || "?";
  const parent = r.parentDisplayName ? `${r.parentDisplayName} / ` : "";
  return `${parent}${name}${r.type ? ` (type ${r.type})` : ""}`;
}

function findingKey(f: Finding): string {
  return `${f.code}|${f.component?.kind ?? ""}|${lc(f.component?.id ?? f.component?.name ?? "")}`;
}

function dedupe(fs: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const f of fs) {
    const k = `${findingKey(f)}|${f.location?.entry ?? ""}|${f.location?.line ?? ""}|${JSON.stringify(f.args)}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(f);
  }
  return out;
}

function sortFindings(fs: Finding[]): Finding[] {
  return [...fs].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      ord(a.code, b.code) ||
      ord(a.component?.id ?? a.component?.name ?? "", b.component?.id ?? b.component?.name ?? "") ||
      ord(a.location?.entry ?? "", b.location?.entry ?? "") ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      ord(JSON.stringify(a.args), JSON.stringify(b.args)),
  );
}
