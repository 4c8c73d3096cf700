/**
 * Small unpacked solution folders made on the fly for the check tests, in the exact shape of real
 * SolutionPackager trees (Other/Solution.xml and Other/Customizations.xml as in the CSE-Neutrino sample,
 * PluginAssemblies/<Name>-<GUID>/<Name>.dll.data.xml as in bguidinger/Xrm.ReportScheduler,
 * SdkMessageProcessingSteps/{id}.xml with the element order of the CSE-Neutrino steps and the
 * PL-400 demo exports).
 *
 * The default solution is clean: one signed assembly (samples/plugin 1.0.0.0, its real DLL) with its
 * four types, one Update step with a filter and a pre-image, all listed as root components.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ROOT, tmp } from "../helpers.js";

export const CREATE = "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8";
export const UPDATE = "20bebb1b-ea3e-db11-86a7-000a3a5473e8";
export const DELETE = "a1bdbb1b-ea3e-db11-86a7-000a3a5473e8";
export const RETRIEVE_MULTIPLE = "03bebb1b-ea3e-db11-86a7-000a3a5473e8";

export const SAMPLE_DLL = path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll");
export const TOKEN = "a547478c9063475c";
export const ASM_ID = "5f0c0b61-3c1a-4f43-9a51-2d1cf0a1b001";
const BOM = "\ufeff";
const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

export interface TypeSpec {
  class: string;
  id?: string | null;
  /** Name attribute; defaults to the class (a workflow activity has a display name). */
  name?: string;
  group?: string;
  /** Version written in the AssemblyQualifiedName (defaults to the assembly's). */
  version?: string;
}

export interface AssemblySpec {
  name?: string;
  version?: string;
  token?: string | null;
  id?: string | null;
  isolation?: number;
  source?: number;
  types?: TypeSpec[];
  /** DLL bytes to place at FileName; null: no DLL in the folder. */
  dll?: Buffer | null;
  /** false: no RootComponent; a string: the RootComponent's schemaName. */
  root?: boolean | string;
}

export interface ImageSpec {
  id?: string;
  alias: string;
  type: 0 | 1 | 2;
  prop?: string;
  attributes?: string;
}

export interface StepSpec {
  id?: string;
  name?: string | null;
  description?: string | null;
  /** null: an empty <SdkMessageId />. */
  messageId?: string | null;
  messageName?: string;
  entity?: string | null;
  secondary?: string;
  stage?: number;
  mode?: number;
  rank?: number;
  filter?: string;
  /** Class of the plug-in type (in the default assembly). */
  type?: string;
  /** Overrides the PluginTypeName written. */
  pluginTypeName?: string;
  pluginTypeId?: string | null;
  eventHandler?: string;
  deployment?: number;
  impersonate?: string;
  images?: ImageSpec[];
  root?: boolean;
  /** File name under SdkMessageProcessingSteps/ (default {id}.xml). */
  file?: string;
}

export interface EndpointSpec {
  id: string;
  name: string;
  root?: boolean;
  secret?: boolean;
}

export interface SolutionSpec {
  assemblies?: AssemblySpec[];
  steps?: StepSpec[];
  endpoints?: EndpointSpec[];
  /** Raw <MissingDependency> elements. */
  missingDependencies?: string[];
  /** Raw extra <RootComponent> elements. */
  extraRoots?: string[];
}

export const SAMPLE_TYPES: TypeSpec[] = [
  { class: "Contoso.Plugins.AccountPostUpdate", id: "1a7e0a11-0000-4000-8000-000000000001" },
  { class: "Contoso.Plugins.AccountPreCreate", id: "1a7e0a11-0000-4000-8000-000000000002" },
  { class: "Contoso.Plugins.ContactPreUpdate", id: "1a7e0a11-0000-4000-8000-000000000003" },
  { class: "Contoso.Plugins.Activities.CalculateDiscount", id: "1a7e0a11-0000-4000-8000-000000000004", name: "Sales – Calculate Discount", group: "Contoso Activities (1.0.0.0)" },
];

export function defaultAssembly(): AssemblySpec {
  return { name: "Contoso.Plugins", version: "1.0.0.0", token: TOKEN, id: ASM_ID, isolation: 2, source: 0, types: SAMPLE_TYPES, dll: readFileSync(SAMPLE_DLL), root: true };
}

