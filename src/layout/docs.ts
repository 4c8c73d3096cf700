/**
 * Moving elements between customizations.xml and documents of their own, as splices of the source
 * text. Indentation is shifted only inside whitespace that is indentation (whitespace-only text
 * between elements, whitespace between attributes): text content, CDATA, comments and attribute
 * values never change, so a multi-line description or script keeps every character.
 *
 * Split-out documents take SolutionPackager's form: UTF-8 BOM, `<?xml version="1.0" encoding="utf-8"?>`,
 * the root (optionally) declaring xmlns:xsi, no final line break.
 */
import { applyEdits, type TextEdit } from "../xml/edit.js";
import { encodeXmlText, markupWhitespace, parseXmlBytes, type XmlDocument, type XmlElement } from "../xml/parse.js";
import { elements, lineIndent } from "../xml/dom.js";
import { DvsolError } from "../errors.js";

export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
export const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';
const XSI_ATTR = ` xmlns:xsi="${XSI_NS}"`;

/** Offsets [start, end) of the whitespace that is indentation inside `el` (its own tag included). */
export function indentRegions(doc: XmlDocument, el: XmlElement, skip?: ReadonlySet<XmlElement>): [number, number][] {
  // Whitespace between the name and the attributes, between attributes, before ">" or "/>", and whitespace-only
  // text; read from the parser's tables (no object for each descendant). Whitespace inside the end tag
  // "</name   >" is not indentation anyone writes; left alone.
  return markupWhitespace(doc, el, skip);
}

