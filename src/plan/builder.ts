/**
 * PlanBuilder: collects the edits of one plan over the documents of a Solution, then turns them into
 * FileEdits. Insertions into lists (sections of customizations.xml, RootComponents, PluginTypes...) are
 * deferred to build(), so that several new elements for the same place land in their defined order
 * (steps by id, assemblies by FullName, root components by type then id) and a missing section is
 * created once, in the XSD order of the sections. Everything else is a direct splice (XmlEditor).
 */
import { attr, child, elements, indentUnit, lineIndent } from "../xml/dom.js";
import { XmlEditor, serializeElement, type ElementSpec } from "../xml/edit.js";
import { encodeXmlText, type XmlDocument, type XmlElement } from "../xml/parse.js";
import { FOLDER_CUSTOMIZATIONS, FOLDER_ENDPOINTS, isAssemblyDataFile, isStepFile } from "../model/read.js";
import { normId } from "../model/ids.js";
import type { ElementLoc, Solution } from "../model/types.js";
import type { Finding } from "../findings/types.js";
import type { Change, EditPlan, FileEdit } from "./types.js";

export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';

/**
 * Top-level sections of customizations.xml in the order of CustomizationsSolution.xsd, with the
 * sections newer exports add placed where real exports put them (checked over the corpus).
 */
export const SECTION_ORDER: readonly string[] = [
  "Entities",
  "Roles",
  "Workflows",
  "FieldSecurityProfiles",
  "Templates",
  "RibbonDiffXml",
  "IsvConfig",
  "RelationshipRoles",
  "ConnectionRoles",
  "SiteMap",
  "EntityImageConfigs",
  "AttributeImageConfigs",
  "EntityMaps",
  "EntityRelationships",
  "OrganizationSettings",
  "optionsets",
  "Reports",
  "Dashboards",
  "WebResources",
  "CustomControls",
  "SolutionPluginAssemblies",
  "SdkMessageProcessingSteps",
  "ServiceEndpoints",
  "AppModuleSiteMaps",
  "AppModules",
  "EntityDataProviders",
  "CanvasApps",
  "Connectors",
  "connectionreferences",
  "Languages",
];

/** How list members are ordered: the key of an existing element, compared as strings. */
export type KeyOf = (el: XmlElement) => string | null;

export const stepKey: KeyOf = (el) => normId(attr(el, "SdkMessageProcessingStepId"));
export const assemblyKey: KeyOf = (el) => attr(el, "FullName") ?? null;
export const rootComponentKey: KeyOf = (el) => rcKey(attr(el, "type") ?? "", normId(attr(el, "id")) ?? attr(el, "schemaName") ?? "");

export function rcKey(type: string | number, key: string): string {
  const t = String(type);
  return (/^\d+$/.test(t) ? t.padStart(10, "0") : "~" + t) + "\u0000" + key.toLowerCase();
}

interface ListAdd {
  spec: ElementSpec;
  key: string | null;
}

interface ListTarget {
  doc: string;
  /** Finds the parent element in the (current) document; null when it must be created. */
  parent: (doc: XmlDocument) => XmlElement | null;
  keyOf: KeyOf | null;
  adds: ListAdd[];
  /** How to create the parent when it is missing (customizations sections, RootComponents...). */
  create?: { name: string; placeholder?: boolean; in: (doc: XmlDocument) => XmlElement; anchor: (doc: XmlDocument, parent: XmlElement) => XmlElement | "first" | null; order: number };
}

export interface DocStyle {
  eol: string;
  unit: string;
}

export class PlanBuilder {
  readonly changes: Change[] = [];
  readonly findings: Finding[] = [];
  rule: string | undefined;
  private readonly editors = new Map<string, XmlEditor>();
  private readonly writes = new Map<string, { bytes: Buffer; kind: "create" | "replace" }>();
  private readonly deletes = new Set<string>();
  private readonly removed = new Set<XmlElement>();
  private readonly removals: ElementLoc[] = [];
  /** Parents that receive new children in this plan. */
  private readonly filled = new Set<XmlElement>();
  private readonly lists = new Map<string, ListTarget>();
  private readonly newDocs = new Map<string, { root: ElementSpec; style: DocStyle }>();

