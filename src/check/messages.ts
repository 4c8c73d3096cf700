/**
 * A small catalogue of SDK messages: what the registration rules need to know about each one.
 *
 * Ids: message ids are organization data, except for a family of system messages whose ids are the
 * same in every organization (the *-ea3e-db11-86a7-000a3a5473e8 family). Only ids seen in real exported
 * files of ../shared/corpus are listed, with how often they were seen; every other message has `id: null`
 * and can be recognised only by name (SdkMessageName, or the step's "Type: Message of table" name).
 * Custom actions and custom APIs have a different id in every organization: never guess one.
 *
 * Counted over the corpus (steps whose name or description states the message):
 *   Create           9ebdbb1b-ea3e-db11-86a7-000a3a5473e8   55 steps in 21 files from 5 repositories
 *   Update           20bebb1b-ea3e-db11-86a7-000a3a5473e8   48 steps in 9 files from 4 repositories
 *   Delete           a1bdbb1b-ea3e-db11-86a7-000a3a5473e8   13 steps in 9 files from 4 repositories
 *   RetrieveMultiple 03bebb1b-ea3e-db11-86a7-000a3a5473e8    5 steps in 5 files of one repository, exported from two
 *                    organizations (SparkleXrm); one step describes itself as "Post-Operation of WebResource
 *                    RetrieveMultiple", and public SdkMessage listings give the same id for RetrieveMultiple.
 */
import type { Step } from "../model/types.js";

export interface SdkMessageInfo {
  name: string;
  /** The id shared by every organization, as seen in real exports; null when no real file showed it. */
  id: string | null;
  /**
   * Whether steps on the message may have images (RPI, "Define entity images"); null when the documentation
   * does not say, so that no rule fires on a guess.
   */
  supportsImages: boolean | null;
  /** Valid MessagePropertyName values for images. */
  imageProperty: readonly string[];
  /** Filtering attributes are honoured (Update and OnExternalUpdated only). */
  filteringAttributes: boolean;
  /** The message acts on one row of one table: a step without PrimaryEntity runs for every table. */
  perTable: boolean;
}

const m = (name: string, id: string | null, supportsImages: boolean | null, imageProperty: string[] = [], extra: Partial<SdkMessageInfo> = {}): SdkMessageInfo => ({
  name,
  id,
  supportsImages,
  imageProperty,
  filteringAttributes: false,
  perTable: false,
  ...extra,
});

/** Sorted by name. */
export const MESSAGES: readonly SdkMessageInfo[] = Object.freeze([
  m("Assign", null, true, ["Target"]),
  // RPI's table says Target for Create; real exports write "id" (seen in VendorIntegration and the Education
  // accelerator). Both are accepted.
  m("Create", "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8", true, ["Target", "id"], { perTable: true }),
  m("Delete", "a1bdbb1b-ea3e-db11-86a7-000a3a5473e8", true, ["Target"], { perTable: true }),
  m("DeliverIncoming", null, true, ["EmailId"]),
  m("DeliverPromote", null, true, ["EmailId"]),
  m("Merge", null, true, ["Target", "SubordinateId"]),
  m("OnExternalUpdated", null, null, [], { filteringAttributes: true }),
  m("Retrieve", null, false, [], { perTable: true }),
  m("RetrieveMultiple", "03bebb1b-ea3e-db11-86a7-000a3a5473e8", false, [], { perTable: true }),
  m("Route", null, true, ["Target"]),
  m("Send", null, true, ["FaxId", "EmailId", "TemplateId"]),
  m("SetState", null, true, ["EntityMoniker"]),
  // Not in RPI's table, but its images (EntityMoniker) are registered in practice: unknown, so no rule fires.
  m("SetStateDynamicEntity", null, null, ["EntityMoniker"]),
  m("Update", "20bebb1b-ea3e-db11-86a7-000a3a5473e8", true, ["Target"], { filteringAttributes: true, perTable: true }),
]);

const BY_ID = new Map(MESSAGES.filter((x) => x.id).map((x) => [x.id!, x]));
const BY_NAME = new Map(MESSAGES.map((x) => [x.name.toLowerCase(), x]));

function normGuid(id: string): string {
  return id.trim().replace(/^\{|\}$/g, "").toLowerCase();
}

/** The message with this organization-independent id, or undefined (custom and unlisted messages). */
export function messageById(id: string | null | undefined): SdkMessageInfo | undefined {
  return id ? BY_ID.get(normGuid(id)) : undefined;
}

/** The catalogue entry for a message name (case-insensitive), or undefined for messages not listed. */
export function messageByName(name: string | null | undefined): SdkMessageInfo | undefined {
  return name ? BY_NAME.get(name.trim().toLowerCase()) : undefined;
}

/** Where a step's message name came from. */
export type MessageSource = "id" | "sdkMessageName" | "name" | "description";

export interface ResolvedMessage {
  /** The message name, or null when nothing in the step tells it. */
  name: string | null;
  source: MessageSource | null;
  /** Catalogue entry, when the message is listed. */
  info: SdkMessageInfo | undefined;
}

/**
 * "Contoso.Plugins.AccountPlugin: Update of account", "…: msdyn_InvokeURSStoredProc of any Entity",
 * "…: Update of invoice Async": the names the Plug-in Registration Tool and the maker portal give steps.
 */
const STEP_NAME_RE = /:\s+([A-Za-z][A-Za-z0-9_]*)\s+of\s+\S/;

export function messageFromStepName(text: string | null | undefined): string | null {
  if (!text) return null;
  const mm = STEP_NAME_RE.exec(text);
  return mm ? mm[1]! : null;
}

/**
 * The step's message: from its SdkMessageId when the id is one of the catalogue's, else from SdkMessageName,
 * else from the "Type: Message of table" pattern of its Name, then of its Description. Never a guess beyond that.
 */
export function resolveMessage(step: Pick<Step, "messageId" | "messageName" | "name" | "description">): ResolvedMessage {
  const byId = messageById(step.messageId);
  if (byId) return { name: byId.name, source: "id", info: byId };
  if (step.messageName) return { name: step.messageName, source: "sdkMessageName", info: messageByName(step.messageName) };
  const fromName = messageFromStepName(step.name);
  if (fromName) return { name: canonical(fromName), source: "name", info: messageByName(fromName) };
  const fromDescription = messageFromStepName(step.description);
  if (fromDescription) return { name: canonical(fromDescription), source: "description", info: messageByName(fromDescription) };
  return { name: null, source: null, info: undefined };
}

function canonical(name: string): string {
  return messageByName(name)?.name ?? name;
}