function isBlank(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/**
 * Changes the indentation after every line break of a whitespace run: drop `remove` (if there), add
 * `add`. Blank lines inside the run stay blank (as xml/edit.ts reindent leaves them), so that
 * removing and adding are exact inverses.
 */
function shiftWhitespace(ws: string, remove: string, add: string): string {
  let nl = ws.indexOf("\n");
  if (nl < 0) return ws;
  // A hand-written scan: a regular expression with a replacer function cost ~7% of a large unpack.
  let out = "";
  let from = 0;
  while (nl >= 0) {
    let j = nl + 1;
    while (j < ws.length && (ws.charCodeAt(j) === 0x20 || ws.charCodeAt(j) === 0x09)) j++;
    const ind = ws.slice(nl + 1, j);
    const blank = ws.charCodeAt(j) === 0x0a || (ws.charCodeAt(j) === 0x0d && ws.charCodeAt(j + 1) === 0x0a);
    const rest = remove && ind.startsWith(remove) ? ind.slice(remove.length) : ind;
    out += ws.slice(from, nl) + (blank && rest === "" ? "\n" : "\n" + add + rest);
    from = j;
    nl = ws.indexOf("\n", j);
  }
  return out + ws.slice(from);
}

export interface ExtractOptions {
  /** Indentation to remove after each line break (the element's own indentation). */
  remove: string;
  /** Indentation to add after each line break. */
  add: string;
  /** Descendants to replace as a whole by the given text (placeholders, filled sections). */
  replace?: Map<XmlElement, string>;
  /** Line ending to use in the result (converts CRLF/LF everywhere). */
  eol?: "\r\n" | "\n";
  /** Add xmlns:xsi to the element's start tag (unless it declares it already). */
  addXsi?: boolean;
  /** Remove xmlns:xsi (with the XSI namespace) from the element's start tag. */
  dropXsi?: boolean;
}

/** The text of `el`, re-indented, with some descendants replaced. */
export function extractElement(doc: XmlDocument, el: XmlElement, opts: ExtractOptions): string {
  const skip = new Set(opts.replace?.keys() ?? []);
  const edits: TextEdit[] = [];
  // Removing and adding no indentation changes nothing: no need to look at the whitespace at all.
  if (opts.remove || opts.add) for (const [a, b] of indentRegions(doc, el, skip)) {
    const ws = doc.text.slice(a, b);
    const t = shiftWhitespace(ws, opts.remove, opts.add);
    if (t !== ws) edits.push({ start: a - el.start, end: b - el.start, text: t });
  }
  for (const [r, text] of opts.replace ?? []) edits.push({ start: r.start - el.start, end: r.end - el.start, text });
  const xsi = el.attrs.find((a) => a.name === "xmlns:xsi");
  if (opts.addXsi && !xsi) {
    const at = (el.attrs.length ? el.attrs[el.attrs.length - 1]!.end : el.start + 1 + el.name.length) - el.start;
    edits.push({ start: at, end: at, text: XSI_ATTR });
  }
  if (opts.dropXsi && xsi && xsi.value === XSI_NS) {
    let st = xsi.start;
    while (st > el.start && /\s/.test(doc.text[st - 1]!)) st--;
    edits.push({ start: st - el.start, end: xsi.end - el.start, text: "" });
  }
  let text = applyEdits(doc.text.slice(el.start, el.end), edits);
  if (opts.eol) text = convertEol(text, opts.eol);
  return text;
}

export function convertEol(text: string, eol: "\r\n" | "\n"): string {
  const lf = text.replace(/\r\n/g, "\n");
  return eol === "\n" ? lf : lf.replace(/\n/g, "\r\n");
}

/** A document of its own: BOM, declaration, body, no final line break. */
export function documentBytes(body: string, eol: string): Buffer {
  return encodeXmlText(XML_DECL + eol + body, "utf-8", true);
}

/** `el` as a document of its own, indentation relative to its start. */
export function elementDocument(doc: XmlDocument, el: XmlElement, opts: { xsi: boolean; replace?: Map<XmlElement, string> }): Buffer {
  const body = extractElement(doc, el, { remove: lineIndent(doc, el), add: "", replace: opts.replace, addXsi: opts.xsi });
  return documentBytes(body, doc.eol);
}

/**
 * Children of a host element gathered under a new root of the given name (a wrapper such as
 * `<forms>` around one `<systemform>`, or `<EntityRelationships>` around some relationships).
 */
export function wrappedDocument(doc: XmlDocument, rootName: string, children: XmlElement[], unit: string, opts: { xsi: boolean }): Buffer {
  const eol = doc.eol;
  const open = `<${rootName}${opts.xsi ? XSI_ATTR : ""}`;
  if (children.length === 0) return documentBytes(`${open} />`, eol);
  const parts = children.map((c) => eol + unit + extractElement(doc, c, { remove: lineIndent(doc, c), add: unit }));
  return documentBytes(`${open}>${parts.join("")}${eol}</${rootName}>`, eol);
}

/** Parses a tree file; a DvsolError names the file. */
export function parseTreeDoc(bytes: Buffer, file: string, entry: string): XmlDocument {
  return parseXmlBytes(bytes, { file, entry });
}

/** The element a file contributes: its root, or the single child of a wrapper root. */
export function unwrapRoot(doc: XmlDocument, expect: string, wrappers: readonly string[], file: string): XmlElement[] {
  const root = doc.root;
  if (root.name === expect) return [root];
  if (wrappers.includes(root.name)) {
    const kids = elements(root);
    const bad = kids.find((k) => k.name !== expect);
    if (bad) throw badRoot(file, doc, `<${root.name}> holds <${bad.name}>; expected only <${expect}>`);
    return kids;
  }
  throw badRoot(file, doc, `the root element is <${root.name}>; expected <${expect}>${wrappers.length ? ` (or <${wrappers.join("> or <")}> around it)` : ""}`);
}

export function badRoot(file: string, doc: XmlDocument, message: string): DvsolError {
  return new DvsolError("SOLUTION_BAD_COMPONENT", message, { file, entry: doc.source.entry, line: doc.root.line });
}

/** Text of a named child element, trimmed; undefined when absent or empty. */
export function childValue(el: XmlElement, name: string): string | undefined {
  for (const c of el.children) {
    if (c.type === "element" && c.name === name) {
      let t = "";
      for (const k of c.children) if (k.type === "text" || k.type === "cdata") t += k.value;
      t = t.trim();
      return t || undefined;
    }
  }
  return undefined;
}

/** Whether an element holds only elements (and indentation): nothing a file split could lose. */
export function onlyElements(doc: XmlDocument, el: XmlElement): boolean {
  for (const c of el.children) {
    if (c.type === "element") continue;
    if (c.type === "text" && isBlank(doc.text, c.start, c.end)) continue;
    return false;
  }
  return true;
}

/** The placeholder SolutionPackager leaves behind: `<Name />` with the element's own attributes. */
export function placeholder(doc: XmlDocument, el: XmlElement): string {
  const open = doc.text.slice(el.start, el.openEnd).replace(/\s*\/?>$/, "");
  return `${open} />`;
}

/** Whether the element is written `<X />` (or `<X/>`). */
export function isSelfClosing(el: XmlElement): boolean {
  return el.selfClosing;
}

/** A start tag turned into an empty element: `<X a="1">` -> `<X a="1" />`. */
export function stubOf(doc: XmlDocument, el: XmlElement): string {
  return placeholder(doc, el);
}

/** Safe path segment for a component name taken from XML (null when it cannot be a file name). */
export function safeSegment(name: string | undefined): string | null {
  if (!name) return null;
  if (name === "." || name === ".." || /[\\/:*?"<>|\u0000-\u001f]/.test(name) || /[. ]$/.test(name)) return null;
  return name;
}

/** Safe relative path made of `/`-separated segments (web resource names). */
export function safeRelPath(p: string | undefined): string | null {
  if (!p) return null;
  const segs = p.split("/");
  for (const s of segs) if (!safeSegment(s)) return null;
  return p;
}
