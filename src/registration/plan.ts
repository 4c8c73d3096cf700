/**
 * planRegistration: a registration file (desired state) against a solution -> one EditPlan.
 *
 * The file's entries are matched to the solution's components, then the differences become requests to
 * the edit engine's planners (src/plan: planAddEndpoint, planAddAssembly, planAddStep, planUpdateStep,
 * planAddImage, planSetStepState, planRemove), each applied over the overlay of the previous ones
 * (applyPlan), so that they compose. The result is reported as one plan whose file edits take the original
 * solution to the final one (one splice per changed document), so that `runEdit` applies and commits it
 * once, atomically. A file that matches the solution gives a plan without changes or files: nothing is
 * written.
 *
 * Matching:
 *   - endpoints by `id` when the file gives one, else by name (ignoring case);
 *   - steps by `id` when the file gives one, else by name within their scope: the steps that run a type of
 *     an assembly of the entry's name (any version), or the steps bound to the entry's endpoint. A step
 *     without `name` is named "<Type>: <Message> of <table>", as the Plug-in Registration Tool does;
 *   - images by alias within their step.
 *
 * Prune rule (docs/registration.md): without --prune nothing is removed (what the file does not list is
 * reported as REGISTRATION_NOT_LISTED). With --prune, dvsol removes
 *   - steps in the scope of an assembly or endpoint the file lists that the file does not describe,
 *   - images of the file's steps that the file does not list,
 *   - endpoints the file does not list, with the steps bound to them, but only when the file has an
 *     `endpoints` key (a file without it does not manage endpoints),
 *   - other versions of a listed assembly that no step uses any more.
 * It never touches assemblies the file does not name, nor their steps.
 */
import { child } from "../xml/dom.js";
import type { XmlElement } from "../xml/parse.js";
import { encodeXmlText } from "../xml/parse.js";
import { deriveId } from "../model/ids.js";
import { ASSEMBLY_VERSION, parseVersion } from "../model/names.js";
import { STAGE_NAMES, type ServiceEndpoint, type Solution, type Step } from "../model/types.js";
import { finding } from "../findings/catalog.js";
import type { Finding } from "../findings/types.js";
import type { AssemblyInfo } from "../assembly/index.js";
import { PlanBuilder, type KeyOf } from "../plan/builder.js";
import { planAddAssembly } from "../plan/assembly.js";
import { planAddEndpoint, AUTH_BY_NAME, type AddEndpointRequest } from "../plan/endpoint.js";
import { addStepTo, planAddImage, planSetStepState, planUpdateStep, type AddStepRequest, type StepOptions } from "../plan/step.js";
import { planRemove, removeStepEdits } from "../plan/remove.js";
import { stepsOfAssembly, typeOfStep } from "../plan/lookup.js";
import { IMAGE_PROPERTY, STABLE_MESSAGES, type MessageCatalog } from "../plan/messages.js";
import type { Change, EditPlan, FileEdit } from "../plan/types.js";
import { applyPlan } from "../edit/apply.js";
import { OverlaySource } from "../edit/overlay.js";
import { MESSAGES } from "../check/messages.js";
import { joinPath } from "./json.js";
import { atPath, registrationError, suggest } from "./parse.js";
import type { RegAssembly, RegEndpoint, RegImage, RegStep, Registration } from "./types.js";
import "../plan/findings.js";
import "./findings.js";

export interface RegistrationDll {
  /** The DLL's path on disk (for findings and errors). */
  file: string;
  dll: Uint8Array;
  info: AssemblyInfo;
}

export interface PlanRegistrationOptions {
  /** The DLL of each entry of `reg.assemblies`, in the same order. */
  dlls: readonly RegistrationDll[];
  messages?: MessageCatalog;
  /** Remove what the file no longer lists (see the module comment for the rule). */
  prune?: boolean;
}

const lc = (s: string) => s.toLowerCase();
const IMAGE_TYPE: Record<RegImage["type"], number> = { pre: 0, post: 1, both: 2 };
const IMAGE_TYPE_NAME = ["pre", "post", "both"];
const DEPLOYMENT: Record<RegStep["deployment"], number> = { server: 0, outlook: 1, both: 2 };
/** Findings of the planners that say "nothing to do": noise when a file is applied again. */
const QUIET = new Set(["EDIT_SAME_ASSEMBLY", "EDIT_NOTHING_TO_DO"]);

function majorMinor(v: string): string {
  const t = parseVersion(v || "0.0", ASSEMBLY_VERSION);
  return `${t[0] ?? 0}.${t[1] ?? 0}`;
}

interface Desired {
  reg: RegStep;
  name: string;
  message: { name: string; id: string };
  /** Assembly steps: the entry's index and the class the step runs. */
  assembly?: { index: number; typeName: string };
  /** Endpoint steps: the entry's index. */
  endpoint?: { index: number };
  /** The solution's step it describes (id), when there is one. */
  match?: string;
}

/** Composes plans: each is applied over the overlay of the previous ones. */
class Composer {
  cur: Solution;
  readonly changes: Change[] = [];
  readonly findings: Finding[] = [];
  readonly rules: string[] = [];
  /** Checks to run once the assemblies are registered. */
  readonly afterUpgrade: (() => void)[] = [];

  constructor(
    readonly original: Solution,
    readonly reg: Registration,
  ) {
    this.cur = original;
  }

