#!/usr/bin/env node
// dvsol's benchmarks against the physical limit (`npm run bench`: builds first). Every measurement is a
// child process (wall time from here; CPU = user + system and peak RSS from GNU time, or from the child's
// process.resourceUsage() without it). dvsol and its baseline run alternately, medians are reported, and
// the load average is printed: the numbers mean something only next to each other.
//
//   node bench/run.mjs [--runs N] [--quick] [--dry] [--markdown] [--work <dir>] [--only <task,...>] [--inputs small,coe,large,media]
//
//   default   inputs small (PL400Demos 1.0.24.0), coe (the CoE tree, ~1,500 files), media (one 400 MB web resource) and large (bench/gen-large.mjs,
//             ~15,000 files, ~570 MB); 5 runs (3 on large and media)
//   --quick   small and coe only, 3 runs, 10 start-ups
//   --dry     the tiny generated input only (no corpus needed), 1 run, no warm-up: checks that the script
//             runs end to end (test/bench.test.ts)
// Tasks: unpack vs `unzip -q`; pack vs `zip -q -r -6`; edits of a zip (`dvsol version --bump build`, `dvsol add
// step`) vs unzip + sed + `zip -r -6`; inspect, check, impact (absolute); XML parse throughput; growth from
// small to large; `dvsol --version` / `--help` start-up vs `node -e 0`. Results: <work>/results.json.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, hasGnuTime, load, measure, median } from "./lib/measure.mjs";
import { DVSOL, ROOT, buildInputs, hasCorpus } from "./lib/inputs.mjs";
import { printTable, fmtMs, fmtMB, fmtRatio, setMarkdown } from "./lib/table.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Inputs so small that process start-up is the whole run (unzip -q of small.zip: ~10 ms; node -e 0: ~70 ms). */
const FIXED_COST_INPUTS = new Set(["tiny", "small"]);
const args = process.argv.slice(2);
const flag = (k) => args.includes(k);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const dry = flag("--dry");
setMarkdown(flag("--markdown"));
const quick = flag("--quick") || dry;
const work = path.resolve(opt("--work", path.join(here, ".work")));
const only = opt("--only", null)?.split(",");
const runsArg = opt("--runs", null);
const node = process.execPath;
const log = (s) => process.stderr.write(`${s}\n`);

if (!fs.existsSync(path.join(ROOT, "dist", "cli", "main.js"))) {
  console.error("dist/ is missing: run `npm run build` (npm run bench does)");
  process.exit(2);
}
const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const baselines = have("zip") && have("unzip");
if (!baselines) log("Info-ZIP zip/unzip not found: baselines are skipped (ratios unknown)");
if (!dry && !hasCorpus()) {
  console.error("the corpus (../shared/corpus) is missing: only `--dry` runs without it");
  process.exit(2);
}

let inputNames = dry ? ["tiny"] : quick ? ["small", "coe"] : ["small", "coe", "large", "media"];
if (opt("--inputs", null)) inputNames = opt("--inputs").split(",");
const loadStart = load();
const t0 = performance.now();
log(`work folder ${work}; inputs ${inputNames.join(", ")}; load average ${loadStart.join(" ")}`);
const inputs = await buildInputs(work, inputNames, log);
const runsFor = (inp) => Number(runsArg ?? (dry ? 1 : quick ? 3 : inp.name === "large" || inp.name === "media" ? 3 : 5));

// Every run writes to a new path; a task's outputs are removed when the task is done (ext4 is slow to create
// files next to many recently deleted ones, which would charge one tool for the other's clean-up).
const scratch = path.join(work, "runs");
fs.rmSync(scratch, { recursive: true, force: true });
fs.mkdirSync(scratch, { recursive: true });
let seq = 0;
const fresh = (name) => path.join(scratch, `${name}-${seq++}`);
const clean = () => {
  for (const f of fs.readdirSync(scratch)) fs.rmSync(path.join(scratch, f), { recursive: true, force: true });
};

