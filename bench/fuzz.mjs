#!/usr/bin/env node
// Fuzzing dvsol's library entry points with mutated solutions (not part of CI's default run).
//
//   npx tsc -p . && node bench/fuzz.mjs --minutes 30 [--seed N] [--workers 2] [--timeout 30]
//   node bench/fuzz.mjs --replay bench/.work/fuzz-crashes/<file>.zip     (one input, in this process)
//   --out <dir>: where finds go (default bench/.work/fuzz-crashes; the figures go next to it as <dir>-summary.json)
//
// Inputs: the corpus's zips (../shared/corpus; a built-in small solution when it is absent), mutated
//   - as archives: byte flips (anywhere, or in headers), truncation, header field corruption (local and central
//     headers, end record), entries rebuilt raw with hostile names (../, absolute, drive letters, backslashes,
//     case duplicates), duplicated entries, encryption/symlink/zip64 flags, wrong CRCs and sizes, bombs;
//   - as XML (solution.xml, customizations.xml, or another XML entry, rebuilt into the zip): tag, attribute
//     and entity mutations, deep nesting, DOCTYPE injection, encoding changes (UTF-16 with/without BOM,
//     Latin-1, invalid UTF-8), values (versions, ids, numbers) replaced, elements duplicated or removed;
//   - as folders: the seed unpacked, then one XML file mutated (or removed, or replaced by a link).
// Each input runs in a worker thread through loadSolution, inspectSolution + formatInspectText,
// checkSolution, unpack into a temp folder, loadSolution + pack of that folder, an edit (setVersion), and
// impact (input against itself). Outcomes:
//   ok / refused (a DvsolError: a clean refusal) / crash (anything else thrown) / unclean (a DvsolError
//   without a known code or with an empty or "undefined" message, or a refusal that left output behind)
//   / hang (no answer within --timeout seconds, and none on a second try alone with 4x the time: the worker
//   is terminated) / oom.
// Crashes, unclean refusals and hangs are saved with a .json describing them under bench/.work/fuzz-crashes/
// (the first 3 of each signature); figures go to stdout and bench/.work/fuzz-crashes-summary.json.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const work = path.join(here, ".work");
let crashDir = path.join(work, "fuzz-crashes");
const dist = pathToFileURL(path.join(root, "dist", "index.js")).href;

// ---- a seeded PRNG ----------------------------------------------------------------------------------------------
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    range: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
  return r;
}

// ---- CRC-32 and a raw zip reader/writer (independent of dvsol's, so it can write anything) ---------------------
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Entries of a well-formed zip: [{ name, data (inflated) }] (seeds only; null when it cannot be read). */
function readZipEntries(buf) {
  let e = buf.length - 22;
  while (e >= 0 && buf.readUInt32LE(e) !== 0x06054b50) e--;
  if (e < 0) return null;
  const count = buf.readUInt16LE(e + 10);
  let p = buf.readUInt32LE(e + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return null;
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const n = buf.readUInt16LE(p + 28);
    const m = buf.readUInt16LE(p + 30);
    const k = buf.readUInt16LE(p + 32);
    const off = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + n).toString("utf8");
    const ln = buf.readUInt16LE(off + 26);
    const lm = buf.readUInt16LE(off + 28);
    const raw = buf.subarray(off + 30 + ln + lm, off + 30 + ln + lm + csize);
    let data;
    try {
      data = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
    } catch {
      return null;
    }
    out.push({ name, data });
    p += 46 + n + m + k;
  }
  return out;
}

