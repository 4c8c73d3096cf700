/** Planners: requests -> EditPlan (changes, findings, file edits). Pure: no I/O. */
export * from "./types.js";
export { PlanBuilder, SECTION_ORDER } from "./builder.js";
export { planAddAssembly, type AddAssemblyOptions, type AddAssemblyRequest, type AssemblyOutcome } from "./assembly.js";
export {
  planAddStep,
  planUpdateStep,
  planAddImage,
  planSetStepState,
  parseImage,
  parseStage,
  parseMode,
  isMicrosoftStep,
  SERVICE_BUS_PLUGIN,
  WEBHOOK_PLUGIN,
  type AddStepRequest,
  type UpdateStepRequest,
  type AddImageRequest,
  type StepOptions,
} from "./step.js";
export { planAddEndpoint, type AddEndpointRequest } from "./endpoint.js";
export { planRemove, type RemoveKind, type RemoveOptions } from "./remove.js";
export { planSetVersion, type SetVersionRequest, type VersionPart } from "./version.js";
export { STABLE_MESSAGES, catalogOf, chainCatalogs, IMAGE_PROPERTY, type MessageCatalog, type SdkMessageRef } from "./messages.js";
export { findType, findStep, findEndpoint, findAssembly, findImage } from "./lookup.js";