export function defaultStep(): StepSpec {
  return {
    id: "7c1d0000-0000-4000-8000-000000000001",
    name: "Contoso.Plugins.AccountPostUpdate: Update of account",
    messageId: UPDATE,
    entity: "account",
    stage: 40,
    mode: 0,
    rank: 1,
    filter: "name,telephone1",
    type: "Contoso.Plugins.AccountPostUpdate",
    images: [{ alias: "PreImage", type: 0, prop: "Target", attributes: "name,telephone1" }],
  };
}

const esc = (t: string): string => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fullName = (a: AssemblySpec): string => `${a.name}, Version=${a.version}, Culture=neutral, PublicKeyToken=${a.token ?? "null"}`;
const folderName = (a: AssemblySpec): string => `${a.name!.replace(/\./g, "")}-${(a.id ?? "00000000-0000-0000-0000-000000000000").toUpperCase()}`;

function assemblyXml(a: AssemblySpec): string {
  const fileName = `/PluginAssemblies/${folderName(a)}/${a.name!.replace(/\./g, "")}.dll`;
  const types = (a.types ?? [])
    .map((t) => {
      const aqn = `${t.class}, ${fullName({ ...a, version: t.version ?? a.version })}`;
      const id = t.id ? ` PluginTypeId="${t.id}"` : "";
      return [
        `    <PluginType AssemblyQualifiedName="${esc(aqn)}"${id} Name="${esc(t.name ?? t.class)}">`,
        `      <FriendlyName>${t.id ?? esc(t.name ?? t.class)}</FriendlyName>`,
        ...(t.group ? [`      <WorkflowActivityGroupName>${esc(t.group)}</WorkflowActivityGroupName>`] : []),
        `    </PluginType>`,
      ].join("\r\n");
    })
    .join("\r\n");
  return [
    `${BOM}<?xml version="1.0" encoding="utf-8"?>`,
    `<PluginAssembly FullName="${esc(fullName(a))}"${a.id ? ` PluginAssemblyId="${a.id}"` : ""} CustomizationLevel="1" ${XSI}>`,
    `  <IsolationMode>${a.isolation ?? 2}</IsolationMode>`,
    `  <SourceType>${a.source ?? 0}</SourceType>`,
    `  <IntroducedVersion>1.0</IntroducedVersion>`,
    `  <FileName>${fileName}</FileName>`,
    `  <PluginTypes>`,
    types,
    `  </PluginTypes>`,
    `</PluginAssembly>`,
  ].join("\r\n");
}

