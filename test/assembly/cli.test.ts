// `dvsol assembly` end to end, through bin/dvsol.js (needs a build: `npx tsc -p .`; `npm test` builds first).
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, test } from "node:test";
import { dvsol, tmp } from "../helpers.js";
import { minimalPe } from "./craft.js";
import { FIXTURE_BIN, PLUGINS_WITH_REFS, PLUGINS_WITHOUT_REFS, UNDETERMINED_WITHOUT_REFS } from "./expected.js";

const fx = (n: string) => path.join(FIXTURE_BIN, n);
const work = tmp("dvsol-asm-cli-");
after(() => rmSync(work, { recursive: true, force: true }));

test("--json: the documented shape, findings included, exit 0", () => {
  const r = dvsol(["assembly", fx("Fixture.Plugins.dll"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j), ["name", "version", "culture", "publicKeyToken", "fullName", "signed", "targetFramework", "pluginTypes", "undeterminedTypes", "references", "findings"]);
  assert.equal(j.fullName, "Fixture.Plugins, Version=1.2.3.4, Culture=neutral, PublicKeyToken=3dee37e19adc03c6");
  assert.equal(j.signed, true);
  assert.deepEqual(j.pluginTypes, PLUGINS_WITHOUT_REFS);
  assert.deepEqual(j.undeterminedTypes.map((u: { name: string }) => u.name), UNDETERMINED_WITHOUT_REFS.map((u) => u.name));
  assert.deepEqual(j.references[1], { name: "Microsoft.Xrm.Sdk", version: "9.0.0.0" });
  assert.deepEqual(
    j.findings.map((f: { code: string }) => f.code),
    UNDETERMINED_WITHOUT_REFS.map(() => "ASSEMBLY_UNDETERMINED_TYPE"),
  );
});

test("--ref (repeatable) follows base classes into referenced assemblies", () => {
  const r = dvsol(["assembly", fx("Fixture.Plugins.dll"), "--ref", FIXTURE_BIN, "--ref", fx("refs"), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.pluginTypes, PLUGINS_WITH_REFS);
  assert.deepEqual(j.undeterminedTypes, []);
  assert.deepEqual(j.findings, []);
  assert.equal(r.stderr, "");
});

test("text mode: a summary on stdout, findings on stderr, exit 0", () => {
  const r = dvsol(["assembly", fx("Fixture.Culture.dll")]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.split("\n");
  assert.equal(out[0], "Fixture.Culture, Version=65534.65533.65532.65531, Culture=fr-FR, PublicKeyToken=null");
  assert.match(r.stdout, /signed: +no/);
  assert.match(r.stdout, /plugin +Fixture\.Culture\.FrenchPlugin/);
  assert.match(r.stderr, /^warning ASSEMBLY_UNSIGNED: Fixture\.Culture is not strong-name signed/m);
  assert.match(r.stderr, /^info ASSEMBLY_TARGET_FRAMEWORK_UNKNOWN: /m);
  const q = dvsol(["--quiet", "assembly", fx("Fixture.Many.dll")]);
  assert.equal(q.code, 0);
  assert.match(q.stdout, /types \(200\):/);
});

test("exit 2 with the error code: reference assembly, text file, native PE, ELF, truncated DLL, missing file", () => {
  const text = path.join(work, "notes.dll");
  writeFileSync(text, "this is a text file\n");
  const native = path.join(work, "native.dll");
  writeFileSync(native, minimalPe());
  const elf = path.join(work, "libnative.so");
  const elfBytes = new Uint8Array(256);
  elfBytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  writeFileSync(elf, elfBytes);
  const cut = path.join(work, "cut.dll");
  writeFileSync(cut, readFileSync(fx("Fixture.Plugins.dll")).subarray(0, 1000));
  const ref = path.join(work, "Fixture.RefOnly.dll");
  copyFileSync(fx("Fixture.RefOnly.dll"), ref);
  const cases: [string, string][] = [
    [ref, "ASSEMBLY_REFERENCE_ONLY"],
    [text, "ASSEMBLY_NOT_PE"],
    [native, "ASSEMBLY_NOT_MANAGED"],
    [elf, "ASSEMBLY_NOT_PE"],
    [cut, "ASSEMBLY_CORRUPT"],
    [path.join(work, "missing.dll"), "INPUT_NOT_FOUND"],
  ];
  for (const [file, code] of cases) {
    for (const json of [[], ["--json"]]) {
      const r = dvsol(["assembly", file, ...json]);
      assert.equal(r.code, 2, `${file}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^error ${code}: `), file);
      assert.ok(r.stderr.includes(`  at ${file}`), r.stderr);
      assert.equal(r.stdout, "");
    }
  }
});

test("--help shows an example", () => {
  const r = dvsol(["assembly", "--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\$ dvsol assembly bin\/Release\/net462\/Contoso\.Plugins\.dll --json/);
  assert.match(r.stdout, /--ref <dir>/);
});
