/**
 * XML equivalence for tests, read by an independent parser (fast-xml-parser), never by dvsol's own.
 *
 * Two documents are equivalent when they have the same elements in the same order, the same
 * attributes (in any order), and the same text, where:
 * - whitespace-only text is ignored (indentation), other text is compared exactly;
 * - line endings are normalised (XML parsers turn CRLF into LF);
 * - namespace declarations (xmlns, xmlns:*) are ignored: they bind prefixes, they are not content;
 * - the XML declaration and the BOM are ignored.
 * "unordered" additionally compares the children of component collections (the sections of
 * customizations.xml, forms, views, ...) as sets: Dataverse components have no order, and the
 * SolutionPackager layout does not keep the order of the export.
 */
import { XMLParser } from "fast-xml-parser";

const MARK = "\u0001";
const unmark = (n: string): string => (n.startsWith(MARK) ? n.slice(1) : n);

const parser = new XMLParser({
  ignoreAttributes: false,
  preserveOrder: true,
  attributeNamePrefix: "",
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: "#comment",
  cdataPropName: "#cdata",
  // Names such as "constructor" (PCF manifests) or "__proto__" are refused by the parser as object keys:
  // every name gets a prefix no XML name can contain, taken off again below.
  transformTagName: (n: string) => (n.startsWith(MARK) ? n : MARK + n),
  transformAttributeName: (n: string) => (n.startsWith(MARK) ? n : MARK + n),
});

type Node = { name: string; attrs: [string, string][]; kids: Node[] } | { text: string };

const COLLECTIONS = new Set([
  "Entities",
  "Roles",
  "Workflows",
  "optionsets",
  "WebResources",
  "Dashboards",
  "AppModules",
  "AppModuleSiteMaps",
  "CanvasApps",
  "Connectors",
  "CustomControls",
  "EntityDataProviders",
  "Reports",
  "FormXml",
  "forms",
  "savedqueries",
  "Visualizations",
  "SolutionPluginAssemblies",
  "SdkMessageProcessingSteps",
  "EntityRelationships",
  "EntityMaps",
  "FieldSecurityProfiles",
]);

function decode(buf: Buffer | string): string {
  let t = typeof buf === "string" ? buf : buf.toString("utf8");
  if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
  return t.replace(/\r\n?/g, "\n");
}

function convert(items: unknown[]): Node[] {
  const out: Node[] = [];
  for (const it of items as Record<string, unknown>[]) {
    const keys = Object.keys(it).filter((k) => k !== ":@");
    const k = keys[0]!;
    if (k === "#text") {
      const v = String(it[k]);
      if (v.trim() !== "") out.push({ text: v });
      continue;
    }
    if (k === "#comment") continue; // comments are not content
    if (k === "#cdata") {
      const inner = it[k] as Record<string, unknown>[];
      out.push({ text: inner.map((x) => String(x["#text"] ?? "")).join("") });
      continue;
    }
    const attrsObj = (it[":@"] ?? {}) as Record<string, string>;
    const attrs = Object.entries(attrsObj)
      .map(([n, v]) => [unmark(n), String(v).replace(/\r\n?/g, "\n")] as [string, string])
      .filter(([n]) => n !== "xmlns" && !n.startsWith("xmlns:"))
      .sort((a, b) => (a[0] < b[0] ? -1 : 1));
    out.push({ name: unmark(k), attrs, kids: convert(it[k] as unknown[]) });
  }
  // Adjacent text (text + CDATA) reads as one string.
  const merged: Node[] = [];
  for (const n of out) {
    const last = merged[merged.length - 1];
    if ("text" in n && last && "text" in last) merged[merged.length - 1] = { text: last.text + n.text };
    else merged.push(n);
  }
  return merged;
}

function canon(n: Node, unordered: boolean): string {
  if ("text" in n) return JSON.stringify(n.text);
  let kids = n.kids.map((k) => canon(k, unordered));
  if (unordered && COLLECTIONS.has(n.name)) kids = [...kids].sort();
  return `<${n.name}${n.attrs.map(([a, v]) => ` ${a}=${JSON.stringify(v)}`).join("")}>${kids.join("")}</${n.name}>`;
}

export function xmlTree(buf: Buffer | string): Node[] {
  return convert(parser.parse(decode(buf)) as unknown[]);
}

export function xmlCanonical(buf: Buffer | string, unordered = false): string {
  return xmlTree(buf)
    .map((n) => canon(n, unordered))
    .join("");
}

export type Verdict = "identical" | "equivalent" | "equivalent-unordered" | "different";

function verdictOf(x: Node[], y: Node[]): Exclude<Verdict, "identical"> {
  const o = (n: Node[], u: boolean) => n.map((k) => canon(k, u)).join("");
  if (o(x, false) === o(y, false)) return "equivalent";
  if (o(x, true) === o(y, true)) return "equivalent-unordered";
  return "different";
}

export function compareXml(a: Buffer | string, b: Buffer | string): Verdict {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b)) return "identical";
  if (typeof a === "string" && typeof b === "string" && a === b) return "identical";
  return verdictOf(xmlTree(a), xmlTree(b));
}

/**
 * The verdict for the whole document and for each child of the root (for customizations.xml: each
 * section, that is each component kind), parsing each document once.
 */
export function compareSections(a: Buffer, b: Buffer): { verdict: Verdict; sections: Map<string, Verdict> } {
  if (a.equals(b)) return { verdict: "identical", sections: new Map() };
  const ta = xmlTree(a);
  const tb = xmlTree(b);
  const sections = new Map<string, Verdict>();
  const ra = ta.find((n) => "name" in n) as Extract<Node, { name: string }> | undefined;
  const rb = tb.find((n) => "name" in n) as Extract<Node, { name: string }> | undefined;
  if (ra && rb) {
    const kb = new Map<string, Node>();
    for (const k of rb.kids) if ("name" in k && !kb.has(k.name)) kb.set(k.name, k);
    for (const k of ra.kids) {
      if (!("name" in k)) continue;
      const other = kb.get(k.name);
      sections.set(k.name, other ? (canon(k, false) === canon(other, false) ? "identical" : verdictOf([k], [other])) : "different");
    }
  }
  return { verdict: verdictOf(ta, tb), sections };
}

/** A short description of where two documents first differ (for assertion messages). */
export function firstDifference(a: Buffer | string, b: Buffer | string, unordered = false): string {
  const x = xmlCanonical(a, unordered);
  const y = xmlCanonical(b, unordered);
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return `at ${i}: …${x.slice(Math.max(0, i - 80), i + 80)}… vs …${y.slice(Math.max(0, i - 80), i + 80)}…`;
}
