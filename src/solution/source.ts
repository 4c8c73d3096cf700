/**
 * Read: a solution zip or an unpacked folder becomes a list of files. Nothing here knows what the
 * files mean; src/model reads them. Zip entries are read lazily (positional reads), so opening a
 * large solution costs its central directory, not its size.
 */
import { promises as fsp, constants as fsc, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { DvsolError } from "../errors.js";
import type { ZipEntry, ZipLimits, ZipReader } from "../archive/index.js";

/** Folder files up to this size are read synchronously. */
const SYNC_READ_MAX = 1024 * 1024;

export type SolutionForm = "zip" | "folder";

export interface SolutionFile {
  /** Zip entry name, or path relative to the folder with forward slashes. */
  readonly path: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
  read(): Promise<Buffer>;
  /** Set for zip entries: lets a writer copy the compressed bytes without inflating them. */
  readonly zipEntry?: ZipEntry;
  /** The reader a zip entry belongs to. */
  readonly zip?: ZipReader;
  /** Streams the content (zip entries: inflating, with the archive's checks). */
  stream?(): NodeJS.ReadableStream;
  /** Set for folder files. */
  readonly absPath?: string;
}

export interface SolutionSource {
  readonly form: SolutionForm;
  /** The path as the user gave it. */
  readonly location: string;
  readonly files: readonly SolutionFile[];
  /** Exact path lookup. */
  get(p: string): SolutionFile | undefined;
  /** Case-insensitive lookup (Windows-made zips and folders vary in case). */
  find(p: string): SolutionFile | undefined;
  readonly zip?: ZipReader;
  close(): Promise<void>;
}

export interface OpenOptions {
  limits?: Partial<ZipLimits>;
}

/** A path with a segment starting with "." (.git, .vscode, .gitignore): not part of a solution. */
export function isHiddenPath(p: string): boolean {
  return p.split("/").some((seg) => seg.startsWith("."));
}

export async function openSource(location: string, opts: OpenOptions = {}): Promise<SolutionSource> {
  let st;
  try {
    st = await fsp.stat(location);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new DvsolError("INPUT_NOT_FOUND", `${location} does not exist`, { file: location });
    throw new DvsolError("INPUT_UNREADABLE", `cannot read ${location}: ${(e as Error).message}`, { file: location });
  }
  if (st.isDirectory()) return openFolder(location);
  if (st.isFile()) return openZip(location, opts);
  throw new DvsolError("INPUT_NOT_SOLUTION", `${location} is neither a file nor a folder`, { file: location });
}

async function openZip(location: string, opts: OpenOptions): Promise<SolutionSource> {
  const { ZipReader } = await import("../archive/index.js");
  const zip = await ZipReader.open(location, { limits: opts.limits });
  const files: SolutionFile[] = zip.entries
    .filter((e) => !e.isDirectory)
    .map((e) => ({ path: e.name, size: e.size, zipEntry: e, zip, read: () => zip.read(e), stream: () => zip.stream(e) }));
  return makeSource("zip", location, files, zip);
}

/**
 * Lists a folder's files in a stable (sorted) order; refuses links that lead outside it (SYMLINK_OUTSIDE),
 * links that dangle or loop, names that are not valid UTF-8, and FIFOs, sockets and devices (which would
 * block or mean nothing in a solution) with INPUT_UNREADABLE. Inside hidden folders (.git) such entries
 * are skipped: pack ignores hidden files anyway.
 */
export async function listFolder(root: string): Promise<{ rel: string; abs: string; size: number }[]> {
  const out: { rel: string; abs: string; size: number }[] = [];
  const realRoot = await fsp.realpath(root);
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + path.sep);
  const unreadable = (r: string, why: string, hint = "Replace it with the file or folder itself, or remove it.") => new DvsolError("INPUT_UNREADABLE", `${r} ${why}`, { file: root, entry: r, hint });
  /** `real`: the real paths of the folders being walked (a link to one of them is a loop). */
  async function walk(dir: string, rel: string, real: string[]): Promise<void> {
    let ents;
    try {
      // Synchronous on purpose (also the stat of each file below): for the 15,000 files of a large solution,
      // thread-pool round trips cost far more than the calls themselves.
      ents = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      throw new DvsolError("INPUT_UNREADABLE", `cannot read folder ${dir}: ${(e as Error).message}`, { file: dir });
    }
    ents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of ents) {
      const abs = path.join(dir, ent.name);
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.name.startsWith(".dvsol-")) continue; // our own lock and temp files
      const hidden = isHiddenPath(r);
      if (ent.name.includes("\uFFFD") && !(await fsp.lstat(abs).catch(() => null))) {
        // readdir decoded bytes that are not UTF-8 as U+FFFD: the name cannot be opened, zipped or shown.
        if (hidden) continue;
        throw unreadable(r, "has a name that is not valid UTF-8", "Rename it: solution files have UTF-8 names.");
      }
      if (ent.isSymbolicLink()) {
        let target: string | null = null;
        let why = "";
        try {
          target = await fsp.realpath(abs);
        } catch (e) {
          why = (e as NodeJS.ErrnoException).code ?? "";
        }
        const to = await fsp.readlink(abs).catch(() => "?");
        if (!target) {
          if (why === "ELOOP") throw unreadable(r, `is a symbolic link that loops (to ${to})`);
          if (!inside(path.resolve(await fsp.realpath(dir).catch(() => dir), to)))
            throw new DvsolError("SYMLINK_OUTSIDE", `${r} is a symbolic link that leads outside the solution folder (to ${to})`, { file: root, entry: r });
          throw unreadable(r, `is a symbolic link to ${to}, which does not exist`);
        }
        if (!inside(target)) {
          throw new DvsolError("SYMLINK_OUTSIDE", `${r} is a symbolic link that leads outside the solution folder (to ${target})`, { file: root, entry: r });
        }
        const tst = await fsp.stat(abs);
        if (tst.isDirectory()) {
          if (real.includes(target)) throw unreadable(r, `is a symbolic link to a folder that contains it (${to}): a loop`);
          await walk(abs, r, [...real, target]);
        } else if (tst.isFile()) out.push({ rel: r, abs, size: tst.size });
        else if (!hidden) throw unreadable(r, "is a symbolic link to something that is neither a file nor a folder (a FIFO, socket or device)");
        continue;
      }
      if (ent.isDirectory()) await walk(abs, r, [...real, path.join(real[real.length - 1]!, ent.name)]);
      else if (ent.isFile()) {
        let st;
        try {
          st = statSync(abs);
        } catch (e) {
          throw unreadable(r, `cannot be read: ${(e as Error).message}`, "Check the file's permissions.");
        }
        out.push({ rel: r, abs, size: st.size });
      } else if (!hidden) throw unreadable(r, "is neither a file nor a folder (a FIFO, socket or device); a solution folder holds only files and folders");
    }
  }
  await walk(root, "", [realRoot]);
  return out;
}

