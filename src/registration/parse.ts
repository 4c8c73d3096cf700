/**
 * Reading and validating a registration file (pure: text in, Registration out). Every mistake is a
 * REGISTRATION_INVALID error with the JSON path (`assemblies[0].steps[2].stage`) and the line and column
 * in the file: bad JSON, unknown keys (with "did you mean"), wrong types and enums, rules of the platform
 * that the file alone decides (async only in PostOperation, images by message and stage...). Keys that
 * look like secrets are refused with a message that says where secrets belong: in each environment.
 *
 * The keys and enums here are the ones templates/registration.schema.json lists (a test keeps them equal).
 */
import { DvsolError } from "../errors.js";
import { normId } from "../model/ids.js";
import { AUTH_BY_NAME, CONTRACT_BY_NAME, MESSAGE_FORMAT_BY_NAME, USER_CLAIM_BY_NAME } from "../plan/endpoint.js";
import { FILTER_MESSAGES, IMAGE_PROPERTY } from "../plan/messages.js";
import { JsonSyntaxError, joinPath, parseJsonWithPositions, type JsonDocument, type JsonValue } from "./json.js";
import type { RegAssembly, RegEndpoint, RegImage, RegStep, Registration } from "./types.js";

// ---- the vocabulary (kept equal to templates/registration.schema.json by test/registration) ------------------

export const TOP_KEYS = ["$schema", "assemblies", "endpoints"] as const;
export const ASSEMBLY_KEYS = ["path", "repoint", "retireOld", "id", "activityGroup", "activityNames", "steps"] as const;
const COMMON_STEP_KEYS = [
  "id",
  "name",
  "description",
  "message",
  "messageId",
  "entity",
  "secondaryEntity",
  "stage",
  "mode",
  "rank",
  "filteringAttributes",
  "configuration",
  "asyncAutoDelete",
  "deployment",
  "impersonatingUser",
  "enabled",
  "images",
] as const;
export const STEP_KEYS = ["type", ...COMMON_STEP_KEYS] as const;
export const ENDPOINT_STEP_KEYS = COMMON_STEP_KEYS;
export const IMAGE_KEYS = ["alias", "type", "attributes"] as const;
export const ENDPOINT_KEYS = ["id", "name", "description", "contract", "namespace", "path", "auth", "sasKeyName", "messageFormat", "userClaim", "url", "steps"] as const;

export const STAGE_VALUES = ["prevalidation", "preoperation", "postoperation", 10, 20, 40] as const;
export const MODE_VALUES = ["sync", "async"] as const;
export const DEPLOYMENT_VALUES = ["server", "outlook", "both"] as const;
export const IMAGE_TYPE_VALUES = ["pre", "post", "both"] as const;
export const CONTRACT_VALUES: readonly string[] = Object.keys(CONTRACT_BY_NAME);
export const AUTH_VALUES: readonly string[] = Object.keys(AUTH_BY_NAME);
export const MESSAGE_FORMAT_VALUES: readonly string[] = Object.keys(MESSAGE_FORMAT_BY_NAME);
export const USER_CLAIM_VALUES: readonly string[] = Object.keys(USER_CLAIM_BY_NAME);

/** Logical names of tables and columns: lowercase letters, digits and underscores. */
export const LOGICAL_NAME = /^[a-z][a-z0-9_]*$/;
/** Image aliases: what the plug-in reads from PreEntityImages/PostEntityImages. */
export const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

const STAGE_NUMBER: Record<string, number> = { prevalidation: 10, preoperation: 20, postoperation: 40, "10": 10, "20": 20, "40": 40 };

// ---- secrets ---------------------------------------------------------------------------------------------------

const SECRET_KEYS = new Set([
  "saskey",
  "sastoken",
  "authvalue",
  "secureconfiguration",
  "secureconfig",
  "secure",
  "password",
  "passwd",
  "pwd",
  "secret",
  "clientsecret",
  "connectionstring",
  "apikey",
  "accesskey",
  "key",
  "token",
  "sharedaccesskey",
  "primarykey",
  "secondarykey",
  "signature",
  "credential",
  "credentials",
]);

