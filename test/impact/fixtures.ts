/**
 * Synthetic solutions for the impact tests, written as SolutionPackager folders with the exact shapes of
 * real exports (element order of the PL-400 demo zips' customizations.xml; folder layout, BOM, XML
 * declaration and StateCode of the CSE-Neutrino tree).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { deriveId } from "../../src/model/ids.js";
import { ROOT, tmp } from "../helpers.js";

export const CREATE = "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8";
export const UPDATE = "20bebb1b-ea3e-db11-86a7-000a3a5473e8";
export const DELETE = "a1bdbb1b-ea3e-db11-86a7-000a3a5473e8";
const MESSAGE_IDS: Record<string, string> = { Create: CREATE, Update: UPDATE, Delete: DELETE };
export const TOKEN = "8a51fa8e51b7b9ab";

export interface FxType {
  /** Class full name. */
  name: string;
  id?: string;
}
export interface FxAssembly {
  name: string;
  version: string;
  id: string;
  token?: string;
  types: (string | FxType)[];
  /** DLL bytes (any content: the impact compares SHA-256); absent: no DLL in the folder. */
  dll?: string | Buffer;
  /** Registered anew (a major/minor bump): its types get new ids. */
  typeIdSalt?: string;
}
export interface FxImage {
  alias: string;
  type: 0 | 1 | 2;
  attributes?: string[];
  id?: string;
}
export interface FxStep {
  id: string;
  name?: string;
  /** Class the step runs, in `assembly` at `version`. */
  type?: string;
  assembly?: string;
  version?: string;
  /** Override the PluginTypeId (default: the id of the class in the assembly of that name and version). */
  typeId?: string | null;
  message?: "Create" | "Update" | "Delete";
  entity?: string;
  stage?: number;
  mode?: number;
  rank?: number;
  filtering?: string[];
  config?: string;
  description?: string;
  images?: FxImage[];
  /** 1 = disabled. */
  state?: 0 | 1;
  impersonate?: string;
  /** Service endpoint id: the step posts to it. */
  endpoint?: string;
}
export interface FxEndpoint {
  id: string;
  name: string;
  contract?: number;
  path?: string;
  address?: string;
  url?: string;
  authType?: number;
  messageFormat?: number;
  userClaim?: number;
}
export interface FxSolution {
  uniqueName?: string;
  version?: string;
  managed?: 0 | 1 | 2;
  publisher?: string;
  prefix?: string;
  assemblies?: FxAssembly[];
  steps?: FxStep[];
  endpoints?: FxEndpoint[];
  missing?: { required: Record<string, string>; dependent: Record<string, string> }[];
}

const BOM = "\ufeff";
const DECL = '<?xml version="1.0" encoding="utf-8"?>';
const xe = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A plug-in type's id: stable across in-place upgrades; a new registration (salt) gets new ids. */
export function typeId(asm: string, cls: string, salt = ""): string {
  return deriveId("test-type", asm, cls, salt);
}

function typesOf(a: FxAssembly): FxType[] {
  return a.types.map((t) => (typeof t === "string" ? { name: t } : t));
}

function fullName(a: { name: string; version: string; token?: string }): string {
  return `${a.name}, Version=${a.version}, Culture=neutral, PublicKeyToken=${a.token ?? TOKEN}`;
}

const folderName = (a: FxAssembly): string => `${a.name.replace(/\./g, "")}-${a.id.toUpperCase()}`;

function assemblyXml(a: FxAssembly): string {
  const file = `/PluginAssemblies/${folderName(a)}/${a.name.replace(/\./g, "")}.dll`;
  const types = typesOf(a)
    .map(
      (t) => `    <PluginType AssemblyQualifiedName="${xe(`${t.name}, ${fullName(a)}`)}" PluginTypeId="${t.id ?? typeId(a.name, t.name, a.typeIdSalt)}" Name="${xe(t.name)}">
      <FriendlyName>${deriveId("friendly", a.name, t.name)}</FriendlyName>
    </PluginType>`,
    )
    .join("\r\n");
  return `${BOM}${DECL}\r
<PluginAssembly FullName="${xe(fullName(a))}" PluginAssemblyId="${a.id}" CustomizationLevel="1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\r
  <IsolationMode>2</IsolationMode>\r
  <SourceType>0</SourceType>\r
  <IntroducedVersion>1.0</IntroducedVersion>\r
  <FileName>${file}</FileName>\r
  <PluginTypes>\r
${types.replace(/\n/g, "\r\n").replace(/\r\r/g, "\r")}\r
  </PluginTypes>\r
</PluginAssembly>`;
}

