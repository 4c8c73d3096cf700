/** Helpers for the registration tests: the example file with its DLL paths, a small JSON Schema checker. */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ROOT } from "../helpers.js";
import { SAMPLE } from "../edit/helpers.js";

export const EXAMPLE = path.join(ROOT, "templates", "registration.example.json");
export const SCHEMA = path.join(ROOT, "templates", "registration.schema.json");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function readJson(p: string): Json {
  return JSON.parse(readFileSync(p, "utf8"));
}

/** The example, with its assembly's DLL at `version` (a path relative to where the file is written). */
export function exampleFor(dir: string, version = "1.0.0.0"): Json {
  const r = readJson(EXAMPLE);
  r.assemblies[0].path = path.relative(dir, SAMPLE(version));
  return r;
}

export function writeJson(p: string, v: Json): string {
  writeFileSync(p, JSON.stringify(v, null, 2) + "\n");
  return p;
}

/**
 * A JSON Schema checker for the keywords templates/registration.schema.json uses (draft 2020-12 subset):
 * type, properties, additionalProperties, required, enum, const, pattern, minLength, minimum, maximum,
 * items, uniqueItems, minItems, $ref (local), anyOf, allOf, if/then/else. Returns the errors' paths.
 */
export function schemaErrors(schema: Json, value: Json): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Json => ref.replace(/^#\//, "").split("/").reduce((o: Json, k: string) => o[k], schema);
  const typeOf = (v: Json) => (v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v);
  const check = (s: Json, v: Json, at: string, out: string[]): void => {
    if (s.$ref) check(resolve(s.$ref), v, at, out);
    if (s.type) {
      const t = typeOf(v);
      const ok = s.type === t || (s.type === "number" && t === "integer");
      if (!ok) {
        out.push(`${at}: type ${t}, want ${s.type}`);
        return;
      }
    }
    if (s.enum && !s.enum.some((e: Json) => e === v)) out.push(`${at}: ${JSON.stringify(v)} not in enum`);
    if ("const" in s && s.const !== v) out.push(`${at}: not ${JSON.stringify(s.const)}`);
    if (typeof v === "string") {
      if (s.pattern && !new RegExp(s.pattern, "u").test(v)) out.push(`${at}: does not match ${s.pattern}`);
      if (s.minLength !== undefined && v.length < s.minLength) out.push(`${at}: too short`);
    }
    if (typeof v === "number") {
      if (s.minimum !== undefined && v < s.minimum) out.push(`${at}: below minimum`);
      if (s.maximum !== undefined && v > s.maximum) out.push(`${at}: above maximum`);
    }
    if (Array.isArray(v)) {
      if (s.items) v.forEach((x, i) => check(s.items, x, `${at}[${i}]`, out));
      if (s.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) out.push(`${at}: duplicate items`);
      if (s.minItems !== undefined && v.length < s.minItems) out.push(`${at}: too few items`);
    }
    if (v && typeof v === "object" && !Array.isArray(v)) {
      for (const r of s.required ?? []) if (!(r in v)) out.push(`${at}: missing ${r}`);
      for (const [k, x] of Object.entries(v)) {
        const ps = s.properties?.[k];
        if (ps) check(ps, x, `${at}.${k}`, out);
        else if (s.additionalProperties === false) out.push(`${at}.${k}: not allowed`);
        else if (s.additionalProperties && typeof s.additionalProperties === "object") check(s.additionalProperties, x, `${at}.${k}`, out);
      }
    }
    for (const sub of s.allOf ?? []) check(sub, v, at, out);
    if (s.anyOf) {
      const ok = s.anyOf.some((sub: Json) => {
        const e: string[] = [];
        check(sub, v, at, e);
        return e.length === 0;
      });
      if (!ok) out.push(`${at}: matches none of anyOf`);
    }
    if (s.if) {
      const e: string[] = [];
      check(s.if, v, at, e);
      if (e.length === 0 && s.then) check(s.then, v, at, out);
      if (e.length > 0 && s.else) check(s.else, v, at, out);
    }
  };
  check(schema, value, "$", errors);
  return errors;
}

export function assertSchemaValid(schema: Json, value: Json, what: string): void {
  const e = schemaErrors(schema, value);
  assert.deepEqual(e, [], `${what} is not valid for the schema:\n${e.join("\n")}`);
}