async function openFolder(location: string): Promise<SolutionSource> {
  // An edit killed after it was decided is finished before anyone reads the folder (src/io/folder-commit.ts).
  const { recoverFolder } = await import("../io/folder-commit.js");
  await recoverFolder(location);
  const listed = await listFolder(location);
  const files: SolutionFile[] = listed.map((f) => ({
    path: f.rel,
    size: f.size,
    absPath: f.abs,
    read: async () => {
      try {
        // Small files synchronously: open, fstat, read and close on the thread pool cost several times the read.
        return f.size <= SYNC_READ_MAX ? readFileSync(f.abs) : await fsp.readFile(f.abs);
      } catch (e) {
        throw new DvsolError("INPUT_UNREADABLE", `cannot read ${f.rel}: ${(e as Error).message}`, { file: location, entry: f.rel });
      }
    },
  }));
  return makeSource("folder", location, files);
}

function makeSource(form: SolutionForm, location: string, files: SolutionFile[], zip?: ZipReader): SolutionSource {
  const exact = new Map<string, SolutionFile>();
  const lower = new Map<string, SolutionFile>();
  for (const f of files) {
    exact.set(f.path, f);
    const k = f.path.toLowerCase();
    if (!lower.has(k)) lower.set(k, f);
  }
  return {
    form,
    location,
    files,
    get: (p) => exact.get(p),
    find: (p) => exact.get(p) ?? lower.get(p.toLowerCase()),
    zip,
    close: async () => {
      await zip?.close();
    },
  };
}

/** Can we read the file? Used to give a clear error for unreadable inputs before work starts. */
export async function assertReadable(p: string): Promise<void> {
  try {
    await fsp.access(p, fsc.R_OK);
  } catch {
    throw new DvsolError("INPUT_UNREADABLE", `cannot read ${p}`, { file: p });
  }
}
