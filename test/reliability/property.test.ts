/**
 * Property-based tests (fast-check) over generated solutions: random assemblies with types, steps with
 * images, endpoints, unknown elements and attributes, comments, CRLF or LF, BOM or not, XML declaration or
 * not, any indentation and quote style, names with XML-special and non-ASCII characters, extra binary
 * entries. Written as zips with src/archive ZipWriter and run in-process (the CLI is covered by the other
 * reliability tests; here the point is many shapes quickly).
 *
 * 1. unpack then pack keeps the model (inspect JSON equal at every stage) and everything else: the same
 *    entries, XML content equivalent (by an independent parser, test/layout/xmlequiv.ts), other bytes equal.
 * 2. Every edit command applied to a generated solution (zip or folder) either refuses and changes nothing,
 *    or changes only what it targets: files it did not write are byte-identical (zip entries: the same raw
 *    compressed bytes), and inside the files it wrote every component it did not target keeps its exact text.
 * Bounded: DVSOL_PROPERTY_RUNS (default 20) runs per property, so that the file stays well under 30 s.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ZipReader } from "../../src/archive/index.js";
import { isDvsolError } from "../../src/errors.js";
import { loadSolution } from "../../src/model/read.js";
import { normId } from "../../src/model/ids.js";
import { inspectSolution } from "../../src/ops/inspect.js";
import { pack, unpack } from "../../src/ops/unpack.js";
import { addEndpoint, addImage, removeComponent, setStepState, setVersion, updateStep } from "../../src/edit/index.js";
import { walk } from "../../src/xml/dom.js";
import { parseXmlBytes } from "../../src/xml/parse.js";
import { compareXml } from "../layout/xmlequiv.js";
import { tmp } from "../helpers.js";
import { treeHash, writeZip, zipFiles, type GenAssembly, type GenEndpoint, type GenSolution, type GenStep, type GenStyle } from "./gen.js";

const RUNS = Number(process.env.DVSOL_PROPERTY_RUNS ?? 20);
const SEED = process.env.DVSOL_PROPERTY_SEED ? Number(process.env.DVSOL_PROPERTY_SEED) : undefined;

// ---- arbitraries ---------------------------------------------------------------------------------------------

const CHARS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.", "&", "<", ">", '"', "'", "é", "ß", "中", "😀", "\t"];
const text = (min: number, max: number) => fc.array(fc.constantFrom(...CHARS), { minLength: min, maxLength: max }).map((a) => a.join(""));
const ident = fc.stringMatching(/^[A-Z][a-z]{1,8}$/);

const arbStyle: fc.Arbitrary<GenStyle> = fc.record({
  eol: fc.constantFrom("\n" as const, "\r\n" as const),
  bom: fc.boolean(),
  indent: fc.constantFrom("", " ", "  ", "\t", "    "),
  declaration: fc.boolean(),
  extras: fc.boolean(),
  quote: fc.constantFrom('"' as const, "'" as const),
});

const arbSolution: fc.Arbitrary<GenSolution> = fc
  .record({
    ids: fc.uniqueArray(fc.uuid(), { minLength: 48, maxLength: 48 }),
    uniqueName: ident,
    version: fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 9999 })).map((v) => v.join(".")),
    assemblies: fc.array(fc.record({ name: ident, types: fc.array(ident, { minLength: 1, maxLength: 3 }), dll: fc.uint8Array({ minLength: 0, maxLength: 300 }), v: fc.integer({ min: 0, max: 9 }) }), { maxLength: 3 }),
    steps: fc.array(
      fc.record({
        handler: fc.nat(),
        toEndpoint: fc.boolean(),
        name: text(1, 30),
        entity: fc.constantFrom("account", "contact", "lead"),
        message: fc.constantFrom("Create" as const, "Update" as const),
        stage: fc.constantFrom(10, 20, 40),
        mode: fc.constantFrom(0, 1),
        rank: fc.integer({ min: 1, max: 99 }),
        filtering: fc.constantFrom("", "name", "name,telephone1"),
        enabled: fc.boolean(),
        images: fc.array(fc.record({ alias: fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,9}$/), imageType: fc.constantFrom(0, 1, 2), attributes: fc.constantFrom("", "name", "name,statuscode") }), { maxLength: 2 }),
      }),
      { maxLength: 6 },
    ),
    endpoints: fc.array(fc.record({ name: text(1, 20), contract: fc.constantFrom(1, 2, 3, 4, 5, 6, 7), secrets: fc.subarray(["SASKey", "SASToken", "AuthValue"] as GenEndpoint["secrets"]) }), { maxLength: 2 }),
    style: arbStyle,
    extraFiles: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z]{1,8}$/), bytes: fc.uint8Array({ maxLength: 200 }) }), { maxLength: 3, selector: (x) => x.name }),
  })
  .map((r): GenSolution => {
    let k = 0;
    const id = () => r.ids[k++]!;
    const assemblies: GenAssembly[] = r.assemblies.map((a, i) => ({
      name: `${a.name}${i}.Plugins`,
      version: `1.0.${a.v}.0`,
      id: id(),
      token: "0123456789abcdef",
      types: a.types.map((t, j) => ({ name: `${a.name}${i}.Plugins.${t}${j}`, id: id() })),
      dll: Buffer.from(a.dll),
    }));
    const endpoints: GenEndpoint[] = r.endpoints.map((e, i) => ({ id: id(), name: `${e.name}#${i}`, contract: e.contract, secrets: e.secrets }));
    const steps: GenStep[] = [];
    for (const st of r.steps) {
      let handler: GenStep["handler"];
      if ((st.toEndpoint || !assemblies.length) && endpoints.length) handler = { endpoint: st.handler % endpoints.length };
      else if (assemblies.length) {
        const a = st.handler % assemblies.length;
        handler = { assembly: a, type: st.handler % assemblies[a]!.types.length };
      } else continue;
      steps.push({
        id: id(),
        name: st.name,
        handler,
        entity: st.entity,
        message: st.message,
        stage: st.stage,
        mode: st.stage === 40 ? st.mode : 0,
        rank: st.rank,
        filtering: st.message === "Update" ? st.filtering : "",
        enabled: st.enabled,
        images: st.images.map((im) => ({ id: id(), ...im })),
      });
    }
    return {
      uniqueName: r.uniqueName,
      version: r.version,
      managed: 0,
      assemblies,
      steps,
      endpoints,
      style: r.style,
      extraFiles: r.extraFiles.map((f) => [`WebResources/${f.name}.bin`, Buffer.from(f.bytes)] as [string, Buffer]),
    };
  });

// ---- helpers ---------------------------------------------------------------------------------------------------

async function zipEntries(file: string): Promise<Map<string, { bytes: Buffer; raw: Buffer; crc: number }>> {
  const z = await ZipReader.open(file);
  try {
    const out = new Map<string, { bytes: Buffer; raw: Buffer; crc: number }>();
    for (const e of z.entries) if (!e.isDirectory) out.set(e.name, { bytes: await z.read(e), raw: await z.readRaw(e), crc: e.crc32 });
    return out;
  } finally {
    await z.close();
  }
}

async function model(location: string): Promise<unknown> {
  const sol = await loadSolution(location);
  try {
    const j = JSON.parse(JSON.stringify(inspectSolution(sol)));
    delete j.form;
    for (const s of j.steps) delete s.file;
    j.findings = j.findings.map((f: { code: string; args: unknown }) => ({ code: f.code, args: f.args }));
    const by = (k: string) => (a: Record<string, string>, b: Record<string, string>) => (a[k]! < b[k]! ? -1 : a[k]! > b[k]! ? 1 : 0);
    j.steps.sort(by("id"));
    j.assemblies.sort(by("fullName"));
    return j;
  } finally {
    await sol.source.close();
  }
}

/** Components with an id in a document: "kind:id" -> exact source text. */
function components(bytes: Buffer): Map<string, string> {
  const doc = parseXmlBytes(bytes);
  const out = new Map<string, string>();
  const ID: Record<string, string> = { PluginAssembly: "PluginAssemblyId", SdkMessageProcessingStep: "SdkMessageProcessingStepId", ServiceEndpoint: "ServiceEndpointId", RootComponent: "id", PluginType: "PluginTypeId" };
  for (const el of walk(doc.root)) {
    const a = ID[el.name];
    const v = a ? normId(el.attrs.find((x) => x.name === a)?.value) : null;
    if (v) out.set(`${el.name}:${v}`, doc.text.slice(el.start, el.end));
  }
  return out;
}

