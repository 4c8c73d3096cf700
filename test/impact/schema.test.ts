/**
 * The JSON output against templates/impact.schema.json, with a small validator for the part of JSON
 * Schema the file uses ($ref, type, enum, const, properties, required, additionalProperties, items,
 * minimum). Checked on a synthetic report that fills every section and on every corpus pair.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { ROOT, corpusManifest, corpusPath, corpusSkip } from "../helpers.js";
import { impact, formatImpact } from "../../src/impact/index.js";
import { ENDPOINT_ID, STEP_CONTACT, baseSolution, sampleAssembly, sampleSteps, writePair } from "./fixtures.js";

type Schema = Record<string, unknown>;
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, "templates", "impact.schema.json"), "utf8")) as Schema;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function validate(v: unknown, s: Schema, at: string, errors: string[]): void {
  if (typeof s.$ref === "string") {
    const name = s.$ref.replace("#/$defs/", "");
    const def = (SCHEMA.$defs as Record<string, Schema>)[name];
    if (!def) throw new Error(`schema: no $defs/${name}`);
    return validate(v, def, at, errors);
  }
  if ("const" in s && v !== s.const) errors.push(`${at}: ${JSON.stringify(v)} is not ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(v as never)) errors.push(`${at}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const t = typeOf(v);
    if (!types.includes(t) && !(t === "integer" && types.includes("number"))) {
      errors.push(`${at}: ${t} is not ${types.join("|")}`);
      return;
    }
  }
  if (typeof v === "number" && typeof s.minimum === "number" && v < s.minimum) errors.push(`${at}: ${v} < ${s.minimum}`);
  if (Array.isArray(v) && s.items) v.forEach((x, i) => validate(x, s.items as Schema, `${at}[${i}]`, errors));
  if (typeOf(v) === "object") {
    const o = v as Record<string, unknown>;
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errors.push(`${at}: missing ${r}`);
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) validate(x, props[k]!, `${at}.${k}`, errors);
      else if (s.additionalProperties === false) errors.push(`${at}: unexpected property ${k}`);
      else if (typeof s.additionalProperties === "object") validate(x, s.additionalProperties as Schema, `${at}.${k}`, errors);
    }
  }
}

function check(json: string): string[] {
  const errors: string[] = [];
  validate(JSON.parse(json), SCHEMA, "$", errors);
  return errors;
}

test("the validator catches what it should", () => {
  assert.ok(check(JSON.stringify({ schemaVersion: 2 })).length > 0);
});

test("a report that fills every section matches the schema", async () => {
  const ep = { id: ENDPOINT_ID, name: "orders queue", contract: 6, path: "orders" };
  const epStep = { id: "44444444-2b26-ee11-9966-00224823910f", endpoint: ENDPOINT_ID, message: "Create" as const, entity: "salesorder", stage: 40, mode: 1 };
  const steps = sampleSteps("1.0.0.0")
    .filter((s) => s.id !== STEP_CONTACT)
    .map((s) => (s.id.startsWith("2222") ? { ...s, rank: 3, images: [{ alias: "post", type: 1 as const }] } : s));
  const p = writePair(
    baseSolution({ endpoints: [ep], steps: [...sampleSteps("1.0.0.0"), epStep] }),
    baseSolution({
      version: "1.1.0.0",
      assemblies: [sampleAssembly("1.0.0.0"), sampleAssembly("2.0.0.0")],
      endpoints: [{ ...ep, path: "orders-v2" }],
      steps: [...steps, epStep],
      missing: [{ required: { type: "1", schemaName: "msdyn_customerasset", solution: "msdyn_FieldService (8.8.0.0)" }, dependent: { type: "92", id: `{${epStep.id}}` } }],
    }),
  );
  try {
    const r = await impact(p.installed, p.incoming, { timestamp: new Date(0) });
    assert.ok(r.assemblies.length && r.steps.length && r.endpoints.length && r.missingDependencies.length && r.reasons.length);
    assert.deepEqual(check(formatImpact(r, "json")), []);
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
});

test("every corpus pair's report matches the schema", { skip: corpusSkip }, async () => {
  for (const row of corpusManifest().filter((x) => x.kind === "pair")) {
    const [a, b] = row.local_path.split(" => ").map(corpusPath) as [string, string];
    const errors = check(formatImpact(await impact(a, b), "json"));
    assert.deepEqual(errors, [], row.local_path);
  }
});
