/**
 * Element specs for new components, in the element order and id casing of real exports
 * (reference page, section 3; checked against the corpus in test/edit).
 */
import type { ElementSpec } from "../xml/edit.js";
import { braced } from "../model/ids.js";

export interface NewPluginType {
  id: string;
  /** Class full name. */
  typeName: string;
  /** Name attribute: the class for a plug-in, a display name for a workflow activity. */
  name: string;
  assemblyQualifiedName: string;
  friendlyName: string;
  workflowActivityGroupName: string | null;
}

export interface NewAssembly {
  id: string;
  fullName: string;
  fileName: string;
  isolationMode: number;
  sourceType: number;
  introducedVersion: string;
  description: string | null;
  types: NewPluginType[];
}

export function pluginTypeSpec(t: NewPluginType): ElementSpec {
  const children: ElementSpec[] = [{ name: "FriendlyName", text: t.friendlyName }];
  if (t.workflowActivityGroupName !== null) children.push({ name: "WorkflowActivityGroupName", text: t.workflowActivityGroupName });
  return {
    name: "PluginType",
    attrs: [
      ["AssemblyQualifiedName", t.assemblyQualifiedName],
      ["PluginTypeId", t.id],
      ["Name", t.name],
    ],
    children,
  };
}

export function assemblySpec(a: NewAssembly): ElementSpec {
  const children: ElementSpec[] = [];
  if (a.description) children.push({ name: "Description", text: a.description });
  children.push(
    { name: "IsolationMode", text: String(a.isolationMode) },
    { name: "SourceType", text: String(a.sourceType) },
    { name: "IntroducedVersion", text: a.introducedVersion },
    { name: "FileName", text: a.fileName },
    { name: "PluginTypes", children: a.types.map(pluginTypeSpec), selfClose: true },
  );
  return {
    name: "PluginAssembly",
    attrs: [
      ["FullName", a.fullName],
      ["PluginAssemblyId", a.id],
      ["CustomizationLevel", "1"],
    ],
    children,
  };
}

export interface NewImage {
  id: string;
  alias: string;
  imageType: number;
  /** Empty: all columns. */
  attributes: string[];
  messagePropertyName: string;
}

export function imageSpec(i: NewImage): ElementSpec {
  return {
    name: "SdkMessageProcessingStepImage",
    attrs: [["Name", i.alias]],
    children: [
      { name: "SdkMessageProcessingStepImageId", text: braced(i.id) },
      { name: "Attributes", text: i.attributes.join(",") },
      { name: "EntityAlias", text: i.alias },
      { name: "ImageType", text: String(i.imageType) },
      { name: "MessagePropertyName", text: i.messagePropertyName },
      { name: "IsCustomizable", text: "1" },
    ],
  };
}

export interface NewStep {
  id: string;
  name: string;
  description: string;
  messageId: string;
  pluginTypeName: string;
  pluginTypeId: string;
  primaryEntity: string | null;
  secondaryEntity: string | null;
  asyncAutoDelete: boolean;
  configuration: string | null;
  filteringAttributes: string[];
  impersonatingUserIdName: string | null;
  invocationSource: number;
  mode: number;
  rank: number;
  eventHandler: string | null;
  eventHandlerTypeCode: number;
  stage: number;
  supportedDeployment: number;
  images: NewImage[];
}

/** The modern export order of a step's children (reference page, section 3). */
export const STEP_ORDER: readonly string[] = [
  "SdkMessageId",
  "SdkMessageName",
  "PluginTypeName",
  "PluginTypeId",
  "PrimaryEntity",
  "SecondaryEntity",
  "AsyncAutoDelete",
  "Configuration",
  "Description",
  "FilteringAttributes",
  "ImpersonatingUserIdName",
  "InvocationSource",
  "Mode",
  "Rank",
  "EventHandler",
  "EventHandlerTypeCode",
  "Stage",
  "IsCustomizable",
  "IsHidden",
  "StateCode",
  "StatusCode",
  "SupportedDeployment",
  "IntroducedVersion",
  "SdkMessageProcessingStepImages",
];