function stepXml(s: StepSpec, asm: AssemblySpec | undefined): string {
  const a = asm ?? defaultAssembly();
  const t = (a.types ?? []).find((x) => x.class === s.type);
  const typeName = s.pluginTypeName ?? (s.type ? `${s.type}, ${fullName(a)}` : undefined);
  const typeId = s.pluginTypeId === undefined ? t?.id : s.pluginTypeId;
  const lines = [`${BOM}<?xml version="1.0" encoding="utf-8"?>`];
  lines.push(`<SdkMessageProcessingStep${s.name === null ? "" : ` Name="${esc(s.name ?? "step")}"`} SdkMessageProcessingStepId="{${s.id}}" ${XSI}>`);
  lines.push(s.messageId === null ? "  <SdkMessageId></SdkMessageId>" : `  <SdkMessageId>${s.messageId ?? UPDATE}</SdkMessageId>`);
  if (s.messageName) lines.push(`  <SdkMessageName>${esc(s.messageName)}</SdkMessageName>`);
  if (typeName) lines.push(`  <PluginTypeName>${esc(typeName)}</PluginTypeName>`);
  if (typeId) lines.push(`  <PluginTypeId>${typeId}</PluginTypeId>`);
  if (s.entity !== null) lines.push(`  <PrimaryEntity>${s.entity ?? "account"}</PrimaryEntity>`);
  if (s.secondary) lines.push(`  <SecondaryEntity>${s.secondary}</SecondaryEntity>`);
  lines.push(`  <AsyncAutoDelete>0</AsyncAutoDelete>`);
  const description = s.description === undefined ? s.name : s.description;
  if (description !== null && description !== undefined) lines.push(`  <Description>${esc(description)}</Description>`);
  lines.push(`  <FilteringAttributes>${s.filter ?? ""}</FilteringAttributes>`);
  if (s.impersonate) lines.push(`  <ImpersonatingUserIdName>${esc(s.impersonate)}</ImpersonatingUserIdName>`);
  lines.push(`  <InvocationSource>0</InvocationSource>`, `  <Mode>${s.mode ?? 0}</Mode>`, `  <Rank>${s.rank ?? 1}</Rank>`);
  if (s.eventHandler) lines.push(`  <EventHandler>{${s.eventHandler}}</EventHandler>`);
  lines.push(`  <EventHandlerTypeCode>${s.eventHandler ? 4618 : 4602}</EventHandlerTypeCode>`);
  lines.push(`  <Stage>${s.stage ?? 40}</Stage>`, `  <IsCustomizable>1</IsCustomizable>`, `  <IsHidden>0</IsHidden>`);
  lines.push(`  <SupportedDeployment>${s.deployment ?? 0}</SupportedDeployment>`, `  <IntroducedVersion>1.0</IntroducedVersion>`);
  if (!s.images?.length) lines.push(`  <SdkMessageProcessingStepImages />`);
  else {
    lines.push(`  <SdkMessageProcessingStepImages>`);
    s.images.forEach((i, n) => {
      lines.push(
        `    <SdkMessageProcessingStepImage Name="${esc(i.alias)}">`,
        `      <SdkMessageProcessingStepImageId>{${i.id ?? `9a9a000${n % 10}${s.id!.slice(8)}`}}</SdkMessageProcessingStepImageId>`,
        `      <Attributes>${i.attributes ?? ""}</Attributes>`,
        `      <EntityAlias>${esc(i.alias)}</EntityAlias>`,
        `      <ImageType>${i.type}</ImageType>`,
        `      <MessagePropertyName>${i.prop ?? "Target"}</MessagePropertyName>`,
        `      <IsCustomizable>1</IsCustomizable>`,
        `    </SdkMessageProcessingStepImage>`,
      );
    });
    lines.push(`  </SdkMessageProcessingStepImages>`);
  }
  lines.push(`</SdkMessageProcessingStep>`);
  return lines.join("\r\n");
}

function endpointsXml(eps: EndpointSpec[]): string {
  const items = eps.map((e) =>
    [
      `  <ServiceEndpoint ServiceEndpointId="{${e.id}}" Name="${esc(e.name)}">`,
      `    <ConnectionMode>1</ConnectionMode>`,
      `    <Contract>8</Contract>`,
      `    <Url>https://contoso.example/api/hook</Url>`,
      `    <UserClaim>1</UserClaim>`,
      `    <IsCustomizable>1</IsCustomizable>`,
      `    <AuthType>5</AuthType>`,
      ...(e.secret ? [`    <AuthValue>REDACTED-test-secret</AuthValue>`] : []),
      `    <MessageFormat>2</MessageFormat>`,
      `    <NamespaceFormat>1</NamespaceFormat>`,
      `    <UseKeyVaultConfiguration>0</UseKeyVaultConfiguration>`,
      `  </ServiceEndpoint>`,
    ].join("\r\n"),
  );
  return [`${BOM}<?xml version="1.0" encoding="utf-8"?>`, `<ServiceEndpoints ${XSI}>`, ...items, `</ServiceEndpoints>`].join("\r\n");
}