/** Does a key that dvsol does not know name a secret? */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[-_ ]/g, "");
  return SECRET_KEYS.has(k) || k.includes("secret") || k.includes("password") || /(^|sas|access|api|auth)(key|token)$/.test(k);
}

function secretHint(key: string): string {
  const k = key.toLowerCase().replace(/[-_ ]/g, "");
  if (k.startsWith("secure")) {
    return "Secure configuration is never part of a solution (Dataverse does not export it): set it in each environment after import, with the Plug-in Registration Tool or the Web API (sdkmessageprocessingstepsecureconfig).";
  }
  return "Solutions never carry endpoint secrets (Dataverse never exports SASKey, SASToken or AuthValue): set the key in each environment after import, with the Plug-in Registration Tool, the Web API (serviceendpoint table) or Key Vault configuration.";
}

// ---- "did you mean" --------------------------------------------------------------------------------------------

export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n]!;
}

/** The closest candidate (ignoring case, then by edit distance), when it is close enough to be a typo. */
export function suggest(word: string, candidates: readonly (string | number)[]): string | null {
  const w = word.toLowerCase();
  const names = candidates.map(String);
  const same = names.find((c) => c.toLowerCase() === w);
  if (same) return same;
  const squash = (s: string) => s.toLowerCase().replace(/[-_ ]/g, "");
  const squashed = names.find((c) => squash(c) === squash(word));
  if (squashed) return squashed;
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of names) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.ceil(w.length / 3));
  if (best !== null && bestD <= limit) return best;
  const prefix = names.filter((c) => c.toLowerCase().startsWith(w) || w.startsWith(c.toLowerCase()));
  return prefix.length === 1 ? prefix[0]! : null;
}

const didYouMean = (s: string | null) => (s === null ? "" : ` (did you mean "${s}"?)`);

// ---- the reader ----------------------------------------------------------------------------------------------

type Obj = { [k: string]: JsonValue };

class Reader {
  constructor(
    readonly doc: JsonDocument,
    readonly file: string | undefined,
  ) {}

  fail(path: string, message: string, opts: { key?: boolean; hint?: string } = {}): never {
    const p = opts.key ? this.doc.keyAt(path) : this.doc.valueAt(path);
    throw new DvsolError("REGISTRATION_INVALID", message, {
      file: this.file,
      line: p?.line,
      column: p?.column,
      path: path || "(root)",
      hint: opts.hint,
    });
  }

  object(v: JsonValue | undefined, path: string, what: string, known: readonly string[], extra: Record<string, string> = {}): Obj {
    if (v === null || typeof v !== "object" || Array.isArray(v)) this.fail(path, `${what} must be an object ({ ... }), not ${kindOf(v)}`);
    const o = v as Obj;
    for (const k of Object.keys(o)) {
      if ((known as readonly string[]).includes(k)) continue;
      const kp = joinPath(path, k);
      if (extra[k]) this.fail(kp, `"${k}" is not allowed in ${what}: ${extra[k]}`, { key: true });
      if (isSecretKey(k)) this.fail(kp, `"${k}" looks like a secret, and a registration file never holds secrets`, { key: true, hint: secretHint(k) });
      const s = suggest(k, known);
      this.fail(kp, `unknown key "${k}" in ${what}${didYouMean(s)}`, { key: true, hint: `Known keys: ${known.join(", ")}.` });
    }
    return o;
  }

  list(o: Obj, key: string, path: string): JsonValue[] {
    const v = o[key];
    if (v === undefined) return [];
    const p = joinPath(path, key);
    if (!Array.isArray(v)) this.fail(p, `"${key}" must be a list ([ ... ]), not ${kindOf(v)}`);
    return v as JsonValue[];
  }

