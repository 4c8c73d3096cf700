/**
 * Reports in the SolutionPackager layout (Microsoft's "Solution component file reference"; the shapes
 * checked against a pac-unpacked tree):
 *   Reports/ReportSignatureIdMappings.xml                 the <ReportSignatureIdMappings> element
 *   Reports/<languagecode>/<reportid>/<filename>.data.xml  one <Report>
 *   Reports/<languagecode>/<reportid>/<filename>           the report definition (zip: <ExportedFileName>)
 * Anything else in <Reports> stays in Customizations.xml.
 */
import { elements } from "../xml/dom.js";
import type { XmlDocument, XmlElement } from "../xml/parse.js";
import type { Splitter } from "./types.js";
import { badRoot, childValue, elementDocument, extractElement, parseTreeDoc, safeSegment } from "./docs.js";
import { entryPath, expectEntry, fillSectionAt, hostHasXsi, lower, removeMoved, resolveFile, section, sectionChildIndent } from "./common.js";
import { spCompare } from "./order.js";

const MAPPINGS = "Reports/ReportSignatureIdMappings.xml";
const DATA_RE = /^Reports\/[^/]+\/[^/]+\/[^/]+\.data\.xml$/;

function reportPath(el: XmlElement): string | null {
  const lc = safeSegment(childValue(el, "languagecode"));
  const id = safeSegment(childValue(el, "reportid"));
  const fn = safeSegment(childValue(el, "filename"));
  if (!lc || !id || !fn || !entryPath(childValue(el, "ExportedFileName"))) return null;
  return `Reports/${lc}/${id}/${fn}`;
}

export const reportSplitter: Splitter = {
  id: "reports",

  split(ctx) {
    const sec = section(ctx, "Reports");
    if (!sec) return;
    const moved: XmlElement[] = [];
    const used = new Set<string>();
    for (const el of elements(sec)) {
      if (el.name === "ReportSignatureIdMappings" && !used.has(MAPPINGS)) {
        used.add(MAPPINGS);
        ctx.emit(MAPPINGS, elementDocument(ctx.cust, el, { xsi: false }));
        moved.push(el);
      } else if (el.name === "Report") {
        const p = reportPath(el);
        if (!p || used.has(lower(p))) continue;
        used.add(lower(p));
        ctx.emit(`${p}.data.xml`, elementDocument(ctx.cust, el, { xsi: false }));
        const entry = entryPath(childValue(el, "ExportedFileName"))!;
        const f = ctx.source.get(entry) ?? ctx.source.find(entry);
        if (f) {
          ctx.claim(f.path);
          ctx.emit(p, { from: f });
        }
        moved.push(el);
      }
    }
    removeMoved(ctx, sec, moved);
  },

  async merge(ctx) {
    const loc = ctx.source.location;
    const parts: { path: string; doc: XmlDocument }[] = [];
    let mappings: XmlDocument | undefined;
    for (const f of ctx.source.files) {
      if (f.path === MAPPINGS) {
        ctx.claim(f.path);
        mappings = parseTreeDoc(await f.read(), loc, f.path);
        if (mappings.root.name !== "ReportSignatureIdMappings") throw badRoot(loc, mappings, `the root element is <${mappings.root.name}>; expected <ReportSignatureIdMappings>`);
      } else if (DATA_RE.test(f.path)) {
        let doc: XmlDocument;
        try {
          doc = parseTreeDoc(await f.read(), loc, f.path);
        } catch {
          continue;
        }
        if (doc.root.name !== "Report") continue;
        ctx.claim(f.path);
        parts.push({ path: f.path, doc });
      }
    }
    if (!mappings && parts.length === 0) return;
    parts.sort((a, b) => spCompare(a.path, b.path));
    const indent = sectionChildIndent(ctx, "Reports");
    const eol = ctx.cust.eol;
    const dropXsi = hostHasXsi(ctx.cust);
    const fragments: string[] = [];
    if (mappings) fragments.push(extractElement(mappings, mappings.root, { remove: "", add: indent, eol, dropXsi }));
    for (const p of parts) {
      fragments.push(extractElement(p.doc, p.doc.root, { remove: "", add: indent, eol, dropXsi }));
      const entry = entryPath(childValue(p.doc.root, "ExportedFileName"));
      if (!entry) continue;
      const content = p.path.slice(0, -".data.xml".length);
      ctx.claim(content);
      const f = resolveFile(ctx, content);
      if (f) {
        ctx.claim(f.path);
        ctx.emit(entry, { from: f });
      }
      expectEntry(ctx, entry, content, `report ${childValue(p.doc.root, "name") ?? content}`);
    }
    fillSectionAt(ctx, "Reports", fragments);
  },
};