function solutionXml(spec: Required<Pick<SolutionSpec, "assemblies" | "steps" | "endpoints">> & SolutionSpec): string {
  const roots: string[] = [];
  for (const a of spec.assemblies) {
    if (a.root === false) continue;
    const schema = typeof a.root === "string" ? a.root : fullName(a);
    roots.push(`      <RootComponent type="91"${a.id ? ` id="{${a.id}}"` : ""} schemaName="${esc(schema)}" behavior="0" />`);
  }
  for (const s of spec.steps) if (s.root !== false) roots.push(`      <RootComponent type="92" id="{${s.id}}" behavior="0" />`);
  for (const e of spec.endpoints) if (e.root !== false) roots.push(`      <RootComponent type="95" id="{${e.id}}" behavior="0" />`);
  roots.push(...(spec.extraRoots ?? []).map((r) => `      ${r}`));
  const md = spec.missingDependencies?.length ? ["    <MissingDependencies>", ...spec.missingDependencies.map((m) => `      ${m}`), "    </MissingDependencies>"] : ["    <MissingDependencies />"];
  return [
    `${BOM}<?xml version="1.0" encoding="utf-8"?>`,
    `<ImportExportXml version="9.2.23064.158" SolutionPackageVersion="9.2" languagecode="1033" generatedBy="CrmLive" ${XSI}>`,
    `  <SolutionManifest>`,
    `    <UniqueName>ContosoCheck</UniqueName>`,
    `    <LocalizedNames>`,
    `      <LocalizedName description="Contoso Check" languagecode="1033" />`,
    `    </LocalizedNames>`,
    `    <Descriptions />`,
    `    <Version>1.0.0.0</Version>`,
    `    <Managed>0</Managed>`,
    `    <Publisher>`,
    `      <UniqueName>contoso</UniqueName>`,
    `      <LocalizedNames>`,
    `        <LocalizedName description="Contoso" languagecode="1033" />`,
    `      </LocalizedNames>`,
    `      <Descriptions />`,
    `      <EMailAddress xsi:nil="true"></EMailAddress>`,
    `      <SupportingWebsiteUrl xsi:nil="true"></SupportingWebsiteUrl>`,
    `      <CustomizationPrefix>contoso</CustomizationPrefix>`,
    `      <CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix>`,
    `      <Addresses />`,
    `    </Publisher>`,
    `    <RootComponents>`,
    ...roots,
    `    </RootComponents>`,
    ...md,
    `  </SolutionManifest>`,
    `</ImportExportXml>`,
  ].join("\r\n");
}

const CUSTOMIZATIONS = [
  `${BOM}<?xml version="1.0" encoding="utf-8"?>`,
  `<ImportExportXml ${XSI}>`,
  `  <Entities />`,
  `  <Roles />`,
  `  <Workflows />`,
  `  <FieldSecurityProfiles />`,
  `  <Templates />`,
  `  <EntityMaps />`,
  `  <EntityRelationships />`,
  `  <OrganizationSettings />`,
  `  <optionsets />`,
  `  <CustomControls />`,
  `  <SolutionPluginAssemblies />`,
  `  <SdkMessageProcessingSteps />`,
  `  <ServiceEndpoints />`,
  `  <EntityDataProviders />`,
  `  <Languages>`,
  `    <Language>1033</Language>`,
  `  </Languages>`,
  `</ImportExportXml>`,
].join("\r\n");

/**
 * Writes an unpacked solution folder and returns its path. Missing parts take the defaults
 * (`assemblies: [defaultAssembly()]`, `steps: [defaultStep()]`); steps are merged over defaultStep().
 */
export function makeSolution(spec: SolutionSpec = {}, dir = tmp("dvsol-check-")): string {
  const assemblies = (spec.assemblies ?? [{}]).map((a) => ({ ...defaultAssembly(), ...a }));
  const steps = (spec.steps ?? [{}]).map((s, i) => {
    const d = defaultStep();
    return { ...d, id: `7c1d0000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`, ...s };
  });
  const endpoints = spec.endpoints ?? [];
  const w = (rel: string, content: string | Buffer) => {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  };
  w("Other/Solution.xml", solutionXml({ ...spec, assemblies, steps, endpoints }));
  w("Other/Customizations.xml", CUSTOMIZATIONS);
  for (const a of assemblies) {
    const base = `PluginAssemblies/${folderName(a)}/${a.name!.replace(/\./g, "")}.dll`;
    w(`${base}.data.xml`, assemblyXml(a));
    if (a.dll) w(base, a.dll);
  }
  for (const s of steps) w(`SdkMessageProcessingSteps/${s.file ?? `{${s.id}}.xml`}`, stepXml(s, assemblies[0]));
  if (endpoints.length) w("PluginAssemblies/ServiceEndpoints.xml", endpointsXml(endpoints));
  return dir;
}