  async run(path: string, make: (sol: Solution) => EditPlan | Promise<EditPlan>): Promise<EditPlan> {
    let plan: EditPlan;
    try {
      plan = await make(this.cur);
    } catch (e) {
      throw atPath(this.reg, path, e);
    }
    this.changes.push(...plan.changes);
    for (const f of plan.findings) if (!QUIET.has(f.code)) this.findings.push(f);
    if (plan.rule && plan.changes.length) this.rules.push(plan.rule);
    if (plan.files.length) this.cur = await applyPlan(this.cur, plan);
    return plan;
  }

  note(f: Finding): void {
    this.findings.push(f);
  }
}

export async function planRegistration(sol: Solution, reg: Registration, opts: PlanRegistrationOptions): Promise<EditPlan> {
  const messages = opts.messages ?? STABLE_MESSAGES;
  const prune = !!opts.prune;
  if (opts.dlls.length !== reg.assemblies.length) throw new Error("internal: one DLL per assembly entry");
  const infos = opts.dlls.map((d) => d.info);

  // ---- resolve the file against the DLLs and the message catalog --------------------------------------------
  const byName = new Map<string, number>();
  reg.assemblies.forEach((a, i) => {
    const k = lc(infos[i]!.name);
    if (byName.has(k)) {
      throw registrationError(reg, joinPath(a.at, "path"), `${a.path} is ${infos[i]!.name} ${infos[i]!.version}, which ${reg.assemblies[byName.get(k)!]!.at} already describes`, "Describe each assembly once; list all its steps under that entry.");
    }
    byName.set(k, i);
  });

  const desired: Desired[] = [];
  reg.assemblies.forEach((a, ai) => {
    const names = new Map<string, string>();
    for (const s of a.steps) {
      const typeName = resolveClass(reg, infos[ai]!, s);
      const message = resolveMessage(reg, s, messages);
      const name = s.name ?? `${typeName}: ${message.name} of ${s.entity ?? "any Entity"}`;
      uniqueName(reg, names, name, s);
      desired.push({ reg: s, name, message, assembly: { index: ai, typeName } });
    }
  });
  (reg.endpoints ?? []).forEach((e, ei) => {
    const names = new Map<string, string>();
    for (const s of e.steps) {
      const message = resolveMessage(reg, s, messages);
      const name = s.name ?? `${e.name}: ${message.name} of ${s.entity ?? "any Entity"}`;
      uniqueName(reg, names, name, s);
      desired.push({ reg: s, name, message, endpoint: { index: ei } });
    }
  });

  // ---- match the file to the solution --------------------------------------------------------------------------
  const epMatch: (ServiceEndpoint | undefined)[] = (reg.endpoints ?? []).map((e) => matchEndpoint(reg, sol, e));
  const assemblyScope = (ai: number): Step[] => uniqueSteps(sol.assemblies.filter((a) => lc(a.name) === lc(infos[ai]!.name)).flatMap((a) => stepsOfAssembly(sol, a)));
  const endpointScope = (ei: number): Step[] => (epMatch[ei] ? sol.steps.filter((s) => s.eventHandler === epMatch[ei]!.id) : []);
  const claimed = new Map<string, Desired>();
  for (const d of desired) {
    let st: Step | undefined;
    if (d.reg.id !== undefined) {
      const same = sol.steps.filter((s) => s.id === d.reg.id);
      if (same.length > 1) throw registrationError(reg, joinPath(d.reg.at, "id"), `${same.length} steps of the solution have the id ${d.reg.id}`, "Give one of them a new id first (`dvsol check` lists duplicates).");
      st = same[0];
    } else {
      const scope = d.assembly ? assemblyScope(d.assembly.index) : endpointScope(d.endpoint!.index);
      const named = scope.filter((s) => s.name === d.name);
      if (named.length > 1) {
        throw registrationError(reg, d.reg.at, `${named.length} steps of the solution are named "${d.name}": ${named.map((s) => s.id).join(", ")}`, `Say which one this entry describes with "id".`);
      }
      st = named[0];
    }
    if (!st) continue;
    const other = claimed.get(st.id);
    if (other) throw registrationError(reg, d.reg.at, `this entry and ${other.reg.at} both describe step "${st.name ?? st.id}" (${st.id})`, `Give each entry its own "name" or "id".`);
    claimed.set(st.id, d);
    d.match = st.id;
  }

  const c = new Composer(sol, reg);

  // ---- A. prune what the listed scopes hold and the file does not describe (before the upgrades) -------------
  const unlisted: { step: Step; scope: string }[] = [];
  const seen = new Set<string>();
  const scopes: { steps: Step[]; label: string }[] = [
    ...reg.assemblies.map((_, ai) => ({ steps: assemblyScope(ai), label: `of ${infos[ai]!.name}` })),
    ...(reg.endpoints ?? []).map((e, ei) => ({ steps: endpointScope(ei), label: `bound to endpoint "${e.name}"` })),
  ];
  for (const sc of scopes) {
    for (const s of sc.steps) {
      if (claimed.has(s.id) || seen.has(s.id)) continue;
      seen.add(s.id);
      unlisted.push({ step: s, scope: sc.label });
    }
  }
  const unlistedImages: { step: Step; image: Step["images"][number] }[] = [];
  for (const d of desired) {
    if (!d.match) continue;
    const st = sol.steps.find((s) => s.id === d.match)!;
    const want = new Set(d.reg.images.map((i) => lc(i.alias)));
    for (const img of st.images) if (!want.has(lc(img.alias ?? img.name ?? ""))) unlistedImages.push({ step: st, image: img });
  }
  if (prune && (unlisted.length || unlistedImages.length)) {
    await c.run("", (cur) => {
      const b = new PlanBuilder(cur, "apply --prune");
      for (const u of unlisted) removeStepEdits(b, cur.steps.find((s) => s.id === u.step.id)!, `not in the registration file (--prune): a step ${u.scope}`);
      for (const u of unlistedImages) {
        const st = cur.steps.find((s) => s.id === u.step.id)!;
        const img = st.images.find((i) => i.loc.el.start === u.image.loc.el.start)!;
        b.removeElement(img.loc);
        b.change({ action: "remove", kind: "image", id: img.id, name: img.alias ?? img.name ?? "", reason: `not listed for step "${st.name ?? st.id}" in the registration file (--prune)` });
      }
      return b.build();
    });
  } else {
    for (const u of unlisted) c.note(finding("REGISTRATION_NOT_LISTED", { kind: "step", name: u.step.name ?? u.step.id, id: u.step.id, scope: u.scope }, { component: { kind: "step", id: u.step.id, name: u.step.name } }));
    for (const u of unlistedImages) {
      c.note(finding("REGISTRATION_NOT_LISTED", { kind: "image", name: u.image.alias ?? u.image.name ?? "", id: u.image.id ?? "no id", scope: `of step "${u.step.name ?? u.step.id}"` }, { component: { kind: "image", id: u.image.id, name: u.image.alias } }));
    }
  }

  // ---- B. endpoints ------------------------------------------------------------------------------------------------
  const epIds: string[] = [];
  for (const [ei, e] of (reg.endpoints ?? []).entries()) {
    const existing = epMatch[ei] ? c.cur.endpoints.find((x) => x.id === epMatch[ei]!.id) : undefined;
    const req = endpointRequest(e);
    if (!existing) {
      const p = await c.run(e.at, (cur) => planAddEndpoint(cur, req));
      epIds.push(p.changes.find((x) => x.kind === "endpoint")!.id!);
      requiredBy(p, ["endpoint", "rootcomponent"], desired.filter((d) => d.endpoint?.index === ei), "is bound to it", "are bound to it");
      continue;
    }
    epIds.push(existing.id);
    const want = await probeEndpoint(reg, c.cur, e, req);
    await c.run(e.at, (cur) => planUpdateEndpoint(cur, cur.endpoints.find((x) => x.id === existing.id)!, e, want));
  }

  // ---- C. assemblies -------------------------------------------------------------------------------------------------
  for (const [ai, a] of reg.assemblies.entries()) {
    const { dll, file, info } = opts.dlls[ai]!;
    await retypeBeforeUpgrade(c, a, info, desired.filter((d) => d.assembly?.index === ai && d.match));
    const solutionDlls = await dllsOf(c.cur, info.name);
    const added = await c.run(joinPath(a.at, "path"), (cur) =>
      planAddAssembly(cur, {
        dll,
        info,
        solutionDlls,
        options: {
          repoint: a.repoint,
          retireOld: a.retireOld,
          file,
          ...(a.id !== undefined ? { id: a.id } : {}),
          ...(a.activityGroup !== undefined ? { activityGroup: a.activityGroup } : {}),
          ...(a.activityNames !== undefined ? { activityNames: a.activityNames } : {}),
        },
      }),
    );
    requiredBy(added, ["assembly", "rootcomponent"], desired.filter((d) => d.assembly?.index === ai), "runs one of its types", "run its types");
  }

  for (const check of c.afterUpgrade) check();

  // ---- D. steps ------------------------------------------------------------------------------------------------------
  for (const d of desired) if (d.match) await updateStep(c, d, reg, infos, epIds, messages);
  await addSteps(
    c,
    desired.filter((d) => !d.match),
    infos,
    epIds,
    messages,
  );

  // ---- E. endpoints the file does not list; other versions of listed assemblies that nothing uses ---------------
  if (reg.endpoints !== null) {
    for (const ep of [...c.cur.endpoints]) {
      if (epIds.includes(ep.id)) continue;
      if (prune) await c.run("endpoints", (cur) => planRemove(cur, "endpoint", ep.id, { cascade: true }));
      else c.note(finding("REGISTRATION_NOT_LISTED", { kind: "endpoint", name: ep.name, id: ep.id, scope: "of the solution" }, { component: { kind: "endpoint", id: ep.id, name: ep.name } }));
    }
  }
  for (const [ai, info] of infos.entries()) {
    for (const old of [...c.cur.assemblies]) {
      if (lc(old.name) !== lc(info.name) || old.version === info.version || !old.id) continue;
      if (stepsOfAssembly(c.cur, old).length) continue;
      if (prune) {
        const id = old.id;
        await c.run(joinPath(reg.assemblies[ai]!.at, "path"), (cur) => planRemove(cur, "assembly", id));
      } else {
        c.note(finding("REGISTRATION_NOT_LISTED", { kind: "assembly", name: old.fullName, id: old.id, scope: `(no step uses it; the file registers ${info.version})` }, { component: { kind: "assembly", id: old.id, name: old.fullName } }));
      }
    }
  }

  const plan: EditPlan = {
    operation: prune ? "apply --prune" : "apply",
    changes: c.changes,
    findings: c.findings,
    files: await netFiles(sol, c.cur),
  };
  if (c.rules.length) plan.rule = c.rules.join("; ");
  return plan;
}

