/**
 * Errors a user can cause. Every one carries a stable code from ERROR_CODES (the one list of them),
 * says what is wrong, where (file, entry, line, column, element path) and what to do.
 * The CLI prints them without a stack trace and exits 2.
 */
import { ERROR_CODES, type ErrorCode } from "./error-codes.js";

export interface ErrorLocation {
  /** File on disk (zip, folder or file) the problem is in. */
  file?: string;
  /** Entry inside a zip, or path relative to an unpacked folder. */
  entry?: string;
  line?: number;
  column?: number;
  /** Element path such as /ImportExportXml/SolutionManifest/Version. */
  path?: string;
}

export interface DvsolErrorOptions extends ErrorLocation {
  /** What the user can do about it; defaults to the catalogue's hint for the code. */
  hint?: string;
  cause?: unknown;
}

export class DvsolError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly hint: string | undefined;
  /** Exit code: 2 for every user-facing error. */
  readonly exitCode = 2;

  constructor(code: ErrorCode, message: string, options: DvsolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DvsolError";
    this.code = code;
    const { hint, cause: _cause, ...location } = options;
    this.location = location;
    this.hint = hint ?? ERROR_CODES[code]?.hint;
  }

  /** A copy of this error with more location filled in (outer layers know the file, inner ones the line). */
  withLocation(loc: ErrorLocation): DvsolError {
    const merged = { ...loc, ...stripUndefined(this.location) };
    const e = new DvsolError(this.code, this.message, { ...merged, hint: this.hint, cause: this.cause });
    return e;
  }

  /** "file!entry:line:column" as editors and CI annotate it. */
  where(): string {
    const l = this.location;
    let s = l.file ?? "";
    if (l.entry) s += (s ? "!" : "") + l.entry;
    if (l.line !== undefined) s += `:${l.line}` + (l.column !== undefined ? `:${l.column}` : "");
    return s;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...stripUndefined(this.location), hint: this.hint };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export function isDvsolError(e: unknown): e is DvsolError {
  return e instanceof DvsolError;
}

/** One line (or a few) for a terminal: "error DVSOL_X: message\n  at file:line\n  hint: ..." */
export function formatError(e: DvsolError): string {
  const lines = [`error ${e.code}: ${e.message}`];
  const where = e.where();
  if (where) lines.push(`  at ${where}` + (e.location.path ? ` (${e.location.path})` : ""));
  else if (e.location.path) lines.push(`  at ${e.location.path}`);
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  return lines.join("\n");
}
