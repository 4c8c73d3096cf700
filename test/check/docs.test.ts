/** The generated reference: one page per finding code, the index, docs/errors.md; the check pages are current. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { CHECK_FINDING_CODES } from "../../src/check/findings.js";
import { EXAMPLES } from "../../src/check/examples.js";
import { findingSpec } from "../../src/findings/catalog.js";
import "../../src/model/findings.js";
import { ROOT, tmp } from "../helpers.js";

test("every check finding has a documentation example whose message renders", () => {
  for (const code of CHECK_FINDING_CODES) {
    const ex = EXAMPLES[code];
    assert.ok(ex, `${code} has an example`);
    const msg = findingSpec(code).message(ex.args);
    assert.ok(msg.length > 20 && !/"undefined"|\[object|NaN|null/.test(msg), `${code}: ${msg}`);
  }
});

test("gen-docs writes a page per code, the index and errors.md; the committed check pages are current", { skip: existsSync(path.join(ROOT, "dist", "findings", "catalog.js")) ? false : "dist/ not built: run npx tsc -p ." }, () => {
  const out = tmp("dvsol-docs-");
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "gen-docs.mjs"), "--out", out], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const pages = readdirSync(path.join(out, "docs", "findings"));
    for (const code of CHECK_FINDING_CODES) {
      assert.ok(pages.includes(`${code}.md`), code);
      const generated = readFileSync(path.join(out, "docs", "findings", `${code}.md`), "utf8");
      assert.match(generated, new RegExp(`^# ${code}\\n`));
      for (const h of ["## Why it matters", "## How to fix", "## Example", "## Source"]) assert.ok(generated.includes(h), `${code}: ${h}`);
      const committed = path.join(ROOT, "docs", "findings", `${code}.md`);
      assert.equal(existsSync(committed) ? readFileSync(committed, "utf8") : null, generated, `docs/findings/${code}.md is current (run node scripts/gen-docs.mjs)`);
    }
    const index = readFileSync(path.join(out, "docs", "findings", "README.md"), "utf8");
    for (const code of CHECK_FINDING_CODES) assert.ok(index.includes(`[${code}](${code}.md)`), code);
    const errors = readFileSync(path.join(out, "docs", "errors.md"), "utf8");
    assert.match(errors, /\| `CONFIG_INVALID` \|/);
    assert.match(errors, /## Usage\n/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
