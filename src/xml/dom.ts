/** Read-only queries over parsed XML. */
import type { XmlDocument, XmlElement, XmlNode } from "./parse.js";

export function elements(el: XmlElement, name?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) if (c.type === "element" && (name === undefined || c.name === name)) out.push(c);
  return out;
}

export function child(el: XmlElement | null | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (c.type === "element" && c.name === name) return c;
  return undefined;
}

/** Follows a path of child names: childPath(root, "SolutionManifest", "Publisher", "UniqueName"). */
export function childPath(el: XmlElement | null | undefined, ...names: string[]): XmlElement | undefined {
  let cur: XmlElement | undefined = el ?? undefined;
  for (const n of names) {
    cur = child(cur, n);
    if (!cur) return undefined;
  }
  return cur;
}

/** The decoded text content of an element (concatenated text and CDATA, no descendants' text). */
export function text(el: XmlElement | null | undefined): string | undefined {
  if (!el) return undefined;
  let out = "";
  for (const c of el.children) if (c.type === "text" || c.type === "cdata") out += c.value;
  return out;
}

/** Text of a named child, or undefined when the child is absent. xsi:nil children read as undefined. */
export function childText(el: XmlElement | null | undefined, name: string): string | undefined {
  const c = child(el, name);
  if (!c) return undefined;
  if (attr(c, "xsi:nil") === "true") return undefined;
  return text(c);
}

export function attr(el: XmlElement | null | undefined, name: string): string | undefined {
  if (!el) return undefined;
  for (const a of el.attrs) if (a.name === name) return a.value;
  return undefined;
}

export function attrNode(el: XmlElement, name: string) {
  return el.attrs.find((a) => a.name === name);
}

/** The raw source text of a node. */
export function outerXml(doc: XmlDocument, node: XmlNode): string {
  return doc.text.slice(node.start, node.end);
}

export function innerXml(doc: XmlDocument, el: XmlElement): string {
  return doc.text.slice(el.openEnd, el.closeStart);
}

/** Whitespace that precedes an element on its own line ("" when something else precedes it on the line). */
export function lineIndent(doc: XmlDocument, el: XmlElement): string {
  const s = doc.text;
  let i = el.start;
  while (i > 0 && (s[i - 1] === " " || s[i - 1] === "\t")) i--;
  if (i > 0 && s[i - 1] !== "\n") return "";
  return s.slice(i, el.start);
}

/** The indentation unit the document uses (two spaces in server exports). */
export function indentUnit(doc: XmlDocument): string {
  const root = doc.root;
  for (const c of root.children) {
    if (c.type === "element") {
      const ind = lineIndent(doc, c);
      if (ind) return ind;
    }
  }
  return "  ";
}

/** Walks every element depth-first in document order. */
export function* walk(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) if (c.type === "element") yield* walk(c);
}