export function stepSpec(s: NewStep): ElementSpec {
  const c: ElementSpec[] = [
    { name: "SdkMessageId", text: s.messageId },
    { name: "PluginTypeName", text: s.pluginTypeName },
  ];
  // Old exports have types without ids: their steps name the type only.
  if (s.pluginTypeId) c.push({ name: "PluginTypeId", text: s.pluginTypeId });
  if (s.primaryEntity) c.push({ name: "PrimaryEntity", text: s.primaryEntity });
  if (s.secondaryEntity) c.push({ name: "SecondaryEntity", text: s.secondaryEntity });
  c.push({ name: "AsyncAutoDelete", text: s.asyncAutoDelete ? "1" : "0" });
  if (s.configuration !== null) c.push({ name: "Configuration", text: s.configuration });
  c.push({ name: "Description", text: s.description }, { name: "FilteringAttributes", text: s.filteringAttributes.join(",") });
  if (s.impersonatingUserIdName) c.push({ name: "ImpersonatingUserIdName", text: s.impersonatingUserIdName });
  c.push({ name: "InvocationSource", text: String(s.invocationSource) }, { name: "Mode", text: String(s.mode) }, { name: "Rank", text: String(s.rank) });
  if (s.eventHandler) c.push({ name: "EventHandler", text: braced(s.eventHandler) });
  c.push(
    { name: "EventHandlerTypeCode", text: String(s.eventHandlerTypeCode) },
    { name: "Stage", text: String(s.stage) },
    { name: "IsCustomizable", text: "1" },
    { name: "IsHidden", text: "0" },
    { name: "SupportedDeployment", text: String(s.supportedDeployment) },
    { name: "IntroducedVersion", text: "1.0" },
    { name: "SdkMessageProcessingStepImages", children: s.images.map(imageSpec), selfClose: true },
  );
  return {
    name: "SdkMessageProcessingStep",
    attrs: [
      ["Name", s.name],
      ["SdkMessageProcessingStepId", braced(s.id)],
    ],
    children: c,
  };
}

export interface NewEndpoint {
  id: string;
  name: string;
  description: string | null;
  connectionMode: number;
  contract: number;
  path: string | null;
  solutionNamespace: string | null;
  userClaim: number;
  authType: number;
  messageFormat: number;
  namespaceAddress: string | null;
  namespaceFormat: number;
  url: string | null;
  sasKeyName: string | null;
}

/** Element order of real exports (PL400Demos queue; CSE-Neutrino webhook and queue). */
export function endpointSpec(e: NewEndpoint): ElementSpec {
  const c: ElementSpec[] = [];
  if (e.description) c.push({ name: "Description", text: e.description });
  c.push(
    { name: "ConnectionMode", text: String(e.connectionMode) },
    { name: "Contract", text: String(e.contract) },
    { name: "Path", text: e.path ?? "" },
    { name: "SolutionNamespace", text: e.solutionNamespace ?? "" },
    { name: "UserClaim", text: String(e.userClaim) },
    { name: "IsCustomizable", text: "1" },
    { name: "AuthType", text: String(e.authType) },
    { name: "MessageFormat", text: String(e.messageFormat) },
  );
  if (e.namespaceAddress) c.push({ name: "NamespaceAddress", text: e.namespaceAddress });
  c.push({ name: "NamespaceFormat", text: String(e.namespaceFormat) });
  if (e.url) c.push({ name: "Url", text: e.url });
  if (e.sasKeyName) c.push({ name: "SASKeyName", text: e.sasKeyName });
  c.push({ name: "UseKeyVaultConfiguration", text: "0" });
  return {
    name: "ServiceEndpoint",
    attrs: [
      ["ServiceEndpointId", braced(e.id)],
      ["Name", e.name],
    ],
    children: c,
  };
}

/** `PluginAssemblies/<NameWithoutDots>-<GUID UPPERCASE>/<NameWithoutDots>.dll` (no leading slash). */
export function dllEntryPath(assemblyName: string, id: string): string {
  const n = assemblyName.replace(/\./g, "");
  return `PluginAssemblies/${n}-${id.toUpperCase()}/${n}.dll`;
}
