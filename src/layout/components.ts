/**
 * Components that SolutionPackager writes one document per element (option sets, roles, workflows,
 * web resources, dashboards, app modules, canvas apps, connectors, custom controls, entity data
 * providers), and sections it writes as one document (entity maps, field security profiles).
 *
 * Layout facts (the folder each kind uses, which attributes name the file, xmlns:xsi on the root,
 * which content files move) come from the real trees of the corpus (CoE Starter Kit, devkeydet,
 * bguidinger, WaelHamze, CSE-Neutrino) and Microsoft's "Solution component file reference".
 */
import { attr, elements } from "../xml/dom.js";
import type { XmlDocument, XmlElement } from "../xml/parse.js";
import type { LayoutContext, Splitter } from "./types.js";
import { childValue, elementDocument, extractElement, parseTreeDoc, safeRelPath, safeSegment, badRoot } from "./docs.js";
import { entryPath, expectEntry, fillSectionAt, hostHasXsi, insertSection, lower, removeMoved, resolveFile, section, sectionChildIndent } from "./common.js";
import { spCompare } from "./order.js";
import { DvsolError } from "../errors.js";

/** A content file that travels with an element: its zip entry and its folder path. */
export interface ContentFile {
  entry: string;
  path: string;
}

export interface ElementKind {
  id: string;
  /** Section of customizations.xml. */
  section: string;
  /** Element name inside the section. */
  element: string;
  /** The folder path of an element's document; null leaves the element in Customizations.xml. */
  path(el: XmlElement): string | null;
  /** Whether a folder path may hold a document of this kind (pack). */
  isFile(p: string): boolean;
  /** Root declares xmlns:xsi in SolutionPackager's output. */
  xsi: boolean;
  /**
   * Files whose root is not `element` are not this kind's documents (web resource content can be a
   * `.data.xml` file too); otherwise a wrong root is an error.
   */
  lenient?: boolean;
  /** Content files of an element (unpack: zip entry -> folder path). */
  content?(el: XmlElement, docPath: string): ContentFile[];
  /** Content files of a document (pack: folder path -> zip entry). */
  packContent?(el: XmlElement, docPath: string): ContentFile[];
  /** A human name for messages. */
  describe(el: XmlElement): string;
}

function splitKind(kind: ElementKind, ctx: LayoutContext): void {
  const sec = section(ctx, kind.section);
  if (!sec) return;
  const used = new Set<string>();
  const moved: XmlElement[] = [];
  for (const el of elements(sec, kind.element)) {
    const p = kind.path(el);
    if (!p || used.has(lower(p))) continue;
    const content = kind.content?.(el, p) ?? [];
    if (content.some((c) => used.has(lower(c.path)))) continue;
    used.add(lower(p));
    for (const c of content) used.add(lower(c.path));
    ctx.emit(p, elementDocument(ctx.cust, el, { xsi: kind.xsi }));
    for (const c of content) {
      const f = ctx.source.get(c.entry) ?? ctx.source.find(c.entry);
      if (!f) continue; // the zip lacks it; nothing to move (pack will report it)
      ctx.claim(f.path);
      ctx.emit(c.path, { from: f });
    }
    moved.push(el);
  }
  removeMoved(ctx, sec, moved);
}

