/**
 * dvsol's public library API. The CLI uses nothing that is not exported here.
 *
 *   import { loadSolution, inspectSolution, unpack, pack } from "dvsol";
 *
 * Areas append their exports below, one block each.
 */

// Errors and findings
export { DvsolError, isDvsolError, formatError, type ErrorLocation } from "./errors.js";
export { ERROR_CODES, type ErrorCode } from "./error-codes.js";
export type { Finding, Severity, ComponentRef, FindingLocation } from "./findings/types.js";
export { findingMessage, findingSpec, allFindingCodes } from "./findings/catalog.js";

// Read and model
export { openSource, type SolutionSource, type SolutionFile } from "./solution/source.js";
export { loadSolution, readSolution } from "./model/read.js";
export type { Solution, Manifest, PluginAssembly, PluginType, Step, StepImage, ServiceEndpoint, RootComponent, MissingDependency } from "./model/types.js";
export { parseVersion, compareVersions, versionChange, parseFullName, formatFullName } from "./model/names.js";
export { deriveId, normId } from "./model/ids.js";

// XML that keeps its source
export { parseXml, parseXmlBytes } from "./xml/parse.js";
export { XmlEditor } from "./xml/edit.js";

// Unpack, pack, inspect
export { unpack, pack, type UnpackOptions, type PackOptions, type LayoutResult } from "./ops/unpack.js";
export { inspectSolution, formatInspectText, type InspectResult } from "./ops/inspect.js";
// The SolutionPackager layout as plans (no I/O), map files, incremental unpack
export { planUnpack, planUnpackBoth, planPack, planPackAll, SPLITTERS, type LayoutPlan, type OutFile, type PlanExtras } from "./layout/engine.js";
export { loadMap, mapResolver, type LayoutMap, type MapResolver } from "./layout/map.js";
export { writeIncremental, type IncrementalResult } from "./layout/incremental.js";

// Plug-in assemblies read from .NET metadata
export { readAssembly, readAssemblyFile, assertLoadable, type AssemblyInfo } from "./assembly/index.js";
export { assemblyFindings } from "./assembly/findings.js";

// Checks, config and reports
export { checkSolution, checkCodes, RULES, sortFindings, summarize, reachesFailOn, CHECK_FINDING_CODES, type CheckResult, type CheckOptions, type CheckSummary } from "./check/index.js";
export { MESSAGES, messageById, messageByName, resolveMessage, type SdkMessageInfo, type ResolvedMessage } from "./check/messages.js";
export { loadConfig, parseConfig, applyConfig, validateRuleCodes, knownFindingCodes, CONFIG_FILE, type DvsolConfig, type RuleSetting, type RuleLevel } from "./config.js";
export { REPORTERS, REPORT_FORMATS, report, type ReportFormat, type Reporter, type ReportOptions } from "./report/index.js";

// Registration edits: plans (pure), applying them over an overlay, committing, and the edit operations
export {
  planAddAssembly,
  planAddStep,
  planUpdateStep,
  planAddImage,
  planSetStepState,
  planAddEndpoint,
  planRemove,
  planSetVersion,
  PlanBuilder,
  STABLE_MESSAGES,
  type EditPlan,
  type Change,
  type FileEdit,
  type AddAssemblyRequest,
  type AddAssemblyOptions,
  type AssemblyOutcome,
  type AddStepRequest,
  type UpdateStepRequest,
  type AddImageRequest,
  type StepOptions,
  type AddEndpointRequest,
  type RemoveKind,
  type RemoveOptions,
  type SetVersionRequest,
  type MessageCatalog,
} from "./plan/index.js";
export {
  applyPlan,
  commit,
  withLock,
  runEdit,
  addAssembly,
  addStep,
  updateStep,
  addImage,
  setStepState,
  addEndpoint,
  removeComponent,
  setVersion,
  formatEditText,
  editJson,
  type CommitOptions,
  type CommitResult,
  type EditRunOptions,
  type EditResult,
  type AddStepOptions,
} from "./edit/index.js";

// Upgrade impact: what importing a solution over an installed one will do (pure planner, loader, formats)
export {
  impact,
  impactOf,
  assessImpact,
  dllFacts,
  dllKey,
  versionAdvice,
  formatImpact,
  IMPACT_FORMATS,
  IMPORT_MODES,
  VERDICTS,
  ASSEMBLY_CHANGES,
  STEP_CHANGES,
  ENDPOINT_CHANGES,
  type ImpactOptions,
  type AssessOptions,
  type ImpactReport,
  type ImpactFormat,
  type ImpactFormatOptions,
  type ImportMode,
  type Verdict,
  type AssemblyImpact,
  type AssemblyChange,
  type StepImpact,
  type StepChange,
  type EndpointImpact,
  type EndpointChange,
  type DependencyImpact,
  type SolutionImpact,
  type ImpactSummary,
  type RemovedFate,
} from "./impact/index.js";

// Registration as code: the registration file (parse, schema vocabulary), `dvsol apply` and `dvsol init`
export {
  parseRegistration,
  readRegistration,
  planRegistration,
  applyRegistration,
  formatApplyText,
  applyJson,
  initSolution,
  initValues,
  parseJsonWithPositions,
  type Registration,
  type RegAssembly,
  type RegStep,
  type RegImage,
  type RegEndpoint,
  type PlanRegistrationOptions,
  type RegistrationDll,
  type ApplyOptions,
  type ApplyResult,
  type InitOptions,
  type InitResult,
} from "./registration/index.js";

// What the CLI uses around the operations: the one-line check summary, and atomic writes of reports (--out)
export { summaryLine } from "./report/index.js";
export { writeFileAtomic } from "./io/atomic.js";
