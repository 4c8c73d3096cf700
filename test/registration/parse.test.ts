// The registration file as dvsol reads it: JSON positions, validation errors with paths, line/column and
// "did you mean", secrets refused, and the parser's vocabulary equal to templates/registration.schema.json.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DvsolError } from "../../src/errors.js";
import { parseJsonWithPositions, JsonSyntaxError } from "../../src/registration/json.js";
import {
  parseRegistration,
  suggest,
  isSecretKey,
  TOP_KEYS,
  ASSEMBLY_KEYS,
  STEP_KEYS,
  ENDPOINT_STEP_KEYS,
  IMAGE_KEYS,
  ENDPOINT_KEYS,
  STAGE_VALUES,
  MODE_VALUES,
  DEPLOYMENT_VALUES,
  IMAGE_TYPE_VALUES,
  CONTRACT_VALUES,
  AUTH_VALUES,
  MESSAGE_FORMAT_VALUES,
  USER_CLAIM_VALUES,
} from "../../src/registration/parse.js";
import { EXAMPLE, SCHEMA, assertSchemaValid, readJson, schemaErrors, type Json } from "./helpers.js";

const ASM = "bin/Contoso.Plugins.dll";

/** Parses and returns the REGISTRATION_INVALID error (fails if parsing succeeds or throws something else). */
function err(text: string): DvsolError {
  try {
    parseRegistration(text, { file: "reg.json" });
  } catch (e) {
    assert.ok(e instanceof DvsolError, `not a DvsolError: ${String(e)}`);
    assert.equal(e.code, "REGISTRATION_INVALID", e.message);
    return e;
  }
  assert.fail(`no error for ${text}`);
}

/** A file with one assembly step, merged with `step`; pretty-printed so that positions are on their own lines. */
function withStep(step: Json): string {
  const s = { type: "AccountPreCreate", message: "Create", entity: "account", stage: "preoperation", ...step };
  for (const k of Object.keys(s)) if (s[k] === undefined) delete s[k];
  return JSON.stringify({ assemblies: [{ path: ASM, steps: [{ type: "x", message: "Create", stage: 20 }, s] }] }, null, 2);
}

/** 1-based line of the first line containing `needle` after `after`. */
function lineOf(text: string, needle: string, after = ""): number {
  const start = after ? text.indexOf(after) : 0;
  const at = text.indexOf(needle, start);
  assert.ok(at >= 0, `${needle} not in text`);
  return text.slice(0, at).split("\n").length;
}

test("json: values and keys have line and column; syntax errors say where", () => {
  const text = '{\n  "a": [1, {"b": "x"}],\n  "c d": true\n}';
  const d = parseJsonWithPositions(text);
  assert.deepEqual(d.value, { a: [1, { b: "x" }], "c d": true });
  assert.deepEqual(d.valueAt("a[1].b"), { line: 2, column: 18 });
  assert.deepEqual(d.keyAt("a[1].b"), { line: 2, column: 13 });
  assert.deepEqual(d.keyAt('["c d"]'), { line: 3, column: 3 });
  const bad = (t: string, line: number, column: number, re: RegExp) => {
    assert.throws(
      () => parseJsonWithPositions(t),
      (e: unknown) => e instanceof JsonSyntaxError && e.line === line && e.column === column && re.test(e.message),
      t,
    );
  };
  bad('{\n  "a": 1,\n}', 3, 1, /trailing comma/);
  bad('{"a": 1 "b": 2}', 1, 9, /expected "," or "}"/);
  bad('{"a": 1, "a": 2}', 1, 10, /given twice/);
  bad("{'a': 1}", 1, 2, /double quotes/);
  bad('{"a": // x\n1}', 1, 7, /comments/);
  bad('{"a": "x', 1, 7, /not closed/);
  bad("", 1, 1, /empty/);
  bad("[1, 2] 3", 1, 8, /after the end/);
  // A BOM (Windows editors) is accepted.
  assert.deepEqual(parseJsonWithPositions("\ufeff[true]").value, [true]);
});

test("suggest: case, separators and small typos; nothing for unrelated words", () => {
  const keys = [...STEP_KEYS];
  assert.equal(suggest("mesage", keys), "message");
  assert.equal(suggest("Stage", keys), "stage");
  assert.equal(suggest("filtering_attributes", keys), "filteringAttributes");
  assert.equal(suggest("filterAttributes", keys), "filteringAttributes");
  assert.equal(suggest("unsecureConfig", keys), null);
  assert.equal(suggest("PreOperation", STAGE_VALUES), "preoperation");
  assert.equal(suggest("asynchronous", MODE_VALUES), "async");
  assert.equal(suggest("zzz", keys), null);
});

