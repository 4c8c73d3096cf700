/** `dvsol impact` end to end, as a user runs it: formats, --out, exit codes for each --fail-on. */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { dvsol, tmp } from "../helpers.js";
import { formatImpact } from "../../src/impact/format/index.js";
import { baseSolution, sampleSteps, STEP_POSTUPDATE, writePair } from "./fixtures.js";

// Three pairs, one per verdict.
const safe = writePair(baseSolution(), baseSolution({ version: "1.0.1.0" }, "1.0.1.0"));
const attention = writePair(baseSolution(), baseSolution({ version: "1.1.0.0", steps: sampleSteps("1.0.0.0").filter((s) => s.id !== STEP_POSTUPDATE) }));
const blocked = writePair(baseSolution({ version: "1.0.0.10" }), baseSolution({ version: "1.0.0.9" }));
after(() => {
  for (const p of [safe, attention, blocked]) rmSync(p.dir, { recursive: true, force: true });
});

test("text by default: verdict first, no colour with NO_COLOR", () => {
  const r = dvsol(["impact", blocked.installed, blocked.incoming]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^dvsol impact ContosoPlugins 1\.0\.0\.10 -> 1\.0\.0\.9\nverdict: BLOCKED/);
  assert.match(r.stdout, /raise build: 1\.0\.0\.10 -> 1\.0\.1\.0 or at least 1\.0\.0\.11/);
  assert.ok(!r.stdout.includes("\u001b["), "no ANSI escapes");
});

test("colour only when asked (the CLI asks only on a terminal without NO_COLOR or CI)", async () => {
  const { impact } = await import("../../src/impact/index.js");
  const rep = await impact(blocked.installed, blocked.incoming, { check: false });
  assert.ok(formatImpact(rep, "text", { color: true }).includes("\u001b[1;31mBLOCKED"));
  assert.ok(!formatImpact(rep, "text").includes("\u001b["));
});

test("--format json: the documented shape", () => {
  const r = dvsol(["impact", attention.installed, attention.incoming, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.schemaVersion, 1);
  assert.equal(j.verdict, "safe");
  assert.deepEqual(Object.keys(j), ["schemaVersion", "verdict", "reasons", "installed", "incoming", "solution", "assemblies", "steps", "endpoints", "missingDependencies", "findings", "summary"]);
  assert.deepEqual(j.reasons.map((x: { code: string }) => x.code), ["IMPACT_STEP_REMOVED"]);
  assert.equal(typeof j.reasons[0].message, "string");
  assert.equal(typeof j.reasons[0].title, "string");
  assert.deepEqual(j.assemblies.map((a: { name: string; change: string }) => [a.name, a.change]), [["Contoso.Plugins", "unchanged"]]);
  assert.ok(Array.isArray(j.findings.incoming) && Array.isArray(j.findings.new));
  // update mode leaves the step behind: attention
  const u = JSON.parse(dvsol(["impact", attention.installed, attention.incoming, "--format", "json", "--mode", "update"]).stdout);
  assert.equal(u.verdict, "attention");
  assert.equal(u.steps.find((s: { id: string }) => s.id === STEP_POSTUPDATE).fate, "left-behind");
});

test("--format markdown and html", () => {
  const md = dvsol(["impact", safe.installed, safe.incoming, "--format", "markdown"]);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^### 🟢 dvsol impact: \*\*safe\*\* · ContosoPlugins 1\.0\.0\.0 → 1\.0\.1\.0/);
  assert.match(md.stdout, /<details/);
  const html = dvsol(["impact", safe.installed, safe.incoming, "--format", "html"]);
  assert.equal(html.code, 0, html.stderr);
  assert.match(html.stdout, /^<!DOCTYPE html>/);
  assert.match(html.stdout, /data-verdict="safe"/);
});

test("same inputs, byte-identical reports; --timestamp adds the time", () => {
  for (const f of ["text", "markdown", "json", "html"]) {
    const a = dvsol(["impact", attention.installed, attention.incoming, "--format", f]);
    const b = dvsol(["impact", attention.installed, attention.incoming, "--format", f]);
    assert.equal(a.stdout, b.stdout, f);
  }
  const t = JSON.parse(dvsol(["impact", safe.installed, safe.incoming, "--format", "json", "--timestamp"]).stdout);
  assert.match(t.generatedAt, /^\d{4}-\d\d-\d\dT/);
});

test("--out writes the report atomically; stdout stays empty and stderr names the file (as check --out)", () => {
  const dir = tmp("dvsol-impact-out-");
  try {
    const out = path.join(dir, "impact.html");
    const r = dvsol(["impact", blocked.installed, blocked.incoming, "--format", "html", "--out", out]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /impact: blocked .*; html report written to /);
    assert.ok(r.stderr.includes(out), r.stderr);
    const direct = dvsol(["impact", blocked.installed, blocked.incoming, "--format", "html"]).stdout;
    assert.equal(readFileSync(out, "utf8"), direct);
    assert.deepEqual(readdirSync(dir), ["impact.html"], "no temporary file left");
    // A folder that does not exist: exit 2, nothing written.
    const bad = dvsol(["impact", safe.installed, safe.incoming, "--out", path.join(dir, "missing", "x.md")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /OUTPUT_UNWRITABLE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("exit codes for each --fail-on", () => {
  const code = (p: { installed: string; incoming: string }, ...args: string[]) => dvsol(["impact", p.installed, p.incoming, "--format", "json", ...args]).code;
  // default --fail-on blocked
  assert.equal(code(safe), 0);
  assert.equal(code(attention, "--mode", "update"), 0);
  assert.equal(code(blocked), 1);
  // --fail-on attention
  assert.equal(code(safe, "--fail-on", "attention"), 0);
  assert.equal(code(attention, "--mode", "update", "--fail-on", "attention"), 1);
  assert.equal(code(blocked, "--fail-on", "attention"), 1);
  // --fail-on never
  assert.equal(code(blocked, "--fail-on", "never"), 0);
  assert.equal(code(attention, "--mode", "update", "--fail-on", "never"), 0);
});

test("unusable input and usage errors exit 2 without a stack trace", () => {
  const missing = dvsol(["impact", path.join(safe.dir, "nope"), safe.incoming]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /INPUT_NOT_FOUND/);
  assert.ok(!missing.stderr.includes("    at "), missing.stderr);
  const mode = dvsol(["impact", safe.installed, safe.incoming, "--mode", "replace"]);
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /USAGE/);
  const fail = dvsol(["impact", safe.installed, safe.incoming, "--fail-on", "warning"]);
  assert.equal(fail.code, 2);
  const notSolution = dvsol(["impact", path.join(safe.installed, "Other"), safe.incoming]);
  assert.equal(notSolution.code, 2);
  assert.ok(existsSync(safe.installed));
  // Both unusable (the two are read at once): the installed solution's error is the one reported, whichever fails first.
  const both = dvsol(["impact", path.join(safe.installed, "Other"), path.join(safe.dir, "nope")]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /INPUT_NOT_SOLUTION|SOLUTION_MISSING_MANIFEST/);
  assert.doesNotMatch(both.stderr, /INPUT_NOT_FOUND/);
});

test("help shows a real example", () => {
  const r = dvsol(["impact", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\$ dvsol impact .*\.zip .*\.zip/);
  assert.match(r.stdout, /--fail-on <verdict>/);
});
