/**
 * Unpack over an earlier unpack of the same solution: write only the files whose content changed,
 * leave the others untouched (bytes and modification time), and remove files of components that are
 * gone only when asked (--allow-delete); otherwise list them. All changes are applied as one step
 * (src/io/folder-commit.ts), so a killed run leaves the folder either as it was or as it is after.
 *
 * The folder's own conventions win where they do not change the content: a file that differs from
 * what unpack would write only by its envelope keeps it, and a changed file is written in it:
 * - XML: UTF-8 BOM or not, XML declaration or not, CRLF or LF (XML parsers read both the same),
 *   final line break or not, xmlns:xsi on the root or not (when the document uses no xsi: prefix),
 *   and forms and views with or without SolutionPackager's newer <forms>/<savedqueries> wrapper.
 *   This is what lets a folder made by an older SolutionPackager (WaelHamze, bguidinger trees) or
 *   checked out by git with LF line endings stay as it is.
 * - JSON (flows, canvas app files): CRLF or LF (JSON strings cannot hold raw line breaks).
 * - XML whose content is the same (same elements, attributes and text; only indentation, attribute
 *   order, namespace declarations or `<X></X>` for `<X />` differ) is left as it is: SolutionPackager
 *   re-indents some inline XML that the server writes on one line, and such a file has not changed.
 * Folders match case-insensitively to what is there (Windows-made trees).
 * Hidden files and folders (.git, .gitignore) are never listed, written or removed.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { isHiddenPath, listFolder } from "../solution/source.js";
import { commitFolderFiles } from "../io/folder-commit.js";
import type { OutFile } from "./engine.js";
import type { Finding } from "../findings/types.js";
import { finding } from "../findings/catalog.js";
import { decodeXmlBytes, encodeXmlText, parseXml, type XmlElement } from "../xml/parse.js";
import { elements, lineIndent } from "../xml/dom.js";
import { extractElement, XSI_NS } from "./docs.js";
import { contentBytes } from "./packagetype.js";
import "./findings.js";

export interface IncrementalResult {
  written: string[];
  unchanged: number;
  deleted: string[];
  stale: string[];
  findings: Finding[];
}

export interface IncrementalOptions {
  allowDelete: boolean;
  /** Files the run must neither flag nor remove (supplied by a map file). */
  keep?: (p: string) => boolean;
  onProgress?: (done: number, total: number) => void;
  concurrency?: number;
}

export async function writeIncremental(target: string, files: OutFile[], opts: IncrementalOptions): Promise<IncrementalResult> {
  const existing = (await listFolder(target)).filter((f) => !isHiddenPath(f.rel));
  const byLower = new Map(existing.map((f) => [f.rel.toLowerCase(), f.rel]));
  const dirs = new Map<string, string>();
  for (const f of existing) {
    const segs = f.rel.split("/");
    for (let i = 1; i < segs.length; i++) {
      const d = segs.slice(0, i).join("/");
      if (!dirs.has(d.toLowerCase())) dirs.set(d.toLowerCase(), d);
    }
  }
  /** The path to write: an existing file's own spelling, else the plan's under existing folders' spelling. */
  const place = (p: string): string => {
    const hit = byLower.get(p.toLowerCase());
    if (hit) return hit;
    const segs = p.split("/");
    for (let i = segs.length - 1; i >= 1; i--) {
      const d = dirs.get(segs.slice(0, i).join("/").toLowerCase());
      if (d) return [d, ...segs.slice(i)].join("/");
    }
    return p;
  };
  const result: IncrementalResult = { written: [], unchanged: 0, deleted: [], stale: [], findings: [] };
  const toWrite = new Map<string, Buffer>();
  const produced = new Set<string>();
  let done = 0;
  const jobs = files.map((f) => ({ f, rel: place(f.path) }));
  for (const j of jobs) produced.add(j.rel.toLowerCase());
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= jobs.length) return;
      const { f, rel } = jobs[i]!;
      const abs = path.join(target, ...rel.split("/"));
      let fresh = await contentBytes(f.content);
      let old: Buffer | null = null;
      if (byLower.has(rel.toLowerCase())) {
        try {
          old = await fsp.readFile(abs);
        } catch {
          old = null;
        }
      }
      if (old) {
        if (!old.equals(fresh)) fresh = adaptToExisting(rel, fresh, old);
        if (old.equals(fresh) || sameXmlContent(rel, old, fresh)) {
          result.unchanged++;
          opts.onProgress?.(++done, jobs.length);
          continue;
        }
      }
      toWrite.set(rel, fresh);
      result.written.push(rel);
      opts.onProgress?.(++done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, jobs.length)) }, worker));
  result.written.sort();

  for (const e of existing) {
    if (produced.has(e.rel.toLowerCase())) continue;
    if (opts.keep?.(e.rel)) continue;
    if (opts.allowDelete) {
      result.deleted.push(e.rel);
      result.findings.push(finding("LAYOUT_DELETED_FILE", { path: e.rel }, { location: { file: target, entry: e.rel } }));
    } else {
      result.stale.push(e.rel);
      result.findings.push(finding("LAYOUT_STALE_FILE", { path: e.rel }, { location: { file: target, entry: e.rel } }));
    }
  }
  // Every changed and deleted file as one step: a killed run leaves the folder as it was or as it is
  // after, never a mix (src/io/folder-commit.ts: contents aside, a journal, then the renames).
  if (toWrite.size || result.deleted.length) await commitFolderFiles(target, toWrite, result.deleted);
  if (result.deleted.length) await removeEmptyDirs(target, result.deleted);
  return result;
}