const dvsolArgs = (...a) => [DVSOL, ...a];
const STEP_XML = (id) =>
  `<SdkMessageProcessingStep Name="bench" SdkMessageProcessingStepId="{${id}}"><SdkMessageId>20bebb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId><PluginTypeName>T</PluginTypeName><PrimaryEntity>account</PrimaryEntity><AsyncAutoDelete>1</AsyncAutoDelete><Description>bench</Description><FilteringAttributes>name</FilteringAttributes><InvocationSource>0</InvocationSource><Mode>1</Mode><Rank>1</Rank><EventHandlerTypeCode>4602</EventHandlerTypeCode><Stage>40</Stage><IsCustomizable>1</IsCustomizable><IsHidden>0</IsHidden><SupportedDeployment>0</SupportedDeployment><IntroducedVersion>1.0</IntroducedVersion><SdkMessageProcessingStepImages /></SdkMessageProcessingStep>`;

/** The round trip a user does without dvsol: unzip, edit with sed, zip -r -6. */
function roundTrip(zip, sedScripts) {
  const dir = fresh("rt");
  const out = fresh("rt-out") + ".zip";
  const edits = sedScripts.map(([file, script]) => `sed -i -e '${script}' "$2/${file}"`).join(" && ");
  return measure("sh", ["-c", `unzip -q "$1" -d "$2" && ${edits} && cd "$2" && zip -q -r -6 "$3" .`, "sh", zip, dir, out]);
}

function tasksFor(inp) {
  const list = [];
  const zip = inp.zip;
  list.push({
    id: "unpack",
    title: "unpack zip -> folder",
    baseName: "unzip -q",
    dvsol: () => measure(node, dvsolArgs("unpack", zip, fresh("unpack-dvsol"), "--json"), { node: true }),
    base: baselines ? () => measure("unzip", ["-q", zip, "-d", fresh("unpack-unzip")]) : null,
  });
  list.push({
    id: "pack",
    title: "pack folder -> zip",
    baseName: "zip -q -r -6",
    dvsol: () => measure(node, dvsolArgs("pack", inp.folder, fresh("pack-dvsol") + ".zip", "--json"), { node: true }),
    base: baselines ? () => measure("zip", ["-q", "-r", "-6", fresh("pack-zip") + ".zip", "."], { cwd: inp.folder }) : null,
  });
  // In-place edits get a fresh copy of the zip before each run (untimed).
  let copy = null;
  const prepare = (kind) => {
    if (kind !== "dvsol") return;
    copy = fresh("edit") + ".zip";
    fs.copyFileSync(zip, copy);
  };
  list.push({
    id: "edit-version",
    title: "edit: version --bump build",
    baseName: "unzip + sed + zip -r -6",
    prepare,
    dvsol: () => measure(node, dvsolArgs("version", copy, "--bump", "build", "--json"), { node: true }),
    base: baselines ? () => roundTrip(zip, [["solution.xml", "s|<Version>[0-9.]*</Version>|<Version>9.9.9.9</Version>|"]]) : null,
  });
  if (inp.stepType) {
    const stepId = "0b0e0c0a-0000-4000-8000-00000000be0c";
    list.push({
      id: "edit-add-step",
      title: "edit: add step (+ image)",
      baseName: "unzip + sed + zip -r -6",
      prepare,
      dvsol: () =>
        measure(
          node,
          dvsolArgs("add", "step", copy, "--type", inp.stepType, "--message", "Update", "--entity", "account", "--stage", "postoperation", "--mode", "async", "--filter", "name", "--rank", "77", "--json"),
          { node: true },
        ),
      base: baselines
        ? () =>
            roundTrip(zip, [
              ["customizations.xml", `0,/<SdkMessageProcessingSteps>/s|<SdkMessageProcessingSteps>|<SdkMessageProcessingSteps>${STEP_XML(stepId)}|;s|<SdkMessageProcessingSteps />|<SdkMessageProcessingSteps>${STEP_XML(stepId)}</SdkMessageProcessingSteps>|`],
              ["solution.xml", `s|</RootComponents>|<RootComponent type="92" id="{${stepId}}" behavior="0" /></RootComponents>|`],
            ])
        : null,
    });
  }
  list.push({ id: "inspect", title: "inspect (zip)", dvsol: () => measure(node, dvsolArgs("inspect", zip, "--json"), { node: true }) });
  list.push({ id: "check", title: "check (zip)", dvsol: () => measure(node, dvsolArgs("check", zip, "--format", "json", "--fail-on", "never"), { node: true }) });
  if (inp.twinZip) {
    list.push({
      id: "impact",
      title: `impact (${path.basename(inp.twinZip)} -> ${path.basename(zip)})`,
      dvsol: () => measure(node, dvsolArgs("impact", inp.twinZip, zip, "--format", "json", "--fail-on", "never"), { node: true }),
    });
  }
  return only ? list.filter((t) => only.includes(t.id)) : list;
}