test("parse: the example is valid for dvsol and for the schema", () => {
  const text = readFileSync(EXAMPLE, "utf8");
  const reg = parseRegistration(text, { file: EXAMPLE });
  assert.equal(reg.assemblies.length, 1);
  assert.equal(reg.assemblies[0]!.steps.length, 3);
  assert.equal(reg.endpoints!.length, 1);
  const post = reg.assemblies[0]!.steps[1]!;
  assert.deepEqual(post.images.map((i) => [i.alias, i.type, i.attributes]), [
    ["PostImage", "post", ["creditlimit", "name"]],
    ["PreImage", "pre", ["creditlimit"]],
  ]);
  assert.equal(post.stage, 40);
  assert.equal(reg.endpoints![0]!.steps[0]!.mode, 1);
  assertSchemaValid(readJson(SCHEMA), readJson(EXAMPLE), "templates/registration.example.json");
});

test("parse: defaults are filled in; stage numbers are accepted", () => {
  const reg = parseRegistration(JSON.stringify({ assemblies: [{ path: ASM, steps: [{ type: "T", message: "Update", stage: 10, images: [{ type: "pre" }] }] }] }));
  const s = reg.assemblies[0]!.steps[0]!;
  assert.equal(s.stage, 10);
  assert.equal(s.mode, 0);
  assert.equal(s.rank, 1);
  assert.equal(s.entity, null);
  assert.equal(s.configuration, null);
  assert.equal(s.deployment, "server");
  assert.equal(s.asyncAutoDelete, false);
  assert.equal(s.impersonatingUser, null);
  assert.equal(s.enabled, undefined);
  assert.equal(s.description, undefined);
  assert.deepEqual(s.images, [{ at: "assemblies[0].steps[0].images[0]", alias: "PreImage", type: "pre", attributes: [] }]);
  assert.equal(reg.endpoints, null, "no endpoints key: the file does not manage endpoints");
  assert.deepEqual(parseRegistration('{"endpoints": []}').endpoints, []);
});

test("parse errors: wrong enums name the path, the line and column, and the closest value", () => {
  const text = withStep({ stage: "PreOperation" });
  const e = err(text);
  assert.equal(e.location.path, "assemblies[0].steps[1].stage");
  assert.equal(e.location.file, "reg.json");
  assert.equal(e.location.line, lineOf(text, '"PreOperation"'));
  assert.equal(e.location.column, text.split("\n")[e.location.line! - 1]!.indexOf('"PreOperation"') + 1);
  assert.match(e.message, /"PreOperation" is not a stage: use "prevalidation", "preoperation", "postoperation", 10, 20, 40 \(did you mean "preoperation"\?\)/);

  assert.match(err(withStep({ mode: "asynchronous", stage: "postoperation" })).message, /not a mode.*did you mean "async"/);
  assert.equal(err(withStep({ deployment: "Server" })).location.path, "assemblies[0].steps[1].deployment");
  assert.match(err(withStep({ images: [{ type: "after" }] })).message, /is not an image type/);
  const ep = err(JSON.stringify({ endpoints: [{ name: "q", contract: "Queue" }] }));
  assert.equal(ep.location.path, "endpoints[0].contract");
  assert.match(ep.message, /did you mean "queue"/);
  assert.match(err(JSON.stringify({ endpoints: [{ name: "q", contract: "queue", auth: "sas" }] })).message, /authentication type/);
});

test("parse errors: unknown keys point at the key and suggest the known one", () => {
  const text = withStep({ filterAttributes: ["name"] });
  const e = err(text);
  assert.equal(e.location.path, "assemblies[0].steps[1].filterAttributes");
  assert.equal(e.location.line, lineOf(text, '"filterAttributes"'));
  assert.match(e.message, /unknown key "filterAttributes" in a step \(did you mean "filteringAttributes"\?\)/);
  assert.match(e.hint!, /Known keys: type, id, name/);
  assert.match(err(JSON.stringify({ assembly: [] })).message, /did you mean "assemblies"/);
  assert.match(err(JSON.stringify({ assemblies: [{ path: ASM, step: [] }] })).message, /did you mean "steps"/);
  assert.match(err(JSON.stringify({ assemblies: [{ path: ASM, steps: [{ type: "T", message: "Create", stage: 20, images: [{ type: "post", columns: [] }] }] }] })).message, /unknown key "columns" in an image/);
  // Keys in the wrong place say where they belong.
  assert.match(err(JSON.stringify({ endpoints: [{ name: "q", contract: "webhook", url: "https://x.example", steps: [{ type: "T", message: "Create", stage: 40 }] }] })).message, /steps that run a plug-in type go under assemblies/);
  assert.match(err(withStep({ endpoint: "q" })).message, /goes under endpoints\[\]\.steps/);
});

