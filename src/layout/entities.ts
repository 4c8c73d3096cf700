/**
 * Tables (entities) in the SolutionPackager layout:
 *   Entities/<Name>/Entity.xml                       the <Entity>, with placeholders <FormXml />, <SavedQueries />,
 *                                                    <Visualizations />, <RibbonDiffXml /> where parts moved out
 *   Entities/<Name>/FormXml/<type>/{formid}.xml      one <systemform> inside <forms xmlns:xsi> (older SolutionPackager:
 *                                                    <systemform> as the root; both are read)
 *   Entities/<Name>/SavedQueries/{savedqueryid}.xml  one <savedquery> inside <savedqueries xmlns:xsi> (older: bare)
 *   Entities/<Name>/Visualizations/{id}.xml          one <visualization>
 *   Entities/<Name>/RibbonDiff.xml                   the <RibbonDiffXml>
 *   Entities/<Name>/Formulas/<file>.xaml             formula definitions (zip: Formulas/<file>.xaml)
 * Seen in the CoE, devkeydet, bguidinger and WaelHamze trees; the WaelHamze zip of the same solution
 * confirms what stays in Entity.xml.
 *
 * Pack order follows SolutionPackager's repacked zips: tables by folder name, forms by file name
 * grouped by type in order of first appearance, views and charts by file name.
 */
import { child, elements, indentUnit, lineIndent, text } from "../xml/dom.js";
import { XmlEditor } from "../xml/edit.js";
import { findElements, parseXml, type XmlDocument, type XmlElement } from "../xml/parse.js";
import type { LayoutContext, Splitter } from "./types.js";
import { badRoot, childValue, elementDocument, extractElement, onlyElements, parseTreeDoc, placeholder, safeSegment, unwrapRoot, wrappedDocument } from "./docs.js";
import { entryPath, fillSectionAt, hostHasXsi, lower, removeMoved, resolveFile, section, sectionChildIndent } from "./common.js";
import { ENTITY_CHILD_ORDER, spCompare } from "./order.js";
import { DvsolError } from "../errors.js";
import type { SolutionFile } from "../solution/source.js";

const FORMULA_NAMES: ReadonlySet<string> = new Set(["FormulaDefinitionFileName"]);

const FORM_RE = /^FormXml\/([^/]+)\/([^/]+)\.xml$/;
const VIEW_RE = /^SavedQueries\/([^/]+)\.xml$/;
const CHART_RE = /^Visualizations\/([^/]+)\.xml$/;
const FORMULA_RE = /^Formulas\/([^/]+)$/;

export const entitySplitter: Splitter = {
  id: "entities",

  split(ctx) {
    const sec = section(ctx, "Entities");
    if (!sec) return;
    const doc = ctx.cust;
    const unit = indentUnit(doc);
    const usedFolders = new Set<string>();
    const moved: XmlElement[] = [];
    for (const ent of elements(sec, "Entity")) {
      const name = safeSegment(childValue(ent, "Name"));
      if (!name || usedFolders.has(lower(name))) continue;
      usedFolders.add(lower(name));
      const folder = `Entities/${name}`;
      const replace = new Map<XmlElement, string>();
      const out: [string, Buffer][] = [];

      const fx = child(ent, "FormXml");
      if (fx) {
        const forms = splitForms(doc, fx, folder, unit);
        if (forms) {
          out.push(...forms);
          replace.set(fx, placeholder(doc, fx));
        }
      }
      const sq = child(ent, "SavedQueries");
      if (sq) {
        const views = splitViews(doc, sq, folder, unit);
        if (views) {
          out.push(...views);
          replace.set(sq, placeholder(doc, sq));
        }
      }
      const vz = child(ent, "Visualizations");
      if (vz) {
        const charts = splitCharts(doc, vz, folder);
        if (charts) {
          out.push(...charts);
          replace.set(vz, placeholder(doc, vz));
        }
      }
      const rd = child(ent, "RibbonDiffXml");
      if (rd && elements(rd).length > 0) {
        out.push([`${folder}/RibbonDiff.xml`, elementDocument(doc, rd, { xsi: true })]);
        replace.set(rd, placeholder(doc, rd));
      }
      ctx.emit(`${folder}/Entity.xml`, elementDocument(doc, ent, { xsi: true, replace }));
      for (const [p, b] of out) ctx.emit(p, b);
      // Formula definitions travel in the table's folder.
      const seen = new Set<string>();
      for (const el of findElements(ent, FORMULA_NAMES)) {
        const entry = entryPath(text(el));
        if (!entry || !/^Formulas\/[^/]+$/i.test(entry) || seen.has(lower(entry))) continue;
        seen.add(lower(entry));
        const f = ctx.source.get(entry) ?? ctx.source.find(entry);
        if (!f) continue;
        ctx.claim(f.path);
        ctx.emit(`${folder}/Formulas/${f.path.slice(f.path.indexOf("/") + 1)}`, { from: f });
      }
      moved.push(ent);
    }
    removeMoved(ctx, sec, moved);
  },

  async merge(ctx) {
    const byFolder = new Map<string, SolutionFile[]>();
    for (const f of ctx.source.files) {
      const m = /^Entities\/([^/]+)\/(.+)$/.exec(f.path);
      if (!m) continue;
      const key = `Entities/${m[1]}`;
      let list = byFolder.get(key);
      if (!list) byFolder.set(key, (list = []));
      list.push(f);
    }
    const entityFiles = [...byFolder.entries()].filter(([folder, files]) => files.some((f) => f.path === `${folder}/Entity.xml`));
    if (entityFiles.length === 0) return;
    entityFiles.sort((a, b) => spCompare(a[0], b[0]));
    const indent = sectionChildIndent(ctx, "Entities");
    const dropXsi = hostHasXsi(ctx.cust);
    const fragments: string[] = [];
    for (const [folder, files] of entityFiles) {
      const text = await mergeEntity(ctx, folder, files);
      const doc2 = parseXml(text, { file: ctx.source.location, entry: `${folder}/Entity.xml` });
      fragments.push(extractElement(doc2, doc2.root, { remove: "", add: indent, dropXsi, eol: ctx.cust.eol }));
    }
    fillSectionAt(ctx, "Entities", fragments);
  },
};

