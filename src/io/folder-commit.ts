/**
 * Changing several files of a folder as one step (an edit of an unpacked solution touches the step file,
 * Other/Solution.xml and more): a kill at any moment leaves the folder as it was before or as it is after,
 * never a mix.
 *
 * 1. Every new content is written to a temp sibling of its file and fsync'd (a kill here leaves the folder
 *    as it was, plus `.dvsol-tmp-*` files that the next run removes).
 * 2. A journal `.dvsol-journal` naming each rename and deletion is written atomically: from here on the
 *    change is decided.
 * 3. Renames and deletions are applied, then the journal is removed.
 * A run that finds a journal whose process is gone finishes it first (roll forward): readers and writers
 * alike, so nobody ever reads a half-applied change. Names starting with `.dvsol-` are never listed as
 * part of a solution (src/solution/source.ts).
 */
import { promises as fsp, constants as fsc } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { DvsolError } from "../errors.js";
import { tempSibling, writeError, writeFileAtomic } from "./atomic.js";

export const JOURNAL_NAME = ".dvsol-journal";

interface Journal {
  pid: number;
  host: string;
  /** [temp path, target path], relative to the folder, forward slashes. */
  renames: [string, string][];
  deletes: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function abs(root: string, rel: string): string {
  if (!rel || rel.includes("\0") || rel.includes("\\") || rel.startsWith("/") || rel.split("/").some((s) => s === ".." || s === "." || s === "")) {
    throw new DvsolError("ZIP_UNSAFE_PATH", `refusing to write ${JSON.stringify(rel)}: it would leave the solution folder`, { file: root, entry: rel });
  }
  return path.join(root, ...rel.split("/"));
}

async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await fsp.open(dir, fsc.O_RDONLY);
    await fh.sync();
  } catch {
    // some file systems refuse fsync on folders; the renames are still atomic
  } finally {
    await fh?.close();
  }
}

/**
 * Finishes a change that a killed run decided but did not complete (see the module comment). Returns true
 * when there was one. A journal whose process still runs (on this host) is left alone.
 */
export async function recoverFolder(root: string): Promise<boolean> {
  const jp = path.join(root, JOURNAL_NAME);
  let text: string;
  try {
    text = await fsp.readFile(jp, "utf8");
  } catch {
    return false;
  }
  let j: Journal;
  try {
    j = JSON.parse(text) as Journal;
  } catch {
    // Written atomically, so never partial: a file we cannot read is not ours to act on.
    throw new DvsolError("INPUT_UNREADABLE", `${jp} is not a dvsol journal`, { file: root, hint: `Remove ${jp} if no dvsol process runs.` });
  }
  if (j.pid !== process.pid && j.host === hostname() && alive(j.pid)) return false;
  try {
    for (const [tmp, target] of j.renames) {
      await fsp.rename(abs(root, tmp), abs(root, target)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== "ENOENT") throw e; // already renamed before the kill
      });
    }
    for (const d of j.deletes) await fsp.rm(abs(root, d), { force: true });
    await removeEmptyParents(root, j.deletes);
    await fsyncDir(root);
    await fsp.rm(jp, { force: true });
  } catch (e) {
    throw writeError(e, jp);
  }
  return true;
}

/** Removes `.dvsol-tmp-*` files anywhere in the folder whose process is gone (leftovers of killed runs). */
export async function cleanStaleTempsTree(root: string): Promise<void> {
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 64) return;
    let ents;
    try {
      ents = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = path.join(dir, e.name);
      const m = /^\.dvsol-tmp-.*-(\d+)-[0-9a-z]+-\d+$/.exec(e.name);
      if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await fsp.rm(p, { recursive: true, force: true }).catch(() => undefined);
      else if (e.isDirectory() && !e.name.startsWith(".")) await walk(p, depth + 1);
    }
  };
  await walk(root, 0);
}

async function removeEmptyParents(root: string, deleted: readonly string[]): Promise<void> {
  const top = path.resolve(root);
  const dirs = new Set<string>();
  for (const d of deleted) {
    const segs = d.split("/");
    for (let i = segs.length - 1; i >= 1; i--) dirs.add(segs.slice(0, i).join("/"));
  }
  for (const d of [...dirs].sort((a, b) => b.split("/").length - a.split("/").length)) {
    const p = path.join(top, ...d.split("/"));
    const left = await fsp.readdir(p).catch(() => null);
    if (left && left.length === 0) await fsp.rmdir(p).catch(() => undefined);
  }
}

/**
 * Writes `written` (relative path -> bytes) and deletes `deleted` in `root` as one step (see the module
 * comment). The caller holds the folder's lock.
 */
export async function commitFolderFiles(root: string, written: ReadonlyMap<string, Uint8Array>, deleted: readonly string[]): Promise<void> {
  await recoverFolder(root);
  await cleanStaleTempsTree(root);
  const renames: [string, string][] = [];
  const toRel = (p: string) => path.relative(root, p).split(path.sep).join("/");
  try {
    // 1. contents aside
    for (const [rel, bytes] of [...written.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const target = abs(root, rel);
      await fsp.mkdir(path.dirname(target), { recursive: true });
      const tmp = tempSibling(target);
      const fh = await fsp.open(tmp, "wx");
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      renames.push([toRel(tmp), rel]);
    }
    for (const d of deleted) abs(root, d);
  } catch (e) {
    for (const [tmp] of renames) await fsp.rm(abs(root, tmp), { force: true }).catch(() => undefined);
    throw writeError(e, root);
  }
  // 2. decide
  const journal: Journal = { pid: process.pid, host: hostname(), renames, deletes: [...deleted] };
  try {
    await writeFileAtomic(path.join(root, JOURNAL_NAME), JSON.stringify(journal));
  } catch (e) {
    for (const [tmp] of renames) await fsp.rm(abs(root, tmp), { force: true }).catch(() => undefined);
    throw e;
  }
  // 3. apply (what fails here is finished by the next run)
  await recoverFolder(root);
}