  string(o: Obj, key: string, path: string, opts: { required?: boolean; pattern?: RegExp; patternText?: string; allowEmpty?: boolean } = {}): string | undefined {
    const v = o[key];
    const p = joinPath(path, key);
    if (v === undefined || v === null) {
      if (opts.required) this.fail(path, `"${key}" is required here`);
      if (v === null) this.fail(p, `"${key}" must be a string, not null (leave the key out instead)`);
      return undefined;
    }
    if (typeof v !== "string") this.fail(p, `"${key}" must be a string, not ${kindOf(v)}`);
    const s = v as string;
    if (!opts.allowEmpty && s.trim() === "") this.fail(p, `"${key}" must not be empty`);
    if (opts.pattern && !opts.pattern.test(s)) this.fail(p, `"${s}" is not a valid ${key}: ${opts.patternText ?? `it must match ${opts.pattern}`}`);
    return s;
  }

  boolean(o: Obj, key: string, path: string): boolean | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") this.fail(joinPath(path, key), `"${key}" must be true or false, not ${kindOf(v)}`);
    return v as boolean;
  }

  guid(o: Obj, key: string, path: string): string | undefined {
    const s = this.string(o, key, path);
    if (s === undefined) return undefined;
    const id = normId(s);
    if (!id) this.fail(joinPath(path, key), `"${s}" is not a GUID (such as "3f2504e0-4f89-11d3-9a0c-0305e82c3301")`);
    return id!;
  }

  enumOf<T extends string | number>(o: Obj, key: string, path: string, values: readonly T[], what: string): T | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    const p = joinPath(path, key);
    if ((values as readonly unknown[]).includes(v)) return v as T;
    const shown = values.map((x) => (typeof x === "string" ? `"${x}"` : String(x))).join(", ");
    if (typeof v !== "string" && typeof v !== "number") this.fail(p, `"${key}" must be one of ${shown}, not ${kindOf(v)}`);
    this.fail(p, `${JSON.stringify(v)} is not ${/^[aeiou]/i.test(what) ? "an" : "a"} ${what}: use ${shown}${didYouMean(suggest(String(v), values))}`);
  }

  strings(o: Obj, key: string, path: string, pattern: RegExp, patternText: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const items = this.list(o, key, path);
    items.forEach((v, i) => {
      const p = joinPath(joinPath(path, key), i);
      if (typeof v !== "string") this.fail(p, `each of "${key}" must be a string, not ${kindOf(v)}`);
      const s = (v as string).trim();
      if (!pattern.test(s)) this.fail(p, `"${v as string}" is not a valid name in "${key}": ${patternText}`);
      if (seen.has(s)) this.fail(p, `"${s}" is listed twice in "${key}"`);
      seen.add(s);
      out.push(s);
    });
    return out;
  }
}

function kindOf(v: JsonValue | undefined): string {
  if (v === undefined) return "missing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
  return `${typeof v === "number" ? "the number" : ""} ${JSON.stringify(v)}`.trim();
}

const LOGICAL_TEXT = "logical names are lowercase letters, digits and underscores, starting with a letter (e.g. account, contoso_invoice)";