function splitForms(doc: XmlDocument, fx: XmlElement, folder: string, unit: string): [string, Buffer][] | null {
  if (!onlyElements(doc, fx)) return null;
  const groups = elements(fx);
  if (groups.length === 0) return null;
  const out: [string, Buffer][] = [];
  const used = new Set<string>();
  for (const g of groups) {
    const type = safeSegment(g.attrs.find((a) => a.name === "type")?.value);
    if (g.name !== "forms" || !type || g.attrs.length !== 1 || !onlyElements(doc, g)) return null;
    const forms = elements(g);
    if (forms.length === 0) return null;
    for (const sf of forms) {
      const id = safeSegment(childValue(sf, "formid"));
      if (sf.name !== "systemform" || !id) return null;
      const p = `${folder}/FormXml/${type}/${id}.xml`;
      if (used.has(lower(p))) return null;
      used.add(lower(p));
      out.push([p, wrappedDocument(doc, "forms", [sf], unit, { xsi: true })]);
    }
  }
  return out;
}

function splitViews(doc: XmlDocument, sq: XmlElement, folder: string, unit: string): [string, Buffer][] | null {
  if (!onlyElements(doc, sq)) return null;
  const inner = elements(sq);
  if (inner.length !== 1 || inner[0]!.name !== "savedqueries" || inner[0]!.attrs.length || !onlyElements(doc, inner[0]!)) return null;
  const views = elements(inner[0]!);
  if (views.length === 0) return null;
  const out: [string, Buffer][] = [];
  const used = new Set<string>();
  for (const v of views) {
    const id = safeSegment(childValue(v, "savedqueryid"));
    if (v.name !== "savedquery" || !id) return null;
    const p = `${folder}/SavedQueries/${id}.xml`;
    if (used.has(lower(p))) return null;
    used.add(lower(p));
    out.push([p, wrappedDocument(doc, "savedqueries", [v], unit, { xsi: true })]);
  }
  return out;
}

function splitCharts(doc: XmlDocument, vz: XmlElement, folder: string): [string, Buffer][] | null {
  if (!onlyElements(doc, vz)) return null;
  const charts = elements(vz);
  if (charts.length === 0) return null;
  const out: [string, Buffer][] = [];
  const used = new Set<string>();
  for (const c of charts) {
    const id = safeSegment(childValue(c, "savedqueryvisualizationid"));
    if (c.name !== "visualization" || !id) return null;
    const p = `${folder}/Visualizations/${id}.xml`;
    if (used.has(lower(p))) return null;
    used.add(lower(p));
    out.push([p, elementDocument(doc, c, { xsi: true })]);
  }
  return out;
}

interface Part {
  path: string;
  doc: XmlDocument;
}

