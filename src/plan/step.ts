/**
 * Steps and images: planAddStep, planUpdateStep, planAddImage, planSetStepState.
 * New steps use the modern export order (specs.ts); edits of existing steps touch only the elements
 * asked for, and new child elements go where the modern order puts them among the existing ones.
 */
import { DvsolError } from "../errors.js";
import { attrNode, child } from "../xml/dom.js";
import type { XmlElement } from "../xml/parse.js";
import { deriveId, isGuid, normId } from "../model/ids.js";
import { ASSEMBLY_VERSION, parseQualifiedName, parseVersion } from "../model/names.js";
import { COMPONENT_TYPE, EVENT_HANDLER_PLUGIN_TYPE, EVENT_HANDLER_SERVICE_ENDPOINT, STAGE_NAMES, type ServiceEndpoint, type Solution, type Step } from "../model/types.js";
import { finding } from "../findings/catalog.js";
import { PlanBuilder, folderNeedsPlaceholder, stepKey, type KeyOf } from "./builder.js";
import { imageSpec, stepSpec, STEP_ORDER, type NewImage, type NewStep } from "./specs.js";
import { addAssemblyTo, type AddAssemblyRequest } from "./assembly.js";
import { findEndpoint, findEndpointOrNull, findStep, findTypes, findType, typeOfStep } from "./lookup.js";
import { FILTER_MESSAGES, IMAGE_PROPERTY, STABLE_MESSAGES, type MessageCatalog } from "./messages.js";
import { DEPLOYMENT_BY_NAME, IMAGE_TYPE_BY_NAME, MODE_BY_NAME, STAGE_BY_NAME, type EditPlan } from "./types.js";
import "./findings.js";

/** The handler types Dataverse uses for steps bound to a service endpoint (reference page, section 3). */
export const SERVICE_BUS_PLUGIN = {
  name: "Microsoft.Crm.ServiceBus.ServiceBusPlugin, Microsoft.Crm.ServiceBus, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35",
  id: "ef521e63-cd2b-4170-99f6-447466a7161e",
};
export const WEBHOOK_PLUGIN = {
  name: "Microsoft.Crm.ServiceBus.WebhookPlugin, Microsoft.Crm.ServiceBus, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35",
  id: "fe4f0cdb-b254-4fa1-84f6-d58d0759b8b3",
};

export interface StepOptions {
  /** Plug-in type: full class name, short name unique in the solution, id, or "Class, Assembly, Version=..". */
  type?: string;
  message?: string;
  messageId?: string;
  /** Primary table; null or "" for "any Entity". */
  entity?: string | null;
  secondaryEntity?: string | null;
  stage?: string | number;
  mode?: string;
  rank?: number | string;
  filter?: string[] | string;
  config?: string | null;
  name?: string;
  description?: string;
  /** "pre|post|both:<alias>[:<col,col>]" */
  images?: string[];
  /** Service endpoint name or id. */
  endpoint?: string;
  asyncAutoDelete?: boolean;
  deployment?: string;
  /** User name the step runs as; "" removes impersonation (update). */
  impersonate?: string | null;
}

export interface AddStepRequest extends StepOptions {
  id?: string;
  /** The --assembly DLL, read: the required assembly when the type's assembly is not in the solution. */
  assembly?: AddAssemblyRequest;
  /** Leave required components out and record them as missing dependencies. */
  noRequired?: boolean;
  /** Plug-in type id to use with --no-required when the type is in neither the solution nor a DLL. */
  typeId?: string;
  /** `solution` attribute of a recorded missing dependency: "UniqueName (1.0.0.0)". */
  requiredSolution?: string;
  messages?: MessageCatalog;
}

const lc = (s: string) => s.toLowerCase();

// ---- option parsing (shared with update) ------------------------------------------------------------------------

export function parseStage(v: string | number): number {
  const t = String(v).trim().toLowerCase().replace(/[-_ ]/g, "");
  if (t in STAGE_BY_NAME) return STAGE_BY_NAME[t]!;
  if (["10", "20", "40"].includes(t)) return Number(t);
  throw new DvsolError("EDIT_INVALID", `"${v}" is not a stage: use prevalidation, preoperation or postoperation`, { hint: "Custom steps run in PreValidation (10), PreOperation (20) or PostOperation (40)." });
}

export function parseMode(v: string): number {
  const t = v.trim().toLowerCase();
  if (t in MODE_BY_NAME) return MODE_BY_NAME[t]!;
  throw new DvsolError("EDIT_INVALID", `"${v}" is not a mode: use sync or async`);
}

