/**
 * Test helpers for the archive layer: a tiny raw zip builder that can forge any header field
 * (APPNOTE.TXT 4.3.7 local header, 4.3.9 data descriptor, 4.3.12 central header, 4.3.16 end record),
 * temp folders, and access to Info-ZIP and the shared corpus.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as zlib from "node:zlib";
import { isDvsolError } from "../../src/errors.js";
import { crc32 } from "../../src/archive/crc32.js";

export interface RawEntry {
  /** Name bytes as written (a string is written as UTF-8). */
  name: string | Buffer;
  /** Uncompressed content; deflated when method is 8 (the default) unless `data` is given. */
  content?: Buffer | string;
  /** Bytes written as the entry's data, as is (overrides deflating `content`). */
  data?: Buffer;
  method?: number;
  flags?: number;
  crc?: number;
  csize?: number;
  usize?: number;
  versionMadeBy?: number;
  versionNeeded?: number;
  externalAttributes?: number;
  dosTime?: number;
  dosDate?: number;
  centralExtra?: Buffer;
  localExtra?: Buffer;
  comment?: Buffer;
  diskStart?: number;
  /** Central name length field override (to forge overflows). */
  centralNameLength?: number;
  /** Name in the local header, if different. */
  localName?: string | Buffer;
  /** Local header fields, if different from the central ones. */
  local?: { flags?: number; method?: number; crc?: number; csize?: number; usize?: number };
  /** Write a data descriptor (bit 3 set, zeros in the local header): with or without its signature. */
  descriptor?: "sig" | "nosig";
  /** Offset the central header gives (default: where the local header was written). */
  offset?: number;
  /** Write no local header or data for this entry (its central header points at `offset`). */
  centralOnly?: boolean;
}

export interface BuildOptions {
  /** Bytes before the first local header (self-extractor stub). */
  prefix?: Buffer;
  /** When there is a prefix: store offsets counted from the start of the file (zip -A) instead of from the zip. */
  absoluteOffsets?: boolean;
  comment?: Buffer;
  eocd?: { disk?: number; cdDisk?: number; countHere?: number; count?: number; cdSize?: number; cdOffset?: number; commentLength?: number };
  /** Bytes between the central directory and the end record (e.g. a zip64 locator). */
  beforeEocd?: Buffer;
  /** Bytes after the end record. */
  trailing?: Buffer;
}

export function toBuf(b: string | Buffer): Buffer {
  return typeof b === "string" ? Buffer.from(b, "utf8") : b;
}

export function localHeaderBytes(e: RawEntry, data: Buffer, crc: number, usize: number): Buffer {
  const name = toBuf(e.localName ?? e.name);
  const extra = e.localExtra ?? Buffer.alloc(0);
  const dd = e.descriptor !== undefined;
  const flags = e.local?.flags ?? (e.flags ?? 0) | (dd ? 0x08 : 0);
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(e.versionNeeded ?? 20, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt16LE(e.local?.method ?? e.method ?? 8, 8);
  h.writeUInt16LE(e.dosTime ?? 0, 10);
  h.writeUInt16LE(e.dosDate ?? 0x21, 12);
  h.writeUInt32LE(e.local?.crc ?? (dd ? 0 : crc), 14);
  h.writeUInt32LE(e.local?.csize ?? (dd ? 0 : e.csize ?? data.length), 18);
  h.writeUInt32LE(e.local?.usize ?? (dd ? 0 : usize), 22);
  h.writeUInt16LE(name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, name, extra]);
}

