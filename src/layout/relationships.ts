/**
 * Relationships in the SolutionPackager layout:
 *   Other/Relationships.xml               <EntityRelationships> with one <EntityRelationship Name="..." /> per
 *                                         relationship, in the order of the export
 *   Other/Relationships/<Table>.xml       the full <EntityRelationship> elements of one table: the referenced
 *                                         table of a 1:N, the first table of an N:N (SolutionPackager docs;
 *                                         checked against the CoE, devkeydet and WaelHamze trees)
 * Pack rebuilds <EntityRelationships> in the order of Other/Relationships.xml.
 */
import { attr, elements, indentUnit } from "../xml/dom.js";
import type { XmlDocument, XmlElement } from "../xml/parse.js";
import type { Splitter } from "./types.js";
import { badRoot, childValue, documentBytes, extractElement, parseTreeDoc, safeSegment, stubOf, wrappedDocument, XSI_NS } from "./docs.js";
import { fillSectionAt, lower, removeMoved, section, sectionChildIndent } from "./common.js";
import { spCompare, upperOrdinal } from "./order.js";
import { DvsolError } from "../errors.js";
import { finding } from "../findings/catalog.js";
import "./findings.js";

export const RELATIONSHIPS_LIST = "Other/Relationships.xml";
const DEF_RE = /^Other\/Relationships\/[^/]+\.xml$/;

export const relationshipSplitter: Splitter = {
  id: "relationships",

  split(ctx) {
    const sec = section(ctx, "EntityRelationships");
    if (!sec) return;
    const doc = ctx.cust;
    const unit = indentUnit(doc);
    const rels = elements(sec);
    if (rels.length === 0) {
      // `<EntityRelationships></EntityRelationships>` is what pack writes for an empty list file.
      if (!sec.selfClosing && doc.text.slice(sec.openEnd, sec.closeStart).trim() === "") {
        ctx.emit(RELATIONSHIPS_LIST, documentBytes(`<EntityRelationships xmlns:xsi="${XSI_NS}" />`, doc.eol));
        ctx.custEditor.replace(sec.start, sec.end, "<EntityRelationships />");
      }
      return;
    }
    const groups = new Map<string, { name: string; rels: XmlElement[] }>();
    const moved: XmlElement[] = [];
    const names = new Set<string>();
    for (const r of rels) {
      if (r.name !== "EntityRelationship") continue;
      const name = attr(r, "Name");
      const owner = safeSegment(childValue(r, "ReferencedEntityName") ?? childValue(r, "FirstEntityName"));
      if (!name || !owner || names.has(name)) continue;
      names.add(name);
      let g = groups.get(lower(owner));
      if (!g) groups.set(lower(owner), (g = { name: owner, rels: [] }));
      g.rels.push(r);
      moved.push(r);
    }
    if (moved.length === 0) return;
    const stubs = moved.map((r) => doc.eol + unit + stubOf(doc, r)).join("");
    ctx.emit(RELATIONSHIPS_LIST, documentBytes(`<EntityRelationships xmlns:xsi="${XSI_NS}">${stubs}${doc.eol}</EntityRelationships>`, doc.eol));
    for (const g of groups.values()) ctx.emit(`Other/Relationships/${g.name}.xml`, wrappedDocument(doc, "EntityRelationships", g.rels, unit, { xsi: true }));
    removeMoved(ctx, sec, moved);
  },

  async merge(ctx) {
    const loc = ctx.source.location;
    const listFile = ctx.source.find(RELATIONSHIPS_LIST);
    const defFiles = ctx.source.files.filter((f) => DEF_RE.test(f.path)).sort((a, b) => spCompare(a.path, b.path));
    if (!listFile && defFiles.length === 0) return;
    const defs = new Map<string, { doc: XmlDocument; el: XmlElement; path: string }>();
    for (const f of defFiles) {
      ctx.claim(f.path);
      const doc = parseTreeDoc(await f.read(), loc, f.path);
      if (doc.root.name !== "EntityRelationships") throw badRoot(loc, doc, `the root element is <${doc.root.name}>; expected <EntityRelationships>`);
      for (const el of elements(doc.root)) {
        const name = attr(el, "Name");
        if (el.name !== "EntityRelationship" || !name) throw badRoot(loc, doc, `<${el.name}> at line ${el.line} is not an <EntityRelationship Name="...">`);
        const prev = defs.get(name);
        if (prev) {
          throw new DvsolError("SOLUTION_DUPLICATE_ID", `relationship ${name} is defined twice: in ${prev.path} and in ${f.path}`, { file: loc, entry: f.path, line: el.line });
        }
        defs.set(name, { doc, el, path: f.path });
      }
    }
    const indent = sectionChildIndent(ctx, "EntityRelationships");
    const eol = ctx.cust.eol;
    const fragments: string[] = [];
    const done = new Set<string>();
    if (listFile) {
      ctx.claim(listFile.path);
      const list = parseTreeDoc(await listFile.read(), loc, listFile.path);
      if (list.root.name !== "EntityRelationships") throw badRoot(loc, list, `the root element is <${list.root.name}>; expected <EntityRelationships>`);
      for (const stub of elements(list.root)) {
        const name = attr(stub, "Name");
        if (!name || done.has(name)) continue;
        done.add(name);
        const d = defs.get(name);
        if (d) fragments.push(extractElement(d.doc, d.el, { remove: lineIndentIn(d.doc, d.el), add: indent, eol }));
        else {
          ctx.report(finding("LAYOUT_RELATIONSHIP_UNLISTED", { name, problem: `is listed in ${RELATIONSHIPS_LIST} but no file under Other/Relationships/ defines it; the list entry is packed as it is` }, { location: { file: loc, entry: listFile.path, line: stub.line } }));
          fragments.push(extractElement(list, stub, { remove: lineIndentIn(list, stub), add: indent, eol }));
        }
      }
    }
    const rest = [...defs.entries()].filter(([n]) => !done.has(n)).sort((a, b) => upperOrdinal(a[0], b[0]));
    for (const [name, d] of rest) {
      if (listFile) ctx.report(finding("LAYOUT_RELATIONSHIP_UNLISTED", { name, problem: `is defined in ${d.path} but not listed in ${RELATIONSHIPS_LIST}; it is packed after the listed ones` }, { location: { file: loc, entry: d.path, line: d.el.line } }));
      fragments.push(extractElement(d.doc, d.el, { remove: lineIndentIn(d.doc, d.el), add: indent, eol }));
    }
    fillSectionAt(ctx, "EntityRelationships", fragments, { emptyMarker: !!listFile });
  },
};

function lineIndentIn(doc: XmlDocument, el: XmlElement): string {
  let i = el.start;
  const s = doc.text;
  while (i > 0 && (s[i - 1] === " " || s[i - 1] === "\t")) i--;
  return i > 0 && s[i - 1] !== "\n" ? "" : s.slice(i, el.start);
}
