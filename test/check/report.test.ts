/**
 * Reporters: text, JSON, Markdown and SARIF. The SARIF output is checked against the structure GitHub
 * code scanning needs (a small structural validator below; no network, no schema download).
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadSolution } from "../../src/model/read.js";
import { checkSolution, type CheckResult } from "../../src/check/index.js";
import { pack } from "../../src/ops/unpack.js";
import { REPORTERS, fingerprint } from "../../src/report/index.js";
import { tmp } from "../helpers.js";
import { makeSolution, type SolutionSpec } from "./fixture.js";
import { sarifProblems, type J } from "./sarif-shape.js";

const SPEC: SolutionSpec = {
  steps: [
    { filter: "", mode: 1, stage: 20, name: "Contoso | pipes: Update of account" },
    { name: "Contoso.Plugins.ContactPreUpdate: Update of account", type: "Contoso.Plugins.ContactPreUpdate", rank: 2, images: [{ alias: "Pre", type: 0, attributes: "" }] },
    { name: "Contoso.Plugins.AccountPreCreate: Update of account", type: "Contoso.Plugins.AccountPreCreate" },
  ],
};

async function checkAt(location: string): Promise<CheckResult> {
  const sol = await loadSolution(location);
  try {
    return await checkSolution(sol);
  } finally {
    await sol.source.close();
  }
}

describe("SARIF", () => {
  test("a folder's report passes the structural check and points at the XML file and line", async () => {
    const base = tmp("dvsol-sarif-");
    const dir = makeSolution(SPEC, path.join(base, "src", "Contoso Solution"));
    try {
      const r = await checkAt(dir);
      assert.ok(r.findings.length >= 4);
      const doc = JSON.parse(REPORTERS.sarif(r, { baseDir: base, toolVersion: "0.1.0", docsBase: "https://example.org/dvsol/docs/findings/" }));
      assert.deepEqual(sarifProblems(doc), []);
      const res = doc.runs[0].results;
      const async = res.find((x: J) => x.ruleId === "STEP_ASYNC_NOT_POSTOPERATION");
      const f = r.findings.find((x) => x.code === "STEP_ASYNC_NOT_POSTOPERATION")!;
      assert.equal(async.level, "error");
      assert.equal(async.locations[0].physicalLocation.artifactLocation.uri, `src/Contoso%20Solution/${f.location!.entry!.replace("{", "%7B").replace("}", "%7D")}`);
      assert.equal(async.locations[0].physicalLocation.region.startLine, f.location!.line);
      assert.equal(res.find((x: J) => x.ruleId === "STEP_DEFAULT_RANK").level, "note");
      const rule = doc.runs[0].tool.driver.rules.find((x: J) => x.id === "STEP_ASYNC_NOT_POSTOPERATION");
      assert.equal(rule.helpUri, "https://example.org/dvsol/docs/findings/STEP_ASYNC_NOT_POSTOPERATION.md");
      assert.equal(rule.name, "StepAsyncNotPostoperation");
      assert.equal(doc.runs[0].tool.driver.version, "0.1.0");
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test("a zip's report points at the zip and names the entry and line", async () => {
    const base = tmp("dvsol-sarif-");
    const dir = makeSolution(SPEC, path.join(base, "folder"));
    try {
      const zip = path.join(base, "out", "Contoso_1_0_0_0.zip");
      await pack(dir, zip);
      const r = await checkAt(zip);
      const doc = JSON.parse(REPORTERS.sarif(r, { baseDir: base }));
      assert.deepEqual(sarifProblems(doc), []);
      for (const x of doc.runs[0].results) {
        assert.equal(x.locations[0].physicalLocation.artifactLocation.uri, "out/Contoso_1_0_0_0.zip");
        assert.equal(x.locations[0].physicalLocation.region.startLine, 1);
        assert.match(x.locations[0].logicalLocations[0].name, /^customizations\.xml$/);
        assert.match(x.message.text, /\(in customizations\.xml at line \d+\)$/);
      }
      assert.ok(!("helpUri" in doc.runs[0].tool.driver.rules[0]), "no helpUri without a docs base");
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test("fingerprints stay the same when lines move", async () => {
    const dir = makeSolution(SPEC);
    try {
      const before = (await checkAt(dir)).findings;
      const p = path.join(dir, "SdkMessageProcessingSteps", "{7c1d0000-0000-4000-8000-000000000001}.xml");
      const text = readFileSync(p, "utf8");
      writeFileSync(p, text.replace("?>\r\n", "?>\r\n<!-- moved -->\r\n\r\n"));
      const after = (await checkAt(dir)).findings;
      const b = before.filter((f) => f.location?.entry?.includes("0001")).map((f) => [f.code, fingerprint(f), f.location?.line]);
      const a = after.filter((f) => f.location?.entry?.includes("0001")).map((f) => [f.code, fingerprint(f), f.location?.line]);
      assert.deepEqual(a.map((x) => x.slice(0, 2)), b.map((x) => x.slice(0, 2)));
      assert.notDeepEqual(a.map((x) => x[2]), b.map((x) => x[2]), "the lines did move");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("text, JSON, Markdown", () => {
  test("text groups by severity with file:line, colour only when asked", async () => {
    const dir = makeSolution(SPEC);
    try {
      const r = await checkAt(dir);
      const plain = REPORTERS.text(r, {});
      assert.ok(!plain.includes("\x1b["));
      const e = plain.indexOf("errors ("), w = plain.indexOf("warnings ("), i = plain.indexOf("info (");
      assert.ok(e > 0 && w > e && i > w, plain);
      assert.match(plain, new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/SdkMessageProcessingSteps/\\{7c1d0000-0000-4000-8000-000000000001\\}\\.xml:\\d+: STEP_ASYNC_NOT_POSTOPERATION`));
      assert.match(plain, /\n1 error, 2 warnings, 1 info$/);
      assert.ok(REPORTERS.text(r, { color: true }).includes("\x1b[31m"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test("JSON carries code, severity, title, message, component, location and args", async () => {
    const dir = makeSolution(SPEC);
    try {
      const j = JSON.parse(REPORTERS.json(await checkAt(dir), { toolVersion: "0.1.0" }));
      assert.equal(j.tool.name, "dvsol");
      assert.deepEqual(j.summary, { error: 1, warning: 2, info: 1 });
      assert.equal(j.solution.uniqueName, "ContosoCheck");
      const f = j.findings[0];
      assert.deepEqual(Object.keys(f), ["code", "severity", "title", "message", "component", "location", "args", "docs"]);
      assert.equal(f.docs, `docs/findings/${f.code}.md`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test("Markdown is one table per severity, with cells escaped", async () => {
    const dir = makeSolution(SPEC);
    try {
      const md = REPORTERS.markdown(await checkAt(dir), {});
      assert.match(md, /^## dvsol check: ContosoCheck 1\.0\.0\.0/);
      assert.match(md, /### Errors \(1\)\n\n\| Code \| Component \| Where \| Message \|/);
      assert.ok(md.includes("Contoso \\| pipes"), "pipes in names are escaped");
      for (const line of md.split("\n").filter((l) => l.startsWith("| [")))
        assert.equal(line.replace(/\\\|/g, "").split("|").length, 6, line);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