/** Builds a zip; each entry may forge: method, flags, crc, csize, usize, data (raw), versionMadeBy, external, offsetDelta. */
function buildZip(entries, opts = {}) {
  const parts = [];
  const central = [];
  let pos = 0;
  for (const e of entries) {
    const name = Buffer.isBuffer(e.name) ? e.name : Buffer.from(e.name, "utf8");
    const method = e.method ?? 8;
    const data = e.raw ?? (method === 8 ? zlib.deflateRawSync(e.data) : e.data);
    const crc = e.crc ?? crc32(e.data);
    const usize = e.usize ?? e.data.length;
    const csize = e.csize ?? data.length;
    const flags = (e.flags ?? 0) | 0x0800;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(e.localFlags ?? flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(0, 10);
    lh.writeUInt16LE(0x21, 12);
    lh.writeUInt32LE(crc >>> 0, 14);
    lh.writeUInt32LE(csize >>> 0, 18);
    lh.writeUInt32LE(usize >>> 0, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(0, 28);
    const offset = pos;
    parts.push(lh, name, data);
    pos += 30 + name.length + data.length;
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(e.versionMadeBy ?? 20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(0, 12);
    c.writeUInt16LE(0x21, 14);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(csize >>> 0, 20);
    c.writeUInt32LE(usize >>> 0, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(0, 30);
    c.writeUInt16LE(0, 32);
    c.writeUInt16LE(0, 34);
    c.writeUInt16LE(0, 36);
    c.writeUInt32LE((e.external ?? 0) >>> 0, 38);
    c.writeUInt32LE((offset + (e.offsetDelta ?? 0)) >>> 0, 42);
    central.push(Buffer.concat([c, name]));
  }
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(opts.count ?? entries.length, 8);
  eocd.writeUInt16LE(opts.count ?? entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(pos, 16);
  return Buffer.concat([...parts, cd, eocd]);
}

// ---- mutators ----------------------------------------------------------------------------------------------------
const SPECIAL32 = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const SPECIAL16 = [0, 1, 0x7fff, 0x8000, 0xfffe, 0xffff];

function byteMutation(r, buf) {
  const b = Buffer.from(buf);
  const kind = r.pick(["flip", "flip-header", "truncate", "field", "splice", "zero-run"]);
  if (kind === "truncate") return { bytes: b.subarray(0, r.int(b.length)), desc: "truncate" };
  if (kind === "splice") {
    const at = r.int(b.length);
    const len = r.range(1, 64);
    return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + len))]), desc: `delete ${len} bytes at ${at}` };
  }
  if (kind === "zero-run") {
    const at = r.int(b.length);
    b.fill(0, at, Math.min(b.length, at + r.range(1, 512)));
    return { bytes: b, desc: `zero run at ${at}` };
  }
  if (kind === "field") {
    // A field of a header: find a signature and overwrite one of its fields with a special value.
    const sigs = [0x04034b50, 0x02014b50, 0x06054b50];
    const hits = [];
    for (let i = 0; i + 4 <= b.length && hits.length < 4000; i++) if (b[i] === 0x50 && b[i + 1] === 0x4b && sigs.includes(b.readUInt32LE(i))) hits.push(i);
    if (!hits.length) return byteMutation(r, buf);
    const at = r.pick(hits) + r.range(4, 44);
    if (at + 4 > b.length) return byteMutation(r, buf);
    if (r.chance(0.5)) b.writeUInt16LE(r.pick(SPECIAL16), at);
    else b.writeUInt32LE(r.pick(SPECIAL32), at);
    return { bytes: b, desc: `header field at ${at}` };
  }
  const n = r.range(1, 8);
  const region = kind === "flip-header" ? Math.max(1, Math.floor(b.length * 0.05)) : b.length;
  for (let i = 0; i < n; i++) {
    const at = kind === "flip-header" ? b.length - 1 - r.int(region) : r.int(b.length);
    b[at] ^= 1 << r.int(8);
  }
  return { bytes: b, desc: `${kind} x${n}` };
}

function entryMutation(r, entries) {
  const list = entries.map((e) => ({ ...e }));
  const i = r.int(list.length);
  const e = list[i];
  const kind = r.pick(["name", "duplicate", "case-duplicate", "flags", "method", "symlink", "crc", "sizes", "bomb", "offset", "zip64", "drop", "dir"]);
  switch (kind) {
    case "name":
      e.name = r.pick(["../../evil.xml", "/etc/evil.xml", "C:/evil.xml", "a\\..\\..\\evil.xml", "WebResources//x", "./solution.xml", "x\u0000.xml", "", "Other/../../x", "a/".repeat(200) + "deep.xml"]);
      break;
    case "duplicate":
      list.splice(r.int(list.length + 1), 0, { ...e });
      break;
    case "case-duplicate":
      list.push({ ...e, name: e.name.toUpperCase() === e.name ? e.name.toLowerCase() : e.name.toUpperCase() });
      break;
    case "flags":
      e.flags = r.pick([1, 0x40, 0x2000, 0x8, 0xffff]);
      break;
    case "method":
      e.method = r.pick([1, 6, 9, 12, 14, 93, 99, 0]);
      if (e.method !== 0 && e.method !== 8) e.raw = zlib.deflateRawSync(e.data);
      break;
    case "symlink":
      e.versionMadeBy = 0x031e;
      e.external = (0o120777 << 16) >>> 0;
      break;
    case "crc":
      e.crc = (crc32(e.data) ^ (1 << r.int(32))) >>> 0;
      break;
    case "sizes":
      if (r.chance(0.5)) e.usize = r.pick([0, 1, e.data.length + 1, Math.max(0, e.data.length - 1), 0x7fffffff]);
      else e.csize = r.pick([0, 1, 0x7fffffff]);
      break;
    case "bomb":
      e.raw = zlib.deflateRawSync(Buffer.alloc(r.pick([2, 20, 80]) * 1024 * 1024));
      e.usize = r.pick([e.data.length, 1024, 200 * 1024 * 1024]);
      e.crc = 0;
      break;
    case "offset":
      e.offsetDelta = r.pick([-30, -1, 1, 17, 100000]);
      break;
    case "zip64":
      e.usize = 0xffffffff;
      break;
    case "drop":
      list.splice(i, 1);
      break;
    case "dir":
      list.push({ name: e.name + "/", data: Buffer.alloc(0), method: 0 });
      break;
  }
  return { entries: list, desc: `entry ${kind} (${JSON.stringify(String(e.name).slice(0, 60))})` };
}

const DOCTYPES = [
  '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
  '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  '<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">',
  '<!ENTITY e "x">',
];

