/**
 * Moving an element between customizations.xml and a document of its own, the way SolutionPackager
 * does: the split-out document carries a UTF-8 BOM, an XML declaration and xmlns:xsi on its root.
 * Both directions are exact inverses for documents indented consistently (server exports are), so
 * that unpack then pack gives back customizations.xml byte for byte.
 */
import { elements, lineIndent } from "../xml/dom.js";
import { XmlEditor, dedent, reindent } from "../xml/edit.js";
import { encodeXmlText, parseXmlBytes, type XmlDocument, type XmlElement } from "../xml/parse.js";

export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';

/** The bytes of an element as a document of its own (SolutionPackager form). */
export function elementToDocument(doc: XmlDocument, el: XmlElement, opts: { xmlnsXsi?: boolean } = {}): Buffer {
  const raw = doc.text.slice(el.start, el.end);
  const ind = lineIndent(doc, el);
  let body = dedent(raw, ind) ?? raw;
  if (opts.xmlnsXsi !== false && !el.attrs.some((a) => a.name === "xmlns:xsi")) {
    // Insert after the last attribute of the start tag (offsets relative to the element).
    const at = (el.attrs.length ? el.attrs[el.attrs.length - 1]!.end : el.start + 1 + el.name.length) - el.start;
    body = body.slice(0, at) + ` xmlns:xsi="${XSI_NS}"` + body.slice(at);
  }
  return encodeXmlText(XML_DECL + doc.eol + body, "utf-8", true);
}

/**
 * The text of a split-out document's root element, ready to stand inside `host` at `indent`:
 * declaration and BOM dropped, xmlns:xsi dropped when the host root declares it, line endings and
 * indentation those of the host.
 */
export function documentToFragment(fileDoc: XmlDocument, host: XmlDocument, indent: string): string {
  const root = fileDoc.root;
  let text = fileDoc.text.slice(root.start, root.end);
  const xsi = root.attrs.find((a) => a.name === "xmlns:xsi");
  const hostHasXsi = host.root.attrs.some((a) => a.name === "xmlns:xsi" && a.value === XSI_NS);
  if (xsi && hostHasXsi && xsi.value === XSI_NS) {
    let s = xsi.start;
    while (s > root.start && /\s/.test(fileDoc.text[s - 1]!)) s--;
    text = text.slice(0, s - root.start) + text.slice(xsi.end - root.start);
  }
  // Normalise to the host's line endings.
  text = text.replace(/\r\n/g, "\n");
  if (host.eol === "\r\n") text = text.replace(/\n/g, "\r\n");
  return reindent(text, indent, host.eol);
}

export function parseFragmentFile(bytes: Buffer, file: string, entry: string): XmlDocument {
  return parseXmlBytes(bytes, { file, entry });
}

/** Replaces a section's element children with nothing: `<X>...</X>` becomes `<X />`. */
export function emptySection(editor: XmlEditor, section: XmlElement): void {
  if (elements(section).length === 0) return;
  const open = editor.doc.text.slice(section.start, section.openEnd).replace(/\s*\/?>$/, "");
  editor.replace(section.start, section.end, `${open} />`);
}

/**
 * Fills a section with fragments (already indented for the child level), after any children it
 * already has. `<X />` becomes `<X>` eol children eol indent `</X>`.
 */
export function fillSection(editor: XmlEditor, section: XmlElement, fragments: string[]): void {
  if (fragments.length === 0) return;
  const doc = editor.doc;
  const eol = doc.eol;
  const childIndent = editor.childIndent(section);
  const body = fragments.map((f) => eol + childIndent + f).join("");
  const kids = elements(section);
  if (kids.length) {
    const last = kids[kids.length - 1]!;
    editor.replace(last.end, last.end, body);
    return;
  }
  const secIndent = lineIndent(doc, section);
  const open = doc.text.slice(section.start, section.openEnd).replace(/\s*\/?>$/, ">");
  editor.replace(section.start, section.end, `${open}${body}${eol}${secIndent}</${section.name}>`);
}
