/**
 * Unpack and pack as plans: a list of output files, computed from the source, then written by
 * src/io (or src/layout/incremental.ts). Splitters do the per-component work; what no splitter
 * claims passes through at the same path.
 *
 * Unpack writes SolutionPackager's folder: Other/Solution.xml and Other/Customizations.xml with a
 * UTF-8 BOM and an XML declaration, every component kind in its folder (see SPLITTERS), `_managed`
 * twins for a managed zip (and for both zips unpacked together).
 * Pack writes the server's zip: customizations.xml, [Content_Types].xml, solution.xml, then the
 * components; customizations.xml and solution.xml without BOM and declaration (as exported), sections
 * of customizations.xml in schema order, <Managed> 0 or 1.
 */
import { DvsolError } from "../errors.js";
import { XmlEditor } from "../xml/edit.js";
import { encodeXmlText, findElements, parseXml, parseXmlBytes, type XmlDocument, type XmlElement } from "../xml/parse.js";
import { escapeAttr } from "../xml/edit.js";
import { attr, elements } from "../xml/dom.js";
import { FOLDER_CUSTOMIZATIONS, FOLDER_MANIFEST, ZIP_CUSTOMIZATIONS, ZIP_MANIFEST, missingManifestError } from "../model/read.js";
import { isHiddenPath, type SolutionFile, type SolutionSource } from "../solution/source.js";
import type { Finding } from "../findings/types.js";
import { finding } from "../findings/catalog.js";
import type { LayoutContext, LayoutOptions, OutContent, Splitter } from "./types.js";
import { pluginSplitter } from "./plugins.js";
import { entitySplitter } from "./entities.js";
import { relationshipSplitter } from "./relationships.js";
import { reportSplitter } from "./reports.js";
import {
  appModuleKind,
  appModuleSiteMapKind,
  canvasAppKind,
  connectorKind,
  customControlKind,
  dashboardKind,
  elementSplitter,
  entityDataProviderKind,
  entityMapsSplitter,
  fieldSecuritySplitter,
  optionSetKind,
  roleKind,
  webResourceKind,
  workflowKind,
} from "./components.js";
import { checkFolderType, checkZipType, isTwinKind, managedValue, mergeBothFiles, twinPath, variantView, withManaged, type Variant } from "./packagetype.js";
import { childValue, XML_DECL } from "./docs.js";
import { SECTION_ORDER } from "./order.js";
import type { MapResolver } from "./map.js";
import { describeDirective } from "./map.js";
import "./findings.js";

export const CONTENT_TYPES = "[Content_Types].xml";

/**
 * The splitters, in the order they run: the order of their sections in customizations.xml, so that
 * sections a folder lacks are created in schema order.
 */
export const SPLITTERS: Splitter[] = [
  entitySplitter,
  elementSplitter(roleKind),
  elementSplitter(workflowKind),
  fieldSecuritySplitter,
  entityMapsSplitter,
  relationshipSplitter,
  elementSplitter(optionSetKind),
  reportSplitter,
  elementSplitter(dashboardKind),
  elementSplitter(webResourceKind),
  elementSplitter(customControlKind),
  pluginSplitter,
  elementSplitter(appModuleSiteMapKind),
  elementSplitter(appModuleKind),
  elementSplitter(entityDataProviderKind),
  elementSplitter(canvasAppKind),
  elementSplitter(connectorKind),
];

export interface OutFile {
  path: string;
  content: OutContent;
}

export interface LayoutPlan {
  files: OutFile[];
  findings: Finding[];
}

/** Extra inputs of a run that splitters do not see directly. */
export interface PlanExtras {
  /** The map file (pack: where files come from; unpack: files not to write). */
  map?: MapResolver;
}

async function parseSourceDoc(source: SolutionSource, p: string, missingCode: "SOLUTION_MISSING_MANIFEST" | "SOLUTION_MISSING_CUSTOMIZATIONS"): Promise<{ path: string; doc: XmlDocument; bytes: Buffer }> {
  const f = source.find(p);
  if (!f && missingCode === "SOLUTION_MISSING_MANIFEST") throw missingManifestError(source);
  if (!f) {
    throw new DvsolError(missingCode, `${p} is missing from ${source.location}`, {
      file: source.location,
      hint: source.form === "folder" ? "An unpacked solution folder holds Other/Solution.xml and Other/Customizations.xml." : "A solution zip holds solution.xml and customizations.xml at its root.",
    });
  }
  const bytes = await f.read();
  return { path: f.path, bytes, doc: parseXmlBytes(bytes, { file: source.location, entry: f.path }) };
}

