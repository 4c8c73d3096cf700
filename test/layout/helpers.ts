/** Helpers for the layout tests: fixture zips, in-memory sources, folder listings and comparisons. */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { ZipReader, ZipWriter } from "../../src/archive/index.js";
import { contentTypes } from "../../src/layout/engine.js";
import type { SolutionFile, SolutionSource } from "../../src/solution/source.js";
import { ROOT } from "../helpers.js";
import { compareXml, type Verdict } from "./xmlequiv.js";

export const FIXTURES = path.join(ROOT, "test", "fixtures", "layout");

/** Every file below `dir`, relative, forward slashes, sorted. */
export function listTree(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const n of readdirSync(path.join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${n}` : n;
    if (statSync(path.join(dir, r)).isDirectory()) out.push(...listTree(dir, r));
    else out.push(r);
  }
  return out;
}

export function readTree(dir: string): Map<string, Buffer> {
  return new Map(listTree(dir).map((p) => [p, readFileSync(path.join(dir, p))]));
}

export function writeTree(dir: string, files: Map<string, Buffer>): void {
  for (const [p, b] of files) {
    const abs = path.join(dir, p);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, b);
  }
}

/** A source over files in memory (form "zip" or "folder"). */
export function memSource(form: "zip" | "folder", location: string, files: Map<string, Buffer>): SolutionSource {
  const list: SolutionFile[] = [...files.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([p, b]) => ({ path: p, size: b.length, read: async () => b }));
  const exact = new Map(list.map((f) => [f.path, f]));
  const lower = new Map(list.map((f) => [f.path.toLowerCase(), f]));
  return { form, location, files: list, get: (p) => exact.get(p), find: (p) => exact.get(p) ?? lower.get(p.toLowerCase()), close: async () => {} };
}

/** The fixture's files (zip content), with text replacements applied to named files. */
export function fixtureFiles(name: string, edits: Record<string, [string | RegExp, string][]> = {}): Map<string, Buffer> {
  const files = readTree(path.join(FIXTURES, name));
  for (const [p, reps] of Object.entries(edits)) {
    let t = files.get(p)!.toString("utf8");
    for (const [a, b] of reps) t = t.replace(a, b);
    files.set(p, Buffer.from(t, "utf8"));
  }
  return files;
}

/** Writes a zip the way the server does: customizations.xml, [Content_Types].xml, solution.xml, the rest. */
export async function writeServerZip(zipPath: string, files: Map<string, Buffer>): Promise<void> {
  const rest = [...files.keys()].filter((p) => p !== "customizations.xml" && p !== "solution.xml" && p !== "[Content_Types].xml").sort();
  const names = ["customizations.xml", "solution.xml", ...rest];
  const w = await ZipWriter.create(zipPath);
  w.add("customizations.xml", files.get("customizations.xml")!);
  w.add("[Content_Types].xml", contentTypes(names));
  w.add("solution.xml", files.get("solution.xml")!);
  for (const p of rest) w.add(p, files.get(p)!);
  await w.finish();
}

export async function readZip(zipPath: string): Promise<Map<string, Buffer>> {
  const z = await ZipReader.open(zipPath);
  try {
    const out = new Map<string, Buffer>();
    for (const e of z.entries) if (!e.isDirectory) out.set(e.name, await z.read(e));
    return out;
  } finally {
    await z.close();
  }
}

export interface Figures {
  identical: number;
  equivalent: number;
  "equivalent-unordered": number;
  different: number;
  missing: string[];
  extra: string[];
  notIdentical: string[];
}

/** Compares two sets of files: bytes first, XML structurally (xmlequiv.ts), anything else by bytes. */
export function compareFiles(expected: Map<string, Buffer>, actual: Map<string, Buffer>, opts: { isXml?: (p: string) => boolean } = {}): Figures {
  const isXml = opts.isXml ?? ((p: string) => /\.(xml|xaml)$/i.test(p));
  const f: Figures = { identical: 0, equivalent: 0, "equivalent-unordered": 0, different: 0, missing: [], extra: [], notIdentical: [] };
  for (const [p, a] of expected) {
    const b = actual.get(p);
    if (!b) {
      f.missing.push(p);
      continue;
    }
    let v: Verdict;
    if (a.equals(b)) v = "identical";
    else if (isXml(p)) v = compareXml(a, b);
    else v = "different";
    f[v]++;
    if (v !== "identical") f.notIdentical.push(`${p} (${v})`);
  }
  for (const p of actual.keys()) if (!expected.has(p)) f.extra.push(p);
  return f;
}

export function summary(f: Figures): string {
  return `identical ${f.identical}, equivalent ${f.equivalent}, equivalent-unordered ${f["equivalent-unordered"]}, different ${f.different}, missing ${f.missing.length}, extra ${f.extra.length}`;
}

/**
 * What [Content_Types].xml says of each entry: the Override for its part name, else the Default for its
 * extension (Open Packaging Conventions). Zips differ in how they say it (SolutionPackager adds
 * Overrides for files that have an extension), so tests compare this, not the declarations.
 */
export function resolvedContentTypes(ct: Buffer, entries: string[]): Record<string, string | null> {
  const t = ct.toString("utf8");
  const defaults = new Map<string, string>();
  const overrides = new Map<string, string>();
  for (const m of t.matchAll(/<Default\s+Extension="([^"]*)"\s+ContentType="([^"]*)"\s*\/>/g)) defaults.set(m[1]!.toLowerCase(), m[2]!);
  for (const m of t.matchAll(/<Override\s+PartName="([^"]*)"\s+ContentType="([^"]*)"\s*\/>/g)) overrides.set(m[1]!.toLowerCase(), m[2]!);
  const out: Record<string, string | null> = {};
  for (const e of entries) {
    if (e === "[Content_Types].xml") continue;
    const base = e.slice(e.lastIndexOf("/") + 1);
    const dot = base.lastIndexOf(".");
    out[e] = overrides.get(("/" + e).toLowerCase()) ?? (dot > 0 ? defaults.get(base.slice(dot + 1).toLowerCase()) ?? null : null);
  }
  return out;
}
