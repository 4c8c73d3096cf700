/**
 * Helpers of the interrupted-run tests (interrupt-*.test.ts). Interrupted runs: dvsol killed with SIGKILL at several moments of unpack, unpack --clobber, unpack over an
 * earlier unpack, pack, an edit of a zip and an edit of a folder. After each kill the target is either as it
 * was (byte for byte) or complete (byte for byte what an uninterrupted run writes), never partial; the
 * `.dvsol-*` leftovers of the killed run are removed by the next run. Two edits of one folder at once do not
 * corrupt it: the second waits for nothing and says LOCKED.
 *
 * The input is large enough (300 files and a 4 MB DLL-like binary) that each run takes well over
 * 300 ms; kills are spread over the run's measured duration (the first ~150 ms are Node starting up).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, tmp } from "../helpers.js";
import { dvsolAsync, sampleSolution, treeHash, type GenSolution } from "./gen.js";

export const KILLS = Number(process.env.DVSOL_KILLS ?? 3);

export function bigSolution(version = "1.0.0.0", files = 300): GenSolution {
  const s = sampleSolution({ version });
  s.assemblies[0]!.dll = randomBytes(4 * 1024 * 1024);
  s.extraFiles = Array.from({ length: files }, (_, i) => [`WebResources/con_/r${String(i).padStart(5, "0")}.js`, randomBytes(1024 + (i % 4) * 512)] as [string, Buffer]);
  return s;
}

/** Runs dvsol and SIGKILLs it after `ms` (if still running). */
export async function killAfter(args: string[], ms: number): Promise<{ killed: boolean; code: number | null }> {
  const p = spawn(process.execPath, [path.join(ROOT, "bin", "dvsol.js"), ...args], { stdio: "ignore", cwd: ROOT });
  const timer = setTimeout(() => p.kill("SIGKILL"), ms);
  const [code, signal] = (await once(p, "exit")) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { killed: signal === "SIGKILL", code };
}

/** How long an uninterrupted run takes (ms). */
export async function timed(args: string[]): Promise<number> {
  const t0 = performance.now();
  const r = await dvsolAsync(args);
  assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  return performance.now() - t0;
}

/** Kill moments spread over [15%, 100%] of the run, with jitter. */
export function delays(duration: number): number[] {
  return Array.from({ length: KILLS }, (_, i) => Math.round(duration * (0.15 + (0.85 * (i + Math.random())) / KILLS)));
}

/** A tree hash without dvsol's own leftovers (temp siblings, locks, journal). */
export function content(p: string): Map<string, string> {
  return new Map([...treeHash(p)].filter(([k]) => !k.split("/").some((s) => s.startsWith(".dvsol-"))));
}
export function same(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
export function leftovers(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const n of fs.readdirSync(d)) {
      const r = rel ? `${rel}/${n}` : n;
      if (n.startsWith(".dvsol-")) out.push(r);
      else if (fs.lstatSync(path.join(d, n)).isDirectory()) walk(path.join(d, n), r);
    }
  };
  walk(dir, "");
  return out.sort();
}
export function fileHash(p: string): string | undefined {
  return fs.existsSync(p) ? treeHash(p).get("") : undefined;
}

export function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = tmp("dvsol-rel-kill-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