test("parse errors: secrets are refused with a message that says where they belong", () => {
  for (const [k, where] of [
    ["sasKey", /set the key in each environment/],
    ["SASToken", /set the key in each environment/],
    ["authValue", /set the key in each environment/],
    ["connectionString", /set the key in each environment/],
    ["clientSecret", /set the key in each environment/],
  ] as const) {
    const e = err(JSON.stringify({ endpoints: [{ name: "q", contract: "queue", namespace: "contoso-events", path: "a", sasKeyName: "All", [k]: "s3cr3t" }] }));
    assert.equal(e.location.path, `endpoints[0].${k}`);
    assert.match(e.message, new RegExp(`"${k}" looks like a secret`));
    assert.match(e.hint!, where);
    assert.ok(!e.message.includes("s3cr3t") && !e.hint!.includes("s3cr3t"), "the value is never printed");
  }
  const sc = err(withStep({ secureConfiguration: "<x/>" }));
  assert.equal(sc.location.path, "assemblies[0].steps[1].secureConfiguration");
  assert.match(sc.hint!, /Secure configuration is never part of a solution/);
  assert.ok(isSecretKey("password") && isSecretKey("apiKey") && isSecretKey("sas_token"));
  assert.ok(!isSecretKey("sasKeyName"));
  assert.ok(!isSecretKey("keyboard") && !isSecretKey("tokenizer") && !isSecretKey("monkey"));
});

test("parse errors: types, required keys and the rules the file alone decides", () => {
  const cases: [Json, string, RegExp][] = [
    [{ rank: "1" }, "assemblies[0].steps[1].rank", /whole number/],
    [{ rank: -1 }, "assemblies[0].steps[1].rank", /whole number/],
    [{ stage: undefined }, "assemblies[0].steps[1]", /"stage" is required/],
    [{ message: undefined }, "assemblies[0].steps[1]", /"message" is required/],
    [{ entity: "Account" }, "assemblies[0].steps[1].entity", /lowercase/],
    [{ id: "not-a-guid" }, "assemblies[0].steps[1].id", /not a GUID/],
    [{ enabled: "yes" }, "assemblies[0].steps[1].enabled", /true or false/],
    [{ mode: "async" }, "assemblies[0].steps[1].mode", /asynchronous steps run only in PostOperation/],
    [{ asyncAutoDelete: true }, "assemblies[0].steps[1].asyncAutoDelete", /only to asynchronous steps/],
    [{ filteringAttributes: ["name"] }, "assemblies[0].steps[1].filteringAttributes", /only to Update/],
    [{ message: "Update", entity: undefined, filteringAttributes: ["name"] }, "assemblies[0].steps[1].filteringAttributes", /need a primary table/],
    [{ message: "Update", filteringAttributes: ["name", "name"] }, "assemblies[0].steps[1].filteringAttributes[1]", /listed twice/],
    [{ images: [{ type: "pre" }] }, "assemblies[0].steps[1].images[0].type", /Create step has no pre-image/],
    [{ message: "Update", images: [{ type: "post" }] }, "assemblies[0].steps[1].images[0].type", /post-images exist only in PostOperation/],
    [{ message: "Delete", stage: "postoperation", images: [{ type: "post" }] }, "assemblies[0].steps[1].images[0].type", /Delete step has no post-image/],
    [{ message: "Retrieve", images: [{ type: "pre" }] }, "assemblies[0].steps[1].images[0]", /does not support images/],
    [{ message: "Update", images: [{ type: "both" }] }, "assemblies[0].steps[1].images[0]", /needs an "alias"/],
    [{ message: "Update", images: [{ type: "pre", alias: "A" }, { type: "pre", alias: "a" }] }, "assemblies[0].steps[1].images[1].alias", /already has an image with alias "a"/],
    [{ message: "Update", images: [{ type: "pre", alias: "my image" }] }, "assemblies[0].steps[1].images[0].alias", /letters, digits and underscores/],
    [{ images: {} }, "assemblies[0].steps[1].images", /must be a list/],
  ];
  for (const [step, p, re] of cases) {
    const e = err(withStep(step));
    assert.equal(e.location.path, p, `${JSON.stringify(step)}: ${e.message}`);
    assert.match(e.message, re, JSON.stringify(step));
    assert.ok(e.location.line! > 1, `${JSON.stringify(step)} has a line`);
  }
  assert.match(err("[]").message, /must be an object/);
  assert.match(err("{}").message, /describes nothing/);
  assert.match(err(JSON.stringify({ assemblies: [{ steps: [] }] })).message, /"path" is required/);
  assert.match(err(JSON.stringify({ assemblies: [{ path: "bin/Contoso.Plugins.pdb" }] })).message, /not a \.dll/);
  assert.match(err(JSON.stringify({ endpoints: [{ name: "q" }] })).message, /"contract" is required/);
  const dupEp = err(JSON.stringify({ endpoints: [{ name: "q", contract: "webhook" }, { name: "Q", contract: "webhook" }] }));
  assert.equal(dupEp.location.path, "endpoints[1].name");
  const id = "0f0e0d0c-0b0a-0908-0706-050403020100";
  const dupId = err(JSON.stringify({ assemblies: [{ path: ASM, steps: [{ type: "A", message: "Create", stage: 20, id }, { type: "B", message: "Create", stage: 20, id: `{${id.toUpperCase()}}` }] }] }));
  assert.equal(dupId.location.path, "assemblies[0].steps[1].id");
});

