#!/usr/bin/env node
// How long dvsol takes to read a ~10 MB plug-in assembly (identity, references, every type classified),
// next to a baseline in the same process: reading the same file and hashing it with SHA-1.
//
//   node bench/assembly-read.mjs [--runs N]      (build first: npm run build)
//
// With mono's mcs on PATH it compiles two assemblies once into bench/.work/: a type-heavy one (24,000
// classes, half of them plug-ins through a local abstract base, some nested, some generic, plus an 8 MiB
// embedded resource) and a typical one (200 classes and a 10 MiB resource).
// Without mcs it uses the biggest DLL it can find in the test fixtures, the samples and the corpus.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORK = path.join(ROOT, "bench", ".work", "assembly");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 25;

const dist = path.join(ROOT, "dist", "assembly", "index.js");
if (!existsSync(dist)) {
  console.error("dist/ not found: run `npm run build` first");
  process.exit(2);
}
const { readAssembly, readAssemblyFile } = await import(dist);

const hasMcs = spawnSync("sh", ["-c", "command -v mcs"]).status === 0;
const cases = hasMcs
  ? [buildBig({ classes: 12_000, resourceBytes: 8 << 20 }), buildBig({ classes: 100, resourceBytes: 10 << 20 })]
  : [biggestAvailable()];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(fn) {
  const t = [];
  for (let i = 0; i < 10; i++) await fn(); // warm-up (JIT)
  for (let i = 0; i < RUNS; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return median(t);
}

for (const { file, origin } of cases) {
  const bytes = readFileSync(file);
  let info;
  const baseline = await time(() => createHash("sha1").update(readFileSync(file)).digest());
  const parse = await time(() => (info = readAssembly(bytes)));
  const fromFile = await time(() => readAssemblyFile(file));
  console.log(`assembly: ${path.relative(ROOT, file)} (${origin})`);
  console.log(`  size ${(bytes.length / 1048576).toFixed(1)} MiB, ${info.pluginTypes.length} plug-in/activity types, ${info.undeterminedTypes.length} undetermined`);
  console.log(`  median of ${RUNS} runs:`);
  console.log(`    readAssembly(bytes)            ${parse.toFixed(2)} ms`);
  console.log(`    readAssemblyFile(path)         ${fromFile.toFixed(2)} ms`);
  console.log(`    baseline readFileSync + SHA-1  ${baseline.toFixed(2)} ms`);
  console.log(`  ratio readAssembly / baseline: ${(parse / baseline).toFixed(2)}  (target: readAssembly well under 100 ms)`);
}

/** Compiles an assembly of `classes` x 2 classes and a resource, once (cached by those parameters). */
function buildBig({ classes: CLASSES, resourceBytes: RESOURCE }) {
  const dll = path.join(WORK, `Bench.Plugins.${CLASSES}.${RESOURCE}.dll`);
  if (existsSync(dll)) return { file: dll, origin: "compiled with mcs (cached)" };
  mkdirSync(WORK, { recursive: true });
  const stubs = path.join(ROOT, "test", "fixtures", "assemblies", "src", "stubs");
  const mcs = (args) => {
    const r = spawnSync("mcs", ["-nologo", "-target:library", "-warn:0", ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`mcs failed:\n${r.stdout}${r.stderr}`);
  };
  mcs([`-out:${path.join(WORK, "Microsoft.Xrm.Sdk.dll")}`, path.join(stubs, "Microsoft.Xrm.Sdk.cs")]);
  const lines = [
    "using System; using Microsoft.Xrm.Sdk;",
    '[assembly: System.Reflection.AssemblyVersion("1.0.0.0")]',
    '[assembly: System.Runtime.Versioning.TargetFramework(".NETFramework,Version=v4.6.2")]',
    "namespace Bench.Plugins {",
    "public abstract class Base : IPlugin { public void Execute(IServiceProvider s) { Run(s); } protected abstract void Run(IServiceProvider s); }",
    "public class Generic<T> : Base { protected override void Run(IServiceProvider s) { } }",
  ];
  for (let i = 0; i < CLASSES; i++) {
    lines.push(
      `public class Plugin${i} : Base { public int Field${i}; protected override void Run(IServiceProvider s) { Field${i} = ${i}; } public string Describe() { return "Plugin${i}"; } }`,
      i % 10 === 0
        ? `public class Closed${i} : Generic<int> { public class Nested${i} : Base { protected override void Run(IServiceProvider s) { } } }`
        : `public class Helper${i} { public int Value; public int Twice() { return Value * 2 + ${i}; } }`,
    );
  }
  lines.push("}");
  const src = path.join(WORK, `Bench.Plugins.${CLASSES}.cs`);
  writeFileSync(src, lines.join("\n"));
  // Incompressible-looking resource bytes from a fixed seed (an xorshift generator).
  const res = Buffer.alloc(RESOURCE);
  let x = 0x9e3779b9;
  for (let i = 0; i < RESOURCE; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    res.writeUInt32LE(x >>> 0, i);
  }
  const resFile = path.join(WORK, `payload.${RESOURCE}.bin`);
  writeFileSync(resFile, res);
  mcs([`-r:${path.join(WORK, "Microsoft.Xrm.Sdk.dll")}`, `-resource:${resFile},Bench.Plugins.payload.bin`, `-out:${dll}`, src]);
  return { file: dll, origin: "compiled with mcs" };
}

/** Without mono: the biggest DLL among the fixtures, the samples and the corpus zips' plug-in assemblies. */
function biggestAvailable() {
  const found = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.toLowerCase().endsWith(".dll")) found.push(p);
    }
  };
  walk(path.join(ROOT, "test", "fixtures"));
  walk(path.join(ROOT, "samples"));
  const corpus = path.resolve(ROOT, "..", "shared", "corpus");
  if (existsSync(corpus) && spawnSync("sh", ["-c", "command -v unzip"]).status === 0) {
    const out = path.join(WORK, "corpus");
    mkdirSync(out, { recursive: true });
    const zips = [];
    const walkZips = (d) => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n);
        if (statSync(p).isDirectory()) walkZips(p);
        else if (/\.zip(@[0-9a-f]{8})?$/.test(n)) zips.push(p);
      }
    };
    walkZips(corpus);
    zips.forEach((z, i) => spawnSync("unzip", ["-o", "-q", z, "PluginAssemblies/*", "-d", path.join(out, String(i))]));
    walk(out);
  }
  found.sort((a, b) => statSync(b).size - statSync(a).size);
  if (!found.length) throw new Error("no DLL found to measure");
  return { file: found[0], origin: "biggest DLL available (mcs not installed)" };
}
