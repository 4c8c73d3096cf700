/**
 * Unpack and pack as plans: a list of output files, computed from the source, then written by
 * src/io. Splitters (./plugins.ts, and the full SolutionPackager set) do the per-component work.
 */
import { DvsolError } from "../errors.js";
import { XmlEditor } from "../xml/edit.js";
import { encodeXmlText, parseXmlBytes, type XmlDocument } from "../xml/parse.js";
import { escapeAttr } from "../xml/edit.js";
import { FOLDER_CUSTOMIZATIONS, FOLDER_MANIFEST, ZIP_CUSTOMIZATIONS, ZIP_MANIFEST } from "../model/read.js";
import type { SolutionSource } from "../solution/source.js";
import type { Finding } from "../findings/types.js";
import type { LayoutContext, LayoutOptions, OutContent, Splitter } from "./types.js";
import { pluginSplitter } from "./plugins.js";

export const CONTENT_TYPES = "[Content_Types].xml";

/** The splitters, in the order they run. The full SolutionPackager set registers here. */
export const SPLITTERS: Splitter[] = [pluginSplitter];

export interface OutFile {
  path: string;
  content: OutContent;
}

export interface LayoutPlan {
  files: OutFile[];
  findings: Finding[];
}

async function parseSourceDoc(source: SolutionSource, p: string, missingCode: "SOLUTION_MISSING_MANIFEST" | "SOLUTION_MISSING_CUSTOMIZATIONS"): Promise<{ path: string; doc: XmlDocument }> {
  const f = source.find(p);
  if (!f) {
    throw new DvsolError(missingCode, `${p} is missing from ${source.location}`, {
      file: source.location,
      hint: source.form === "folder" ? "An unpacked solution folder holds Other/Solution.xml and Other/Customizations.xml." : "A solution zip holds solution.xml and customizations.xml at its root.",
    });
  }
  const bytes = await f.read();
  return { path: f.path, doc: parseXmlBytes(bytes, { file: source.location, entry: f.path }) };
}

function makeContext(source: SolutionSource, cust: XmlDocument, options: LayoutOptions, out: Map<string, OutContent>, claimed: Set<string>, findings: Finding[]): LayoutContext {
  return {
    source,
    cust,
    custEditor: new XmlEditor(cust),
    claim: (p) => claimed.add(p),
    emit: (p, c) => {
      if (out.has(p)) throw new DvsolError("SOLUTION_DUPLICATE_ID", `two components would both be written to ${p}`, { file: source.location, entry: p });
      out.set(p, c);
    },
    read: async (p) => {
      const f = source.get(p) ?? source.find(p);
      if (!f) throw new Error(`internal: ${p} is not in the source`);
      return f.read();
    },
    report: (f) => findings.push(f),
    options,
  };
}

/** zip -> SolutionPackager folder. */
export async function planUnpack(source: SolutionSource, options: LayoutOptions): Promise<LayoutPlan> {
  const manifest = await parseSourceDoc(source, ZIP_MANIFEST, "SOLUTION_MISSING_MANIFEST");
  const cust = await parseSourceDoc(source, ZIP_CUSTOMIZATIONS, "SOLUTION_MISSING_CUSTOMIZATIONS");
  const out = new Map<string, OutContent>();
  const claimed = new Set<string>([manifest.path, cust.path]);
  const findings: Finding[] = [];
  const ctx = makeContext(source, cust.doc, options, out, claimed, findings);
  for (const s of SPLITTERS) await s.split(ctx);
  const manifestFile = source.find(manifest.path)!;
  out.set(FOLDER_MANIFEST, { from: manifestFile });
  out.set(FOLDER_CUSTOMIZATIONS, encodeXmlText(ctx.custEditor.result(), cust.doc.encoding, cust.doc.bom));
  for (const f of source.files) {
    if (claimed.has(f.path) || f.path === CONTENT_TYPES) continue;
    if (out.has(f.path)) continue;
    out.set(f.path, { from: f });
  }
  const files = [...out.entries()].map(([path, content]) => ({ path, content })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, findings };
}

/** SolutionPackager folder -> zip entries in server order. */
export async function planPack(source: SolutionSource, options: LayoutOptions): Promise<LayoutPlan> {
  const manifest = await parseSourceDoc(source, FOLDER_MANIFEST, "SOLUTION_MISSING_MANIFEST");
  const cust = await parseSourceDoc(source, FOLDER_CUSTOMIZATIONS, "SOLUTION_MISSING_CUSTOMIZATIONS");
  const out = new Map<string, OutContent>();
  const claimed = new Set<string>([manifest.path, cust.path]);
  const findings: Finding[] = [];
  const ctx = makeContext(source, cust.doc, options, out, claimed, findings);
  for (const s of SPLITTERS) await s.merge(ctx);
  for (const f of source.files) {
    if (claimed.has(f.path) || out.has(f.path)) continue;
    if (f.path === CONTENT_TYPES) continue; // regenerated below
    out.set(f.path, { from: f });
  }
  const components = [...out.entries()].map(([path, content]) => ({ path, content })).sort(componentOrder);
  const custBytes = encodeXmlText(ctx.custEditor.result(), cust.doc.encoding, cust.doc.bom);
  const manifestFile = source.find(manifest.path)!;
  const names = [ZIP_CUSTOMIZATIONS, ZIP_MANIFEST, ...components.map((c) => c.path)];
  const files: OutFile[] = [
    { path: ZIP_CUSTOMIZATIONS, content: custBytes },
    { path: CONTENT_TYPES, content: contentTypes(names) },
    { path: ZIP_MANIFEST, content: { from: manifestFile } },
    ...components,
  ];
  return { files, findings };
}

/** Where components go in a zip: the server's grouping, then path order. */
const GROUP_ORDER = [
  "", // root files (filteredcomponents.xml, ...)
  "formulas/",
  "workflows/",
  "webresources/",
  "controls/",
  "pluginassemblies/",
  "pluginpackages/",
  "canvasapps/",
  "connector/",
  "connectors/",
  "appactions/",
  "customapis/",
  "environmentvariabledefinitions/",
  "environmentvariablevalues/",
];

function groupOf(p: string): number {
  const slash = p.indexOf("/");
  const g = slash < 0 ? "" : p.slice(0, slash + 1).toLowerCase();
  const i = GROUP_ORDER.indexOf(g);
  return i < 0 ? GROUP_ORDER.length : i;
}

function componentOrder(a: OutFile, b: OutFile): number {
  return groupOf(a.path) - groupOf(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * [Content_Types].xml as the server writes it: one line, UTF-8 BOM, one Default per extension in order
 * of first appearance (case kept), one Override per entry without an extension.
 */
export function contentTypes(entryNames: string[]): Buffer {
  const defaults: string[] = [];
  const seen = new Set<string>();
  const overrides: string[] = [];
  for (const n of entryNames) {
    const base = n.slice(n.lastIndexOf("/") + 1);
    const dot = base.lastIndexOf(".");
    if (dot > 0 && dot < base.length - 1) {
      const ext = base.slice(dot + 1);
      if (!seen.has(ext.toLowerCase())) {
        seen.add(ext.toLowerCase());
        defaults.push(`<Default Extension="${escapeAttr(ext)}" ContentType="application/octet-stream" />`);
      }
    } else {
      overrides.push(`<Override PartName="/${escapeAttr(n)}" ContentType="application/octet-stream" />`);
    }
  }
  const xml =
    '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    defaults.join("") +
    overrides.join("") +
    "</Types>";
  return encodeXmlText(xml, "utf-8", true);
}
