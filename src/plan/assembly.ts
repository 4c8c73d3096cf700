/**
 * planAddAssembly: register a plug-in assembly, following the platform's assembly versioning rules
 * ("Register a plug-in: assembly versioning"):
 *   - no assembly of that name: a new PluginAssembly with its types, the DLL and the root component;
 *   - same major.minor, higher build/revision: in-place upgrade (same id, new bytes, version strings
 *     changed where they are written, types added/removed to match the DLL);
 *   - other major.minor: a new assembly next to the old one; steps of the old one are reported, moved
 *     with --repoint, and the old one removed with --retire-old once nothing uses it.
 */
import { DvsolError } from "../errors.js";
import { attrNode, child } from "../xml/dom.js";
import type { XmlEditor } from "../xml/edit.js";
import type { XmlElement } from "../xml/parse.js";
import { deriveId, normId } from "../model/ids.js";
import { ASSEMBLY_VERSION, compareVersions, parseVersion, versionChange, type VersionTuple } from "../model/names.js";
import { COMPONENT_TYPE, type PluginAssembly, type PluginType, type Solution, type Step } from "../model/types.js";
import { finding } from "../findings/catalog.js";
import type { AssemblyInfo } from "../assembly/index.js";
import { assemblyFindings } from "../assembly/findings.js";
import { PlanBuilder, assemblyKey, folderNeedsPlaceholder } from "./builder.js";
import { assemblySpec, dllEntryPath, pluginTypeSpec, type NewPluginType } from "./specs.js";
import { describeStep, stepUsesType, stepsOfAssembly } from "./lookup.js";
import { RPI_VERSIONING } from "./findings.js";
import type { EditPlan } from "./types.js";
import "./findings.js";

export interface AddAssemblyOptions {
  /** Move steps of the previous assembly (other major.minor) to the same-named types of the new one. */
  repoint?: boolean;
  /** Remove the previous assembly once no step uses it. */
  retireOld?: boolean;
  /** Accept a version lower than the one in the solution. */
  allowDowngrade?: boolean;
  /** Accept a different public key token (the assembly was signed with another key). */
  allowKeyChange?: boolean;
  /** Id for a new assembly (default: derived from name and major.minor). */
  id?: string;
  /** Display names of workflow activities: class full name -> Name. */
  activityNames?: Record<string, string>;
  /** WorkflowActivityGroupName for workflow activities (default "<Assembly> (<version>)"). */
  activityGroup?: string;
  /** The DLL's file name, for findings. */
  file?: string;
}

export interface AddAssemblyRequest {
  /** The DLL's bytes. */
  dll: Uint8Array;
  /** What src/assembly read from it. */
  info: AssemblyInfo;
  /** The DLLs the solution holds for assemblies of the same name, by path (to tell a rebuild from the same build). */
  solutionDlls?: ReadonlyMap<string, Uint8Array>;
  options?: AddAssemblyOptions;
}

/** The assembly the request leaves in the solution, and its types by class name. */
export interface AssemblyOutcome {
  id: string;
  fullName: string;
  name: string;
  version: string;
  types: Map<string, { id: string; assemblyQualifiedName: string; name: string }>;
  /** "new" (added), "upgrade" (in place), "same" (nothing to do), "replace" (same version, new bytes). */
  how: "new" | "upgrade" | "same" | "replace";
}

export function planAddAssembly(sol: Solution, req: AddAssemblyRequest): EditPlan {
  const b = new PlanBuilder(sol, "add assembly");
  addAssemblyTo(b, req);
  return b.build();
}

const lc = (s: string) => s.toLowerCase();
const majorMinor = (v: VersionTuple) => `${v[0] ?? 0}.${v[1] ?? 0}`;
const asmLabel = (a: { name: string; version: string }) => `${a.name} ${a.version}`;

