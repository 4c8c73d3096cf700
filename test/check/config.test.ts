/** dvsol.config.json: loading, validation (CONFIG_INVALID naming the key) and applying per rule and per component. */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { applyConfig, knownFindingCodes, loadConfig, parseConfig, validateRuleCodes, type DvsolConfig } from "../../src/config.js";
import { DvsolError } from "../../src/errors.js";
import type { Finding } from "../../src/findings/types.js";
import { tmp } from "../helpers.js";

const f = (code: string, severity: Finding["severity"], id: string | null, name: string | null): Finding => ({ code, severity, args: {}, component: { kind: "step", id, name } });

function invalid(text: string, key: RegExp): void {
  assert.throws(
    () => parseConfig(text, "dvsol.config.json"),
    (e: unknown) => e instanceof DvsolError && e.code === "CONFIG_INVALID" && key.test(e.message),
    text,
  );
}

describe("parseConfig", () => {
  test("reads severities, objects with components, and lists of both", () => {
    const c = parseConfig(
      JSON.stringify({
        $schema: "./node_modules/dvsol/templates/config.schema.json",
        rules: {
          STEP_UPDATE_NO_FILTER: "off",
          IMAGE_ALL_COLUMNS: { severity: "error" },
          STEP_IMPERSONATION: { severity: "off", components: ["{0F6A0000-0000-4000-8000-000000000001}", "Audit step"] },
          STEP_SAME_RANK: ["info", { severity: "off", components: ["Legacy"] }],
        },
      }),
      "dvsol.config.json",
    );
    assert.deepEqual(c.rules.STEP_UPDATE_NO_FILTER, [{ severity: "off" }]);
    assert.deepEqual(c.rules.IMAGE_ALL_COLUMNS, [{ severity: "error" }]);
    assert.deepEqual(c.rules.STEP_IMPERSONATION, [{ severity: "off", components: ["{0F6A0000-0000-4000-8000-000000000001}", "Audit step"] }]);
    assert.equal(c.rules.STEP_SAME_RANK!.length, 2);
  });
  test("a UTF-8 BOM is accepted", () => {
    assert.deepEqual(parseConfig('\ufeff{"rules":{}}', "x").rules, {});
  });
  test("invalid files are CONFIG_INVALID and name the key", () => {
    invalid("{ rules: }", /not valid JSON/);
    invalid("[]", /top level/);
    invalid('{"rulez": {}}', /rulez is not a setting/);
    invalid('{"rules": []}', /rules must be an object/);
    invalid('{"rules": {"step_update": "off"}}', /rules\.step_update is not a finding code/);
    invalid('{"rules": {"STEP_UPDATE_NO_FILTER": "disabled"}}', /rules\.STEP_UPDATE_NO_FILTER is "disabled"/);
    invalid('{"rules": {"STEP_UPDATE_NO_FILTER": {"level": "off"}}}', /rules\.STEP_UPDATE_NO_FILTER\.level is not a rule setting/);
    invalid('{"rules": {"STEP_UPDATE_NO_FILTER": {"severity": "off", "components": []}}}', /rules\.STEP_UPDATE_NO_FILTER\.components/);
    invalid('{"rules": {"STEP_UPDATE_NO_FILTER": ["off", 3]}}', /rules\.STEP_UPDATE_NO_FILTER\[1\]/);
  });
  test("a JSON syntax error carries a line", () => {
    try {
      parseConfig('{\n  "rules": {\n    "A_B": "off",\n  }\n}', "dvsol.config.json");
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof DvsolError && e.code === "CONFIG_INVALID");
      assert.equal(typeof e.location.line, "number");
    }
  });
});

describe("validateRuleCodes", () => {
  test("unknown codes are CONFIG_INVALID with a suggestion; known ones pass", async () => {
    const known = await knownFindingCodes();
    for (const c of ["STEP_UPDATE_NO_FILTER", "SECRET_IN_ENDPOINT", "ASSEMBLY_UNSIGNED"]) assert.ok(known.includes(c), c);
    validateRuleCodes(parseConfig('{"rules":{"STEP_UPDATE_NO_FILTER":"off"}}', "c.json"), known);
    assert.throws(
      () => validateRuleCodes(parseConfig('{"rules":{"STEP_UPDATE_NO_FILTERS":"off"}}', "c.json"), known),
      (e: unknown) => e instanceof DvsolError && e.code === "CONFIG_INVALID" && /did you mean STEP_UPDATE_NO_FILTER\?/.test(e.message),
    );
  });
});

describe("loadConfig", () => {
  test("reads dvsol.config.json from the folder, nothing when absent, --config when given", async () => {
    const dir = tmp();
    try {
      assert.deepEqual(await loadConfig(dir), { path: null, rules: {} });
      writeFileSync(path.join(dir, "dvsol.config.json"), '{"rules":{"STEP_IMPERSONATION":"error"}}');
      const c = await loadConfig(dir);
      assert.equal(c.path, path.join(dir, "dvsol.config.json"));
      assert.deepEqual(c.rules.STEP_IMPERSONATION, [{ severity: "error" }]);
      mkdirSync(path.join(dir, "ci"));
      writeFileSync(path.join(dir, "ci", "strict.json"), '{"rules":{"IMAGE_ALL_COLUMNS":"error"}}');
      assert.deepEqual(Object.keys((await loadConfig(dir, "ci/strict.json")).rules), ["IMAGE_ALL_COLUMNS"]);
      await assert.rejects(loadConfig(dir, "missing.json"), (e: unknown) => e instanceof DvsolError && e.code === "INPUT_NOT_FOUND");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("applyConfig", () => {
  const findings = [f("STEP_IMPERSONATION", "warning", "0f6a0000-0000-4000-8000-000000000001", "Audit"), f("STEP_IMPERSONATION", "warning", "0f6a0000-0000-4000-8000-000000000002", "Other"), f("IMAGE_ALL_COLUMNS", "warning", null, "x / Pre")];
  const cfg = (rules: Record<string, unknown>): DvsolConfig => parseConfig(JSON.stringify({ rules }), "c.json");
  test("off removes, a severity re-grades, untouched codes pass through in order", () => {
    assert.deepEqual(
      applyConfig(findings, cfg({ STEP_IMPERSONATION: "off", IMAGE_ALL_COLUMNS: "error" })).map((x) => [x.code, x.severity]),
      [["IMAGE_ALL_COLUMNS", "error"]],
    );
    assert.deepEqual(applyConfig(findings, cfg({})), findings);
    assert.deepEqual(applyConfig(findings, null), findings);
  });
  test("components match by id (braces and case ignored) or by name", () => {
    const byId = applyConfig(findings, cfg({ STEP_IMPERSONATION: { severity: "off", components: ["{0F6A0000-0000-4000-8000-000000000001}"] } }));
    assert.deepEqual(byId.map((x) => x.component?.name), ["Other", "x / Pre"]);
    const byName = applyConfig(findings, cfg({ STEP_IMPERSONATION: { severity: "info", components: ["other"] } }));
    assert.deepEqual(byName.map((x) => [x.component?.name, x.severity]), [["Audit", "warning"], ["Other", "info"], ["x / Pre", "warning"]]);
  });
  test("a component-specific setting wins over the general one", () => {
    const r = applyConfig(findings, cfg({ STEP_IMPERSONATION: [{ severity: "off", components: ["Audit"] }, "error"] }));
    assert.deepEqual(r.map((x) => [x.component?.name, x.severity]), [["Other", "error"], ["x / Pre", "warning"]]);
  });
});
