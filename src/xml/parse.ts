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
    // Say what the document claims to be when it names another encoding (windows-1252, iso-8859-1...).
    const declared = /^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(lenient)?.[1];
    const claim = declared && !/^utf-?8$/i.test(declared) ? `; it declares encoding "${declared}", and dvsol reads only UTF-8 and UTF-16 (with a byte order mark)` : "";
    throw new DvsolError("XML_ENCODING", `the document is not valid UTF-8${claim}`, { ...source, line, column });
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
  const scanner = new Scanner(text, source, lim);
  const root = scanner.t.make(scanner.document(), null);
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

// ---- the parser -----------------------------------------------------------------------------------------
//
// Two steps. scan() reads the whole document once, checks it (every error is raised there, with the same
// message and position as ever) and records each node's offsets in typed arrays, allocating nothing per
// node. Elements become objects only when something reaches them: `children` and `attrs` are built from the
// tables on first access, then kept. What a command does not look at (the entity sections when checking
// plug-in steps, most of a 50 MB customizations.xml) costs a few bytes per node instead of several hundred,
// and nothing for the garbage collector to trace (a profile of the allocating parser on a 9 MB
// customizations.xml showed 42% of its time in the garbage collector).

const KIND_ELEMENT = 0;
const KIND_TEXT = 1;
const KIND_CDATA = 2;
const KIND_COMMENT = 3;
const KIND_PI = 4;
const KIND_NAMES = ["element", "text", "cdata", "comment", "pi"] as const;
/** Node flag: text or attribute value with "&" (its decoded value is in `decoded`). */
const F_AMP = 1;
/** Node flag: self-closing element. Attribute flag: single-quoted. */
const F_SELF = 2;
const F_APOS = 2;

/** Strings up to this length go through the intern table (names, short values, indentation). */
const INTERN_MAX = 40;
const INTERN_SLOTS = 8192; // a power of two

type ErrCode = "XML_MALFORMED" | "XML_DOCTYPE" | "XML_LIMIT";

function growI32(a: Int32Array, min: number): Int32Array {
  const b = new Int32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}
function growU8(a: Uint8Array, min: number): Uint8Array {
  const b = new Uint8Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/** Name characters: letters, digits, . - _ : and U+00B7 and above. */
function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x5f || c === 0x3a || c >= 0xb7;
}
/** Name start characters: A-Z a-z _ : and U+00C0 and above. */
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0xc0;
}

/** The document's nodes as offsets, in document order (an element before its content). */
class Tables {
  // nodes (elements, text, CDATA, comments, PIs inside the root element)
  n = 0;
  kind: Uint8Array;
  flags: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** Elements: index into the element columns. */
  ref: Int32Array;
  // elements
  ne = 0;
  openEnd: Int32Array;
  closeStart: Int32Array;
  /** Index of the first node after the element's content (its next sibling, if any). */
  after: Int32Array;
  line: Int32Array;
  nameEnd: Int32Array;
  attrFirst: Int32Array;
  attrCount: Int32Array;
  // attributes
  na = 0;
  aStart: Int32Array;
  aNameEnd: Int32Array;
  aValStart: Int32Array;
  aValEnd: Int32Array;
  aFlags: Uint8Array;
  /** Decoded values of text nodes (by node index) and attributes (by -1 - attribute index) that hold "&". */
  readonly decoded = new Map<number, string>();
  readonly #table: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS);

  constructor(readonly s: string) {
    const nodes = Math.max(16, s.length >>> 4);
    this.kind = new Uint8Array(nodes);
    this.flags = new Uint8Array(nodes);
    this.start = new Int32Array(nodes);
    this.end = new Int32Array(nodes);
    this.ref = new Int32Array(nodes);
    const els = Math.max(16, Math.floor(s.length / 48));
    this.openEnd = new Int32Array(els);
    this.closeStart = new Int32Array(els);
    this.after = new Int32Array(els);
    this.line = new Int32Array(els);
    this.nameEnd = new Int32Array(els);
    this.attrFirst = new Int32Array(els);
    this.attrCount = new Int32Array(els);
    const attrs = Math.max(16, s.length >>> 7);
    this.aStart = new Int32Array(attrs);
    this.aNameEnd = new Int32Array(attrs);
    this.aValStart = new Int32Array(attrs);
    this.aValEnd = new Int32Array(attrs);
    this.aFlags = new Uint8Array(attrs);
  }