// ---- run ---------------------------------------------------------------------------------------------------
const rows = [];
for (const name of inputNames) {
  const inp = inputs[name];
  const runs = runsFor(inp);
  for (const t of tasksFor(inp)) {
    log(`${name}: ${t.title} (${runs} run${runs > 1 ? "s" : ""} each${t.base ? `, alternating with ${t.baseName}` : ""}) ...`);
    let r;
    try {
      r = compare({ runs, warmup: !dry, dvsol: t.dvsol, base: t.base, prepare: t.prepare });
    } catch (e) {
      log(`  FAILED: ${e.message}`);
      rows.push({ input: name, task: t.id, title: t.title, error: e.message.split("\n")[0] });
      clean();
      continue;
    }
    clean();
    rows.push({
      input: name,
      task: t.id,
      title: t.title,
      dvsol: r.dvsol,
      baseline: r.base ? { name: t.baseName, ...r.base } : null,
      ratioWall: r.base ? r.dvsol.wall / r.base.wall : null,
      ratioCpu: r.base ? r.dvsol.cpu / r.base.cpu : null,
    });
    const last = rows[rows.length - 1];
    log(`  dvsol ${fmtMs(r.dvsol.wall)} (cpu ${fmtMs(r.dvsol.cpu)}, ${fmtMB(r.dvsol.rssMB)})${r.base ? `  ${t.baseName} ${fmtMs(r.base.wall)} (cpu ${fmtMs(r.base.cpu)})  ratio ${fmtRatio(last.ratioWall)}` : ""}`);
  }
}

// XML parse throughput, in a child: the first parse of a fresh process (what a command pays) and warm parses.
const parse = [];
if (!only || only.includes("parse")) {
  const docs = [];
  const edu = path.resolve(ROOT, "..", "shared", "corpus", "microsoft__Industry-Accelerator-Education", "solutions", "EducationAcceleratorCommon_managed.zip");
  if (fs.existsSync(edu)) docs.push({ label: "EducationAcceleratorCommon_managed.zip!customizations.xml", zip: edu });
  for (const name of inputNames) docs.push({ label: `${path.basename(inputs[name].zip)}!customizations.xml`, zip: inputs[name].zip });
  for (const d of docs) {
    const r = spawnSync(node, [path.join(here, "lib", "parse-child.mjs"), d.zip, String(dry ? 2 : 7)], { encoding: "utf8" });
    if (r.status !== 0) {
      log(`parse ${d.label}: FAILED ${r.stderr}`);
      continue;
    }
    const j = JSON.parse(r.stdout);
    parse.push({ document: d.label, ...j });
    log(`parse ${d.label}: ${(j.bytes / 1e6).toFixed(1)} MB, first ${fmtMs(j.firstMs)} (${j.firstMBs.toFixed(0)} MB/s), warm median ${fmtMs(j.warmMs)} (${j.warmMBs.toFixed(0)} MB/s), full walk ${fmtMs(j.walkMs)}`);
  }
}

// Start-up: dvsol --version and --help vs node -e 0, interleaved.
let startup = null;
if (!only || only.includes("startup")) {
  const n = dry ? 3 : quick ? 10 : 20;
  log(`start-up: ${n} runs each of dvsol --version, dvsol --help, node -e 0 ...`);
  const cmds = { "dvsol --version": [DVSOL, "--version"], "dvsol --help": [DVSOL, "--help"], "node -e 0": ["-e", "0"] };
  const res = Object.fromEntries(Object.keys(cmds).map((k) => [k, []]));
  if (!dry) for (const k of Object.keys(cmds)) measure(node, cmds[k], { node: true });
  for (let i = 0; i < n; i++) for (const k of Object.keys(cmds)) res[k].push(measure(node, cmds[k], { node: true }));
  startup = Object.fromEntries(Object.entries(res).map(([k, xs]) => [k, { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)), min: Math.min(...xs.map((x) => x.wall)), rssMB: median(xs.map((x) => x.rssMB)), runs: xs.length }]));
}

