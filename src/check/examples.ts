/**
 * One example per check finding for docs/findings/<CODE>.md (scripts/gen-docs.mjs): the XML that
 * raises it and the args the rule gives, so the page shows the message exactly as dvsol prints it.
 * Data only: the wording stays in ./findings.ts.
 */
import type { FindingArgs } from "../findings/types.js";

export interface FindingExample {
  /** The file the XML is in. */
  file: string;
  xml: string;
  args: FindingArgs;
}

const STEP = "Contoso.Plugins.AccountPostUpdate: Update of account";
const stepFile = "SdkMessageProcessingSteps/{7c1d0000-0000-4000-8000-000000000001}.xml";
const indent = (t: string, by = "  "): string =>
  t
    .split("\n")
    .map((l) => by + l)
    .join("\n");
/** A step element around `inner` (lines at the child level, unindented). */
const stepXml = (inner: string, name = STEP): string =>
  `<SdkMessageProcessingStep Name="${name}" SdkMessageProcessingStepId="{7c1d0000-0000-4000-8000-000000000001}">\n${indent(inner)}\n  ...\n</SdkMessageProcessingStep>`;
/** An image element around `inner`. */
const image = (inner: string, name = "PreImage"): string => `<SdkMessageProcessingStepImage Name="${name}">\n${indent(inner)}\n</SdkMessageProcessingStepImage>`;
/** The images section of a step, for examples that show the step too. */
const images = (...imgs: string[]): string => `<SdkMessageProcessingStepImages>\n${indent(imgs.join("\n"))}\n</SdkMessageProcessingStepImages>`;
const ASM = "Contoso.Plugins, Version=1.0.0.0, Culture=neutral, PublicKeyToken=a547478c9063475c";
const asmFile = "PluginAssemblies/ContosoPlugins-5F0C0B61-3C1A-4F43-9A51-2D1CF0A1B001/ContosoPlugins.dll.data.xml";