function parseRank(v: number | string): number {
  const n = typeof v === "number" ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < 0 || n > 2147483647 || (typeof v === "string" && !/^\d+$/.test(v.trim()))) {
    throw new DvsolError("EDIT_INVALID", `"${v}" is not an execution order: give a whole number such as 1`);
  }
  return n;
}

function parseDeployment(v: string): number {
  const t = v.trim().toLowerCase();
  if (t in DEPLOYMENT_BY_NAME) return DEPLOYMENT_BY_NAME[t]!;
  throw new DvsolError("EDIT_INVALID", `"${v}" is not a deployment: use server, outlook or both`);
}

function parseColumns(v: string[] | string | undefined): string[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "");
}

export interface ImageRequest {
  imageType: number;
  alias: string;
  attributes: string[];
}

/** "pre|post|both:<alias>[:<col,col>]" */
export function parseImage(v: string): ImageRequest {
  const m = /^\s*(pre|post|both)(?::([^:]*))?(?::(.*))?$/i.exec(v);
  if (!m) throw new DvsolError("EDIT_INVALID", `"${v}" is not an image: use pre|post|both:<alias>[:<col,col>], e.g. pre:PreImage:name,statuscode`);
  const kind = m[1]!.toLowerCase();
  let alias = (m[2] ?? "").trim();
  if (!alias) {
    if (kind === "both") throw new DvsolError("EDIT_INVALID", `an image of both kinds needs an alias: both:<alias>[:<col,col>]`);
    alias = kind === "pre" ? "PreImage" : "PostImage";
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw new DvsolError("EDIT_INVALID", `image alias "${alias}" must be letters, digits and underscores (the plug-in reads it from PreEntityImages/PostEntityImages)`);
  return { imageType: IMAGE_TYPE_BY_NAME[kind]!, alias, attributes: parseColumns(m[3]) };
}

/** Checks images against the message and stage (reference page, section 7); returns the message property. */
function checkImages(messageName: string, stage: number, images: ImageRequest[], existingAliases: string[]): string {
  if (!images.length) return "";
  const prop = IMAGE_PROPERTY[lc(messageName)];
  if (!prop) {
    throw new DvsolError("EDIT_INVALID", `${messageName} does not support images: only Assign, Create, Delete, DeliverIncoming, DeliverPromote, Merge, Route, Send, SetState and Update do`, {
      hint: "Retrieve the data in the plug-in instead.",
    });
  }
  const seen = new Set(existingAliases.map(lc));
  for (const i of images) {
    const pre = i.imageType === 0 || i.imageType === 2;
    const post = i.imageType === 1 || i.imageType === 2;
    if (pre && lc(messageName) === "create") throw new DvsolError("EDIT_INVALID", `image "${i.alias}": a Create step has no pre-image (the row does not exist yet)`);
    if (post && lc(messageName) === "delete") throw new DvsolError("EDIT_INVALID", `image "${i.alias}": a Delete step has no post-image (the row no longer exists)`);
    if (post && stage !== 40) throw new DvsolError("EDIT_INVALID", `image "${i.alias}": post-images exist only in PostOperation; this step runs in ${STAGE_NAMES[stage] ?? stage}`);
    if (seen.has(lc(i.alias))) throw new DvsolError("EDIT_CONFLICT", `the step already has an image with alias "${i.alias}"`);
    seen.add(lc(i.alias));
  }
  return prop;
}

function imageFindings(b: PlanBuilder, stepName: string, stepId: string, images: ImageRequest[]): void {
  for (const i of images) {
    if (!i.attributes.length) b.finding(finding("EDIT_IMAGE_ALL_COLUMNS", { alias: i.alias, step: stepName }, { component: { kind: "step", id: stepId, name: stepName } }));
  }
}

function newImages(stepId: string, images: ImageRequest[], prop: string): NewImage[] {
  return images.map((i) => ({ id: deriveId("image", stepId, i.alias, i.imageType), alias: i.alias, imageType: i.imageType, attributes: i.attributes, messagePropertyName: prop }));
}

interface ResolvedMessage {
  name: string;
  id: string;
}

function resolveMessage(req: { message?: string; messageId?: string; messages?: MessageCatalog }): ResolvedMessage {
  const cat = req.messages ?? STABLE_MESSAGES;
  if (req.messageId !== undefined) {
    const id = normId(req.messageId);
    if (!id) throw new DvsolError("USAGE_BAD_OPTION", `--message-id takes a GUID, not "${req.messageId}"`);
    const known = cat.byId(id);
    const name = req.message ?? known?.name;
    if (!name) throw new DvsolError("EDIT_INVALID", `message id ${id} is not in dvsol's catalog: give its name with --message too`);
    return { name: known && !req.message ? known.name : name, id };
  }
  if (!req.message) throw new DvsolError("EDIT_INVALID", "a step needs a message: --message <Name> (Create, Update, Delete, ...)");
  const m = cat.byName(req.message);
  if (!m) {
    throw new DvsolError("EDIT_UNKNOWN_MESSAGE", `"${req.message}" is not in dvsol's catalog of SDK messages with known ids`, {
      hint: "Custom actions and custom APIs have their own message id in each organization: give it with --message-id <guid> (from the sdkmessage table of the target environment).",
    });
  }
  return { name: m.name, id: m.id };
}

function stageName(stage: number): string {
  return STAGE_NAMES[stage] ?? String(stage);
}

function checkStepRules(s: { message: string; stage: number; mode: number; filter: string[]; entity: string | null; asyncAutoDelete: boolean }): void {
  if (s.mode === 1 && s.stage !== 40) {
    throw new DvsolError("EDIT_INVALID", `asynchronous steps run only in PostOperation; this one is in ${stageName(s.stage)}`, { hint: "Use --stage postoperation, or --mode sync." });
  }
  if (s.asyncAutoDelete && s.mode !== 1) throw new DvsolError("EDIT_INVALID", "--async-auto-delete applies only to asynchronous steps (--mode async)");
  if (s.filter.length) {
    if (!FILTER_MESSAGES.has(lc(s.message))) throw new DvsolError("EDIT_INVALID", `filtering attributes apply only to Update (and OnExternalUpdated) steps, not ${s.message}`);
    if (!s.entity) throw new DvsolError("EDIT_INVALID", "filtering attributes need a primary table (--entity)");
  }
}

function ruleFindings(b: PlanBuilder, s: { id: string; name: string; messageId: string; message: string; entity: string | null; stage: number; rank: number; filter: string[]; secondary: string | null; impersonate: string | null }, exclude: string): void {
  const comp = { kind: "step" as const, id: s.id, name: s.name };
  const pk = s.entity ? `${lc(s.entity)}id` : null;
  if (pk && s.filter.some((f) => lc(f) === pk)) b.finding(finding("EDIT_FILTER_PRIMARY_KEY", { step: s.name, column: pk, entity: s.entity }, { component: comp }));
  const others = b.sol.steps.filter(
    (o) => o.id !== exclude && o.messageId === s.messageId && lc(o.primaryEntity ?? "") === lc(s.entity ?? "") && o.stage === s.stage && o.rank === s.rank,
  );
  if (others.length) {
    b.finding(
      finding(
        "EDIT_SAME_RANK",
        { step: s.name, others: others.map((o) => `"${o.name ?? o.id}"`), message: s.message, entity: s.entity ?? "any table", stage: stageName(s.stage), rank: s.rank },
        { component: comp },
      ),
    );
  }
  if (s.secondary) b.finding(finding("EDIT_SECONDARY_ENTITY", { step: s.name, entity: s.secondary }, { component: comp }));
  if (s.impersonate) b.finding(finding("EDIT_IMPERSONATION", { step: s.name, user: s.impersonate }, { component: comp }));
}

function handlerOfEndpoint(e: { contract: number | null }): { name: string; id: string } {
  return e.contract === 8 ? WEBHOOK_PLUGIN : SERVICE_BUS_PLUGIN;
}

// ---- add step ----------------------------------------------------------------------------------------------------

export function planAddStep(sol: Solution, req: AddStepRequest): EditPlan {
  const b = new PlanBuilder(sol, "add step");
  addStepTo(b, req);
  return b.build();
}

export function addStepTo(b: PlanBuilder, req: AddStepRequest): string {
  const sol = b.sol;
  if (req.stage === undefined) throw new DvsolError("EDIT_INVALID", "a step needs a stage: --stage prevalidation|preoperation|postoperation");
  const stage = parseStage(req.stage);
  const mode = req.mode !== undefined ? parseMode(req.mode) : 0;
  const rank = req.rank !== undefined ? parseRank(req.rank) : 1;
  const deployment = req.deployment !== undefined ? parseDeployment(req.deployment) : 0;
  const filter = parseColumns(req.filter);
  const entity = req.entity ? req.entity.trim() : null;
  const secondary = req.secondaryEntity ? req.secondaryEntity.trim() : null;
  const images = (req.images ?? []).map(parseImage);
  const msg = resolveMessage(req);
  const asyncAutoDelete = !!req.asyncAutoDelete;
  checkStepRules({ message: msg.name, stage, mode, filter, entity, asyncAutoDelete });
  const prop = checkImages(msg.name, stage, images, []);

  // The handler: a plug-in type or a service endpoint.
  let handlerLabel: string;
  let pluginTypeName: string;
  let pluginTypeId: string;
  let keyAssembly: string;
  let eventHandler: string | null = null;
  let endpoint: ServiceEndpoint | null = null;
  const missing: { required: [string, string][]; what: string }[] = [];
  const pending: (() => void)[] = [];
  if (req.endpoint !== undefined) {
    if (req.type !== undefined) throw new DvsolError("USAGE_BAD_OPTION", "give either --type (a plug-in) or --endpoint (a service endpoint), not both");
    endpoint = findEndpointOrNull(sol, req.endpoint);
    if (endpoint) {
      const h = handlerOfEndpoint(endpoint);
      pluginTypeName = h.name;
      pluginTypeId = h.id;
      eventHandler = endpoint.id;
      handlerLabel = endpoint.name;
    } else if (req.noRequired && isGuid(req.endpoint)) {
      const h = SERVICE_BUS_PLUGIN;
      pluginTypeName = h.name;
      pluginTypeId = h.id;
      eventHandler = normId(req.endpoint)!;
      handlerLabel = eventHandler;
      missing.push({ required: [["type", "95"], ["id", `{${eventHandler}}`]], what: `service endpoint ${eventHandler}` });
    } else {
      findEndpoint(sol, req.endpoint);
      throw new Error("unreachable");
    }
    keyAssembly = "Microsoft.Crm.ServiceBus";
  } else {
    if (req.type === undefined) throw new DvsolError("EDIT_INVALID", "a step needs a handler: --type <plug-in type> or --endpoint <service endpoint>");
    const found = findTypes(sol, req.type);
    if (found.length > 1) findType(sol, req.type);
    if (found.length === 1) {
      const { assembly, type } = found[0]!;
      if (type.workflowActivityGroupName !== null) {
        throw new DvsolError("EDIT_INVALID", `${type.typeName} is a custom workflow activity: it runs in workflows, not in steps`);
      }
      pluginTypeName = type.assemblyQualifiedName || `${type.typeName}, ${assembly.fullName}`;
      pluginTypeId = type.id ?? "";
      handlerLabel = type.typeName;
      keyAssembly = assembly.name;
    } else if (req.assembly) {
      const info = req.assembly.info;
      const want = req.type.includes(",") ? req.type.slice(0, req.type.indexOf(",")).trim() : req.type.trim();
      const cands = info.pluginTypes.filter((t) => t.name === want || lc(t.name) === lc(want) || lc(t.name.slice(Math.max(t.name.lastIndexOf("."), t.name.lastIndexOf("+")) + 1)) === lc(want));
      if (cands.length === 0) {
        throw new DvsolError("EDIT_NOT_FOUND", `no plug-in type "${req.type}" in the solution or in ${info.name} ${info.version} (types: ${info.pluginTypes.map((t) => t.name).join(", ") || "none"})`);
      }
      if (cands.length > 1) throw new DvsolError("EDIT_AMBIGUOUS", `"${req.type}" matches ${cands.map((t) => t.name).join(", ")} in ${info.name}`, { hint: "Give the class's full name." });
      const t = cands[0]!;
      if (t.kind === "workflow-activity") throw new DvsolError("EDIT_INVALID", `${t.name} is a custom workflow activity: it runs in workflows, not in steps`);
      handlerLabel = t.name;
      keyAssembly = info.name;
      if (req.noRequired) {
        const v = parseVersion(info.version, ASSEMBLY_VERSION);
        pluginTypeName = `${t.name}, ${info.fullName}`;
        pluginTypeId = req.typeId ? normIdOrThrow(req.typeId, "--type-id") : deriveId("plugintype", info.name, `${v[0]}.${v[1]}`, t.name);
        missing.push({ required: [["type", "90"], ["schemaName", pluginTypeName], ["displayName", t.name], ["id", `{${pluginTypeId}}`]], what: `plug-in type ${t.name} of ${info.name} ${info.version}` });
      } else {
        // Deferred: the step's name is needed for the reason.
        pluginTypeName = "";
        pluginTypeId = "";
        pending.push(() => {
          const outcome = addAssemblyTo(b, req.assembly!, { because: `step "${stepName}" runs ${t.name}, which is in ${info.name}; the solution explorer adds the assembly as a required component` });
          const nt = outcome.types.get(t.name)!;
          pluginTypeName = nt.assemblyQualifiedName;
          pluginTypeId = nt.id;
        });
      }
    } else if (req.noRequired && req.type.includes(",") && req.typeId) {
      const q = parseQualifiedName(req.type);
      if (!q.assembly || !q.assembly.version) throw new DvsolError("EDIT_INVALID", `--type "${req.type}" must be the assembly-qualified name (Class, Assembly, Version=..., Culture=..., PublicKeyToken=...)`);
      pluginTypeName = req.type.trim();
      pluginTypeId = normIdOrThrow(req.typeId, "--type-id");
      handlerLabel = q.typeName;
      keyAssembly = q.assembly.name;
      missing.push({ required: [["type", "90"], ["schemaName", pluginTypeName], ["displayName", q.typeName], ["id", `{${pluginTypeId}}`]], what: `plug-in type ${q.typeName}` });
    } else {
      findType(sol, req.type);
      throw new Error("unreachable");
    }
  }

  const stepName = req.name ?? `${handlerLabel}: ${msg.name} of ${entity ?? "any Entity"}`;
  for (const p of pending) p();
  const typeKey = endpoint ? `endpoint:${endpoint.id}` : eventHandler ? `endpoint:${eventHandler}` : handlerLabel;
  let id = deriveId("step", keyAssembly, typeKey, msg.name, entity ?? "", stage, mode, stepName);
  if (req.id !== undefined) id = normIdOrThrow(req.id, "--id");
  if (sol.steps.some((s) => s.id === id)) {
    throw new DvsolError("EDIT_CONFLICT", `the solution already has a step with id ${id} ("${sol.steps.find((s) => s.id === id)!.name}")`, {
      hint: "The same request gives the same id: the step is registered already. Give another --name or --id for a second one.",
    });
  }
  const imgs = newImages(id, images, prop);
  const spec = stepSpec({
    id,
    name: stepName,
    description: req.description ?? stepName,
    messageId: msg.id,
    pluginTypeName,
    pluginTypeId,
    primaryEntity: entity,
    secondaryEntity: secondary,
    asyncAutoDelete,
    configuration: req.config ?? null,
    filteringAttributes: filter,
    impersonatingUserIdName: req.impersonate || null,
    invocationSource: eventHandler ? 1 : 0,
    mode,
    rank,
    eventHandler,
    eventHandlerTypeCode: eventHandler ? EVENT_HANDLER_SERVICE_ENDPOINT : EVENT_HANDLER_PLUGIN_TYPE,
    stage,
    supportedDeployment: deployment,
    images: imgs,
  } satisfies NewStep);
  if (b.folder) {
    b.createDocument(`SdkMessageProcessingSteps/{${id}}.xml`, spec, b.styleFor("step"));
    folderNeedsPlaceholder(b, "SdkMessageProcessingSteps");
  } else {
    b.addToSection("SdkMessageProcessingSteps", spec, id, stepKey);
  }
  b.addRootComponent(COMPONENT_TYPE.step, id, null);
  const where = `${msg.name} of ${entity ?? "any table"}, ${stageName(stage)}, ${mode === 1 ? "async" : "sync"}, rank ${rank}`;
  b.change({ action: "add", kind: "step", id, name: stepName, reason: `runs ${endpoint ? `service endpoint "${endpoint.name}"` : pluginTypeName} on ${where}` });
  for (const i of imgs) b.change({ action: "add", kind: "image", id: i.id, name: i.alias, reason: `${["pre", "post", "both"][i.imageType]}-image of ${i.attributes.length ? i.attributes.join(", ") : "all columns"} (${i.messagePropertyName})` });
  b.change({ action: "add", kind: "rootcomponent", id, name: `92 ${stepName}`, reason: "root component of the step (its images travel with it)" });
  for (const m of missing) {
    const required = [...m.required];
    if (req.requiredSolution) required.push(["solution", req.requiredSolution]);
    b.addMissingDependency(required, [["type", "92"], ["displayName", stepName], ["id", `{${id}}`]]);
    b.change({ action: "add", kind: "dependency", id: null, name: m.what, reason: `recorded as a missing dependency of step "${stepName}" (--no-required)` });
    b.finding(finding("EDIT_MISSING_DEPENDENCY_RECORDED", { required: m.what, dependent: `step "${stepName}"` }, { component: { kind: "step", id, name: stepName } }));
  }
  if (endpoint && mode === 0) b.finding(finding("EDIT_SYNC_ENDPOINT", { step: stepName, endpoint: endpoint.name }, { component: { kind: "step", id, name: stepName } }));
  imageFindings(b, stepName, id, images);
  ruleFindings(b, { id, name: stepName, messageId: msg.id, message: msg.name, entity, stage, rank, filter, secondary, impersonate: req.impersonate || null }, id);
  return id;
}

function normIdOrThrow(v: string, opt: string): string {
  const n = normId(v);
  if (!n) throw new DvsolError("USAGE_BAD_OPTION", `${opt} takes a GUID, not "${v}"`);
  return n;
}

// ---- update step ------------------------------------------------------------------------------------------------

/** Orders new child elements of a step by the modern export order. */
const stepChildKey: KeyOf = (el) => {
  const i = STEP_ORDER.indexOf(el.name);
  return i < 0 ? null : String(i).padStart(3, "0");
};
const orderKey = (name: string) => String(STEP_ORDER.indexOf(name)).padStart(3, "0");

export interface UpdateStepRequest extends StepOptions {
  messages?: MessageCatalog;
}

export function planUpdateStep(sol: Solution, ref: string, req: UpdateStepRequest): EditPlan {
  const b = new PlanBuilder(sol, "update step");
  const step = findStep(sol, ref);
  const ed = b.editor(step.loc.doc);
  const el = step.loc.el;
  const fields: Record<string, [string | null, string | null]> = {};
  const cat = req.messages ?? STABLE_MESSAGES;

  const set = (name: string, value: string | null, before: string | null) => {
    const c = child(el, name);
    if (value === null) {
      if (c) {
        b.removeElement({ doc: step.loc.doc, el: c });
        fields[name] = [before, null];
      }
      return;
    }
    if (c) {
      if ((c.selfClosing ? "" : ed.doc.text.slice(c.openEnd, c.closeStart)) === escapeForCompare(value)) return;
      ed.setText(c, value);
    } else b.addChild(step.loc.doc, el, { name, text: value }, orderKey(name), stepChildKey);
    fields[name] = [before, value];
  };

  // Merged state for validation.
  let messageName = step.messageName ?? (step.messageId ? cat.byId(step.messageId)?.name : undefined) ?? null;
  let messageId = step.messageId;
  if (req.message !== undefined || req.messageId !== undefined) {
    const m = resolveMessage({ message: req.message, messageId: req.messageId, messages: cat });
    messageName = m.name;
    messageId = m.id;
    const c = child(el, "SdkMessageId");
    // Older exports brace the message id: keep the file's form.
    const braced = !!c && !c.selfClosing && ed.doc.text.slice(c.openEnd, c.closeStart).trim().startsWith("{");
    set("SdkMessageId", braced ? `{${m.id}}` : m.id, c ? (step.messageId ?? "") : null);
    if (child(el, "SdkMessageName")) set("SdkMessageName", m.name, step.messageName);
  }
  const stage = req.stage !== undefined ? parseStage(req.stage) : (step.stage ?? 0);
  const mode = req.mode !== undefined ? parseMode(req.mode) : (step.mode ?? 0);
  const rank = req.rank !== undefined ? parseRank(req.rank) : (step.rank ?? 1);
  const entity = req.entity !== undefined ? (req.entity ? req.entity.trim() : null) : step.primaryEntity;
  const filter = req.filter !== undefined ? parseColumns(req.filter) : step.filteringAttributes;
  const asyncAutoDelete = req.asyncAutoDelete !== undefined ? req.asyncAutoDelete : !!step.asyncAutoDelete;
  const effMode = mode;
  if (req.mode !== undefined && mode === 0 && step.asyncAutoDelete && req.asyncAutoDelete === undefined) {
    // Going synchronous clears AsyncAutoDelete, as the Plug-in Registration Tool does.
    set("AsyncAutoDelete", "0", "1");
  }
  // Filters are checked against the message only when it is known (custom messages are not in the catalog).
  const checkFilter = messageName !== null && (req.filter !== undefined || req.message !== undefined || req.messageId !== undefined || req.entity !== undefined);
  checkStepRules({ message: messageName ?? "", stage, mode: effMode, filter: checkFilter ? filter : [], entity, asyncAutoDelete: req.asyncAutoDelete !== undefined ? asyncAutoDelete : false });
  if (req.stage !== undefined && stage !== 40 && step.images.some((i) => i.imageType === 1 || i.imageType === 2)) {
    throw new DvsolError("EDIT_INVALID", `step "${step.name ?? step.id}" has a post-image, which exists only in PostOperation`, { hint: "Remove the image first (`dvsol remove image`)." });
  }

  if (req.type !== undefined) {
    if (step.eventHandler) throw new DvsolError("EDIT_INVALID", `step "${step.name ?? step.id}" is bound to a service endpoint; use --endpoint to change it`);
    const { assembly, type } = findType(sol, req.type);
    if (type.workflowActivityGroupName !== null) throw new DvsolError("EDIT_INVALID", `${type.typeName} is a custom workflow activity: it runs in workflows, not in steps`);
    set("PluginTypeName", type.assemblyQualifiedName || `${type.typeName}, ${assembly.fullName}`, step.pluginTypeName);
    if (child(el, "PluginTypeId") || type.id) set("PluginTypeId", type.id ?? "", step.pluginTypeId);
  }
  if (req.endpoint !== undefined) {
    if (!step.eventHandler) throw new DvsolError("EDIT_INVALID", `step "${step.name ?? step.id}" runs a plug-in type; use --type to change it`);
    const e = findEndpoint(sol, req.endpoint);
    const h = handlerOfEndpoint(e);
    set("EventHandler", `{${e.id}}`, step.eventHandler ? `{${step.eventHandler}}` : null);
    set("PluginTypeName", h.name, step.pluginTypeName);
    set("PluginTypeId", h.id, step.pluginTypeId);
  }
  if (req.entity !== undefined) set("PrimaryEntity", entity, step.primaryEntity);
  if (req.secondaryEntity !== undefined) set("SecondaryEntity", req.secondaryEntity ? req.secondaryEntity.trim() : null, step.secondaryEntity);
  if (req.asyncAutoDelete !== undefined) set("AsyncAutoDelete", req.asyncAutoDelete ? "1" : "0", step.asyncAutoDelete === null ? null : step.asyncAutoDelete ? "1" : "0");
  if (req.config !== undefined) set("Configuration", req.config === "" ? null : req.config, step.configuration);
  if (req.description !== undefined) set("Description", req.description, step.description);
  if (req.filter !== undefined) set("FilteringAttributes", filter.join(","), step.filteringAttributes.join(","));
  if (req.impersonate !== undefined) set("ImpersonatingUserIdName", req.impersonate ? req.impersonate : null, step.impersonatingUserIdName);
  if (req.mode !== undefined) set("Mode", String(mode), step.mode === null ? null : String(step.mode));
  if (req.rank !== undefined) set("Rank", String(rank), step.rank === null ? null : String(step.rank));
  if (req.stage !== undefined) set("Stage", String(stage), step.stage === null ? null : String(step.stage));
  if (req.deployment !== undefined) set("SupportedDeployment", String(parseDeployment(req.deployment)), step.supportedDeployment === null ? null : String(step.supportedDeployment));
  if (req.name !== undefined && req.name !== step.name) {
    if (attrNode(el, "Name")) ed.setAttr(el, "Name", req.name);
    else ed.setAttr(el, "Name", req.name);
    fields.Name = [step.name, req.name];
  }
  if (req.images?.length) throw new DvsolError("USAGE_BAD_OPTION", "update step does not add images: use `dvsol add image --step <step> pre:<alias>[:<cols>]`");

  const name = req.name ?? step.name ?? step.id;
  if (Object.keys(fields).length === 0) {
    b.finding(finding("EDIT_NOTHING_TO_DO", { what: `step "${name}" already has these values` }, { component: { kind: "step", id: step.id, name } }));
  } else {
    b.change({ action: "change", kind: "step", id: step.id, name, reason: `changed ${Object.keys(fields).join(", ")}`, fields });
  }
  const endpoint = step.eventHandler ? sol.endpoints.find((e) => e.id === step.eventHandler) : undefined;
  if (endpoint && mode === 0 && req.mode !== undefined) b.finding(finding("EDIT_SYNC_ENDPOINT", { step: name, endpoint: endpoint.name }, { component: { kind: "step", id: step.id, name } }));
  if (req.rank !== undefined || req.stage !== undefined || req.message !== undefined || req.entity !== undefined || req.filter !== undefined || req.secondaryEntity !== undefined || req.impersonate) {
    ruleFindings(
      b,
      {
        id: step.id,
        name,
        messageId: messageId ?? "",
        message: messageName ?? "(unknown)",
        entity,
        stage,
        rank,
        filter: req.filter !== undefined ? filter : [],
        secondary: req.secondaryEntity ? req.secondaryEntity : null,
        impersonate: req.impersonate || null,
      },
      step.id,
    );
  }
  return b.build();
}

function escapeForCompare(v: string): string {
  return v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// ---- images -----------------------------------------------------------------------------------------------------

export interface AddImageRequest {
  step: string;
  images: string[];
  /** The step's message name when its id is not in the catalog (custom messages). */
  message?: string;
  messages?: MessageCatalog;
}

export function planAddImage(sol: Solution, req: AddImageRequest): EditPlan {
  const b = new PlanBuilder(sol, "add image");
  const step = findStep(sol, req.step);
  const cat = req.messages ?? STABLE_MESSAGES;
  const messageName = req.message ?? step.messageName ?? (step.messageId ? cat.byId(step.messageId)?.name : undefined);
  if (!messageName) {
    throw new DvsolError("EDIT_UNKNOWN_MESSAGE", `the message of step "${step.name ?? step.id}" (${step.messageId ?? "no id"}) is not in dvsol's catalog, so its image support is unknown`, {
      hint: "Give the message's name with --message.",
    });
  }
  if (!req.images.length) throw new DvsolError("EDIT_INVALID", "give at least one image: pre|post|both:<alias>[:<col,col>]");
  const images = req.images.map(parseImage);
  const prop = checkImages(messageName, step.stage ?? 0, images, step.images.map((i) => i.alias ?? i.name ?? ""));
  const imgs = newImages(step.id, images, prop);
  for (const i of imgs) {
    if (step.images.some((x) => x.id === i.id)) throw new DvsolError("EDIT_CONFLICT", `the step already has an image with id ${i.id}`);
  }
  addImagesTo(b, step, imgs);
  const name = step.name ?? step.id;
  for (const i of imgs) b.change({ action: "add", kind: "image", id: i.id, name: i.alias, reason: `${["pre", "post", "both"][i.imageType]}-image of step "${name}": ${i.attributes.length ? i.attributes.join(", ") : "all columns"} (${i.messagePropertyName})` });
  imageFindings(b, name, step.id, images);
  return b.build();
}

function addImagesTo(b: PlanBuilder, step: Step, imgs: NewImage[]): void {
  const section = child(step.loc.el, "SdkMessageProcessingStepImages");
  if (section) {
    for (const i of imgs) b.addChild(step.loc.doc, section, imageSpec(i));
  } else {
    b.addChild(step.loc.doc, step.loc.el, { name: "SdkMessageProcessingStepImages", children: imgs.map(imageSpec) }, orderKey("SdkMessageProcessingStepImages"), stepChildKey);
  }
}

// ---- enable / disable ---------------------------------------------------------------------------------------------

/** Microsoft's own steps: a Microsoft.* handler that is not the service endpoint relay. */
export function isMicrosoftStep(sol: Solution, step: Step): boolean {
  if (step.eventHandlerTypeCode === EVENT_HANDLER_SERVICE_ENDPOINT || step.eventHandler) return false;
  const name = step.pluginTypeName ?? typeOfStep(sol, step)?.type.typeName ?? "";
  return /^Microsoft\./.test(name);
}

export function planSetStepState(sol: Solution, ref: string, enabled: boolean): EditPlan {
  const b = new PlanBuilder(sol, enabled ? "enable step" : "disable step");
  const step = findStep(sol, ref);
  const name = step.name ?? step.id;
  if (isMicrosoftStep(sol, step)) {
    throw new DvsolError("EDIT_INVALID", `step "${name}" runs ${step.pluginTypeName}, one of Microsoft's own plug-ins: it cannot be ${enabled ? "enabled" : "disabled"} by a solution`, {
      hint: "Microsoft's and out-of-box system steps cannot be unregistered or disabled.",
    });
  }
  const isEnabled = step.stateCode !== 1;
  if (isEnabled === enabled && (step.stateCode === null || step.statusCode !== null)) {
    b.finding(finding("EDIT_NOTHING_TO_DO", { what: `step "${name}" is already ${enabled ? "enabled" : "disabled"}` }, { component: { kind: "step", id: step.id, name } }));
    return b.build();
  }
  const state = enabled ? "0" : "1";
  const status = enabled ? "1" : "2";
  const ed = b.editor(step.loc.doc);
  const sc = child(step.loc.el, "StateCode");
  const st = child(step.loc.el, "StatusCode");
  const put = (elName: string, el: XmlElement | undefined, v: string) => {
    if (el) ed.setText(el, v);
    else b.addChild(step.loc.doc, step.loc.el, { name: elName, text: v }, orderKey(elName), stepChildKey);
  };
  put("StateCode", sc, state);
  put("StatusCode", st, status);
  b.change({
    action: "change",
    kind: "step",
    id: step.id,
    name,
    reason: enabled ? "enabled (StateCode 0, StatusCode 1)" : "disabled (StateCode 1, StatusCode 2): imported steps stay disabled until someone enables them",
    fields: { StateCode: [step.stateCode === null ? null : String(step.stateCode), state], StatusCode: [step.statusCode === null ? null : String(step.statusCode), status] },
  });
  return b.build();
}