function readStep(r: Reader, v: JsonValue, at: string, forEndpoint: boolean): RegStep {
  const extra: Record<string, string> = forEndpoint
    ? { type: "a step of an endpoint runs the endpoint; steps that run a plug-in type go under assemblies[].steps" }
    : { endpoint: "a step bound to a service endpoint goes under endpoints[].steps" };
  const o = r.object(v, at, "a step", forEndpoint ? ENDPOINT_STEP_KEYS : STEP_KEYS, extra);
  const type = forEndpoint ? undefined : r.string(o, "type", at, { required: true });
  const message = r.string(o, "message", at, { required: true, pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, patternText: "an SDK message name such as Create, Update or contoso_Approve" })!;
  const messageId = r.guid(o, "messageId", at);
  const entity = r.string(o, "entity", at, { pattern: LOGICAL_NAME, patternText: LOGICAL_TEXT }) ?? null;
  const secondaryEntity = o.secondaryEntity === "" ? "" : r.string(o, "secondaryEntity", at, { pattern: LOGICAL_NAME, patternText: LOGICAL_TEXT });
  const stageV = r.enumOf(o, "stage", at, STAGE_VALUES, "stage");
  if (stageV === undefined) r.fail(at, `"stage" is required here: prevalidation, preoperation or postoperation`);
  const stage = STAGE_NUMBER[String(stageV)]!;
  const mode = r.enumOf(o, "mode", at, MODE_VALUES, "mode") === "async" ? 1 : 0;
  let rank = 1;
  if (o.rank !== undefined) {
    const n = o.rank;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 2147483647) r.fail(joinPath(at, "rank"), `"rank" must be a whole number from 0 (the execution order), not ${kindOf(n)}`);
    rank = n as number;
  }
  const filteringAttributes = r.strings(o, "filteringAttributes", at, LOGICAL_NAME, LOGICAL_TEXT);
  const configuration = r.string(o, "configuration", at, { allowEmpty: true });
  const asyncAutoDelete = r.boolean(o, "asyncAutoDelete", at) ?? false;
  const deployment = r.enumOf(o, "deployment", at, DEPLOYMENT_VALUES, "deployment") ?? "server";
  const impersonatingUser = r.string(o, "impersonatingUser", at) ?? null;
  const enabled = r.boolean(o, "enabled", at);
  const id = r.guid(o, "id", at);
  const name = r.string(o, "name", at);
  const description = r.string(o, "description", at, { allowEmpty: true });

  // Rules the file alone decides (reference page, section 7), with the path of the value at fault.
  const lcMsg = message.toLowerCase();
  if (mode === 1 && stage !== 40) r.fail(joinPath(at, "mode"), `asynchronous steps run only in PostOperation; this one is in stage ${String(stageV)}`, { hint: `Use "stage": "postoperation", or "mode": "sync".` });
  if (asyncAutoDelete && mode !== 1) r.fail(joinPath(at, "asyncAutoDelete"), `"asyncAutoDelete" applies only to asynchronous steps ("mode": "async")`);
  if (filteringAttributes.length) {
    if (!FILTER_MESSAGES.has(lcMsg)) r.fail(joinPath(at, "filteringAttributes"), `filtering attributes apply only to Update (and OnExternalUpdated) steps, not ${message}`);
    if (!entity) r.fail(joinPath(at, "filteringAttributes"), `filtering attributes need a primary table ("entity")`);
  }

  const images: RegImage[] = [];
  const aliases = new Set<string>();
  r.list(o, "images", at).forEach((iv, k) => {
    const ip = joinPath(joinPath(at, "images"), k);
    const io = r.object(iv, ip, "an image", IMAGE_KEYS);
    const type = r.enumOf(io, "type", ip, IMAGE_TYPE_VALUES, "image type");
    if (type === undefined) r.fail(ip, `"type" is required here: pre, post or both`);
    let alias = r.string(io, "alias", ip, { pattern: ALIAS, patternText: "letters, digits and underscores (the plug-in reads the image by this name from PreEntityImages/PostEntityImages)" });
    if (alias === undefined) {
      if (type === "both") r.fail(ip, `an image of type "both" needs an "alias"`);
      alias = type === "pre" ? "PreImage" : "PostImage";
    }
    const attributes = r.strings(io, "attributes", ip, LOGICAL_NAME, LOGICAL_TEXT);
    const pre = type === "pre" || type === "both";
    const post = type === "post" || type === "both";
    if (!IMAGE_PROPERTY[lcMsg]) {
      r.fail(ip, `${message} does not support images: only Assign, Create, Delete, DeliverIncoming, DeliverPromote, Merge, Route, Send, SetState and Update do`, { hint: "Retrieve the data in the plug-in instead." });
    }
    if (pre && lcMsg === "create") r.fail(joinPath(ip, "type"), `a Create step has no pre-image (the row does not exist yet)`);
    if (post && lcMsg === "delete") r.fail(joinPath(ip, "type"), `a Delete step has no post-image (the row no longer exists)`);
    if (post && stage !== 40) r.fail(joinPath(ip, "type"), `post-images exist only in PostOperation; this step runs in stage ${String(stageV)}`);
    if (aliases.has(alias!.toLowerCase())) r.fail(joinPath(ip, "alias"), `the step already has an image with alias "${alias}"`);
    aliases.add(alias!.toLowerCase());
    images.push({ at: ip, alias: alias!, type: type!, attributes });
  });

  const step: RegStep = {
    at,
    message,
    entity,
    stage,
    mode,
    rank,
    filteringAttributes,
    configuration: configuration === undefined || configuration === "" ? null : configuration,
    asyncAutoDelete,
    deployment,
    impersonatingUser: impersonatingUser === null || impersonatingUser.trim() === "" ? null : impersonatingUser,
    images,
  };
  if (type !== undefined) step.type = type.trim();
  if (messageId !== undefined) step.messageId = messageId;
  if (secondaryEntity !== undefined) step.secondaryEntity = secondaryEntity;
  if (enabled !== undefined) step.enabled = enabled;
  if (id !== undefined) step.id = id;
  if (name !== undefined) step.name = name.trim();
  if (description !== undefined) step.description = description;
  return step;
}

