/**
 * The edit commands as library operations: open the solution (under the lock when writing in place),
 * plan, apply the plan over the overlay, commit. `dryRun` plans and checks without writing.
 */
import { readFile } from "node:fs/promises";
import { DvsolError } from "../errors.js";
import { readSolution, ZIP_CUSTOMIZATIONS, ZIP_MANIFEST } from "../model/read.js";
import { openSource } from "../solution/source.js";
import { normId } from "../model/ids.js";
import type { Solution } from "../model/types.js";
import type { OpenOptions } from "../solution/source.js";
import { finding } from "../findings/catalog.js";
import type { AssemblyInfo } from "../assembly/index.js";
import type { EditPlan } from "../plan/types.js";
import { planAddAssembly, type AddAssemblyOptions, type AddAssemblyRequest } from "../plan/assembly.js";
import { planAddStep, planAddImage, planSetStepState, planUpdateStep, type AddStepRequest, type StepOptions } from "../plan/step.js";
import { planAddEndpoint, type AddEndpointRequest } from "../plan/endpoint.js";
import { planRemove, type RemoveKind, type RemoveOptions } from "../plan/remove.js";
import { planSetVersion, type SetVersionRequest } from "../plan/version.js";
import { STABLE_MESSAGES, chainCatalogs, type MessageCatalog, type SdkMessageRef } from "../plan/messages.js";
import { applyPlan } from "./apply.js";
import { commit } from "./commit.js";
import { withLock } from "./lock.js";
import { startRawVerification, type RawVerification } from "./verify.js";
import "../plan/findings.js";

export interface EditRunOptions extends OpenOptions {
  /** Plan and check, write nothing. */
  dryRun?: boolean;
  /** Write the result here instead of editing in place. */
  out?: string;
}

export interface EditResult {
  /** The solution as given. */
  solution: string;
  form: "zip" | "folder";
  /** Where the result was written (null on a dry run). */
  output: string | null;
  dryRun: boolean;
  plan: EditPlan;
  /** Solution paths written (changed or new). */
  written: string[];
  /** Solution paths deleted. */
  deleted: string[];
}

/** Runs one planner over a solution and writes the result (see the module comment). */
export async function runEdit(location: string, makePlan: (sol: Solution) => EditPlan | Promise<EditPlan>, opts: EditRunOptions = {}): Promise<EditResult> {
  const body = async (): Promise<EditResult> => {
    const source = await openSource(location, opts);
    // A zip written again copies most entries raw: start checking them now, on a worker thread, while this one
    // parses and plans (src/edit/verify.ts). The two documents the model reads are checked by that read.
    // (An --out that is not a .zip name: commit starts the check itself if it writes a zip.)
    let verification: RawVerification | undefined;
    if (!opts.dryRun && source.zip && (opts.out === undefined || /\.zip$/i.test(opts.out))) {
      const skip = [source.find(ZIP_MANIFEST)?.path, source.find(ZIP_CUSTOMIZATIONS)?.path].filter((p): p is string => !!p);
      verification = startRawVerification(source.zip, location, opts.limits, { skip });
    }
    try {
      const sol = await readSolution(source);
      const plan = await makePlan(sol);
      // A managed zip is an export (or a build artifact): editing it makes it disagree with its source. A folder
      // marked managed is a source tree (dvsol init --managed, SolutionPackager --packagetype managed): edits belong there.
      if (sol.manifest.managed === 1 && sol.form === "zip") plan.findings.unshift(finding("EDIT_MANAGED_SOLUTION", { solution: sol.manifest.uniqueName }, { component: { kind: "solution", id: null, name: sol.manifest.uniqueName } }));
      plan.findings.unshift(...sol.readFindings);
      const edited = await applyPlan(sol, plan);
      if (opts.dryRun) return { solution: location, form: sol.form, output: null, dryRun: true, plan, written: plan.files.filter((f) => f.kind !== "delete").map((f) => f.path), deleted: plan.files.filter((f) => f.kind === "delete").map((f) => f.path) };
      const r = await commit(sol, edited, { out: opts.out, verification });
      return { solution: location, form: sol.form, output: r.output, dryRun: false, plan, written: r.written, deleted: r.deleted };
    } finally {
      await verification?.cancel();
      await source.close();
    }
  };
  return !opts.dryRun && opts.out === undefined ? withLock(location, body) : body();
}

// ---- message catalog -------------------------------------------------------------------------------------------

let catalog: MessageCatalog | undefined;

/**
 * The SDK message catalog: src/check/messages.ts (ids seen in real exports; messages whose id differs per
 * organization have none there and need --message-id), then the ids stable across organizations.
 */
