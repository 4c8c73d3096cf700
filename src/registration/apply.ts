/**
 * `dvsol apply`: read the registration file and its DLLs, plan the whole file against the solution
 * (planRegistration), apply and commit once through runEdit (lock, --dry-run, --out, atomic writes).
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { DvsolError } from "../errors.js";
import { readAssemblyFile, assertLoadable } from "../assembly/index.js";
import { runEdit, messageCatalog, type EditResult, type EditRunOptions } from "../edit/ops.js";
import { editJson, formatEditText, findingLine } from "../edit/format.js";
import { joinPath } from "./json.js";
import { parseRegistration, registrationError } from "./parse.js";
import { planRegistration, type RegistrationDll } from "./plan.js";
import type { RegAssembly, Registration } from "./types.js";

export interface ApplyOptions extends EditRunOptions {
  /** Remove what the file no longer lists (docs/registration.md, "Prune"). */
  prune?: boolean;
  /** Resolve the DLL paths of the file against this folder instead of the file's own folder. */
  assemblyDir?: string;
  /** Folders with referenced assemblies, to follow base classes. */
  refDirs?: string[];
}

export interface ApplyResult extends EditResult {
  /** The registration file. */
  registration: string;
  prune: boolean;
  /** The solution already is as the file describes: nothing changed, nothing written. */
  upToDate: boolean;
}

/** Reads and validates a registration file. */
export async function readRegistration(file: string): Promise<Registration> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DvsolError("INPUT_NOT_FOUND", `no such file: ${file}`, { file, hint: "Give the registration file (JSON); templates/registration.example.json is one to start from." });
    throw new DvsolError("INPUT_UNREADABLE", `cannot read ${file}: ${(e as Error).message}`, { file, cause: e });
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  return parseRegistration(text, { file });
}

/**
 * Where an entry's DLL is: relative paths start at the registration file's folder, or at --assembly-dir
 * (where the file's path is tried first, then its file name alone: a build output folder).
 */
export function resolveDllPath(reg: Registration, a: RegAssembly, registrationFile: string, assemblyDir?: string): string {
  const p = path.sep === "/" ? a.path.replace(/\\/g, "/") : a.path;
  const tried: string[] = [];
  if (path.isAbsolute(p)) tried.push(p);
  else if (assemblyDir !== undefined) tried.push(path.join(assemblyDir, p), path.join(assemblyDir, path.basename(p)));
  else tried.push(path.join(path.dirname(registrationFile), p));
  for (const t of tried) {
    if (existsSync(t) && statSync(t).isFile()) return t;
  }
  const unique = [...new Set(tried)];
  throw registrationError(
    reg,
    joinPath(a.at, "path"),
    `${a.path}: no such DLL (looked for ${unique.join(" and ")})`,
    assemblyDir === undefined
      ? "Build the plug-in project first; paths are relative to the registration file's folder (or pass --assembly-dir <build output>)."
      : "Build the plug-in project first, or point --assembly-dir at the folder that holds the DLL.",
  );
}

/** Applies a registration file to a solution (zip or folder). */
export async function applyRegistration(location: string, registrationFile: string, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const reg = await readRegistration(registrationFile);
  const dlls: RegistrationDll[] = [];
  for (const a of reg.assemblies) {
    const file = resolveDllPath(reg, a, registrationFile, opts.assemblyDir);
    const dll = await readFile(file);
    const info = await readAssemblyFile(file, { refDirs: opts.refDirs ?? [] });
    assertLoadable(info, file);
    dlls.push({ file, dll, info });
  }
  const messages = await messageCatalog();
  const prune = !!opts.prune;
  const r = await runEdit(location, (sol) => planRegistration(sol, reg, { dlls, messages, prune }), opts);
  return { ...r, registration: registrationFile, prune, upToDate: r.plan.changes.length === 0 && r.plan.files.length === 0 };
}

export function formatApplyText(r: ApplyResult): string {
  if (!r.upToDate) {
    const lines = formatEditText(r).split("\n");
    lines.splice(1, 0, `registration: ${r.registration}`);
    return lines.join("\n");
  }
  const L = [`${r.plan.operation}: ${r.solution} (${r.form})${r.dryRun ? " [dry run]" : ""}`, `registration: ${r.registration}`];
  if (r.plan.findings.length) {
    L.push("findings:");
    for (const f of r.plan.findings) L.push(`  ${findingLine(f)}`);
  }
  L.push(`up to date: the solution already is as ${path.basename(r.registration)} describes; nothing written`);
  return L.join("\n");
}

export function applyJson(r: ApplyResult): unknown {
  return { ...(editJson(r) as Record<string, unknown>), registration: r.registration, prune: r.prune, upToDate: r.upToDate };
}
