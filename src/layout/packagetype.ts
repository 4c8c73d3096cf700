/**
 * Managed, unmanaged and both, the way SolutionPackager does it:
 * - A zip says what it is in solution.xml <Managed> (0 unmanaged, 1 managed). A folder made from both
 *   zips says 2, and keeps the files that differ twice: `X.xml` (unmanaged) and `X_managed.xml` (managed).
 * - Forms, app modules and app site maps always get the `_managed` twin from a managed zip (the CoE,
 *   devkeydet, bguidinger and WaelHamze trees show it even where both are identical); other files get
 *   one only when the two zips differ. Plug-in XML never differs, so it never gets twins.
 * - Pack picks the twin for the package type asked for.
 */
import { childPath } from "../xml/dom.js";
import { applyEdits } from "../xml/edit.js";
import { encodeXmlText, parseXmlBytes, type XmlDocument } from "../xml/parse.js";
import { DvsolError } from "../errors.js";
import type { SolutionFile, SolutionSource } from "../solution/source.js";
import type { OutContent } from "./types.js";

export type Variant = "unmanaged" | "managed";

/** Paths whose managed form always has its own file. */
const TWIN_KIND = [/^Entities\/[^/]+\/FormXml\/[^/]+\/[^/]+\.xml$/, /^AppModules\/[^/]+\/AppModule\.xml$/, /^AppModuleSiteMaps\/[^/]+\/AppModuleSiteMap\.xml$/];

export function isTwinKind(p: string): boolean {
  return TWIN_KIND.some((r) => r.test(p));
}

/** `a/b/{id}.xml` -> `a/b/{id}_managed.xml`; `a/b/name` -> `a/b/name_managed`. */
export function twinPath(p: string): string {
  const slash = p.lastIndexOf("/");
  const dot = p.lastIndexOf(".");
  if (dot > slash + 1) return `${p.slice(0, dot)}_managed${p.slice(dot)}`;
  return `${p}_managed`;
}

/** The path a `_managed` twin stands for, or null. */
export function untwinPath(p: string): string | null {
  const slash = p.lastIndexOf("/");
  const base = p.slice(slash + 1);
  const m = /^(.+)_managed(\.[^.]*)?$/.exec(base);
  if (!m) return null;
  return p.slice(0, slash + 1) + m[1] + (m[2] ?? "");
}

/** The <Managed> value of a solution.xml ("0", "1", "2"), or undefined. */
export function managedValue(doc: XmlDocument): string | undefined {
  const el = childPath(doc.root, "SolutionManifest", "Managed");
  if (!el) return undefined;
  let t = "";
  for (const c of el.children) if (c.type === "text") t += c.value;
  return t.trim();
}

/** The manifest text with <Managed> set to `value` (a splice; nothing else changes). */
export function withManaged(doc: XmlDocument, value: string): string {
  const el = childPath(doc.root, "SolutionManifest", "Managed");
  if (!el) return doc.text;
  if (el.selfClosing) {
    const open = doc.text.slice(el.start, el.openEnd).replace(/\s*\/>$/, ">");
    return applyEdits(doc.text, [{ start: el.start, end: el.end, text: `${open}${value}</Managed>` }]);
  }
  return applyEdits(doc.text, [{ start: el.openEnd, end: el.closeStart, text: value }]);
}

const TYPE_OF: Record<string, Variant> = { "0": "unmanaged", "1": "managed" };

const article = (w: string): string => (/^[aeiou]/.test(w) ? "an" : "a");

/** What a zip is; an explicit request that does not match is an error. */
export function checkZipType(requested: string | undefined, managed: string | undefined, location: string): Variant {
  const actual = managed !== undefined ? TYPE_OF[managed] : undefined;
  if (!actual) {
    throw new DvsolError("SOLUTION_BAD_MANIFEST", `solution.xml has <Managed>${managed ?? ""}</Managed>; a solution zip says 0 (unmanaged) or 1 (managed)`, { file: location, entry: "solution.xml" });
  }
  if (requested && requested !== "both" && requested !== actual) {
    throw new DvsolError("SOLUTION_PACKAGE_TYPE", `${location} is ${article(actual)} ${actual} solution (solution.xml <Managed>${managed}</Managed>), not ${requested}`, {
      file: location,
      hint: `Pass --packagetype ${actual}, or leave the option out: unpack reads the type from the zip.`,
    });
  }
  return actual;
}

/** Which zips a folder can give; an explicit request that does not match is an error. */
export function checkFolderType(requested: string | undefined, managed: string | undefined, location: string): Variant[] {
  const holds = managed === "2" ? "both" : managed !== undefined ? TYPE_OF[managed] : undefined;
  if (!holds) {
    throw new DvsolError("SOLUTION_BAD_MANIFEST", `Other/Solution.xml has <Managed>${managed ?? ""}</Managed>; an unpacked folder says 0 (unmanaged), 1 (managed) or 2 (both)`, {
      file: location,
      entry: "Other/Solution.xml",
    });
  }
  if (!requested) return holds === "both" ? ["unmanaged"] : [holds];
  if (holds === "both") return requested === "both" ? ["unmanaged", "managed"] : [requested as Variant];
  if (requested !== holds) {
    throw new DvsolError("SOLUTION_PACKAGE_TYPE", `${location} holds ${article(holds)} ${holds} solution only (Other/Solution.xml <Managed>${managed}</Managed>); it cannot be packed as ${requested}`, {
      file: location,
      hint:
        requested === "both"
          ? "To pack both, unpack both zips into the folder first: dvsol unpack Name.zip <folder> --packagetype both (Name_managed.zip next to it)."
          : `Pass --packagetype ${holds}, or leave the option out. Dataverse cannot turn one type into the other: export the solution again as ${requested}.`,
    });
  }
  return [holds];
}