/** Adds the assembly's edits to a builder (used by planAddStep for a required assembly). */
export function addAssemblyTo(b: PlanBuilder, req: AddAssemblyRequest, required?: { because: string }): AssemblyOutcome {
  const sol = b.sol;
  const info = req.info;
  const opts = req.options ?? {};
  const newV = parseVersion(info.version, ASSEMBLY_VERSION, { file: opts.file });
  for (const f of assemblyFindings(info, opts.file)) b.finding(f);
  const same = sol.assemblies.filter((a) => lc(a.name) === lc(info.name));
  if (same.length === 0) {
    b.rule = `new assembly: the solution has no assembly named ${info.name}, so ${info.name} ${info.version} is added with its ${info.pluginTypes.length} type(s), its DLL and its root component (${RPI_VERSIONING})`;
    return addNew(b, req, newV, null, required);
  }
  const sameMM = same.filter((a) => {
    const v = parseVersion(a.version || "0.0", ASSEMBLY_VERSION);
    return majorMinor(v) === majorMinor(newV);
  });
  if (sameMM.length) {
    const target = sameMM.sort((x, y) => compareVersions(parseVersion(y.version, ASSEMBLY_VERSION), parseVersion(x.version, ASSEMBLY_VERSION)))[0]!;
    const outcome = inPlace(b, req, target, newV, required);
    // Other major.minor builds of the same name (an earlier bump): their steps can be moved here now.
    const olders = same.filter((a) => !sameMM.includes(a) && compareVersions(parseVersion(a.version || "0.0", ASSEMBLY_VERSION), newV) < 0);
    if (olders.length) {
      if ((opts.repoint || opts.retireOld) && olders.some((o) => stepsOfAssembly(sol, o).length || opts.retireOld)) {
        b.rule += `; ${olders.map(asmLabel).join(", ")} ${olders.length > 1 ? "are" : "is"} another major/minor version: its steps ${opts.repoint ? "are moved here (--repoint)" : "stay"}${opts.retireOld ? ", and it is removed once no step uses it (--retire-old)" : ""}`;
      }
      moveFromOlder(b, olders, info, outcome, opts);
    }
    return outcome;
  }
  // Another major.minor: a different assembly for Dataverse.
  const highest = [...same].sort((x, y) => compareVersions(parseVersion(y.version, ASSEMBLY_VERSION), parseVersion(x.version, ASSEMBLY_VERSION)))[0]!;
  const hv = parseVersion(highest.version, ASSEMBLY_VERSION);
  if (compareVersions(newV, hv) < 0) {
    if (!opts.allowDowngrade) {
      throw new DvsolError("EDIT_CONFLICT", `${info.name} ${info.version} is lower than ${highest.version}, which the solution holds`, {
        file: opts.file,
        hint: "Build from the right branch, or pass --allow-downgrade to register the lower version as another assembly.",
      });
    }
    b.finding(finding("EDIT_DOWNGRADE", { assembly: info.name, from: highest.version, to: info.version }));
  }
  checkIdentity(highest, info, opts, b);
  const part = versionChange(hv, newV);
  b.rule =
    `new assembly: ${highest.version} -> ${info.version} changes the ${part} version, so Dataverse registers ${info.name} ${info.version} as a different assembly next to ${highest.version}; ` +
    `existing steps keep running the old assembly until they are re-pointed${opts.repoint ? " (--repoint: moved here)" : ""} (${RPI_VERSIONING})`;
  const outcome = addNew(b, req, newV, highest, required);
  moveFromOlder(b, same, info, outcome, opts);
  return outcome;
}

/**
 * Steps still bound to same-named assemblies of another major.minor: reported, moved with --repoint to the
 * same-named types of `outcome`, and the emptied old assemblies removed with --retire-old.
 */