/** Builds a zip from raw entries; every field can be forged. */
export function buildZip(entries: RawEntry[], opts: BuildOptions = {}): Buffer {
  const prefix = opts.prefix ?? Buffer.alloc(0);
  const base = opts.absoluteOffsets ? prefix.length : 0;
  const parts: Buffer[] = [prefix];
  let pos = prefix.length;
  const centrals: Buffer[] = [];
  for (const e of entries) {
    const method = e.method ?? 8;
    const content = e.content === undefined ? Buffer.alloc(0) : toBuf(e.content);
    const data = e.data ?? (method === 8 ? zlib.deflateRawSync(content) : content);
    const crc = e.crc ?? crc32(content);
    const usize = e.usize ?? content.length;
    const csize = e.csize ?? data.length;
    const offset = e.offset ?? pos - prefix.length + base;
    if (!e.centralOnly) {
      const lh = localHeaderBytes(e, data, crc, usize);
      parts.push(lh, data);
      pos += lh.length + data.length;
      if (e.descriptor) {
        const d = Buffer.alloc(e.descriptor === "sig" ? 16 : 12);
        let o = 0;
        if (e.descriptor === "sig") d.writeUInt32LE(0x08074b50, (o += 4) - 4);
        d.writeUInt32LE(crc, o);
        d.writeUInt32LE(csize, o + 4);
        d.writeUInt32LE(usize, o + 8);
        parts.push(d);
        pos += d.length;
      }
    }
    const name = toBuf(e.name);
    const extra = e.centralExtra ?? Buffer.alloc(0);
    const comment = e.comment ?? Buffer.alloc(0);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(e.versionMadeBy ?? 20, 4);
    c.writeUInt16LE(e.versionNeeded ?? 20, 6);
    c.writeUInt16LE((e.flags ?? 0) | (e.descriptor ? 0x08 : 0), 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(e.dosTime ?? 0, 12);
    c.writeUInt16LE(e.dosDate ?? 0x21, 14);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(csize >>> 0, 20);
    c.writeUInt32LE(usize >>> 0, 24);
    c.writeUInt16LE(e.centralNameLength ?? name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt16LE(comment.length, 32);
    c.writeUInt16LE(e.diskStart ?? 0, 34);
    c.writeUInt16LE(0, 36);
    c.writeUInt32LE((e.externalAttributes ?? 0) >>> 0, 38);
    c.writeUInt32LE(offset >>> 0, 42);
    centrals.push(Buffer.concat([c, name, extra, comment]));
  }
  const cd = Buffer.concat(centrals);
  const cdOffset = pos - prefix.length + base;
  parts.push(cd);
  if (opts.beforeEocd) parts.push(opts.beforeEocd);
  const comment = opts.comment ?? Buffer.alloc(0);
  const x = opts.eocd ?? {};
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(x.disk ?? 0, 4);
  eocd.writeUInt16LE(x.cdDisk ?? 0, 6);
  eocd.writeUInt16LE(x.countHere ?? x.count ?? entries.length, 8);
  eocd.writeUInt16LE(x.count ?? entries.length, 10);
  eocd.writeUInt32LE((x.cdSize ?? cd.length) >>> 0, 12);
  eocd.writeUInt32LE((x.cdOffset ?? cdOffset) >>> 0, 16);
  eocd.writeUInt16LE(x.commentLength ?? comment.length, 20);
  parts.push(eocd, comment);
  if (opts.trailing) parts.push(opts.trailing);
  return Buffer.concat(parts);
}

/** A raw deflate stream of `total` zero bytes, about 1 KB per MiB: segments flushed to a byte boundary, then an empty final stored block. */
export function deflatedZeros(total: number, segment = 1024 * 1024): Buffer {
  const seg = zlib.deflateRawSync(Buffer.alloc(segment), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const n = Math.ceil(total / segment);
  return Buffer.concat([...Array.from({ length: n }, () => seg), Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff])]);
}

/** Asserts that `fn` throws (or rejects with) a DvsolError with this code; returns it. */
export async function expectCode(fn: () => unknown, code: string, messageIncludes?: string | RegExp): Promise<Error> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err !== undefined, `expected ${code}, but nothing was thrown`);
  assert.ok(isDvsolError(err), `expected DvsolError ${code}, got ${String((err as Error)?.stack ?? err)}`);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  if (messageIncludes !== undefined) {
    if (typeof messageIncludes === "string") assert.ok(err.message.includes(messageIncludes), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(messageIncludes)}`);
    else assert.match(err.message, messageIncludes);
  }
  return err;
}

export function tmpDir(t: { after: (fn: () => void) => void }, label = "dvsol-archive-"): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), label));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
export const HAVE_UNZIP = has("unzip");
export const HAVE_ZIP = has("zip");

/** Info-ZIP's own integrity test of an archive: `unzip -t -q`. */
export function unzipTest(file: string): void {
  const r = spawnSync("unzip", ["-t", "-q", file]);
  assert.equal(r.status, 0, `unzip -t ${file} failed: ${r.stdout}${r.stderr}`);
}

export function run(cmd: string, args: string[], cwd?: string): void {
  const r = spawnSync(cmd, args, { cwd });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed: ${r.stdout}${r.stderr}`);
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The shared corpus of real solutions (repo-relative ../shared/corpus). */
export const CORPUS = path.resolve(here, "..", "..", "..", "shared", "corpus");

/** Every zip in the corpus (names end in .zip, or .zip@<commit> for older versions). */
export function corpusZips(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.zip(@[0-9a-f]{8})?$/i.test(e.name)) out.push(p);
    }
  };
  if (fs.existsSync(CORPUS)) walk(CORPUS);
  return out.sort();
}

/** Central directory fields of a zip, parsed independently of the reader under test (from the end record). */
export function centralFields(zip: Buffer): Array<Record<string, number | string>> {
  let e = zip.length - 22;
  while (e >= 0 && zip.readUInt32LE(e) !== 0x06054b50) e--;
  const count = zip.readUInt16LE(e + 10);
  let p = zip.readUInt32LE(e + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    const n = zip.readUInt16LE(p + 28);
    const m = zip.readUInt16LE(p + 30);
    const k = zip.readUInt16LE(p + 32);
    out.push({
      name: zip.subarray(p + 46, p + 46 + n).toString("utf8"),
      versionMadeBy: zip.readUInt16LE(p + 4),
      versionNeeded: zip.readUInt16LE(p + 6),
      flags: zip.readUInt16LE(p + 8),
      method: zip.readUInt16LE(p + 10),
      dosTime: zip.readUInt16LE(p + 12),
      dosDate: zip.readUInt16LE(p + 14),
      crc: zip.readUInt32LE(p + 16),
      csize: zip.readUInt32LE(p + 20),
      usize: zip.readUInt32LE(p + 24),
      extraLength: m,
      commentLength: k,
      internalAttributes: zip.readUInt16LE(p + 36),
      externalAttributes: zip.readUInt32LE(p + 38),
      offset: zip.readUInt32LE(p + 42),
    });
    p += 46 + n + m + k;
  }
  return out;
}
