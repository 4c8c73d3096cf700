/**
 * Moving an element between customizations.xml and a document of its own, the way SolutionPackager
 * does: the split-out document carries a UTF-8 BOM, an XML declaration and xmlns:xsi on its root.
 * Both directions are exact inverses for documents indented consistently (server exports are), so
 * that unpack then pack gives back customizations.xml byte for byte.
 */
import { elements, lineIndent } from "../xml/dom.js";
import { XmlEditor } from "../xml/edit.js";
import { parseXmlBytes, type XmlDocument, type XmlElement } from "../xml/parse.js";
import { elementDocument, extractElement, XSI_NS } from "./docs.js";

export { XSI_NS };

/**
 * The bytes of an element as a document of its own (SolutionPackager form). Indentation is shifted
 * only in whitespace that is indentation (src/layout/docs.ts): multi-line text (a step's
 * Configuration holding an XML document, a description) keeps every character.
 */
export function elementToDocument(doc: XmlDocument, el: XmlElement, opts: { xmlnsXsi?: boolean } = {}): Buffer {
  return elementDocument(doc, el, { xsi: opts.xmlnsXsi !== false });
}

/**
 * The text of a split-out document's root element, ready to stand inside `host` at `indent`:
 * declaration and BOM dropped, xmlns:xsi dropped when the host root declares it, line endings and
 * indentation those of the host.
 */
export function documentToFragment(fileDoc: XmlDocument, host: XmlDocument, indent: string): string {
  const hostHasXsi = host.root.attrs.some((a) => a.name === "xmlns:xsi" && a.value === XSI_NS);
  return extractElement(fileDoc, fileDoc.root, { remove: "", add: indent, dropXsi: hostHasXsi, eol: host.eol });
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
