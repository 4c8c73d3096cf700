/**
 * The bundled sample scenario (`npm run samples`), as a new user runs it: it succeeds, prints each command
 * before running it, is deterministic (two runs, same bytes), its two routes to release 2 (single commands,
 * registration.v2.json) agree, and the HTML report it writes renders in a real browser with its script run.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, dvsol, tmp } from "../helpers.js";

const SCENARIO = path.join(ROOT, "samples", "scenario.mjs");

function runScenario(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [SCENARIO, "--out", out], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file under dir, relative path -> bytes. */
function files(dir: string, base = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) files(p, base, out);
    else out.set(path.relative(base, p).split(path.sep).join("/"), readFileSync(p));
  }
  return out;
}

describe("npm run samples", () => {
  let dir = "";
  let a = "";
  let b = "";
  let runA: Awaited<ReturnType<typeof runScenario>>;
  let runB: Awaited<ReturnType<typeof runScenario>>;
  before(async () => {
    dir = tmp("dvsol-samples-");
    a = path.join(dir, "a");
    b = path.join(dir, "b");
    [runA, runB] = await Promise.all([runScenario(a), runScenario(b)]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("succeeds and prints each command, as a user types it, before its output", () => {
    assert.equal(runA.code, 0, runA.stdout + runA.stderr);
    assert.equal(runA.stderr, "");
    const commands = [...runA.stdout.matchAll(/^\$ dvsol (\S+(?: (?:assembly|step|endpoint))?)/gm)].map((m) => m[1]);
    assert.deepEqual(commands, [
      "init",
      "apply",
      "pack",
      "add assembly",
      "add assembly",
      "add step",
      "remove step",
      "add endpoint",
      "add step",
      "version",
      "check",
      "update step",
      "check",
      "inspect",
      "pack",
      "impact",
      "impact",
    ]);
    assert.match(runA.stdout, /\$ dvsol init \S+ --name ContosoPlugins --display-name "Contoso Plug-ins" --publisher contoso --prefix contoso --managed\n {2}created /);
    assert.match(runA.stdout, /\$ dvsol add assembly \S+ \S+2\.0\.0\.0\/Contoso\.Plugins\.dll --repoint --retire-old\n/);
    assert.match(runA.stdout, /STEP_UPDATE_NO_FILTER/, "the first check shows its finding");
    assert.match(runA.stdout, /== Summary\n {2}verdict: {6}attention \(0 blocking, 5 to act on, 1 for information\)/);
    assert.match(runA.stdout, /steps: {8}2 added, 1 removed, 2 moved/);
    assert.match(runA.stdout, /report: {7}\S+impact\.html \(open it in a browser\)/);
  });

  test("writes two managed releases and the report as HTML and Markdown", () => {
    for (const f of ["ContosoPlugins_1_0_0_0_managed.zip", "ContosoPlugins_1_1_0_0_managed.zip", "impact.html", "impact.md"]) assert.ok(existsSync(path.join(a, f)), f);
    const md = readFileSync(path.join(a, "impact.md"), "utf8");
    assert.match(md, /attention/i);
    assert.match(md, /IMPACT_ASSEMBLY_NEW_VERSION/);
    const r1 = JSON.parse(dvsol(["inspect", path.join(a, "ContosoPlugins_1_0_0_0_managed.zip"), "--json"]).stdout);
    const r2 = JSON.parse(dvsol(["inspect", path.join(a, "ContosoPlugins_1_1_0_0_managed.zip"), "--json"]).stdout);
    assert.equal(JSON.stringify(r1).includes('"1.0.0.0"'), true);
    assert.match(JSON.stringify(r2), /"1\.1\.0\.0"/);
    assert.match(JSON.stringify(r2), /Contoso orders/);
  });

  test("is deterministic: two runs, the same bytes in every file", () => {
    assert.equal(runB.code, 0, runB.stderr);
    const fa = files(a);
    const fb = files(b);
    assert.deepEqual([...fa.keys()], [...fb.keys()]);
    assert.ok(fa.size >= 12, `${fa.size} files`);
    for (const [k, v] of fa) assert.ok(v.equals(fb.get(k)!), `${k} differs between two runs`);
    // The printed transcript too, but for the output folder's name.
    assert.equal(runA.stdout.split(a).join("<out>"), runB.stdout.split(b).join("<out>"));
  });

  test("registration.v2.json applied with --prune to release 1 reaches the same release 2 as the single commands", () => {
    const folder = path.join(dir, "v2");
    assert.equal(dvsol(["unpack", path.join(a, "ContosoPlugins_1_0_0_0_managed.zip"), folder]).code, 0);
    const plan = dvsol(["apply", folder, path.join(ROOT, "samples", "registration.v2.json"), "--prune"]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(dvsol(["version", folder, "--bump", "minor"]).code, 0);
    const zip = path.join(dir, "v2.zip");
    assert.equal(dvsol(["pack", folder, zip]).code, 0);
    const r = dvsol(["impact", path.join(a, "ContosoPlugins_1_1_0_0_managed.zip"), zip, "--json", "--fail-on", "never"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const nonzero = (o: Record<string, number>, except: string) => Object.entries(o).filter(([k, n]) => k !== except && n);
    assert.deepEqual(nonzero(j.summary.assemblies, "unchanged"), []);
    assert.deepEqual(nonzero(j.summary.steps, "unchanged"), []);
    assert.deepEqual(nonzero(j.summary.endpoints, "unchanged"), []);
    assert.equal(j.summary.steps.unchanged, 4);
    assert.deepEqual(j.reasons.map((x: { code: string }) => x.code), ["IMPACT_VERSION_NOT_HIGHER"], "only the version (the same) differs");
  });

  const chromium = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).stdout.trim().split("\n")[0];
  test("the HTML report renders in headless Chromium and its script runs", { skip: chromium ? false : "chromium not on PATH: skipped" }, () => {
    const html = path.join(a, "impact.html");
    const shots = path.join(dir, "shots");
    mkdirSync(shots);
    const flags = (profile: string) => [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${path.join(shots, profile)}`,
    ];
    const png = path.join(shots, "impact.png");
    const shot = spawnSync(chromium!, [...flags("p1"), `--screenshot=${png}`, "--window-size=1400,1000", `file://${html}`], { encoding: "utf8", timeout: 90_000 });
    assert.ok(existsSync(png), `no screenshot: ${shot.stderr}`);
    const bytes = readFileSync(png);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
    assert.equal(bytes.readUInt32BE(16), 1400, "width");
    assert.ok(bytes.length > 20_000, `a page with content (${bytes.length} bytes)`);
    const dom = spawnSync(chromium!, [...flags("p2"), "--dump-dom", `file://${html}`], { encoding: "utf8", timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
    const title = /<title>([^<]*)<\/title>/.exec(dom.stdout)?.[1];
    const staticTitle = /<title>([^<]*)<\/title>/.exec(readFileSync(html, "utf8"))?.[1];
    assert.notEqual(staticTitle, title, "the file's own title is another one");
    assert.equal(title, "dvsol impact: attention", "the page's script set the title from the verdict");
  });
});