function stepXml(s: FxStep, sol: FxSolution): string {
  const msg = s.message ?? "Create";
  const entity = s.entity ?? "account";
  let typeName: string;
  let tid: string | null;
  if (s.endpoint) {
    typeName = "Microsoft.Crm.ServiceBus.ServiceBusPlugin, Microsoft.Crm.ServiceBus, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35";
    tid = "ef521e63-cd2b-4170-99f6-447466a7161e";
  } else {
    const asm = (sol.assemblies ?? []).find((a) => a.name === s.assembly && a.version === s.version);
    const ver = s.version ?? "1.0.0.0";
    typeName = `${s.type}, ${fullName({ name: s.assembly ?? "Contoso.Plugins", version: ver, token: asm?.token })}`;
    const t = asm ? typesOf(asm).find((x) => x.name === s.type) : undefined;
    tid = s.typeId !== undefined ? s.typeId : (t?.id ?? typeId(s.assembly ?? "Contoso.Plugins", s.type ?? "", asm?.typeIdSalt));
  }
  const name = s.name ?? `${s.type ?? "endpoint"}: ${msg} of ${entity}`;
  const images = (s.images ?? [])
    .map(
      (i) => `    <SdkMessageProcessingStepImage Name="${xe(i.alias)}">
      <SdkMessageProcessingStepImageId>{${i.id ?? deriveId("image", s.id, i.alias)}}</SdkMessageProcessingStepImageId>
      <Attributes>${xe((i.attributes ?? []).join(","))}</Attributes>
      <EntityAlias>${xe(i.alias)}</EntityAlias>
      <ImageType>${i.type}</ImageType>
      <MessagePropertyName>${msg === "Create" ? "id" : "Target"}</MessagePropertyName>
      <IsCustomizable>1</IsCustomizable>
    </SdkMessageProcessingStepImage>`,
    )
    .join("\n");
  const lines = [
    `<SdkMessageProcessingStep Name="${xe(name)}" SdkMessageProcessingStepId="{${s.id}}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    `  <SdkMessageId>${MESSAGE_IDS[msg]}</SdkMessageId>`,
    `  <PluginTypeName>${xe(typeName)}</PluginTypeName>`,
    ...(tid ? [`  <PluginTypeId>${tid}</PluginTypeId>`] : []),
    `  <PrimaryEntity>${xe(entity)}</PrimaryEntity>`,
    `  <AsyncAutoDelete>0</AsyncAutoDelete>`,
    ...(s.config !== undefined ? [`  <Configuration>${xe(s.config)}</Configuration>`] : []),
    `  <Description>${xe(s.description ?? name)}</Description>`,
    `  <FilteringAttributes>${xe((s.filtering ?? []).join(","))}</FilteringAttributes>`,
    ...(s.impersonate ? [`  <ImpersonatingUserIdName>${xe(s.impersonate)}</ImpersonatingUserIdName>`] : []),
    `  <InvocationSource>0</InvocationSource>`,
    `  <Mode>${s.mode ?? 0}</Mode>`,
    `  <Rank>${s.rank ?? 1}</Rank>`,
    ...(s.endpoint ? [`  <EventHandler>{${s.endpoint}}</EventHandler>`] : []),
    `  <EventHandlerTypeCode>${s.endpoint ? 4618 : 4602}</EventHandlerTypeCode>`,
    `  <Stage>${s.stage ?? 40}</Stage>`,
    `  <IsCustomizable>1</IsCustomizable>`,
    `  <IsHidden>0</IsHidden>`,
    `  <StateCode>${s.state ?? 0}</StateCode>`,
    `  <StatusCode>${s.state === 1 ? 2 : 1}</StatusCode>`,
    `  <SupportedDeployment>0</SupportedDeployment>`,
    `  <IntroducedVersion>1.0</IntroducedVersion>`,
    images ? `  <SdkMessageProcessingStepImages>\n${images}\n  </SdkMessageProcessingStepImages>` : `  <SdkMessageProcessingStepImages />`,
    `</SdkMessageProcessingStep>`,
  ];
  return `${BOM}${DECL}\r\n${lines.join("\r\n").replace(/([^\r])\n/g, "$1\r\n")}`;
}

function endpointsXml(eps: FxEndpoint[]): string {
  const body = eps
    .map(
      (e) => `  <ServiceEndpoint ServiceEndpointId="{${e.id}}" Name="${xe(e.name)}">\r
    <ConnectionMode>1</ConnectionMode>\r
    <Contract>${e.contract ?? 6}</Contract>\r
    <Path>${xe(e.path ?? "queue")}</Path>\r
    <SolutionNamespace>${xe(e.address ? "" : "contoso")}</SolutionNamespace>\r
    <UserClaim>${e.userClaim ?? 1}</UserClaim>\r
    <IsCustomizable>1</IsCustomizable>\r
    <AuthType>${e.authType ?? 2}</AuthType>\r
    <MessageFormat>${e.messageFormat ?? 2}</MessageFormat>\r
    ${e.url ? `<Url>${xe(e.url)}</Url>` : `<NamespaceAddress>${xe(e.address ?? "sb://contoso.servicebus.windows.net/")}</NamespaceAddress>`}\r
    <NamespaceFormat>2</NamespaceFormat>\r
    <SASKeyName>RootManageSharedAccessKey</SASKeyName>\r
    <UseKeyVaultConfiguration>0</UseKeyVaultConfiguration>\r
  </ServiceEndpoint>`,
    )
    .join("\r\n");
  return `${BOM}${DECL}\r\n<ServiceEndpoints xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\r\n${body}\r\n</ServiceEndpoints>`;
}

function solutionXml(s: FxSolution): string {
  const roots = [
    ...(s.assemblies ?? []).map((a) => `      <RootComponent type="91" id="{${a.id}}" schemaName="${xe(fullName(a))}" behavior="0" />`),
    ...(s.steps ?? []).map((st) => `      <RootComponent type="92" id="{${st.id}}" behavior="0" />`),
    ...(s.endpoints ?? []).map((e) => `      <RootComponent type="95" id="{${e.id}}" behavior="0" />`),
  ];
  const attrs = (r: Record<string, string>) =>
    Object.entries(r)
      .map(([k, v]) => `${k}="${xe(v)}"`)
      .join(" ");
  const missing = (s.missing ?? []).map((m) => `      <MissingDependency>\r\n        <Required ${attrs(m.required)} />\r\n        <Dependent ${attrs(m.dependent)} />\r\n      </MissingDependency>`);
  const unique = s.uniqueName ?? "ContosoPlugins";
  const pub = s.publisher ?? "contoso";
  return `${BOM}${DECL}\r
<ImportExportXml version="9.2.23064.158" SolutionPackageVersion="9.2" languagecode="1033" generatedBy="CrmLive" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\r
  <SolutionManifest>\r
    <UniqueName>${xe(unique)}</UniqueName>\r
    <LocalizedNames>\r
      <LocalizedName description="${xe(unique)}" languagecode="1033" />\r
    </LocalizedNames>\r
    <Descriptions />\r
    <Version>${s.version ?? "1.0.0.0"}</Version>\r
    <Managed>${s.managed ?? 1}</Managed>\r
    <Publisher>\r
      <UniqueName>${xe(pub)}</UniqueName>\r
      <LocalizedNames>\r
        <LocalizedName description="${xe(pub)}" languagecode="1033" />\r
      </LocalizedNames>\r
      <Descriptions />\r
      <EMailAddress xsi:nil="true"></EMailAddress>\r
      <SupportingWebsiteUrl xsi:nil="true"></SupportingWebsiteUrl>\r
      <CustomizationPrefix>${s.prefix ?? "con"}</CustomizationPrefix>\r
      <CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix>\r
      <Addresses />\r
    </Publisher>\r
    <RootComponents>\r
${roots.join("\r\n")}\r
    </RootComponents>\r
    ${missing.length ? `<MissingDependencies>\r\n${missing.join("\r\n")}\r\n    </MissingDependencies>` : "<MissingDependencies />"}\r
  </SolutionManifest>\r
</ImportExportXml>`;
}

const CUSTOMIZATIONS = `${BOM}${DECL}\r
<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\r
  <Entities />\r
  <Roles />\r
  <Workflows />\r
  <FieldSecurityProfiles />\r
  <Templates />\r
  <EntityMaps />\r
  <EntityRelationships />\r
  <OrganizationSettings />\r
  <optionsets />\r
  <CustomControls />\r
  <SolutionPluginAssemblies />\r
  <SdkMessageProcessingSteps />\r
  <ServiceEndpoints />\r
  <EntityDataProviders />\r
  <Languages>\r
    <Language>1033</Language>\r
  </Languages>\r
</ImportExportXml>`;

/** Writes the solution as an unpacked folder under `dir` (created) and returns `dir`. */
export function writeSolution(dir: string, s: FxSolution): string {
  mkdirSync(path.join(dir, "Other"), { recursive: true });
  writeFileSync(path.join(dir, "Other", "Solution.xml"), solutionXml(s));
  writeFileSync(path.join(dir, "Other", "Customizations.xml"), CUSTOMIZATIONS);
  for (const a of s.assemblies ?? []) {
    const d = path.join(dir, "PluginAssemblies", folderName(a));
    mkdirSync(d, { recursive: true });
    const base = a.name.replace(/\./g, "");
    writeFileSync(path.join(d, `${base}.dll.data.xml`), assemblyXml(a));
    if (a.dll !== undefined) writeFileSync(path.join(d, `${base}.dll`), a.dll);
  }
  if (s.steps?.length) {
    mkdirSync(path.join(dir, "SdkMessageProcessingSteps"), { recursive: true });
    for (const st of s.steps) writeFileSync(path.join(dir, "SdkMessageProcessingSteps", `{${st.id}}.xml`), stepXml(st, s));
  }
  if (s.endpoints?.length) {
    mkdirSync(path.join(dir, "PluginAssemblies"), { recursive: true });
    writeFileSync(path.join(dir, "PluginAssemblies", "ServiceEndpoints.xml"), endpointsXml(s.endpoints));
  }
  return dir;
}

/** Writes an installed/incoming pair into a new temp folder. */
export function writePair(installed: FxSolution, incoming: FxSolution): { dir: string; installed: string; incoming: string } {
  const dir = tmp("dvsol-impact-");
  return { dir, installed: writeSolution(path.join(dir, "installed"), installed), incoming: writeSolution(path.join(dir, "incoming"), incoming) };
}

// The base solution the scenarios vary: the Contoso.Plugins sample (samples/plugin, real signed builds
// 1.0.0.0, 1.0.1.0 and 2.0.0.0) with three steps, one of them with an image.
export const SAMPLE_TOKEN = "a547478c9063475c";
export const sampleDll = (version: "1.0.0.0" | "1.0.1.0" | "2.0.0.0"): Buffer => readFileSync(path.join(ROOT, "samples", "plugin", "bin", version, "Contoso.Plugins.dll"));
export const TYPES_100 = ["Contoso.Plugins.AccountPostUpdate", "Contoso.Plugins.AccountPreCreate", "Contoso.Plugins.Activities.CalculateDiscount", "Contoso.Plugins.ContactPreUpdate"];
export const TYPES_101 = [...TYPES_100, "Contoso.Plugins.ContactPostCreate"].sort();

export const ASM_ID = "2f1a6c3e-7d4b-4e2a-9c8f-1b2d3e4f5a60";
export const ASM_ID_V2 = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d";
export const STEP_PRECREATE = "11111111-2726-ee11-9966-00224823910f";
export const STEP_POSTUPDATE = "22222222-2726-ee11-9966-00224823910f";
export const STEP_CONTACT = "33333333-2726-ee11-9966-00224823910f";
export const ENDPOINT_ID = "b414f7f8-2a26-ee11-9966-00224823910f";

export function sampleAssembly(version: "1.0.0.0" | "1.0.1.0" | "2.0.0.0", over: Partial<FxAssembly> = {}): FxAssembly {
  return {
    name: "Contoso.Plugins",
    version,
    id: version === "2.0.0.0" ? ASM_ID_V2 : ASM_ID,
    token: SAMPLE_TOKEN,
    types: version === "1.0.0.0" ? TYPES_100 : TYPES_101,
    dll: sampleDll(version),
    ...(version === "2.0.0.0" ? { typeIdSalt: "v2" } : {}),
    ...over,
  };
}

/** The three steps, bound to the assembly `version`. */
export function sampleSteps(version: string): FxStep[] {
  return [
    { id: STEP_PRECREATE, type: "Contoso.Plugins.AccountPreCreate", assembly: "Contoso.Plugins", version, message: "Create", entity: "account", stage: 20 },
    { id: STEP_POSTUPDATE, type: "Contoso.Plugins.AccountPostUpdate", assembly: "Contoso.Plugins", version, message: "Update", entity: "account", stage: 40, filtering: ["name", "telephone1"], images: [{ alias: "pre", type: 0, attributes: ["name", "telephone1"] }] },
    { id: STEP_CONTACT, type: "Contoso.Plugins.ContactPreUpdate", assembly: "Contoso.Plugins", version, message: "Update", entity: "contact", stage: 20, filtering: ["emailaddress1"] },
  ];
}

export function baseSolution(over: Partial<FxSolution> = {}, asmVersion: "1.0.0.0" | "1.0.1.0" | "2.0.0.0" = "1.0.0.0"): FxSolution {
  return {
    uniqueName: "ContosoPlugins",
    version: "1.0.0.0",
    managed: 1,
    publisher: "contoso",
    assemblies: [sampleAssembly(asmVersion)],
    steps: sampleSteps(asmVersion),
    endpoints: [],
    ...over,
  };
}