  constructor(
    readonly sol: Solution,
    readonly operation: string,
  ) {}

  get folder(): boolean {
    return this.sol.form === "folder";
  }

  doc(path: string): XmlDocument {
    const d = this.sol.docs.get(path);
    if (!d) throw new Error(`internal: ${path} is not a document of the solution`);
    return d.doc;
  }

  editor(path: string): XmlEditor {
    let ed = this.editors.get(path);
    if (!ed) {
      if (this.deletes.has(path)) throw new Error(`internal: ${path} is both edited and deleted`);
      ed = new XmlEditor(this.doc(path));
      this.editors.set(path, ed);
    }
    return ed;
  }

  change(c: Change): void {
    this.changes.push(c);
  }

  finding(f: Finding): void {
    this.findings.push(f);
  }

  /**
   * Removes an element (with its line). Applied at build(): a parent whose element children are all
   * removed (and gains none) becomes `<X />`, as exports write empty lists.
   */
  removeElement(loc: ElementLoc): void {
    if (this.removed.has(loc.el)) return;
    this.removed.add(loc.el);
    this.editor(loc.doc);
    this.removals.push(loc);
  }

  isRemoved(el: XmlElement): boolean {
    for (let e: XmlElement | null = el; e; e = e.parent) if (this.removed.has(e)) return true;
    return false;
  }

  exists(path: string): boolean {
    if (this.deletes.has(path)) return false;
    if (this.writes.has(path) || this.newDocs.has(path)) return true;
    return !!this.sol.source.find(path);
  }

  /** Writes bytes at a path: "create" for a new file, "replace" for one the solution holds. */
  writeFile(path: string, bytes: Buffer): void {
    const existing = this.sol.source.find(path);
    const p = existing?.path ?? path;
    this.deletes.delete(p);
    this.writes.set(p, { bytes, kind: existing ? "replace" : "create" });
  }

  deleteFile(path: string): void {
    const existing = this.sol.source.find(path);
    if (!existing) {
      this.writes.delete(path);
      this.newDocs.delete(path);
      return;
    }
    this.writes.delete(existing.path);
    this.editors.delete(existing.path);
    this.deletes.add(existing.path);
  }

  isDeleted(path: string): boolean {
    const existing = this.sol.source.find(path);
    return this.deletes.has(existing?.path ?? path);
  }

  /** A new XML document in the SolutionPackager file form (BOM, declaration, xmlns:xsi on the root). */
  createDocument(path: string, root: ElementSpec, style: DocStyle): void {
    this.newDocs.set(path, { root, style });
  }

  /** The style of the neighbouring documents of a kind, for a new document in a folder. */
  styleFor(kind: "step" | "assembly" | "endpoints"): DocStyle {
    const docs = [...this.sol.docs.values()];
    const test = (p: string) => (kind === "step" ? isStepFile(p) : kind === "assembly" ? isAssemblyDataFile(p) : p.toLowerCase() === FOLDER_ENDPOINTS.toLowerCase());
    const any = (p: string) => isStepFile(p) || isAssemblyDataFile(p) || p.toLowerCase() === FOLDER_ENDPOINTS.toLowerCase();
    const pick = docs.find((d) => test(d.path)) ?? docs.find((d) => any(d.path)) ?? this.sol.docs.get(this.sol.customizationsPath);
    const doc = pick!.doc;
    return { eol: doc.eol, unit: indentUnit(doc) || "  " };
  }

  // ---- deferred list insertions ---------------------------------------------------------------------------

  private list(id: string, make: () => ListTarget): ListTarget {
    let t = this.lists.get(id);
    if (!t) {
      t = make();
      this.lists.set(id, t);
    }
    return t;
  }