interface Expected {
  entry: string;
  treePath: string;
  component: string;
}

function makeContext(
  source: SolutionSource,
  cust: XmlDocument,
  options: LayoutOptions,
  out: Map<string, OutContent>,
  claimed: Set<string>,
  findings: Finding[],
  resolve: (p: string) => SolutionFile | undefined,
  expected: Expected[],
): LayoutContext {
  const outLower = new Map<string, string>();
  return {
    source,
    cust,
    custEditor: new XmlEditor(cust),
    claim: (p) => claimed.add(p),
    emit: (p, c) => {
      const k = p.toLowerCase();
      if (out.has(p) || outLower.has(k)) {
        throw new DvsolError("SOLUTION_DUPLICATE_ID", `two components would both be written to ${p}${outLower.get(k) !== p && outLower.has(k) ? ` (and ${outLower.get(k)})` : ""}`, { file: source.location, entry: p });
      }
      out.set(p, c);
      outLower.set(k, p);
    },
    read: async (p) => {
      const f = source.get(p) ?? source.find(p);
      if (!f) throw new Error(`internal: ${p} is not in the source`);
      return f.read();
    },
    report: (f) => findings.push(f),
    options,
    resolve,
    expect: (entry, treePath, component) => expected.push({ entry, treePath, component }),
  };
}

/** A folder's XML in SolutionPackager's form: UTF-8 BOM and XML declaration. */
function packagerForm(doc: XmlDocument, text: string): Buffer {
  if (doc.encoding !== "utf-8" || text.startsWith("<?xml")) return encodeXmlText(text, doc.encoding, doc.bom);
  return encodeXmlText(XML_DECL + doc.eol + text, "utf-8", true);
}

