/** Applying plans: overlay, commit, lock, and the edit operations the CLI calls. */
export { applyPlan } from "./apply.js";
export { commit, changedFiles, type CommitOptions, type CommitResult } from "./commit.js";
export { OverlaySource } from "./overlay.js";
export { withLock, acquireLock, LOCK_NAME } from "./lock.js";
export {
  runEdit,
  addAssembly,
  addStep,
  updateStep,
  addImage,
  setStepState,
  addEndpoint,
  removeComponent,
  setVersion,
  messageCatalog,
  type EditRunOptions,
  type EditResult,
  type AddStepOptions,
  type AssemblyFileOptions,
} from "./ops.js";
export { formatEditText, editJson } from "./format.js";