async function mergeKind(kind: ElementKind, ctx: LayoutContext): Promise<void> {
  const docs: { path: string; doc: XmlDocument; el: XmlElement }[] = [];
  for (const f of ctx.source.files) {
    if (!kind.isFile(f.path)) continue;
    let doc: XmlDocument;
    const bytes = await f.read();
    try {
      doc = parseTreeDoc(bytes, ctx.source.location, f.path);
    } catch (e) {
      if (kind.lenient) continue;
      throw e;
    }
    if (doc.root.name !== kind.element) {
      if (kind.lenient) continue;
      throw badRoot(ctx.source.location, doc, `the root element is <${doc.root.name}>; a file in ${f.path.slice(0, f.path.lastIndexOf("/"))}/ holds one <${kind.element}>`);
    }
    ctx.claim(f.path);
    docs.push({ path: f.path, doc, el: doc.root });
  }
  if (docs.length === 0) return;
  docs.sort((a, b) => spCompare(a.path, b.path));
  const indent = sectionChildIndent(ctx, kind.section);
  const dropXsi = hostHasXsi(ctx.cust);
  const fragments: string[] = [];
  for (const d of docs) {
    fragments.push(extractElement(d.doc, d.el, { remove: "", add: indent, dropXsi, eol: ctx.cust.eol }));
    for (const c of kind.packContent?.(d.el, d.path) ?? []) {
      ctx.claim(c.path);
      const f = resolveFile(ctx, c.path);
      if (f) {
        ctx.claim(f.path);
        ctx.emit(c.entry, { from: f });
      }
      expectEntry(ctx, c.entry, c.path, kind.describe(d.el));
    }
  }
  fillSectionAt(ctx, kind.section, fragments);
}

export function elementSplitter(kind: ElementKind): Splitter {
  return {
    id: kind.id,
    split: (ctx) => splitKind(kind, ctx),
    merge: (ctx) => mergeKind(kind, ctx),
  };
}

const under = (folder: string, suffix: string) => (p: string) => p.startsWith(folder + "/") && p.endsWith(suffix) && p.length > folder.length + 1 + suffix.length;
const flat = (folder: string, suffix: string) => (p: string) => under(folder, suffix)(p) && !p.slice(folder.length + 1).includes("/");

export const optionSetKind: ElementKind = {
  id: "optionsets",
  section: "optionsets",
  element: "optionset",
  path: (el) => seg("OptionSets", attr(el, "Name"), ".xml"),
  isFile: flat("OptionSets", ".xml"),
  xsi: true,
  describe: (el) => `option set ${attr(el, "Name") ?? "?"}`,
};

export const roleKind: ElementKind = {
  id: "roles",
  section: "Roles",
  element: "Role",
  path: (el) => seg("Roles", attr(el, "name"), ".xml"),
  isFile: flat("Roles", ".xml"),
  xsi: true,
  describe: (el) => `security role ${attr(el, "name") ?? "?"}`,
};

/** Workflows/<XamlFileName or JsonFileName>.data.xml; the .xaml/.json keeps its zip path. */
export const workflowKind: ElementKind = {
  id: "workflows",
  section: "Workflows",
  element: "Workflow",
  path: (el) => {
    const f = entryPath(childValue(el, "XamlFileName") ?? childValue(el, "JsonFileName"));
    if (!f || !f.toLowerCase().startsWith("workflows/")) return null;
    return `${f}.data.xml`;
  },
  isFile: under("Workflows", ".data.xml"),
  xsi: true,
  lenient: true,
  describe: (el) => `workflow ${attr(el, "Name") ?? attr(el, "WorkflowId") ?? "?"}`,
};

/**
 * WebResources/<Name>.data.xml and WebResources/<Name> (the content, named by the web resource's
 * name: `/` makes folders). In the zip the content is the entry <FileName> names
 * (`WebResources/<name without / and .><GUID>`).
 */
export const webResourceKind: ElementKind = {
  id: "webresources",
  section: "WebResources",
  element: "WebResource",
  path: (el) => {
    const n = safeRelPath(childValue(el, "Name"));
    if (!n || !entryPath(childValue(el, "FileName"))) return null;
    return `WebResources/${n}.data.xml`;
  },
  isFile: under("WebResources", ".data.xml"),
  xsi: true,
  lenient: true,
  content: (el, docPath) => {
    const entry = entryPath(childValue(el, "FileName"));
    return entry ? [{ entry, path: docPath.slice(0, -".data.xml".length) }] : [];
  },
  packContent: (el, docPath) => {
    const entry = entryPath(childValue(el, "FileName"));
    return entry ? [{ entry, path: docPath.slice(0, -".data.xml".length) }] : [];
  },
  describe: (el) => `web resource ${childValue(el, "Name") ?? "?"}`,
};

