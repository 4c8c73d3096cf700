/**
 * The library API as docs/api.md shows it: every function a CLI command imports is exported from
 * src/index.ts (the CLI uses nothing the library does not offer), and every example in docs/api.md runs
 * and prints what the page says it prints ("..." stands for any lines).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { ROOT, tmp } from "../helpers.js";

test("every function a CLI command uses is exported from src/index.ts", async () => {
  const api = await import("../../src/index.js");
  const dir = path.join(ROOT, "src", "cli", "commands");
  const missing: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const src = readFileSync(path.join(dir, file), "utf8");
    for (const m of src.matchAll(/const \{([^}]+)\} = await import\("(\.\.\/\.\.\/[^"]+)"\)/g)) {
      for (const raw of m[1]!.split(",")) {
        const name = raw.trim().split(":")[0]!.trim();
        if (name && !(name in api)) missing.push(`${file}: ${name} (from ${m[2]})`);
      }
    }
    for (const m of src.matchAll(/^import \{([^}]+)\} from "(\.\.\/\.\.\/[^"]+)"/gm)) {
      for (const raw of m[1]!.split(",")) {
        const name = raw.replace(/^\s*type\s+/, "").trim().split(" as ")[0]!.trim();
        if (name && !raw.trim().startsWith("type ") && !(name in api)) missing.push(`${file}: ${name} (from ${m[2]})`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

/** Code blocks of docs/api.md's Examples: each ```ts block and the ``` block after it (its output). */
function examples(md: string): { code: string; expected: string[] | null; title: string }[] {
  const part = md.slice(md.indexOf("## Examples"), md.indexOf("## Lower layers"));
  const out: { code: string; expected: string[] | null; title: string }[] = [];
  const re = /^### (.+)$|^```ts\n([\s\S]*?)^```\n(?:\n```\n([\s\S]*?)^```\n)?/gm;
  let title = "";
  for (const m of part.matchAll(re)) {
    if (m[1]) title = m[1];
    else out.push({ title, code: m[2]!, expected: m[3] === undefined ? null : m[3].replace(/\n$/, "").split("\n") });
  }
  return out;
}

/** Lines match, "..." standing for any number of lines. */
function matches(actual: string[], expected: string[]): boolean {
  const go = (i: number, j: number): boolean => {
    if (j === expected.length) return i === actual.length;
    if (expected[j]!.trim() === "...") {
      for (let k = i; k <= actual.length; k++) if (go(k, j + 1)) return true;
      return false;
    }
    return i < actual.length && actual[i] === expected[j] && go(i + 1, j + 1);
  };
  return go(0, 0);
}

test("every example of docs/api.md runs, in order, and prints what the page shows", (t) => {
  const list = examples(readFileSync(path.join(ROOT, "docs", "api.md"), "utf8"));
  assert.ok(list.length >= 7, `${list.length} examples`);
  const dir = tmp("dvsol-api-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync(path.join(ROOT, "samples"), path.join(dir, "samples"));
  mkdirSync(path.join(dir, "work"));
  const index = pathToFileURL(path.join(ROOT, "src", "index.ts")).href;
  // tsx from dvsol's own node_modules (the examples run in a temporary folder).
  const TSX = pathToFileURL(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
  list.forEach((ex, i) => {
    assert.match(ex.code, /from "dvsol"/, ex.title);
    const file = path.join(dir, `example-${i}.mts`);
    writeFileSync(file, ex.code.replace(/from "dvsol"/g, `from ${JSON.stringify(index)}`));
    const r = spawnSync(process.execPath, ["--import", TSX, file], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(r.status, 0, `${ex.title}: exit ${r.status}\n${r.stderr}`);
    if (ex.expected) {
      const actual = r.stdout.replace(/\n$/, "").split("\n");
      assert.ok(matches(actual, ex.expected), `${ex.title}: prints\n${r.stdout}\nbut the page shows\n${ex.expected.join("\n")}`);
    }
  });
});
