/**
 * planAddEndpoint: an Azure-aware service endpoint (Service Bus queue/topic/relay, Event Hub, webhook,
 * Event Grid), in the element order of real exports. Secrets are never written.
 */
import { DvsolError } from "../errors.js";
import { child, elements } from "../xml/dom.js";
import { deriveId, normId } from "../model/ids.js";
import { FOLDER_ENDPOINTS } from "../model/read.js";
import { COMPONENT_TYPE, CONTRACT_NAMES, type Solution } from "../model/types.js";
import { finding } from "../findings/catalog.js";
import { PlanBuilder, folderNeedsPlaceholder } from "./builder.js";
import { endpointSpec, type NewEndpoint } from "./specs.js";
import type { EditPlan } from "./types.js";
import "./findings.js";

export const CONTRACT_BY_NAME: Record<string, number> = { oneway: 1, queue: 6, rest: 3, twoway: 4, topic: 5, eventhub: 7, webhook: 8, eventgrid: 9 };
export const AUTH_BY_NAME: Record<string, number> = {
  "sas-key": 2,
  "sas-token": 3,
  "webhook-key": 4,
  "http-header": 5,
  "http-query": 6,
  "connection-string": 7,
  "access-key": 8,
};
export const MESSAGE_FORMAT_BY_NAME: Record<string, number> = { binary: 1, json: 2, xml: 3 };
export const USER_CLAIM_BY_NAME: Record<string, number> = { none: 1, userid: 2, userinfo: 3 };

export interface AddEndpointRequest {
  name: string;
  contract: string;
  /** Service Bus / Event Hub namespace name, or its address (sb://name.servicebus.windows.net/). */
  namespace?: string;
  path?: string;
  auth?: string;
  sasKeyName?: string;
  messageFormat?: string;
  userClaim?: string;
  url?: string;
  description?: string;
  id?: string;
  /** Secrets, accepted only to be refused with a clear message. */
  sasKey?: string;
  sasToken?: string;
  authValue?: string;
}

const SERVICE_BUS_CONTRACTS = new Set([1, 3, 4, 5, 6, 7]);

function pick(table: Record<string, number>, v: string, what: string): number {
  const k = v.trim().toLowerCase();
  if (k in table) return table[k]!;
  throw new DvsolError("EDIT_INVALID", `"${v}" is not a ${what}: use ${Object.keys(table).join(", ")}`);
}

/**
 * A key in the address (an Azure Functions `?code=`, a SAS `sig=`, `user:password@`) would put a secret
 * into the solution through the back door: refused like --sas-key (reliability: secrets).
 */
function refuseSecretInUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return; // the format checks above and Dataverse judge the address itself
  }
  const keys = [...u.searchParams.keys()].filter((k) => /^(code|sig|signature|key|apikey|api[-_]key|token|access[-_]token|password|secret|client[-_]secret|sv)$/i.test(k));
  if (u.username || u.password) keys.unshift("user:password@");
  if (!keys.length) return;
  throw new DvsolError("USAGE_BAD_OPTION", `--url carries a secret (${keys.join(", ")}); dvsol never writes secrets into a solution`, {
    hint: "Give the address without the key and register the key as the endpoint's authentication value in each environment (--auth webhook-key | http-header | http-query), after import.",
  });
}