/**
 * The folder as one package type sees it: for managed, `X_managed.ext` stands in for `X.ext`; for
 * unmanaged, twins are hidden. In a folder of one type only the twin kinds are considered.
 */
export function variantView(source: SolutionSource, variant: Variant, folderManaged: string | undefined): { view: SolutionSource; hidden: string[] } {
  const both = folderManaged === "2";
  const byLower = new Map<string, SolutionFile>();
  for (const f of source.files) byLower.set(f.path.toLowerCase(), f);
  const isTwin = (f: SolutionFile): string | null => {
    const u = untwinPath(f.path);
    if (!u) return null;
    if (isTwinKind(u)) return u;
    if (both && byLower.has(u.toLowerCase())) return u;
    return null;
  };
  const replaced = new Map<string, SolutionFile>(); // lower(plain) -> twin
  const hidden: string[] = [];
  for (const f of source.files) {
    const u = isTwin(f);
    if (!u) continue;
    hidden.push(f.path);
    if (variant === "managed") replaced.set(u.toLowerCase(), f);
  }
  if (hidden.length === 0 && !(both && variant === "managed")) return { view: source, hidden };
  const files: SolutionFile[] = [];
  const seen = new Set<string>();
  for (const f of source.files) {
    if (isTwin(f)) continue;
    // In a folder made from both zips, the twin kinds always have their managed file; one without it
    // is a form (app, site map) that only the unmanaged zip had (seen: P2CFieldService's work order forms).
    if (both && variant === "managed" && isTwinKind(f.path) && !replaced.has(f.path.toLowerCase())) {
      hidden.push(f.path);
      continue;
    }
    const r = replaced.get(f.path.toLowerCase());
    files.push(r ? renamed(r, f.path) : f);
    seen.add(f.path.toLowerCase());
  }
  for (const [plainLower, twin] of replaced) {
    if (seen.has(plainLower)) continue;
    files.push(renamed(twin, untwinPath(twin.path)!));
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const exact = new Map(files.map((f) => [f.path, f]));
  const lower = new Map<string, SolutionFile>();
  for (const f of files) if (!lower.has(f.path.toLowerCase())) lower.set(f.path.toLowerCase(), f);
  const view: SolutionSource = {
    form: source.form,
    location: source.location,
    files,
    get: (p) => exact.get(p),
    find: (p) => exact.get(p) ?? lower.get(p.toLowerCase()),
    zip: source.zip,
    close: () => source.close(),
  };
  return { view, hidden };
}

function renamed(f: SolutionFile, p: string): SolutionFile {
  return { ...f, path: p, read: () => f.read() };
}

/** A manifest (Buffer) with <Managed> set. */
export function manifestWithManaged(bytes: Buffer, value: string, where: { file: string; entry: string }): Buffer {
  const doc = parseXmlBytes(bytes, where);
  if (managedValue(doc) === value) return bytes;
  return encodeXmlText(withManaged(doc, value), doc.encoding, doc.bom);
}

export async function contentBytes(c: OutContent): Promise<Buffer> {
  return Buffer.isBuffer(c) ? c : c.from.read();
}

async function sameContent(a: OutContent, b: OutContent): Promise<boolean> {
  const sa = Buffer.isBuffer(a) ? a.length : a.from.size;
  const sb = Buffer.isBuffer(b) ? b.length : b.from.size;
  if (sa !== sb) return false;
  return (await contentBytes(a)).equals(await contentBytes(b));
}

/**
 * One folder from the unpacked unmanaged and managed zips: files that are the same once, the rest
 * as `X` (unmanaged) and `X_managed` (managed); Other/Solution.xml says <Managed>2</Managed>.
 */
export async function mergeBothFiles(unmanaged: Map<string, OutContent>, managed: Map<string, OutContent>, manifestPath: string, location: string): Promise<Map<string, OutContent>> {
  const out = new Map<string, OutContent>();
  const put = (p: string, c: OutContent): void => {
    if (out.has(p)) throw new DvsolError("SOLUTION_DUPLICATE_ID", `both ${p} and a twin would be written to ${p}`, { file: location, entry: p });
    out.set(p, c);
  };
  const paths = new Set([...unmanaged.keys(), ...managed.keys()]);
  for (const p of [...paths].sort()) {
    const u = unmanaged.get(p);
    const m = managed.get(p);
    if (p === manifestPath) {
      const ub = manifestWithManaged(await contentBytes(u!), "2", { file: location, entry: p });
      put(p, ub);
      if (m) {
        const mb = manifestWithManaged(await contentBytes(m), "2", { file: location, entry: p });
        if (!mb.equals(ub)) put(twinPath(p), mb);
      }
      continue;
    }
    if (isTwinKind(p)) {
      if (u) put(p, u);
      if (m) put(twinPath(p), m);
      continue;
    }
    if (u && m) {
      put(p, u);
      if (!(await sameContent(u, m))) put(twinPath(p), m);
    } else if (u) put(p, u);
    else if (m) put(twinPath(p), m);
  }
  return out;
}