const STD_DECL = /^<\?xml version=(["'])1\.0\1 encoding=(["'])utf-8\2\s*\?>(\r?\n)?/i;

/**
 * A zip's XML in the server's form: the BOM and standard declaration that unpack adds (SolutionPackager's
 * form) are taken off again; a file that has only one of the two keeps its text as it is, so that a
 * folder round-trips byte for byte.
 */
function serverForm(doc: XmlDocument, text: string): Buffer {
  if (doc.encoding !== "utf-8") return encodeXmlText(text, doc.encoding, doc.bom);
  const m = STD_DECL.exec(text);
  if (!m || !doc.bom) return encodeXmlText(text, "utf-8", doc.bom);
  return encodeXmlText(text.slice(m[0].length), "utf-8", false);
}

interface RawUnpack {
  files: Map<string, OutContent>;
  findings: Finding[];
  variant: Variant;
  uniqueName: string | undefined;
}

async function unpackRaw(source: SolutionSource, requested: string | undefined): Promise<RawUnpack> {
  const manifest = await parseSourceDoc(source, ZIP_MANIFEST, "SOLUTION_MISSING_MANIFEST");
  const variant = checkZipType(requested, managedValue(manifest.doc), source.location);
  const cust = await parseSourceDoc(source, ZIP_CUSTOMIZATIONS, "SOLUTION_MISSING_CUSTOMIZATIONS");
  const out = new Map<string, OutContent>();
  const claimed = new Set<string>([manifest.path, cust.path]);
  const findings: Finding[] = [];
  const ctx = makeContext(source, cust.doc, { packageType: variant }, out, claimed, findings, (p) => source.get(p) ?? source.find(p), []);
  for (const s of SPLITTERS) await s.split(ctx);
  out.set(FOLDER_MANIFEST, packagerForm(manifest.doc, manifest.doc.text));
  out.set(FOLDER_CUSTOMIZATIONS, packagerForm(cust.doc, ctx.custEditor.result()));
  for (const f of source.files) {
    if (claimed.has(f.path) || f.path === CONTENT_TYPES) continue;
    if (out.has(f.path)) continue;
    out.set(f.path, { from: f });
  }
  return { files: out, findings, variant, uniqueName: childValue(elements(manifest.doc.root, "SolutionManifest")[0] ?? manifest.doc.root, "UniqueName") };
}

function finishUnpack(files: Map<string, OutContent>, findings: Finding[], extras: PlanExtras): LayoutPlan {
  const list: OutFile[] = [];
  for (const [path, content] of files) {
    const d = extras.map && !Buffer.isBuffer(content) ? extras.map.matches(path) : undefined;
    if (d) {
      findings.push(finding("LAYOUT_MAPPED_NOT_WRITTEN", { path, directive: describeDirective(d) }, { location: { entry: path } }));
      continue;
    }
    list.push({ path, content });
  }
  list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: list, findings };
}

/** zip -> SolutionPackager folder (unmanaged or managed, read from the zip unless asked). */
export async function planUnpack(source: SolutionSource, options: LayoutOptions | { packageType?: LayoutOptions["packageType"] }, extras: PlanExtras = {}): Promise<LayoutPlan> {
  if (options.packageType === "both") {
    throw new DvsolError("USAGE_BAD_OPTION", `unpacking both package types needs the unmanaged and the managed zip`, {
      file: source.location,
      hint: "Use planUnpackBoth (CLI: dvsol unpack Name.zip <folder> --packagetype both, with Name_managed.zip next to Name.zip).",
    });
  }
  const raw = await unpackRaw(source, options.packageType);
  let files = raw.files;
  if (raw.variant === "managed") {
    // A managed zip alone: the kinds that differ between managed and unmanaged get their _managed name.
    files = new Map([...raw.files].map(([p, c]) => [isTwinKind(p) ? twinPath(p) : p, c] as [string, OutContent]));
  }
  return finishUnpack(files, raw.findings, extras);
}

/** Name.zip + Name_managed.zip -> one folder (Managed 2, `_managed` twins where they differ). */
export async function planUnpackBoth(unmanaged: SolutionSource, managed: SolutionSource, extras: PlanExtras = {}): Promise<LayoutPlan> {
  const u = await unpackRaw(unmanaged, "unmanaged");
  const m = await unpackRaw(managed, "managed");
  if (u.uniqueName !== m.uniqueName) {
    throw new DvsolError("SOLUTION_PACKAGE_TYPE", `${unmanaged.location} holds solution ${u.uniqueName} but ${managed.location} holds ${m.uniqueName}; both zips must be exports of the same solution`, {
      file: managed.location,
    });
  }
  const files = await mergeBothFiles(u.files, m.files, FOLDER_MANIFEST, unmanaged.location);
  return finishUnpack(files, [...u.findings, ...m.findings], extras);
}

/** SolutionPackager folder -> zip entries in server order (one package type). */
export async function planPack(source: SolutionSource, options: LayoutOptions | { packageType?: LayoutOptions["packageType"] }, extras: PlanExtras = {}): Promise<LayoutPlan> {
  const all = await planPackAll(source, options, extras);
  if (all.length !== 1) {
    throw new DvsolError("USAGE_BAD_OPTION", `packing both package types gives two zips; use planPackAll`, { file: source.location });
  }
  return all[0]!.plan;
}

/** SolutionPackager folder -> one plan per package type asked for (two for "both"). */
export async function planPackAll(source: SolutionSource, options: LayoutOptions | { packageType?: LayoutOptions["packageType"] }, extras: PlanExtras = {}): Promise<{ variant: Variant; plan: LayoutPlan }[]> {
  const manifest = await parseSourceDoc(source, FOLDER_MANIFEST, "SOLUTION_MISSING_MANIFEST");
  const folderManaged = managedValue(manifest.doc);
  const variants = checkFolderType(options.packageType, folderManaged, source.location);
  const out: { variant: Variant; plan: LayoutPlan }[] = [];
  const seenFindings = new Set<string>();
  for (const v of variants) {
    const plan = await packVariant(source, v, folderManaged, extras);
    // Findings about the folder are the same for both zips: report them once.
    plan.findings = plan.findings.filter((f) => {
      const k = JSON.stringify([f.code, f.args, f.location]);
      if (seenFindings.has(k)) return false;
      seenFindings.add(k);
      return true;
    });
    out.push({ variant: v, plan });
  }
  if (extras.map) out[out.length - 1]!.plan.findings.push(...extras.map.unused());
  return out;
}

async function packVariant(tree: SolutionSource, variant: Variant, folderManaged: string | undefined, extras: PlanExtras): Promise<LayoutPlan> {
  // The folder as this package type sees it: `_managed` twins stand in for their files, or are hidden.
  const { view: source } = variantView(tree, variant, folderManaged);
  const manifest = await parseSourceDoc(source, FOLDER_MANIFEST, "SOLUTION_MISSING_MANIFEST");
  const cust = await parseSourceDoc(source, FOLDER_CUSTOMIZATIONS, "SOLUTION_MISSING_CUSTOMIZATIONS");
  const out = new Map<string, OutContent>();
  const claimed = new Set<string>([manifest.path, cust.path]);
  const findings: Finding[] = [];
  const expected: Expected[] = [];
  const resolve = (p: string): SolutionFile | undefined => extras.map?.resolve(p) ?? source.get(p) ?? source.find(p);
  const ctx = makeContext(source, cust.doc, { packageType: variant }, out, claimed, findings, resolve, expected);
  for (const s of SPLITTERS) await s.merge(ctx);
  for (const f of source.files) {
    if (claimed.has(f.path) || out.has(f.path)) continue;
    if (f.path === CONTENT_TYPES) continue; // regenerated below
    if (isHiddenPath(f.path)) {
      findings.push(finding("LAYOUT_IGNORED_FILE", { path: f.path, reason: "hidden files are not part of a solution" }, { location: { file: tree.location, entry: f.path } }));
      continue;
    }
    out.set(f.path, { from: resolve(f.path) ?? f });
  }

  // customizations.xml as packed: parsed again (a broken splice would be caught here, not by Dataverse).
  let custText = ctx.custEditor.result();
  // (with the document's own encoding: a UTF-16 customizations.xml declares utf-16 and must read back as such)
  let finalDoc = parseXml(custText, { file: tree.location, entry: ZIP_CUSTOMIZATIONS }, {}, cust.doc.bom, cust.doc.encoding);
  const reordered = reorderSections(finalDoc);
  if (reordered) {
    custText = reordered.text;
    findings.push(finding("LAYOUT_SECTIONS_REORDERED", { section: reordered.moved }, { location: { file: tree.location, entry: FOLDER_CUSTOMIZATIONS } }));
    finalDoc = parseXml(custText, { file: tree.location, entry: ZIP_CUSTOMIZATIONS }, {}, cust.doc.bom, cust.doc.encoding);
  }
  checkReferences(finalDoc, out, source, resolve, expected, findings, tree.location);

  let manifestText = manifest.doc.text;
  if (folderManaged === "2") manifestText = withManaged(manifest.doc, variant === "managed" ? "1" : "0");
  const custBytes = serverForm(cust.doc, custText);
  const manifestBytes = serverForm(manifest.doc, manifestText);
  const components = [...out.entries()].map(([path, content]) => ({ path, content })).sort(componentOrder);
  const names = [ZIP_CUSTOMIZATIONS, ZIP_MANIFEST, ...components.map((c) => c.path)];
  const files: OutFile[] = [
    { path: ZIP_CUSTOMIZATIONS, content: custBytes },
    { path: CONTENT_TYPES, content: contentTypes(names) },
    { path: ZIP_MANIFEST, content: manifestBytes },
    ...components,
  ];
  return { files, findings };
}

/** Elements that name a file of the zip, by parent element. */
const REFERENCES: Record<string, readonly string[]> = {
  PluginAssembly: ["FileName"],
  WebResource: ["FileName"],
  CustomControl: ["FileName"],
  Workflow: ["XamlFileName", "JsonFileName"],
  Report: ["ExportedFileName"],
  CanvasApp: ["DocumentUri", "BackgroundImageUri"],
  Connector: ["openapidefinition", "connectionparameters", "policytemplateinstances", "iconblob"],
  procedure: ["file"],
};

const REFERENCING: ReadonlySet<string> = new Set([...Object.keys(REFERENCES), "FormulaDefinitionFileName"]);

function describe(el: XmlElement): string {
  const n = attr(el, "FullName") ?? attr(el, "Name") ?? attr(el, "name") ?? childValue(el, "Name") ?? childValue(el, "name") ?? childValue(el, "UniqueName");
  const kind: Record<string, string> = {
    PluginAssembly: "plug-in assembly",
    WebResource: "web resource",
    CustomControl: "custom control",
    Workflow: "workflow",
    Report: "report",
    CanvasApp: "canvas app",
    Connector: "custom connector",
    procedure: "stored procedure",
    attribute: "formula column",
  };
  return `${kind[el.name] ?? el.name}${n ? ` ${n.split(",")[0]}` : ""}`;
}

/** Every file customizations.xml names must be in the zip: supplied by the map, or reported. */
function checkReferences(doc: XmlDocument, out: Map<string, OutContent>, source: SolutionSource, resolve: (p: string) => SolutionFile | undefined, expected: Expected[], findings: Finding[], location: string): void {
  const have = new Set([...out.keys()].map((k) => k.toLowerCase()));
  const reported = new Set<string>();
  for (const e of expected) {
    if (have.has(e.entry.toLowerCase()) || reported.has(e.entry.toLowerCase())) continue;
    reported.add(e.entry.toLowerCase());
    findings.push(finding("LAYOUT_MISSING_FILE", { component: e.component, entry: e.entry, path: e.treePath }, { location: { file: location, entry: e.treePath } }));
  }
  // Only the elements that name files (found in the parser's tables: the rest of the document is never built).
  for (const el of findElements(doc.root, REFERENCING)) {
    const names = el.name === "FormulaDefinitionFileName" ? [""] : REFERENCES[el.name];
    if (!names) continue;
    const refs: XmlElement[] = el.name === "FormulaDefinitionFileName" ? [el] : elements(el).filter((c) => names.includes(c.name));
    for (const r of refs) {
      let v = "";
      for (const c of r.children) if (c.type === "text") v += c.value;
      v = v.trim();
      if (!v.startsWith("/")) continue;
      const entry = v.replace(/^\/+/, "");
      const k = entry.toLowerCase();
      if (!entry || have.has(k) || reported.has(k)) continue;
      // Where the folder keeps it: the same path, except formulas, which live in their table's folder.
      let treePath = entry;
      if (el.name === "FormulaDefinitionFileName") {
        let t: XmlElement | null = el.parent;
        while (t && t.name !== "Entity") t = t.parent;
        const table = t ? childValue(t, "Name") : undefined;
        if (table) treePath = `Entities/${table}/Formulas/${entry.slice(entry.lastIndexOf("/") + 1)}`;
      }
      const f = resolve(treePath);
      if (f) {
        out.set(entry, { from: f });
        have.add(k);
        continue;
      }
      reported.add(k);
      const owner = el.name === "FormulaDefinitionFileName" ? (el.parent ?? el) : el;
      const canvasSrc = /^CanvasApps\/(.+)\.msapp$/i.exec(entry);
      const srcFolder = canvasSrc ? `CanvasApps/${canvasSrc[1]}_msapp_src/` : "";
      if (canvasSrc && source.files.some((f) => f.path.startsWith(srcFolder))) {
        findings.push(finding("LAYOUT_CANVAS_SOURCE", { app: describe(owner).replace(/^canvas app /, ""), folder: srcFolder, entry }, { location: { file: location, entry: srcFolder } }));
        continue;
      }
      findings.push(finding("LAYOUT_MISSING_FILE", { component: describe(owner), entry, path: treePath }, { location: { file: location, entry: treePath } }));
    }
  }
}

/**
 * Sections of customizations.xml in schema order. Sections dvsol does not know keep their place
 * after the known section they follow. Returns null when the order is right already.
 */
export function reorderSections(doc: XmlDocument): { text: string; moved: string } | null {
  const kids = elements(doc.root);
  const rank = (e: XmlElement): number => SECTION_ORDER.indexOf(e.name);
  let last = -1;
  let bad: string | null = null;
  for (const k of kids) {
    const r = rank(k);
    if (r < 0) continue;
    if (r < last) {
      bad = k.name;
      break;
    }
    last = r;
  }
  if (!bad) return null;
  // Chunks: each known section with the unknown ones that follow it, each with its leading whitespace.
  interface Chunk {
    rank: number;
    seq: number;
    text: string;
  }
  const chunks: Chunk[] = [];
  const s = doc.text;
  let prevEnd = doc.root.openEnd;
  let lead: Chunk | null = null;
  kids.forEach((k, i) => {
    const text = s.slice(prevEnd, k.end);
    prevEnd = k.end;
    const r = rank(k);
    if (r >= 0 || !lead) {
      lead = { rank: r >= 0 ? r : -1, seq: i, text };
      chunks.push(lead);
    } else lead.text += text;
  });
  chunks.sort((a, b) => a.rank - b.rank || a.seq - b.seq);
  const text = s.slice(0, doc.root.openEnd) + chunks.map((c) => c.text).join("") + s.slice(prevEnd);
  return { text, moved: bad };
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