  /** A new node; returns its index. */
  node(kind: number, start: number, end: number): number {
    const k = this.n;
    if (k === this.kind.length) {
      const min = k + 16;
      this.kind = growU8(this.kind, min);
      this.flags = growU8(this.flags, min);
      this.start = growI32(this.start, min);
      this.end = growI32(this.end, min);
      this.ref = growI32(this.ref, min);
    }
    this.kind[k] = kind;
    this.start[k] = start;
    this.end[k] = end;
    this.n = k + 1;
    return k;
  }

  /** A new element node; returns its element index. */
  element(start: number, line: number): number {
    const node = this.node(KIND_ELEMENT, start, 0);
    const e = this.ne;
    if (e === this.openEnd.length) {
      const min = e + 16;
      this.openEnd = growI32(this.openEnd, min);
      this.closeStart = growI32(this.closeStart, min);
      this.after = growI32(this.after, min);
      this.line = growI32(this.line, min);
      this.nameEnd = growI32(this.nameEnd, min);
      this.attrFirst = growI32(this.attrFirst, min);
      this.attrCount = growI32(this.attrCount, min);
    }
    this.ref[node] = e;
    this.line[e] = line;
    this.attrFirst[e] = this.na;
    this.attrCount[e] = 0;
    this.ne = e + 1;
    return e;
  }

  attr(start: number, nameEnd: number, valStart: number, valEnd: number, flags: number): number {
    const a = this.na;
    if (a === this.aStart.length) {
      const min = a + 16;
      this.aStart = growI32(this.aStart, min);
      this.aNameEnd = growI32(this.aNameEnd, min);
      this.aValStart = growI32(this.aValStart, min);
      this.aValEnd = growI32(this.aValEnd, min);
      this.aFlags = growU8(this.aFlags, min);
    }
    this.aStart[a] = start;
    this.aNameEnd[a] = nameEnd;
    this.aValStart[a] = valStart;
    this.aValEnd[a] = valEnd;
    this.aFlags[a] = flags;
    this.na = a + 1;
    return a;
  }

  /** s.slice(start, end), shared with an earlier equal slice when short (names and indentation repeat a lot). */
  intern(start: number, end: number): string {
    const s = this.s;
    const len = end - start;
    if (len > INTERN_MAX) return s.slice(start, end);
    let h = len;
    for (let k = start; k < end; k++) h = (Math.imul(h, 31) + s.charCodeAt(k)) | 0;
    const slot = (h ^ (h >>> 13)) & (INTERN_SLOTS - 1);
    const c = this.#table[slot];
    if (c !== undefined && c.length === len && s.startsWith(c, start)) return c;
    const v = s.slice(start, end);
    this.#table[slot] = v;
    return v;
  }

  /**
   * Gives back the unused end of every column (they grow by doubling while scanning) when it is worth a copy:
   * more than half of the column. The first estimate from the document's length is usually closer (37.8 MB
   * customizations.xml: 1.69 M nodes in 2.36 M slots), and copying every column then raised the peak it was
   * meant to lower, old and new columns being alive at once (impact on large: 429 -> 403 MB peak RSS without
   * the copy; inspect: 252-287 -> 242-246 MB).
   */
  trim(): void {
    const worth = (cap: number, used: number): boolean => cap - used > 4096 && cap - used > cap >>> 1;
    const n = this.n;
    const ne = this.ne;
    const na = this.na;
    if (worth(this.kind.length, n)) {
      this.kind = this.kind.slice(0, n);
      this.flags = this.flags.slice(0, n);
      this.start = this.start.slice(0, n);
      this.end = this.end.slice(0, n);
      this.ref = this.ref.slice(0, n);
    }
    if (worth(this.openEnd.length, ne)) {
      this.openEnd = this.openEnd.slice(0, ne);
      this.closeStart = this.closeStart.slice(0, ne);
      this.after = this.after.slice(0, ne);
      this.line = this.line.slice(0, ne);
      this.nameEnd = this.nameEnd.slice(0, ne);
      this.attrFirst = this.attrFirst.slice(0, ne);
      this.attrCount = this.attrCount.slice(0, ne);
    }
    if (worth(this.aStart.length, na)) {
      this.aStart = this.aStart.slice(0, na);
      this.aNameEnd = this.aNameEnd.slice(0, na);
      this.aValStart = this.aValStart.slice(0, na);
      this.aValEnd = this.aValEnd.slice(0, na);
      this.aFlags = this.aFlags.slice(0, na);
    }
  }