  /** Adds an element to a top-level section of customizations.xml (created in XSD order if missing). */
  addToSection(section: string, spec: ElementSpec, key: string | null, keyOf: KeyOf | null): void {
    const docPath = this.sol.customizationsPath;
    const t = this.list(`${docPath}#${section}`, () => sectionTarget(docPath, section, keyOf, false));
    if (keyOf && !t.keyOf) t.keyOf = keyOf;
    if (t.create) t.create.placeholder = false;
    t.adds.push({ spec, key });
  }

  /** Makes sure customizations.xml has the section, as an empty placeholder `<X />` if it must be created. */
  ensureSection(section: string): void {
    const docPath = this.sol.customizationsPath;
    this.list(`${docPath}#${section}`, () => sectionTarget(docPath, section, null, true));
  }

  /** Adds a child to an element of a document (PluginTypes of an assembly, images of a step...). */
  addChild(docPath: string, parent: XmlElement, spec: ElementSpec, key: string | null = null, keyOf: KeyOf | null = null): void {
    const t = this.list(`${docPath}@${parent.start}`, () => ({ doc: docPath, parent: () => parent, keyOf, adds: [] }));
    t.adds.push({ spec, key });
  }

  /** Adds a child to the root of a document created in this plan or held by the solution (ServiceEndpoints.xml). */
  addToDocumentRoot(docPath: string, rootName: string, spec: ElementSpec, style: DocStyle): void {
    if (this.sol.docs.has(docPath)) {
      const t = this.list(`${docPath}@root`, () => ({ doc: docPath, parent: (d) => d.root, keyOf: null, adds: [] }));
      t.adds.push({ spec, key: null });
      return;
    }
    const nd = this.newDocs.get(docPath);
    if (nd) nd.root.children!.push(spec);
    else this.newDocs.set(docPath, { root: { name: rootName, children: [spec] }, style });
  }

  addRootComponent(type: number, id: string | null, schemaName: string | null): void {
    const docPath = this.sol.manifestPath;
    const t = this.list(`${docPath}#RootComponents`, () => ({
      doc: docPath,
      parent: (d) => child(child(d.root, "SolutionManifest"), "RootComponents") ?? null,
      keyOf: rootComponentKey,
      adds: [],
      create: {
        name: "RootComponents",
        in: (d) => child(d.root, "SolutionManifest")!,
        anchor: (d, sm) => child(sm, "Publisher") ?? child(sm, "Managed") ?? child(sm, "Version") ?? null,
        order: 0,
      },
    }));
    const attrs: [string, string][] = [["type", String(type)]];
    if (id) attrs.push(["id", `{${id}}`]);
    if (schemaName !== null) attrs.push(["schemaName", schemaName]);
    // Old exports (2013/2015) write no behavior at all: new ones follow the file.
    const rcs = this.sol.manifest.rootComponents;
    if (!(rcs.length > 0 && rcs.every((rc) => rc.behavior === null))) attrs.push(["behavior", "0"]);
    t.adds.push({ spec: { name: "RootComponent", attrs, selfClose: true }, key: rcKey(type, id ?? schemaName ?? "") });
  }

  removeRootComponent(type: number, id: string): boolean {
    let found = false;
    for (const rc of this.sol.manifest.rootComponents) {
      if (String(rc.type) === String(type) && rc.id === id) {
        this.removeElement(rc.loc);
        found = true;
      }
    }
    return found;
  }

  addMissingDependency(required: [string, string][], dependent: [string, string][]): void {
    const docPath = this.sol.manifestPath;
    const t = this.list(`${docPath}#MissingDependencies`, () => ({
      doc: docPath,
      parent: (d) => child(child(d.root, "SolutionManifest"), "MissingDependencies") ?? null,
      keyOf: null,
      adds: [],
      create: {
        name: "MissingDependencies",
        in: (d) => child(d.root, "SolutionManifest")!,
        anchor: (d, sm) => child(sm, "RootComponents") ?? child(sm, "Publisher") ?? null,
        order: 1,
      },
    }));
    t.adds.push({
      spec: { name: "MissingDependency", children: [{ name: "Required", attrs: required, selfClose: true }, { name: "Dependent", attrs: dependent, selfClose: true }] },
      key: null,
    });
  }

