/**
 * End to end with dvsol's own edit commands: register the Contoso.Plugins sample into a solution, make
 * the next version three ways (in-place upgrade, major bump with and without re-pointing), and ask
 * `dvsol impact` what importing each would do, over folders and over a packed zip.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, rmSync } from "node:fs";
import * as path from "node:path";
import { dvsol, ROOT, tmp } from "../helpers.js";
import { baseSolution, writeSolution } from "./fixtures.js";

// The edit commands are another area of dvsol: without them (a partial build) these tests skip.
const editSkip: string | false = /^\s+add\b/m.test(dvsol(["--help"]).stdout) ? false : "`dvsol add` is not available in this build: skipped";
const dir = tmp("dvsol-impact-e2e-");
after(() => rmSync(dir, { recursive: true, force: true }));
const dll = (v: string) => path.join(ROOT, "samples", "plugin", "bin", v, "Contoso.Plugins.dll");

function run(args: string[]): string {
  const r = dvsol(["-q", ...args]);
  assert.equal(r.code, 0, `dvsol ${args.join(" ")}\n${r.stderr}`);
  return r.stdout;
}

function impactJson(a: string, b: string, ...extra: string[]) {
  const r = dvsol(["impact", a, b, "--format", "json", "--fail-on", "never", ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// v1: the sample 1.0.0.0 with two steps, registered by dvsol.
const v1 = writeSolution(path.join(dir, "v1"), baseSolution({ assemblies: [], steps: [] }));
if (!editSkip) {
  run(["add", "assembly", v1, dll("1.0.0.0")]);
  run(["add", "step", v1, "--type", "AccountPreCreate", "--message", "Create", "--entity", "account", "--stage", "preoperation"]);
  run(["add", "step", v1, "--type", "AccountPostUpdate", "--message", "Update", "--entity", "account", "--stage", "postoperation", "--filter", "name,telephone1", "--image", "pre:PreImage:name"]);
}
const copy = (name: string) => {
  const d = path.join(dir, name);
  cpSync(v1, d, { recursive: true });
  return d;
};

test("in-place upgrade made with `dvsol add assembly` 1.0.1.0: safe", { skip: editSkip }, () => {
  const v = copy("inplace");
  run(["add", "assembly", v, dll("1.0.1.0")]);
  run(["version", v, "--bump", "build"]);
  const r = impactJson(v1, v);
  assert.equal(r.verdict, "safe");
  assert.deepEqual(r.assemblies.map((a: { change: string; from: string; to: string }) => [a.change, a.from, a.to]), [["in-place-upgrade", "1.0.0.0", "1.0.1.0"]]);
  assert.deepEqual(r.assemblies[0].typesAdded, ["Contoso.Plugins.ContactPostCreate"]);
  assert.deepEqual(r.steps.map((s: { change: string }) => s.change), ["unchanged", "unchanged"]);
});

test("major bump without --repoint: the old assembly stays, both steps need re-pointing", { skip: editSkip }, () => {
  const v = copy("major-norepoint");
  run(["add", "assembly", v, dll("2.0.0.0")]);
  run(["version", v, "--bump", "minor"]);
  const r = impactJson(v1, v);
  assert.equal(r.verdict, "attention");
  assert.deepEqual(
    r.assemblies.map((a: { change: string; from: string; to: string; oldAssembly: string | null }) => [a.change, a.from, a.to, a.oldAssembly]),
    [
      ["unchanged", "1.0.0.0", "1.0.0.0", null],
      ["new-assembly", "1.0.0.0", "2.0.0.0", "kept"],
    ],
  );
  assert.equal(r.assemblies[1].stepsToRepoint.length, 2);
  assert.deepEqual(r.steps.map((s: { change: string }) => s.change), ["needs-repoint", "needs-repoint"]);
  assert.deepEqual(r.reasons.map((x: { code: string }) => x.code), ["IMPACT_ASSEMBLY_NEW_VERSION", "IMPACT_STEP_NEEDS_REPOINT", "IMPACT_STEP_NEEDS_REPOINT"]);
});

test("major bump with --repoint --retire-old and a new step, over a folder and over the packed zip", { skip: editSkip }, () => {
  const v = copy("major-repoint");
  run(["add", "assembly", v, dll("2.0.0.0"), "--repoint", "--retire-old"]);
  run(["version", v, "--bump", "minor"]);
  run(["add", "step", v, "--type", "ContactPostCreate", "--message", "Create", "--entity", "contact", "--stage", "postoperation", "--mode", "async"]);
  const r = impactJson(v1, v);
  assert.equal(r.verdict, "attention");
  assert.deepEqual(r.assemblies.map((a: { change: string; oldAssembly: string | null; stepsToRepoint: unknown[] }) => [a.change, a.oldAssembly, a.stepsToRepoint.length]), [["new-assembly", "deleted", 0]]);
  assert.deepEqual(r.summary.steps, { added: 1, removed: 0, changed: 0, unchanged: 0, "needs-repoint": 0, moved: 2 });
  assert.deepEqual(r.reasons.map((x: { code: string }) => x.code), ["IMPACT_ASSEMBLY_NEW_VERSION", "IMPACT_SECURE_CONFIG", "IMPACT_SECURE_CONFIG", "IMPACT_SECURE_CONFIG"]);

  const zip = path.join(dir, "major-repoint.zip");
  run(["pack", v, zip, "--packagetype", "managed"]);
  const z = impactJson(v1, zip);
  assert.equal(z.incoming.file, "major-repoint.zip");
  z.incoming.file = r.incoming.file;
  assert.deepEqual(z, r, "the zip and the folder give the same report");

  // Imported with update mode instead, nothing is deleted: the old assembly stays.
  const u = impactJson(v1, v, "--mode", "update");
  assert.equal(u.assemblies[0].oldAssembly, "left-behind");
});