function moveFromOlder(b: PlanBuilder, olders: PluginAssembly[], info: AssemblyInfo, outcome: AssemblyOutcome, opts: AddAssemblyOptions): void {
  const sol = b.sol;
  const same = olders;
  const moved = new Set<string>();
  for (const old of same) {
    for (const step of stepsOfAssembly(sol, old)) {
      const oldType = old.types.find((t) => stepUsesType(step, old, t))!;
      const target = outcome.types.get(oldType.typeName);
      if (!opts.repoint) {
        b.finding(
          finding(
            "EDIT_STEP_NEEDS_REPOINT",
            { step: step.name ?? step.id, id: step.id, type: oldType.typeName, from: asmLabel(old), to: asmLabel(info) },
            { component: { kind: "step", id: step.id, name: step.name } },
          ),
        );
        continue;
      }
      if (!target) {
        b.finding(
          finding(
            "EDIT_REPOINT_TYPE_MISSING",
            { step: step.name ?? step.id, id: step.id, type: oldType.typeName, from: asmLabel(old), to: asmLabel(info) },
            { component: { kind: "step", id: step.id, name: step.name } },
          ),
        );
        continue;
      }
      repointStep(b, step, old, info, target);
      moved.add(step.id);
    }
  }
  if (opts.retireOld) {
    for (const old of same) {
      const still = stepsOfAssembly(sol, old).filter((s) => !moved.has(s.id));
      if (still.length) {
        b.finding(finding("EDIT_RETIRE_BLOCKED", { assembly: asmLabel(old), steps: still.map(describeStep) }, { component: { kind: "assembly", id: old.id, name: old.fullName } }));
        continue;
      }
      removeAssemblyEdits(b, old, `retired (--retire-old): ${asmLabel(info)} replaces it and no step uses it any more`);
    }
  }
}

function checkIdentity(old: PluginAssembly, info: AssemblyInfo, opts: AddAssemblyOptions, b: PlanBuilder): void {
  if (lc(old.culture || "neutral") !== lc(info.culture || "neutral")) {
    throw new DvsolError("EDIT_CONFLICT", `${info.name} has culture ${info.culture}; the solution's has ${old.culture}`, { file: opts.file, hint: "Plug-in assemblies are culture neutral; build it without a culture." });
  }
  const from = old.publicKeyToken ?? "null";
  const to = info.publicKeyToken ?? "null";
  if (lc(from) !== lc(to)) {
    if (!opts.allowKeyChange) {
      throw new DvsolError("EDIT_CONFLICT", `${info.name} is signed with public key token ${to}; the solution's ${old.version} has ${from}: that is another assembly identity`, {
        file: opts.file,
        hint: "Sign with the key the solution's assembly was signed with, or pass --allow-key-change to change the key in every place that names the assembly.",
      });
    }
    b.finding(finding("EDIT_KEY_CHANGED", { assembly: info.name, from, to }, { component: { kind: "assembly", id: old.id, name: old.fullName } }));
  }
}

function workflowGroup(info: AssemblyInfo, opts: AddAssemblyOptions): string {
  return opts.activityGroup ?? `${info.name} (${info.version})`;
}

function newTypeOf(info: AssemblyInfo, mm: string, t: { name: string; kind: "plugin" | "workflow-activity" }, opts: AddAssemblyOptions): NewPluginType {
  const activity = t.kind === "workflow-activity";
  return {
    id: deriveId("plugintype", info.name, mm, t.name),
    typeName: t.name,
    name: activity ? (opts.activityNames?.[t.name] ?? t.name) : t.name,
    assemblyQualifiedName: `${t.name}, ${info.fullName}`,
    friendlyName: deriveId("friendlyname", info.name, mm, t.name),
    workflowActivityGroupName: activity ? workflowGroup(info, opts) : null,
  };
}

function activityNote(b: PlanBuilder, info: AssemblyInfo, types: { name: string; kind: string }[], opts: AddAssemblyOptions): void {
  const defaulted = types.filter((t) => t.kind === "workflow-activity" && !opts.activityNames?.[t.name]).map((t) => t.name);
  if (defaulted.length) b.finding(finding("EDIT_WORKFLOW_ACTIVITY_NAMES", { types: defaulted, group: workflowGroup(info, opts) }));
}