function xmlMutation(r, text) {
  const kind = r.pick(["delete-char", "insert-markup", "rename-close", "dup-element", "drop-element", "attr", "entity", "deep", "doctype", "value", "value", "swap", "huge", "cdata", "pi", "root", "drop-attr", "attr-value", "rename-element", "empty-element", "move-element"]);
  const lt = () => {
    const idx = [];
    for (let i = text.indexOf("<"); i >= 0 && idx.length < 20000; i = text.indexOf("<", i + 1)) idx.push(i);
    return idx;
  };
  const tags = lt();
  const at = tags.length ? r.pick(tags) : r.int(text.length + 1);
  const elementSpan = () => {
    // A start tag and its matching end (naively: the next "</name" after it).
    const m = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(at));
    if (!m) return null;
    const close = text.indexOf(`</${m[1]}>`, at);
    const self = text.indexOf("/>", at);
    const gt = text.indexOf(">", at);
    if (self >= 0 && self < gt + 1 && self === gt - 1) return [at, gt + 1];
    if (close < 0) return null;
    return [at, close + m[1].length + 3];
  };
  switch (kind) {
    case "delete-char": {
      const p = r.chance(0.5) ? at : r.int(text.length);
      return { text: text.slice(0, p) + text.slice(p + 1), desc: `delete char at ${p}` };
    }
    case "insert-markup":
      return { text: text.slice(0, at) + r.pick(["<", ">", "</x>", "<x>", "<!--", "-->", "<![CDATA[", "]]>", "<?", "&", "<a b='1' b='2'/>", "<a b=c/>", '<a b="<"/>', "\u0000", "\uFFFF", "\uD800"]) + text.slice(at), desc: `insert markup at ${at}` };
    case "rename-close": {
      const c = text.indexOf("</", at);
      if (c < 0) return { text: text + "</x>", desc: "append close" };
      return { text: text.slice(0, c + 2) + "Zz" + text.slice(c + 2), desc: `rename close at ${c}` };
    }
    case "dup-element": {
      const s = elementSpan();
      if (!s) return { text, desc: "noop" };
      return { text: text.slice(0, s[1]) + text.slice(s[0], s[1]) + text.slice(s[1]), desc: `duplicate element at ${s[0]}` };
    }
    case "drop-element": {
      const s = elementSpan();
      if (!s) return { text, desc: "noop" };
      return { text: text.slice(0, s[0]) + text.slice(s[1]), desc: `drop element at ${s[0]}` };
    }
    case "attr": {
      const gt = text.indexOf(">", at);
      if (gt < 0) return { text, desc: "noop" };
      const ins = r.pick([' a="1" a="2"', " a=1", ' a="x', ' a="&bogus;"', ' a="&#0;"', ' a="&#x110000;"', ' a="&#xD800;"', ` a="${"x".repeat(r.pick([10, 100000, 3000000]))}"`, ` ${Array.from({ length: 50000 }, (_, i) => `z${i}="1"`).join(" ")}`, ' xmlns:a="urn:x" a:b="1"', " =", ' a=""""']);
      return { text: text.slice(0, gt) + ins + text.slice(gt), desc: `attribute mutation at ${gt}` };
    }
    case "entity":
      return { text: text.slice(0, at) + r.pick(["&lol;", "&amp", "&#;", "&#x;", "&#99999999;", "&#x10FFFF;", "&#65;", "&lt;&gt;&quot;&apos;", "&" + "a".repeat(20) + ";"]) + text.slice(at), desc: `entity at ${at}` };
    case "deep": {
      const n = r.pick([10, 900, 999, 1000, 1001, 5000, 100000]);
      return { text: text.slice(0, at) + "<d>".repeat(n) + "</d>".repeat(n) + text.slice(at), desc: `nesting ${n} at ${at}` };
    }
    case "doctype": {
      const d = r.pick(DOCTYPES);
      const first = text.indexOf("<", text.startsWith("<?xml") ? text.indexOf("?>") + 2 : 0);
      return { text: r.chance(0.7) ? text.slice(0, Math.max(0, first)) + d + text.slice(Math.max(0, first)) : text.slice(0, at) + d + text.slice(at), desc: "doctype" };
    }
    case "value": {
      const re = r.pick([/<Version>[^<]*</, /Id="[^"]*"/, /<Stage>[^<]*</, /<Mode>[^<]*</, /<Rank>[^<]*</, /FullName="[^"]*"/, /<UniqueName>[^<]*</, /<Managed>[^<]*</, /<FileName>[^<]*</, /<EventHandler>[^<]*</, /<ImageType>[^<]*</, /<Contract>[^<]*</, /type="[^"]*"/]);
      const v = r.pick(["", "-1", "1.x", "99999999999999999999", "1.0.0.0.0", "NaN", "{00000000-0000-0000-0000-000000000000}", "../../x", "/PluginAssemblies/../../etc/passwd", "Contoso, Version=999999.0.0.0", "\u202e", "0x10", " 1 "]);
      const m = re.exec(text);
      if (!m) return { text, desc: "noop" };
      const s = m[0];
      const repl = s.startsWith("<") ? s.replace(/>[^<]*</, `>${v}<`) : s.replace(/"[^"]*"/, `"${v}"`);
      return { text: text.slice(0, m.index) + repl + text.slice(m.index + s.length), desc: `value ${JSON.stringify(s.slice(0, 30))} -> ${JSON.stringify(v)}` };
    }
    case "swap": {
      if (tags.length < 2) return { text, desc: "noop" };
      const [a, b] = [r.pick(tags), r.pick(tags)].sort((x, y) => x - y);
      return { text: text.slice(0, a) + text.slice(b, b + 40) + text.slice(a + 40, b) + text.slice(a, a + 40) + text.slice(b + 40), desc: `swap ${a} ${b}` };
    }
    case "huge":
      return { text: text.slice(0, at) + "<h>" + "x".repeat(r.pick([1e5, 5e6])) + "</h>" + text.slice(at), desc: "huge text" };
    case "cdata":
      return { text: text.slice(0, at) + "<![CDATA[<not>&markup;]]>" + text.slice(at), desc: "cdata" };
    case "pi":
      return { text: text.slice(0, at) + r.pick(["<?xml version='1.0'?>", "<?pi x?>", "<?xml-stylesheet href='x'?>"]) + text.slice(at), desc: "pi" };
    case "root":
      return { text: text.replace(/<ImportExportXml/, r.pick(["<ImportExportXmlX", "<x/><ImportExportXml", "<ImportExportXml/><ImportExportXml"])), desc: "root" };
    // Well-formed but meaningless: what reaches the model, check, impact and the layout.
    case "drop-attr": {
      const attrs = [...text.matchAll(/\s[\w:.-]+=("[^"]*"|'[^']*')/g)];
      if (!attrs.length) return { text, desc: "noop" };
      const m = r.pick(attrs);
      return { text: text.slice(0, m.index) + text.slice(m.index + m[0].length), desc: `drop attribute ${m[0].trim().slice(0, 40)}` };
    }
    case "attr-value": {
      const attrs = [...text.matchAll(/(\s[\w:.-]+=)("[^"]*"|'[^']*')/g)];
      if (!attrs.length) return { text, desc: "noop" };
      const m = r.pick(attrs);
      const v = r.pick(["", " ", "{}", "x, Version=, Culture=, PublicKeyToken=", ",,,,", "a, b, Version=1.0.0.0.0.0", "00000000-0000-0000-0000-000000000000", "-2147483649", "1e308", "&#x1F600;"]);
      return { text: text.slice(0, m.index) + m[1] + `"${v}"` + text.slice(m.index + m[0].length), desc: `attribute ${m[1].trim()} -> ${JSON.stringify(v)}` };
    }
    case "rename-element": {
      const s = elementSpan();
      if (!s) return { text, desc: "noop" };
      const name = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(s[0]))[1];
      const to = r.pick(["PluginAssembly", "SdkMessageProcessingStep", "ServiceEndpoint", "PluginType", "PluginTypes", "SdkMessageProcessingStepImage", "SdkMessageProcessingStepImages", "RootComponent", "RootComponents", "MissingDependency", "Entity", "SolutionManifest", "ServiceEndpoints", "SdkMessageProcessingSteps", "SolutionPluginAssemblies", "Version", "FileName"]);
      let span = text.slice(s[0], s[1]);
      span = span.replace(new RegExp(`^<${name.replace(/[.]/g, "\\.")}`), `<${to}`).replace(new RegExp(`</${name.replace(/[.]/g, "\\.")}>$`), `</${to}>`);
      return { text: text.slice(0, s[0]) + span + text.slice(s[1]), desc: `rename <${name}> to <${to}>` };
    }
    case "empty-element": {
      const s = elementSpan();
      if (!s) return { text, desc: "noop" };
      const name = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(s[0]))[1];
      return { text: text.slice(0, s[0]) + (r.chance(0.5) ? `<${name} />` : `<${name}></${name}>`) + text.slice(s[1]), desc: `empty <${name}>` };
    }
    case "move-element": {
      const s = elementSpan();
      if (!s || tags.length < 2) return { text, desc: "noop" };
      const span = text.slice(s[0], s[1]);
      const rest = text.slice(0, s[0]) + text.slice(s[1]);
      const targets = [...rest.matchAll(/<[A-Za-z_][\w.:-]*(\s[^<>]*)?>/g)].filter((m) => !m[0].endsWith("/>"));
      if (!targets.length) return { text, desc: "noop" };
      const t = r.pick(targets);
      const at2 = t.index + t[0].length;
      return { text: rest.slice(0, at2) + span + rest.slice(at2), desc: "move element" };
    }
  }
  return { text, desc: "noop" };
}

function encodingMutation(r, text) {
  const kind = r.pick(["utf16le-bom", "utf16be-bom", "utf16le-nobom", "latin1", "bad-utf8", "bom", "declare"]);
  switch (kind) {
    case "utf16le-bom":
      return { bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]), desc: kind };
    case "utf16be-bom": {
      const b = Buffer.from(text, "utf16le");
      b.swap16();
      return { bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), b]), desc: kind };
    }
    case "utf16le-nobom":
      return { bytes: Buffer.from(text, "utf16le"), desc: kind };
    case "latin1":
      return { bytes: Buffer.from(text.replace(/<Descriptions\s*\/>/, "<Descriptions>Café é ß</Descriptions>"), "latin1"), desc: kind };
    case "bad-utf8": {
      const b = Buffer.from(text, "utf8");
      const at = r.int(b.length);
      return { bytes: Buffer.concat([b.subarray(0, at), Buffer.from([r.pick([0xff, 0xc3, 0xe2, 0x80, 0xed])]), b.subarray(at)]), desc: `${kind} at ${at}` };
    }
    case "bom":
      return { bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf].slice(0, r.pick([3, 6]))), Buffer.from(text, "utf8")]), desc: kind };
    case "declare":
      return { bytes: Buffer.from(`<?xml version="1.0" encoding="${r.pick(["utf-16", "windows-1252", "ebcdic", "UTF8", ""])}"?>` + text.replace(/^<\?xml[^>]*\?>/, ""), "utf8"), desc: kind };
  }
}

