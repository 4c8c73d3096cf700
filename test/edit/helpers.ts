/** Helpers for the edit tests: copies of real solutions, a line diff, raw zip entries. */
import assert from "node:assert/strict";
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { CORPUS, HAS_CORPUS, ROOT, dvsol, tmp, type CliResult } from "../helpers.js";
import { ZipReader } from "../../src/archive/index.js";

export const FIX = path.join(ROOT, "test", "fixtures", "edit");
export const MINIMAL = path.join(FIX, "Minimal");
export const DEMO = (v: string) => path.join(FIX, "bin", v, "DemoPlugin.dll");
export const SAMPLE = (v: string) => path.join(ROOT, "samples", "plugin", "bin", v, "Contoso.Plugins.dll");
export const HAS_SAMPLES = existsSync(SAMPLE("1.0.0.0")) && existsSync(SAMPLE("1.0.1.0")) && existsSync(SAMPLE("2.0.0.0"));
export const samplesSkip: string | false = HAS_SAMPLES ? false : "samples/plugin/bin/*/Contoso.Plugins.dll not built: skipped";

export const PL400_ZIP = path.join(CORPUS, "MicrosoftLearning__PL-400_Microsoft-Power-Platform-Developer/Allfiles/Demos/PL400Demos_1_0_24_0.zip");
export const CSE_FOLDER = path.join(CORPUS, "CSE-Neutrino__dataverse-serviceendpoint-sample/deployment/solutions/RegisterServiceEndpointsSolution");
export const KASKELA_ZIP = path.join(CORPUS, "akaskela__WorkflowElements/Solutions/KaskelasWorkflowElementsforDynamics365CE_3_2_1_0 - Unmanaged.zip");
export const SPARKLE_ZIP = path.join(CORPUS, "scottdurow__SparkleXrm/SparkleXrmSamples/QuickNavigation/StartMenu_1_4_target_CRM_6.0.zip");
export const VENDOR_ZIP = path.join(CORPUS, "microsoft__Dynamics-365-FastTrack-Implementation-Assets/Customer Service/Field Service/Component Library/Vendor Self-Service/VendorIntegration_1_1_0_0.zip");
export const pl400Skip: string | false = HAS_CORPUS && existsSync(PL400_ZIP) ? false : "corpus PL400Demos 1.0.24 not found: skipped";

