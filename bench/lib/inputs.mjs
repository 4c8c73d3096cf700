// The benchmark inputs, built under the work folder and reused while their sources do not change:
//   small   a corpus export (PL400Demos 1.0.24.0; 1.0.23.0 as the installed side of impact) and its unpack,
//   coe     the CoE Starter Kit core components tree packed with dvsol (about 1,500 files, 60 MB),
//   large   bench/gen-large.mjs: ten times the CoE tree (about 15,000 files, 570 MB) with hundreds of
//           assemblies and thousands of steps, as a folder and as a zip, and its 1.0.0.0 twin,
//   media   the generator without the corpus, with one 400 MB web resource: memory must not follow entry sizes,
//   tiny    the generator without the corpus (--dry: a few assemblies and steps, no clones).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { COE_TREE, generate } from "../gen-large.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, "..", "..");
export const DVSOL = path.join(ROOT, "bin", "dvsol.js");
const CORPUS = path.resolve(ROOT, "..", "shared", "corpus");
const PL400 = path.join(CORPUS, "MicrosoftLearning__PL-400_Microsoft-Power-Platform-Developer", "Allfiles", "Demos");

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${(r.stderr ?? "").toString().split("\n").slice(-8).join("\n")}`);
  return r;
}

/** Files and bytes under a folder. */
export function folderStats(dir) {
  let files = 0;
  let bytes = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !e.name.startsWith(".dvsol-bench-")) {
        files++;
        bytes += fs.statSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

/** Entries, uncompressed bytes and the largest entry of a zip (from `unzip -Z`-free central directory read). */
export async function zipStats(zip) {
  const { ZipReader } = await import(path.join(ROOT, "dist", "archive", "index.js"));
  const r = await ZipReader.open(zip);
  try {
    let bytes = 0;
    let largest = { name: "", size: 0 };
    let files = 0;
    for (const e of r.entries) {
      if (e.isDirectory) continue;
      files++;
      bytes += e.size;
      if (e.size > largest.size) largest = { name: e.name, size: e.size };
    }
    const cust = r.get("customizations.xml");
    return { files, bytes, zipBytes: fs.statSync(zip).size, largest, customizationsBytes: cust ? cust.size : null };
  } finally {
    await r.close();
  }
}

/** A zip made by `dvsol pack` from a folder, rebuilt when the folder's stamp (or its absence) changed. */
function packOnce(folder, zip, stampText) {
  const stamp = `${zip}.stamp`;
  if (fs.existsSync(zip) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === stampText) return;
  fs.rmSync(zip, { force: true });
  run(process.execPath, [DVSOL, "pack", folder, zip, "--json"]);
  fs.writeFileSync(stamp, stampText);
}

/** An unpacked folder made by `dvsol unpack`, rebuilt when the zip changed. */
function unpackOnce(zip, folder) {
  const stamp = `${folder}.stamp`;
  const text = `${fs.statSync(zip).size}:${fs.statSync(zip).mtimeMs}`;
  if (fs.existsSync(folder) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === text) return;
  fs.rmSync(folder, { recursive: true, force: true });
  run(process.execPath, [DVSOL, "unpack", zip, folder, "--json"]);
  fs.writeFileSync(stamp, text);
}

export const hasCorpus = () => fs.existsSync(path.join(PL400, "PL400Demos_1_0_24_0.zip")) && fs.existsSync(path.join(COE_TREE, "Other", "Solution.xml"));

/**
 * Builds (or reuses) the inputs. `which`: names among small, coe, large, tiny. Returns, per name:
 * { name, zip, folder, twinZip?, stepType, stats }.
 */
export async function buildInputs(work, which, log = () => {}) {
  fs.mkdirSync(work, { recursive: true });
  const out = {};
  if (which.includes("small")) {
    log("small: PL400Demos 1.0.24.0 (corpus)");
    const zip = path.join(work, "small.zip");
    const twinZip = path.join(work, "small-1.0.23.zip");
    fs.copyFileSync(path.join(PL400, "PL400Demos_1_0_24_0.zip"), zip);
    fs.copyFileSync(path.join(PL400, "PL400Demos_1_0_23_0.zip"), twinZip);
    const folder = path.join(work, "small-folder");
    unpackOnce(zip, folder);
    out.small = { name: "small", label: "PL400Demos_1_0_24_0.zip (corpus)", zip, folder, twinZip, stepType: await firstPluginType(zip), stats: await zipStats(zip) };
  }
  if (which.includes("coe")) {
    log("coe: the CoE Starter Kit core components tree, packed with dvsol");
    const zip = path.join(work, "coe.zip");
    packOnce(COE_TREE, zip, `coe:${COE_TREE}`);
    out.coe = { name: "coe", label: "CoE core components (corpus tree, packed by dvsol)", zip, folder: COE_TREE, twinZip: null, stepType: null, stats: await zipStats(zip) };
  }
  if (which.includes("large") || which.includes("tiny") || which.includes("media")) {
    for (const name of ["large", "media", "tiny"].filter((n) => which.includes(n))) {
      const folder = path.join(work, name);
      const twin = path.join(work, `${name}-twin`);
      log(`${name}: generating ${folder} (bench/gen-large.mjs; reused when unchanged)`);
      // media: a small solution with one 400 MB web resource (memory must not grow with streamed entries).
      const params = name === "large" ? {} : { base: "none", clones: 0, assemblies: 6, steps: 40, endpoints: 2, bigMb: name === "media" ? 400 : 1 };
      const gen = await generate({ out: folder, twin, ...params });
      const stampText = fs.readFileSync(path.join(folder, ".dvsol-bench-stamp.json"), "utf8");
      const zip = path.join(work, `${name}.zip`);
      const twinZip = path.join(work, `${name}-twin.zip`);
      log(`${name}: packing the folder and its twin with dvsol (reused when unchanged)`);
      packOnce(folder, zip, stampText);
      packOnce(twin, twinZip, stampText);
      const labels = { large: "generated (bench/gen-large.mjs, seed 1)", media: "generated: 6 assemblies, 40 steps and one 400 MB web resource", tiny: "generated, tiny (--dry)" };
      out[name] = { name, label: labels[name], zip, folder, twinZip, stepType: gen.firstType, generated: gen, stats: await zipStats(zip) };
    }
  }
  for (const v of Object.values(out)) if (v.folder) v.folderStats = folderStats(v.folder);
  return out;
}

/** A plug-in type of the solution (for `dvsol add step`), or null when it has none. */
async function firstPluginType(zip) {
  const { loadSolution } = await import(path.join(ROOT, "dist", "model", "read.js"));
  const sol = await loadSolution(zip);
  try {
    for (const a of sol.assemblies) for (const t of a.types) if (!t.workflowActivityGroupName) return t.typeName;
    return null;
  } finally {
    await sol.source.close();
  }
}
