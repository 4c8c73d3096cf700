/**
 * Shared plumbing for the SolutionPackager splitters: map-aware file lookup, expected files,
 * sections of customizations.xml (found, emptied, filled or created in schema order).
 */
import { child, elements, indentUnit, lineIndent } from "../xml/dom.js";
import type { XmlDocument, XmlElement } from "../xml/parse.js";
import type { SolutionFile } from "../solution/source.js";
import type { LayoutContext } from "./types.js";
import { onlyElements, placeholder, XSI_NS } from "./docs.js";
import { SECTION_ORDER } from "./order.js";

/** A source file, through the map when the engine has one. */
export function resolveFile(ctx: LayoutContext, p: string): SolutionFile | undefined {
  return ctx.resolve ? ctx.resolve(p) : ctx.source.get(p) ?? ctx.source.find(p);
}

/** Records a zip entry that must exist, fed from a folder path (checked once all splitters ran). */
export function expectEntry(ctx: LayoutContext, entry: string, treePath: string, component: string): void {
  ctx.expect?.(entry, treePath, component);
}

export function hostUnit(ctx: LayoutContext): string {
  return indentUnit(ctx.cust);
}

export function hostHasXsi(doc: XmlDocument): boolean {
  return doc.root.attrs.some((a) => a.name === "xmlns:xsi" && a.value === XSI_NS);
}

export function section(ctx: LayoutContext, name: string): XmlElement | undefined {
  return child(ctx.cust.root, name);
}

/**
 * After some children of a section moved to files: the section becomes `<X />` when nothing else is
 * left in it, otherwise only the moved children are removed (the rest stays where it was).
 */
export function removeMoved(ctx: LayoutContext, sec: XmlElement, moved: XmlElement[]): void {
  if (moved.length === 0) return;
  const kids = elements(sec);
  if (moved.length === kids.length && onlyElements(ctx.cust, sec)) {
    ctx.custEditor.replace(sec.start, sec.end, placeholder(ctx.cust, sec));
    return;
  }
  for (const m of moved) ctx.custEditor.remove(m);
}

/** The indentation of a section's children in customizations.xml. */
export function sectionChildIndent(ctx: LayoutContext, name: string): string {
  const sec = section(ctx, name);
  if (sec) return ctx.custEditor.childIndent(sec);
  return rootChildIndent(ctx) + hostUnit(ctx);
}

export function rootChildIndent(ctx: LayoutContext): string {
  const first = elements(ctx.cust.root)[0];
  return first ? lineIndent(ctx.cust, first) : hostUnit(ctx);
}

/**
 * Puts fragments (already indented for the child level) into a section: after its children, or
 * into `<X />`; a missing section is created at its place in the schema order.
 * `emptyMarker` writes `<X></X>` for a section whose file exists but is empty (so that unpack can
 * give the empty file back).
 */
export function fillSectionAt(ctx: LayoutContext, name: string, fragments: string[], opts: { emptyMarker?: boolean } = {}): void {
  const doc = ctx.cust;
  const eol = doc.eol;
  const sec = section(ctx, name);
  if (fragments.length === 0) {
    if (!opts.emptyMarker) return;
    if (sec) {
      if (sec.selfClosing) ctx.custEditor.replace(sec.start, sec.end, doc.text.slice(sec.start, sec.openEnd).replace(/\s*\/>$/, ">") + `</${name}>`);
      return;
    }
    insertSection(ctx, name, `<${name}></${name}>`);
    return;
  }
  if (sec) {
    const childIndent = ctx.custEditor.childIndent(sec);
    const body = fragments.map((f) => eol + childIndent + f).join("");
    const kids = elements(sec);
    if (kids.length) {
      const last = kids[kids.length - 1]!;
      ctx.custEditor.replace(last.end, last.end, body);
      return;
    }
    const secIndent = lineIndent(doc, sec);
    const open = doc.text.slice(sec.start, sec.openEnd).replace(/\s*\/?>$/, ">");
    ctx.custEditor.replace(sec.start, sec.end, `${open}${body}${eol}${secIndent}</${name}>`);
    return;
  }
  const indent = rootChildIndent(ctx);
  const childIndent = indent + hostUnit(ctx);
  insertSection(ctx, name, `<${name}>${fragments.map((f) => eol + childIndent + f).join("")}${eol}${indent}</${name}>`);
}

/** Inserts a new top-level section at its schema position. */
export function insertSection(ctx: LayoutContext, name: string, text: string): void {
  const doc = ctx.cust;
  const eol = doc.eol;
  const indent = rootChildIndent(ctx);
  const rank = SECTION_ORDER.indexOf(name);
  const kids = elements(doc.root);
  // The first existing section that comes after this one in the schema order.
  let before: XmlElement | undefined;
  for (const k of kids) {
    const r = SECTION_ORDER.indexOf(k.name);
    if (r > rank) {
      before = k;
      break;
    }
  }
  if (before) {
    ctx.custEditor.replace(before.start, before.start, `${text}${eol}${indent}`);
    return;
  }
  const last = kids[kids.length - 1];
  if (last) {
    ctx.custEditor.replace(last.end, last.end, `${eol}${indent}${text}`);
    return;
  }
  const root = doc.root;
  if (root.selfClosing) {
    const open = doc.text.slice(root.start, root.openEnd).replace(/\s*\/>$/, ">");
    ctx.custEditor.replace(root.start, root.end, `${open}${eol}${indent}${text}${eol}</${root.name}>`);
  } else {
    ctx.custEditor.replace(root.closeStart, root.closeStart, `${indent}${text}${eol}`);
  }
}

/** Strips a leading "/" from a zip path written in XML (`/WebResources/x` -> `WebResources/x`). */
export function entryPath(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const p = v.trim().replace(/^\/+/, "");
  if (!p || p.includes("\\") || p.split("/").some((s) => s === "" || s === "." || s === "..")) return undefined;
  return p;
}

export function lower(p: string): string {
  return p.toLowerCase();
}
