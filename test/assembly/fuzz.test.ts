// Robustness: truncated and randomly damaged assemblies (seeded, reproducible). Every call must return an
// AssemblyInfo or throw DvsolError ASSEMBLY_*; nothing else, and never hang (the test has a time limit).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isDvsolError } from "../../src/errors.js";
import { readAssembly, type AssemblyInfo } from "../../src/assembly/index.js";
import { ModuleView } from "../../src/assembly/module.js";
import { FIXTURE_BIN } from "./expected.js";

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its case number. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const load = (p: string) => new Uint8Array(readFileSync(path.join(FIXTURE_BIN, p)));
const REFS = new Map(["Microsoft.Xrm.Sdk", "System.Activities", "Contoso.Base", "Contoso.Moved", "Contoso.Target"].map((n) => [n, load(`refs/${n}.dll`)]));

interface Tally {
  returned: number;
  threw: Record<string, number>;
}

function attempt(label: string, bytes: Uint8Array, tally: Tally, resolve: (n: string) => Uint8Array | null = (n) => REFS.get(n) ?? null): void {
  let info: AssemblyInfo;
  try {
    info = readAssembly(bytes, { file: label, resolveReference: resolve });
  } catch (e) {
    if (!isDvsolError(e)) {
      assert.fail(`${label}: threw ${(e as Error)?.stack ?? String(e)}`);
    }
    assert.match(e.code, /^ASSEMBLY_(NOT_PE|NOT_MANAGED|CORRUPT)$/, `${label}: ${e.code}`);
    assert.equal(e.location.file, label);
    assert.ok(e.message.length > 10);
    tally.threw[e.code] = (tally.threw[e.code] ?? 0) + 1;
    return;
  }
  assert.equal(typeof info.name, "string", label);
  assert.ok(Array.isArray(info.pluginTypes) && Array.isArray(info.undeterminedTypes), label);
  tally.returned++;
}

const report = (t: { diagnostic(s: string): void }, what: string, tally: Tally, cases: number) =>
  t.diagnostic(`${what}: ${cases} cases, ${tally.returned} read, thrown: ${JSON.stringify(tally.threw)}`);

test("truncated at every offset (Fixture.Plugins, Fixture.Many every 7th)", { timeout: 10_000 }, (t) => {
  for (const [name, step] of [["Fixture.Plugins.dll", 1], ["Fixture.Many.dll", 7]] as const) {
    const full = load(name);
    const tally: Tally = { returned: 0, threw: {} };
    let cases = 0;
    for (let len = 0; len < full.length; len += step) {
      attempt(`${name}[0..${len}]`, full.subarray(0, len), tally);
      cases++;
    }
    report(t, name, tally, cases);
    // Cutting off the tail (past the metadata) leaves a readable assembly; cutting into it does not.
    assert.ok(tally.returned > 0 && (tally.threw.ASSEMBLY_CORRUPT ?? 0) > 0 && (tally.threw.ASSEMBLY_NOT_PE ?? 0) > 0);
  }
});

test("random byte damage: headers, metadata, anywhere (seeded)", { timeout: 10_000 }, (t) => {
  const random = rng(0x5eed);
  for (const name of ["Fixture.Plugins.dll", "Fixture.Many.dll", "Fixture.Culture.dll"]) {
    const clean = load(name);
    const pe = new ModuleView(clean).pe;
    const tally: Tally = { returned: 0, threw: {} };
    const cases = 1200;
    for (let i = 0; i < cases; i++) {
      const bytes = clean.slice();
      const flips = 1 + Math.floor(random() * 4);
      const where = random();
      for (let f = 0; f < flips; f++) {
        const pos =
          where < 0.6
            ? pe.metadataOffset + Math.floor(random() * pe.metadataSize) // tables, heaps, stream headers
            : where < 0.85
              ? Math.floor(random() * Math.min(0x200, bytes.length)) // DOS/PE/optional/section headers
              : Math.floor(random() * bytes.length);
        bytes[pos] = random() < 0.3 ? 0xff : Math.floor(random() * 256);
      }
      attempt(`${name}#${i}`, bytes, tally);
    }
    report(t, name, tally, cases);
    assert.ok(tally.returned > 0 && (tally.threw.ASSEMBLY_CORRUPT ?? 0) > 0);
  }
});

test("damaged referenced assemblies never break reading the main one", { timeout: 10_000 }, (t) => {
  const random = rng(0xba5e);
  const main = load("Fixture.Plugins.dll");
  const base = REFS.get("Contoso.Base")!;
  const basePe = new ModuleView(base).pe;
  const tally: Tally = { returned: 0, threw: {} };
  const cases = 600;
  for (let i = 0; i < cases; i++) {
    const damaged = base.slice();
    if (i % 3 === 0) {
      damaged.fill(0, Math.floor(random() * damaged.length));
    } else {
      for (let f = 0; f < 1 + Math.floor(random() * 6); f++) damaged[basePe.metadataOffset + Math.floor(random() * basePe.metadataSize)] = Math.floor(random() * 256);
    }
    attempt(`Contoso.Base#${i}`, main, tally, (n) => (n === "Contoso.Base" ? damaged : REFS.get(n) ?? null));
  }
  report(t, "Fixture.Plugins with a damaged Contoso.Base", tally, cases);
  // A reference that cannot be read only leaves its subclasses undetermined.
  assert.equal(tally.returned, cases);
});
