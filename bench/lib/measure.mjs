// Measuring one command in a child process: wall time (from this process), CPU time (user + system) and
// peak RSS. With GNU time (/usr/bin/time) all three come from it for every tool; without it, node children
// report their own process.resourceUsage() through bench/lib/rss-hook.mjs and the baseline tools' CPU
// and RSS stay unknown.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const RSS_HOOK = path.join(here, "rss-hook.mjs");
const MARK = "__DVSOL_BENCH__";

let timeV;
/** GNU time is usable (it prints %M, peak RSS in KiB). */
export function hasGnuTime() {
  if (timeV === undefined) timeV = fs.existsSync("/usr/bin/time") && spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status === 0;
  return timeV;
}

export class CommandError extends Error {
  constructor(what, r) {
    super(`${what} failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ""}): ${(r.stderr ?? "").toString().split("\n").filter((l) => !l.includes(MARK)).slice(-8).join("\n")}`);
  }
}

/**
 * Runs `cmd args` and measures it. `node: true` marks a node child (the RSS hook is loaded into it when GNU
 * time is missing). `okCodes`: exit codes that count as success (check exits 1 on findings).
 */
export function measure(cmd, args, { cwd, node = false, okCodes = [0], env } = {}) {
  const gnu = hasGnuTime();
  let file = cmd;
  let argv = args;
  if (node && !gnu) argv = ["--import", RSS_HOOK, ...args];
  if (gnu) {
    file = "/usr/bin/time";
    argv = ["-f", `${MARK} %e %U %S %M`, cmd, ...argv];
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, argv, { cwd, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const stderr = r.stderr?.toString() ?? "";
  if (r.error) throw r.error;
  if (!okCodes.includes(r.status)) throw new CommandError(`${cmd} ${args.join(" ")}`, r);
  let cpu = NaN;
  let rssKiB = NaN;
  const m = new RegExp(`${MARK} ([\\d.]+) ([\\d.]+) ([\\d.]+) (\\d+)`).exec(stderr);
  if (m) {
    cpu = (Number(m[2]) + Number(m[3])) * 1000;
    rssKiB = Number(m[4]);
  } else {
    const h = new RegExp(`${MARK}RSS (\\d+) ([\\d.]+)`).exec(stderr);
    if (h) {
      rssKiB = Number(h[1]);
      cpu = Number(h[2]);
    }
  }
  return { wall, cpu, rssMB: rssKiB / 1024, stdout: r.stdout?.toString() ?? "", stderr };
}

export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Load averages (1, 5, 15 min). */
export const load = () => os.loadavg().map((x) => +x.toFixed(2));

/**
 * Runs dvsol and the baseline `runs` times, alternating which goes first, after one untimed warm-up of each
 * (page cache, module cache). `prepare(kind)` runs untimed before every run (fresh copies for in-place edits).
 */
export function compare({ runs, warmup = true, dvsol, base, prepare }) {
  const d = [];
  const b = [];
  const one = (kind) => {
    const fn = kind === "dvsol" ? dvsol : base;
    if (!fn) return null;
    prepare?.(kind);
    return fn();
  };
  if (warmup) {
    one("dvsol");
    one("base");
  }
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? ["base", "dvsol"] : ["dvsol", "base"];
    for (const k of order) {
      const r = one(k);
      if (r) (k === "dvsol" ? d : b).push(r);
    }
  }
  const sum = (xs) => (xs.length ? { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)), rssMB: median(xs.map((x) => x.rssMB)), runs: xs.length, walls: xs.map((x) => Math.round(x.wall)) } : null);
  return { dvsol: sum(d), base: sum(b) };
}
