/**
 * Findings of `dvsol check`: the platform's registration rules (reference page, section 7) and the
 * consistency of a solution's plug-in components. Wording lives here only; rules return data.
 */
import { defineFindings, argText as s } from "../findings/catalog.js";

const RPI = "https://learn.microsoft.com/power-apps/developer/data-platform/register-plug-in";
const EF = "https://learn.microsoft.com/power-apps/developer/data-platform/event-framework";
const IMAGES = `${RPI} (Define entity images)`;
const ENT_STEP = "https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/sdkmessageprocessingstep";
const ENT_ASM = "https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/pluginassembly";
const ASM_VERSIONING = `${RPI} (Assembly versioning)`;
const SP = "https://learn.microsoft.com/power-platform/alm/solution-packager-tool";
const SOLUTION_CONCEPTS = "https://learn.microsoft.com/power-platform/alm/solution-concepts-alm";

/** " (message inferred from the step's name)" when the message was not read from a known id. */
const via = (a: Record<string, unknown>): string =>
  a.messageSource === "name" ? " (message taken from the step's name)" : a.messageSource === "description" ? " (message taken from the step's description)" : "";

const stageName = (v: unknown): string => {
  const n = Number(v);
  return n === 10 ? "PreValidation (10)" : n === 20 ? "PreOperation (20)" : n === 30 ? "MainOperation (30)" : n === 40 ? "PostOperation (40)" : n === 50 ? "PostOperation, deprecated (50)" : `stage ${s(v)}`;
};
const imageTypeName = (v: unknown): string => (Number(v) === 0 ? "pre-image" : Number(v) === 1 ? "post-image" : Number(v) === 2 ? "pre- and post-image" : "image");

export const CHECK_FINDING_CODES = [
  "STEP_ASYNC_NOT_POSTOPERATION",
  "STEP_STAGE_RESERVED",
  "STEP_STAGE_MAINOPERATION",
  "STEP_STAGE_DEPRECATED",
  "STEP_NO_MESSAGE",
  "STEP_NO_PRIMARY_ENTITY",
  "STEP_FILTER_WRONG_MESSAGE",
  "STEP_FILTER_PRIMARY_KEY",
  "STEP_UPDATE_NO_FILTER",
  "IMAGE_UNSUPPORTED_MESSAGE",
  "IMAGE_PRE_ON_CREATE",
  "IMAGE_POST_ON_DELETE",
  "IMAGE_POST_NOT_POSTOPERATION",
  "IMAGE_ALL_COLUMNS",
  "IMAGE_DUPLICATE_ALIAS",
  "IMAGE_WRONG_PROPERTY",
  "STEP_SAME_RANK",
  "STEP_DEFAULT_RANK",
  "STEP_SYSTEMUSER_CREATE_SYNC",
  "STEP_ADDRESS_ENTITY",
  "STEP_SECONDARY_ENTITY",
  "STEP_OUTLOOK_OFFLINE",
  "STEP_IMPERSONATION",
  "STEP_SYNC_ENDPOINT",
  "STEP_TYPE_MISSING",
  "STEP_ENDPOINT_MISSING",
  "ROOT_WITHOUT_COMPONENT",
  "COMPONENT_WITHOUT_ROOT",
  "ASSEMBLY_DLL_MISSING",
  "ASSEMBLY_DLL_UNMAPPED",
  "ASSEMBLY_DLL_UNREADABLE",
  "ASSEMBLY_NOT_SANDBOXED",
  "ASSEMBLY_NOT_DATABASE",
  "ASSEMBLY_VERSION_MISMATCH",
  "ASSEMBLY_IDENTITY_MISMATCH",
  "ASSEMBLY_TYPE_NOT_IN_DLL",
  "ASSEMBLY_DUPLICATE_ID",
  "TYPE_DUPLICATE_ID",
  "STEP_DUPLICATE_ID",
  "IMAGE_DUPLICATE_ID",
  "ENDPOINT_DUPLICATE_ID",
] as const;

export type CheckFindingCode = (typeof CHECK_FINDING_CODES)[number];

