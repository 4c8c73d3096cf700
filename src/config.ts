/**
 * dvsol.config.json: per-rule and per-component policy for findings, shared by every command that
 * reports findings (check, impact, edits).
 *
 * ```json
 * {
 *   "rules": {
 *     "STEP_UPDATE_NO_FILTER": "off",
 *     "IMAGE_ALL_COLUMNS": "error",
 *     "STEP_IMPERSONATION": { "severity": "off", "components": ["{0f6a...}", "Contoso.Plugins.Audit: Update of account"] },
 *     "STEP_SAME_RANK": ["warning", { "severity": "off", "components": ["Legacy step"] }]
 *   }
 * }
 * ```
 * A setting with `components` applies only to findings about those components (matched by id, with or
 * without braces, or by name, case-insensitively); a setting without applies to every finding of the code.
 * For one finding, component-specific settings win over general ones; among equals, the last one wins.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DvsolError } from "./errors.js";
import type { Finding, Severity } from "./findings/types.js";

export const CONFIG_FILE = "dvsol.config.json";

export type RuleLevel = "off" | Severity;
export const RULE_LEVELS: readonly RuleLevel[] = ["off", "error", "warning", "info"];

export interface RuleSetting {
  severity: RuleLevel;
  /** Component ids or names; absent: every component. */
  components?: string[];
}

export interface DvsolConfig {
  /** The file read, or null when there was none. */
  path: string | null;
  rules: Record<string, RuleSetting[]>;
}

export const EMPTY_CONFIG: DvsolConfig = Object.freeze({ path: null, rules: Object.freeze({}) }) as DvsolConfig;

const TOP_LEVEL_KEYS = new Set(["$schema", "rules"]);

/**
 * Reads `explicitPath` (the --config option) or, without it, `dvsol.config.json` in `cwd` when present.
 * Throws INPUT_NOT_FOUND for a missing --config file and CONFIG_INVALID (naming the key) for an invalid one.
 */
export async function loadConfig(cwd: string, explicitPath?: string): Promise<DvsolConfig> {
  const file = explicitPath ? path.resolve(cwd, explicitPath) : path.join(cwd, CONFIG_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !explicitPath) return { path: null, rules: {} };
    if (code === "ENOENT") throw new DvsolError("INPUT_NOT_FOUND", `config file ${explicitPath} does not exist`, { file: explicitPath });
    if (code === "EISDIR") throw new DvsolError("CONFIG_INVALID", `${explicitPath ?? CONFIG_FILE} is a folder, not a JSON file`, { file });
    throw new DvsolError("INPUT_UNREADABLE", `cannot read ${file}: ${(e as Error).message}`, { file });
  }
  return { ...parseConfig(text, explicitPath ?? CONFIG_FILE), path: file };
}

/** Parses and validates the text of a config file (`file` is named in errors and becomes `path`). */
export function parseConfig(text: string, file: string): DvsolConfig {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where: { line?: number; column?: number } = {};
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      where.line = before.split("\n").length;
      where.column = before.length - before.lastIndexOf("\n");
    }
    throw new DvsolError("CONFIG_INVALID", `${file} is not valid JSON: ${msg}`, { file, ...where });
  }
  const bad = (key: string, what: string): DvsolError => new DvsolError("CONFIG_INVALID", `${file}: ${key} ${what}`, { file, path: key });
  if (!isObject(raw)) throw bad("(top level)", "must be a JSON object such as { \"rules\": { ... } }");
  for (const k of Object.keys(raw)) if (!TOP_LEVEL_KEYS.has(k)) throw bad(k, `is not a setting dvsol knows (expected: ${[...TOP_LEVEL_KEYS].join(", ")})`);
  const rules: Record<string, RuleSetting[]> = {};
  if (raw.rules !== undefined) {
    if (!isObject(raw.rules)) throw bad("rules", "must be an object that maps finding codes to settings");
    for (const [code, value] of Object.entries(raw.rules)) {
      const key = `rules.${code}`;
      if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code)) throw bad(key, "is not a finding code (codes look like STEP_UPDATE_NO_FILTER)");
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0) throw bad(key, "is an empty list");
      rules[code] = list.map((v, i) => ruleSetting(v, Array.isArray(value) ? `${key}[${i}]` : key, bad));
    }
  }
  return { path: file, rules };
}

