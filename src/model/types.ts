/**
 * The typed model of a solution: the manifest and the plug-in family. The model sits over the
 * documents and never replaces them: each component knows the document and element it was read
 * from, so that edits are splices of that element and everything else survives.
 */
import type { XmlDocument, XmlElement } from "../xml/parse.js";
import type { SolutionSource } from "../solution/source.js";
import type { Finding } from "../findings/types.js";

export interface LoadedDoc {
  /** Path in the source (zip entry or folder-relative). */
  path: string;
  /** The file's bytes (for a UTF-8 document, encoded again from `doc.text` when asked for: see loadDoc). */
  readonly bytes: Buffer;
  doc: XmlDocument;
}

export interface ElementLoc {
  /** Path of the document the element is in. */
  doc: string;
  el: XmlElement;
}

export interface Publisher {
  uniqueName: string;
  prefix: string | null;
  optionValuePrefix: string | null;
  friendlyName: string | null;
}

export interface RootComponent {
  type: number | string;
  id: string | null;
  schemaName: string | null;
  behavior: number | null;
  loc: ElementLoc;
}

export interface MissingDependency {
  required: Record<string, string>;
  dependent: Record<string, string>;
  loc: ElementLoc;
}

export interface Manifest {
  uniqueName: string;
  friendlyName: string | null;
  version: string;
  /** 0 unmanaged, 1 managed, 2 both (unpacked with package type Both). */
  managed: 0 | 1 | 2;
  publisher: Publisher;
  rootComponents: RootComponent[];
  missingDependencies: MissingDependency[];
  loc: ElementLoc;
}

export interface PluginType {
  id: string | null;
  /** The Name attribute as written: the class for a plug-in, a display name for a workflow activity. */
  name: string;
  /** The class: first part of AssemblyQualifiedName. */
  typeName: string;
  assemblyQualifiedName: string;
  friendlyName: string | null;
  description: string | null;
  workflowActivityGroupName: string | null;
  loc: ElementLoc;
}

export interface PluginAssembly {
  id: string | null;
  name: string;
  version: string;
  culture: string;
  publicKeyToken: string | null;
  fullName: string;
  /** FileName as written (e.g. /PluginAssemblies/Name-GUID/Name.dll), or null. */
  fileName: string | null;
  /** The DLL's path in the source, when present. */
  dllPath: string | null;
  isolationMode: number | null;
  sourceType: number | null;
  introducedVersion: string | null;
  description: string | null;
  customizationLevel: string | null;
  types: PluginType[];
  loc: ElementLoc;
}

export interface StepImage {
  id: string | null;
  name: string | null;
  alias: string | null;
  imageType: number | null;
  /** Empty list: all columns. */
  attributes: string[];
  messagePropertyName: string | null;
  relatedAttributeName: string | null;
  description: string | null;
  loc: ElementLoc;
}

export interface Step {
  id: string;
  name: string | null;
  description: string | null;
  messageId: string | null;
  /** SdkMessageName where the step names its message (custom APIs), else null. */
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
  asyncAutoDelete: boolean | null;
  invocationSource: number | null;
  supportedDeployment: number | null;
  impersonatingUserIdName: string | null;
  stateCode: number | null;
  statusCode: number | null;
  isCustomizable: string | null;
  isHidden: string | null;
  introducedVersion: string | null;
  images: StepImage[];
  loc: ElementLoc;
}

export interface ServiceEndpoint {
  id: string;
  name: string;
  contract: number | null;
  connectionMode: number | null;
  path: string | null;
  solutionNamespace: string | null;
  namespaceAddress: string | null;
  namespaceFormat: number | null;
  url: string | null;
  authType: number | null;
  messageFormat: number | null;
  userClaim: number | null;
  sasKeyName: string | null;
  useKeyVaultConfiguration: string | null;
  description: string | null;
  /** Names of secret elements present with a value (SASKey, SASToken, AuthValue). */
  secrets: string[];
  loc: ElementLoc;
}

export interface Solution {
  source: SolutionSource;
  form: "zip" | "folder";
  /** Every XML document the model was read from, by path. */
  docs: Map<string, LoadedDoc>;
  manifestPath: string;
  customizationsPath: string;
  manifest: Manifest;
  assemblies: PluginAssembly[];
  steps: Step[];
  endpoints: ServiceEndpoint[];
  /** Findings raised while reading (secrets present, unreadable optional parts). */
  readFindings: Finding[];
}

/** Platform codes (reference page, section 4). */
export const COMPONENT_TYPE = {
  entity: 1,
  workflow: 29,
  webResource: 61,
  pluginType: 90,
  pluginAssembly: 91,
  step: 92,
  image: 93,
  serviceEndpoint: 95,
} as const;

export const STAGE = { prevalidation: 10, preoperation: 20, mainoperation: 30, postoperation: 40, postoperationDeprecated: 50 } as const;
export const STAGE_NAMES: Record<number, string> = { 10: "PreValidation", 20: "PreOperation", 30: "MainOperation", 40: "PostOperation", 50: "PostOperation (deprecated)" };
export const MODE_NAMES: Record<number, string> = { 0: "sync", 1: "async" };
export const IMAGE_TYPE_NAMES: Record<number, string> = { 0: "pre", 1: "post", 2: "both" };
export const CONTRACT_NAMES: Record<number, string> = {
  1: "OneWay",
  2: "Queue",
  3: "Rest",
  4: "TwoWay",
  5: "Topic",
  6: "Queue (persistent)",
  7: "EventHub",
  8: "Webhook",
  9: "EventGrid",
  10: "ManagedDataLake",
};
export const EVENT_HANDLER_PLUGIN_TYPE = 4602;
export const EVENT_HANDLER_SERVICE_ENDPOINT = 4618;