export const EXAMPLES: Record<string, FindingExample> = {
  STEP_ASYNC_NOT_POSTOPERATION: { file: stepFile, xml: stepXml("<Mode>1</Mode>\n<Rank>1</Rank>\n<Stage>20</Stage>"), args: { step: STEP, stage: 20, mode: 1 } },
  STEP_STAGE_RESERVED: { file: stepFile, xml: stepXml("<Stage>25</Stage>"), args: { step: STEP, stage: 25 } },
  STEP_STAGE_MAINOPERATION: { file: stepFile, xml: stepXml("<Stage>30</Stage>"), args: { step: STEP, stage: 30 } },
  STEP_STAGE_DEPRECATED: { file: stepFile, xml: stepXml("<Stage>50</Stage>"), args: { step: STEP, stage: 50 } },
  STEP_NO_MESSAGE: { file: stepFile, xml: stepXml("<SdkMessageId></SdkMessageId>\n<PluginTypeName>Contoso.Plugins.AccountPostUpdate, " + ASM + "</PluginTypeName>"), args: { step: STEP } },
  STEP_NO_PRIMARY_ENTITY: {
    file: stepFile,
    xml: stepXml("<SdkMessageId>20bebb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId>\n<PrimaryEntity></PrimaryEntity>", "Contoso.Plugins.Audit: Update of any Entity"),
    args: { step: "Contoso.Plugins.Audit: Update of any Entity", message: "Update", messageSource: "id" },
  },
  STEP_FILTER_WRONG_MESSAGE: {
    file: stepFile,
    xml: stepXml("<SdkMessageId>9ebdbb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId>\n<PrimaryEntity>account</PrimaryEntity>\n<FilteringAttributes>name,telephone1</FilteringAttributes>", "Contoso.Plugins.AccountPreCreate: Create of account"),
    args: { step: "Contoso.Plugins.AccountPreCreate: Create of account", message: "Create", messageSource: "id", attributes: ["name", "telephone1"] },
  },
  STEP_FILTER_PRIMARY_KEY: { file: stepFile, xml: stepXml("<PrimaryEntity>account</PrimaryEntity>\n<FilteringAttributes>name,accountid</FilteringAttributes>"), args: { step: STEP, column: "accountid", entity: "account" } },
  STEP_UPDATE_NO_FILTER: {
    file: stepFile,
    xml: stepXml("<SdkMessageId>20bebb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId>\n<PrimaryEntity>account</PrimaryEntity>\n<FilteringAttributes></FilteringAttributes>"),
    args: { step: STEP, entity: "account", message: "Update", messageSource: "id" },
  },
  IMAGE_UNSUPPORTED_MESSAGE: {
    file: stepFile,
    xml: stepXml("<SdkMessageId>03bebb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId>\n" + images(image("<EntityAlias>PreImage</EntityAlias>\n<ImageType>0</ImageType>\n<MessagePropertyName>Target</MessagePropertyName>")), "Contoso.Plugins.Search: RetrieveMultiple of account"),
    args: { step: "Contoso.Plugins.Search: RetrieveMultiple of account", alias: "PreImage", imageType: 0, message: "RetrieveMultiple", messageSource: "id" },
  },
  IMAGE_PRE_ON_CREATE: {
    file: stepFile,
    xml: stepXml("<SdkMessageId>9ebdbb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId>\n<Stage>40</Stage>\n" + images(image("<EntityAlias>PreImage</EntityAlias>\n<ImageType>0</ImageType>\n<MessagePropertyName>id</MessagePropertyName>")), "Contoso.Plugins.AccountPostCreate: Create of account"),
    args: { step: "Contoso.Plugins.AccountPostCreate: Create of account", alias: "PreImage", imageType: 0, message: "Create", messageSource: "id" },
  },
  IMAGE_POST_ON_DELETE: {
    file: stepFile,
    xml: stepXml("<SdkMessageId>a1bdbb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId>\n<Stage>40</Stage>\n" + images(image("<EntityAlias>PostImage</EntityAlias>\n<ImageType>1</ImageType>\n<MessagePropertyName>Target</MessagePropertyName>", "PostImage")), "Contoso.Plugins.AccountDelete: Delete of account"),
    args: { step: "Contoso.Plugins.AccountDelete: Delete of account", alias: "PostImage", imageType: 1, message: "Delete", messageSource: "id" },
  },
  IMAGE_POST_NOT_POSTOPERATION: {
    file: stepFile,
    xml: stepXml("<Stage>20</Stage>\n" + images(image("<EntityAlias>PostImage</EntityAlias>\n<ImageType>1</ImageType>", "PostImage"))),
    args: { step: STEP, alias: "PostImage", imageType: 1, stage: 20 },
  },
  IMAGE_ALL_COLUMNS: { file: stepFile, xml: image("<Attributes></Attributes>\n<EntityAlias>PreImage</EntityAlias>\n<ImageType>0</ImageType>"), args: { step: STEP, alias: "PreImage" } },
  IMAGE_DUPLICATE_ALIAS: {
    file: stepFile,
    xml: images(image("<EntityAlias>img</EntityAlias>\n<ImageType>0</ImageType>", "img"), image("<EntityAlias>img</EntityAlias>\n<ImageType>2</ImageType>", "img 2")),
    args: { step: STEP, alias: "img", kind: "pre-image" },
  },
  IMAGE_WRONG_PROPERTY: {
    file: stepFile,
    xml: image("<EntityAlias>PreImage</EntityAlias>\n<ImageType>0</ImageType>\n<MessagePropertyName>id</MessagePropertyName>"),
    args: { step: STEP, alias: "PreImage", property: "id", expected: "Target", message: "Update", messageSource: "id" },
  },
  STEP_SAME_RANK: {
    file: stepFile,
    xml: stepXml("<PrimaryEntity>account</PrimaryEntity>\n<Mode>0</Mode>\n<Rank>1</Rank>\n<Stage>40</Stage>"),
    args: { step: STEP, others: ['"Contoso.Plugins.AccountAudit: Update of account"'], message: "Update", entity: "account", stage: 40, rank: 1 },
  },
  STEP_DEFAULT_RANK: {
    file: stepFile,
    xml: stepXml("<PrimaryEntity>account</PrimaryEntity>\n<Mode>0</Mode>\n<Rank>1</Rank>\n<Stage>40</Stage>"),
    args: { step: STEP, count: 2, message: "Update", entity: "account", stage: 40, rank: 1 },
  },
  STEP_SYSTEMUSER_CREATE_SYNC: {
    file: stepFile,
    xml: stepXml("<SdkMessageId>9ebdbb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId>\n<PrimaryEntity>systemuser</PrimaryEntity>\n<Mode>0</Mode>", "Contoso.Plugins.SetupUser: Create of systemuser"),
    args: { step: "Contoso.Plugins.SetupUser: Create of systemuser", message: "Create", messageSource: "id", entity: "systemuser" },
  },
  STEP_ADDRESS_ENTITY: { file: stepFile, xml: stepXml("<PrimaryEntity>customeraddress</PrimaryEntity>"), args: { step: STEP, entity: "customeraddress", parent: "account or contact" } },
  STEP_SECONDARY_ENTITY: { file: stepFile, xml: stepXml("<PrimaryEntity>account</PrimaryEntity>\n<SecondaryEntity>contact</SecondaryEntity>"), args: { step: STEP, entity: "contact" } },
  STEP_OUTLOOK_OFFLINE: { file: stepFile, xml: stepXml("<SupportedDeployment>2</SupportedDeployment>"), args: { step: STEP, deployment: 2 } },
  STEP_IMPERSONATION: { file: stepFile, xml: stepXml("<ImpersonatingUserIdName>SYSTEM</ImpersonatingUserIdName>"), args: { step: STEP, user: "SYSTEM" } },
  STEP_SYNC_ENDPOINT: {
    file: stepFile,
    xml: stepXml("<Mode>0</Mode>\n<EventHandler>{9f40b73d-331b-ee11-9cbd-000d3a53fc2c}</EventHandler>\n<EventHandlerTypeCode>4618</EventHandlerTypeCode>", "OrderHook: Create of salesorder"),
    args: { step: "OrderHook: Create of salesorder", endpoint: "OrderHook" },
  },
  STEP_TYPE_MISSING: {
    file: stepFile,
    xml: stepXml(`<PluginTypeName>Contoso.Plugins.Removed, ${ASM}</PluginTypeName>\n<PluginTypeId>2b2b2b2b-0000-4000-8000-000000000001</PluginTypeId>`),
    args: { step: STEP, type: `Contoso.Plugins.Removed, ${ASM}` },
  },
  STEP_ENDPOINT_MISSING: {
    file: stepFile,
    xml: stepXml("<EventHandler>{9f40b73d-331b-ee11-9cbd-000d3a53fc2c}</EventHandler>\n<EventHandlerTypeCode>4618</EventHandlerTypeCode>", "OrderHook: Create of salesorder"),
    args: { step: "OrderHook: Create of salesorder", endpoint: "9f40b73d-331b-ee11-9cbd-000d3a53fc2c" },
  },
  ROOT_WITHOUT_COMPONENT: {
    file: "Other/Solution.xml",
    xml: '<RootComponent type="92" id="{3c3c3c3c-0000-4000-8000-000000000001}" behavior="0" />',
    args: { kind: "step", ref: "3c3c3c3c-0000-4000-8000-000000000001", type: 92 },
  },
  COMPONENT_WITHOUT_ROOT: {
    file: stepFile,
    xml: '<SdkMessageProcessingStep Name="' + STEP + '" SdkMessageProcessingStepId="{7c1d0000-0000-4000-8000-000000000001}">\n  ...\n</SdkMessageProcessingStep>\n<!-- Other/Solution.xml has no <RootComponent type="92" id="{7c1d0000-0000-4000-8000-000000000001}" /> -->',
    args: { kind: "step", ref: `"${STEP}" (7c1d0000-0000-4000-8000-000000000001)`, type: 92 },
  },
  ASSEMBLY_DLL_MISSING: {
    file: "customizations.xml",
    xml: "<FileName>/PluginAssemblies/ContosoPlugins-5F0C0B61-3C1A-4F43-9A51-2D1CF0A1B001/ContosoPlugins.dll</FileName>\n<!-- the zip has no entry PluginAssemblies/ContosoPlugins-5F0C0B61-.../ContosoPlugins.dll -->",
    args: { assembly: "Contoso.Plugins", fileName: "/PluginAssemblies/ContosoPlugins-5F0C0B61-3C1A-4F43-9A51-2D1CF0A1B001/ContosoPlugins.dll" },
  },
  ASSEMBLY_DLL_UNMAPPED: {
    file: asmFile,
    xml: "<FileName>/PluginAssemblies/ContosoPlugins-5F0C0B61-3C1A-4F43-9A51-2D1CF0A1B001/ContosoPlugins.dll</FileName>",
    args: { assembly: "Contoso.Plugins", fileName: "/PluginAssemblies/ContosoPlugins-5F0C0B61-3C1A-4F43-9A51-2D1CF0A1B001/ContosoPlugins.dll" },
  },
  ASSEMBLY_DLL_UNREADABLE: {
    file: "customizations.xml",
    xml: `<PluginAssembly FullName="${ASM}" ...>`,
    args: { assembly: ASM, entry: "PluginAssemblies/ContosoPlugins-5F0C0B61-3C1A-4F43-9A51-2D1CF0A1B001/ContosoPlugins.dll", reason: "it is a reference assembly (metadata only, no code)" },
  },
  ASSEMBLY_NOT_SANDBOXED: { file: asmFile, xml: "<IsolationMode>1</IsolationMode>", args: { assembly: "Contoso.Plugins", isolationMode: 1 } },
  ASSEMBLY_NOT_DATABASE: { file: asmFile, xml: "<SourceType>1</SourceType>", args: { assembly: "Contoso.Plugins", sourceType: 1 } },
  ASSEMBLY_VERSION_MISMATCH: {
    file: "Other/Solution.xml",
    xml: `<RootComponent type="91" id="{5f0c0b61-3c1a-4f43-9a51-2d1cf0a1b001}" schemaName="Contoso.Plugins, Version=1.0.1.0, Culture=neutral, PublicKeyToken=a547478c9063475c" behavior="0" />\n<!-- while the PluginAssembly's FullName says Version=1.0.0.0 -->`,
    args: { assembly: ASM, assemblyName: "Contoso.Plugins", version: "1.0.0.0", place: "the RootComponent (type 91) in solution.xml", found: "1.0.1.0" },
  },
  ASSEMBLY_IDENTITY_MISMATCH: {
    file: "customizations.xml",
    xml: `<PluginAssembly FullName="${ASM}" ...>\n<!-- the DLL's metadata says Contoso.Plugins, Version=1.0.1.0 -->`,
    args: { assembly: ASM, field: "version", dll: "1.0.1.0", xml: "1.0.0.0" },
  },
  ASSEMBLY_TYPE_NOT_IN_DLL: {
    file: asmFile,
    xml: `<PluginType AssemblyQualifiedName="Contoso.Plugins.Removed, ${ASM}" PluginTypeId="1a7e0a11-0000-4000-8000-000000000009" Name="Contoso.Plugins.Removed">`,
    args: { assembly: ASM, type: "Contoso.Plugins.Removed" },
  },
  ASSEMBLY_DUPLICATE_ID: { file: asmFile, xml: `<PluginAssembly FullName="${ASM}" PluginAssemblyId="5f0c0b61-3c1a-4f43-9a51-2d1cf0a1b001">`, args: { id: "5f0c0b61-3c1a-4f43-9a51-2d1cf0a1b001", count: 2, names: [ASM, "Contoso.Plugins.Old, Version=1.0.0.0, Culture=neutral, PublicKeyToken=a547478c9063475c"] } },
  TYPE_DUPLICATE_ID: { file: asmFile, xml: '<PluginType ... PluginTypeId="1a7e0a11-0000-4000-8000-000000000001" Name="Contoso.Plugins.ContactPreUpdate">', args: { id: "1a7e0a11-0000-4000-8000-000000000001", count: 2, names: ["Contoso.Plugins.AccountPostUpdate", "Contoso.Plugins.ContactPreUpdate"] } },
  STEP_DUPLICATE_ID: { file: "SdkMessageProcessingSteps/copy.xml", xml: stepXml("<Rank>2</Rank>"), args: { id: "7c1d0000-0000-4000-8000-000000000001", count: 2, names: [STEP, STEP] } },
  IMAGE_DUPLICATE_ID: { file: stepFile, xml: image("<SdkMessageProcessingStepImageId>{9a9a0000-0000-4000-8000-0000000000ee}</SdkMessageProcessingStepImageId>"), args: { id: "9a9a0000-0000-4000-8000-0000000000ee", count: 2, names: [`${STEP} / a`, `${STEP} / b`] } },
  ENDPOINT_DUPLICATE_ID: { file: "PluginAssemblies/ServiceEndpoints.xml", xml: '<ServiceEndpoint ServiceEndpointId="{9f40b73d-331b-ee11-9cbd-000d3a53fc2c}" Name="b">', args: { id: "9f40b73d-331b-ee11-9cbd-000d3a53fc2c", count: 2, names: ["a", "b"] } },
  SECRET_IN_ENDPOINT: { file: "PluginAssemblies/ServiceEndpoints.xml", xml: "<AuthType>2</AuthType>\n<SASKeyName>RootManageSharedAccessKey</SASKeyName>\n<SASKey>(a key)</SASKey>", args: { endpoint: "orders queue", elements: ["SASKey"] } },
};