function addNew(b: PlanBuilder, req: AddAssemblyRequest, v: VersionTuple, previous: PluginAssembly | null, required?: { because: string }): AssemblyOutcome {
  const sol = b.sol;
  const info = req.info;
  const opts = req.options ?? {};
  const mm = majorMinor(v);
  let id = deriveId("pluginassembly", info.name, mm);
  if (opts.id !== undefined) {
    const n = normId(opts.id);
    if (!n) throw new DvsolError("USAGE_BAD_OPTION", `--id takes a GUID, not "${opts.id}"`);
    id = n;
  }
  const clash = sol.assemblies.find((a) => a.id === id);
  if (clash) {
    throw new DvsolError("EDIT_CONFLICT", `the solution already has an assembly with id ${id} (${clash.fullName})`, { hint: "Give another id with --id." });
  }
  const path = dllEntryPath(info.name, id);
  const types = info.pluginTypes.map((t) => newTypeOf(info, mm, t, opts));
  for (const t of types) {
    const other = sol.assemblies.flatMap((a) => a.types).find((x) => x.id === t.id);
    if (other) throw new DvsolError("EDIT_CONFLICT", `the plug-in type id ${t.id} of ${t.typeName} is already used by ${other.typeName}`);
  }
  const spec = assemblySpec({
    id,
    fullName: info.fullName,
    fileName: "/" + path,
    isolationMode: previous?.isolationMode ?? 2,
    sourceType: previous?.sourceType ?? 0,
    introducedVersion: "1.0",
    description: previous?.description ?? null,
    types,
  });
  if (b.folder) {
    b.createDocument(`${path}.data.xml`, spec, b.styleFor("assembly"));
    folderNeedsPlaceholder(b, "SolutionPluginAssemblies");
  } else {
    b.addToSection("SolutionPluginAssemblies", spec, info.fullName, assemblyKey);
  }
  b.writeFile(path, Buffer.from(req.dll.buffer, req.dll.byteOffset, req.dll.byteLength));
  b.addRootComponent(COMPONENT_TYPE.pluginAssembly, id, info.fullName);
  const reason = previous
    ? `a new assembly next to ${asmLabel(previous)} (major/minor version changed)`
    : `no assembly named ${info.name} in the solution: added with sandbox isolation (2) and database source (0)`;
  b.change({ action: "add", kind: "assembly", id, name: info.fullName, reason, ...(required ? { required } : {}) });
  for (const t of types) b.change({ action: "add", kind: "plugintype", id: t.id, name: t.typeName, reason: `${t.workflowActivityGroupName !== null ? "workflow activity" : "plug-in type"} of ${asmLabel(info)} (travels with the assembly)` });
  b.change({ action: "add", kind: "rootcomponent", id, name: `91 ${info.fullName}`, reason: "root component of the assembly (its types travel with it)", ...(required ? { required } : {}) });
  activityNote(b, info, info.pluginTypes, opts);
  return {
    id,
    fullName: info.fullName,
    name: info.name,
    version: info.version,
    types: new Map(types.map((t) => [t.typeName, { id: t.id, assemblyQualifiedName: t.assemblyQualifiedName, name: t.name }])),
    how: "new",
  };
}

