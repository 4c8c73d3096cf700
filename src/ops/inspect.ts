/** inspect: the model as a stable JSON shape and as a readable tree. Pure over a loaded Solution. */
import type { Solution } from "../model/types.js";
import { CONTRACT_NAMES, IMAGE_TYPE_NAMES, MODE_NAMES, STAGE_NAMES } from "../model/types.js";
import type { Finding } from "../findings/types.js";

export interface InspectResult {
  uniqueName: string;
  friendlyName: string | null;
  version: string;
  managed: boolean | "both";
  form: "zip" | "folder";
  publisher: { uniqueName: string; prefix: string | null; optionValuePrefix: string | null; friendlyName: string | null };
  assemblies: {
    id: string | null;
    name: string;
    version: string;
    culture: string;
    publicKeyToken: string | null;
    fullName: string;
    fileName: string | null;
    dllPresent: boolean;
    isolationMode: number | null;
    sourceType: number | null;
    types: { id: string | null; name: string; typeName: string; friendlyName: string | null; workflowActivityGroupName: string | null }[];
  }[];
  steps: {
    id: string;
    name: string | null;
    messageId: string | null;
    messageName: string | null;
    primaryEntity: string | null;
    secondaryEntity: string | null;
    stage: number | null;
    mode: number | null;
    rank: number | null;
    filteringAttributes: string[];
    pluginTypeName: string | null;
    pluginTypeId: string | null;
    eventHandler: string | null;
    eventHandlerTypeCode: number | null;
    configuration: string | null;
    description: string | null;
    asyncAutoDelete: boolean | null;
    supportedDeployment: number | null;
    impersonatingUserIdName: string | null;
    enabled: boolean;
    file: string;
    images: { id: string | null; name: string | null; alias: string | null; imageType: number | null; attributes: string[]; messagePropertyName: string | null }[];
  }[];
  serviceEndpoints: {
    id: string;
    name: string;
    contract: number | null;
    connectionMode: number | null;
    path: string | null;
    solutionNamespace: string | null;
    namespaceAddress: string | null;
    url: string | null;
    authType: number | null;
    messageFormat: number | null;
    userClaim: number | null;
    sasKeyName: string | null;
    secretsPresent: string[];
  }[];
  rootComponents: { type: number | string; id: string | null; schemaName: string | null; behavior: number | null }[];
  missingDependencies: { required: Record<string, string>; dependent: Record<string, string> }[];
  findings: Finding[];
}

export function inspectSolution(sol: Solution): InspectResult {
  const m = sol.manifest;
  return {
    uniqueName: m.uniqueName,
    friendlyName: m.friendlyName,
    version: m.version,
    managed: m.managed === 2 ? "both" : m.managed === 1,
    form: sol.form,
    publisher: { ...m.publisher },
    assemblies: sol.assemblies.map((a) => ({
      id: a.id,
      name: a.name,
      version: a.version,
      culture: a.culture,
      publicKeyToken: a.publicKeyToken,
      fullName: a.fullName,
      fileName: a.fileName,
      dllPresent: a.dllPath !== null,
      isolationMode: a.isolationMode,
      sourceType: a.sourceType,
      types: a.types.map((t) => ({ id: t.id, name: t.name, typeName: t.typeName, friendlyName: t.friendlyName, workflowActivityGroupName: t.workflowActivityGroupName })),
    })),
    steps: sol.steps.map((s) => ({
      id: s.id,
      name: s.name,
      messageId: s.messageId,
      messageName: s.messageName,
      primaryEntity: s.primaryEntity,
      secondaryEntity: s.secondaryEntity,
      stage: s.stage,
      mode: s.mode,
      rank: s.rank,
      filteringAttributes: s.filteringAttributes,
      pluginTypeName: s.pluginTypeName,
      pluginTypeId: s.pluginTypeId,
      eventHandler: s.eventHandler,
      eventHandlerTypeCode: s.eventHandlerTypeCode,
      configuration: s.configuration,
      description: s.description,
      asyncAutoDelete: s.asyncAutoDelete,
      supportedDeployment: s.supportedDeployment,
      impersonatingUserIdName: s.impersonatingUserIdName,
      enabled: s.stateCode !== 1,
      file: s.loc.doc,
      images: s.images.map((i) => ({ id: i.id, name: i.name, alias: i.alias, imageType: i.imageType, attributes: i.attributes, messagePropertyName: i.messagePropertyName })),
    })),
    serviceEndpoints: sol.endpoints.map((e) => ({
      id: e.id,
      name: e.name,
      contract: e.contract,
      connectionMode: e.connectionMode,
      path: e.path,
      solutionNamespace: e.solutionNamespace,
      namespaceAddress: e.namespaceAddress,
      url: e.url,
      authType: e.authType,
      messageFormat: e.messageFormat,
      userClaim: e.userClaim,
      sasKeyName: e.sasKeyName,
      secretsPresent: e.secrets,
    })),
    rootComponents: m.rootComponents.map((r) => ({ type: r.type, id: r.id, schemaName: r.schemaName, behavior: r.behavior })),
    missingDependencies: m.missingDependencies.map((d) => ({ required: d.required, dependent: d.dependent })),
    findings: sol.readFindings,
  };
}