  // ---- build ------------------------------------------------------------------------------------------------

  build(): EditPlan {
    // Creations of missing parents that share an anchor must come in their defined order.
    const targets = [...this.lists.values()].sort((a, b) => (a.create?.order ?? 0) - (b.create?.order ?? 0));
    for (const t of targets) this.flush(t);
    this.applyRemovals();
    const files: FileEdit[] = [];
    for (const [path, ed] of this.editors) {
      if (this.deletes.has(path)) continue;
      if (ed.edits.length) files.push({ path, kind: "edit", edits: [...ed.edits] });
    }
    for (const [path, w] of this.writes) files.push({ path, kind: w.kind, bytes: w.bytes });
    for (const [path, nd] of this.newDocs) files.push({ path, kind: "create", bytes: newDocumentBytes(nd.root, nd.style) });
    for (const path of this.deletes) files.push({ path, kind: "delete" });
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const plan: EditPlan = { operation: this.operation, changes: this.changes, findings: this.findings, files };
    if (this.rule) plan.rule = this.rule;
    return plan;
  }

  private applyRemovals(): void {
    const byParent = new Map<XmlElement, ElementLoc[]>();
    for (const loc of this.removals) {
      if (this.deletes.has(loc.doc)) continue;
      const p = loc.el.parent;
      if (p && this.isRemoved(p)) continue;
      if (!p) throw new Error(`internal: cannot remove the root element of ${loc.doc}`);
      let list = byParent.get(p);
      if (!list) byParent.set(p, (list = []));
      list.push(loc);
    }
    for (const [parent, locs] of byParent) {
      const ed = this.editor(locs[0]!.doc);
      const kids = elements(parent);
      if (!this.filled.has(parent) && kids.every((k) => this.removed.has(k)) && !parent.selfClosing) {
        const open = ed.doc.text.slice(parent.start, parent.openEnd).replace(/\s*>$/, "");
        ed.replace(parent.start, parent.end, `${open} />`);
        continue;
      }
      for (const loc of locs) ed.remove(loc.el);
    }
  }

  private flush(t: ListTarget): void {
    const doc = this.doc(t.doc);
    const ed = this.editor(t.doc);
    const adds = t.keyOf ? stableSortByKey(t.adds) : t.adds;
    const parent = t.parent(doc);
    if (!parent) {
      if (!t.create) throw new Error(`internal: no parent for new elements in ${t.doc}`);
      if (t.create.placeholder && adds.length === 0) {
        insertAt(ed, t.create.in(doc), { name: t.create.name, selfClose: true }, t.create.anchor(doc, t.create.in(doc)));
        return;
      }
      const host = t.create.in(doc);
      insertAt(ed, host, { name: t.create.name, children: adds.map((a) => a.spec) }, t.create.anchor(doc, host));
      return;
    }
    if (adds.length === 0) return;
    this.filled.add(parent);
    const kids = elements(parent);
    if (kids.length === 0) {
      fillEmpty(ed, parent, adds.map((a) => a.spec));
      return;
    }
    for (const a of adds) {
      let anchor: XmlElement | "first" | null = null;
      if (t.keyOf && a.key !== null) {
        const i = kids.findIndex((k) => {
          const kk = t.keyOf!(k);
          return kk !== null && kk > a.key!;
        });
        if (i === 0) anchor = "first";
        else if (i > 0) anchor = kids[i - 1]!;
      }
      insertAt(ed, parent, a.spec, anchor ?? kids[kids.length - 1]!);
    }
  }
}

