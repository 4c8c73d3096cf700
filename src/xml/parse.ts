/**
 * A small XML parser that keeps the source. Every node records where it starts and ends in the
 * decoded text, so that edits are splices of the original text: what an edit does not touch keeps
 * its bytes (attribute quoting, whitespace, comments, line endings, BOM).
 *
 * Why not fast-xml-parser: its object model drops the formatting a byte-identical round trip and a
 * surgical git diff need (whitespace between attributes, quote style, empty-element form, CRLF),
 * measured in test/xml/fidelity.test.ts. fast-xml-parser stays the independent oracle that the
 * tests compare this parser's reading against.
 *
 * Security: DOCTYPE (and so every entity declaration) is refused; only the five predefined entities
 * and character references are expanded; nesting depth is bounded.
 */
import { DvsolError } from "../errors.js";

export interface XmlAttr {
  name: string;
  /** Decoded value. */
  value: string;
  /** Offsets of the raw value between the quotes. */
  valueStart: number;
  valueEnd: number;
  /** Offset of the attribute name (start of the whole attribute). */
  start: number;
  /** Offset just after the closing quote. */
  end: number;
  quote: '"' | "'";
}

export interface XmlElement {
  type: "element";
  name: string;
  attrs: XmlAttr[];
  children: XmlNode[];
  parent: XmlElement | null;
  /** Offset of "<". */
  start: number;
  /** Offset just after the ">" of the start tag (or of "/>"). */
  openEnd: number;
  /** Offset of "</" (equals openEnd when self-closing). */
  closeStart: number;
  /** Offset just after the element. */
  end: number;
  selfClosing: boolean;
  /** 1-based line of "<", for messages. */
  line: number;
}

export interface XmlText {
  type: "text" | "cdata" | "comment" | "pi";
  start: number;
  end: number;
  /** Decoded text for "text" and "cdata"; raw inner text for comments and PIs. */
  value: string;
}

export type XmlNode = XmlElement | XmlText;

export type XmlEncoding = "utf-8" | "utf-16le" | "utf-16be";

export interface XmlDocument {
  /** Decoded text without the BOM. */
  text: string;
  bom: boolean;
  encoding: XmlEncoding;
  /** The dominant line ending: what new lines should use. */
  eol: "\r\n" | "\n";
  /** Whether the text starts with an XML declaration. */
  hasDeclaration: boolean;
  root: XmlElement;
  /** For error messages: the file (and entry) this came from. */
  source: XmlSource;
}

export interface XmlSource {
  file?: string;
  entry?: string;
}

export interface XmlParseLimits {
  maxDepth: number;
  maxSize: number;
}

export const DEFAULT_XML_LIMITS: XmlParseLimits = { maxDepth: 1000, maxSize: 2 * 1024 * 1024 * 1024 - 1 };

/** Decodes bytes to text, recognising a UTF-8 or UTF-16 BOM. Refuses encodings it cannot round-trip. */
export function decodeXmlBytes(bytes: Uint8Array, source: XmlSource = {}): { text: string; bom: boolean; encoding: XmlEncoding } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: utf8(bytes.subarray(3), source), bom: true, encoding: "utf-8" };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder("utf-16le", { fatal: false }).decode(bytes.subarray(2)), bom: true, encoding: "utf-16le" };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder("utf-16be", { fatal: false }).decode(bytes.subarray(2)), bom: true, encoding: "utf-16be" };
  }
  if (bytes.length >= 2 && ((bytes[0] === 0 && bytes[1] === 0x3c) || (bytes[0] === 0x3c && bytes[1] === 0))) {
    throw new DvsolError("XML_ENCODING", "the document looks like UTF-16 without a byte order mark", { ...source, line: 1, column: 1 });
  }
  return { text: utf8(bytes, source), bom: false, encoding: "utf-8" };
}

function utf8(bytes: Uint8Array, source: XmlSource): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Locate the first undecodable sequence for the message: lenient decoding marks it with U+FFFD.
    const lenient = new TextDecoder("utf-8").decode(bytes);
    const bad = lenient.indexOf("\uFFFD");
    const { line, column } = lineColumn(lenient, Math.max(0, bad));
    throw new DvsolError("XML_ENCODING", "the document is not valid UTF-8", { ...source, line, column });
  }
}

