#!/usr/bin/env node
// Archive layer benchmark: dvsol's ZipReader/ZipWriter against Info-ZIP unzip/zip on the same input.
// Build first (npx tsc -p .). Usage: node bench/archive.mjs [--runs 5] [--folder <dir> | --synthetic]
// Input: the CoE Starter Kit core components tree (about 1,500 files, 60 MB) packed with `zip -q -r -6`;
// --synthetic generates the large case instead: 15,000 XML files (about 300 MB) plus one 200 MB file.
// Each measurement runs in its own child process (wall time includes process start for both tools) and
// its peak RSS comes from /usr/bin/time when present, else from the child's process.resourceUsage().
// Runs of dvsol and of the baseline alternate, so a noisy machine slows both alike.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const work = path.join(here, ".work");
const distArchive = path.join(here, "..", "dist", "archive", "index.js");

// ---- child mode: one measured operation -------------------------------------------------------------
if (process.argv[2] === "--child") {
  const [, , , op, a, b] = process.argv;
  const { ZipReader, ZipWriter, extractAll, packFolderEntries } = await import(distArchive);
  const conc = os.availableParallelism();
  if (op === "extract") {
    const r = await ZipReader.open(a);
    await extractAll(r, b, { concurrency: conc });
    await r.close();
  } else if (op === "pack") {
    const files = [];
    const walk = (dir, prefix) => {
      for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
        if (d.isDirectory()) walk(path.join(dir, d.name), prefix + d.name + "/");
        else if (d.isFile()) files.push({ name: prefix + d.name, path: path.join(dir, d.name) });
      }
    };
    walk(a, "");
    const w = await ZipWriter.create(b, { level: 6, concurrency: conc });
    packFolderEntries(w, files);
    await w.finish();
  } else if (op === "copy") {
    const r = await ZipReader.open(a);
    const w = await ZipWriter.create(b, { concurrency: conc });
    for (const e of r.entries) w.addRaw(e.name, r, e);
    await w.finish();
    await r.close();
  } else throw new Error(`unknown op ${op}`);
  process.stdout.write(JSON.stringify({ maxRSSkB: process.resourceUsage().maxRSS }) + "\n");
  process.exit(0);
}

// ---- parent mode -------------------------------------------------------------------------------------
const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const runs = Number(opt("--runs", 5));
const synthetic = args.includes("--synthetic");
const folder = synthetic
  ? path.join(work, "synthetic")
  : path.resolve(
      opt("--folder", path.join(here, "..", "..", "shared", "corpus", "romikaAIS__coe-starter-kit", "CenterofExcellenceCoreComponents", "SolutionPackage")),
    );
const have = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
if (!fs.existsSync(distArchive)) {
  console.error(`${distArchive} is missing: run npx tsc -p . first`);
  process.exit(1);
}
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
if (synthetic) makeSynthetic(folder);
if (!fs.existsSync(folder)) {
  console.error(`input folder ${folder} is missing (needs /work/shared/corpus)`);
  process.exit(1);
}
if (!have("zip") || !have("unzip")) {
  console.error("Info-ZIP zip and unzip are needed as the baseline");
  process.exit(1);
}
const timeV = fs.existsSync("/usr/bin/time") && spawnSync("/usr/bin/time", ["-f", "%M", "true"]).status === 0;

const input = path.join(work, "input.zip");
must(spawnSync("zip", ["-q", "-r", "-6", input, "."], { cwd: folder }), "zip (building the input)");
const inputSize = fs.statSync(input).size;
const fileCount = countFiles(folder);

function must(r, what) {
  if (r.status !== 0) {
    console.error(`${what} failed (${r.status}): ${r.stderr?.toString() ?? ""}`);
    process.exit(1);
  }
  return r;
}

/** 15,000 XML files of 2-40 KB in 300 folders, and a 200 MB file that deflates about 8:1 (deterministic). */
function makeSynthetic(dir) {
  let x = 1;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < 15000; i++) {
    const d = path.join(dir, "Entities", `new_entity${i % 300}`);
    if (i < 300) fs.mkdirSync(d, { recursive: true });
    const n = 2000 + (rnd() % 38000);
    let s = "<rows>";
    while (s.length < n) s += `<row id="${rnd() % 100000}" value="${(rnd() % 1e6).toString(36)}"/>\n`;
    fs.writeFileSync(path.join(d, `rows-${i}.xml`), s + "</rows>");
  }
  const big = Buffer.alloc(200 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i % 64 < 8 ? rnd() : 0x20202020, i);
  fs.mkdirSync(path.join(dir, "Assets"), { recursive: true });
  fs.writeFileSync(path.join(dir, "Assets", "big.bin"), big);
}

function countFiles(dir) {
  let n = 0;
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) n += d.isDirectory() ? countFiles(path.join(dir, d.name)) : 1;
  return n;
}

