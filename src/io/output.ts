/**
 * Apply: write a plan's files as a folder or a zip, atomically. Unchanged zip entries are copied as
 * compressed bytes; folder files are copied; only new or edited content is encoded.
 */
import { createWriteStream, promises as fsp } from "node:fs";
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

/**
 * Runs fn over the items, `concurrency` at a time. After a failure no new item starts, and the first error is
 * thrown only once every running item has settled: the caller removes the output folder next, and a write
 * still in flight would put a file back into it (a failed unpack left its temp folder behind; found by
 * bench/fuzz.mjs).
 */
async function runPool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (!failure) {
      const i = next++;
      if (i >= items.length) return;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  });
  await Promise.all(workers);
  if (failure) throw failure.error;
}

/** Writes the files into `dir` (which exists and is empty). */
export async function writeFilesInto(dir: string, files: OutFile[], opts: { concurrency?: number; onProgress?: WriteProgress } = {}): Promise<void> {
  const made = new Set<string>();
  // Create folders first (sequentially, cheap), then write files concurrently.
  for (const f of files) {
    const rel = safeRelative(f.path);
    const parent = path.dirname(path.join(dir, rel));
    if (!made.has(parent)) {
      await fsp.mkdir(parent, { recursive: true });
      made.add(parent);
    }
  }
  let done = 0;
  await runPool(files, opts.concurrency ?? 8, async (f) => {
    const abs = path.join(dir, f.path);
    const c = f.content;
    if (Buffer.isBuffer(c)) await fsp.writeFile(abs, c, { flag: "wx" });
    else if (c.from.absPath) await fsp.copyFile(c.from.absPath, abs, fsp.constants?.COPYFILE_EXCL ?? 1);
    else if (c.from.stream && c.from.size > 8 * 1024 * 1024) {
      // Large entries are streamed, not buffered: memory stays bounded by the largest parsed document.
      await pipeline(c.from.stream(), createWriteStream(abs, { flags: "wx" }));
    } else await fsp.writeFile(abs, await c.from.read(), { flag: "wx" });
    done++;
    opts.onProgress?.(done, files.length);
  });
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

