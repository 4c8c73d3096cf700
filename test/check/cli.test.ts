/** `dvsol check` end to end, as CI runs it: formats, --out, --fail-on, config, exit codes 0/1/2. */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dvsol, tmp } from "../helpers.js";
import { makeSolution } from "./fixture.js";
import { sarifProblems } from "./sarif-shape.js";

let work: string;
let clean: string;
let withError: string;
let warningsOnly: string;

before(() => {
  work = tmp("dvsol-check-cli-");
  clean = makeSolution({}, path.join(work, "clean"));
  withError = makeSolution({ steps: [{ mode: 1, stage: 20 }] }, path.join(work, "error"));
  warningsOnly = makeSolution({ steps: [{ filter: "" }] }, path.join(work, "warnings"));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe("exit codes and --fail-on", () => {
  test("a clean solution exits 0 and says so", () => {
    const r = dvsol(["check", clean]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ContosoCheck 1\.0\.0\.0 \(folder: /);
    assert.match(r.stdout, /no findings\n$/);
  });
  test("an error exits 1 by default; --fail-on never exits 0", () => {
    const r = dvsol(["check", withError]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /STEP_ASYNC_NOT_POSTOPERATION/);
    assert.equal(dvsol(["check", withError, "--fail-on", "never"]).code, 0);
  });
  test("warnings exit 0 by default and 1 with --fail-on warning", () => {
    assert.equal(dvsol(["check", warningsOnly]).code, 0);
    assert.equal(dvsol(["check", warningsOnly, "--fail-on", "warning"]).code, 1);
  });
  test("unusable input exits 2 with a stable code and no stack trace", () => {
    const r = dvsol(["check", path.join(work, "nope")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error INPUT_NOT_FOUND: /);
    assert.ok(!/\n\s+at .*\.js:\d+/.test(r.stderr), r.stderr);
    const empty = path.join(work, "empty");
    mkdirSync(empty, { recursive: true });
    assert.equal(dvsol(["check", empty]).code, 2);
  });
  test("a bad option value is a usage error (2)", () => {
    const r = dvsol(["check", clean, "--format", "xml"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error USAGE: /);
  });
});

describe("formats", () => {
  test("--format json is the JSON report", () => {
    const r = dvsol(["check", withError, "--format", "json"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(j.summary, { error: 1, warning: 0, info: 0 });
    assert.equal(j.findings[0].code, "STEP_ASYNC_NOT_POSTOPERATION");
    assert.match(j.tool.version, /^\d+\.\d+\.\d+/);
  });
  test("--format sarif passes the structural check, with paths relative to the current folder", () => {
    const r = dvsol(["check", "error", "--format", "sarif"], { cwd: work });
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(sarifProblems(doc), []);
    assert.match(doc.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, /^error\/SdkMessageProcessingSteps\/%7B7c1d0000-0000-4000-8000-000000000001%7D\.xml$/);
  });
  test("--format markdown is a Markdown report", () => {
    const r = dvsol(["check", withError, "--format", "markdown"]);
    assert.match(r.stdout, /^## dvsol check: ContosoCheck 1\.0\.0\.0/);
    assert.match(r.stdout, /\| \[STEP_ASYNC_NOT_POSTOPERATION\]\(/);
  });
  test("--out writes the report (atomically: no temporary file left) and prints a summary on stderr", () => {
    const out = path.join(work, "reports", "dvsol.sarif");
    mkdirSync(path.dirname(out), { recursive: true });
    const r = dvsol(["check", withError, "--format", "sarif", "--out", out]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /1 error, 0 warnings, 0 info; sarif report written to /);
    assert.deepEqual(sarifProblems(JSON.parse(readFileSync(out, "utf8"))), []);
    assert.deepEqual(readdirSync(path.dirname(out)), ["dvsol.sarif"]);
  });
  test("--out into a folder that does not exist exits 2 with OUTPUT_UNWRITABLE", () => {
    const r = dvsol(["check", clean, "--out", path.join(work, "no", "such", "dir", "r.txt")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error OUTPUT_UNWRITABLE: /);
  });
  test("--quiet hides the summary line of --out", () => {
    const out = path.join(work, "q.json");
    const r = dvsol(["--quiet", "check", clean, "--format", "json", "--out", out]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
    assert.ok(existsSync(out));
  });
});

describe("config", () => {
  test("dvsol.config.json in the current folder turns a rule off; --config points elsewhere", () => {
    const cwd = path.join(work, "cfg");
    mkdirSync(cwd, { recursive: true });
    writeFileSync(path.join(cwd, "dvsol.config.json"), JSON.stringify({ rules: { STEP_ASYNC_NOT_POSTOPERATION: "off" } }));
    const r = dvsol(["check", withError], { cwd });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no findings/);
    writeFileSync(path.join(work, "strict.json"), JSON.stringify({ rules: { STEP_UPDATE_NO_FILTER: "error" } }));
    assert.equal(dvsol(["--config", path.join(work, "strict.json"), "check", warningsOnly]).code, 1);
  });
  test("per component: a setting for one step leaves others alone", () => {
    const cfg = path.join(work, "component.json");
    writeFileSync(cfg, JSON.stringify({ rules: { STEP_ASYNC_NOT_POSTOPERATION: { severity: "warning", components: ["{7C1D0000-0000-4000-8000-000000000001}"] } } }));
    const r = dvsol(["--config", cfg, "check", withError, "--format", "json"]);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).findings[0].severity, "warning");
  });
  test("an invalid config exits 2 with CONFIG_INVALID naming the key", () => {
    const bad = path.join(work, "bad.json");
    writeFileSync(bad, JSON.stringify({ rules: { STEP_UPDATE_NO_FILTER: "sometimes" } }));
    const r = dvsol(["--config", bad, "check", clean]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error CONFIG_INVALID: .*rules\.STEP_UPDATE_NO_FILTER/);
    writeFileSync(bad, JSON.stringify({ rules: { STEP_UPDATE_NOFILTER: "off" } }));
    const r2 = dvsol(["--config", bad, "check", clean]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /did you mean STEP_UPDATE_NO_FILTER\?/);
  });
});

test("dvsol --help lists check, and check --help shows an example", () => {
  assert.match(dvsol(["--help"]).stdout, /\n  check /);
  assert.match(dvsol(["check", "--help"]).stdout, /\$ dvsol check /);
});
