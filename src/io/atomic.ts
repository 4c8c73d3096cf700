/**
 * Writing without half-written results: everything goes to a temporary sibling first and is renamed
 * into place only when complete. A killed run leaves the previous state intact (plus, at worst, a
 * `.dvsol-tmp-*` sibling that the next run removes).
 */
import { promises as fsp, constants as fsc } from "node:fs";
import * as path from "node:path";
import { DvsolError } from "../errors.js";

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
  for (const n of names) {
    const m = /^\.dvsol-(?:tmp|old)-(.*)-(\d+)-[0-9a-z]+-\d+$/.exec(n);
    if (!m || m[1] !== base) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !processAlive(pid)) await fsp.rm(path.join(dir, n), { recursive: true, force: true });
  }
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

/** Writes a file atomically: temp sibling, fsync, rename. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const tmp = tempSibling(target);
  try {
    await fsp.writeFile(tmp, data, { flag: "wx" });
    await fsyncPath(tmp);
    await fsp.rename(tmp, target);
    await fsyncPath(path.dirname(path.resolve(target)), true);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
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
  await fsp.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = tempSibling(target);
  try {
    await produce(tmp);
    await fsyncPath(tmp);
    await fsp.rename(tmp, target);
    await fsyncPath(path.dirname(path.resolve(target)), true);
  } catch (e) {
    await fsp.rm(tmp, { force: true, recursive: true });
    throw e;
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
  await fsp.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = tempSibling(target);
  await fsp.mkdir(tmp);
  try {
    await produce(tmp);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw e;
  }
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