async function removeEmptyDirs(root: string, deleted: string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const d of deleted) {
    const segs = d.split("/");
    for (let i = segs.length - 1; i >= 1; i--) dirs.add(segs.slice(0, i).join("/"));
  }
  // Deepest first.
  for (const d of [...dirs].sort((a, b) => b.split("/").length - a.split("/").length)) {
    const abs = path.join(root, ...d.split("/"));
    try {
      const names = await fsp.readdir(abs);
      if (names.length === 0) await fsp.rmdir(abs);
    } catch {
      // already gone or not empty
    }
  }
}

const WRAPPED: Record<string, string> = { forms: "systemform", savedqueries: "savedquery" };

/**
 * `fresh` in the envelope of `old` (see the file comment); `fresh` unchanged when the file is not
 * XML/JSON or anything is unusual.
 */
export function adaptToExisting(rel: string, fresh: Buffer, old: Buffer): Buffer {
  const lowerRel = rel.toLowerCase();
  const isXml = lowerRel.endsWith(".xml");
  const eolOnly = lowerRel.endsWith(".xaml") || lowerRel.endsWith(".json");
  if (!isXml && !eolOnly) return fresh;
  let o: ReturnType<typeof decodeXmlBytes>;
  let n: ReturnType<typeof decodeXmlBytes>;
  try {
    o = decodeXmlBytes(old);
    n = decodeXmlBytes(fresh);
  } catch {
    return fresh;
  }
  if (o.encoding !== "utf-8" || n.encoding !== "utf-8") return fresh;
  const oldEol = o.text.includes("\r\n") ? "\r\n" : o.text.includes("\n") ? "\n" : null;
  let text = n.text;
  if (eolOnly) {
    if (!oldEol) return fresh;
    const t = convert(text, oldEol);
    const bytes = Buffer.from(t, "utf8");
    return n.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes;
  }
  try {
    const oldDoc = parseXml(o.text);
    let newDoc = parseXml(text);
    // Older SolutionPackager: forms and views without the wrapper.
    const inner = WRAPPED[newDoc.root.name];
    if (inner && oldDoc.root.name === inner) {
      const kids = elements(newDoc.root);
      if (kids.length === 1 && kids[0]!.name === inner) {
        const k = kids[0]!;
        const decl = declOf(text);
        const body = extractElement(newDoc, k, { remove: lineIndent(newDoc, k), add: "" });
        text = (decl ? decl.text : "") + body;
        newDoc = parseXml(text);
      }
    }
    // xmlns:xsi on the root as the old file has it.
    const oldXsi = hasXsi(oldDoc.root);
    const newXsi = newDoc.root.attrs.find((a) => a.name === "xmlns:xsi");
    if (!oldXsi && newXsi && newXsi.value === XSI_NS && !usesXsiBelowRoot(text, newDoc.root)) {
      let st = newXsi.start;
      while (st > 0 && /\s/.test(text[st - 1]!)) st--;
      text = text.slice(0, st) + text.slice(newXsi.end);
    } else if (oldXsi && !newXsi) {
      const r = newDoc.root;
      const at = r.attrs.length ? r.attrs[r.attrs.length - 1]!.end : r.start + 1 + r.name.length;
      text = text.slice(0, at) + ` xmlns:xsi="${XSI_NS}"` + text.slice(at);
    }
    // Declaration as the old file has it.
    const od = declOf(o.text);
    const nd = declOf(text);
    if (od && nd) text = od.text + text.slice(nd.text.length);
    else if (od && !nd) text = od.text + text;
    else if (!od && nd) text = text.slice(nd.text.length);
    // Line endings and final line break.
    if (oldEol) text = convert(text, oldEol);
    const oldFinal = /\r?\n$/.exec(o.text)?.[0] ?? "";
    text = text.replace(/\r?\n$/, "") + oldFinal;
  } catch {
    return fresh;
  }
  return encodeXmlText(text, "utf-8", o.bom);
}

