/**
 * Apply: write a plan's files as a folder or a zip, atomically. Unchanged zip entries are copied as
 * compressed bytes; folder files are copied; only new or edited content is encoded.
 */
import { constants as fsConstants, copyFileSync, createWriteStream, mkdirSync, promises as fsp, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { DvsolError } from "../errors.js";
import type { OutFile } from "../layout/engine.js";
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
  const finished = (): void => {
    done++;
    opts.onProgress?.(done, files.length);
  };
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
      if (Buffer.isBuffer(c) ? c.length <= SYNC_WRITE_MAX : from!.absPath ? from!.size <= SYNC_WRITE_MAX : entry !== null && entry.size <= SYNC_WRITE_MAX && entry.compressedSize <= SYNC_WRITE_MAX) {
        if (Buffer.isBuffer(c)) writeFileSync(abs, c, { flag: "wx" });
        else if (from!.absPath) copyFileSync(from!.absPath, abs, fsConstants.COPYFILE_EXCL);
        else writeFileSync(abs, from!.zip!.readSync(entry!), { flag: "wx" });
        finished();
        // Let finished pool work be written meanwhile.
        if (running.size > 0 && performance.now() - lastYield > 4) {
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
  await Promise.all(running); // tasks never reject; nothing keeps writing after we return
  if (failure) throw failure.error;
}

export async function writeFolder(target: string, files: OutFile[], opts: { clobber: boolean; onProgress?: WriteProgress }): Promise<void> {
  await produceFolderAtomic(target, (tmp) => writeFilesInto(tmp, files, { onProgress: opts.onProgress }), { clobber: opts.clobber });
}

export async function writeZip(target: string, files: OutFile[], opts: { overwrite: boolean; onProgress?: WriteProgress }): Promise<void> {
  const { ZipWriter } = await import("../archive/index.js");
  await produceFileAtomic(
    target,
    async (tmp) => {
      const w = await ZipWriter.create(tmp);
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