/** Every component in `before` whose id is not targeted has the same text in `after` (or is gone only when targeted). */
function assertUntargetedSame(before: Buffer, after: Buffer, targets: Set<string>, what: string): void {
  const a = components(before);
  const b = components(after);
  for (const [k, t] of a) {
    const id = k.slice(k.indexOf(":") + 1);
    if (targets.has(id)) continue;
    // A step's or assembly's text contains its images/types: a target inside it is allowed to change it.
    if (k.startsWith("SdkMessageProcessingStep:") || k.startsWith("PluginAssembly:")) {
      if ([...targets].some((x) => t.includes(x) || t.toUpperCase().includes(x.toUpperCase()))) continue;
    }
    assert.ok(b.has(k), `${what}: ${k} disappeared`);
    assert.equal(b.get(k), t, `${what}: ${k} changed although the edit did not target it`);
  }
}

function scratch(): string {
  return tmp("dvsol-rel-prop-");
}

// ---- 1. unpack / pack round trip ---------------------------------------------------------------------------------

describe("property: unpack then pack keeps the model and every entry", () => {
  test(`${RUNS} generated solutions`, async () => {
    await fc.assert(
      fc.asyncProperty(arbSolution, async (s) => {
        const dir = scratch();
        try {
          const zip = path.join(dir, "gen.zip");
          await writeZip(zip, zipFiles(s));
          const folder = path.join(dir, "folder");
          await unpack(zip, folder);
          const back = path.join(dir, "back.zip");
          await pack(folder, back);
          const m0 = await model(zip);
          assert.deepEqual(await model(folder), m0, "unpack changed the model");
          assert.deepEqual(await model(back), m0, "pack changed the model");
          const a = await zipEntries(zip);
          const b = await zipEntries(back);
          assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), "the entries differ");
          for (const [n, e] of a) {
            const f = b.get(n)!;
            if (e.bytes.equals(f.bytes)) continue;
            assert.ok(/\.xml$/i.test(n), `${n}: bytes changed`);
            const v = compareXml(e.bytes, f.bytes);
            assert.ok(v === "identical" || v === "equivalent", `${n}: XML content changed (${v})`);
          }
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

// ---- 2. edits change only what they target ---------------------------------------------------------------------------

type Edit = { name: string; targets: (s: GenSolution) => string[]; run: (loc: string, s: GenSolution) => Promise<unknown> };

const pickStep = (s: GenSolution, k: number) => s.steps[k % s.steps.length]!;
const EDITS = (k: number): Edit[] => [
  { name: "disable step", targets: (s) => [pickStep(s, k).id], run: (loc, s) => setStepState(loc, pickStep(s, k).id, false) },
  { name: "enable step", targets: (s) => [pickStep(s, k).id], run: (loc, s) => setStepState(loc, pickStep(s, k).id, true) },
  { name: "update step rank", targets: (s) => [pickStep(s, k).id], run: (loc, s) => updateStep(loc, pickStep(s, k).id, { rank: (pickStep(s, k).rank % 90) + 2 }) },
  { name: "add image", targets: (s) => [pickStep(s, k).id], run: (loc, s) => addImage(loc, pickStep(s, k).id, [`post:Added${k}:name`]) },
  { name: "remove step", targets: (s) => [pickStep(s, k).id], run: (loc, s) => removeComponent(loc, "step", pickStep(s, k).id) },
  { name: "version bump", targets: () => [], run: (loc) => setVersion(loc, { bump: ["major", "minor", "build", "revision"][k % 4]! }) },
  {
    name: "add endpoint",
    targets: () => [],
    run: (loc) => addEndpoint(loc, { name: `added queue ${k}`, contract: "queue", namespace: "contosobus", path: "orders", sasKeyName: "send" }),
  },
];

async function snapshotZip(zip: string) {
  return zipEntries(zip);
}

describe("property: every edit changes only what it targets (or refuses and changes nothing)", () => {
  for (const form of ["zip", "folder"] as const) {
    test(`${form}: ${RUNS} generated solutions x a random edit`, async (t) => {
      const tally = new Map<string, number>();
      const count = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);
      await fc.assert(
        fc.asyncProperty(arbSolution, fc.nat(), fc.nat(), async (s, which, k) => {
          const dir = scratch();
          try {
            const zip = path.join(dir, "gen.zip");
            await writeZip(zip, zipFiles(s));
            let loc = zip;
            if (form === "folder") {
              loc = path.join(dir, "folder");
              await unpack(zip, loc);
            }
            const edits = EDITS(k).filter((e) => s.steps.length || !e.name.includes("step") && !e.name.includes("image"));
            const edit = edits[which % edits.length]!;
            const targets = new Set(edit.targets(s));
            const beforeTree = treeHash(dir);
            const beforeZip = form === "zip" ? await snapshotZip(zip) : null;
            const beforeFiles = form === "folder" ? readFiles(loc) : null;
            let result: { written: string[]; deleted: string[] } | null = null;
            try {
              result = (await edit.run(loc, s)) as { written: string[]; deleted: string[] };
            } catch (e) {
              if (!isDvsolError(e)) throw e;
              count(`${edit.name}: refused ${e.code}`);
              // A refusal changes nothing at all.
              const after = treeHash(dir);
              assert.deepEqual([...after], [...beforeTree], `${edit.name} refused (${e.code}: ${e.message}) but changed files`);
              return;
            }
            count(`${edit.name}: done`);
            const written = new Set(result.written);
            if (form === "zip") {
              const after = await snapshotZip(zip);
              for (const [n, e] of beforeZip!) {
                const f = after.get(n);
                if (!written.has(n)) {
                  if (n === "[Content_Types].xml" && f) continue; // regenerated only when a new extension needs it
                  assert.ok(f, `${edit.name}: ${n} disappeared`);
                  assert.ok(f.raw.equals(e.raw) && f.crc === e.crc, `${edit.name}: ${n} was not written by the edit but its bytes changed`);
                } else if (f && /\.xml$/i.test(n)) {
                  assertUntargetedSame(e.bytes, f.bytes, targets, `${edit.name} ${n}`);
                  if (edit.name === "version bump" && n === "solution.xml") assertOnlyVersion(e.bytes, f.bytes);
                }
              }
            } else {
              const after = readFiles(loc);
              for (const [n, b] of beforeFiles!) {
                if (result.deleted.includes(n)) continue;
                const a = after.get(n);
                assert.ok(a, `${edit.name}: ${n} disappeared`);
                if (!written.has(n)) assert.ok(a.equals(b), `${edit.name}: ${n} was not written by the edit but changed`);
                else if (/\.xml$/i.test(n)) {
                  assertUntargetedSame(b, a, targets, `${edit.name} ${n}`);
                  if (edit.name === "version bump" && n === "Other/Solution.xml") assertOnlyVersion(b, a);
                }
              }
              assert.deepEqual([...after.keys()].filter((n) => n.includes(".dvsol-")), [], "leftovers");
            }
          } finally {
            fs.rmSync(dir, { recursive: true, force: true });
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
      t.diagnostic([...tally].sort().map(([k, v]) => `${k} x${v}`).join("; "));
    });
  }
});

function readFiles(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const visit = (d: string, rel: string) => {
    for (const n of fs.readdirSync(d).sort()) {
      const abs = path.join(d, n);
      const r = rel ? `${rel}/${n}` : n;
      if (fs.statSync(abs).isDirectory()) visit(abs, r);
      else out.set(r, fs.readFileSync(abs));
    }
  };
  visit(root, "");
  return out;
}

/** A version bump touches only the <Version> text. */
function assertOnlyVersion(before: Buffer, after: Buffer): void {
  const a = parseXmlBytes(before);
  const b = parseXmlBytes(after);
  const va = /<Version>([^<]*)<\/Version>/.exec(a.text)![1]!;
  const vb = /<Version>([^<]*)<\/Version>/.exec(b.text)![1]!;
  assert.equal(b.text, a.text.replace(`<Version>${va}</Version>`, `<Version>${vb}</Version>`), "the version bump changed more than the version");
  assert.equal(a.bom, b.bom);
}