/**
 * "Required because": a component the file lists that its steps need (an assembly whose types they run, an
 * endpoint they are bound to), on the changes that add it, so that the plan says why it is in the solution.
 */
function requiredBy(plan: EditPlan, kinds: Change["kind"][], users: Desired[], one: string, many: string): void {
  if (!users.length) return;
  const names = users.slice(0, 3).map((d) => `"${d.name}"`);
  const because = `${users.length === 1 ? "step" : "steps"} ${names.join(", ")}${users.length > 3 ? ` and ${users.length - 3} more` : ""} ${users.length === 1 ? one : many}`;
  for (const ch of plan.changes) if (ch.action === "add" && kinds.includes(ch.kind) && !ch.required && (ch.kind !== "rootcomponent" || /^9[15] /.test(ch.name))) ch.required = { because };
}

// ---- resolving ------------------------------------------------------------------------------------------------

function resolveClass(reg: Registration, info: AssemblyInfo, s: RegStep): string {
  const ref = s.type!;
  const at = joinPath(s.at, "type");
  const short = (n: string) => n.slice(Math.max(n.lastIndexOf("."), n.lastIndexOf("+")) + 1);
  const all = [...info.pluginTypes];
  let m = all.filter((t) => t.name === ref);
  if (!m.length) m = all.filter((t) => lc(t.name) === lc(ref));
  if (!m.length) m = all.filter((t) => lc(short(t.name)) === lc(ref));
  if (m.length > 1) throw registrationError(reg, at, `"${ref}" matches ${m.map((t) => t.name).join(", ")} in ${info.name} ${info.version}`, "Give the class's full name.");
  if (!m.length) {
    const plugins = all.filter((t) => t.kind === "plugin").map((t) => t.name);
    const s1 = suggest(ref, plugins) ?? suggest(ref, plugins.map(short));
    throw registrationError(
      reg,
      at,
      `no plug-in type "${ref}" in ${info.name} ${info.version}${s1 ? ` (did you mean "${plugins.find((p) => p === s1 || short(p) === s1)}"?)` : ""}`,
      `Its plug-in types: ${plugins.join(", ") || "none"} (\`dvsol assembly <dll>\` lists them).`,
    );
  }
  const t = m[0]!;
  if (t.kind === "workflow-activity") throw registrationError(reg, at, `${t.name} is a custom workflow activity: it runs in workflows, not in steps`);
  return t.name;
}