function makeInput(r, seeds) {
  const seed = r.pick(seeds);
  const kind = r.pick(["bytes", "bytes", "entries", "xml", "xml", "xml", "encoding", "folder", "folder"]);
  if (kind === "bytes") {
    const m = byteMutation(r, seed.bytes);
    return { form: "zip", bytes: m.bytes, desc: `${seed.name}: ${m.desc}` };
  }
  const entries = seed.entries;
  if (kind === "entries") {
    const m = entryMutation(r, entries);
    return { form: "zip", bytes: buildZip(m.entries), desc: `${seed.name}: ${m.desc}` };
  }
  const xmlIdx = entries.map((e, i) => [e, i]).filter(([e]) => /\.xml$/i.test(e.name));
  if (!xmlIdx.length) return { form: "zip", bytes: byteMutation(r, seed.bytes).bytes, desc: `${seed.name}: bytes` };
  const favored = xmlIdx.filter(([e]) => /^(solution|customizations)\.xml$/i.test(e.name));
  const [target, ti] = r.chance(0.8) && favored.length ? r.pick(favored) : r.pick(xmlIdx);
  const text = target.data.toString("utf8");
  if (kind === "folder") {
    // The worker unpacks the seed, then mutates this folder file with these bytes.
    const m = r.chance(0.15) ? { special: r.pick(["remove-manifest", "remove-customizations", "link-out", "link-loop", "empty-file", "dir-for-file"]) } : r.chance(0.2) ? encodingMutation(r, text) : xmlMutation(r, text);
    return { form: "folder", bytes: seed.bytes, folderTarget: target.name, folderBytes: m.bytes ?? (m.text !== undefined ? Buffer.from(m.text, "utf8") : undefined), special: m.special, desc: `${seed.name}: folder ${target.name}: ${m.desc ?? m.special}` };
  }
  let bytes;
  let desc;
  if (kind === "encoding") {
    const m = encodingMutation(r, text);
    bytes = m.bytes;
    desc = m.desc;
  } else {
    let t = text;
    const descs = [];
    for (let i = r.range(1, 3); i > 0; i--) {
      const m = xmlMutation(r, t);
      t = m.text;
      descs.push(m.desc);
    }
    bytes = Buffer.from(t, "utf8");
    desc = descs.join(", ");
  }
  const list = entries.map((e, i) => (i === ti ? { name: e.name, data: bytes } : e));
  return { form: "zip", bytes: buildZip(list), desc: `${seed.name}: ${target.name}: ${desc}` };
}

