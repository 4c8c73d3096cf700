/** Registration as code: the registration file, `dvsol apply` and `dvsol init`. */
export type { Registration, RegAssembly, RegStep, RegImage, RegEndpoint } from "./types.js";
export { parseJsonWithPositions, JsonSyntaxError, type JsonDocument, type JsonPosition, type JsonValue } from "./json.js";
export {
  parseRegistration,
  registrationError,
  suggest,
  isSecretKey,
  TOP_KEYS,
  ASSEMBLY_KEYS,
  STEP_KEYS,
  ENDPOINT_STEP_KEYS,
  IMAGE_KEYS,
  ENDPOINT_KEYS,
  STAGE_VALUES,
  MODE_VALUES,
  DEPLOYMENT_VALUES,
  IMAGE_TYPE_VALUES,
  CONTRACT_VALUES,
  AUTH_VALUES,
  MESSAGE_FORMAT_VALUES,
  USER_CLAIM_VALUES,
} from "./parse.js";
export { planRegistration, netFiles, type PlanRegistrationOptions, type RegistrationDll } from "./plan.js";
export { applyRegistration, readRegistration, resolveDllPath, formatApplyText, applyJson, type ApplyOptions, type ApplyResult } from "./apply.js";
export { initSolution, initValues, initFiles, defaultOptionValuePrefix, type InitOptions, type InitResult } from "./init.js";