function resolveMessage(reg: Registration, s: RegStep, cat: MessageCatalog): { name: string; id: string } {
  if (s.messageId !== undefined) {
    const known = cat.byId(s.messageId);
    return { name: known && lc(known.name) === lc(s.message) ? known.name : s.message, id: s.messageId };
  }
  const m = cat.byName(s.message);
  if (m) return { name: m.name, id: m.id };
  const names = MESSAGES.map((x) => x.name);
  const near = suggest(s.message, names);
  const listed = names.find((n) => lc(n) === lc(s.message));
  throw registrationError(
    reg,
    joinPath(s.at, "message"),
    listed
      ? `the id of ${listed} differs between organizations, so dvsol cannot write it without "messageId"`
      : `"${s.message}" is not an SDK message dvsol knows the id of${near && lc(near) !== lc(s.message) ? ` (did you mean "${near}"?)` : ""}`,
    `Custom actions, custom APIs and most messages other than Create, Update and Delete have their own id in each organization: give it as "messageId" (from the sdkmessage table of the target environment).`,
  );
}

function uniqueName(reg: Registration, names: Map<string, string>, name: string, s: RegStep): void {
  const prev = names.get(name);
  if (prev !== undefined) {
    throw registrationError(reg, s.name !== undefined ? joinPath(s.at, "name") : s.at, `two steps of this entry are named "${name}" (also ${prev})`, `Steps are matched by name: give each its own "name".`);
  }
  names.set(name, s.at);
}

function matchEndpoint(reg: Registration, sol: Solution, e: RegEndpoint): ServiceEndpoint | undefined {
  if (e.id !== undefined) return sol.endpoints.find((x) => x.id === e.id);
  const m = sol.endpoints.filter((x) => lc(x.name) === lc(e.name));
  if (m.length > 1) throw registrationError(reg, joinPath(e.at, "name"), `${m.length} service endpoints of the solution are named "${e.name}": ${m.map((x) => x.id).join(", ")}`, `Say which one this entry describes with "id".`);
  return m[0];
}

function uniqueSteps(steps: Step[]): Step[] {
  const seen = new Set<string>();
  return steps.filter((s) => (seen.has(s.id) ? false : (seen.add(s.id), true)));
}

async function dllsOf(sol: Solution, name: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const a of sol.assemblies) {
    if (lc(a.name) !== lc(name) || !a.dllPath) continue;
    const f = sol.source.get(a.dllPath);
    if (f) out.set(a.dllPath, await f.read());
  }
  return out;
}

// ---- endpoints --------------------------------------------------------------------------------------------------

