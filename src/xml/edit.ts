/**
 * Text edits over an XML document. Every edit is a splice of the source text; what no edit touches
 * keeps its characters. New elements take the indentation and line ending of their surroundings.
 */
import type { XmlAttr, XmlDocument, XmlElement } from "./parse.js";
import { elements, indentUnit, lineIndent } from "./dom.js";

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export function escapeText(v: string): string {
  return v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttr(v: string, quote: '"' | "'" = '"'): string {
  let out = v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  out = quote === '"' ? out.replace(/"/g, "&quot;") : out.replace(/'/g, "&apos;");
  return out.replace(/\r/g, "&#xD;").replace(/\n/g, "&#xA;").replace(/\t/g, "&#x9;");
}

/** Applies non-overlapping edits (any order) and returns the new text. Throws on overlap: that is a bug. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: string[] = [];
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`overlapping XML edits at ${e.start} (previous ended at ${pos})`);
    parts.push(text.slice(pos, e.start), e.text);
    pos = e.end;
  }
  parts.push(text.slice(pos));
  return parts.join("");
}

/** A simple description of an element to write. Children are written one per line; text inline. */
export interface ElementSpec {
  name: string;
  attrs?: [string, string][];
  text?: string;
  children?: ElementSpec[];
  /** Write `<X />` rather than `<X></X>` when there is neither text nor children. */
  selfClose?: boolean;
}

export function serializeElement(spec: ElementSpec, indent: string, unit: string, eol: string): string {
  const attrs = (spec.attrs ?? []).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join("");
  const kids = spec.children ?? [];
  if (kids.length === 0) {
    if (spec.text !== undefined && spec.text !== "") return `<${spec.name}${attrs}>${escapeText(spec.text)}</${spec.name}>`;
    return spec.selfClose ? `<${spec.name}${attrs} />` : `<${spec.name}${attrs}></${spec.name}>`;
  }
  const inner = kids.map((k) => eol + indent + unit + serializeElement(k, indent + unit, unit, eol)).join("");
  return `<${spec.name}${attrs}>${inner}${eol}${indent}</${spec.name}>`;
}

/** Collects edits for one document; call result() to get the edited text. */
export class XmlEditor {
  readonly edits: TextEdit[] = [];
  readonly unit: string;
  constructor(readonly doc: XmlDocument) {
    this.unit = indentUnit(doc);
  }

  get eol(): string {
    return this.doc.eol;
  }

  replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text });
  }

  /** Replaces the text content of a leaf element; `<X />` becomes `<X>v</X>`. */
  setText(el: XmlElement, value: string): void {
    const v = escapeText(value);
    if (el.selfClosing) {
      const open = this.doc.text.slice(el.start, el.openEnd).replace(/\s*\/>$/, ">");
      this.replace(el.start, el.end, value === "" ? this.doc.text.slice(el.start, el.end) : `${open}${v}</${el.name}>`);
    } else {
      this.replace(el.openEnd, el.closeStart, v);
    }
  }

  /** Sets an attribute, keeping its quote style, or appends it after the last attribute. */
  setAttr(el: XmlElement, name: string, value: string): void {
    const a: XmlAttr | undefined = el.attrs.find((x) => x.name === name);
    if (a) {
      this.replace(a.valueStart, a.valueEnd, escapeAttr(value, a.quote));
      return;
    }
    const at = el.attrs.length ? el.attrs[el.attrs.length - 1]!.end : el.start + 1 + el.name.length;
    this.replace(at, at, ` ${name}="${escapeAttr(value)}"`);
  }

  removeAttr(el: XmlElement, name: string): void {
    const a = el.attrs.find((x) => x.name === name);
    if (!a) return;
    let s = a.start;
    while (s > 0 && /\s/.test(this.doc.text[s - 1]!)) s--;
    this.replace(s, a.end, "");
  }

  /** Removes an element together with its line (indentation before and the line break before it). */
  remove(el: XmlElement): void {
    const t = this.doc.text;
    const ind = lineIndent(this.doc, el);
    let start = el.start - ind.length;
    let end = el.end;
    if (start === el.start - ind.length && (start === 0 || t[start - 1] === "\n")) {
      // Own line: take the preceding line break so the lines around close up.
      if (start > 0 && t[start - 1] === "\n") {
        start--;
        if (start > 0 && t[start - 1] === "\r") start--;
      } else if (t.startsWith("\r\n", end)) end += 2;
      else if (t[end] === "\n") end += 1;
    }
    this.replace(start, end, "");
  }

  /** The indentation for a new child of `parent`. */
  childIndent(parent: XmlElement): string {
    const kids = elements(parent);
    if (kids.length) return lineIndent(this.doc, kids[0]!);
    return lineIndent(this.doc, parent) + this.unit;
  }

  /**
   * Inserts a new child element. `after` places it after that sibling; otherwise it goes after
   * the last child element (or becomes the first content of an empty parent, `<X />` included).
   */
  insertChild(parent: XmlElement, spec: ElementSpec | string, after?: XmlElement | "first"): void {
    const eol = this.doc.eol;
    const indent = this.childIndent(parent);
    const xml = typeof spec === "string" ? reindent(spec, indent, eol) : serializeElement(spec, indent, this.unit, eol);
    const kids = elements(parent);
    if (after === "first" && kids.length) {
      this.replace(kids[0]!.start, kids[0]!.start, xml + eol + indent);
      return;
    }
    const anchor = after && after !== "first" ? after : kids[kids.length - 1];
    if (anchor) {
      this.replace(anchor.end, anchor.end, eol + indent + xml);
      return;
    }
    const parentIndent = lineIndent(this.doc, parent);
    if (parent.selfClosing) {
      const open = this.doc.text.slice(parent.start, parent.openEnd).replace(/\s*\/>$/, ">");
      this.replace(parent.start, parent.end, `${open}${eol}${indent}${xml}${eol}${parentIndent}</${parent.name}>`);
    } else {
      this.replace(parent.openEnd, parent.closeStart, `${eol}${indent}${xml}${eol}${parentIndent}`);
    }
  }

  result(): string {
    return applyEdits(this.doc.text, this.edits);
  }
}

/**
 * Re-indents a multi-line XML fragment written at indent "" (lines after the first carry their own
 * relative indentation) to `indent`, with `eol` line endings.
 */
export function reindent(fragment: string, indent: string, eol: string): string {
  const lines = fragment.split(/\r?\n/);
  return lines.map((l, i) => (i === 0 || l === "" ? l : indent + l)).join(eol);
}

/**
 * The inverse of reindent: removes `indent` from the start of every line after the first.
 * Returns null when a line does not start with it (then the caller must keep the text as it is).
 */
export function dedent(fragment: string, indent: string): string | null {
  if (!indent) return fragment;
  const lines = fragment.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === "" || l === "\r") continue;
    if (!l.startsWith(indent)) return null;
    lines[i] = l.slice(indent.length);
  }
  return lines.join("\n");
}