export const dashboardKind: ElementKind = {
  id: "dashboards",
  section: "Dashboards",
  element: "Dashboard",
  path: (el) => seg("Dashboards", childValue(el, "FormId"), ".xml"),
  isFile: flat("Dashboards", ".xml"),
  xsi: true,
  describe: (el) => `dashboard ${childValue(el, "FormId") ?? "?"}`,
};

export const appModuleSiteMapKind: ElementKind = {
  id: "appmodulesitemaps",
  section: "AppModuleSiteMaps",
  element: "AppModuleSiteMap",
  path: (el) => {
    const n = safeSegment(childValue(el, "SiteMapUniqueName"));
    return n ? `AppModuleSiteMaps/${n}/AppModuleSiteMap.xml` : null;
  },
  isFile: (p) => /^AppModuleSiteMaps\/[^/]+\/AppModuleSiteMap\.xml$/.test(p),
  xsi: true,
  describe: (el) => `site map ${childValue(el, "SiteMapUniqueName") ?? "?"}`,
};

/** AppModule.xml is the one split document SolutionPackager writes without xmlns:xsi. */
export const appModuleKind: ElementKind = {
  id: "appmodules",
  section: "AppModules",
  element: "AppModule",
  path: (el) => {
    const n = safeSegment(childValue(el, "UniqueName"));
    return n ? `AppModules/${n}/AppModule.xml` : null;
  },
  isFile: (p) => /^AppModules\/[^/]+\/AppModule\.xml$/.test(p),
  xsi: false,
  describe: (el) => `app ${childValue(el, "UniqueName") ?? "?"}`,
};

export const entityDataProviderKind: ElementKind = {
  id: "entitydataproviders",
  section: "EntityDataProviders",
  element: "EntityDataProvider",
  path: (el) => seg("EntityDataProviders", childValue(el, "EntityDataProviderId"), ".xml"),
  isFile: flat("EntityDataProviders", ".xml"),
  xsi: true,
  describe: (el) => `data provider ${childValue(el, "Name") ?? "?"}`,
};

/** CanvasApps/<Name>.meta.xml; the .msapp and image files keep their zip paths. */
export const canvasAppKind: ElementKind = {
  id: "canvasapps",
  section: "CanvasApps",
  element: "CanvasApp",
  path: (el) => seg("CanvasApps", childValue(el, "Name"), ".meta.xml"),
  isFile: flat("CanvasApps", ".meta.xml"),
  xsi: true,
  describe: (el) => `canvas app ${childValue(el, "Name") ?? "?"}`,
};

/** Connectors/<name>.xml; its files move from the zip's Connector/ to Connectors/. */
export const connectorKind: ElementKind = {
  id: "connectors",
  section: "Connectors",
  element: "Connector",
  path: (el) => seg("Connectors", childValue(el, "name"), ".xml"),
  isFile: flat("Connectors", ".xml"),
  xsi: true,
  lenient: true,
  content: (el) => connectorFiles(el),
  packContent: (el) => connectorFiles(el),
  describe: (el) => `custom connector ${childValue(el, "name") ?? "?"}`,
};

function connectorFiles(el: XmlElement): ContentFile[] {
  const out: ContentFile[] = [];
  for (const c of elements(el)) {
    const v = childText(c);
    if (!v || !/^\/Connector\/[^/]+$/.test(v.trim())) continue;
    const entry = entryPath(v)!;
    out.push({ entry, path: `Connectors/${entry.slice("Connector/".length)}` });
  }
  return out;
}

function childText(el: XmlElement): string | undefined {
  let t = "";
  for (const k of el.children) if (k.type === "text" || k.type === "cdata") t += k.value;
  return t || undefined;
}

/** Controls/<name>/ControlManifest.xml.data.xml (the <FileName> plus .data.xml); the control's files keep their paths. */
export const customControlKind: ElementKind = {
  id: "customcontrols",
  section: "CustomControls",
  element: "CustomControl",
  path: (el) => {
    const f = entryPath(childValue(el, "FileName"));
    if (!f || !f.toLowerCase().startsWith("controls/")) return null;
    return `${f}.data.xml`;
  },
  isFile: under("Controls", ".data.xml"),
  xsi: true,
  lenient: true,
  describe: (el) => `custom control ${childValue(el, "Name") ?? "?"}`,
};