function endpointRequest(e: RegEndpoint): AddEndpointRequest {
  const r: AddEndpointRequest = { name: e.name, contract: e.contract };
  if (e.namespace !== undefined) r.namespace = e.namespace;
  if (e.path !== undefined) r.path = e.path;
  if (e.auth !== undefined) r.auth = e.auth;
  if (e.sasKeyName !== undefined) r.sasKeyName = e.sasKeyName;
  if (e.messageFormat !== undefined) r.messageFormat = e.messageFormat;
  if (e.userClaim !== undefined) r.userClaim = e.userClaim;
  if (e.url !== undefined) r.url = e.url;
  if (e.description !== undefined) r.description = e.description;
  if (e.id !== undefined) r.id = e.id;
  return r;
}

/**
 * The endpoint as planAddEndpoint would write it (values normalized and validated exactly as `dvsol add
 * endpoint` does): planned under a scratch name and id over the current solution, read back, discarded.
 */
async function probeEndpoint(reg: Registration, sol: Solution, e: RegEndpoint, req: AddEndpointRequest): Promise<ServiceEndpoint> {
  const id = deriveId("registration-probe", e.name);
  let plan: EditPlan;
  try {
    plan = planAddEndpoint(sol, { ...req, name: `${e.name} (dvsol probe ${id})`, id });
  } catch (err) {
    throw atPath(reg, e.at, err);
  }
  const probed = await applyPlan(sol, plan);
  return probed.endpoints.find((x) => x.id === id)!;
}

/** Element order of a new endpoint (src/plan/specs.ts endpointSpec): where a missing element goes. */
const ENDPOINT_ORDER = ["Description", "ConnectionMode", "Contract", "Path", "SolutionNamespace", "UserClaim", "IsCustomizable", "AuthType", "MessageFormat", "NamespaceAddress", "NamespaceFormat", "Url", "SASKeyName", "UseKeyVaultConfiguration"];
const orderKeyOf = (order: readonly string[]): KeyOf => (el) => {
  const i = order.indexOf(el.name);
  return i < 0 ? null : String(i).padStart(3, "0");
};

function planUpdateEndpoint(sol: Solution, ep: ServiceEndpoint, e: RegEndpoint, want: ServiceEndpoint): EditPlan {
  const b = new PlanBuilder(sol, "update endpoint");
  const ed = b.editor(ep.loc.doc);
  const el = ep.loc.el;
  const fields: Record<string, [string | null, string | null]> = {};
  const keyOf = orderKeyOf(ENDPOINT_ORDER);
  const str = (v: string | number | null | undefined) => (v === null || v === undefined ? "" : String(v));
  /** `keepEmpty`: the element is written even when empty (Path, SolutionNamespace). */
  const set = (name: string, before: string | number | null, after: string | number | null, keepEmpty = false) => {
    if (str(before) === str(after)) return;
    const c = child(el, name);
    if (str(after) === "" && !keepEmpty) {
      if (c) b.removeElement({ doc: ep.loc.doc, el: c });
    } else if (c) ed.setText(c, str(after));
    else b.addChild(ep.loc.doc, el, { name, text: str(after) }, keyOf({ name } as XmlElement), keyOf);
    fields[name] = [before === null ? null : str(before), after === null || str(after) === "" ? (keepEmpty ? "" : null) : str(after)];
  };
  if (e.description !== undefined) set("Description", ep.description, e.description === "" ? null : e.description);
  set("Contract", ep.contract, want.contract);
  set("Path", ep.path, want.path, true);
  set("SolutionNamespace", ep.solutionNamespace, want.solutionNamespace, true);
  set("UserClaim", ep.userClaim, want.userClaim);
  set("AuthType", ep.authType, want.authType);
  set("MessageFormat", ep.messageFormat, want.messageFormat);
  set("NamespaceAddress", ep.namespaceAddress, want.namespaceAddress);
  set("NamespaceFormat", ep.namespaceFormat, want.namespaceFormat);
  set("Url", ep.url, want.url);
  set("SASKeyName", ep.sasKeyName, want.sasKeyName);
  if (ep.name !== e.name) {
    ed.setAttr(el, "Name", e.name);
    fields.Name = [ep.name, e.name];
  }
  if (Object.keys(fields).length) {
    b.change({ action: "change", kind: "endpoint", id: ep.id, name: e.name, reason: `changed ${Object.keys(fields).join(", ")} as the registration file says`, fields });
    if (fields.AuthType || fields.SASKeyName || fields.NamespaceAddress || fields.Url) {
      const auth = Object.entries(AUTH_BY_NAME).find(([, v]) => v === want.authType)?.[0] ?? String(want.authType);
      b.finding(finding("EDIT_ENDPOINT_SECRET_NEEDED", { endpoint: e.name, auth }, { component: { kind: "endpoint", id: ep.id, name: e.name } }));
    }
  }
  return b.build();
}

// ---- steps ----------------------------------------------------------------------------------------------------------

function imageRef(i: RegImage): string {
  return `${i.type}:${i.alias}${i.attributes.length ? `:${i.attributes.join(",")}` : ""}`;
}

function typeRef(info: AssemblyInfo, typeName: string, sol: Solution): string {
  // The assembly of the file's version, as the solution names it (after the assembly plan).
  const asm = sol.assemblies.find((a) => lc(a.name) === lc(info.name) && a.version === info.version);
  return `${typeName}, ${asm?.name ?? info.name}, Version=${info.version}`;
}

/**
 * New steps, in one plan (each `applyPlan` reads the solution again: one plan for all new steps keeps a large
 * solution fast). The edit engine compares each new step with the solution's steps (same rank...); the new
 * steps are compared among themselves here, as if they had been added one after the other.
 */
