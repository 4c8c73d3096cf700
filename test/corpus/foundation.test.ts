/**
 * Issue "foundation" over the whole corpus: inspect agrees with the files and with MANIFEST.tsv; the
 * CLI is deterministic and refuses a folder it would clobber. The zip -> unpack -> pack walk over every
 * corpus zip (every entry back, figures per kind) is test/layout/corpus-zips.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadSolution } from "../../src/model/read.js";
import { inspectSolution } from "../../src/ops/inspect.js";
import { corpusManifest, corpusPath, corpusSkip, dvsol, tmp } from "../helpers.js";

const rows = corpusManifest().filter((r) => r.kind !== "pair");
const zips = rows.filter((r) => r.kind.startsWith("zip"));
const folders = rows.filter((r) => r.kind === "unpacked");




test("inspect agrees with MANIFEST.tsv for every zip and folder", { skip: corpusSkip }, async () => {
  assert.ok(zips.length >= 40 && folders.length >= 5, `corpus rows: ${zips.length} zips, ${folders.length} folders`);
  for (const r of [...zips, ...folders]) {
    const sol = await loadSolution(corpusPath(r.local_path));
    try {
      const j = inspectSolution(sol);
      const what = r.local_path;
      assert.equal(j.uniqueName, r.solution_unique_name, what);
      assert.equal(j.version, r.solution_version, what);
      assert.equal(j.assemblies.length, Number(r.n_plugin_assemblies), `${what}: assemblies`);
      assert.equal(j.steps.length, Number(r.n_steps), `${what}: steps`);
      assert.equal(j.steps.reduce((n, s) => n + s.images.length, 0), Number(r.n_images), `${what}: images`);
      assert.equal(j.serviceEndpoints.length, Number(r.n_service_endpoints), `${what}: endpoints`);
      assert.equal(j.managed, r.kind === "zip-managed" ? true : r.kind === "zip-unmanaged" ? false : j.managed, what);
      for (const a of j.assemblies) {
        assert.match(a.version, /^\d+(\.\d+){1,3}$/, `${what}: ${a.name} version`);
        if (a.publicKeyToken !== null) assert.match(a.publicKeyToken, /^[0-9a-f]{16}$/, `${what}: ${a.name} token`);
        if (r.kind.startsWith("zip")) assert.equal(a.dllPresent, true, `${what}: ${a.name} DLL resolved through FileName`);
      }
      for (const s of j.steps) {
        assert.match(s.id, /^[0-9a-f-]{36}$/);
        if (s.pluginTypeId) assert.match(s.pluginTypeId, /^[0-9a-f-]{36}$/);
      }
      const asmNote = /asm=([^;]+)/.exec(r.notes);
      for (const one of asmNote ? asmNote[1]!.split(",") : []) {
        const [name, version] = one.split("@");
        assert.ok(j.assemblies.some((a) => a.name === name && a.version === version), `${what}: ${one}`);
      }
    } finally {
      await sol.source.close();
    }
  }
});

test("unpack and pack are deterministic and refuse a non-empty target (CLI)", { skip: corpusSkip }, () => {
  const src = corpusPath("MicrosoftLearning__PL-400_Microsoft-Power-Platform-Developer/Allfiles/Demos/PL400Demos_1_0_24_0.zip");
  const work = tmp();
  try {
    const u = path.join(work, "u");
    assert.equal(dvsol(["unpack", src, u]).code, 0);
    const other = path.join(work, "other");
    mkdirSync(other);
    writeFileSync(path.join(other, "notes.txt"), "not a solution");
    const refused = dvsol(["unpack", src, other]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /error OUTPUT_NOT_EMPTY/);
    assert.equal(readFileSync(path.join(other, "notes.txt"), "utf8"), "not a solution", "target left as it was");
    assert.equal(dvsol(["unpack", src, other, "--clobber"]).code, 0);
    assert.equal(dvsol(["pack", u, path.join(work, "a.zip")]).code, 0);
    assert.equal(dvsol(["pack", u, path.join(work, "b.zip")]).code, 0);
    assert.ok(readFileSync(path.join(work, "a.zip")).equals(readFileSync(path.join(work, "b.zip"))), "two packs give identical bytes");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