/** Encodes text back to bytes with the document's BOM and encoding. */
export function encodeXmlText(text: string, encoding: XmlEncoding, bom: boolean): Buffer {
  if (encoding === "utf-8") {
    const body = Buffer.from(text, "utf8");
    return bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
  }
  const le = Buffer.from(text, "utf16le");
  if (encoding === "utf-16be") le.swap16();
  const mark = encoding === "utf-16le" ? Buffer.from([0xff, 0xfe]) : Buffer.from([0xfe, 0xff]);
  return bom ? Buffer.concat([mark, le]) : le;
}

export function parseXmlBytes(bytes: Uint8Array, source: XmlSource = {}, limits: Partial<XmlParseLimits> = {}): XmlDocument {
  const { text, bom, encoding } = decodeXmlBytes(bytes, source);
  return parseXml(text, source, limits, bom, encoding);
}

export function parseXml(
  text: string,
  source: XmlSource = {},
  limits: Partial<XmlParseLimits> = {},
  bom = false,
  encoding: XmlEncoding = "utf-8",
): XmlDocument {
  const lim = { ...DEFAULT_XML_LIMITS, ...limits };
  if (text.length > lim.maxSize) throw new DvsolError("XML_LIMIT", `the document is larger than ${lim.maxSize} characters`, source);
  const p = new Parser(text, source, lim);
  const root = p.document();
  const declared = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(text)?.[1]?.toLowerCase();
  if (declared && !["utf-8", "utf8", "us-ascii", "ascii", "utf-16", "unicode"].includes(declared)) {
    throw new DvsolError("XML_ENCODING", `the document declares encoding "${declared}"; dvsol reads UTF-8 and UTF-16`, { ...source, line: 1, column: 1 });
  }
  if (declared && declared.startsWith("utf-16") && encoding === "utf-8") {
    throw new DvsolError("XML_ENCODING", `the document declares encoding "${declared}" but has no UTF-16 byte order mark`, { ...source, line: 1, column: 1 });
  }
  const crlf = text.indexOf("\r\n");
  const lf = text.indexOf("\n");
  const eol = crlf >= 0 && crlf <= lf - 1 ? "\r\n" : lf >= 0 ? "\n" : "\r\n";
  return { text, bom, encoding, eol, hasDeclaration: text.startsWith("<?xml"), root, source };
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;

class Parser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly source: XmlSource,
    private readonly limits: XmlParseLimits,
  ) {}

  document(): XmlElement {
    const s = this.s;
    let root: XmlElement | null = null;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x3c /* < */) {
        if (s.startsWith("<?", this.i)) this.pi();
        else if (s.startsWith("<!--", this.i)) this.comment();
        else if (s.startsWith("<!DOCTYPE", this.i) || s.startsWith("<!doctype", this.i) || s.startsWith("<!ENTITY", this.i)) {
          throw this.error("XML_DOCTYPE", "the document declares a DOCTYPE; dvsol refuses DOCTYPE and entity declarations");
        } else if (s.startsWith("<!", this.i)) throw this.error("XML_MALFORMED", "unexpected markup declaration outside the root element");
        else {
          if (root) throw this.error("XML_MALFORMED", `a second root element after </${root.name}>`);
          root = this.element(null, 1);
        }
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) {
        this.i++;
      } else {
        throw this.error("XML_MALFORMED", root ? "text after the root element" : "text before the root element");
      }
    }
    if (!root) throw this.error("XML_MALFORMED", "the document has no root element");
    return root;
  }

  private element(parent: XmlElement | null, depth: number): XmlElement {
    if (depth > this.limits.maxDepth) throw this.error("XML_LIMIT", `elements are nested deeper than ${this.limits.maxDepth} levels`, parent);
    // Iterative over children to keep the JS stack shallow for wide documents; recursion only for depth.
    const s = this.s;
    const start = this.i;
    const line = this.lineAt(start);
    this.i++; // <
    const name = this.name(parent);
    const el: XmlElement = {
      type: "element",
      name,
      attrs: [],
      children: [],
      parent,
      start,
      openEnd: 0,
      closeStart: 0,
      end: 0,
      selfClosing: false,
      line,
    };
    // attributes
    for (;;) {
      const ws = this.skipWs();
      const c = s.charCodeAt(this.i);
      if (c === 0x3e /* > */) {
        this.i++;
        break;
      }
      if (c === 0x2f /* / */ && s.charCodeAt(this.i + 1) === 0x3e) {
        this.i += 2;
        el.selfClosing = true;
        break;
      }
      if (Number.isNaN(c)) throw this.error("XML_MALFORMED", `the start tag <${name}> is not closed before the end of the document`, el);
      if (!ws) throw this.error("XML_MALFORMED", `expected whitespace, ">" or "/>" in the start tag <${name}>`, el);
      const aStart = this.i;
      const aName = this.name(el);
      this.skipWs();
      if (s.charCodeAt(this.i) !== 0x3d /* = */) throw this.error("XML_MALFORMED", `attribute ${aName} of <${name}> has no "=" and value`, el);
      this.i++;
      this.skipWs();
      const q = s[this.i];
      if (q !== '"' && q !== "'") throw this.error("XML_MALFORMED", `attribute ${aName} of <${name}> has an unquoted value`, el);
      const vStart = ++this.i;
      const vEnd = s.indexOf(q, vStart);
      if (vEnd < 0) throw this.error("XML_MALFORMED", `attribute ${aName} of <${name}> has no closing quote`, el);
      const raw = s.slice(vStart, vEnd);
      if (raw.includes("<")) throw this.errorAt(vStart + raw.indexOf("<"), "XML_MALFORMED", `"<" is not allowed in the value of attribute ${aName}`, el);
      for (const a of el.attrs) if (a.name === aName) throw this.errorAt(aStart, "XML_MALFORMED", `attribute ${aName} appears twice on <${name}>`, el);
      this.i = vEnd + 1;
      el.attrs.push({ name: aName, value: this.decode(raw, vStart, el), valueStart: vStart, valueEnd: vEnd, start: aStart, end: this.i, quote: q });
    }
    el.openEnd = this.i;
    if (el.selfClosing) {
      el.closeStart = el.end = this.i;
      return el;
    }
    // content
    for (;;) {
      const lt = s.indexOf("<", this.i);
      if (lt < 0) throw this.error("XML_MALFORMED", `<${name}> (line ${line}) is not closed before the end of the document`, el);
      if (lt > this.i) {
        const raw = s.slice(this.i, lt);
        el.children.push({ type: "text", start: this.i, end: lt, value: raw.indexOf("&") >= 0 ? this.decode(raw, this.i, el) : raw });
        this.i = lt;
      }
      if (s.charCodeAt(lt + 1) === 0x2f /* / */) {
        el.closeStart = lt;
        this.i = lt + 2;
        const endName = this.name(el);
        if (endName !== name) throw this.errorAt(lt, "XML_MALFORMED", `</${endName}> closes <${name}> opened at line ${line}`, el);
        this.skipWs();
        if (s.charCodeAt(this.i) !== 0x3e) throw this.error("XML_MALFORMED", `expected ">" to end </${name}>`, el);
        this.i++;
        el.end = this.i;
        return el;
      }
      if (s.startsWith("<!--", lt)) el.children.push(this.comment());
      else if (s.startsWith("<![CDATA[", lt)) {
        const endC = s.indexOf("]]>", lt + 9);
        if (endC < 0) throw this.error("XML_MALFORMED", "CDATA section is not closed", el);
        el.children.push({ type: "cdata", start: lt, end: endC + 3, value: s.slice(lt + 9, endC) });
        this.i = endC + 3;
      } else if (s.startsWith("<?", lt)) el.children.push(this.pi());
      else if (s.startsWith("<!", lt)) {
        throw this.error(s.startsWith("<!DOCTYPE", lt) || s.startsWith("<!ENTITY", lt) ? "XML_DOCTYPE" : "XML_MALFORMED", "markup declarations are not allowed inside elements", el);
      } else el.children.push(this.element(el, depth + 1));
    }
  }

  private comment(): XmlText {
    const start = this.i;
    const end = this.s.indexOf("-->", start + 4);
    if (end < 0) throw this.error("XML_MALFORMED", "comment is not closed");
    this.i = end + 3;
    return { type: "comment", start, end: this.i, value: this.s.slice(start + 4, end) };
  }

  private pi(): XmlText {
    const start = this.i;
    const end = this.s.indexOf("?>", start + 2);
    if (end < 0) throw this.error("XML_MALFORMED", "processing instruction is not closed");
    this.i = end + 2;
    return { type: "pi", start, end: this.i, value: this.s.slice(start + 2, end) };
  }

  private name(ctx: XmlElement | null): string {
    const s = this.s;
    const start = this.i;
    if (!NAME_START.test(s[start] ?? "")) throw this.error("XML_MALFORMED", `expected a name, found ${JSON.stringify(s[start] ?? "end of document")}`, ctx);
    let j = start + 1;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      // name chars: letters, digits, . - _ : and non-ASCII
      if (
        (c >= 0x61 && c <= 0x7a) ||
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2e ||
        c === 0x2d ||
        c === 0x5f ||
        c === 0x3a ||
        c >= 0xb7
      )
        continue;
      break;
    }
    this.i = j;
    return s.slice(start, j);
  }

  private skipWs(): boolean {
    const s = this.s;
    const start = this.i;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
    return this.i > start;
  }

  private decode(raw: string, at: number, ctx: XmlElement | null): string {
    if (raw.indexOf("&") < 0) return raw;
    return raw.replace(/&([^;&\s]{0,12});?/g, (m, ent: string, off: number) => {
      if (!m.endsWith(";")) throw this.errorAt(at + off, "XML_MALFORMED", `"&" must start an entity reference such as &amp;`, ctx);
      switch (ent) {
        case "lt":
          return "<";
        case "gt":
          return ">";
        case "amp":
          return "&";
        case "quot":
          return '"';
        case "apos":
          return "'";
      }
      let code = NaN;
      if (/^#x[0-9a-fA-F]{1,6}$/.test(ent)) code = parseInt(ent.slice(2), 16);
      else if (/^#[0-9]{1,7}$/.test(ent)) code = parseInt(ent.slice(1), 10);
      if (Number.isFinite(code) && code <= 0x10ffff && code > 0) return String.fromCodePoint(code);
      throw this.errorAt(at + off, "XML_MALFORMED", `unknown entity &${ent}; (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)`, ctx);
    });
  }

  // Lines are counted incrementally: elements are created in increasing offset order.
  private lineOffset = 0;
  private lineCount = 1;
  private lineAt(offset: number): number {
    const s = this.s;
    if (offset < this.lineOffset) {
      this.lineOffset = 0;
      this.lineCount = 1;
    }
    let idx = s.indexOf("\n", this.lineOffset);
    while (idx >= 0 && idx < offset) {
      this.lineCount++;
      idx = s.indexOf("\n", idx + 1);
    }
    this.lineOffset = offset;
    return this.lineCount;
  }

  private error(code: "XML_MALFORMED" | "XML_DOCTYPE" | "XML_LIMIT", message: string, ctx: XmlElement | null = null): DvsolError {
    return this.errorAt(this.i, code, message, ctx);
  }

  private errorAt(offset: number, code: "XML_MALFORMED" | "XML_DOCTYPE" | "XML_LIMIT", message: string, ctx: XmlElement | null): DvsolError {
    const { line, column } = lineColumn(this.s, offset);
    return new DvsolError(code, message, { ...this.source, line, column, path: ctx ? elementPath(ctx) : undefined });
  }
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  let idx = text.indexOf("\n");
  while (idx >= 0 && idx < offset) {
    line++;
    lineStart = idx + 1;
    idx = text.indexOf("\n", idx + 1);
  }
  return { line, column: offset - lineStart + 1 };
}

/** "/ImportExportXml/SolutionManifest/Version" */
export function elementPath(el: XmlElement): string {
  const parts: string[] = [];
  for (let e: XmlElement | null = el; e; e = e.parent) parts.push(e.name);
  return "/" + parts.reverse().join("/");
}