test("parse errors: bad JSON is REGISTRATION_INVALID with its line and column", () => {
  const e = err('{\n  "assemblies": [\n    { "path": "a.dll", }\n  ]\n}');
  assert.match(e.message, /not valid JSON: a trailing comma/);
  assert.equal(e.location.line, 3);
  assert.equal(e.location.column, 24);
  assert.equal(e.location.file, "reg.json");
});

test("schema: keys and enums are the parser's; the schema rejects what the parser rejects", () => {
  const schema = readJson(SCHEMA);
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  const keys = (o: Json) => Object.keys(o.properties).sort();
  const sorted = (l: readonly (string | number)[]) => [...l].map(String).sort();
  assert.deepEqual(keys(schema), sorted(TOP_KEYS));
  assert.deepEqual(keys(schema.$defs.assembly), sorted(ASSEMBLY_KEYS));
  assert.deepEqual(keys(schema.$defs.pluginStep), sorted(STEP_KEYS));
  assert.deepEqual(keys(schema.$defs.endpointStep), sorted(ENDPOINT_STEP_KEYS));
  assert.deepEqual(keys(schema.$defs.image), sorted(IMAGE_KEYS));
  assert.deepEqual(keys(schema.$defs.endpoint), sorted(ENDPOINT_KEYS));
  const en = (p: Json) => sorted(p.enum);
  const step = schema.$defs.pluginStep.properties;
  assert.deepEqual(en(step.stage), sorted(STAGE_VALUES));
  assert.deepEqual(en(step.mode), sorted(MODE_VALUES));
  assert.deepEqual(en(step.deployment), sorted(DEPLOYMENT_VALUES));
  assert.deepEqual(en(schema.$defs.image.properties.type), sorted(IMAGE_TYPE_VALUES));
  const ep = schema.$defs.endpoint.properties;
  assert.deepEqual(en(ep.contract), sorted(CONTRACT_VALUES));
  assert.deepEqual(en(ep.auth), sorted(AUTH_VALUES));
  assert.deepEqual(en(ep.messageFormat), sorted(MESSAGE_FORMAT_VALUES));
  assert.deepEqual(en(ep.userClaim), sorted(USER_CLAIM_VALUES));
  // Every property has a description (editors show it).
  const walk = (o: Json, at: string) => {
    for (const [k, v] of Object.entries<Json>(o.properties ?? {})) assert.ok(typeof v.description === "string" && v.description.length > 10, `${at}.${k} has a description`);
  };
  walk(schema, "$");
  for (const [k, d] of Object.entries<Json>(schema.$defs)) walk(d, k);
  // No secret fields.
  const all = JSON.stringify(schema);
  for (const s of ['"sasKey"', '"sasToken"', '"authValue"', '"secureConfiguration"']) assert.ok(!all.includes(s), s);
  // What the parser refuses, the schema refuses too.
  for (const step of [{ stage: "PreOperation" }, { mode: "async" }, { asyncAutoDelete: true }, { filteringAttributes: ["name"] }, { secureConfiguration: "x" }, { rank: -1 }, { images: [{ type: "both" }] }]) {
    const doc = JSON.parse(withStep(step));
    assert.ok(schemaErrors(schema, doc).length > 0, `schema accepts ${JSON.stringify(step)}`);
  }
  assert.ok(schemaErrors(schema, { endpoints: [{ name: "q", contract: "webhook" }] }).length > 0, "webhook without url");
  assert.ok(schemaErrors(schema, {}).length > 0, "empty file");
});