function ruleSetting(v: unknown, key: string, bad: (key: string, what: string) => DvsolError): RuleSetting {
  const levels = RULE_LEVELS.map((l) => `"${l}"`).join(", ");
  if (typeof v === "string") {
    if (!RULE_LEVELS.includes(v as RuleLevel)) throw bad(key, `is ${JSON.stringify(v)}; use one of ${levels}`);
    return { severity: v as RuleLevel };
  }
  if (!isObject(v)) throw bad(key, `must be one of ${levels} or { "severity": ..., "components": [...] }`);
  for (const k of Object.keys(v)) if (k !== "severity" && k !== "components") throw bad(`${key}.${k}`, "is not a rule setting (expected: severity, components)");
  if (typeof v.severity !== "string" || !RULE_LEVELS.includes(v.severity as RuleLevel)) throw bad(`${key}.severity`, `must be one of ${levels}`);
  const out: RuleSetting = { severity: v.severity as RuleLevel };
  if (v.components !== undefined) {
    if (!Array.isArray(v.components) || v.components.length === 0 || !v.components.every((c) => typeof c === "string" && c.trim() !== "")) {
      throw bad(`${key}.components`, "must be a non-empty list of component ids or names");
    }
    out.components = v.components.map((c) => (c as string).trim());
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Throws CONFIG_INVALID for a rule code no loaded area defines (a typo silently does nothing otherwise). */
export function validateRuleCodes(config: DvsolConfig, knownCodes: readonly string[]): void {
  const known = new Set(knownCodes);
  for (const code of Object.keys(config.rules)) {
    if (known.has(code)) continue;
    const near = closest(code, knownCodes);
    throw new DvsolError("CONFIG_INVALID", `${config.path ?? CONFIG_FILE}: rules.${code} is not a finding code dvsol knows` + (near ? ` (did you mean ${near}?)` : ""), {
      file: config.path ?? undefined,
      path: `rules.${code}`,
      hint: "See docs/findings/README.md for the list of codes.",
    });
  }
}

function closest(code: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(code, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(code.length / 5)) ? best : null;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

const normKey = (v: string): string => v.trim().replace(/^\{(.*)\}$/, "$1").toLowerCase();

function matchesComponent(f: Finding, components: readonly string[]): boolean {
  const c = f.component;
  if (!c) return false;
  const keys = [c.id, c.name].filter((x): x is string => !!x).map(normKey);
  return components.some((x) => keys.includes(normKey(x)));
}

/** The setting that applies to one finding, or undefined. */
export function settingFor(f: Finding, config: DvsolConfig): RuleSetting | undefined {
  const list = config.rules[f.code];
  if (!list) return undefined;
  let general: RuleSetting | undefined;
  let specific: RuleSetting | undefined;
  for (const s of list) {
    if (!s.components) general = s;
    else if (matchesComponent(f, s.components)) specific = s;
  }
  return specific ?? general;
}

/** Applies the config: drops findings turned off, sets the configured severity. Order is kept. */
export function applyConfig(findings: readonly Finding[], config: DvsolConfig | undefined | null): Finding[] {
  if (!config || Object.keys(config.rules).length === 0) return [...findings];
  const out: Finding[] = [];
  for (const f of findings) {
    const s = settingFor(f, config);
    if (!s) out.push(f);
    else if (s.severity !== "off") out.push(s.severity === f.severity ? f : { ...f, severity: s.severity });
  }
  return out;
}

/**
 * Loads every area's finding definitions (each area registers its codes in a `findings` module next to
 * its code), so that a config can be checked against every code dvsol knows. Returns the sorted codes.
 */
export async function knownFindingCodes(): Promise<string[]> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ext = path.extname(fileURLToPath(import.meta.url)) || ".js";
  const files: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    if (depth > 3) return;
    let ents;
    try {
      ents = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) await walk(path.join(dir, e.name), depth + 1);
      else if (e.name === `findings${ext}`) files.push(path.join(dir, e.name));
    }
  }
  await walk(here, 0);
  for (const f of files) await import(pathToFileURL(f).href);
  const { allFindingCodes } = await import("./findings/catalog.js");
  return allFindingCodes();
}