export function planAddEndpoint(sol: Solution, req: AddEndpointRequest): EditPlan {
  const b = new PlanBuilder(sol, "add endpoint");
  const secret = req.sasKey !== undefined ? "--sas-key" : req.sasToken !== undefined ? "--sas-token" : req.authValue !== undefined ? "--auth-value" : null;
  if (secret) {
    throw new DvsolError("USAGE_BAD_OPTION", `${secret}: dvsol never writes secrets into a solution (Dataverse never exports them either)`, {
      hint: "Register the endpoint without it; after import, set the key in each environment with the Plug-in Registration Tool or the Web API (serviceendpoint table), or use Key Vault configuration.",
    });
  }
  const name = req.name?.trim();
  if (!name) throw new DvsolError("EDIT_INVALID", "a service endpoint needs a name (--name)");
  if (sol.endpoints.some((e) => e.name.toLowerCase() === name.toLowerCase())) {
    throw new DvsolError("EDIT_CONFLICT", `the solution already has a service endpoint named "${name}"`);
  }
  const contract = pick(CONTRACT_BY_NAME, req.contract ?? "", "contract");
  const webhook = contract === 8;
  const eventGrid = contract === 9;
  let authType: number;
  if (req.auth !== undefined) authType = pick(AUTH_BY_NAME, req.auth, "authentication type");
  else authType = webhook ? 4 : eventGrid ? 8 : 2;
  const messageFormat = req.messageFormat !== undefined ? pick(MESSAGE_FORMAT_BY_NAME, req.messageFormat, "message format") : 2;
  const userClaim = req.userClaim !== undefined ? pick(USER_CLAIM_BY_NAME, req.userClaim, "user claim") : 1;

  let solutionNamespace: string | null = null;
  let namespaceAddress: string | null = null;
  let namespaceFormat = 1;
  let url: string | null = null;
  let path: string | null = req.path ?? null;
  if (webhook || eventGrid) {
    if (!req.url) throw new DvsolError("EDIT_INVALID", `a ${webhook ? "webhook" : "Event Grid"} endpoint needs --url <https://...>`);
    if (!/^https:\/\/[^\s/]+/i.test(req.url)) throw new DvsolError("EDIT_INVALID", `--url must be an https:// address, not "${req.url}"`);
    refuseSecretInUrl(req.url);
    url = req.url;
    if (req.namespace) throw new DvsolError("USAGE_BAD_OPTION", `--namespace applies to Service Bus and Event Hub endpoints, not to ${webhook ? "webhooks" : "Event Grid"}`);
    if (webhook && ![4, 5, 6].includes(authType)) throw new DvsolError("EDIT_INVALID", "a webhook authenticates with webhook-key, http-header or http-query");
    path = path ?? "";
    solutionNamespace = "";
  } else {
    if (!SERVICE_BUS_CONTRACTS.has(contract)) throw new DvsolError("EDIT_INVALID", `contract ${CONTRACT_NAMES[contract] ?? contract} is not supported here`);
    const ns = req.namespace?.trim();
    if (!ns) throw new DvsolError("EDIT_INVALID", "a Service Bus or Event Hub endpoint needs --namespace <name> (or its sb:// address)");
    if (ns.includes("://")) {
      if (!/^sb:\/\/[A-Za-z0-9.-]+\/?$/.test(ns)) throw new DvsolError("EDIT_INVALID", `"${ns}" is not a namespace address such as sb://contoso.servicebus.windows.net/`);
      namespaceAddress = ns.endsWith("/") ? ns : ns + "/";
      solutionNamespace = "";
    } else {
      if (!/^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]$/.test(ns)) throw new DvsolError("EDIT_INVALID", `"${ns}" is not a Service Bus namespace name (6-50 letters, digits and hyphens, starting with a letter)`);
      solutionNamespace = ns;
      namespaceAddress = `sb://${ns}.servicebus.windows.net/`;
    }
    namespaceFormat = 2;
    if (!path && contract !== 1 && contract !== 4 && contract !== 3) throw new DvsolError("EDIT_INVALID", `a ${CONTRACT_NAMES[contract]} endpoint needs --path <queue, topic or event hub name>`);
    if (authType === 2 && !req.sasKeyName) throw new DvsolError("EDIT_INVALID", "SAS key authentication needs --sas-key-name (the policy name, e.g. RootManageSharedAccessKey)");
  }
  let id = deriveId("endpoint", name);
  if (req.id !== undefined) {
    const n = normId(req.id);
    if (!n) throw new DvsolError("USAGE_BAD_OPTION", `--id takes a GUID, not "${req.id}"`);
    id = n;
  }
  if (sol.endpoints.some((e) => e.id === id)) throw new DvsolError("EDIT_CONFLICT", `the solution already has a service endpoint with id ${id}`);
  const spec = endpointSpec({
    id,
    name,
    description: req.description ?? null,
    connectionMode: 1,
    contract,
    path,
    solutionNamespace,
    userClaim,
    authType,
    messageFormat,
    namespaceAddress,
    namespaceFormat,
    url,
    sasKeyName: webhook || eventGrid ? null : (req.sasKeyName ?? null),
  } satisfies NewEndpoint);

  if (b.folder) {
    const inCust = child(b.doc(sol.customizationsPath).root, "ServiceEndpoints");
    const epDoc = [...sol.docs.keys()].find((p) => p.toLowerCase() === FOLDER_ENDPOINTS.toLowerCase());
    if (!epDoc && inCust && elements(inCust, "ServiceEndpoint").length) {
      b.addToSection("ServiceEndpoints", spec, null, null);
    } else {
      b.addToDocumentRoot(epDoc ?? FOLDER_ENDPOINTS, "ServiceEndpoints", spec, b.styleFor("endpoints"));
      folderNeedsPlaceholder(b, "ServiceEndpoints");
    }
  } else {
    b.addToSection("ServiceEndpoints", spec, null, null);
  }
  b.addRootComponent(COMPONENT_TYPE.serviceEndpoint, id, null);
  const target = url ?? `${namespaceAddress}${path ?? ""}`;
  b.change({ action: "add", kind: "endpoint", id, name, reason: `${CONTRACT_NAMES[contract]} endpoint at ${target}` });
  b.change({ action: "add", kind: "rootcomponent", id, name: `95 ${name}`, reason: "root component of the service endpoint" });
  const authName = Object.entries(AUTH_BY_NAME).find(([, v]) => v === authType)![0];
  b.finding(finding("EDIT_ENDPOINT_SECRET_NEEDED", { endpoint: name, auth: authName }, { component: { kind: "endpoint", id, name } }));
  return b.build();
}