/** Build/revision change (or the same version rebuilt, or a downgrade with --allow-downgrade): same assembly id. */
function inPlace(b: PlanBuilder, req: AddAssemblyRequest, asm: PluginAssembly, newV: VersionTuple, required?: { because: string }): AssemblyOutcome {
  const sol = b.sol;
  const info = req.info;
  const opts = req.options ?? {};
  const oldV = parseVersion(asm.version, ASSEMBLY_VERSION);
  const cmp = compareVersions(newV, oldV);
  checkIdentity(asm, info, opts, b);
  const dllPath = asm.dllPath ?? (asm.fileName ? asm.fileName.replace(/^\/+/, "") : dllEntryPath(asm.name, asm.id ?? deriveId("pluginassembly", asm.name, majorMinor(oldV))));
  const current = req.solutionDlls?.get(dllPath) ?? (asm.dllPath ? req.solutionDlls?.get(asm.dllPath) : undefined);
  const sameBytes = current !== undefined && Buffer.compare(Buffer.from(current), Buffer.from(req.dll)) === 0;
  const keyChanged = lc(asm.publicKeyToken ?? "null") !== lc(info.publicKeyToken ?? "null");
  const outcomeTypes = new Map<string, { id: string; assemblyQualifiedName: string; name: string }>();
  const id = asm.id ?? "";
  if (cmp === 0 && sameBytes && !keyChanged) {
    b.rule = `same assembly: ${asmLabel(asm)} is already in the solution with the same bytes (${RPI_VERSIONING})`;
    b.finding(finding("EDIT_SAME_ASSEMBLY", { assembly: asm.fullName }, { component: { kind: "assembly", id: asm.id, name: asm.fullName } }));
    for (const t of asm.types) outcomeTypes.set(t.typeName, { id: t.id ?? "", assemblyQualifiedName: t.assemblyQualifiedName, name: t.name });
    return { id, fullName: asm.fullName, name: asm.name, version: asm.version, types: outcomeTypes, how: "same" };
  }
  if (cmp < 0) {
    if (!opts.allowDowngrade) {
      throw new DvsolError("EDIT_CONFLICT", `${info.name} ${info.version} is lower than ${asm.version}, which the solution holds`, {
        file: opts.file,
        hint: "Build from the right branch, or pass --allow-downgrade.",
      });
    }
    b.finding(finding("EDIT_DOWNGRADE", { assembly: info.name, from: asm.version, to: info.version }, { component: { kind: "assembly", id: asm.id, name: asm.fullName } }));
  }
  if (cmp === 0) {
    b.rule = `same version rebuilt: ${asmLabel(asm)} is replaced in place (same id); nothing tells environments that already have ${asm.version} that the build changed (${RPI_VERSIONING})`;
    if (!sameBytes) b.finding(finding("EDIT_SAME_VERSION_DIFFERENT_BYTES", { assembly: info.name, version: info.version }, { component: { kind: "assembly", id: asm.id, name: asm.fullName } }));
  } else {
    const part = versionChange(oldV, newV);
    b.rule =
      `in-place upgrade: ${asm.version} -> ${info.version} changes only the ${part} number, so Dataverse replaces the assembly of the same id on import and moves its steps to the new version; ` +
      `the assembly keeps its id and only the version is changed where it is written (FullName, root component, type names, step type names) (${RPI_VERSIONING})`;
  }
  const from = { version: asm.version, token: asm.publicKeyToken ?? "null" };
  const to = { version: info.version, token: info.publicKeyToken ?? "null" };
  const fields: Record<string, [string | null, string | null]> = {};
  if (cmp !== 0) fields.version = [asm.version, info.version];
  if (keyChanged) fields.publicKeyToken = [from.token, to.token];

  // Types: match by class name.
  const dllTypes = new Map(info.pluginTypes.map((t) => [t.name, t]));
  const undetermined = new Set(info.undeterminedTypes.map((u) => u.name));
  const blocked: { type: PluginType; steps: Step[] }[] = [];
  for (const t of asm.types) {
    if (dllTypes.has(t.typeName)) continue;
    const users = sol.steps.filter((s) => stepUsesType(s, asm, t));
    if (undetermined.has(t.typeName)) {
      b.finding(finding("EDIT_TYPE_UNDETERMINED", { type: t.typeName, base: info.undeterminedTypes.find((u) => u.name === t.typeName)!.baseType, action: "it is kept" }, { component: { kind: "plugintype", id: t.id, name: t.typeName } }));
      continue;
    }
    if (users.length) blocked.push({ type: t, steps: users });
  }
  if (blocked.length) {
    const list = blocked.map((x) => `${x.type.typeName} (used by ${x.steps.map(describeStep).join(", ")})`).join("; ");
    throw new DvsolError(
      "EDIT_CONFLICT",
      `${info.name} ${info.version} no longer contains ${list}: the import would fail with "Plug-in assembly does not contain the required types"`,
      { file: opts.file, hint: "Keep the class in the assembly, or move or remove those steps first (`dvsol update step --type`, `dvsol remove step`)." },
    );
  }
  // Version (and key) in the four places that write the identity.
  const edAsm = b.editor(asm.loc.doc);
  swapInAttr(edAsm, asm.loc.el, "FullName", from, to);
  const newFullName = swapString(asm.fullName, from, to);
  const what = cmp !== 0 ? "version" : "public key token";
  b.change({
    action: "change",
    kind: "assembly",
    id: asm.id,
    name: newFullName,
    reason: cmp === 0 ? "same version, new DLL bytes (in place, same id)" : `in-place upgrade ${asm.version} -> ${info.version} (same id, new DLL bytes)`,
    fields,
    ...(required ? { required } : {}),
  });
  for (const rc of sol.manifest.rootComponents) {
    if (String(rc.type) !== "91") continue;
    if ((rc.id && rc.id === asm.id) || (!rc.id && rc.schemaName === asm.fullName)) swapInAttr(b.editor(rc.loc.doc), rc.loc.el, "schemaName", from, to);
  }
  for (const t of asm.types) {
    if (!dllTypes.has(t.typeName)) {
      if (undetermined.has(t.typeName)) {
        swapInAttr(edAsm, t.loc.el, "AssemblyQualifiedName", from, to);
        outcomeTypes.set(t.typeName, { id: t.id ?? "", assemblyQualifiedName: swapString(t.assemblyQualifiedName, from, to), name: t.name });
        continue;
      }
      b.removeElement(t.loc);
      b.change({ action: "remove", kind: "plugintype", id: t.id, name: t.typeName, reason: `not in ${asmLabel(info)} and no step uses it` });
      b.finding(finding("EDIT_TYPE_REMOVED", { type: t.typeName, assembly: asmLabel(info) }, { component: { kind: "plugintype", id: t.id, name: t.typeName } }));
      continue;
    }
    swapInAttr(edAsm, t.loc.el, "AssemblyQualifiedName", from, to);
    outcomeTypes.set(t.typeName, { id: t.id ?? "", assemblyQualifiedName: swapString(t.assemblyQualifiedName, from, to), name: t.name });
    if (cmp !== 0 || keyChanged) b.change({ action: "change", kind: "plugintype", id: t.id, name: t.typeName, reason: `AssemblyQualifiedName names the new ${what}`, fields });
  }
  for (const step of stepsOfAssembly(sol, asm)) {
    const el = child(step.loc.el, "PluginTypeName");
    if (el && swapInText(b.editor(step.loc.doc), el, from, to)) {
      b.change({ action: "change", kind: "step", id: step.id, name: step.name ?? step.id, reason: `PluginTypeName names the new ${what} (Dataverse moves the step with the upgrade)`, fields });
    }
  }
  // New types.
  const added = info.pluginTypes.filter((t) => !asm.types.some((x) => x.typeName === t.name));
  const mm = majorMinor(oldV);
  const pluginTypesEl = child(asm.loc.el, "PluginTypes");
  for (const t of added) {
    const nt = newTypeOf(info, mm, t, opts);
    nt.assemblyQualifiedName = `${t.name}, ${newFullName}`;
    const other = sol.assemblies.flatMap((a) => a.types).find((x) => x.id === nt.id);
    if (other) throw new DvsolError("EDIT_CONFLICT", `the plug-in type id ${nt.id} of ${nt.typeName} is already used by ${other.typeName}`);
    if (pluginTypesEl) b.addChild(asm.loc.doc, pluginTypesEl, pluginTypeSpec(nt));
    else b.addChild(asm.loc.doc, asm.loc.el, { name: "PluginTypes", children: [pluginTypeSpec(nt)] });
    outcomeTypes.set(t.name, { id: nt.id, assemblyQualifiedName: nt.assemblyQualifiedName, name: nt.name });
    b.change({ action: "add", kind: "plugintype", id: nt.id, name: nt.typeName, reason: `new in ${asmLabel(info)}`, ...(required ? { required } : {}) });
    b.finding(finding("EDIT_TYPE_ADDED", { type: t.name, kind: t.kind, assembly: asmLabel(info) }, { component: { kind: "plugintype", id: nt.id, name: nt.typeName } }));
  }
  activityNote(b, info, added, opts);
  // The DLL.
  if (!asm.dllPath) b.finding(finding("EDIT_DLL_NOT_IN_SOLUTION", { assembly: asm.name, path: dllPath }, { component: { kind: "assembly", id: asm.id, name: asm.fullName } }));
  b.writeFile(dllPath, Buffer.from(req.dll.buffer, req.dll.byteOffset, req.dll.byteLength));
  return { id, fullName: newFullName, name: asm.name, version: info.version, types: outcomeTypes, how: cmp === 0 ? "replace" : "upgrade" };
}

