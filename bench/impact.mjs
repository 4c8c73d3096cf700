#!/usr/bin/env node
// How long `dvsol impact` takes on the largest corpus pair (by bytes), end to end in the library: load
// both solutions, read and hash their DLLs, run `dvsol check` on both, plan, and render every format.
// Also times a cold CLI run (a new node process, as CI runs it). The goal: well under a second.
//
//   node bench/impact.mjs [--runs N]      (build first: npm run build)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CORPUS = path.resolve(ROOT, "..", "shared", "corpus");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;

const dist = path.join(ROOT, "dist", "impact", "index.js");
if (!existsSync(dist)) {
  console.error("dist/ not found: run `npm run build` first");
  process.exit(2);
}
if (!existsSync(path.join(CORPUS, "MANIFEST.tsv"))) {
  console.error(`corpus not found at ${CORPUS}`);
  process.exit(2);
}
const { impact, assessImpact, formatImpact } = await import(dist);
const { loadSolution } = await import(path.join(ROOT, "dist", "model", "read.js"));

// The largest pair: the sum of both sides' size_bytes.
const lines = readFileSync(path.join(CORPUS, "MANIFEST.tsv"), "utf8").split("\n").filter((l) => l.trim());
const head = lines[0].split("\t");
const col = (name) => head.indexOf(name);
const pairs = lines
  .slice(1)
  .map((l) => l.split("\t"))
  .filter((c) => c[col("kind")] === "pair")
  .map((c) => ({ local: c[col("local_path")], bytes: c[col("size_bytes")].split(" => ").reduce((s, x) => s + Number(x), 0) }))
  .sort((a, b) => b.bytes - a.bytes);
const largest = pairs[0];
const [oldPath, newPath] = largest.local.split(" => ").map((p) => path.join(CORPUS, p));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
async function time(fn) {
  for (let i = 0; i < 3; i++) await fn();
  const t = [];
  for (let i = 0; i < RUNS; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return t;
}

console.log(`largest corpus pair (${(largest.bytes / 1024).toFixed(0)} KiB):\n  ${largest.local}\n`);

const full = await time(async () => {
  const r = await impact(oldPath, newPath);
  for (const f of ["text", "markdown", "json", "html"]) formatImpact(r, f);
});
const noCheck = await time(async () => {
  await impact(oldPath, newPath, { check: false });
});
const a = await loadSolution(oldPath);
const b = await loadSolution(newPath);
const planOnly = await time(async () => assessImpact(a, b, { mode: "upgrade" }));
const r = assessImpact(a, b, { mode: "upgrade" });
const render = {};
for (const f of ["text", "markdown", "json", "html"]) render[f] = await time(async () => formatImpact(r, f));
await a.source.close();
await b.source.close();

const cli = [];
for (let i = 0; i < 5; i++) {
  const s = process.hrtime.bigint();
  const p = spawnSync(process.execPath, [path.join(ROOT, "bin", "dvsol.js"), "impact", oldPath, newPath, "--format", "html", "--fail-on", "never"], { encoding: "utf8", maxBuffer: 64 << 20 });
  cli.push(Number(process.hrtime.bigint() - s) / 1e6);
  if (p.status !== 0) {
    console.error(p.stderr);
    process.exit(1);
  }
}

// Baseline: a new process that only starts dvsol (`dvsol --version`), to tell start-up from the report.
const start = [];
for (let i = 0; i < 5; i++) {
  const s = process.hrtime.bigint();
  spawnSync(process.execPath, [path.join(ROOT, "bin", "dvsol.js"), "--version"], { encoding: "utf8" });
  start.push(Number(process.hrtime.bigint() - s) / 1e6);
}

const row = (label, t) => console.log(`  ${label.padEnd(44)} median ${median(t).toFixed(1).padStart(7)} ms   max ${max(t).toFixed(1).padStart(7)} ms`);
console.log(`runs: ${RUNS} (library), 5 (CLI)`);
row("impact() + all four formats (load, DLLs, check)", full);
row("impact() without check", noCheck);
row("assessImpact() only (models loaded)", planOnly);
for (const [f, t] of Object.entries(render)) row(`format ${f}`, t);
row("CLI, new process, --format html", cli);
row("baseline: new process, dvsol --version", start);
const verdict = median(full) < 1000 ? "the report takes well under a second" : "the report takes OVER a second";
console.log(`\n${verdict} (library median ${median(full).toFixed(0)} ms; the CLI adds process start-up, ${median(start).toFixed(0)} ms here for --version alone)`);