defineFindings({
  // --- stage and mode -------------------------------------------------------------------------------
  STEP_ASYNC_NOT_POSTOPERATION: {
    severity: "error",
    title: "Asynchronous step outside PostOperation",
    message: (a) => `step "${s(a.step)}" is asynchronous but registered in ${stageName(a.stage)}; asynchronous steps run only in PostOperation (40)`,
    why: "Asynchronous steps are queued after the core operation has committed; the platform accepts them only in the PostOperation stage. Import of such a registration fails, or the step never runs as intended.",
    fix: "Set <Stage>40</Stage>, or make the step synchronous (<Mode>0</Mode>) if it must run before the operation.",
    source: `${RPI} (Mode: asynchronous steps only in PostOperation); ${EF} (Event execution pipeline)`,
  },
  STEP_STAGE_RESERVED: {
    severity: "error",
    title: "Step in a stage plug-ins cannot use",
    message: (a) => `step "${s(a.step)}" is registered in stage ${s(a.stage)}; plug-in steps use 10 (PreValidation), 20 (PreOperation) or 40 (PostOperation)`,
    why: "Stages other than 10, 20 and 40 are internal to the platform (30 is the core operation, used only by custom API and virtual table providers; 50 is a deprecated post-operation stage). A step in any other stage is not a registration the platform offers.",
    fix: "Set <Stage> to 10, 20 or 40.",
    source: `${EF} (Event execution pipeline); ${ENT_STEP} (Stage choices)`,
  },
  STEP_STAGE_MAINOPERATION: {
    severity: "info",
    title: "Step in MainOperation",
    message: (a) => `step "${s(a.step)}" runs in MainOperation (30): legitimate only for the plug-in that implements a custom API or a virtual table data provider`,
    why: "MainOperation replaces the core operation. It is where a custom API's or a virtual table data provider's plug-in runs; any other plug-in there takes over what the platform would have done.",
    fix: "Nothing, if this step implements a custom API or data provider. Otherwise register it in PreOperation (20) or PostOperation (40).",
    source: `${EF} (Event execution pipeline: MainOperation)`,
  },
  STEP_STAGE_DEPRECATED: {
    severity: "warning",
    title: "Step in the deprecated stage 50",
    message: (a) => `step "${s(a.step)}" is registered in stage 50, the deprecated post-operation stage of CRM 4.0`,
    why: "Stage 50 survives from CRM 4.0 for backward compatibility. Registration tools no longer offer it; PostOperation (40) is its replacement.",
    fix: "Register the step in PostOperation: <Stage>40</Stage>.",
    source: `${ENT_STEP} (Stage choices: 50 Post-operation (Deprecated))`,
  },
  STEP_NO_MESSAGE: {
    severity: "error",
    title: "Step without a message",
    message: (a) => `step "${s(a.step)}" has neither an SdkMessageId nor an SdkMessageName: the platform cannot tell which message it handles`,
    why: "Every step is registered for one SDK message. Exports give it as <SdkMessageId> (or <SdkMessageName> for custom API messages); without either, import cannot bind the step.",
    fix: "Restore <SdkMessageId> with the message's id from the target environment, or <SdkMessageName> for a custom API message.",
    source: "Reference page, section 3 (SdkMessageProcessingStep); observed in real exports",
  },

  // --- message and table ------------------------------------------------------------------------------
  STEP_NO_PRIMARY_ENTITY: {
    severity: "warning",
    title: "Step on a table message without a table",
    message: (a) => `step "${s(a.step)}" handles ${s(a.message)}${via(a)} without a PrimaryEntity: it runs for every table`,
    why: "Create, Update, Delete, Retrieve and RetrieveMultiple act on rows of one table. Without a primary entity the step runs for every table in the environment, system tables included: a heavy and rarely intended load.",
    fix: "Set <PrimaryEntity> to the table the plug-in is written for.",
    source: `${RPI} (Primary Entity)`,
  },
  STEP_FILTER_WRONG_MESSAGE: {
    severity: "warning",
    title: "Filtering attributes on a message that ignores them",
    message: (a) => `step "${s(a.step)}" on ${s(a.message)}${via(a)} lists filtering attributes (${s(a.attributes)}); only Update and OnExternalUpdated honour them`,
    why: "Filtering attributes restrict a step to updates of the listed columns. Other messages ignore them, so the list misleads readers into thinking the step is narrower than it is.",
    fix: "Remove <FilteringAttributes>, or register the step on Update if that is what it is for.",
    source: `${RPI} (Filtering attributes)`,
  },
  STEP_FILTER_PRIMARY_KEY: {
    severity: "warning",
    title: "Filtering attributes include the primary key",
    message: (a) => `step "${s(a.step)}" filters on ${s(a.column)}, the primary key of ${s(a.entity)}: every update contains it, so the filter never filters`,
    why: "The primary key is part of every Update request. A step filtered on it runs on every update, as if it had no filter.",
    fix: "Remove the primary key column from <FilteringAttributes> and list the columns the plug-in reacts to.",
    source: `${RPI} (Filtering attributes)`,
  },
  STEP_UPDATE_NO_FILTER: {
    severity: "warning",
    title: "Update step without filtering attributes",
    message: (a) => `step "${s(a.step)}" runs on every Update of ${s(a.entity) || "any table"}${via(a)}: it has no filtering attributes`,
    why: "Without filtering attributes an Update step runs for any change of any column, including updates made by other plug-ins and integrations. That costs time on every save and can cause loops.",
    fix: "List the columns the plug-in depends on in <FilteringAttributes> (comma-separated logical names). If it must really run on every update, turn this rule off for the step in dvsol.config.json.",
    source: `${RPI} (Filtering attributes); https://learn.microsoft.com/power-apps/developer/data-platform/best-practices/business-logic/include-filtering-attributes-plugin-registration`,
  },

  // --- images ---------------------------------------------------------------------------------------------
  IMAGE_UNSUPPORTED_MESSAGE: {
    severity: "error",
    title: "Image on a message without images",
    message: (a) => `image "${s(a.alias)}" of step "${s(a.step)}": ${s(a.message)}${via(a)} does not support images`,
    why: "Only Assign, Create, Delete, DeliverIncoming, DeliverPromote, Merge, Route, Send, SetState and Update pass entity images to plug-ins. On any other message an image is never filled, and registration refuses it.",
    fix: "Remove the image and retrieve the data the plug-in needs in code, or register the step on a message that supports images.",
    source: IMAGES,
  },
  IMAGE_PRE_ON_CREATE: {
    severity: "error",
    title: "Pre-image on Create",
    message: (a) => `image "${s(a.alias)}" of step "${s(a.step)}" is a ${imageTypeName(a.imageType)} on Create${via(a)}: a row has no state before it is created`,
    why: "There is nothing to take a snapshot of before a row exists: Create steps cannot have pre-images.",
    fix: "Use a post-image (<ImageType>1</ImageType>) in PostOperation, or read the Target in the step's input parameters.",
    source: IMAGES,
  },
  IMAGE_POST_ON_DELETE: {
    severity: "error",
    title: "Post-image on Delete",
    message: (a) => `image "${s(a.alias)}" of step "${s(a.step)}" is a ${imageTypeName(a.imageType)} on Delete${via(a)}: a deleted row has no state after the operation`,
    why: "After a Delete the row is gone: Delete steps cannot have post-images.",
    fix: "Use a pre-image (<ImageType>0</ImageType>).",
    source: IMAGES,
  },
  IMAGE_POST_NOT_POSTOPERATION: {
    severity: "error",
    title: "Post-image outside PostOperation",
    message: (a) => `image "${s(a.alias)}" of step "${s(a.step)}" is a ${imageTypeName(a.imageType)} but the step runs in ${stageName(a.stage)}`,
    why: "A post-image is taken after the core operation; steps that run before it (PreValidation, PreOperation) cannot have one.",
    fix: "Move the step to PostOperation (<Stage>40</Stage>) or use a pre-image.",
    source: IMAGES,
  },
  IMAGE_ALL_COLUMNS: {
    severity: "warning",
    title: "Image with all columns",
    message: (a) => `image "${s(a.alias)}" of step "${s(a.step)}" takes every column of the table`,
    why: "An image without attributes holds the whole row: Dataverse retrieves every column on every run of the step. That is legal but costly, and the plug-in receives data it does not need.",
    fix: "List the columns the plug-in reads in <Attributes> (comma-separated logical names).",
    source: IMAGES,
  },
  IMAGE_DUPLICATE_ALIAS: {
    severity: "error",
    title: "Two images of a step share an alias",
    message: (a) => `step "${s(a.step)}" has two ${s(a.kind)}s with the alias "${s(a.alias)}"`,
    why: "Plug-ins find images by alias in PreEntityImages and PostEntityImages. Two images of the same kind with one alias collide: one of them is unreachable, and registration refuses the second.",
    fix: "Give each image its own <EntityAlias>.",
    source: IMAGES,
  },
  IMAGE_WRONG_PROPERTY: {
    severity: "warning",
    title: "Image on the wrong message property",
    message: (a) => `image "${s(a.alias)}" of step "${s(a.step)}" reads message property "${s(a.property) || "(none)"}"; ${s(a.message)}${via(a)} takes its image from ${s(a.expected)}`,
    why: "An image is taken of the row named by one property of the message (Target for Update, EntityMoniker for SetState...). Another property name leaves the image empty.",
    fix: "Set <MessagePropertyName> to one of the expected values. Create images are exported with \"id\"; the documentation names Target: both are accepted.",
    source: `${IMAGES}; observed in real exports (Create images use "id")`,
  },

  // --- order ---------------------------------------------------------------------------------------------
  STEP_SAME_RANK: {
    severity: "warning",
    title: "Synchronous steps with the same execution order",
    message: (a) => `synchronous step "${s(a.step)}" and ${s(a.others)} run on ${s(a.message)} of ${s(a.entity) || "any table"} in ${stageName(a.stage)} with the same rank ${s(a.rank)}: their order is undefined`,
    why: "Synchronous steps on the same message, table and stage run by ascending rank (execution order). With equal ranks the platform does not guarantee an order, and it may change between environments. Asynchronous steps are not reported: they run in the asynchronous service in no guaranteed order whatever their rank.",
    fix: "Give each step its own <Rank>, in the order they must run.",
    source: `${RPI} (Execution Order); ${EF}`,
  },
  STEP_DEFAULT_RANK: {
    severity: "info",
    title: "Step keeps the default rank among several",
    message: (a) => `step "${s(a.step)}" keeps the default rank 1 while ${s(a.count)} synchronous steps run on ${s(a.message)} of ${s(a.entity) || "any table"} in ${stageName(a.stage)}`,
    why: "Rank 1 is what registration tools fill in. When several synchronous steps share an event, a step left at 1 may be first by accident rather than by decision.",
    fix: "Nothing, if it must run first. Otherwise give it the rank that reflects the intended order.",
    source: `${RPI} (Execution Order)`,
  },

  // --- platform rules on particular tables and settings ---------------------------------------------------------
  STEP_SYSTEMUSER_CREATE_SYNC: {
    severity: "warning",
    title: "Synchronous step on Create of systemuser",
    message: (a) => `step "${s(a.step)}" runs synchronously on Create of systemuser${via(a)}; a plug-in that updates the new user must be asynchronous`,
    why: "Microsoft documents that a plug-in registered on Create of systemuser that updates the new user must be registered asynchronously; a synchronous one fails. dvsol cannot see whether the plug-in updates the user, so it warns on every synchronous step there.",
    fix: "Register the step as asynchronous in PostOperation (<Mode>1</Mode><Stage>40</Stage>), unless the plug-in only reads.",
    source: `${RPI}; reference page, section 7`,
  },
  STEP_ADDRESS_ENTITY: {
    severity: "warning",
    title: "Step on an address table",
    message: (a) => `step "${s(a.step)}" is registered on ${s(a.entity)}; changes to addresses are handled through the parent ${s(a.parent)}`,
    why: "Microsoft documents that changes to customeraddress, leadaddress, publisheraddress and competitoraddress are handled by steps on the parent table: the addresses are written as part of their parent row, so steps on the address tables miss those changes.",
    fix: "Register the step on the parent table (account or contact for customeraddress) and read the address columns there.",
    source: `${EF}; reference page, section 7`,
  },
  STEP_SECONDARY_ENTITY: {
    severity: "warning",
    title: "Step with a secondary table",
    message: (a) => `step "${s(a.step)}" names a secondary entity (${s(a.entity)}); SecondaryEntity exists only for backward compatibility`,
    why: "Secondary entities date from CRM 4.0 messages such as SetRelated. Current registrations do not use them and tools may drop them.",
    fix: "Remove <SecondaryEntity>; handle Associate/Disassociate instead where relationships are concerned.",
    source: `${ENT_STEP} (sdkmessagefilterid; secondary entity)`,
  },
  STEP_OUTLOOK_OFFLINE: {
    severity: "warning",
    title: "Step deployed to the Outlook client",
    message: (a) => `step "${s(a.step)}" has SupportedDeployment ${s(a.deployment)} (${Number(a.deployment) === 1 ? "Microsoft Dynamics 365 Client for Outlook only" : "server and Outlook client"}); the offline Outlook client is retired`,
    why: "Deployment 1 and 2 ask for the step to run in the offline Outlook client, which no longer exists. A step deployed to the client only never runs; one deployed to both carries a setting that means nothing.",
    fix: "Set <SupportedDeployment>0</SupportedDeployment> (server).",
    source: `${ENT_STEP} (SupportedDeployment choices)`,
  },
  STEP_IMPERSONATION: {
    severity: "warning",
    title: "Step runs as a named user",
    message: (a) => `step "${s(a.step)}" runs as "${s(a.user)}", a user of the environment it was exported from`,
    why: "ImpersonatingUserIdName names a user of the source environment. In another environment that user may not exist or may have other privileges, and the step then fails or runs with unexpected rights.",
    fix: "Remove <ImpersonatingUserIdName> to run as the calling user, or make sure the same user exists with the same role in every target environment.",
    source: `${RPI} (Run in User's Context); reference page, section 3`,
  },
  STEP_SYNC_ENDPOINT: {
    severity: "info",
    title: "Synchronous step posts to a service endpoint",
    message: (a) => `step "${s(a.step)}" posts synchronously to service endpoint "${s(a.endpoint)}": the message is sent even if the operation later rolls back`,
    why: "A synchronous step bound to a service endpoint sends immediately. If the transaction fails afterwards, the message cannot be recalled: the receiver may act on a change that never happened. Synchronous posting is right when the caller must fail if the endpoint is down.",
    fix: "Nothing, if that is intended. Otherwise make the step asynchronous in PostOperation.",
    source: "https://learn.microsoft.com/power-apps/developer/data-platform/azure-integration; reference page, section 7",
  },

  // --- references --------------------------------------------------------------------------------------------
  STEP_TYPE_MISSING: {
    severity: "error",
    title: "Step points at a plug-in type the solution does not hold",
    message: (a) => `step "${s(a.step)}" runs ${s(a.type)}, which no assembly of the solution registers and no missing dependency names`,
    why: "A step runs a plug-in type. When neither the solution nor a recorded missing dependency provides it, import fails (\"required components are missing\"), or the step silently binds to whatever type of that name the target holds.",
    fix: "Add the assembly that holds the type to the solution, fix <PluginTypeName>/<PluginTypeId>, or export again so that the dependency is recorded in solution.xml.",
    source: `${RPI}; reference page, section 7 (adding a step without its assembly)`,
  },
  STEP_ENDPOINT_MISSING: {
    severity: "error",
    title: "Step points at a service endpoint the solution does not hold",
    message: (a) => `step "${s(a.step)}" posts to service endpoint ${s(a.endpoint)}, which the solution does not contain and no missing dependency names`,
    why: "A step bound to a service endpoint (EventHandler) needs that endpoint in the target environment. Without the endpoint in the solution or a recorded dependency, import fails.",
    fix: "Add the service endpoint to the solution or fix <EventHandler>.",
    source: "https://learn.microsoft.com/power-apps/developer/data-platform/register-service-endpoint; reference page, section 3",
  },
  ROOT_WITHOUT_COMPONENT: {
    severity: "error",
    title: "Root component without its component",
    message: (a) => `solution.xml lists ${s(a.kind)} ${s(a.ref)} as a root component, but the solution does not contain it`,
    why: "Every root component must travel in the solution. SolutionPackager refuses to pack (\"Following objects, required by the solution, are not present\") and import fails.",
    fix: "Add the component's file back (PluginAssemblies/…, SdkMessageProcessingSteps/…) or remove the <RootComponent> line.",
    source: `${SP}; users' reports (SparkleXrm#210, xrm-ci-framework#54)`,
  },
  COMPONENT_WITHOUT_ROOT: {
    severity: "warning",
    title: "Component not listed as a root component",
    message: (a) => `${s(a.kind)} ${s(a.ref)} is in the solution but solution.xml has no RootComponent for it`,
    why: "Assemblies (91), steps (92) and service endpoints (95) are root components: solution.xml lists each one. A component without its RootComponent line was added by hand or left behind; SolutionPackager and import may ignore it or delete it on upgrade.",
    fix: "Add <RootComponent type=\"91|92|95\" id=\"{id}\" behavior=\"0\" /> (with schemaName for an assembly), or remove the component.",
    source: `${SOLUTION_CONCEPTS}; reference page, section 2`,
  },

  // --- assemblies ---------------------------------------------------------------------------------------------------
  ASSEMBLY_DLL_MISSING: {
    severity: "error",
    title: "Assembly without its DLL",
    message: (a) => `assembly ${s(a.assembly)} names ${s(a.fileName) || "no file"}, but the zip holds no such entry`,
    why: "A database assembly's code travels in the solution zip (PluginAssemblies/<Name>-<GUID>/<Name>.dll). Without it import fails.",
    fix: "Pack the solution again with the DLL (a map file pointing at the build output), or fix <FileName>.",
    source: `${SP}; reference page, section 1`,
  },
  ASSEMBLY_DLL_UNMAPPED: {
    severity: "info",
    title: "Unpacked assembly without its DLL",
    message: (a) => `the folder holds no ${s(a.fileName) || "DLL"} for assembly ${s(a.assembly)}; it must be supplied at pack time (map file)`,
    why: "Unpacked solutions often leave the DLL out of source control and map the build output in when packing. dvsol cannot check the DLL's identity and types without it.",
    fix: "Nothing, if a map file supplies the DLL when packing. To let dvsol check the DLL, check the packed zip.",
    source: `${SP} (Map files); reference page, section 5`,
  },
  ASSEMBLY_DLL_UNREADABLE: {
    severity: "error",
    title: "Assembly DLL cannot be read",
    message: (a) => `the DLL of assembly ${s(a.assembly)} (${s(a.entry)}) is not a loadable .NET assembly: ${s(a.reason)}`,
    why: "The platform loads the DLL when the solution is imported. A file that is not a .NET assembly, is damaged, or is a reference assembly fails to register.",
    fix: "Replace the DLL with the compiled plug-in assembly from the build output (bin/, not obj/ref).",
    source: "ECMA-335; reference page, section 7",
  },
  ASSEMBLY_NOT_SANDBOXED: {
    severity: "warning",
    title: "Assembly not in the sandbox",
    message: (a) => `assembly ${s(a.assembly)} has IsolationMode ${s(a.isolationMode)} (${Number(a.isolationMode) === 1 ? "none" : Number(a.isolationMode) === 3 ? "external" : "unknown"}); Dataverse online accepts only the sandbox (2)`,
    why: "Online environments run plug-ins only in the sandbox. An assembly registered without isolation can be imported only on premises.",
    fix: "Set <IsolationMode>2</IsolationMode> and make sure the code runs under sandbox restrictions.",
    source: `${ENT_ASM} (IsolationMode); reference page, section 7`,
  },
  ASSEMBLY_NOT_DATABASE: {
    severity: "warning",
    title: "Assembly not stored in the database",
    message: (a) => `assembly ${s(a.assembly)} has SourceType ${s(a.sourceType)} (${["database", "disk", "GAC", "Azure web app", "file store"][Number(a.sourceType)] ?? "unknown"}); Dataverse online accepts only database assemblies`,
    why: "Online environments load plug-in assemblies from the database (SourceType 0), or from a plug-in package (4). Disk and GAC assemblies exist only on premises.",
    fix: "Register the assembly with source Database (<SourceType>0</SourceType>) and include its DLL.",
    source: `${ENT_ASM} (SourceType); reference page, section 7`,
  },
  ASSEMBLY_VERSION_MISMATCH: {
    severity: "error",
    title: "Assembly version written differently",
    message: (a) => `${s(a.place)} gives ${s(a.assemblyName)} version ${s(a.found)}, but the assembly's FullName says ${s(a.version)}`,
    why: "An assembly's version is written in four places that must agree: PluginAssembly/@FullName, the RootComponent (type 91) schemaName, every PluginType/@AssemblyQualifiedName and every step's PluginTypeName. A half-done version bump leaves steps pointing at a version that is not in the solution; import then fails or binds the steps to the old assembly.",
    fix: "Write the same version everywhere (`dvsol` edit commands do this), or export the solution again from an environment.",
    source: `${ASM_VERSIONING}; reference page, section 6`,
  },
  ASSEMBLY_IDENTITY_MISMATCH: {
    severity: "error",
    title: "The DLL is not the assembly the XML describes",
    message: (a) => `the DLL of ${s(a.assembly)} says ${s(a.field)} ${s(a.dll) || "(none)"}, the solution XML says ${s(a.xml) || "(none)"}`,
    why: "Dataverse identifies an assembly by its name, version, culture and public key token, read from the DLL's metadata. A DLL that differs from the XML (a rebuilt or re-signed DLL packed into an old export) registers under another identity: steps no longer match and import may fail or create a second assembly.",
    fix: "Pack the DLL that matches the XML, or update the XML to the DLL's identity (FullName, RootComponent schemaName, AssemblyQualifiedNames, PluginTypeNames).",
    source: `${ASM_VERSIONING}; reference page, section 7 (identity comes from metadata)`,
  },
  ASSEMBLY_TYPE_NOT_IN_DLL: {
    severity: "error",
    title: "Registered type not found in the DLL",
    message: (a) => `type ${s(a.type)} is registered for ${s(a.assembly)}, but the DLL has no public, non-abstract plug-in or workflow activity class of that name`,
    why: "Import checks that every registered type is in the assembly. A renamed, removed or no longer public class fails the import with \"Plug-in assembly does not contain the required types\".",
    fix: "Restore the class (public, non-abstract, implementing IPlugin or deriving from CodeActivity), or remove the type and its steps from the solution.",
    source: "powerapps-docs#450; xrm-ci-framework#157; reference page, section 7",
  },

  // --- ids ------------------------------------------------------------------------------------------------------------
  ASSEMBLY_DUPLICATE_ID: {
    severity: "error",
    title: "Two assemblies share an id",
    message: (a) => `${s(a.count)} plug-in assemblies have the id ${s(a.id)} (${s(a.names)})`,
    why: "Ids identify components on import: with two components under one id, one replaces the other.",
    fix: "Give one of them a new id (and update its references), or remove the copy.",
    source: "Reference page, section 3",
  },
  TYPE_DUPLICATE_ID: {
    severity: "error",
    title: "Two plug-in types share an id",
    message: (a) => `${s(a.count)} plug-in types have the id ${s(a.id)} (${s(a.names)})`,
    why: "Ids identify components on import: with two types under one id, one replaces the other and steps bound to the lost one break.",
    fix: "Give one of them a new id, or remove the copy.",
    source: "Reference page, section 3",
  },
  STEP_DUPLICATE_ID: {
    severity: "error",
    title: "Two steps share an id",
    message: (a) => `${s(a.count)} steps have the id ${s(a.id)} (${s(a.names)})`,
    why: "Ids identify components on import: with two steps under one id, one silently replaces the other.",
    fix: "Give one of the steps a new id (file name and SdkMessageProcessingStepId, RootComponent), or remove the copy.",
    source: "Reference page, section 3",
  },
  IMAGE_DUPLICATE_ID: {
    severity: "error",
    title: "Two step images share an id",
    message: (a) => `${s(a.count)} step images have the id ${s(a.id)} (${s(a.names)})`,
    why: "Ids identify components on import: with two images under one id, one silently replaces the other.",
    fix: "Give one of the images a new SdkMessageProcessingStepImageId.",
    source: "Reference page, section 3",
  },
  ENDPOINT_DUPLICATE_ID: {
    severity: "error",
    title: "Two service endpoints share an id",
    message: (a) => `${s(a.count)} service endpoints have the id ${s(a.id)} (${s(a.names)})`,
    why: "Ids identify components on import: with two endpoints under one id, one silently replaces the other.",
    fix: "Give one of the endpoints a new ServiceEndpointId, or remove the copy.",
    source: "Reference page, section 3",
  },
});