// ---- the worker: one input through every entry point ---------------------------------------------------------------
async function runInput(lib, input, tmpRoot) {
  const dir = fs.mkdtempSync(path.join(tmpRoot, "in-"));
  const steps = [];
  const result = { outcome: "ok", steps, error: null };
  const cleanRefusal = (e) => {
    if (!lib.isDvsolError(e)) return false;
    if (!(e.code in lib.ERROR_CODES)) return false;
    // "undefined", "NaN" or "[object Object]" outside quotes means a message built from a missing value
    // (quoted, it is the input's own text: a version "NaN" is refused as such).
    if (!e.message || /\b(undefined|NaN)\b|\[object Object\]/.test(e.message.replace(/"[^"]*"/g, '""'))) return false;
    lib.formatError(e);
    return true;
  };
  const step = async (name, fn) => {
    try {
      const v = await fn();
      steps.push([name, "ok"]);
      return { ok: true, v };
    } catch (e) {
      if (cleanRefusal(e)) {
        steps.push([name, e.code]);
        return { ok: false };
      }
      const err = { step: name, name: e?.name, code: e?.code, message: String(e?.message ?? e), stack: String(e?.stack ?? "") };
      if (lib.isDvsolError(e)) result.outcome = result.outcome === "crash" ? "crash" : "unclean";
      else result.outcome = "crash";
      result.error ??= err;
      steps.push([name, lib.isDvsolError(e) ? `unclean ${e.code}` : "CRASH"]);
      return { ok: false };
    }
  };
  const unclean = (name, message) => {
    if (result.outcome === "ok") result.outcome = "unclean";
    result.error ??= { step: name, message };
  };
  try {
    let loc = path.join(dir, "in.zip");
    fs.writeFileSync(loc, input.bytes);
    if (input.form === "folder") {
      const f = path.join(dir, "folder");
      const u = await step("seed-unpack", () => lib.unpack(loc, f));
      if (!u.ok) return result;
      fs.rmSync(loc);
      loc = f;
      const target = path.join(f, input.folderTarget === "solution.xml" ? "Other/Solution.xml" : input.folderTarget === "customizations.xml" ? "Other/Customizations.xml" : input.folderTarget);
      if (input.special === "remove-manifest") fs.rmSync(path.join(f, "Other", "Solution.xml"), { force: true });
      else if (input.special === "remove-customizations") fs.rmSync(path.join(f, "Other", "Customizations.xml"), { force: true });
      else if (input.special === "link-out") {
        fs.rmSync(target, { force: true });
        fs.symlinkSync("/etc/hostname", target);
      } else if (input.special === "link-loop") fs.symlinkSync("..", path.join(f, "Other", "loop"));
      else if (input.special === "empty-file") fs.writeFileSync(target, "");
      else if (input.special === "dir-for-file") {
        fs.rmSync(target, { force: true });
        fs.mkdirSync(target, { recursive: true });
      } else if (fs.existsSync(target) && input.folderBytes) fs.writeFileSync(target, input.folderBytes);
    }
    const loaded = await step("loadSolution", () => lib.loadSolution(loc));
    const ids = {};
    if (loaded.ok) {
      const sol = loaded.v;
      ids.step = sol.steps[0]?.id;
      ids.assembly = sol.assemblies.find((a) => a.id)?.id;
      ids.endpoint = sol.endpoints[0]?.id;
      try {
        await step("inspect", () => lib.formatInspectText(lib.inspectSolution(sol)) + JSON.stringify(lib.inspectSolution(sol)));
        await step("check", () => lib.checkSolution(sol));
      } finally {
        await sol.source.close();
      }
    }
    if (input.form === "zip") {
      const out = path.join(dir, "out");
      const u = await step("unpack", () => lib.unpack(loc, out));
      if (!u.ok && fs.existsSync(out)) unclean("unpack", "a failed unpack left its output folder");
      if (u.ok) {
        await step("load-unpacked", async () => (await lib.loadSolution(out)).source.close());
        const back = path.join(dir, "back.zip");
        const p = await step("pack", () => lib.pack(out, back));
        if (!p.ok && fs.existsSync(back)) unclean("pack", "a failed pack left its zip");
      }
    } else {
      const back = path.join(dir, "back.zip");
      const p = await step("pack", () => lib.pack(loc, back));
      if (!p.ok && fs.existsSync(back)) unclean("pack", "a failed pack left its zip");
    }
    // An edit in place: refused edits leave the input as it was.
    const before = snapshot(loc);
    const v = await step("setVersion", () => lib.setVersion(loc, { bump: "build" }));
    if (!v.ok && snapshot(loc) !== before) unclean("setVersion", "a refused edit changed its input");
    // More edits, each written elsewhere (--out) so that they do not depend on one another.
    const outs = [];
    const edit = async (name, fn) => {
      const out = path.join(dir, `edit-${outs.length}${input.form === "zip" ? ".zip" : ""}`);
      outs.push(out);
      const e = await step(name, () => fn(out));
      if (!e.ok && fs.existsSync(out)) unclean(name, "a refused edit left its --out output");
    };
    if (ids.step) {
      await edit("disable step", (out) => lib.setStepState(loc, ids.step, false, { out }));
      await edit("update step", (out) => lib.updateStep(loc, ids.step, { rank: 7, filter: "name" }, { out }));
      await edit("add image", (out) => lib.addImage(loc, ids.step, ["post:Fuzz:name"], { out }));
      await edit("remove step", (out) => lib.removeComponent(loc, "step", ids.step, { out }));
    }
    if (ids.assembly) await edit("remove assembly", (out) => lib.removeComponent(loc, "assembly", ids.assembly, { cascade: true, out }));
    if (ids.endpoint) await edit("remove endpoint", (out) => lib.removeComponent(loc, "endpoint", ids.endpoint, { cascade: true, out }));
    await edit("add endpoint", (out) => lib.addEndpoint(loc, { name: "fuzz queue", contract: "queue", namespace: "fuzzbus1", path: "q", sasKeyName: "send" }, { out }));
    await step("impact", () => lib.impact(loc, loc, { readDlls: true }));
    const left = leftovers(dir);
    if (left.length) unclean("leftovers", `dvsol left ${left.slice(0, 5).join(", ")}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

function snapshot(p) {
  const h = createHash("sha1");
  const walk = (q) => {
    const st = fs.lstatSync(q, { throwIfNoEntry: false });
    if (!st) return;
    h.update(q);
    if (st.isDirectory()) for (const n of fs.readdirSync(q).sort()) walk(path.join(q, n));
    else if (st.isFile()) h.update(fs.readFileSync(q));
  };
  walk(p);
  return h.digest("hex");
}

function leftovers(dir) {
  const out = [];
  const walk = (d) => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      if (n.startsWith(".dvsol-") && n !== ".dvsol-lock") out.push(path.relative(dir, p));
      else if (n === ".dvsol-lock" || n.startsWith(".dvsol-lock-")) out.push(path.relative(dir, p));
      else if (fs.lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

if (!isMainThread) {
  const lib = await import(dist);
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "dvsol-fuzz-"));
  parentPort.on("message", async (job) => {
    let result;
    try {
      result = await runInput(lib, { ...job.input, bytes: Buffer.from(job.input.bytes), folderBytes: job.input.folderBytes ? Buffer.from(job.input.folderBytes) : undefined }, tmpRoot);
    } catch (e) {
      result = { outcome: "crash", steps: [], error: { step: "harness", message: String(e?.message ?? e), stack: String(e?.stack ?? "") } };
    }
    parentPort.postMessage({ id: job.id, result });
  });
  process.on("exit", () => fs.rmSync(tmpRoot, { recursive: true, force: true }));
} else {
  await mainThread();
}

// ---- the main thread -------------------------------------------------------------------------------------------------
async function mainThread() {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  if (!fs.existsSync(path.join(root, "dist", "index.js"))) {
    console.error("build first: npx tsc -p .");
    process.exit(2);
  }
  if (args.includes("--replay")) return replay(opt("replay"));
  const minutes = Number(opt("minutes", "5"));
  const seed = Number(opt("seed", String(Date.now() % 1e9)));
  const workers = Number(opt("workers", String(Math.max(1, Math.min(4, os.availableParallelism())))));
  const timeoutS = Number(opt("timeout", "30"));
  if (opt("out")) crashDir = path.resolve(opt("out"));
  const r = rng(seed);
  const seeds = loadSeeds();
  fs.mkdirSync(crashDir, { recursive: true });
  console.log(`fuzz: seed ${seed}, ${minutes} min, ${workers} workers, ${seeds.length} seed solutions, timeout ${timeoutS} s`);

  const stats = { seed, minutes, inputs: 0, ok: 0, refused: 0, crash: 0, unclean: 0, hang: 0, oom: 0, slow: 0, byCode: {}, signatures: {}, startedAt: new Date().toISOString() };
  const end = Date.now() + minutes * 60_000;
  let nextId = 0;
  const saveFinding = (outcome, input, detail) => {
    const sig = signature(outcome, detail);
    const s = (stats.signatures[sig] ??= { outcome, count: 0, example: null, desc: input.desc, detail });
    s.count++;
    if (s.count <= 3) {
      const name = `${outcome}-${createHash("sha1").update(sig).digest("hex").slice(0, 10)}-${s.count}`;
      const file = path.join(crashDir, `${name}.${input.form === "zip" ? "zip" : "seed.zip"}`);
      fs.writeFileSync(file, input.bytes);
      fs.writeFileSync(path.join(crashDir, `${name}.json`), JSON.stringify({ outcome, signature: sig, desc: input.desc, form: input.form, folderTarget: input.folderTarget, special: input.special, folderBytes: input.folderBytes ? Buffer.from(input.folderBytes).toString("base64") : undefined, detail }, null, 2));
      s.example ??= path.relative(root, file);
    }
  };

  const lanes = Array.from({ length: workers }, () => lane());
  async function lane() {
    let w = spawnWorker();
    while (Date.now() < end) {
      const input = makeInput(r, seeds);
      const id = nextId++;
      stats.inputs++;
      const job = { form: input.form, bytes: input.bytes, folderTarget: input.folderTarget, folderBytes: input.folderBytes, special: input.special, desc: input.desc };
      let res = await attempt(w, id, job, timeoutS);
      if (res.outcome === "hang") {
        // On a loaded machine a slow input is not a hang: once more, in a fresh worker, with 4x the time.
        await w.terminate().catch(() => undefined);
        w = spawnWorker();
        res = await attempt(w, id, job, timeoutS * 4);
        if (res.outcome !== "hang") stats.slow++;
      }
      if (res.outcome === "hang" || res.outcome === "oom" || (res.outcome === "crash" && res.error?.step === "worker")) {
        await w.terminate().catch(() => undefined);
        w = spawnWorker();
      }
      stats[res.outcome]++;
      for (const [, c] of res.steps ?? []) if (c !== "ok") stats.byCode[c] = (stats.byCode[c] ?? 0) + 1;
      if (res.outcome === "ok" && (res.steps ?? []).some(([, c]) => c !== "ok")) {
        stats.ok--;
        stats.refused++;
      }
      if (res.outcome !== "ok") saveFinding(res.outcome, input, res.error ?? { timeoutS: timeoutS * 4 });
      if (stats.inputs % 200 === 0) progress(stats);
    }
    await w.terminate().catch(() => undefined);
  }

  function attempt(w, id, job, seconds) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ outcome: "hang" }), seconds * 1000);
        const onMsg = (m) => {
          if (m.id !== id) return;
          clearTimeout(timer);
          cleanup();
          resolve(m.result);
        };
        const onErr = (e) => {
          clearTimeout(timer);
          cleanup();
          resolve({ outcome: /out of memory|ERR_WORKER_OUT_OF_MEMORY/i.test(String(e?.code ?? e?.message)) ? "oom" : "crash", error: { step: "worker", message: String(e?.message ?? e), stack: String(e?.stack ?? "") } });
        };
        const cleanup = () => {
          w.off("message", onMsg);
          w.off("error", onErr);
        };
        w.on("message", onMsg);
        w.on("error", onErr);
        w.postMessage({ id, input: job });
      });
  }
  await Promise.all(lanes);
  stats.finishedAt = new Date().toISOString();
  progress(stats);
  fs.writeFileSync(path.join(crashDir, "..", `${path.basename(crashDir)}-summary.json`), JSON.stringify(stats, null, 2));
  const bad = Object.entries(stats.signatures);
  console.log(`\n${stats.inputs} inputs: ${stats.ok} accepted, ${stats.refused} refused cleanly (some step), ${stats.crash} crashes, ${stats.unclean} unclean, ${stats.hang} hangs (${stats.slow} slow inputs finished on a second, longer try), ${stats.oom} out of memory`);
  console.log(`refusal codes: ${Object.entries(stats.byCode).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  for (const [sig, s] of bad) console.log(`  ${s.outcome} x${s.count}: ${sig}\n      e.g. ${s.example} (${s.desc})`);
  process.exit(bad.length ? 1 : 0);
}

function spawnWorker() {
  const w = new Worker(fileURLToPath(import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 1536 } });
  w.unref();
  return w;
}

function signature(outcome, d) {
  if (!d || outcome === "hang") return `${outcome}`;
  const frame = (d.stack ?? "").split("\n").find((l) => /dist\//.test(l))?.replace(/.*dist\//, "").replace(/:\d+\)?$/, "") ?? "";
  return `${outcome} ${d.step ?? ""} ${d.code ?? ""} ${String(d.message ?? "").replace(/\d+/g, "N").replace(/"[^"]*"/g, '"…"').slice(0, 120)} @ ${frame}`;
}

function progress(s) {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${s.inputs} inputs: ok ${s.ok}, refused ${s.refused}, crash ${s.crash}, unclean ${s.unclean}, hang ${s.hang} (slow, not hung: ${s.slow}), oom ${s.oom}; ${Object.keys(s.signatures).length} distinct problems`);
}

function loadSeeds() {
  const corpus = path.resolve(root, "..", "shared", "corpus");
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.zip(@[0-9a-f]{8})?$/i.test(e.name) && fs.statSync(p).size <= 4 * 1024 * 1024) files.push(p);
    }
  };
  if (fs.existsSync(corpus)) walk(corpus);
  const seeds = [];
  for (const f of files.sort()) {
    const bytes = fs.readFileSync(f);
    const entries = readZipEntries(bytes);
    if (entries) seeds.push({ name: path.relative(corpus, f), bytes, entries });
  }
  if (!seeds.length) {
    const sol = `<ImportExportXml version="9.2"><SolutionManifest><UniqueName>Fuzz</UniqueName><LocalizedNames><LocalizedName description="Fuzz" languagecode="1033" /></LocalizedNames><Version>1.0.0.0</Version><Managed>0</Managed><Publisher><UniqueName>p</UniqueName><CustomizationPrefix>p</CustomizationPrefix></Publisher><RootComponents /><MissingDependencies /></SolutionManifest></ImportExportXml>`;
    const cust = `<ImportExportXml><Entities /><SolutionPluginAssemblies /><SdkMessageProcessingSteps><SdkMessageProcessingStep Name="s" SdkMessageProcessingStepId="{11111111-1111-1111-1111-111111111111}"><SdkMessageId>9ebdbb1b-ea3e-db11-86a7-000a3a5473e8</SdkMessageId><Stage>20</Stage><Mode>0</Mode><Rank>1</Rank><SdkMessageProcessingStepImages /></SdkMessageProcessingStep></SdkMessageProcessingSteps><Languages><Language>1033</Language></Languages></ImportExportXml>`;
    const entries = [
      { name: "customizations.xml", data: Buffer.from(cust) },
      { name: "[Content_Types].xml", data: Buffer.from('<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/octet-stream" /></Types>') },
      { name: "solution.xml", data: Buffer.from(sol) },
    ];
    seeds.push({ name: "built-in", bytes: buildZip(entries), entries });
  }
  return seeds;
}

async function replay(file) {
  const lib = await import(dist);
  const meta = fs.existsSync(file.replace(/\.(seed\.)?zip$/, ".json")) ? JSON.parse(fs.readFileSync(file.replace(/\.(seed\.)?zip$/, ".json"), "utf8")) : { form: "zip" };
  const input = { form: meta.form ?? "zip", bytes: fs.readFileSync(file), folderTarget: meta.folderTarget, special: meta.special, folderBytes: meta.folderBytes ? Buffer.from(meta.folderBytes, "base64") : undefined };
  const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "dvsol-fuzz-replay-"));
  const t0 = performance.now();
  const res = await runInput(lib, input, tmpRoot);
  fs.rmSync(tmpRoot, { recursive: true, force: true });
  console.log(JSON.stringify({ ...res, ms: Math.round(performance.now() - t0) }, null, 2));
  process.exit(res.outcome === "ok" ? 0 : 1);
}