function sectionTarget(docPath: string, section: string, keyOf: KeyOf | null, placeholder: boolean): ListTarget {
  const idx = SECTION_ORDER.indexOf(section);
  return {
    doc: docPath,
    parent: (d) => child(d.root, section) ?? null,
    keyOf,
    adds: [],
    create: {
      name: section,
      placeholder,
      in: (d) => d.root,
      anchor: (d) => {
        let anchor: XmlElement | null = null;
        for (const k of elements(d.root)) {
          const i = SECTION_ORDER.indexOf(k.name);
          if (i >= 0 && i < idx) anchor = k;
        }
        return anchor ?? "first";
      },
      order: 10 + idx,
    },
  };
}

function stableSortByKey(adds: ListAdd[]): ListAdd[] {
  return adds
    .map((a, i) => ({ a, i }))
    .sort((x, y) => {
      const kx = x.a.key ?? "\uffff";
      const ky = y.a.key ?? "\uffff";
      return kx < ky ? -1 : kx > ky ? 1 : x.i - y.i;
    })
    .map((x) => x.a);
}

/** Inserts `spec` as a child of `parent`: after `anchor`, first, or (null) after the last child. */
function insertAt(ed: XmlEditor, parent: XmlElement, spec: ElementSpec, anchor: XmlElement | "first" | null): void {
  const kids = elements(parent);
  if (kids.length === 0) {
    fillEmpty(ed, parent, [spec]);
    return;
  }
  if (anchor === "first") {
    const first = kids[0]!;
    const ind = lineIndent(ed.doc, first);
    const between = ed.doc.text.slice(parent.openEnd, first.start);
    if (ind && /^\s*$/.test(between)) {
      // Before the first child's line: insert right after the start tag, so that a removal of the first
      // child (which takes its line break) does not overlap.
      const xml = serializeElement(spec, ind, ed.unit, ed.eol);
      ed.replace(parent.openEnd, parent.openEnd, ed.eol + ind + xml);
      return;
    }
    ed.insertChild(parent, spec, "first");
    return;
  }
  ed.insertChild(parent, spec, anchor ?? undefined);
}

/** Fills an element that has no child elements (`<X />`, `<X></X>`, `<X>  </X>`) with children, one per line. */
function fillEmpty(ed: XmlEditor, parent: XmlElement, specs: ElementSpec[]): void {
  const doc = ed.doc;
  const eol = ed.eol;
  const pInd = lineIndent(doc, parent);
  const ind = pInd + ed.unit;
  const body = specs.map((s) => eol + ind + serializeElement(s, ind, ed.unit, eol)).join("");
  if (parent.selfClosing) {
    const open = doc.text.slice(parent.start, parent.openEnd).replace(/\s*\/>$/, ">");
    ed.replace(parent.start, parent.end, `${open}${body}${eol}${pInd}</${parent.name}>`);
  } else {
    ed.replace(parent.openEnd, parent.closeStart, `${body}${eol}${pInd}`);
  }
}

/** The bytes of a new SolutionPackager-form document: BOM, XML declaration, xmlns:xsi on the root, no final newline. */
export function newDocumentBytes(root: ElementSpec, style: DocStyle): Buffer {
  const withXsi: ElementSpec = { ...root, attrs: [...(root.attrs ?? []), ["xmlns:xsi", XSI_NS]] };
  return encodeXmlText(XML_DECL + style.eol + serializeElement(withXsi, "", style.unit, style.eol), "utf-8", true);
}

/** Placeholder sections a folder's Other/Customizations.xml must hold for pack to merge the plug-in files. */
export function folderNeedsPlaceholder(b: PlanBuilder, section: "SolutionPluginAssemblies" | "SdkMessageProcessingSteps" | "ServiceEndpoints"): void {
  if (b.folder && b.sol.customizationsPath.toLowerCase() === FOLDER_CUSTOMIZATIONS.toLowerCase()) b.ensureSection(section);
}