function repointStep(b: PlanBuilder, step: Step, old: PluginAssembly, info: AssemblyInfo, target: { id: string; assemblyQualifiedName: string }): void {
  const ed = b.editor(step.loc.doc);
  const fields: Record<string, [string | null, string | null]> = {};
  const idEl = child(step.loc.el, "PluginTypeId");
  if (idEl && step.pluginTypeId !== target.id) {
    ed.setText(idEl, target.id);
    fields.PluginTypeId = [step.pluginTypeId, target.id];
  }
  const nameEl = child(step.loc.el, "PluginTypeName");
  if (nameEl) {
    const from = { version: old.version, token: old.publicKeyToken ?? "null" };
    const to = { version: info.version, token: info.publicKeyToken ?? "null" };
    if (swapInText(ed, nameEl, from, to)) fields.PluginTypeName = [step.pluginTypeName, target.assemblyQualifiedName];
  }
  b.change({ action: "change", kind: "step", id: step.id, name: step.name ?? step.id, reason: `re-pointed from ${asmLabel(old)} to ${asmLabel(info)} (--repoint)`, fields });
}

/** Removes an assembly: its element (or .dll.data.xml), its DLL and its root component. */
export function removeAssemblyEdits(b: PlanBuilder, asm: PluginAssembly, reason: string): void {
  if (b.folder && asm.loc.el === b.doc(asm.loc.doc).root) b.deleteFile(asm.loc.doc);
  else b.removeElement(asm.loc);
  if (asm.dllPath) b.deleteFile(asm.dllPath);
  b.change({ action: "remove", kind: "assembly", id: asm.id, name: asm.fullName, reason });
  for (const t of asm.types) b.change({ action: "remove", kind: "plugintype", id: t.id, name: t.typeName, reason: "goes with its assembly" });
  if (asm.id && b.removeRootComponent(COMPONENT_TYPE.pluginAssembly, asm.id)) {
    b.change({ action: "remove", kind: "rootcomponent", id: asm.id, name: `91 ${asm.fullName}`, reason: "root component of the removed assembly" });
  }
}

