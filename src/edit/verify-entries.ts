/**
 * The check behind raw copies, shared by the verification worker (src/edit/verify-worker.ts) and its
 * in-process fallback: inflate each entry with the archive reader's own checks (size, CRC-32, bomb limits)
 * and record which ones fail and why. Nothing here writes.
 */
import type { ZipEntry, ZipReader } from "../archive/index.js";
import { DvsolError, isDvsolError } from "../errors.js";
import type { ErrorCode } from "../error-codes.js";

/** A failure as it crosses a thread boundary (DvsolError fields; anything else as a message). */
export interface EntryFailure {
  entry: string;
  code: ErrorCode | null;
  message: string;
  file?: string;
  hint?: string;
}

/** Which entries to check: `only` these names, or every file entry but those in `skip`. */
export interface EntrySelection {
  only?: readonly string[];
  skip?: readonly string[];
}

export function selectEntries(zip: ZipReader, sel: EntrySelection): ZipEntry[] {
  if (sel.only) return sel.only.map((n) => zip.get(n)).filter((e): e is ZipEntry => !!e && !e.isDirectory);
  const skip = new Set(sel.skip ?? []);
  return zip.entries.filter((e) => !e.isDirectory && !skip.has(e.name));
}

export function toFailure(entry: string, e: unknown): EntryFailure {
  if (isDvsolError(e)) return { entry, code: e.code, message: e.message, file: e.location.file, hint: e.hint };
  return { entry, code: null, message: e instanceof Error ? e.message : String(e) };
}

export function fromFailure(f: EntryFailure): Error {
  if (f.code === null) return new Error(f.message);
  return new DvsolError(f.code, f.message, { file: f.file, entry: f.entry, hint: f.hint });
}

/** Entries above this size are checked as a stream (constant memory), not inflated whole. */
const STREAM_CHECK_MIN = 8 * 1024 * 1024;

/**
 * Inflates and checks the entries one after another on this thread (synchronous reads for all but big entries:
 * this runs on a worker thread, or as the fallback). Entries over 8 MiB are streamed through the same checks,
 * so a 400 MB web resource costs no more memory than a small one. Returns the failures, in central directory
 * order.
 */
export async function verifyEntries(zip: ZipReader, entries: readonly ZipEntry[], stop?: () => boolean): Promise<EntryFailure[]> {
  const failures: EntryFailure[] = [];
  for (const e of entries) {
    if (stop?.()) break;
    try {
      if (e.size > STREAM_CHECK_MIN) {
        for await (const chunk of zip.stream(e)) void chunk;
      } else zip.readSync(e);
    } catch (err) {
      failures.push(toFailure(e.name, err));
    }
  }
  return failures;
}