/** Runs the CLI and asserts the exit code (printing the output when it differs). */
export function ok(args: string[], code = 0): CliResult {
  const r = dvsol(args);
  assert.equal(r.code, code, `dvsol ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A copy of a zip or folder in a fresh temp dir; never touch ../shared. */
export function copyOf(src: string, name?: string): string {
  const dir = tmp("dvsol-edit-");
  const dest = path.join(dir, name ?? path.basename(src).replace(/ /g, "_"));
  cpSync(src, dest, { recursive: true });
  return dest;
}

/** The PL400Demos 1.0.24 zip unpacked into a temp folder. */
export function pl400Folder(): string {
  const dir = tmp("dvsol-edit-");
  const out = path.join(dir, "PL400Demos");
  ok(["unpack", PL400_ZIP, out]);
  return out;
}

/** Every file of a folder, relative path -> bytes. */
export function snapshot(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string, rel: string) => {
    for (const n of readdirSync(dir).sort()) {
      const abs = path.join(dir, n);
      const r = rel ? `${rel}/${n}` : n;
      if (statSync(abs).isDirectory()) walk(abs, r);
      else out.set(r, readFileSync(abs));
    }
  };
  walk(root, "");
  return out;
}

/** Which files differ between two snapshots. */
export function changedPaths(before: Map<string, Buffer>, after: Map<string, Buffer>): { added: string[]; removed: string[]; modified: string[] } {
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
  const modified = [...after.keys()].filter((k) => before.has(k) && !before.get(k)!.equals(after.get(k)!)).sort();
  return { added, removed, modified };
}

export interface LineDiff {
  /** [line number in a (1-based), text] */
  removed: [number, string][];
  /** [line number in b (1-based), text] */
  added: [number, string][];
}

/** A line diff (common prefix and suffix, then LCS over the middle); lines keep their "\r". */
export function lineDiff(a: string, b: string): LineDiff {
  const A = a.split("\n");
  const B = b.split("\n");
  let pre = 0;
  while (pre < A.length && pre < B.length && A[pre] === B[pre]) pre++;
  let suf = 0;
  while (suf < A.length - pre && suf < B.length - pre && A[A.length - 1 - suf] === B[B.length - 1 - suf]) suf++;
  const a2 = A.slice(pre, A.length - suf);
  const b2 = B.slice(pre, B.length - suf);
  const n = a2.length;
  const m = b2.length;
  assert.ok(n * m < 25_000_000, "diff too large for the test helper");
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = a2[i] === b2[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const removed: [number, string][] = [];
  const added: [number, string][] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a2[i] === b2[j]) {
      i++;
      j++;
    } else if (j < m && (i === n || L[i]![j + 1]! >= L[i + 1]![j]!)) {
      added.push([pre + j + 1, b2[j]!]);
      j++;
    } else {
      removed.push([pre + i + 1, a2[i]!]);
      i++;
    }
  }
  return { removed, added };
}

/** Asserts that a diff replaces lines one for one and that each pair differs only by `from` -> `to` substitutions. */
export function assertOnlySubstitutions(d: LineDiff, subs: [string, string][], what: string): void {
  assert.equal(d.removed.length, d.added.length, `${what}: lines were added or removed, not only changed:\n${JSON.stringify(d, null, 1)}`);
  assert.ok(d.removed.length > 0, `${what}: nothing changed`);
  for (let k = 0; k < d.removed.length; k++) {
    let expected = d.removed[k]![1];
    for (const [from, to] of subs) expected = expected.split(from).join(to);
    assert.equal(d.added[k]![1], expected, `${what}: line ${d.added[k]![0]} changed more than ${subs.map(([a, b]) => `${a} -> ${b}`).join(", ")}`);
    assert.equal(d.removed[k]![0], d.added[k]![0], `${what}: a changed line moved`);
  }
}

export function text(p: string): string {
  return readFileSync(p, "utf8");
}

/** Raw (compressed) entries of a zip, by name, with their headers' facts. */
export async function rawEntries(zip: string): Promise<Map<string, { raw: Buffer; crc: number; method: number; dosTime: number; dosDate: number; index: number }>> {
  const r = await ZipReader.open(zip);
  try {
    const out = new Map<string, { raw: Buffer; crc: number; method: number; dosTime: number; dosDate: number; index: number }>();
    for (const e of r.entries) out.set(e.name, { raw: await r.readRaw(e), crc: e.crc32, method: e.method, dosTime: e.dosTime, dosDate: e.dosDate, index: e.index });
    return out;
  } finally {
    await r.close();
  }
}

export async function entryText(zip: string, name: string): Promise<string> {
  const r = await ZipReader.open(zip);
  try {
    const e = r.get(name);
    assert.ok(e, `${name} is not in ${zip}`);
    return (await r.read(e)).toString("utf8");
  } finally {
    await r.close();
  }
}

export function inspectJson(location: string): {
  version: string;
  assemblies: { id: string | null; name: string; version: string; fullName: string; dllPresent: boolean; types: { id: string | null; typeName: string; name: string }[] }[];
  steps: { id: string; name: string | null; pluginTypeId: string | null; pluginTypeName: string | null; rank: number | null; stage: number | null; mode: number | null; enabled: boolean; filteringAttributes: string[]; configuration: string | null; eventHandler: string | null; images: { alias: string | null; imageType: number | null; attributes: string[]; messagePropertyName: string | null }[] }[];
  serviceEndpoints: { id: string; name: string; contract: number | null }[];
  rootComponents: { type: number | string; id: string | null; schemaName: string | null }[];
  missingDependencies: { required: Record<string, string>; dependent: Record<string, string> }[];
} {
  const r = ok(["inspect", location, "--json"]);
  return JSON.parse(r.stdout);
}

/** pack/unpack round trip: a folder packs, the zip unpacks, and the model is the same at every stage. */
export function roundTrip(location: string): void {
  const dir = tmp("dvsol-edit-rt-");
  const first = inspectJson(location);
  const strip = (j: ReturnType<typeof inspectJson>) => {
    const c = JSON.parse(JSON.stringify(j));
    for (const s of c.steps) delete s.file;
    delete c.form;
    c.findings = c.findings.map((f: { code: string; args: unknown }) => ({ code: f.code, args: f.args }));
    for (const a of c.assemblies) a.types.sort((x: { typeName: string }, y: { typeName: string }) => (x.typeName < y.typeName ? -1 : 1));
    c.steps.sort((x: { id: string }, y: { id: string }) => (x.id < y.id ? -1 : 1));
    c.assemblies.sort((x: { fullName: string }, y: { fullName: string }) => (x.fullName < y.fullName ? -1 : 1));
    return c;
  };
  if (statSync(location).isDirectory()) {
    const zip = path.join(dir, "packed.zip");
    ok(["pack", location, zip]);
    const again = path.join(dir, "again");
    ok(["unpack", zip, again]);
    assert.deepEqual(strip(inspectJson(zip)), strip(first), "pack changed the model");
    assert.deepEqual(strip(inspectJson(again)), strip(first), "unpack of the pack changed the model");
  } else {
    const folder = path.join(dir, "unpacked");
    ok(["unpack", location, folder]);
    const zip = path.join(dir, "repacked.zip");
    ok(["pack", folder, zip]);
    assert.deepEqual(strip(inspectJson(folder)), strip(first), "unpack changed the model");
    assert.deepEqual(strip(inspectJson(zip)), strip(first), "pack of the unpack changed the model");
  }
}