function seg(folder: string, name: string | undefined, suffix: string): string | null {
  const n = safeSegment(name?.trim());
  return n ? `${folder}/${n}${suffix}` : null;
}

export interface SectionFileKind {
  id: string;
  section: string;
  path: string;
  xsi: boolean;
  /**
   * Whether an empty file travels as `<X></X>` in the zip (the server writes this section `<X />`
   * when empty, so `<X></X>` can only come from a folder that had the file).
   */
  emptyMarker: boolean;
}

/** A whole section as one document (Other/EntityMaps.xml, Other/FieldSecurityProfiles.xml). */
export function sectionFileSplitter(kind: SectionFileKind): Splitter {
  return {
    id: kind.id,
    split(ctx) {
      const sec = section(ctx, kind.section);
      if (!sec) return;
      const hasKids = elements(sec).length > 0;
      if (!hasKids && (sec.selfClosing || !kind.emptyMarker)) return;
      if (!hasKids && ctx.cust.text.slice(sec.openEnd, sec.closeStart).trim() !== "") return;
      if (hasKids) {
        ctx.emit(kind.path, elementDocument(ctx.cust, sec, { xsi: kind.xsi }));
      } else {
        const open = ctx.cust.text.slice(sec.start, sec.openEnd).replace(/\s*>$/, "");
        ctx.emit(kind.path, documentFromText(`${open}${kind.xsi && !/xmlns:xsi=/.test(open) ? ` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` : ""} />`, ctx.cust.eol));
      }
      ctx.custEditor.replace(sec.start, sec.end, `<${kind.section} />`);
    },
    async merge(ctx) {
      const f = ctx.source.find(kind.path);
      if (!f) return;
      ctx.claim(f.path);
      const doc = parseTreeDoc(await f.read(), ctx.source.location, f.path);
      if (doc.root.name !== kind.section) throw badRoot(ctx.source.location, doc, `the root element is <${doc.root.name}>; expected <${kind.section}>`);
      const sec = section(ctx, kind.section);
      if (sec && elements(sec).length) {
        throw new DvsolError("SOLUTION_BAD_COMPONENT", `<${kind.section}> is both in ${kind.path} and in Other/Customizations.xml`, {
          file: ctx.source.location,
          entry: f.path,
          hint: `Keep it in one place: move the content of <${kind.section}> in Other/Customizations.xml into ${kind.path}.`,
        });
      }
      const kids = elements(doc.root);
      if (kids.length === 0) {
        fillSectionAt(ctx, kind.section, [], { emptyMarker: kind.emptyMarker });
        return;
      }
      const indent = sec ? lineIndentOf(ctx, sec) : "";
      const text = extractElement(doc, doc.root, { remove: "", add: indent || sectionIndent(ctx), dropXsi: hostHasXsi(ctx.cust), eol: ctx.cust.eol });
      if (sec) ctx.custEditor.replace(sec.start, sec.end, text);
      else insertSection(ctx, kind.section, text);
    },
  };
}

function lineIndentOf(ctx: LayoutContext, el: XmlElement): string {
  let i = el.start;
  const s = ctx.cust.text;
  while (i > 0 && (s[i - 1] === " " || s[i - 1] === "\t")) i--;
  return s.slice(i, el.start);
}

function sectionIndent(ctx: LayoutContext): string {
  const first = elements(ctx.cust.root)[0];
  return first ? lineIndentOf(ctx, first) : "  ";
}

function documentFromText(body: string, eol: string): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version="1.0" encoding="utf-8"?>${eol}${body}`, "utf8")]);
}

export const entityMapsSplitter = sectionFileSplitter({ id: "entitymaps", section: "EntityMaps", path: "Other/EntityMaps.xml", xsi: true, emptyMarker: true });
export const fieldSecuritySplitter = sectionFileSplitter({ id: "fieldsecurityprofiles", section: "FieldSecurityProfiles", path: "Other/FieldSecurityProfiles.xml", xsi: true, emptyMarker: false });
