// The overlay, commit, lock and --out; the library API composing plans; determinism; help.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, dvsol, tmp } from "../helpers.js";
import { loadSolution } from "../../src/model/read.js";
import { planAddImage, planAddStep, planSetVersion, planAddEndpoint } from "../../src/plan/index.js";
import { applyPlan, commit } from "../../src/edit/index.js";
import { DEMO, MINIMAL, PL400_ZIP, changedPaths, copyOf, inspectJson, ok, pl400Folder, pl400Skip, rawEntries, roundTrip, snapshot, text } from "./helpers.js";

function fails(args: string[], re: RegExp): string {
  const r = dvsol(args);
  assert.equal(r.code, 2, `expected exit 2 from dvsol ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, re);
  return r.stderr;
}

test("lock: a folder held by a live dvsol process is refused with LOCKED; a stale lock is taken over; no lock is left behind", () => {
  const f = copyOf(MINIMAL);
  const lock = path.join(f, ".dvsol-lock");
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), since: "now" }));
  const e = fails(["version", f, "--bump", "minor"], /error LOCKED: .* is being edited by another dvsol process \(pid \d+\)/);
  assert.match(e, /delete .*\.dvsol-lock/);
  assert.equal(inspectJson(f).version, "1.0", "nothing written");
  ok(["version", f, "--bump", "minor", "--dry-run"]);
  // A lock whose process is gone.
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: hostname(), since: "then" }));
  ok(["version", f, "--bump", "minor"]);
  assert.equal(inspectJson(f).version, "1.1");
  assert.ok(!existsSync(lock), "the lock is released");
  assert.deepEqual(readdirSync(f).filter((n) => n.startsWith(".dvsol-")), []);
});

test("lock: concurrent dvsol processes on one folder never corrupt it", async () => {
  const f = copyOf(MINIMAL);
  ok(["add", "assembly", f, DEMO("1.0.1.0")]);
  const runs = ["Create", "Update", "Delete", "Assign", "SetState", "Merge"].map(
    (msg, i) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const args = msg === "Create" || msg === "Update" || msg === "Delete" ? ["--message", msg] : ["--message", msg, "--message-id", `00000000-0000-0000-0000-00000000000${i}`];
        const p = spawn(process.execPath, [path.join(ROOT, "bin", "dvsol.js"), "add", "step", f, "--type", "AuditTrick", "--entity", "account", "--stage", "postoperation", "--mode", "async", ...args], { env: { ...process.env, NO_COLOR: "1" } });
        let stderr = "";
        p.stderr.on("data", (d) => (stderr += d));
        p.on("close", (code) => resolve({ code: code ?? -1, stderr }));
      }),
  );
  const results = await Promise.all(runs);
  for (const r of results) assert.ok(r.code === 0 || /error LOCKED/.test(r.stderr), r.stderr);
  const done = results.filter((r) => r.code === 0).length;
  assert.ok(done >= 1);
  const j = inspectJson(f);
  assert.equal(j.steps.length, done, "every successful run's step is there");
  assert.equal(j.rootComponents.filter((rc) => rc.type === 92).length, done);
  assert.deepEqual(readdirSync(f).filter((n) => n.startsWith(".dvsol-")), []);
  roundTrip(f);
});

test("--out: zip to zip, folder to folder, and across forms; the input is left as it was", { skip: pl400Skip }, async () => {
  const z = copyOf(PL400_ZIP, "in.zip");
  const zbytes = readFileSync(z);
  const dir = path.dirname(z);
  const stepArgs = ["--type", "ValidatePetTrick", "--message", "Update", "--entity", "dem_petrrick", "--stage", "preoperation"];
  ok(["add", "step", z, ...stepArgs, "--out", path.join(dir, "out.zip")]);
  assert.deepEqual(readFileSync(z), zbytes, "input untouched");
  ok(["add", "step", z, ...stepArgs, "--out", path.join(dir, "outfolder")]);
  assert.deepEqual(readFileSync(z), zbytes);
  assert.equal(inspectJson(path.join(dir, "out.zip")).steps.length, 3);
  assert.equal(inspectJson(path.join(dir, "outfolder")).steps.length, 3);
  assert.ok(existsSync(path.join(dir, "outfolder", "Other", "Solution.xml")), "zip -> unpacked folder");
  const raws = await rawEntries(path.join(dir, "out.zip"));
  const orig = await rawEntries(z);
  for (const [n, e] of orig) if (!["customizations.xml", "solution.xml"].includes(n)) assert.deepEqual(raws.get(n)!.raw, e.raw, n);
  const f = pl400Folder();
  const before = snapshot(f);
  ok(["add", "step", f, ...stepArgs, "--out", path.join(dir, "f2")]);
  ok(["add", "step", f, ...stepArgs, "--out", path.join(dir, "f2.zip")]);
  assert.deepEqual(changedPaths(before, snapshot(f)), { added: [], removed: [], modified: [] });
  const f2 = snapshot(path.join(dir, "f2"));
  const d = changedPaths(before, f2);
  assert.equal(d.added.length, 1);
  assert.deepEqual(d.modified, ["Other/Solution.xml"]);
  assert.equal(inspectJson(path.join(dir, "f2.zip")).steps.length, 3);
  fails(["add", "step", f, ...stepArgs, "--out", path.join(dir, "f2")], /OUTPUT_NOT_EMPTY/);
  fails(["add", "step", f, ...stepArgs, "--out", path.join(f, "inside")], /OUTPUT_INSIDE_INPUT/);
});

test("library: plans compose through applyPlan (nothing written) and commit writes only what changed", async () => {
  const f = copyOf(MINIMAL);
  ok(["add", "assembly", f, DEMO("1.0.1.0")]);
  const before = snapshot(f);
  const sol = await loadSolution(f);
  try {
    const p1 = planAddStep(sol, { type: "AuditTrick", message: "Update", entity: "account", stage: "postoperation" });
    assert.equal(p1.operation, "add step");
    assert.ok(p1.files.some((x) => x.kind === "create" && x.path.startsWith("SdkMessageProcessingSteps/{")));
    assert.ok(p1.files.some((x) => x.kind === "edit" && x.path === "Other/Solution.xml" && x.edits.length === 1));
    const s1 = await applyPlan(sol, p1);
    assert.equal(s1.steps.length, 1);
    const stepName = s1.steps[0]!.name!;
    const p2 = planAddImage(s1, { step: stepName, images: ["pre:PreImage:name"] });
    const s2 = await applyPlan(s1, p2);
    const p3 = planAddEndpoint(s2, { name: "hook", contract: "webhook", url: "https://contoso.azurewebsites.net/api/x" });
    const s3 = await applyPlan(s2, p3);
    const p4 = planSetVersion(s3, { bump: "build" });
    const s4 = await applyPlan(s3, p4);
    assert.equal(s4.steps[0]!.images.length, 1);
    assert.equal(s4.endpoints.length, 1);
    assert.equal(s4.manifest.version, "1.0.1");
    assert.deepEqual(changedPaths(before, snapshot(f)), { added: [], removed: [], modified: [] }, "applyPlan writes nothing");
    const r = await commit(sol, s4);
    assert.deepEqual(r.written, ["Other/Customizations.xml", "Other/Solution.xml", "PluginAssemblies/ServiceEndpoints.xml", `SdkMessageProcessingSteps/{${s4.steps[0]!.id}}.xml`]);
  } finally {
    await sol.source.close();
  }
  const j = inspectJson(f);
  assert.equal(j.version, "1.0.1");
  assert.equal(j.steps[0]!.images[0]!.alias, "PreImage");
  roundTrip(f);
});

test("determinism: the same commands on two copies give identical bytes (folder and zip)", { skip: pl400Skip }, () => {
  const a = pl400Folder();
  const b = pl400Folder();
  const za = copyOf(PL400_ZIP, "a.zip");
  const zb = copyOf(PL400_ZIP, "b.zip");
  for (const t of [a, b, za, zb]) {
    ok(["add", "assembly", t, DEMO("1.0.0.0"), "--allow-key-change"]);
    ok(["add", "assembly", t, DEMO("1.0.1.0")]);
    ok(["add", "step", t, "--type", "AuditTrick", "--message", "Update", "--entity", "dem_trick", "--stage", "postoperation", "--mode", "async", "--filter", "dem_name", "--image", "pre:PreImage:dem_name"]);
    ok(["add", "endpoint", t, "--name", "hook", "--contract", "webhook", "--url", "https://contoso.azurewebsites.net/api/x"]);
    ok(["add", "step", t, "--endpoint", "hook", "--message", "Delete", "--entity", "dem_trick", "--stage", "postoperation", "--mode", "async"]);
    ok(["disable", "step", t, "DemoPlugin.ValidatePetTrick: Create of dem_petrrick"]);
    ok(["update", "step", t, "DemoPlugin.ValidatePetTrick: Create of dem_petrrick", "--rank", "2"]);
    ok(["add", "assembly", t, DEMO("2.0.0.0"), "--repoint", "--retire-old"]);
    ok(["version", t, "--bump", "revision"]);
  }
  const sa = snapshot(a);
  const sb = snapshot(b);
  assert.deepEqual([...sa.keys()], [...sb.keys()]);
  for (const [k, v] of sa) assert.deepEqual(sb.get(k), v, k);
  assert.deepEqual(readFileSync(za), readFileSync(zb));
  for (const t of [a, za]) {
    const j = inspectJson(t);
    assert.equal(j.version, "1.0.24.1");
    assert.deepEqual(j.assemblies.map((x) => x.version), ["2.0.0.0"]);
    assert.equal(j.steps.length, 4);
    roundTrip(t);
  }
  assert.match(text(path.join(a, "Other/Solution.xml")), /<Version>1\.0\.24\.1<\/Version>/);
});

test("help: every edit command shows its options and a real example", () => {
  const cmds = [["add", "assembly"], ["add", "step"], ["add", "endpoint"], ["add", "image"], ["update", "step"], ["enable", "step"], ["disable", "step"], ["remove", "step"], ["remove", "image"], ["remove", "endpoint"], ["remove", "assembly"], ["version"]];
  for (const c of cmds) {
    const r = ok([...c, "--help"]);
    assert.match(r.stdout, /Examples?:\n  \$ dvsol /, c.join(" "));
    assert.match(r.stdout, /--dry-run/);
    assert.match(r.stdout, /--json/);
    assert.match(r.stdout, /--out <path>/);
  }
  const step = ok(["add", "step", "--help"]).stdout;
  for (const o of ["--type", "--message", "--message-id", "--entity", "--stage", "--mode", "--rank", "--filter", "--config", "--name", "--description", "--image", "--endpoint", "--secondary-entity", "--async-auto-delete", "--deployment", "--impersonate", "--id", "--assembly", "--no-required"]) {
    assert.ok(step.includes(o), `add step --help lists ${o}`);
  }
  const asm = ok(["add", "assembly", "--help"]).stdout;
  for (const o of ["--repoint", "--retire-old", "--allow-downgrade", "--id", "--ref"]) assert.ok(asm.includes(o), o);
  const t = tmp();
  void t;
});