/** Runs a command in a child process; returns wall ms, CPU ms (user + system) and peak RSS in kB. */
function measure(cmd, argv, cwd) {
  const full = timeV ? ["/usr/bin/time", ["-f", "__RSS__%M %U %S", cmd, ...argv]] : [cmd, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { cwd, maxBuffer: 1 << 24 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  must(r, `${cmd} ${argv.join(" ")}`);
  let rss = NaN;
  let cpu = NaN;
  const m = /__RSS__(\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr.toString());
  if (m) {
    rss = Number(m[1]);
    cpu = (Number(m[2]) + Number(m[3])) * 1000;
  }
  else {
    const line = r.stdout.toString().trim().split("\n").pop();
    try {
      rss = JSON.parse(line).maxRSSkB;
    } catch {
      /* the baseline tools print nothing; RSS stays unknown without /usr/bin/time */
    }
  }
  return { ms, rss, cpu };
}

const self = fileURLToPath(import.meta.url);
const node = process.execPath;
const out = (name) => path.join(work, name);
const clean = (...ps) => ps.forEach((p) => fs.rmSync(p, { recursive: true, force: true }));


// Every run writes to a new path and outputs are deleted only at the end: ext4 makes file creation slow
// next to many recently deleted inodes (recently_deleted() in the inode allocator), which would charge
// one tool for the other's clean-up.
let seq = 0;
const fresh = (name) => out(`${name}-${seq++}`);
const cases = [
  {
    name: "extract all entries",
    dvsol: () => measure(node, [self, "--child", "extract", input, fresh("x-dvsol")]),
    base: () => measure("unzip", ["-q", input, "-d", fresh("x-unzip")]),
    baseName: "unzip -q",
  },
  {
    name: "compress the folder",
    dvsol: () => measure(node, [self, "--child", "pack", folder, fresh("pack-dvsol") + ".zip"]),
    base: () => measure("zip", ["-q", "-r", "-6", fresh("pack-zip") + ".zip", "."], folder),
    baseName: "zip -q -r -6",
  },
  {
    name: "raw copy of all entries",
    dvsol: () => measure(node, [self, "--child", "copy", input, fresh("copy-dvsol") + ".zip"]),
    base: () => {
      const n = seq++;
      return measure("sh", ["-c", `unzip -q "$1" -d "$2" && cd "$2" && zip -q -r -6 "$3" .`, "sh", input, out(`copy-tmp-${n}`), out(`copy-zip-${n}.zip`)]);
    },
    baseName: "unzip + zip -r -6",
  },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`input: ${folder}`);
console.log(`       ${fileCount} files; packed with zip -6: ${(inputSize / 1e6).toFixed(1)} MB; ${runs} runs each, ${os.availableParallelism()} CPUs; node ${process.version}`);
console.log(`peak RSS from ${timeV ? "/usr/bin/time" : "process.resourceUsage() (baseline RSS unknown)"}\n`);
const rows = [];
for (const c of cases) {
  const d = [];
  const b = [];
  c.dvsol(); // warm the page cache and the module cache once, untimed
  c.base();
  for (let i = 0; i < runs; i++) {
    if (i % 2) {
      b.push(c.base());
      d.push(c.dvsol());
    } else {
      d.push(c.dvsol());
      b.push(c.base());
    }
  }
  const dm = median(d.map((x) => x.ms));
  const bm = median(b.map((x) => x.ms));
  rows.push({
    case: c.name,
    "dvsol ms": dm.toFixed(0),
    baseline: c.baseName,
    "baseline ms": bm.toFixed(0),
    ratio: (dm / bm).toFixed(2),
    "dvsol CPU ms": median(d.map((x) => x.cpu)).toFixed(0),
    "baseline CPU ms": median(b.map((x) => x.cpu)).toFixed(0),
    "dvsol peak RSS MB": (median(d.map((x) => x.rss)) / 1024).toFixed(0),
    "baseline peak RSS MB": (median(b.map((x) => x.rss)) / 1024).toFixed(0),
  });
}
console.table(rows);
console.log("ratio = dvsol median wall time / baseline median wall time (target <= 1.5); CPU = user + system time");
const sizeOf = (prefix) => fs.statSync(out(fs.readdirSync(work).find((f) => f.startsWith(prefix) && f.endsWith(".zip")))).size;
console.log(`sizes: input (zip -6) ${inputSize}, dvsol pack ${sizeOf("pack-dvsol-")}, zip -r -6 ${sizeOf("pack-zip-")}, dvsol raw copy ${sizeOf("copy-dvsol-")} bytes`);
for (const f of fs.readdirSync(work)) if (/^(x-|copy-|pack-)/.test(f)) clean(out(f));