async function addSteps(c: Composer, news: Desired[], infos: AssemblyInfo[], epIds: string[], messages: MessageCatalog): Promise<void> {
  if (!news.length) return;
  const ids = new Map<Desired, string>();
  await c.run("", (cur) => {
    const b = new PlanBuilder(cur, "apply");
    const seen = new Map<string, Desired>();
    for (const d of news) {
      let id: string;
      try {
        id = addStepTo(b, stepRequest(d, infos, epIds, messages, cur));
      } catch (e) {
        throw atPath(c.reg, d.reg.at, e);
      }
      const other = seen.get(id);
      if (other) throw registrationError(c.reg, d.reg.at, `this step and ${other.reg.at} get the same id ${id}`, `Give one of them another "name" or "id".`);
      seen.set(id, d);
      ids.set(d, id);
    }
    const groups = new Map<string, Desired[]>();
    for (const d of news) {
      const k = [d.message.id, lc(d.reg.entity ?? ""), d.reg.stage, d.reg.rank].join("\u0000");
      const g = groups.get(k) ?? [];
      if (g.length) {
        b.finding(
          finding(
            "EDIT_SAME_RANK",
            { step: d.name, others: g.map((x) => `"${x.name}"`), message: d.message.name, entity: d.reg.entity ?? "any table", stage: STAGE_NAMES[d.reg.stage] ?? String(d.reg.stage), rank: d.reg.rank },
            { component: { kind: "step", id: ids.get(d)!, name: d.name } },
          ),
        );
      }
      g.push(d);
      groups.set(k, g);
    }
    return b.build();
  });
  for (const d of news) {
    if (d.reg.enabled === false) await c.run(joinPath(d.reg.at, "enabled"), (cur) => planSetStepState(cur, ids.get(d)!, false));
  }
}

function stepRequest(d: Desired, infos: AssemblyInfo[], epIds: string[], messages: MessageCatalog, sol: Solution): AddStepRequest {
  const s = d.reg;
  const handler: StepOptions = d.assembly ? { type: typeRef(infos[d.assembly.index]!, d.assembly.typeName, sol) } : { endpoint: epIds[d.endpoint!.index]! };
  return {
    ...handler,
    message: d.message.name,
    ...(s.messageId !== undefined ? { messageId: s.messageId } : {}),
    ...(s.entity !== null ? { entity: s.entity } : {}),
    ...(s.secondaryEntity ? { secondaryEntity: s.secondaryEntity } : {}),
    stage: s.stage,
    mode: s.mode === 1 ? "async" : "sync",
    rank: s.rank,
    filter: s.filteringAttributes,
    ...(s.configuration !== null ? { config: s.configuration } : {}),
    name: d.name,
    ...(s.description !== undefined ? { description: s.description } : {}),
    images: s.images.map(imageRef),
    asyncAutoDelete: s.asyncAutoDelete,
    deployment: s.deployment,
    ...(s.impersonatingUser !== null ? { impersonate: s.impersonatingUser } : {}),
    ...(s.id !== undefined ? { id: s.id } : {}),
    messages,
  };
}

