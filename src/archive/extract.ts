/**
 * Writing a whole archive to a folder, and a folder's files into a writer. The safe way to put zip entries
 * on disk: names validated again, every folder created by us, files created with O_CREAT|O_EXCL ('wx') so
 * nothing existing (and no symbolic link) is followed or overwritten.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as nodePath from "node:path";
import { pipeline } from "node:stream/promises";
import { DvsolError, isDvsolError } from "../errors.js";
import { validateEntryName, showName } from "./names.js";
import { type ZipEntry, type ZipReader, type ZipWriter, type ZipAddOptions } from "./zip.js";

export interface ExtractProgress {
  /** Entries written so far (this one included). */
  done: number;
  total: number;
  entry: ZipEntry;
  /** Uncompressed bytes written so far. */
  bytes: number;
}

export interface ExtractOptions {
  /** Entries inflated and written at once; default os.availableParallelism(). */
  concurrency?: number;
  onProgress?: (p: ExtractProgress) => void;
}

export interface ExtractResult {
  files: number;
  directories: number;
  bytes: number;
}

/** Entries above this size are streamed to disk instead of inflated in memory. */
const STREAM_ENTRY_THRESHOLD = 16 * 1024 * 1024;
/** Uncompressed bytes of entries held in memory at once (beyond one entry of any size). */
const EXTRACT_BUDGET = 64 * 1024 * 1024;
/** Entries up to this size (and compressed size) are read, inflated and written synchronously. */
const SYNC_ENTRY_MAX = 256 * 1024;

/**
 * Writes every entry of `reader` under `destDir`, which must be empty or not exist (it is created). On error
 * the folder keeps what was written so far; callers that created it remove it.
 *
 * Small entries (up to 256 KiB) are read, inflated and written synchronously, while big ones inflate on the
 * thread pool, `concurrency` at a time: for a few KB the thread-pool round trips (read, inflate, open,
 * write, close) cost more CPU than the work, and creating inodes from several threads only contends in the
 * kernel (measured on the CoE tree). Folders are created once each, parents first.
 */
export async function extractAll(reader: ZipReader, destDir: string, opts: ExtractOptions = {}): Promise<ExtractResult> {
  const concurrency = opts.concurrency ?? os.availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`concurrency must be a positive integer, got ${concurrency}`);
  await fsp.mkdir(destDir, { recursive: true });
  const root = await fsp.realpath(destDir);
  if ((await fsp.readdir(root)).length > 0)
    throw new DvsolError("OUTPUT_NOT_EMPTY", `The output folder ${destDir} is not empty.`, { file: destDir });

  const made = new Set<string>([""]);
  /** mkdir of each folder once, parents first; an existing folder is accepted only if it is a real folder. */
  const ensureDir = (rel: string): void => {
    if (made.has(rel)) return;
    const slash = rel.lastIndexOf("/");
    ensureDir(slash < 0 ? "" : rel.slice(0, slash));
    const abs = nodePath.join(root, ...rel.split("/"));
    try {
      fs.mkdirSync(abs);
    } catch (e) {
      // Folders differing by case ("A/x", "a/y") meet on case-insensitive file systems.
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || !fs.lstatSync(abs).isDirectory())
        throw new DvsolError("OUTPUT_NOT_EMPTY", `Cannot create folder ${abs}: ${(e as Error).message}`, { file: abs, entry: rel, cause: e });
    }
    made.add(rel);
  };

  const entries = reader.entries;
  const total = entries.length;
  const result: ExtractResult = { files: 0, directories: 0, bytes: 0 };
  let done = 0;
  const finished = (entry: ZipEntry) => {
    if (!entry.isDirectory) {
      result.files++;
      result.bytes += entry.size;
    } else result.directories++;
    done++;
    opts.onProgress?.({ done, total, entry, bytes: result.bytes });
  };
  const collision = (e: unknown, entry: ZipEntry, abs: string): unknown =>
    (e as NodeJS.ErrnoException).code === "EEXIST"
      ? new DvsolError("ZIP_DUPLICATE_ENTRY", `Entry ${showName(entry.name)} collides with a file already written to ${abs}.`, {
          file: reader.file,
          entry: entry.name,
          cause: e,
        })
      : e;

  // Big entries go to the thread pool (several at once, within a memory budget); small ones are done
  // right here, synchronously, between them.
  const running = new Set<Promise<void>>();
  let held = 0;
  let failure: { error: unknown } | undefined;
  let lastYield = performance.now();
  const loop = async () => {
    for (const entry of entries) {
      if (failure) break;
      const name = entry.name;
      try {
        validateEntryName(name);
      } catch (e) {
        throw isDvsolError(e) ? e.withLocation({ file: reader.file }) : e;
      }
      const rel = entry.isDirectory ? name.slice(0, -1) : name;
      const abs = nodePath.join(root, ...rel.split("/"));
      const back = nodePath.relative(root, abs);
      if (back === "" || back.startsWith("..") || nodePath.isAbsolute(back))
        throw new DvsolError("ZIP_UNSAFE_PATH", `Entry ${showName(name)} would be written outside ${destDir}.`, { file: reader.file, entry: name });
      if (entry.isDirectory) {
        ensureDir(rel);
        finished(entry);
        continue;
      }
      const slash = rel.lastIndexOf("/");
      ensureDir(slash < 0 ? "" : rel.slice(0, slash));
      if (entry.size <= SYNC_ENTRY_MAX && entry.compressedSize <= SYNC_ENTRY_MAX) {
        try {
          fs.writeFileSync(abs, reader.readSync(entry), { flag: "wx" });
        } catch (e) {
          throw collision(e, entry, abs);
        }
        finished(entry);
        // Let finished pool work be written meanwhile.
        if (running.size > 0 && performance.now() - lastYield > 4) {
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
        }
        continue;
      }
      const streamed = entry.size > STREAM_ENTRY_THRESHOLD;
      const weight = streamed ? 0 : entry.size + entry.compressedSize;
      while (running.size > 0 && (running.size >= concurrency || held + weight > EXTRACT_BUDGET)) await Promise.race(running);
      if (failure) break;
      held += weight;
      const task = (async () => {
        try {
          if (streamed) await pipeline(reader.stream(entry), fs.createWriteStream(abs, { flags: "wx" }));
          else fs.writeFileSync(abs, await reader.read(entry), { flag: "wx" });
          finished(entry);
        } catch (e) {
          failure ??= { error: collision(e, entry, abs) };
        } finally {
          held -= weight;
        }
      })();
      running.add(task);
      void task.then(() => running.delete(task));
    }
  };
  try {
    await loop();
  } finally {
    await Promise.all(running); // tasks never reject; nothing keeps writing after we return
  }
  if (failure) throw failure.error;
  return result;
}

export interface FolderFile {
  /** Entry name (forward slashes, relative). */
  name: string;
  /** File on disk. */
  path: string;
}

/** Adds each file to the writer in the order given (sort first for a deterministic archive). */
export function packFolderEntries(writer: ZipWriter, files: readonly FolderFile[], opts?: ZipAddOptions): number {
  for (const f of files) writer.addFile(f.name, f.path, opts);
  return files.length;
}
