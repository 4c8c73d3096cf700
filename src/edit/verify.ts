/**
 * Verification of the entries an edit copies raw. Raw copies keep their bytes, and so would keep their
 * damage: each one is inflated with the archive reader's checks (size, CRC-32, bomb limits), so that an
 * edit refuses a damaged zip instead of writing a new one that fails at import
 * (test/reliability/zip.test.ts).
 *
 * The work runs on a worker thread with its own file descriptor, started as soon as the zip is open, so it
 * overlaps parsing, planning and writing; commit waits for it before the result is renamed into place.
 * Where a worker cannot start, the same check runs on this thread.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ZipLimits, ZipReader } from "../archive/index.js";
import { fromFailure, selectEntries, verifyEntries, type EntryFailure, type EntrySelection } from "./verify-entries.js";

export interface RawVerification {
  /** Entries it leaves out (the caller read them through the reader, which checked them). */
  readonly skipped: ReadonlySet<string>;
  /** Failures by entry name. */
  readonly done: Promise<Map<string, Error>>;
  /** Where the check ran (or runs): a worker thread, or this thread when no worker could do it. */
  readonly via: "worker" | "this thread";
  /** Stops the work (the result is no longer needed). */
  cancel(): Promise<void>;
}

/** The compiled worker; none when running from the TypeScript sources (tsx does not load a worker's .ts). */
function workerUrl(): URL | null {
  const u = new URL("./verify-worker.js", import.meta.url);
  return existsSync(fileURLToPath(u)) ? u : null;
}

function collect(failures: EntryFailure[]): Map<string, Error> {
  const m = new Map<string, Error>();
  for (const f of failures) if (!m.has(f.entry)) m.set(f.entry, fromFailure(f));
  return m;
}

/**
 * Starts verifying the entries of `zip` (the reader of the solution at `file`) selected by `sel` on a worker
 * thread; where none can start, they are checked on this thread when `done` is first asked for.
 */
export function startRawVerification(zip: ZipReader, file: string, limits: Partial<ZipLimits> | undefined, sel: EntrySelection): RawVerification {
  const skipped = new Set(sel.only ? [] : (sel.skip ?? []));
  const inProcess = () => Promise.resolve().then(async () => collect(await verifyEntries(zip, selectEntries(zip, sel))));
  const url = workerUrl();
  // On this thread the check runs when commit asks for it (not while the model is being read).
  const here = (): RawVerification => {
    let done: Promise<Map<string, Error>> | undefined;
    return {
      skipped,
      get done() {
        return (done ??= inProcess());
      },
      via: "this thread",
      cancel: async () => {},
    };
  };
  if (!url) return here();
  let worker: Worker | null;
  try {
    worker = new Worker(url, { workerData: { file, limits, only: sel.only, skip: sel.skip } });
  } catch {
    return here();
  }
  let via: RawVerification["via"] = "worker";
  let cancelled = false;
  const done = new Promise<Map<string, Error>>((resolve, reject) => {
    let settled = false;
    worker!.once("message", (msg: { failures?: EntryFailure[]; fatal?: EntryFailure }) => {
      settled = true;
      // The worker could not read the archive this thread opened (out of file descriptors...): check it here.
      if (msg.fatal) {
        via = "this thread";
        inProcess().then(resolve, reject);
      } else resolve(collect(msg.failures ?? []));
    });
    // A worker that dies without an answer (cannot load, out of memory): do the work here instead.
    const fallback = () => {
      if (settled) return;
      settled = true;
      via = "this thread";
      if (cancelled) resolve(new Map());
      else inProcess().then(resolve, reject);
    };
    worker!.once("error", fallback);
    worker!.once("exit", fallback);
  });
  done.catch(() => {}); // awaited by commit; an unused result must not become an unhandled rejection
  return {
    skipped,
    done,
    get via() {
      return via;
    },
    cancel: async () => {
      cancelled = true;
      const w = worker;
      worker = null;
      await w?.terminate();
    },
  };
}