async function updateStep(c: Composer, d: Desired, reg: Registration, infos: AssemblyInfo[], epIds: string[], messages: MessageCatalog): Promise<void> {
  const s = d.reg;
  const id = d.match!;
  const find = (sol: Solution): Step => {
    const st = sol.steps.find((x) => x.id === id);
    if (!st) throw new Error(`internal: step ${id} disappeared while applying the registration file`);
    return st;
  };
  let st = find(c.cur);
  const o: StepOptions = {};

  // The handler.
  if (d.assembly) {
    const info = infos[d.assembly.index]!;
    const a = reg.assemblies[d.assembly.index]!;
    const target = c.cur.assemblies.find((x) => lc(x.name) === lc(info.name) && x.version === info.version);
    const tm = typeOfStep(c.cur, st);
    if (st.eventHandler || !tm || !target || tm.assembly !== target || tm.type.typeName !== d.assembly.typeName) {
      const onOlder = !!tm && !st.eventHandler && lc(tm.assembly.name) === lc(info.name) && tm.assembly !== target && majorMinor(tm.assembly.version) !== majorMinor(info.version);
      if (onOlder && !a.repoint) {
        const told = c.findings.some((f) => f.code === "EDIT_STEP_NEEDS_REPOINT" && f.component?.id === st.id);
        if (!told) {
          c.note(
            finding(
              "REGISTRATION_STEP_NOT_REPOINTED",
              { step: st.name ?? st.id, id: st.id, type: tm!.type.typeName, from: `${tm!.assembly.name} ${tm!.assembly.version}`, to: `${info.name} ${info.version}` },
              { component: { kind: "step", id: st.id, name: st.name } },
            ),
          );
        }
      } else {
        o.type = typeRef(info, d.assembly.typeName, c.cur);
      }
    }
  } else {
    const epId = epIds[d.endpoint!.index]!;
    if (st.eventHandler !== epId) o.endpoint = epId;
  }

  // The fields the file manages (docs/registration.md: defaults apply to what the file leaves out).
  if (st.messageId !== d.message.id) {
    o.message = d.message.name;
    if (s.messageId !== undefined) o.messageId = s.messageId;
  }
  if ((st.primaryEntity ?? null) !== s.entity) o.entity = s.entity ?? "";
  if (s.secondaryEntity !== undefined && (st.secondaryEntity ?? "") !== s.secondaryEntity) o.secondaryEntity = s.secondaryEntity;
  if (st.stage !== s.stage) o.stage = s.stage;
  if ((st.mode ?? 0) !== s.mode) o.mode = s.mode === 1 ? "async" : "sync";
  if (st.rank !== s.rank) o.rank = s.rank;
  const setOf = (l: string[]) => [...new Set(l.map(lc))].sort().join(",");
  if (setOf(st.filteringAttributes) !== setOf(s.filteringAttributes)) o.filter = s.filteringAttributes;
  if ((st.configuration || null) !== s.configuration) o.config = s.configuration ?? "";
  if (s.description !== undefined && (st.description ?? "") !== s.description) o.description = s.description;
  if (!!st.asyncAutoDelete !== s.asyncAutoDelete) o.asyncAutoDelete = s.asyncAutoDelete;
  if ((st.supportedDeployment ?? 0) !== DEPLOYMENT[s.deployment]) o.deployment = s.deployment;
  if ((st.impersonatingUserIdName ?? null) !== s.impersonatingUser) o.impersonate = s.impersonatingUser ?? "";
  if (st.name !== d.name) o.name = d.name;

  // Images that exist with other values first (their new type may need the new stage, or the reverse).
  const messageName = o.message !== undefined ? d.message.name : null;
  const updates: { img: Step["images"][number]; want: RegImage }[] = [];
  const adds: RegImage[] = [];
  for (const want of s.images) {
    const img = st.images.find((i) => lc(i.alias ?? i.name ?? "") === lc(want.alias));
    if (!img) adds.push(want);
    else if (imageDiffers(img, want, messageName)) updates.push({ img, want });
  }
  if (updates.length) await c.run(joinPath(s.at, "images"), (cur) => planUpdateImages(cur, find(cur), updates, messageName));

  if (Object.keys(o).length) await c.run(s.at, (cur) => planUpdateStep(cur, id, { ...o, messages }));
  st = find(c.cur);
  if (adds.length) await c.run(joinPath(s.at, "images"), (cur) => planAddImage(cur, { step: id, images: adds.map(imageRef), message: d.message.name, messages }));
  if (s.enabled !== undefined && (st.stateCode !== 1) !== s.enabled) await c.run(joinPath(s.at, "enabled"), (cur) => planSetStepState(cur, id, s.enabled!));
}

function imageDiffers(img: Step["images"][number], want: RegImage, messageName: string | null): boolean {
  const setOf = (l: string[]) => [...new Set(l.map(lc))].sort().join(",");
  if (img.imageType !== IMAGE_TYPE[want.type]) return true;
  if (setOf(img.attributes) !== setOf(want.attributes)) return true;
  if (img.alias !== want.alias || (img.name !== null && img.name !== want.alias && lc(img.name) === lc(want.alias))) return true;
  if (messageName !== null && img.messagePropertyName !== (IMAGE_PROPERTY[lc(messageName)] ?? img.messagePropertyName)) return true;
  return false;
}

/** Element order of an image (XSD): where a missing element goes. */
const IMAGE_ORDER = ["Description", "SdkMessageProcessingStepImageId", "Attributes", "EntityAlias", "ImageType", "MessagePropertyName", "RelatedAttributeName", "IsCustomizable", "IntroducedVersion"];

/** Changes type, columns and alias of existing images in place (the edit engine has no planner for it). */
function planUpdateImages(sol: Solution, step: Step, updates: { img: Step["images"][number]; want: RegImage }[], messageName: string | null): EditPlan {
  const b = new PlanBuilder(sol, "update image");
  const doc = step.loc.doc;
  const ed = b.editor(doc);
  const keyOf = orderKeyOf(IMAGE_ORDER);
  const stepName = step.name ?? step.id;
  for (const { img: before, want } of updates) {
    const img = step.images.find((i) => i.loc.el.start === before.loc.el.start) ?? before;
    const el = img.loc.el;
    const fields: Record<string, [string | null, string | null]> = {};
    const set = (name: string, from: string | null, to: string) => {
      if ((from ?? "") === to) return;
      const c = child(el, name);
      if (c) ed.setText(c, to);
      else b.addChild(doc, el, { name, text: to }, keyOf({ name } as XmlElement), keyOf);
      fields[name] = [from, to];
    };
    const t = IMAGE_TYPE[want.type];
    if (img.imageType !== t) set("ImageType", img.imageType === null ? null : String(img.imageType), String(t));
    const setOf = (l: string[]) => [...new Set(l.map(lc))].sort().join(",");
    if (setOf(img.attributes) !== setOf(want.attributes)) set("Attributes", img.attributes.join(","), want.attributes.join(","));
    if (img.alias !== want.alias) set("EntityAlias", img.alias, want.alias);
    if (img.name !== null && img.name !== want.alias && lc(img.name) === lc(want.alias)) {
      ed.setAttr(el, "Name", want.alias);
      fields.Name = [img.name, want.alias];
    }
    const prop = messageName !== null ? IMAGE_PROPERTY[lc(messageName)] : undefined;
    if (prop !== undefined && img.messagePropertyName !== prop) set("MessagePropertyName", img.messagePropertyName, prop);
    b.change({
      action: "change",
      kind: "image",
      id: img.id,
      name: want.alias,
      reason: `${IMAGE_TYPE_NAME[t]}-image of step "${stepName}": ${want.attributes.length ? want.attributes.join(", ") : "all columns"} (changed ${Object.keys(fields).join(", ")})`,
      fields,
    });
    if (!want.attributes.length) b.finding(finding("EDIT_IMAGE_ALL_COLUMNS", { alias: want.alias, step: stepName }, { component: { kind: "step", id: step.id, name: stepName } }));
  }
  return b.build();
}