function readAssemblyEntry(r: Reader, v: JsonValue, at: string): RegAssembly {
  const o = r.object(v, at, "an assembly", ASSEMBLY_KEYS);
  const path = r.string(o, "path", at, { required: true })!;
  if (!/\.dll$/i.test(path.trim())) r.fail(joinPath(at, "path"), `"${path}" is not a .dll: give the path of the compiled plug-in assembly`);
  const a: RegAssembly = {
    at,
    path: path.trim(),
    repoint: r.boolean(o, "repoint", at) ?? false,
    retireOld: r.boolean(o, "retireOld", at) ?? false,
    steps: r.list(o, "steps", at).map((s, i) => readStep(r, s, joinPath(joinPath(at, "steps"), i), false)),
  };
  const id = r.guid(o, "id", at);
  if (id !== undefined) a.id = id;
  const group = r.string(o, "activityGroup", at);
  if (group !== undefined) a.activityGroup = group;
  if (o.activityNames !== undefined) {
    const np = joinPath(at, "activityNames");
    const names = o.activityNames;
    if (names === null || typeof names !== "object" || Array.isArray(names)) r.fail(np, `"activityNames" must be an object of class name -> display name, not ${kindOf(names)}`);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(names as Obj)) {
      if (typeof val !== "string" || val.trim() === "") r.fail(joinPath(np, k), `the display name of ${k} must be a non-empty string`);
      out[k] = (val as string).trim();
    }
    a.activityNames = out;
  }
  return a;
}

function readEndpointEntry(r: Reader, v: JsonValue, at: string): RegEndpoint {
  const o = r.object(v, at, "an endpoint", ENDPOINT_KEYS);
  const e: RegEndpoint = {
    at,
    name: r.string(o, "name", at, { required: true })!.trim(),
    contract: r.enumOf(o, "contract", at, CONTRACT_VALUES, "contract") ?? r.fail(at, `"contract" is required here: ${CONTRACT_VALUES.join(", ")}`),
    steps: r.list(o, "steps", at).map((s, i) => readStep(r, s, joinPath(joinPath(at, "steps"), i), true)),
  };
  const id = r.guid(o, "id", at);
  if (id !== undefined) e.id = id;
  const set = (k: "description" | "namespace" | "path" | "sasKeyName" | "url") => {
    const s = r.string(o, k, at, { allowEmpty: k === "description" });
    if (s !== undefined) e[k] = s.trim();
  };
  set("description");
  set("namespace");
  set("path");
  set("sasKeyName");
  set("url");
  const auth = r.enumOf(o, "auth", at, AUTH_VALUES, "authentication type");
  if (auth !== undefined) e.auth = auth;
  const mf = r.enumOf(o, "messageFormat", at, MESSAGE_FORMAT_VALUES, "message format");
  if (mf !== undefined) e.messageFormat = mf;
  const uc = r.enumOf(o, "userClaim", at, USER_CLAIM_VALUES, "user claim");
  if (uc !== undefined) e.userClaim = uc;
  return e;
}