function convert(text: string, eol: string): string {
  const lf = text.replace(/\r\n/g, "\n");
  return eol === "\n" ? lf : lf.replace(/\n/g, "\r\n");
}

/** The declaration and the line break after it. */
function declOf(text: string): { text: string } | null {
  const m = /^<\?xml[^?]*\?>(\r?\n)?/.exec(text);
  return m ? { text: m[0] } : null;
}

function hasXsi(el: XmlElement): boolean {
  return el.attrs.some((a) => a.name === "xmlns:xsi");
}

function usesXsiBelowRoot(text: string, root: XmlElement): boolean {
  return text.slice(root.openEnd).includes("xsi:") || /\sxsi:(?!.*xmlns)/.test(text.slice(root.start, root.openEnd).replace(/xmlns:xsi="[^"]*"/, ""));
}

/**
 * Same XML content: elements, attributes (any order, namespace declarations aside) and text, where
 * whitespace-only text counts only in elements without child elements. Comments count.
 */
export function sameXmlContent(rel: string, a: Buffer, b: Buffer): boolean {
  if (!/\.(xml|xaml)$/i.test(rel)) return false;
  try {
    const da = decodeXmlBytes(a);
    const db = decodeXmlBytes(b);
    const x = parseXml(da.text, {}, {}, da.bom, da.encoding);
    const y = parseXml(db.text, {}, {}, db.bom, db.encoding);
    return canonical(x.root) === canonical(y.root);
  } catch {
    return false;
  }
}

function canonical(el: XmlElement): string {
  const attrs = el.attrs
    .filter((a) => a.name !== "xmlns" && !a.name.startsWith("xmlns:"))
    .map((a) => `${a.name}=${JSON.stringify(a.value.replace(/\r\n?/g, "\n"))}`)
    .sort()
    .join(" ");
  const hasElements = el.children.some((c) => c.type === "element");
  let inner = "";
  let textRun = "";
  const flush = (): void => {
    if (textRun === "") return;
    if (!(hasElements && textRun.trim() === "")) inner += `T${JSON.stringify(textRun.replace(/\r\n?/g, "\n"))}`;
    textRun = "";
  };
  for (const c of el.children) {
    if (c.type === "text" || c.type === "cdata") textRun += c.value;
    else {
      flush();
      if (c.type === "element") inner += canonical(c);
      else if (c.type === "comment") inner += `C${JSON.stringify(c.value)}`;
      else inner += `P${JSON.stringify(c.value)}`;
    }
  }
  flush();
  return `<${el.name} ${attrs}>${inner}</${el.name}>`;
}