/** A readable tree for a terminal. */
export function formatInspectText(r: InspectResult): string {
  const L: string[] = [];
  const managed = r.managed === "both" ? "managed+unmanaged" : r.managed ? "managed" : "unmanaged";
  L.push(`${r.uniqueName} ${r.version} (${managed}, ${r.form})${r.friendlyName ? ` "${r.friendlyName}"` : ""}`);
  L.push(`publisher ${r.publisher.uniqueName}${r.publisher.prefix ? ` (prefix ${r.publisher.prefix})` : ""}`);
  L.push(`root components: ${r.rootComponents.length}; missing dependencies: ${r.missingDependencies.length}`);
  const stepsByType = new Map<string, InspectResult["steps"]>();
  for (const s of r.steps) {
    const k = (s.pluginTypeId ?? s.pluginTypeName ?? "?").toLowerCase();
    if (!stepsByType.has(k)) stepsByType.set(k, []);
    stepsByType.get(k)!.push(s);
  }
  const shown = new Set<string>();
  L.push(`assemblies (${r.assemblies.length})`);
  for (const a of r.assemblies) {
    L.push(`  ${a.name} ${a.version}  token ${a.publicKeyToken ?? "null"}  ${a.dllPresent ? "dll" : "NO DLL"}  isolation ${a.isolationMode ?? "?"} source ${a.sourceType ?? "?"}  ${a.id ?? ""}`);
    for (const t of a.types) {
      L.push(`    type ${t.typeName}${t.name !== t.typeName ? ` "${t.name}"` : ""}${t.workflowActivityGroupName ? ` [${t.workflowActivityGroupName}]` : ""}`);
      const ss = [...(t.id ? (stepsByType.get(t.id) ?? []) : []), ...(stepsByType.get(`${t.typeName}, ${a.fullName}`.toLowerCase()) ?? [])];
      for (const s of ss) {
        if (shown.has(s.id)) continue;
        shown.add(s.id);
        L.push(...stepLines(s, "      "));
      }
    }
  }
  const rest = r.steps.filter((s) => !shown.has(s.id));
  if (rest.length) {
    L.push(`steps not bound to an assembly in this solution (${rest.length})`);
    for (const s of rest) L.push(...stepLines(s, "  "));
  }
  if (r.serviceEndpoints.length) {
    L.push(`service endpoints (${r.serviceEndpoints.length})`);
    for (const e of r.serviceEndpoints) {
      L.push(`  ${e.name}  ${e.contract !== null ? (CONTRACT_NAMES[e.contract] ?? e.contract) : "?"}  ${e.namespaceAddress ?? e.url ?? ""}${e.path ? ` path ${e.path}` : ""}  ${e.id}`);
    }
  }
  if (r.missingDependencies.length) {
    L.push(`missing dependencies (${r.missingDependencies.length})`);
    for (const d of r.missingDependencies) {
      const req = d.required;
      L.push(`  requires ${req.type ?? "?"} ${req.displayName ?? req.schemaName ?? req["id.uniquename"] ?? req.id ?? ""}${req.solution ? ` from ${req.solution}` : ""}`);
    }
  }
  return L.join("\n");
}

function stepLines(s: InspectResult["steps"][number], ind: string): string[] {
  const stage = s.stage !== null ? (STAGE_NAMES[s.stage] ?? String(s.stage)) : "?";
  const mode = s.mode !== null ? (MODE_NAMES[s.mode] ?? String(s.mode)) : "?";
  const msg = s.messageName ?? s.messageId ?? "?";
  const out = [
    `${ind}step ${s.name ?? s.id}  [${stage}, ${mode}, rank ${s.rank ?? "?"}]${s.primaryEntity ? ` on ${s.primaryEntity}` : ""}${s.enabled ? "" : " DISABLED"}  message ${msg}`,
  ];
  if (s.filteringAttributes.length) out.push(`${ind}  filters: ${s.filteringAttributes.join(", ")}`);
  if (s.eventHandler) out.push(`${ind}  endpoint ${s.eventHandler}`);
  for (const i of s.images) {
    out.push(`${ind}  image ${i.alias ?? i.name ?? "?"} (${i.imageType !== null ? (IMAGE_TYPE_NAMES[i.imageType] ?? i.imageType) : "?"}) ${i.attributes.length ? i.attributes.join(", ") : "all columns"}`);
  }
  return out;
}