/** Parses and validates a registration file's text. */
export function parseRegistration(text: string, opts: { file?: string } = {}): Registration {
  let doc: JsonDocument;
  try {
    doc = parseJsonWithPositions(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw new DvsolError("REGISTRATION_INVALID", `not valid JSON: ${e.message}`, { file: opts.file, line: e.line, column: e.column, hint: "The registration file is JSON (no comments, no trailing commas); see templates/registration.example.json." });
    }
    throw e;
  }
  const r = new Reader(doc, opts.file);
  const top = r.object(doc.value, "", "the registration file", TOP_KEYS);
  if (top.$schema !== undefined) r.string(top, "$schema", "");
  if (top.assemblies === undefined && top.endpoints === undefined) {
    r.fail("", `the file describes nothing: give "assemblies" and/or "endpoints"`, { hint: "See templates/registration.example.json." });
  }
  const assemblies = r.list(top, "assemblies", "").map((v, i) => readAssemblyEntry(r, v, joinPath("assemblies", i)));
  const endpoints = top.endpoints === undefined ? null : r.list(top, "endpoints", "").map((v, i) => readEndpointEntry(r, v, joinPath("endpoints", i)));

  // Names and ids that must be unique across the file.
  const epNames = new Map<string, string>();
  for (const e of endpoints ?? []) {
    const k = e.name.toLowerCase();
    if (epNames.has(k)) r.fail(joinPath(e.at, "name"), `endpoint "${e.name}" is described twice (also at ${epNames.get(k)})`);
    epNames.set(k, e.at);
  }
  const ids = new Map<string, string>();
  const claim = (id: string | undefined, at: string) => {
    if (id === undefined) return;
    if (ids.has(id)) r.fail(joinPath(at, "id"), `the id ${id} is given twice (also at ${ids.get(id)})`);
    ids.set(id, at);
  };
  for (const a of assemblies) {
    claim(a.id, a.at);
    for (const s of a.steps) claim(s.id, s.at);
  }
  for (const e of endpoints ?? []) {
    claim(e.id, e.at);
    for (const s of e.steps) claim(s.id, s.at);
  }
  const reg: Registration = { assemblies, endpoints, where: (p) => doc.keyAt(p) };
  if (opts.file !== undefined) reg.file = opts.file;
  return reg;
}

/** A REGISTRATION_INVALID error at a JSON path of a parsed file (for checks that need the DLL or the solution). */
export function registrationError(reg: Registration, path: string, message: string, hint?: string): DvsolError {
  const p = reg.where(path);
  return new DvsolError("REGISTRATION_INVALID", message, { file: reg.file, line: p?.line, column: p?.column, path, hint });
}

/** The edit engine's option names as the registration file spells them. */
const FILE_KEY_OF_OPTION: Record<string, string> = {
  "--sas-key-name": `"sasKeyName"`,
  "--namespace": `"namespace"`,
  "--path": `"path"`,
  "--url": `"url"`,
  "--auth": `"auth"`,
  "--contract": `"contract"`,
  "--name": `"name"`,
  "--id": `"id"`,
  "--type": `"type"`,
  "--entity": `"entity"`,
  "--stage": `"stage"`,
  "--mode": `"mode"`,
  "--rank": `"rank"`,
  "--filter": `"filteringAttributes"`,
  "--message": `"message"`,
  "--message-id": `"messageId"`,
  "--async-auto-delete": `"asyncAutoDelete"`,
  "--image": `"images"`,
  "--impersonate": `"impersonatingUser"`,
  "--config": `"configuration"`,
  "--secondary-entity": `"secondaryEntity"`,
  "--repoint": `"repoint": true`,
  "--retire-old": `"retireOld": true`,
};

function fileWords(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  // Not inside `code`: commands quoted in a hint keep their options.
  return text
    .split("`")
    .map((part, i) => (i % 2 === 0 ? part.replace(/--[a-z][a-z-]*/g, (o) => FILE_KEY_OF_OPTION[o] ?? o) : part))
    .join("`");
}

/**
 * Adds the JSON path and the file position to an error raised while planning one entry of the file, and
 * speaks of the file's keys where the edit engine names command line options.
 */
export function atPath(reg: Registration, path: string, e: unknown): unknown {
  if (!(e instanceof DvsolError)) return e;
  if (e.location.path !== undefined || e.location.line !== undefined) return e;
  const p = reg.where(path);
  return new DvsolError(e.code, fileWords(e.message)!, { file: reg.file, line: p?.line, column: p?.column, path, hint: fileWords(e.hint), cause: e.cause });
}