/** Entity.xml with its placeholders filled from the table's files, at Entity.xml's own indentation. */
async function mergeEntity(ctx: LayoutContext, folder: string, files: SolutionFile[]): Promise<string> {
  const loc = ctx.source.location;
  const read = async (f: SolutionFile): Promise<XmlDocument> => {
    ctx.claim(f.path);
    return parseTreeDoc(await f.read(), loc, f.path);
  };
  const entityFile = files.find((f) => f.path === `${folder}/Entity.xml`)!;
  const doc = await read(entityFile);
  if (doc.root.name !== "Entity") throw badRoot(loc, doc, `the root element is <${doc.root.name}>; Entity.xml holds one <Entity>`);
  const eol = doc.eol;
  const unit = indentUnit(doc);

  const forms: (Part & { type: string })[] = [];
  const views: Part[] = [];
  const charts: Part[] = [];
  let ribbon: Part | undefined;
  for (const f of files) {
    const rel = f.path.slice(folder.length + 1);
    let m: RegExpExecArray | null;
    if ((m = FORM_RE.exec(rel))) forms.push({ path: f.path, type: m[1]!, doc: await read(f) });
    else if (VIEW_RE.test(rel)) views.push({ path: f.path, doc: await read(f) });
    else if (CHART_RE.test(rel)) charts.push({ path: f.path, doc: await read(f) });
    else if (rel === "RibbonDiff.xml") ribbon = { path: f.path, doc: await read(f) };
    else if ((m = FORMULA_RE.exec(rel))) {
      ctx.claim(f.path);
      ctx.emit(`Formulas/${m[1]}`, { from: resolveFile(ctx, f.path) ?? f });
    }
  }

  const editor = new XmlEditor(doc);
  const root = doc.root;
  const fill = (name: string, build: (indent: string) => string | null): void => {
    const el = child(root, name);
    if (el) {
      if (elements(el).length) {
        throw new DvsolError("SOLUTION_BAD_COMPONENT", `<${name}> in ${folder}/Entity.xml has content and there are files for it too`, {
          file: loc,
          entry: `${folder}/Entity.xml`,
          line: el.line,
          hint: `Keep it in one place: leave <${name} /> in Entity.xml and the parts in their files.`,
        });
      }
      const t = build(lineIndent(doc, el));
      if (t !== null) editor.replace(el.start, el.end, t);
      return;
    }
    // No placeholder: create the element where the schema puts it.
    const kids = elements(root);
    const rank = ENTITY_CHILD_ORDER.indexOf(name);
    const next = kids.find((k) => ENTITY_CHILD_ORDER.indexOf(k.name) > rank);
    const indent = kids.length ? lineIndent(doc, kids[0]!) : unit;
    const t = build(indent);
    if (t === null) return;
    if (next) editor.replace(next.start, next.start, `${t}${eol}${indent}`);
    else if (kids.length) editor.replace(kids[kids.length - 1]!.end, kids[kids.length - 1]!.end, `${eol}${indent}${t}`);
    else editor.replace(root.closeStart, root.closeStart, `${eol}${indent}${t}${eol}`);
  };
  const frag = (p: Part, el: XmlElement, indent: string) => extractElement(p.doc, el, { remove: lineIndent(p.doc, el), add: indent, eol, dropXsi: true });

  if (forms.length) {
    forms.sort((a, b) => spCompare(a.path.slice(a.path.lastIndexOf("/") + 1), b.path.slice(b.path.lastIndexOf("/") + 1)) || spCompare(a.path, b.path));
    const order: string[] = [];
    const byType = new Map<string, { part: Part; el: XmlElement }[]>();
    for (const f of forms) {
      const els = unwrapRoot(f.doc, "systemform", ["forms"], loc);
      if (!byType.has(f.type)) {
        byType.set(f.type, []);
        order.push(f.type);
      }
      for (const el of els) byType.get(f.type)!.push({ part: f, el });
    }
    fill("FormXml", (ind) => {
      const i1 = ind + unit;
      const i2 = i1 + unit;
      let t = "<FormXml>";
      for (const type of order) {
        t += `${eol}${i1}<forms type="${type}">`;
        for (const { part, el } of byType.get(type)!) t += `${eol}${i2}${frag(part, el, i2)}`;
        t += `${eol}${i1}</forms>`;
      }
      return `${t}${eol}${ind}</FormXml>`;
    });
  }
  if (views.length) {
    views.sort((a, b) => spCompare(a.path, b.path));
    fill("SavedQueries", (ind) => {
      const i1 = ind + unit;
      const i2 = i1 + unit;
      let t = `<SavedQueries>${eol}${i1}<savedqueries>`;
      for (const v of views) for (const el of unwrapRoot(v.doc, "savedquery", ["savedqueries"], loc)) t += `${eol}${i2}${frag(v, el, i2)}`;
      return `${t}${eol}${i1}</savedqueries>${eol}${ind}</SavedQueries>`;
    });
  }
  if (charts.length) {
    charts.sort((a, b) => spCompare(a.path, b.path));
    fill("Visualizations", (ind) => {
      const i1 = ind + unit;
      let t = "<Visualizations>";
      for (const c of charts) for (const el of unwrapRoot(c.doc, "visualization", ["Visualizations"], loc)) t += `${eol}${i1}${frag(c, el, i1)}`;
      return `${t}${eol}${ind}</Visualizations>`;
    });
  }
  if (ribbon) {
    const r = ribbon;
    if (r.doc.root.name !== "RibbonDiffXml") throw badRoot(loc, r.doc, `the root element is <${r.doc.root.name}>; RibbonDiff.xml holds one <RibbonDiffXml>`);
    fill("RibbonDiffXml", (ind) => extractElement(r.doc, r.doc.root, { remove: "", add: ind, eol, dropXsi: true }));
  }
  return editor.result();
}