export async function messageCatalog(): Promise<MessageCatalog> {
  if (catalog) return catalog;
  const { messageByName, messageById } = await import("../check/messages.js");
  const adapt = (m: { name: string; id: string | null } | undefined): SdkMessageRef | undefined => {
    const id = m?.id ? normId(m.id) : null;
    return m && id ? { name: m.name, id } : undefined;
  };
  catalog = chainCatalogs({ byName: (n) => adapt(messageByName(n)), byId: (id) => adapt(messageById(id)) }, STABLE_MESSAGES);
  return catalog;
}

// ---- assemblies ---------------------------------------------------------------------------------------------

export interface AssemblyFileOptions {
  /** Folders with referenced assemblies, to follow base classes (`--ref`). */
  refDirs?: string[];
}

async function readDll(file: string, refDirs: string[] = []): Promise<{ dll: Buffer; info: AssemblyInfo }> {
  const { readAssemblyFile, assertLoadable } = await import("../assembly/index.js");
  const dll = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new DvsolError(e.code === "ENOENT" ? "INPUT_NOT_FOUND" : "INPUT_UNREADABLE", `cannot read ${file}: ${e.message}`, { file });
  });
  const info = await readAssemblyFile(file, { refDirs });
  assertLoadable(info, file);
  return { dll, info };
}

/** The DLLs the solution holds for assemblies of this name (to tell a rebuild of the same version). */
async function solutionDlls(sol: Solution, name: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const a of sol.assemblies) {
    if (a.name.toLowerCase() !== name.toLowerCase() || !a.dllPath) continue;
    const f = sol.source.get(a.dllPath);
    if (f) out.set(a.dllPath, await f.read());
  }
  return out;
}

async function assemblyRequest(sol: Solution, file: string, dll: Buffer, info: AssemblyInfo, options: AddAssemblyOptions): Promise<AddAssemblyRequest> {
  return { dll, info, solutionDlls: await solutionDlls(sol, info.name), options: { ...options, file } };
}

export async function addAssembly(location: string, file: string, opts: AddAssemblyOptions & AssemblyFileOptions & EditRunOptions = {}): Promise<EditResult> {
  const { dll, info } = await readDll(file, opts.refDirs);
  return runEdit(location, async (sol) => planAddAssembly(sol, await assemblyRequest(sol, file, dll, info, opts)), opts);
}

// ---- steps, images, endpoints -------------------------------------------------------------------------------------

export interface AddStepOptions extends Omit<AddStepRequest, "assembly" | "messages">, AssemblyFileOptions, EditRunOptions {
  /** The DLL of the type's assembly, added as a required component when the solution lacks it. */
  assemblyFile?: string;
  /** Options for that assembly (activity names...). */
  assemblyOptions?: AddAssemblyOptions;
}

export async function addStep(location: string, opts: AddStepOptions): Promise<EditResult> {
  const messages = await messageCatalog();
  const dll = opts.assemblyFile ? await readDll(opts.assemblyFile, opts.refDirs) : null;
  return runEdit(
    location,
    async (sol) => {
      const req: AddStepRequest = { ...opts, messages };
      if (dll) req.assembly = await assemblyRequest(sol, opts.assemblyFile!, dll.dll, dll.info, opts.assemblyOptions ?? {});
      return planAddStep(sol, req);
    },
    opts,
  );
}

export async function updateStep(location: string, ref: string, opts: StepOptions & EditRunOptions): Promise<EditResult> {
  const messages = await messageCatalog();
  return runEdit(location, (sol) => planUpdateStep(sol, ref, { ...opts, messages }), opts);
}

export async function addImage(location: string, step: string, images: string[], opts: { message?: string } & EditRunOptions = {}): Promise<EditResult> {
  const messages = await messageCatalog();
  return runEdit(location, (sol) => planAddImage(sol, { step, images, message: opts.message, messages }), opts);
}

export async function setStepState(location: string, ref: string, enabled: boolean, opts: EditRunOptions = {}): Promise<EditResult> {
  return runEdit(location, (sol) => planSetStepState(sol, ref, enabled), opts);
}

export async function addEndpoint(location: string, req: AddEndpointRequest, opts: EditRunOptions = {}): Promise<EditResult> {
  return runEdit(location, (sol) => planAddEndpoint(sol, req), opts);
}

export async function removeComponent(location: string, kind: RemoveKind, ref: string, opts: RemoveOptions & EditRunOptions = {}): Promise<EditResult> {
  return runEdit(location, (sol) => planRemove(sol, kind, ref, opts), opts);
}

export async function setVersion(location: string, req: SetVersionRequest, opts: EditRunOptions = {}): Promise<EditResult> {
  return runEdit(location, (sol) => planSetVersion(sol, req), opts);
}