// ---- identity substrings -------------------------------------------------------------------------------------

interface Identity {
  version: string;
  token: string;
}

/** The edits that change only the Version= (and PublicKeyToken=) values inside raw text [start, end). */
function identityEdits(text: string, start: number, end: number, from: Identity, to: Identity): { start: number; end: number; text: string }[] {
  const raw = text.slice(start, end);
  const out: { start: number; end: number; text: string }[] = [];
  const v = /Version=([0-9.]+)/.exec(raw);
  if (v && v[1] === from.version && from.version !== to.version) {
    const at = start + v.index + "Version=".length;
    out.push({ start: at, end: at + v[1].length, text: to.version });
  }
  const k = /PublicKeyToken=([0-9A-Fa-f]+|null)/.exec(raw);
  if (k && lc(k[1]!) === lc(from.token) && lc(from.token) !== lc(to.token)) {
    const at = start + k.index + "PublicKeyToken=".length;
    out.push({ start: at, end: at + k[1]!.length, text: to.token });
  }
  return out;
}

function swapInAttr(ed: XmlEditor, el: XmlElement, name: string, from: Identity, to: Identity): boolean {
  const a = attrNode(el, name);
  if (!a) return false;
  const edits = identityEdits(ed.doc.text, a.valueStart, a.valueEnd, from, to);
  for (const e of edits) ed.replace(e.start, e.end, e.text);
  return edits.length > 0;
}

function swapInText(ed: XmlEditor, el: XmlElement, from: Identity, to: Identity): boolean {
  if (el.selfClosing) return false;
  const edits = identityEdits(ed.doc.text, el.openEnd, el.closeStart, from, to);
  for (const e of edits) ed.replace(e.start, e.end, e.text);
  return edits.length > 0;
}

function swapString(s: string, from: Identity, to: Identity): string {
  const edits = identityEdits(s, 0, s.length, from, to).sort((a, b) => b.start - a.start);
  let out = s;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
