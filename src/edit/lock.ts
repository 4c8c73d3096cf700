/**
 * A lock so that two dvsol processes do not edit one solution at once: `.dvsol-lock` inside a folder,
 * `.dvsol-lock-<name>` next to a zip, holding the owner's pid and host. A lock whose process is gone
 * (same host) is stale and taken over; any other is refused with LOCKED.
 */
import { promises as fsp } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { DvsolError } from "../errors.js";

export const LOCK_NAME = ".dvsol-lock";

export async function lockPathFor(location: string): Promise<string> {
  const st = await fsp.stat(location).catch(() => null);
  if (st?.isDirectory()) return path.join(location, LOCK_NAME);
  return path.join(path.dirname(path.resolve(location)), `${LOCK_NAME}-${path.basename(location)}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Creates the lock file with its content in one step: written to `<lock>.<pid>.tmp`, then hard-linked to the
 * lock's name (which fails if it exists). Created empty and then written, a run killed in between left an
 * empty lock that no one could attribute, so every later edit said LOCKED. Where the file system has no hard
 * links, create-exclusive-then-write is the fallback.
 */
async function createLockFile(lockPath: string, content: string): Promise<void> {
  const dir = path.dirname(lockPath);
  const base = path.basename(lockPath);
  // Leftovers of runs killed between writing and linking.
  for (const n of await fsp.readdir(dir).catch(() => [] as string[])) {
    if (!n.startsWith(base + ".") || !n.endsWith(".tmp")) continue;
    const pid = Number(n.slice(base.length + 1, -4));
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) await fsp.rm(path.join(dir, n), { force: true });
  }
  const tmp = `${lockPath}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, content);
  try {
    await fsp.link(tmp, lockPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw e;
    await fsp.writeFile(lockPath, content, { flag: "wx" }); // no hard links here
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

export async function acquireLock(location: string): Promise<() => Promise<void>> {
  const lockPath = await lockPathFor(location);
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await createLockFile(lockPath, mine);
      return async () => {
        const now = await fsp.readFile(lockPath, "utf8").catch(() => null);
        if (now === mine) await fsp.rm(lockPath, { force: true });
      };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EEXIST") {
        throw new DvsolError("OUTPUT_UNWRITABLE", `cannot create the lock file ${lockPath}: ${(e as Error).message}`, { file: location, hint: "dvsol edits in place under a lock; check that the folder is writable, or write elsewhere with --out." });
      }
    }
    const held = await fsp.readFile(lockPath, "utf8").catch(() => null);
    if (held === null) continue; // released meanwhile
    let owner: { pid?: number; host?: string } = {};
    try {
      owner = JSON.parse(held) as { pid?: number; host?: string };
    } catch {
      owner = {};
    }
    if (typeof owner.pid === "number" && owner.host === hostname() && !alive(owner.pid)) {
      await fsp.rm(lockPath, { force: true });
      continue;
    }
    throw new DvsolError(
      "LOCKED",
      `${location} is being edited by another dvsol process${owner.pid ? ` (pid ${owner.pid}${owner.host && owner.host !== hostname() ? ` on ${owner.host}` : ""})` : ""}`,
      { file: location, hint: `Wait for it to finish; if no dvsol process runs, delete ${lockPath}.` },
    );
  }
  throw new DvsolError("LOCKED", `${location}: could not take the lock ${lockPath}`, { file: location, hint: `If no dvsol process runs, delete ${lockPath}.` });
}

export async function withLock<T>(location: string, fn: () => Promise<T>): Promise<T> {
  const release = await acquireLock(location);
  try {
    return await fn();
  } finally {
    await release();
  }
}