  /** The element object for element node `node` (its parent made first). */
  make(node: number, parent: XmlElement | null): XmlElement {
    return new LazyElement(this, node, parent);
  }

  attrsOf(node: number): XmlAttr[] {
    const e = this.ref[node]!;
    const first = this.attrFirst[e]!;
    const count = this.attrCount[e]!;
    const out: XmlAttr[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const a = first + k;
      const start = this.aStart[a]!;
      const valueStart = this.aValStart[a]!;
      const valueEnd = this.aValEnd[a]!;
      const f = this.aFlags[a]!;
      out[k] = {
        name: this.intern(start, this.aNameEnd[a]!),
        value: f & F_AMP ? this.decoded.get(-1 - a)! : this.intern(valueStart, valueEnd),
        valueStart,
        valueEnd,
        start,
        end: valueEnd + 1,
        quote: f & F_APOS ? "'" : '"',
      };
    }
    return out;
  }

  childrenOf(node: number, el: XmlElement): XmlNode[] {
    const stop = this.after[this.ref[node]!]!;
    // Count first: an array of the exact size (most elements hold one text node, or a few elements).
    let count = 0;
    for (let j = node + 1; j < stop; count++) j = this.kind[j] === KIND_ELEMENT ? this.after[this.ref[j]!]! : j + 1;
    const out: XmlNode[] = new Array(count);
    const s = this.s;
    let k = 0;
    for (let j = node + 1; j < stop; ) {
      const kind = this.kind[j]!;
      if (kind === KIND_ELEMENT) {
        out[k++] = this.make(j, el);
        j = this.after[this.ref[j]!]!;
        continue;
      }
      const start = this.start[j]!;
      const end = this.end[j]!;
      let value: string;
      if (kind === KIND_TEXT) value = this.flags[j]! & F_AMP ? this.decoded.get(j)! : this.intern(start, end);
      else if (kind === KIND_CDATA) value = s.slice(start + 9, end - 3);
      else if (kind === KIND_COMMENT) value = s.slice(start + 4, end - 3);
      else value = s.slice(start + 2, end - 2);
      out[k++] = { type: KIND_NAMES[kind] as XmlText["type"], start, end, value };
      j++;
    }
    return out;
  }
}

/** An element read from the tables; `attrs` and `children` are built when first asked for. */
class LazyElement implements XmlElement {
  readonly type = "element" as const;
  name: string;
  parent: XmlElement | null;
  start: number;
  openEnd: number;
  closeStart: number;
  end: number;
  selfClosing: boolean;
  line: number;
  readonly #t: Tables;
  readonly #node: number;
  #attrs: XmlAttr[] | undefined;
  #children: XmlNode[] | undefined;

  constructor(t: Tables, node: number, parent: XmlElement | null) {
    const e = t.ref[node]!;
    const start = t.start[node]!;
    this.name = t.intern(start + 1, t.nameEnd[e]!);
    this.parent = parent;
    this.start = start;
    this.openEnd = t.openEnd[e]!;
    this.closeStart = t.closeStart[e]!;
    this.end = t.end[node]!;
    this.selfClosing = (t.flags[node]! & F_SELF) !== 0;
    this.line = t.line[e]!;
    this.#t = t;
    this.#node = node;
    this.#attrs = undefined;
    this.#children = undefined;
  }