// Growth from the smallest to the largest input: time and memory per MB and per file.
const growth = [];
const sizes = Object.fromEntries(inputNames.map((n) => [n, { mb: inputs[n].stats.bytes / 1e6, files: inputs[n].stats.files }]));
if (inputNames.length > 1) {
  const lo = inputNames[0];
  const hi = inputNames.includes("large") ? "large" : inputNames[inputNames.length - 1];
  for (const r of rows.filter((x) => x.input === hi && x.dvsol)) {
    const s = rows.find((x) => x.input === lo && x.task === r.task && x.dvsol);
    if (!s) continue;
    const sizeRatio = sizes[hi].mb / sizes[lo].mb;
    const fileRatio = sizes[hi].files / sizes[lo].files;
    growth.push({
      task: r.task,
      from: lo,
      to: hi,
      sizeRatio,
      fileRatio,
      timeRatio: r.dvsol.wall / s.dvsol.wall,
      cpuRatio: r.dvsol.cpu / s.dvsol.cpu,
      rssRatio: r.dvsol.rssMB / s.dvsol.rssMB,
      msPerMB: { [lo]: s.dvsol.wall / sizes[lo].mb, [hi]: r.dvsol.wall / sizes[hi].mb },
      msPerFile: { [lo]: s.dvsol.wall / sizes[lo].files, [hi]: r.dvsol.wall / sizes[hi].files },
    });
  }
}

// ---- report ------------------------------------------------------------------------------------------------
const machine = machineInfo();
const loadEnd = load();
console.log(`\ndvsol benchmarks (${dry ? "--dry" : quick ? "--quick" : "full"}), ${new Date().toISOString()}`);
console.log(`machine: ${machine.cpu}, ${machine.nproc} CPUs, ${machine.memory}; node ${process.version}; load average ${loadStart.join(" ")} at start, ${loadEnd.join(" ")} at end`);
console.log(`peak RSS and CPU from ${hasGnuTime() ? "GNU time" : "the children's process.resourceUsage() (baselines: unknown)"}; medians; ratio = dvsol / baseline (wall; CPU in brackets)\n`);
console.log("inputs:");
for (const n of inputNames) {
  const i = inputs[n];
  console.log(`  ${n.padEnd(6)} ${i.label}: zip ${(i.stats.zipBytes / 1e6).toFixed(1)} MB, ${i.stats.files} entries, ${(i.stats.bytes / 1e6).toFixed(1)} MB uncompressed, customizations.xml ${((i.stats.customizationsBytes ?? 0) / 1e6).toFixed(1)} MB, largest entry ${(i.stats.largest.size / 1e6).toFixed(1)} MB; folder ${i.folderStats.files} files, ${(i.folderStats.bytes / 1e6).toFixed(1)} MB`);
}
console.log("");
printTable(
  ["input", "task", "dvsol", "cpu", "peak RSS", "baseline", "baseline wall", "cpu", "peak RSS", "ratio"],
  rows.map((r) =>
    r.error
      ? [r.input, r.title, "FAILED", "", "", "", "", "", "", r.error.slice(0, 60)]
      : [r.input, r.title, fmtMs(r.dvsol.wall), fmtMs(r.dvsol.cpu), fmtMB(r.dvsol.rssMB), r.baseline?.name ?? "-", r.baseline ? fmtMs(r.baseline.wall) : "", r.baseline ? fmtMs(r.baseline.cpu) : "", r.baseline ? fmtMB(r.baseline.rssMB) : "", r.baseline ? `${fmtRatio(r.ratioWall)} (${fmtRatio(r.ratioCpu)})` : ""],
  ),
);
if (parse.length) {
  console.log("\nXML parse (parseXmlBytes, in a fresh process; first = what a command pays, incl. JIT warm-up):");
  printTable(["document", "MB", "first", "MB/s", "warm", "MB/s", "walk all"], parse.map((p) => [p.document, (p.bytes / 1e6).toFixed(1), fmtMs(p.firstMs), p.firstMBs.toFixed(0), fmtMs(p.warmMs), p.warmMBs.toFixed(0), fmtMs(p.walkMs)]));
}
if (growth.length) {
  console.log(`\ngrowth ${growth[0].from} -> ${growth[0].to}: ${growth[0].sizeRatio.toFixed(0)}x the bytes, ${growth[0].fileRatio.toFixed(0)}x the files (time/size < 1: better than linear)`);
  printTable(
    ["task", "time x", "cpu x", "RSS x", "time x / bytes x", "time x / files x", `ms/MB ${growth[0].from}`, `ms/MB ${growth[0].to}`],
    growth.map((g) => [g.task, g.timeRatio.toFixed(1), g.cpuRatio.toFixed(1), g.rssRatio.toFixed(1), g.timeRatio / g.sizeRatio < 10 ? (g.timeRatio / g.sizeRatio).toFixed(2) : (g.timeRatio / g.sizeRatio).toFixed(0), (g.timeRatio / g.fileRatio).toFixed(2), g.msPerMB[g.from].toFixed(1), g.msPerMB[g.to].toFixed(1)]),
  );
}
if (startup) {
  console.log("\nstart-up (median wall, CPU; min wall):");
  printTable(["command", "wall", "cpu", "min", "peak RSS"], Object.entries(startup).map(([k, v]) => [k, fmtMs(v.wall), fmtMs(v.cpu), fmtMs(v.min), fmtMB(v.rssMB)]));
}
const targets = evaluateTargets();
console.log("\ntargets:");
if (inputNames.some((n) => FIXED_COST_INPUTS.has(n)))
  console.log(`  (${inputNames.filter((n) => FIXED_COST_INPUTS.has(n)).join(", ")}: Info-ZIP finishes in less time than node takes to start (see start-up), so these ratios are printed, not judged)`);
