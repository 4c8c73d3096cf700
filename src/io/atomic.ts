/**
 * Writing without half-written results: everything goes to a temporary sibling first and is renamed
 * into place only when complete. A killed run leaves the previous state intact (plus, at worst, a
 * `.dvsol-tmp-*` sibling that the next run removes).
 */
import { promises as fsp, constants as fsc } from "node:fs";
import * as path from "node:path";
import { DvsolError, isDvsolError } from "../errors.js";

let counter = 0;

export function tempSibling(target: string, tag = "tmp"): string {
  const dir = path.dirname(path.resolve(target));
  const base = path.basename(target);
  return path.join(dir, `.dvsol-${tag}-${base}-${process.pid}-${Date.now().toString(36)}-${counter++}`);
}

/** Removes leftovers of killed runs next to `target` (only ours: .dvsol-tmp-<base>-<pid>-... whose process is gone). */
export async function cleanStaleTemps(target: string): Promise<void> {
  const dir = path.dirname(path.resolve(target));
  const base = path.basename(target);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  const stale = names.filter((n) => {
    const pid = staleOwner(n, base);
    return pid !== null && pid !== process.pid && !processAlive(pid);
  });
  // A run killed between moving the old folder aside and renaming the new one in left no target:
  // the old folder is the previous state, so it goes back (the new one may be complete, but nothing says so).
  const target2 = path.join(dir, base);
  const old = stale.filter((n) => n.startsWith(".dvsol-old-")).sort();
  if (old.length && !(await exists(target2))) {
    await fsp.rename(path.join(dir, old[old.length - 1]!), target2).catch(() => undefined);
  }
  for (const n of stale) await fsp.rm(path.join(dir, n), { recursive: true, force: true }).catch(() => undefined);
}

/**
 * The pid that made `name` if it is one of our temp siblings of `base`: tempSibling's
 * `.dvsol-(tmp|old)-<base>-<pid>-<time>-<n>`, or ZipWriter's `.dvsol-tmp-<pid>-<hex>-<name>` whose name is
 * `base` or, under produceFileAtomic, tempSibling's name for `base`.
 */
function staleOwner(name: string, base: string): number | null {
  const m = /^\.dvsol-(?:tmp|old)-(.*)-(\d+)-[0-9a-z]+-\d+$/.exec(name);
  if (m && m[1] === base) return Number(m[2]);
  const z = /^\.dvsol-tmp-(\d+)-[0-9a-f]+-(.*)$/.exec(name);
  if (z && (z[2] === base || staleOwner(z[2]!, base) !== null)) return Number(z[1]);
  return null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function fsyncPath(p: string, dir = false): Promise<void> {
  let fh;
  try {
    fh = await fsp.open(p, dir ? fsc.O_RDONLY : fsc.O_RDWR);
    await fh.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename is still atomic.
  } finally {
    await fh?.close();
  }
}

/** Errors of the file system that say the output cannot be written where asked (not a bug in dvsol). */
const WRITE_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "the file is too large for the file system",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder",
  ENAMETOOLONG: "the path is too long",
  EBUSY: "it is in use",
};

/**
 * A file system error met while writing `target` (the target, a folder on its way, or one of our
 * `.dvsol-` temp siblings) as OUTPUT_UNWRITABLE; anything else is returned as it is.
 */
export function writeError(e: unknown, target: string): unknown {
  if (isDvsolError(e)) return e;
  const err = e as NodeJS.ErrnoException & { dest?: string };
  const why = err?.code ? WRITE_ERRORS[err.code] : undefined;
  if (!why) return e;
  const at = err.dest ?? err.path;
  if (at !== undefined && !isOurs(at, target)) return e;
  return new DvsolError("OUTPUT_UNWRITABLE", `cannot write ${target}: ${why}${at && path.resolve(at) !== path.resolve(target) ? ` (${at})` : ""}`, { file: target, cause: e });
}

function isOurs(p: string, target: string): boolean {
  const t = path.resolve(target);
  const a = path.resolve(p);
  if (a === t || isInside(t, a)) return true; // the target, or a folder on the way to it
  const rel = path.relative(path.dirname(t), a);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) && rel.split(path.sep)[0]!.startsWith(".dvsol-");
}

/** Writes a file atomically: temp sibling, fsync, rename. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempSibling(target);
  try {
    await fsp.writeFile(tmp, data, { flag: "wx" });
    await fsyncPath(tmp);
    await fsp.rename(tmp, target);
    await fsyncPath(path.dirname(path.resolve(target)), true);
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(e, target);
  }
}

/**
 * Produces a file through `produce(tmpPath)` and renames it over `target` when it succeeds.
 * `overwrite: false` refuses an existing target.
 */
export async function produceFileAtomic(target: string, produce: (tmp: string) => Promise<void>, opts: { overwrite: boolean }): Promise<void> {
  await cleanStaleTemps(target);
  if (!opts.overwrite && (await exists(target))) {
    throw new DvsolError("OUTPUT_EXISTS", `${target} exists`, { file: target });
  }
  await fsp.mkdir(path.dirname(path.resolve(target)), { recursive: true }).catch((e: unknown) => {
    throw writeError(e, target);
  });
  const tmp = tempSibling(target);
  try {
    await produce(tmp);
    await fsyncPath(tmp);
    await fsp.rename(tmp, target);
    await fsyncPath(path.dirname(path.resolve(target)), true);
  } catch (e) {
    await fsp.rm(tmp, { force: true, recursive: true }).catch(() => undefined);
    throw writeError(e, target);
  }
}

/**
 * Produces a folder through `produce(tmpDir)` and swaps it in for `target`.
 * An existing non-empty target is refused unless `clobber`; with it, the old folder is moved aside,
 * the new one renamed in, and the old one removed.
 */
export async function produceFolderAtomic(target: string, produce: (tmpDir: string) => Promise<void>, opts: { clobber: boolean }): Promise<void> {
  await cleanStaleTemps(target);
  const existing = await folderState(target);
  if (existing === "file") throw new DvsolError("OUTPUT_EXISTS", `${target} is a file, not a folder`, { file: target });
  if (existing === "nonempty" && !opts.clobber) {
    throw new DvsolError("OUTPUT_NOT_EMPTY", `${target} is not empty`, { file: target });
  }
  const tmp = tempSibling(target);
  try {
    await fsp.mkdir(path.dirname(path.resolve(target)), { recursive: true });
    await fsp.mkdir(tmp);
  } catch (e) {
    throw writeError(e, target);
  }
  try {
    await produce(tmp);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw writeError(e, target);
  }
  try {
    if (existing === "missing") {
      await fsp.rename(tmp, target);
    } else {
      const old = tempSibling(target, "old");
      await fsp.rename(target, old);
      try {
        await fsp.rename(tmp, target);
      } catch (e) {
        await fsp.rename(old, target);
        throw e;
      }
      await fsp.rm(old, { recursive: true, force: true });
    }
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw writeError(e, target);
  }
  await fsyncPath(path.dirname(path.resolve(target)), true);
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function folderState(p: string): Promise<"missing" | "empty" | "nonempty" | "file"> {
  try {
    const st = await fsp.stat(p);
    if (!st.isDirectory()) return "file";
    const names = await fsp.readdir(p);
    return names.length === 0 ? "empty" : "nonempty";
  } catch {
    return "missing";
  }
}

/** True when `inner` is `outer` or inside it. */
export function isInside(inner: string, outer: string): boolean {
  const a = path.resolve(inner);
  const b = path.resolve(outer);
  return a === b || a.startsWith(b + path.sep);
}
