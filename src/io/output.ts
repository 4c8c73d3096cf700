/**
 * Apply: write a plan's files as a folder or a zip, atomically. Unchanged zip entries are copied as
 * compressed bytes; folder files are copied; only new or edited content is encoded.
 */
import { constants as fsConstants, copyFileSync, createWriteStream, mkdirSync, promises as fsp, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { Worker } from "node:worker_threads";
import { DvsolError } from "../errors.js";
import type { OutFile } from "../layout/engine.js";
import type { Precompressor } from "../archive/precompress.js";
import { produceFileAtomic, produceFolderAtomic } from "./atomic.js";

export interface WriteProgress {
  (done: number, total: number): void;
}

/** Checks an output path relative to the folder: no escape, no absolute path, no backslash. */
function safeRelative(p: string): string {
  if (!p || p.includes("\\") || p.includes("\0") || p.startsWith("/") || /^[a-zA-Z]:/.test(p) || p.split("/").some((s) => s === ".." || s === "." || s === "")) {
    throw new DvsolError("ZIP_UNSAFE_PATH", `refusing to write ${JSON.stringify(p)}: it would leave the output folder`, { entry: p });
  }
  return p;
}

/** Contents up to this size are written synchronously, here (see writeFilesInto). */
const SYNC_WRITE_MAX = 256 * 1024;
/** Zip entries above this size are streamed to disk, not inflated in memory. */
const STREAM_MIN = 8 * 1024 * 1024;
/** Uncompressed bytes of big entries held in memory at once (beyond one entry of any size). */
const WRITE_BUDGET = 64 * 1024 * 1024;

/** With fewer small files than this, one thread writes them all (a worker costs ~30 ms to start). */
const WORKER_MIN_FILES = 256;
/** Small files sent to a writer thread in one message. */
const BATCH_FILES = 48;
/** Batches queued on one writer thread before the main thread writes the next batch itself. */
const MAX_QUEUED = 3;

/** The writer thread: creates small files synchronously (CommonJS, run with `eval`: no file to find). */
const WRITER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const fs = require("node:fs");
parentPort.on("message", (m) => {
  let error = null;
  let n = 0;
  for (const f of m.files) {
    try {
      if (f.copy) fs.copyFileSync(f.copy, f.path, fs.constants.COPYFILE_EXCL);
      else fs.writeFileSync(f.path, f.bytes, { flag: "wx" });
      n++;
    } catch (e) {
      error = { message: e.message, code: e.code, path: f.path };
      break;
    }
  }
  parentPort.postMessage({ id: m.id, n, error });
});
`;

type SmallFile = { path: string; bytes?: Uint8Array; copy?: string };

/**
 * Creating a file costs a few hundred microseconds of kernel time on a busy disk, nearly all of it waiting:
 * two threads creating files take half the time of one (1,500 files: ~1.0 s -> ~0.55 s here). The main
 * thread keeps reading and inflating; batches of small files go to writer threads in turn with the main
 * thread itself, which writes a batch whenever the writers are busy.
 */
class SmallFileWriters {
  readonly #workers: { w: Worker; queued: number }[] = [];
  readonly #waiting = new Map<number, { resolve: () => void }>();
  #next = 0;
  #turn = 0;
  #batch: SmallFile[] = [];
  #error: Error | undefined;
  #pending = new Set<Promise<void>>();

  constructor(
    threads: number,
    private readonly onWritten: (n: number) => void,
  ) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(WRITER_SOURCE, { eval: true });
      const slot = { w, queued: 0 };
      w.on("message", (m: { id: number; n: number; error: { message: string; code?: string; path: string } | null }) => {
        slot.queued--;
        this.onWritten(m.n);
        if (m.error && !this.#error) this.#error = Object.assign(new Error(m.error.message), { code: m.error.code, path: m.error.path });
        this.#waiting.get(m.id)?.resolve();
        this.#waiting.delete(m.id);
      });
      w.on("error", (e) => {
        this.#error ??= e;
        for (const x of this.#waiting.values()) x.resolve();
        this.#waiting.clear();
      });
      this.#workers.push(slot);
    }
  }

  get error(): Error | undefined {
    return this.#error;
  }

  add(f: SmallFile): void {
    this.#batch.push(f);
    if (this.#batch.length >= BATCH_FILES) this.#flush();
  }

  #flush(): void {
    const files = this.#batch;
    if (!files.length) return;
    this.#batch = [];
    // Turns: each writer thread, then the main thread; a writer that is behind gives its turn to the main thread.
    const t = this.#turn++ % (this.#workers.length + 1);
    const slot = t < this.#workers.length ? this.#workers[t]! : undefined;
    if (!slot || slot.queued >= MAX_QUEUED || this.#error) {
      let n = 0;
      try {
        for (const f of files) {
          if (this.#error) break;
          if (f.copy) copyFileSync(f.copy, f.path, fsConstants.COPYFILE_EXCL);
          else writeFileSync(f.path, f.bytes!, { flag: "wx" });
          n++;
        }
      } finally {
        this.onWritten(n);
      }
      return;
    }
    const id = this.#next++;
    slot.queued++;
    const p = new Promise<void>((resolve) => this.#waiting.set(id, { resolve }));
    this.#pending.add(p);
    void p.then(() => this.#pending.delete(p));
    slot.w.postMessage({ id, files });
  }

  /** Writes what is left, waits for every thread, stops them; throws the first error. */
  async finish(): Promise<void> {
    try {
      if (!this.#error) this.#flush();
      await Promise.all(this.#pending);
    } finally {
      await Promise.all(this.#workers.map((s) => s.w.terminate()));
    }
    if (this.#error) throw this.#error;
  }
}

/**
 * Writes the files into `dir` (which exists and is empty).
 *
 * Small files (up to 256 KiB: nearly all of a solution) are written synchronously, in order: for a few KB the
 * thread-pool round trips of fs/promises (open, write, close; read and inflate for a zip entry) cost more
 * than the work, and creating inodes from several threads only contends in the kernel (the archive layer's
 * extractAll measured the same). Big ones go to the thread pool, `concurrency` at a time within a memory
 * budget, entries over 8 MiB streamed. After a failure nothing new starts, and the error is thrown only once
 * every write in flight has settled (the caller removes the folder next).
 */
export async function writeFilesInto(dir: string, files: OutFile[], opts: { concurrency?: number; onProgress?: WriteProgress } = {}): Promise<void> {
  const concurrency = Math.max(1, opts.concurrency ?? Math.max(2, os.availableParallelism()));
  const made = new Set<string>();
  // Folders first (each once, parents first), so that no write waits for one.
  for (const f of files) {
    const rel = safeRelative(f.path);
    const parent = path.dirname(path.join(dir, rel));
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
  }
  let done = 0;
  const finished = (n = 1): void => {
    if (n <= 0) return;
    done += n;
    opts.onProgress?.(done, files.length);
  };
  const isSmall = (f: OutFile): boolean => {
    const c = f.content;
    if (Buffer.isBuffer(c)) return c.length <= SYNC_WRITE_MAX;
    if (c.from.absPath) return c.from.size <= SYNC_WRITE_MAX;
    const e = c.from.zip && c.from.zipEntry ? c.from.zipEntry : null;
    return e !== null && e.size <= SYNC_WRITE_MAX && e.compressedSize <= SYNC_WRITE_MAX;
  };
  let smallCount = 0;
  for (const f of files) if (isSmall(f)) smallCount++;
  const threads = Math.min(4, Math.max(1, os.availableParallelism() - 1));
  const writers = smallCount >= WORKER_MIN_FILES ? new SmallFileWriters(threads, finished) : undefined;
  const running = new Set<Promise<void>>();
  let held = 0;
  let failure: { error: unknown } | undefined;
  let lastYield = performance.now();
  try {
    for (const f of files) {
      if (failure) break;
      const abs = path.join(dir, f.path);
      const c = f.content;
      const from = Buffer.isBuffer(c) ? null : c.from;
      const entry = from?.zip && from.zipEntry ? from.zipEntry : null;
      if (isSmall(f)) {
        if (writers) {
          if (writers.error) break;
          if (Buffer.isBuffer(c)) writers.add({ path: abs, bytes: c });
          else if (from!.absPath) writers.add({ path: abs, copy: from!.absPath });
          else writers.add({ path: abs, bytes: from!.zip!.readSync(entry!) });
        } else if (Buffer.isBuffer(c)) writeFileSync(abs, c, { flag: "wx" });
        else if (from!.absPath) copyFileSync(from!.absPath, abs, fsConstants.COPYFILE_EXCL);
        else writeFileSync(abs, from!.zip!.readSync(entry!), { flag: "wx" });
        if (!writers) finished();
        // Let finished pool work be written meanwhile.
        if ((running.size > 0 || writers) && performance.now() - lastYield > 4) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        }
        continue;
      }
      const streamed = !Buffer.isBuffer(c) && !c.from.absPath && !!c.from.stream && c.from.size > STREAM_MIN;
      const weight = Buffer.isBuffer(c) || c.from.absPath || streamed ? 0 : c.from.size;
      while (running.size > 0 && (running.size >= concurrency || held + weight > WRITE_BUDGET)) await Promise.race(running);
      if (failure) break;
      held += weight;
      const task = (async () => {
        try {
          if (Buffer.isBuffer(c)) await fsp.writeFile(abs, c, { flag: "wx" });
          else if (c.from.absPath) await fsp.copyFile(c.from.absPath, abs, fsp.constants?.COPYFILE_EXCL ?? 1);
          // Large entries are streamed, not buffered: memory stays bounded by the largest parsed document.
          else if (streamed) await pipeline(c.from.stream!(), createWriteStream(abs, { flags: "wx" }));
          else await fsp.writeFile(abs, await c.from.read(), { flag: "wx" });
          finished();
        } catch (e) {
          failure ??= { error: e };
        } finally {
          held -= weight;
        }
      })();
      running.add(task);
      void task.then(() => running.delete(task));
    }
  } catch (e) {
    failure ??= { error: e };
  }
  if (writers) {
    try {
      await writers.finish();
    } catch (e) {
      failure ??= { error: e };
    }
  }
  await Promise.all(running); // tasks never reject; nothing keeps writing after we return
  if (failure) throw failure.error;
}

export async function writeFolder(target: string, files: OutFile[], opts: { clobber: boolean; onProgress?: WriteProgress }): Promise<void> {
  await produceFolderAtomic(target, (tmp) => writeFilesInto(tmp, files, { onProgress: opts.onProgress }), { clobber: opts.clobber });
}

export async function writeZip(target: string, files: OutFile[], opts: { overwrite: boolean; onProgress?: WriteProgress; precompressor?: Precompressor }): Promise<void> {
  const { ZipWriter } = await import("../archive/index.js");
  await produceFileAtomic(
    target,
    async (tmp) => {
      const w = await ZipWriter.create(tmp, { precompressor: opts.precompressor });
      try {
        let done = 0;
        for (const f of files) {
          const c = f.content;
          if (Buffer.isBuffer(c)) w.add(f.path, c);
          else if (c.from.zipEntry && c.from.zip) w.addRaw(f.path, c.from.zip, c.from.zipEntry);
          else if (c.from.absPath) w.addFile(f.path, c.from.absPath);
          else w.add(f.path, await c.from.read());
          opts.onProgress?.(++done, files.length);
        }
        await w.finish();
      } catch (e) {
        await w.abort();
        throw e;
      }
    },
    { overwrite: opts.overwrite },
  );
}