  get attrs(): XmlAttr[] {
    return (this.#attrs ??= this.#t.attrsOf(this.#node));
  }
  set attrs(v: XmlAttr[]) {
    this.#attrs = v;
  }
  get children(): XmlNode[] {
    return (this.#children ??= this.#t.childrenOf(this.#node, this));
  }
  set children(v: XmlNode[]) {
    this.#children = v;
  }

  /** The tables and node index of an element this parser made (undefined for any other object). */
  static source(el: XmlElement): { t: Tables; node: number } | undefined {
    return #node in el ? { t: (el as LazyElement).#t, node: (el as LazyElement).#node } : undefined;
  }
}

// ---- queries over the tables (no object for what they pass over) -----------------------------------------

/** The child of `parent` that starts at `start` (children are in document order). */
function childAt(parent: XmlElement, start: number): XmlElement {
  const kids = parent.children;
  let lo = 0;
  let hi = kids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = kids[mid]!;
    if (k.start === start && k.type === "element") return k;
    if (k.start < start) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new Error(`internal: no child element at offset ${start}`);
}

/**
 * The elements of `el`'s subtree (el included) whose name is in `names`, in document order: what
 * `[...walk(el)].filter(e => names.has(e.name))` gives, but found in the parser's tables, so that only the
 * matches and their ancestors' child lists become objects (pack checks the file references of a 40 MB
 * customizations.xml this way).
 */
export function findElements(el: XmlElement, names: ReadonlySet<string>): XmlElement[] {
  const src = LazyElement.source(el);
  const out: XmlElement[] = [];
  if (!src) {
    const visit = (e: XmlElement): void => {
      if (names.has(e.name)) out.push(e);
      for (const c of e.children) if (c.type === "element") visit(c);
    };
    visit(el);
    return out;
  }
  const { t, node } = src;
  const end = t.after[t.ref[node]!]!;
  /** Element nodes open around j, outermost (el) first, and their objects once made. */
  const chain: number[] = [];
  const objs: (XmlElement | undefined)[] = [];
  for (let j = node; j < end; j++) {
    if (t.kind[j] !== KIND_ELEMENT) continue;
    while (chain.length && t.after[t.ref[chain[chain.length - 1]!]!]! <= j) {
      chain.pop();
      objs.pop();
    }
    const start = t.start[j]!;
    if (names.has(t.intern(start + 1, t.nameEnd[t.ref[j]!]!))) {
      // Make the chain's objects from el down, then this one.
      let parent: XmlElement | undefined = undefined;
      for (let k = 0; k < chain.length; k++) {
        objs[k] ??= k === 0 ? el : childAt(parent!, t.start[chain[k]!]!);
        parent = objs[k];
      }
      out.push(chain.length === 0 ? el : childAt(parent!, start));
    }
    chain.push(j);
    objs.push(undefined);
  }
  return out;
}

/** Only space, tab, CR and LF between a and b. */
function blankRange(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/**
 * Offsets [start, end) of the whitespace in `el` (its own tag included) that is markup, not content, in document
 * order: between an element's name and its attributes, between attributes, before ">" or "/>", and text
 * nodes of whitespace only (space, tab, CR, LF). Descendants in `skip` (and what they contain) are left out.
 * Read from the parser's tables: re-indenting an element (src/layout/docs.ts) makes no object for its
 * descendants.
 */
export function markupWhitespace(doc: XmlDocument, el: XmlElement, skip?: ReadonlySet<XmlElement>): [number, number][] {
  const out: [number, number][] = [];
  const s = doc.text;
  const src = LazyElement.source(el);
  if (!src) {
    const visit = (e: XmlElement): void => {
      let pos = e.start + 1 + e.name.length;
      for (const a of e.attrs) {
        if (a.start > pos) out.push([pos, a.start]);
        pos = a.end;
      }
      const tagEnd = e.selfClosing ? e.openEnd - 2 : e.openEnd - 1;
      if (tagEnd > pos && blankRange(s, pos, tagEnd)) out.push([pos, tagEnd]);
      for (const c of e.children) {
        if (c.type === "element") {
          if (!skip?.has(c)) visit(c);
        } else if (c.type === "text" && blankRange(s, c.start, c.end)) out.push([c.start, c.end]);
      }
    };
    visit(el);
    return out;
  }
  const { t, node } = src;
  const skipped = new Set<number>();
  for (const k of skip ?? []) {
    const o = LazyElement.source(k);
    if (o && o.t === t) skipped.add(o.node);
  }
  const end = t.after[t.ref[node]!]!;
  for (let j = node; j < end; ) {
    const kind = t.kind[j]!;
    if (kind === KIND_TEXT) {
      if (blankRange(s, t.start[j]!, t.end[j]!)) out.push([t.start[j]!, t.end[j]!]);
      j++;
      continue;
    }
    if (kind !== KIND_ELEMENT) {
      j++;
      continue;
    }
    const e = t.ref[j]!;
    if (j !== node && skipped.has(j)) {
      j = t.after[e]!;
      continue;
    }
    let pos = t.nameEnd[e]!;
    for (let a = t.attrFirst[e]!, last = a + t.attrCount[e]!; a < last; a++) {
      const as = t.aStart[a]!;
      if (as > pos) out.push([pos, as]);
      pos = t.aValEnd[a]! + 1;
    }
    const tagEnd = t.flags[j]! & F_SELF ? t.openEnd[e]! - 2 : t.openEnd[e]! - 1;
    if (tagEnd > pos && blankRange(s, pos, tagEnd)) out.push([pos, tagEnd]);
    j++;
  }
  return out;
}

/** Reads and checks the whole document into Tables; returns the root element's node index. */
class Scanner {
  private i = 0;
  readonly t: Tables;
  /** Element node indices of the open elements, outermost first (for error paths). */
  private readonly open: number[] = [];
  // Lines are counted incrementally: elements start at increasing offsets. `nextNl` is the first newline
  // after the last element start looked up (-1: none), so each newline is looked for once.
  private lineCount = 1;
  private nextNl: number;
  /** The first "&" at or after the scan position (-1: none), looked for once per "&". */
  private nextAmp: number;

  constructor(
    private readonly s: string,
    private readonly source: XmlSource,
    private readonly limits: XmlParseLimits,
  ) {
    this.t = new Tables(s);
    this.nextNl = s.indexOf("\n");
    this.nextAmp = s.indexOf("&");
  }

  document(): number {
    const s = this.s;
    let root = -1;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x3c /* < */) {
        if (s.startsWith("<?", this.i)) this.pi();
        else if (s.startsWith("<!--", this.i)) this.comment();
        else if (s.startsWith("<!DOCTYPE", this.i) || s.startsWith("<!doctype", this.i) || s.startsWith("<!ENTITY", this.i)) {
          throw this.error("XML_DOCTYPE", "the document declares a DOCTYPE; dvsol refuses DOCTYPE and entity declarations");
        } else if (s.startsWith("<!", this.i)) throw this.error("XML_MALFORMED", "unexpected markup declaration outside the root element");
        else {
          if (root >= 0) throw this.error("XML_MALFORMED", `a second root element after </${this.nameOf(root)}>`);
          root = this.tree();
        }
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff) {
        this.i++;
      } else {
        throw this.error("XML_MALFORMED", root >= 0 ? "text after the root element" : "text before the root element");
      }
    }
    if (root < 0) throw this.error("XML_MALFORMED", "the document has no root element");
    this.t.trim();
    return root;
  }

  private nameOf(node: number): string {
    const t = this.t;
    return this.s.slice(t.start[node]! + 1, t.nameEnd[t.ref[node]!]!);
  }

  private ampFrom(pos: number): number {
    if (this.nextAmp >= 0 && this.nextAmp < pos) this.nextAmp = this.s.indexOf("&", pos);
    return this.nextAmp;
  }

  private lineAt(offset: number): number {
    const s = this.s;
    let idx = this.nextNl;
    while (idx >= 0 && idx < offset) {
      this.lineCount++;
      idx = s.indexOf("\n", idx + 1);
    }
    this.nextNl = idx;
    return this.lineCount;
  }

  /** The root element and everything in it, iteratively (depth costs no JS stack). */
  private tree(): number {
    const s = this.s;
    const t = this.t;
    const open = this.open;
    const root = t.n;
    this.startTag();
    if (t.flags[root]! & F_SELF) return root;
    let cur = root;
    for (;;) {
      const lt = s.indexOf("<", this.i);
      if (lt < 0) {
        const e = t.ref[cur]!;
        throw this.error("XML_MALFORMED", `<${this.nameOf(cur)}> (line ${t.line[e]}) is not closed before the end of the document`, cur);
      }
      if (lt > this.i) {
        const at = this.i;
        const k = t.node(KIND_TEXT, at, lt);
        const amp = this.ampFrom(at);
        if (amp >= 0 && amp < lt) {
          t.flags[k] = F_AMP;
          t.decoded.set(k, this.decode(s.slice(at, lt), at, cur));
        }
        this.i = lt;
      }
      if (s.charCodeAt(lt + 1) === 0x2f /* / */) {
        const e = t.ref[cur]!;
        t.closeStart[e] = lt;
        this.i = lt + 2;
        this.endName(cur, lt);
        this.skipWs();
        if (s.charCodeAt(this.i) !== 0x3e) throw this.error("XML_MALFORMED", `expected ">" to end </${this.nameOf(cur)}>`, cur);
        this.i++;
        t.end[cur] = this.i;
        t.after[e] = t.n;
        open.pop();
        if (cur === root) return root;
        cur = open[open.length - 1]!;
        continue;
      }
      if (s.startsWith("<!--", lt)) {
        const start = this.i;
        this.comment();
        t.node(KIND_COMMENT, start, this.i);
      } else if (s.startsWith("<![CDATA[", lt)) {
        const endC = s.indexOf("]]>", lt + 9);
        if (endC < 0) throw this.error("XML_MALFORMED", "CDATA section is not closed", cur);
        t.node(KIND_CDATA, lt, endC + 3);
        this.i = endC + 3;
      } else if (s.startsWith("<?", lt)) {
        const start = this.i;
        this.pi();
        t.node(KIND_PI, start, this.i);
      } else if (s.startsWith("<!", lt)) {
        throw this.error(s.startsWith("<!DOCTYPE", lt) || s.startsWith("<!ENTITY", lt) ? "XML_DOCTYPE" : "XML_MALFORMED", "markup declarations are not allowed inside elements", cur);
      } else {
        const k = t.n;
        this.startTag();
        if (!(t.flags[k]! & F_SELF)) cur = k;
      }
    }
  }

  /**
   * A start tag at this.i: records the element and its attributes. A self-closing element is complete; any
   * other is pushed on `open`.
   */
  private startTag(): void {
    const s = this.s;
    const t = this.t;
    const open = this.open;
    const parent = open.length ? open[open.length - 1]! : -1;
    if (open.length + 1 > this.limits.maxDepth) throw this.error("XML_LIMIT", `elements are nested deeper than ${this.limits.maxDepth} levels`, parent);
    const start = this.i;
    const node = t.n;
    const e = t.element(start, this.lineAt(start));
    this.i++; // <
    this.name(parent);
    t.nameEnd[e] = this.i;
    open.push(node); // for error paths from here on; popped again if self-closing
    let count = 0;
    let seen: Set<string> | undefined;
    for (;;) {
      const ws = this.skipWs();
      const c = s.charCodeAt(this.i);
      if (c === 0x3e /* > */) {
        this.i++;
        break;
      }
      if (c === 0x2f /* / */ && s.charCodeAt(this.i + 1) === 0x3e) {
        this.i += 2;
        t.flags[node] = F_SELF;
        break;
      }
      if (Number.isNaN(c)) throw this.error("XML_MALFORMED", `the start tag <${this.nameOf(node)}> is not closed before the end of the document`, node);
      if (!ws) throw this.error("XML_MALFORMED", `expected whitespace, ">" or "/>" in the start tag <${this.nameOf(node)}>`, node);
      const aStart = this.i;
      this.name(node);
      const aNameEnd = this.i;
      this.skipWs();
      if (s.charCodeAt(this.i) !== 0x3d /* = */) throw this.error("XML_MALFORMED", `attribute ${s.slice(aStart, aNameEnd)} of <${this.nameOf(node)}> has no "=" and value`, node);
      this.i++;
      this.skipWs();
      const qc = s.charCodeAt(this.i);
      if (qc !== 0x22 && qc !== 0x27) throw this.error("XML_MALFORMED", `attribute ${s.slice(aStart, aNameEnd)} of <${this.nameOf(node)}> has an unquoted value`, node);
      const vStart = ++this.i;
      const vEnd = s.indexOf(qc === 0x22 ? '"' : "'", vStart);
      if (vEnd < 0) throw this.error("XML_MALFORMED", `attribute ${s.slice(aStart, aNameEnd)} of <${this.nameOf(node)}> has no closing quote`, node);
      const lt = s.indexOf("<", vStart);
      if (lt >= 0 && lt < vEnd) throw this.errorAt(lt, "XML_MALFORMED", `"<" is not allowed in the value of attribute ${s.slice(aStart, aNameEnd)}`, node);
      // A set once there are many: a hostile start tag with 100,000 attributes must not cost n² comparisons.
      if (count >= 16) {
        if (!seen) {
          seen = new Set();
          for (let a = t.attrFirst[e]!; a < t.na; a++) seen.add(s.slice(t.aStart[a]!, t.aNameEnd[a]!));
        }
        const aName = s.slice(aStart, aNameEnd);
        if (seen.has(aName)) throw this.errorAt(aStart, "XML_MALFORMED", `attribute ${aName} appears twice on <${this.nameOf(node)}>`, node);
        seen.add(aName);
      } else {
        const len = aNameEnd - aStart;
        for (let a = t.attrFirst[e]!; a < t.na; a++) {
          const o = t.aStart[a]!;
          if (t.aNameEnd[a]! - o === len && sameChars(s, o, aStart, len))
            throw this.errorAt(aStart, "XML_MALFORMED", `attribute ${s.slice(aStart, aNameEnd)} appears twice on <${this.nameOf(node)}>`, node);
        }
      }
      this.i = vEnd + 1;
      let flags = qc === 0x27 ? F_APOS : 0;
      const amp = this.ampFrom(vStart);
      const a = t.attr(aStart, aNameEnd, vStart, vEnd, 0);
      if (amp >= 0 && amp < vEnd) {
        flags |= F_AMP;
        t.decoded.set(-1 - a, this.decode(s.slice(vStart, vEnd), vStart, node));
      }
      t.aFlags[a] = flags;
      count++;
    }
    t.attrCount[e] = count;
    t.openEnd[e] = this.i;
    if (t.flags[node]! & F_SELF) {
      t.closeStart[e] = this.i;
      t.end[node] = this.i;
      t.after[e] = node + 1;
      open.pop();
    }
  }

  /** The end tag's name at this.i, compared in place with the start tag's; sliced only for the message. */
  private endName(node: number, lt: number): void {
    const s = this.s;
    const t = this.t;
    const nameStart = t.start[node]! + 1;
    const len = t.nameEnd[t.ref[node]!]! - nameStart;
    const at = this.i;
    if (at + len <= s.length && sameChars(s, nameStart, at, len) && !isNameChar(s.charCodeAt(at + len))) {
      this.i = at + len;
      return;
    }
    this.name(node);
    const endName = s.slice(at, this.i);
    const name = this.nameOf(node);
    throw this.errorAt(lt, "XML_MALFORMED", `</${endName}> closes <${name}> opened at line ${t.line[t.ref[node]!]}`, node);
  }

  private comment(): void {
    const start = this.i;
    const end = this.s.indexOf("-->", start + 4);
    if (end < 0) throw this.error("XML_MALFORMED", "comment is not closed");
    this.i = end + 3;
  }

  private pi(): void {
    const start = this.i;
    const end = this.s.indexOf("?>", start + 2);
    if (end < 0) throw this.error("XML_MALFORMED", "processing instruction is not closed");
    this.i = end + 2;
  }

  /** Skips a name at this.i. */
  private name(ctx: number): void {
    const s = this.s;
    const start = this.i;
    if (!isNameStart(s.charCodeAt(start))) throw this.error("XML_MALFORMED", `expected a name, found ${JSON.stringify(s[start] ?? "end of document")}`, ctx);
    let j = start + 1;
    const n = s.length;
    while (j < n && isNameChar(s.charCodeAt(j))) j++;
    this.i = j;
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

  private decode(raw: string, at: number, ctx: number): string {
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

  private error(code: ErrCode, message: string, ctx = -1): DvsolError {
    return this.errorAt(this.i, code, message, ctx);
  }

  /** `ctx`: node index of the element the error is in (-1: none); its path comes from the open elements. */
  private errorAt(offset: number, code: ErrCode, message: string, ctx: number): DvsolError {
    const { line, column } = lineColumn(this.s, offset);
    let path: string | undefined;
    if (ctx >= 0) {
      const upTo = this.open.lastIndexOf(ctx);
      if (upTo >= 0) path = "/" + this.open.slice(0, upTo + 1).map((k) => this.nameOf(k)).join("/");
    }
    return new DvsolError(code, message, { ...this.source, line, column, path });
  }
}

function sameChars(s: string, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false;
  return true;
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