for (const t of targets) console.log(`  ${t.met === null ? "n/a " : t.met ? "MET " : "NOT "} ${t.target}: ${t.measured}`);

const results = {
  date: new Date().toISOString(),
  mode: dry ? "dry" : quick ? "quick" : "full",
  machine,
  node: process.version,
  loadAverage: { start: loadStart, end: loadEnd },
  gnuTime: hasGnuTime(),
  seconds: Math.round((performance.now() - t0) / 1000),
  inputs: Object.fromEntries(inputNames.map((n) => [n, { label: inputs[n].label, zip: inputs[n].stats, folder: inputs[n].folderStats, generated: inputs[n].generated ?? undefined }])),
  rows,
  parse,
  growth,
  startup,
  targets,
};
fs.mkdirSync(work, { recursive: true });
fs.writeFileSync(path.join(work, "results.json"), JSON.stringify(results, null, 2) + "\n");
console.log(`\nresults: ${path.join(work, "results.json")} (${results.seconds} s)`);
fs.rmSync(scratch, { recursive: true, force: true });

function evaluateTargets() {
  const out = [];
  const big = inputNames.includes("large") ? "large" : inputNames[inputNames.length - 1];
  const row = (input, task) => rows.find((r) => r.input === input && r.task === task && !r.error);
  for (const task of ["unpack", "pack"]) {
    for (const n of inputNames) {
      const r = row(n, task);
      if (r?.baseline) out.push({ target: `${task} <= 1.5x Info-ZIP (${n})`, met: FIXED_COST_INPUTS.has(n) ? null : r.ratioWall <= 1.5, measured: `${fmtRatio(r.ratioWall)} wall, ${fmtRatio(r.ratioCpu)} CPU` });
    }
  }
  for (const task of ["edit-version", "edit-add-step"]) {
    for (const n of inputNames) {
      const r = row(n, task);
      if (r?.baseline) out.push({ target: `${task} <= 0.2x unzip-edit-zip (${n})`, met: FIXED_COST_INPUTS.has(n) ? null : r.ratioWall <= 0.2, measured: `${fmtRatio(r.ratioWall)} wall, ${fmtRatio(r.ratioCpu)} CPU` });
    }
  }
  for (const task of ["check", "impact"]) {
    const r = row(big, task);
    if (r) out.push({ target: `${task} < 2 s on ${big}`, met: r.dvsol.wall < 2000, measured: `${fmtMs(r.dvsol.wall)} wall, ${fmtMs(r.dvsol.cpu)} CPU` });
  }
  if (startup) {
    for (const k of ["dvsol --version", "dvsol --help"])
      out.push({ target: `${k} < 150 ms`, met: startup[k].wall < 150, measured: `${fmtMs(startup[k].wall)} median (${fmtMs(startup[k].min)} min), node -e 0 ${fmtMs(startup["node -e 0"].wall)}; CPU ${fmtMs(startup[k].cpu)} vs ${fmtMs(startup["node -e 0"].cpu)}` });
  }
  const edu = parse.find((p) => p.document.startsWith("EducationAcceleratorCommon"));
  if (edu) out.push({ target: "XML parse > 50 MB/s (9 MB customizations.xml)", met: edu.firstMBs > 50, measured: `${edu.firstMBs.toFixed(0)} MB/s first parse, ${edu.warmMBs.toFixed(0)} MB/s warm` });
  const g = growth.filter((x) => x.to === big);
  if (g.length) {
    const worst = g.reduce((a, b) => (b.timeRatio / b.sizeRatio > a.timeRatio / a.sizeRatio ? b : a));
    out.push({ target: `time grows at most linearly with size (${g[0].from} -> ${big})`, met: worst.timeRatio / worst.sizeRatio <= 1.2, measured: `worst ${worst.task}: ${worst.timeRatio.toFixed(1)}x time for ${worst.sizeRatio.toFixed(0)}x bytes` });
  }
  for (const n of inputNames.filter((x) => x === "large")) {
    const biggestDoc = inputs[n].stats.customizationsBytes / 1e6;
    const total = inputs[n].stats.bytes / 1e6;
    const worst = rows.filter((r) => r.input === n && r.dvsol).reduce((a, b) => (b.dvsol.rssMB > (a?.dvsol.rssMB ?? 0) ? b : a), null);
    if (worst) out.push({ target: `peak RSS bounded by the largest document, not the solution (${n}: ${total.toFixed(0)} MB, customizations.xml ${biggestDoc.toFixed(0)} MB)`, met: worst.dvsol.rssMB < total, measured: `highest ${fmtMB(worst.dvsol.rssMB)} (${worst.task}) = ${(worst.dvsol.rssMB / biggestDoc).toFixed(1)}x the largest document, ${(worst.dvsol.rssMB / total).toFixed(2)}x the solution` });
  }
  if (inputNames.includes("media")) {
    const m = rows.filter((r) => r.input === "media" && r.dvsol);
    const worst = m.reduce((a, b) => (b.dvsol.rssMB > (a?.dvsol.rssMB ?? 0) ? b : a), null);
    const largest = inputs.media.stats.largest.size / 1e6;
    if (worst)
      out.push({
        target: `peak RSS does not follow streamed entries (media: one ${largest.toFixed(0)} MB web resource) < 200 MB`,
        met: worst.dvsol.rssMB < 200,
        measured: `highest ${fmtMB(worst.dvsol.rssMB)} (${worst.task}) = ${(worst.dvsol.rssMB / largest).toFixed(2)}x the entry`,
      });
  }
  return out;
}

function machineInfo() {
  let cpu = "unknown CPU";
  try {
    cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? os.cpus()[0]?.model ?? cpu;
  } catch {
    cpu = os.cpus()[0]?.model ?? cpu;
  }
  const free = spawnSync("free", ["-h"], { encoding: "utf8" });
  const mem = /Mem:\s+(\S+)/.exec(free.stdout ?? "")?.[1] ?? `${(os.totalmem() / 2 ** 30).toFixed(1)}Gi`;
  return { cpu, nproc: os.availableParallelism(), memory: `${mem} RAM`, free: free.stdout?.trim() ?? null, platform: `${os.type()} ${os.release()}` };
}