/**
 * A listed step whose class is gone from the new build of its assembly (renamed or moved) would block the
 * in-place upgrade ("Plug-in assembly does not contain the required types"). When the file points the step at
 * a class of the new build, the step is moved to it first: PluginTypeName and PluginTypeId are written as the
 * upgrade will register that class (same id derivation as the edit engine), then the upgrade finds no step on
 * the old class and removes it.
 */
async function retypeBeforeUpgrade(c: Composer, a: RegAssembly, info: AssemblyInfo, matched: Desired[]): Promise<void> {
  const newV = parseVersion(info.version, ASSEMBLY_VERSION);
  const mm = `${newV[0] ?? 0}.${newV[1] ?? 0}`;
  const asm = c.cur.assemblies.find((x) => lc(x.name) === lc(info.name) && x.version && majorMinor(x.version) === mm);
  if (!asm) return;
  const inDll = new Set(info.pluginTypes.map((t) => t.name));
  const moves: { d: Desired; step: Step }[] = [];
  for (const d of matched) {
    const st = c.cur.steps.find((x) => x.id === d.match);
    if (!st || st.eventHandler) continue;
    const tm = typeOfStep(c.cur, st);
    if (!tm || tm.assembly !== asm || inDll.has(tm.type.typeName) || tm.type.typeName === d.assembly!.typeName) continue;
    moves.push({ d, step: st });
  }
  if (!moves.length) return;
  const newFullName = asm.fullName.replace(/Version=[0-9.]+/, `Version=${info.version}`);
  await c.run(joinPath(a.at, "path"), (cur) => {
    const b = new PlanBuilder(cur, "apply");
    for (const { d, step } of moves) {
      const st = cur.steps.find((x) => x.id === step.id)!;
      const cls = d.assembly!.typeName;
      const existing = asm.types.find((t) => t.typeName === cls);
      const typeId = existing?.id ?? deriveId("plugintype", info.name, mm, cls);
      const aqn = `${cls}, ${newFullName}`;
      const ed = b.editor(st.loc.doc);
      const fields: Record<string, [string | null, string | null]> = {};
      const nameEl = child(st.loc.el, "PluginTypeName");
      const idEl = child(st.loc.el, "PluginTypeId");
      if (nameEl) {
        ed.setText(nameEl, aqn);
        fields.PluginTypeName = [st.pluginTypeName, aqn];
      }
      if (idEl) {
        ed.setText(idEl, typeId);
        fields.PluginTypeId = [st.pluginTypeId, typeId];
      }
      b.change({ action: "change", kind: "step", id: st.id, name: st.name ?? st.id, reason: `moved to ${cls} as the registration file says, before the upgrade to ${info.version} (${typeOfStep(cur, st)?.type.typeName ?? "its class"} is not in the new build)`, fields });
    }
    return b.build();
  });
  c.afterUpgrade.push(() => {
    for (const { d, step } of moves) {
      const st = c.cur.steps.find((x) => x.id === step.id);
      const tm = st && typeOfStep(c.cur, st);
      if (!tm || tm.type.typeName !== d.assembly!.typeName) throw new Error(`internal: step ${step.id} does not run ${d.assembly!.typeName} after the upgrade`);
    }
  });
}

// ---- the net file edits -------------------------------------------------------------------------------------------

/**
 * The files that differ between the original solution and the edited one, as edits of the original: one
 * splice per changed XML document (common prefix and suffix kept), new bytes for other files, creations and
 * deletions. applyPlan(original, plan) gives the edited solution.
 */
export async function netFiles(original: Solution, edited: Solution): Promise<FileEdit[]> {
  const src = edited.source;
  if (!(src instanceof OverlaySource)) return [];
  const base = original.source;
  const files: FileEdit[] = [];
  for (const [p, bytes] of src.written) {
    const before = base.get(p);
    if (!before) {
      files.push({ path: p, kind: "create", bytes });
      continue;
    }
    const old = await before.read();
    if (Buffer.compare(Buffer.from(old), bytes) === 0) continue;
    const d0 = original.docs.get(p);
    const d1 = edited.docs.get(p);
    if (d0 && d1) {
      const a = d0.doc.text;
      const b = d1.doc.text;
      let pre = 0;
      while (pre < a.length && pre < b.length && a.charCodeAt(pre) === b.charCodeAt(pre)) pre++;
      let suf = 0;
      while (suf < a.length - pre && suf < b.length - pre && a.charCodeAt(a.length - 1 - suf) === b.charCodeAt(b.length - 1 - suf)) suf++;
      const edit = { start: pre, end: a.length - suf, text: b.slice(pre, b.length - suf) };
      if (encodeXmlText(b, d0.doc.encoding, d0.doc.bom).equals(bytes)) {
        files.push({ path: p, kind: "edit", edits: [edit] });
        continue;
      }
    }
    files.push({ path: p, kind: "replace", bytes });
  }
  for (const p of src.deleted) files.push({ path: p, kind: "delete" });
  files.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return files;
}
