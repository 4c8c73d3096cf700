/**
 * Streaming, hostile-input-safe, deterministic zip reader and writer (PKWARE APPNOTE.TXT 6.3.x).
 *
 * Reader: finds the end-of-central-directory record, validates the whole central directory and every local
 * header up front (so a refusal comes before anything is written), then reads entries with positional reads
 * on a file descriptor; the archive is never loaded whole. Inflation checks size and CRC and stops as soon
 * as the output exceeds the declared size.
 * Writer: deflates several entries at once on the libuv thread pool (async zlib), writes them in the order
 * they were added, copies entries from another archive as raw compressed bytes, and produces the same bytes
 * for the same input (fixed timestamps and attributes, no extra fields, no data descriptors, no comment).
 * Neither needs jszip, which holds a whole archive in memory and cannot copy compressed bytes raw.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as nodePath from "node:path";
import { randomBytes } from "node:crypto";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import { promisify } from "node:util";
import { DvsolError, isDvsolError } from "../errors.js";
import { crc32 } from "./crc32.js";
import type { Precompressor } from "./precompress.js";
import { NameSet, decodeCp437, isAscii, showName, tryDecodeUtf8, validateEntryName } from "./names.js";

// ---- format constants (APPNOTE.TXT 4.3) -------------------------------------------------------------
const SIG_LOCAL = 0x04034b50; // 4.3.7 local file header
const SIG_CENTRAL = 0x02014b50; // 4.3.12 central directory file header
const SIG_EOCD = 0x06054b50; // 4.3.16 end of central directory record
const SIG_ZIP64_LOCATOR = 0x07064b50; // 4.3.15 zip64 end of central directory locator
const SIG_SPAN = 0x08074b50; // 8.5.3 spanning marker (same value as the data descriptor signature, 4.3.9.3)
const LOCAL_LEN = 30;
const CENTRAL_LEN = 46;
const EOCD_LEN = 22;
const ZIP64_LOCATOR_LEN = 20;
// 4.4.4 general purpose bit flags
const FLAG_ENCRYPTED = 0x0001;
const FLAG_COMPRESSION_OPTIONS = 0x0006; // bits 1-2: deflate level hint, kept on raw copies
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_UTF8 = 0x0800;
const FLAG_MASKED_HEADERS = 0x2000; // central directory encryption (7.2)
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
/** Largest size or offset a zip without zip64 can hold (0xFFFFFFFF means "see zip64", 4.4.8). */
const ZIP32_MAX = 0xfffffffe;
/** Entry count a zip without zip64 can hold (0xFFFF means "see zip64", 4.4.21). */
const ZIP32_MAX_ENTRIES = 65534;
const MiB = 1024 * 1024;
/** Ratio limit applies only above this size: small entries (XML of 1 KB of spaces) may compress very well. */
const RATIO_MIN_SIZE = MiB;
/** addFile / addRaw: files and raw entries above this size are streamed into the archive, not held in memory. */
const STREAM_FILE_THRESHOLD = 8 * MiB;
/** Bytes of pending entries (uncompressed estimate) the writer keeps in memory beyond the one it writes. */
const WRITER_BUDGET = 48 * MiB;
const WRITE_FLUSH = MiB;
/**
 * Entries up to this size are deflated/inflated on the main thread: for them the thread-pool round trip
 * (queue, wake-up, callback) costs more than the work. Bigger ones go to the pool, several at once.
 */
const SYNC_ZLIB_MAX = 16 * 1024;
const RAW_STREAM_CHUNK = 256 * 1024;
/**
 * addRaw reads entries up to this compressed size synchronously: for the thousands of small entries of a
 * solution, a thread-pool read per entry costs the main thread more than the read itself.
 */
const RAW_SYNC_MAX = 256 * 1024;
/** stream() of entries up to this size (and compressed size) reads and inflates them in one go. */
const SMALL_STREAM_MAX = 1024 * 1024;
/** Local headers closer together than this are fetched with one read at open(). */
const HEADER_GROUP_GAP = 32 * 1024;
const HEADER_GROUP_MAX = 256 * 1024;
const HEADER_READERS = 8;

const inflateRaw = promisify(zlib.inflateRaw) as (buf: Uint8Array, opts: zlib.ZlibOptions) => Promise<Buffer>;
const deflateRaw = promisify(zlib.deflateRaw) as (buf: Uint8Array, opts: zlib.ZlibOptions) => Promise<Buffer>;
const noop = () => {};

// ---- public types ------------------------------------------------------------------------------------

export interface ZipLimits {
  /** Most entries an archive may have. */
  maxEntries: number;
  /** Largest uncompressed size of one entry, in bytes. */
  maxEntrySize: number;
  /** Largest uncompressed size of all entries together, in bytes. */
  maxTotalSize: number;
  /** Largest size/compressed-size ratio, checked for entries over 1 MiB uncompressed. */
  maxRatio: number;
}

export const DEFAULT_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 100_000,
  maxEntrySize: 1024 * MiB,
  maxTotalSize: 4096 * MiB,
  maxRatio: 200,
});

export interface ZipEntry {
  /** Name as stored, decoded: UTF-8 when flag bit 11 is set, else CP437 (see decodeName for Unix archivers). */
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: 0 | 8;
  readonly compressedSize: number;
  /** Uncompressed size. */
  readonly size: number;
  readonly crc32: number;
  /** Name ends with "/" (APPNOTE.TXT 4.3.8). */
  readonly isDirectory: boolean;
  readonly dosTime: number;
  readonly dosDate: number;
  /** Position in the central directory. */
  readonly index: number;
  readonly externalAttributes: number;
  readonly internalAttributes: number;
  readonly versionMadeBy: number;
  readonly versionNeeded: number;
  /** General purpose bit flags (APPNOTE.TXT 4.4.4). */
  readonly flags: number;
  /** Offset of the local header from the start of the zip data (after any self-extractor prefix). */
  readonly localHeaderOffset: number;
}

export interface ZipReaderOptions {
  limits?: Partial<ZipLimits>;
  /** Name used in messages for fromBuffer() (open() uses the path). */
  file?: string;
}

export interface ZipWriterOptions {
  /** Deflate level 0-9; default 6. */
  level?: number;
  /** Entries compressed at once; default os.availableParallelism(). */
  concurrency?: number;
  /** Files deflated ahead on another thread (src/archive/precompress.ts), asked for by addFile(). */
  precompressor?: Precompressor;
}

export interface ZipAddOptions {
  /** Store without compression (method 0). Default: deflate. */
  store?: boolean;
  /** MS-DOS time (APPNOTE.TXT 4.4.6); default 0 (00:00:00). */
  dosTime?: number;
  /** MS-DOS date; default 0x21 (1980-01-01). */
  dosDate?: number;
}

/** DOS date of 1980-01-01, the fixed timestamp of new entries (so output does not depend on the clock). */
export const FIXED_DOS_DATE = 0x21;
export const FIXED_DOS_TIME = 0;

// ---- errors ---------------------------------------------------------------------------------------------

interface Ctx {
  file: string | undefined;
  limits: ZipLimits;
}

function corrupt(ctx: { file: string | undefined }, message: string, entry?: string): DvsolError {
  return new DvsolError("ZIP_CORRUPT", message, { file: ctx.file, entry });
}

function tooLarge(entry: ZipEntry, file: string | undefined): DvsolError {
  return new DvsolError(
    "ZIP_LIMIT",
    `Entry ${showName(entry.name)} inflates to more than its declared ${entry.size} bytes; inflating stopped (a zip bomb or a damaged archive).`,
    { file, entry: entry.name },
  );
}

function badDeflate(entry: ZipEntry, file: string | undefined, err: unknown): DvsolError {
  const msg = err instanceof Error ? err.message : String(err);
  return new DvsolError("ZIP_CORRUPT", `Entry ${showName(entry.name)}: its deflate data is invalid (${msg}).`, {
    file,
    entry: entry.name,
    cause: err,
  });
}

function inLocation(e: unknown, file: string | undefined, entry?: string): unknown {
  return isDvsolError(e) ? e.withLocation({ file, entry }) : e;
}

function fsError(e: unknown, file: string, entry?: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return new DvsolError("INPUT_NOT_FOUND", `No such file: ${file}`, { file, entry, cause: e });
  if (code === "EACCES" || code === "EPERM" || code === "EISDIR" || code === "ENOTDIR")
    return new DvsolError("INPUT_UNREADABLE", `Cannot read ${file}: ${(e as Error).message}`, { file, entry, cause: e });
  return e;
}

export function resolveLimits(partial: Partial<ZipLimits> | undefined): ZipLimits {
  const limits = { ...DEFAULT_LIMITS, ...stripUndefined(partial ?? {}) };
  for (const [k, v] of Object.entries(limits))
    if (typeof v !== "number" || !(v > 0)) throw new TypeError(`zip limit ${k} must be a positive number, got ${String(v)}`);
  return limits;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---- sources: positional reads on a file descriptor, or a buffer -----------------------------------------

interface Source {
  readonly size: number;
  read(pos: number, len: number): Promise<Buffer>;
  /** Reads into `buf` (which must hold `len` bytes); returns the filled part. */
  readInto(buf: Buffer, pos: number, len: number): Promise<Buffer>;
  readSync(pos: number, len: number): Buffer;
  close(): Promise<void>;
}

class FileSource implements Source {
  constructor(
    private readonly fh: fsp.FileHandle,
    readonly size: number,
    private readonly file: string,
  ) {}

  read(pos: number, len: number): Promise<Buffer> {
    return this.readInto(Buffer.allocUnsafe(len), pos, len);
  }

  async readInto(buf: Buffer, pos: number, len: number): Promise<Buffer> {
    let off = 0;
    while (off < len) {
      const { bytesRead } = await this.fh.read(buf, off, len - off, pos + off);
      if (bytesRead === 0) throw this.#cut(pos, len, off);
      off += bytesRead;
    }
    return buf.length === len ? buf : buf.subarray(0, len);
  }

  readSync(pos: number, len: number): Buffer {
    const buf = Buffer.allocUnsafe(len);
    for (let off = 0; off < len; ) {
      const n = fs.readSync(this.fh.fd, buf, off, len - off, pos + off);
      if (n === 0) throw this.#cut(pos, len, off);
      off += n;
    }
    return buf;
  }

  #cut(pos: number, len: number, off: number): DvsolError {
    return corrupt(
      { file: this.file },
      `The archive ends at byte ${pos + off}, inside the ${len} bytes at offset ${pos} (was it truncated or changed while being read?).`,
    );
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

class BufferSource implements Source {
  readonly size: number;
  constructor(private readonly buf: Buffer) {
    this.size = buf.length;
  }
  /** A view, no copy: for parsing headers. */
  view(pos: number, len: number): Buffer {
    return this.buf.subarray(pos, pos + len);
  }
  readSync(pos: number, len: number): Buffer {
    return Buffer.from(this.buf.subarray(pos, pos + len)); // a copy: callers may keep or change it
  }
  async read(pos: number, len: number): Promise<Buffer> {
    return this.readSync(pos, len);
  }
  async readInto(buf: Buffer, pos: number, len: number): Promise<Buffer> {
    this.buf.copy(buf, 0, pos, pos + len);
    return buf.subarray(0, len);
  }
  async close(): Promise<void> {}
}

// ---- parsing (pure functions on buffers, shared by open() and fromBuffer()) --------------------------------

interface Eocd {
  /** Absolute offset where the central directory really starts (eocd - cdSize). */
  cdStart: number;
  cdSize: number;
  count: number;
  /** Bytes before the zip data (self-extractor stub): added to every offset the archive stores. */
  prefix: number;
}

/**
 * Finds the end-of-central-directory record (4.3.16) in the last 64 KiB + 22 bytes of the file. A record whose
 * comment ends exactly at the end of the file wins; otherwise the last one whose comment fits.
 */
function locateEocd(tail: Buffer, tailPos: number, fileSize: number, head: Buffer, ctx: Ctx): Eocd {
  let found = -1;
  let cut = false;
  const lowest = Math.max(0, tail.length - EOCD_LEN - MAX16);
  for (let i = tail.length - 4; i >= lowest; i--) {
    if (tail[i] !== 0x50 || tail.readUInt32LE(i) !== SIG_EOCD) continue;
    if (i + EOCD_LEN > tail.length) {
      cut = true;
      continue;
    }
    const end = i + EOCD_LEN + tail.readUInt16LE(i + 20);
    if (end === tail.length) {
      found = i;
      break;
    }
    if (found < 0 && end <= tail.length) found = i;
  }
  if (found < 0) {
    const sig = head.length >= 4 ? head.readUInt32LE(0) : -1;
    const startsLikeZip =
      head.length >= 2 &&
      head[0] === 0x50 &&
      head[1] === 0x4b &&
      (head.length < 4 || sig === SIG_LOCAL || sig === SIG_EOCD || sig === SIG_SPAN || sig === SIG_CENTRAL);
    if (cut || startsLikeZip)
      throw corrupt(ctx, "The archive is truncated: its end-of-central-directory record is missing or cut short.");
    throw new DvsolError(
      "ZIP_NOT_ZIP",
      fileSize === 0 ? "The file is empty, not a zip archive." : "The file is not a zip archive (it has no end-of-central-directory record).",
      { file: ctx.file },
    );
  }
  const p = found;
  const eocdPos = tailPos + p;
  const disk = tail.readUInt16LE(p + 4);
  const cdDisk = tail.readUInt16LE(p + 6);
  const countHere = tail.readUInt16LE(p + 8);
  const count = tail.readUInt16LE(p + 10);
  const cdSize = tail.readUInt32LE(p + 12);
  const cdOffset = tail.readUInt32LE(p + 16);
  // 4.3.14-4.3.15: zip64 puts a locator right before this record and saturates its fields.
  if (p >= ZIP64_LOCATOR_LEN && tail.readUInt32LE(p - ZIP64_LOCATOR_LEN) === SIG_ZIP64_LOCATOR)
    throw new DvsolError("ZIP_ZIP64", "The archive has a zip64 end-of-central-directory locator.", { file: ctx.file });
  if (count === MAX16 || countHere === MAX16 || cdSize === MAX32 || cdOffset === MAX32 || disk === MAX16 || cdDisk === MAX16)
    throw new DvsolError("ZIP_ZIP64", "The archive's end record defers its sizes to zip64 (fields set to 0xFFFF/0xFFFFFFFF).", { file: ctx.file });
  if (disk !== 0 || cdDisk !== 0 || countHere !== count)
    throw corrupt(ctx, `The archive is split across disks (disk ${disk}, central directory on disk ${cdDisk}); dvsol reads single-file archives only.`);
  if (count > ctx.limits.maxEntries)
    throw new DvsolError("ZIP_LIMIT", `The archive has ${count} entries; the limit is ${ctx.limits.maxEntries} (maxEntries).`, { file: ctx.file });
  // The central directory ends where this record starts; bytes before the stored offset are a prefix
  // (4.3.6: a self-extractor stub prepended without adjusting offsets). A stored offset past that is corrupt.
  const cdStart = eocdPos - cdSize;
  if (cdStart < 0 || cdOffset > cdStart)
    throw corrupt(
      ctx,
      `The central directory (${cdSize} bytes at offset ${cdOffset}) does not fit before the end record at offset ${eocdPos}.`,
    );
  return { cdStart, cdSize, count, prefix: cdStart - cdOffset };
}

/** A central directory entry plus what open() learns from its local header. */
interface Rec {
  entry: ZipEntry;
  nameBytes: Buffer;
  /** Absolute offset of the local header (stored offset + prefix). */
  localStart: number;
  dataStart: number;
  dataEnd: number;
}

/** Info-ZIP Unicode Path Extra Field (4.6.9): UTF-8 name, valid when its CRC matches the header's name. */
function unicodePathExtra(extra: Buffer, nameBytes: Buffer): string | undefined {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (p + 4 + len > extra.length) return undefined;
    if (id === 0x7075 && len >= 5 && extra[p + 4] === 1 && extra.readUInt32LE(p + 5) === crc32(nameBytes))
      return tryDecodeUtf8(extra.subarray(p + 9, p + 4 + len));
    p += 4 + len;
  }
  return undefined;
}

/**
 * Name decoding (4.4.4 bit 11, appendix D): UTF-8 when bit 11 is set; else the Info-ZIP Unicode path
 * field if present; else, for archives made on Unix or macOS (4.4.2 host 3 or 19, e.g. Info-ZIP zip, which
 * stores the bytes of the local file name) valid UTF-8 is read as UTF-8; everything else as CP437.
 */
function decodeName(nameBytes: Buffer, flags: number, versionMadeBy: number, extra: Buffer, ctx: Ctx, k: number): string {
  let ascii = true;
  for (const b of nameBytes)
    if (b >= 0x80) {
      ascii = false;
      break;
    }
  if (!(flags & FLAG_UTF8) && extra.length > 0) {
    // Archivers that store a code-page (or ASCII fallback) name put the real one here.
    const unicode = unicodePathExtra(extra, nameBytes);
    if (unicode !== undefined) return unicode;
  }
  if (ascii) return nameBytes.toString("latin1");
  if (flags & FLAG_UTF8) {
    const s = tryDecodeUtf8(nameBytes);
    if (s === undefined)
      throw corrupt(ctx, `Central directory entry #${k + 1} (${showName(decodeCp437(nameBytes))}) is flagged UTF-8 but its name is not valid UTF-8.`);
    return s;
  }
  const host = versionMadeBy >>> 8;
  if (host === 3 || host === 19) {
    const s = tryDecodeUtf8(nameBytes);
    if (s !== undefined) return s;
  }
  return decodeCp437(nameBytes);
}

/** Parses and validates every central directory entry (4.3.12) against the limits and the name rules. */
function parseCentral(cd: Buffer, eocd: Eocd, ctx: Ctx): Rec[] {
  const recs: Rec[] = [];
  const names = new NameSet();
  const { limits } = ctx;
  let total = 0;
  let pos = 0;
  for (let k = 0; k < eocd.count; k++) {
    if (pos + CENTRAL_LEN > cd.length)
      throw corrupt(
        ctx,
        pos >= cd.length
          ? `The end record announces ${eocd.count} entries but the central directory holds only ${k}.`
          : `The central directory is cut short inside entry #${k + 1}.`,
      );
    if (cd.readUInt32LE(pos) !== SIG_CENTRAL)
      throw corrupt(ctx, `Central directory entry #${k + 1} at offset ${eocd.cdStart + pos} has no central header signature.`);
    const versionMadeBy = cd.readUInt16LE(pos + 4);
    const versionNeeded = cd.readUInt16LE(pos + 6);
    const flags = cd.readUInt16LE(pos + 8);
    const method = cd.readUInt16LE(pos + 10);
    const dosTime = cd.readUInt16LE(pos + 12);
    const dosDate = cd.readUInt16LE(pos + 14);
    const crc = cd.readUInt32LE(pos + 16);
    const csize = cd.readUInt32LE(pos + 20);
    const usize = cd.readUInt32LE(pos + 24);
    const n = cd.readUInt16LE(pos + 28);
    const m = cd.readUInt16LE(pos + 30);
    const c = cd.readUInt16LE(pos + 32);
    const diskStart = cd.readUInt16LE(pos + 34);
    const internalAttributes = cd.readUInt16LE(pos + 36);
    const externalAttributes = cd.readUInt32LE(pos + 38);
    const localOffset = cd.readUInt32LE(pos + 42);
    const end = pos + CENTRAL_LEN + n + m + c;
    if (end > cd.length)
      throw corrupt(
        ctx,
        `Central directory entry #${k + 1}: its name, extra field and comment (${n} + ${m} + ${c} bytes) overflow the central directory.`,
      );
    const nameBytes = cd.subarray(pos + CENTRAL_LEN, pos + CENTRAL_LEN + n);
    const name = decodeName(nameBytes, flags, versionMadeBy, cd.subarray(pos + CENTRAL_LEN + n, pos + CENTRAL_LEN + n + m), ctx, k);
    const where = { file: ctx.file, entry: name };
    const q = showName(name);
    if (csize === MAX32 || usize === MAX32 || localOffset === MAX32 || diskStart === MAX16)
      throw new DvsolError("ZIP_ZIP64", `Entry ${q} defers its sizes or offset to zip64 (0xFFFFFFFF).`, where);
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS))
      throw new DvsolError("ZIP_ENCRYPTED", `Entry ${q} is encrypted (general purpose flags 0x${flags.toString(16).padStart(4, "0")}).`, where);
    if (method !== 0 && method !== 8)
      throw new DvsolError(
        "ZIP_UNSUPPORTED_METHOD",
        `Entry ${q} uses compression method ${method}${METHOD_NAMES[method] ? ` (${METHOD_NAMES[method]})` : ""}; dvsol reads stored (0) and deflate (8).`,
        where,
      );
    try {
      validateEntryName(name);
    } catch (e) {
      throw inLocation(e, ctx.file, name);
    }
    // 4.4.2.2 / 4.4.15: made on Unix (host 3) keeps st_mode in the high 16 bits of the external attributes.
    if (versionMadeBy >>> 8 === 3 && ((externalAttributes >>> 16) & 0o170000) === 0o120000)
      throw new DvsolError("ZIP_SYMLINK", `Entry ${q} is a symbolic link (Unix mode 0${(externalAttributes >>> 16).toString(8)}).`, where);
    try {
      names.add(name);
    } catch (e) {
      throw inLocation(e, ctx.file, name);
    }
    if (diskStart !== 0) throw corrupt(ctx, `Entry ${q} starts on disk ${diskStart}; the archive has one disk.`, name);
    const isDirectory = name.endsWith("/");
    if (method === 0 && csize !== usize)
      throw corrupt(ctx, `Entry ${q} is stored (not compressed) but its compressed size ${csize} differs from its size ${usize}.`, name);
    if (isDirectory && usize !== 0) throw corrupt(ctx, `Directory entry ${q} declares ${usize} bytes of content.`, name);
    if (usize > limits.maxEntrySize)
      throw new DvsolError("ZIP_LIMIT", `Entry ${q} declares ${usize} bytes; the limit is ${limits.maxEntrySize} (maxEntrySize).`, where);
    total += usize;
    if (total > limits.maxTotalSize)
      throw new DvsolError(
        "ZIP_LIMIT",
        `The entries up to ${q} declare ${total} bytes in total; the limit is ${limits.maxTotalSize} (maxTotalSize).`,
        where,
      );
    if (usize > RATIO_MIN_SIZE && usize > csize * limits.maxRatio)
      throw new DvsolError(
        "ZIP_LIMIT",
        `Entry ${q} declares a compression ratio of ${csize ? Math.round(usize / csize) : "infinity"}:1 (${usize} bytes from ${csize}); the limit is ${limits.maxRatio}:1 (maxRatio).`,
        where,
      );
    const entry: ZipEntry = Object.freeze({
      name,
      method: method as 0 | 8,
      compressedSize: csize,
      size: usize,
      crc32: crc,
      isDirectory,
      dosTime,
      dosDate,
      index: k,
      externalAttributes,
      internalAttributes,
      versionMadeBy,
      versionNeeded,
      flags,
      localHeaderOffset: localOffset,
    });
    recs.push({ entry, nameBytes, localStart: localOffset + eocd.prefix, dataStart: 0, dataEnd: 0 });
    pos = end;
  }
  if (pos !== cd.length)
    throw corrupt(
      ctx,
      `The end record announces ${eocd.count} entries but the central directory holds more (${cd.length - pos} bytes follow entry #${eocd.count}).`,
    );
  return recs;
}

const METHOD_NAMES: Record<number, string> = {
  1: "shrink",
  6: "implode",
  9: "deflate64",
  12: "bzip2",
  14: "lzma",
  93: "zstd",
  95: "xz",
  98: "ppmd",
  99: "AES encryption",
};

function checkLocalRange(rec: Rec, cdStart: number, ctx: Ctx): void {
  if (rec.localStart + LOCAL_LEN + rec.nameBytes.length > cdStart)
    throw corrupt(
      ctx,
      `Entry ${showName(rec.entry.name)}: its local header offset ${rec.entry.localHeaderOffset} points at or past the central directory.`,
      rec.entry.name,
    );
}

/** Checks a local header (4.3.7) against its central entry; `hdr` starts at the header, 30 + name bytes. */
function checkLocal(rec: Rec, hdr: Buffer, cdStart: number, ctx: Ctx): void {
  const e = rec.entry;
  const q = showName(e.name);
  if (hdr.readUInt32LE(0) !== SIG_LOCAL)
    throw corrupt(ctx, `Entry ${q}: there is no local header at offset ${rec.localStart}, where the central directory points.`, e.name);
  const flags = hdr.readUInt16LE(6);
  const method = hdr.readUInt16LE(8);
  const crc = hdr.readUInt32LE(14);
  const csize = hdr.readUInt32LE(18);
  const usize = hdr.readUInt32LE(22);
  const n = hdr.readUInt16LE(26);
  const m = hdr.readUInt16LE(28);
  if (n !== rec.nameBytes.length || !hdr.subarray(LOCAL_LEN, LOCAL_LEN + n).equals(rec.nameBytes))
    throw corrupt(
      ctx,
      `Entry ${q}: its local header names it ${showName(hdr.subarray(LOCAL_LEN, LOCAL_LEN + Math.min(n, rec.nameBytes.length)).toString("latin1"))}${n > rec.nameBytes.length ? "…" : ""}.`,
      e.name,
    );
  if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION))
    throw new DvsolError("ZIP_ENCRYPTED", `Entry ${q} is encrypted (local header flags 0x${flags.toString(16).padStart(4, "0")}).`, {
      file: ctx.file,
      entry: e.name,
    });
  if (method !== e.method)
    throw corrupt(ctx, `Entry ${q}: its local header says compression method ${method}, the central directory ${e.method}.`, e.name);
  // 4.4.4 bit 3: with a data descriptor the local CRC and sizes may be zero; otherwise they must agree.
  if (!(flags & FLAG_DATA_DESCRIPTOR) && (crc !== e.crc32 || csize !== e.compressedSize || usize !== e.size))
    throw corrupt(
      ctx,
      `Entry ${q}: its local header (CRC ${hex(crc)}, ${csize} -> ${usize} bytes) disagrees with the central directory (CRC ${hex(e.crc32)}, ${e.compressedSize} -> ${e.size} bytes).`,
      e.name,
    );
  rec.dataStart = rec.localStart + LOCAL_LEN + n + m;
  rec.dataEnd = rec.dataStart + e.compressedSize;
  if (rec.dataEnd > cdStart)
    throw corrupt(
      ctx,
      `Entry ${q}: its ${e.compressedSize} bytes of data at offset ${rec.dataStart} run into the central directory at ${cdStart} (truncated archive or wrong sizes).`,
      e.name,
    );
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** Local data ranges must not overlap: several entries sharing data is the overlapping zip-bomb trick. */
function checkOverlaps(sorted: Rec[], ctx: Ctx): void {
  for (let i = 0; i + 1 < sorted.length; i++) {
    const a = sorted[i]!;
    const b = sorted[i + 1]!;
    if (a.dataEnd > b.localStart)
      throw corrupt(
        ctx,
        `Entries ${showName(a.entry.name)} and ${showName(b.entry.name)} overlap: the data of the first (to offset ${a.dataEnd}) covers the local header of the second (offset ${b.localStart}).`,
        b.entry.name,
      );
  }
}

function byLocalStart(recs: Rec[]): Rec[] {
  return [...recs].sort((a, b) => a.localStart - b.localStart || a.entry.index - b.entry.index);
}

/** Reads local headers of a file with few reads: headers close together come in one read. */
async function checkLocalsFromFile(src: Source, sorted: Rec[], cdStart: number, ctx: Ctx): Promise<void> {
  for (const r of sorted) checkLocalRange(r, cdStart, ctx);
  const groups: Array<{ from: number; to: number; pos: number; len: number }> = [];
  for (let i = 0; i < sorted.length; ) {
    const pos = sorted[i]!.localStart;
    let end = pos + LOCAL_LEN + sorted[i]!.nameBytes.length;
    let j = i + 1;
    for (; j < sorted.length; j++) {
      const r = sorted[j]!;
      const rEnd = r.localStart + LOCAL_LEN + r.nameBytes.length;
      if (r.localStart - end > HEADER_GROUP_GAP || rEnd - pos > HEADER_GROUP_MAX) break;
      end = Math.max(end, rEnd);
    }
    groups.push({ from: i, to: j, pos, len: end - pos });
    i = j;
  }
  const errors: unknown[] = [];
  let failed = false;
  // One buffer per worker, reused: no garbage for the collector however many groups there are.
  const free = Array.from({ length: HEADER_READERS }, () => Buffer.allocUnsafe(HEADER_GROUP_MAX + LOCAL_LEN + MAX16));
  await runPool(groups.length, HEADER_READERS, async (g) => {
    if (failed) return;
    const { from, to, pos, len } = groups[g]!;
    const own = free.pop()!;
    try {
      const buf = await src.readInto(own, pos, len);
      for (let i = from; i < to; i++) {
        const r = sorted[i]!;
        checkLocal(r, buf.subarray(r.localStart - pos), cdStart, ctx);
      }
    } catch (e) {
      errors[g] = e;
      failed = true;
    } finally {
      free.push(own);
    }
  });
  if (failed) throw errors.find((e) => e !== undefined);
}

/** Runs task(0..count-1) with at most `limit` running at once; rejects with the first error. */
async function runPool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let error: unknown;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (e) {
        if (!failed) error = e;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
  if (failed) throw error;
}

// ---- reader -------------------------------------------------------------------------------------------------

export class ZipReader {
  /** Entries in central directory order. */
  readonly entries: readonly ZipEntry[];
  /** Path of the archive (open) or the name given to fromBuffer. */
  readonly file: string | undefined;
  readonly limits: Readonly<ZipLimits>;
  readonly #src: Source;
  readonly #dataStart: number[];
  readonly #byName: Map<string, ZipEntry>;
  #closed = false;

  private constructor(src: Source, ctx: Ctx, recs: Rec[]) {
    this.#src = src;
    this.file = ctx.file;
    this.limits = Object.freeze({ ...ctx.limits });
    this.entries = Object.freeze(recs.map((r) => r.entry));
    this.#dataStart = recs.map((r) => r.dataStart);
    this.#byName = new Map(this.entries.map((e) => [e.name, e]));
  }

  /** Opens a zip file and validates its central directory and local headers; reads nothing else. */
  static async open(path: string, opts: ZipReaderOptions = {}): Promise<ZipReader> {
    const ctx: Ctx = { file: path, limits: resolveLimits(opts.limits) };
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(path, "r");
    } catch (e) {
      throw fsError(e, path);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new DvsolError("INPUT_UNREADABLE", `${path} is not a file.`, { file: path });
      const src = new FileSource(fh, st.size, path);
      const tailLen = Math.min(st.size, EOCD_LEN + MAX16 + ZIP64_LOCATOR_LEN);
      const tail = await src.read(st.size - tailLen, tailLen);
      const head = st.size === tailLen ? tail.subarray(0, 4) : await src.read(0, 4);
      const eocd = locateEocd(tail, st.size - tailLen, st.size, head, ctx);
      const cd = await src.read(eocd.cdStart, eocd.cdSize);
      const recs = parseCentral(cd, eocd, ctx);
      const sorted = byLocalStart(recs);
      await checkLocalsFromFile(src, sorted, eocd.cdStart, ctx);
      checkOverlaps(sorted, ctx);
      return new ZipReader(src, ctx, recs);
    } catch (e) {
      await fh.close().catch(noop);
      throw fsError(e, path);
    }
  }

  /** Reads a zip held in memory (small archives: tests, fuzzing, downloads already in memory). */
  static fromBuffer(buf: Uint8Array, opts: ZipReaderOptions = {}): ZipReader {
    const ctx: Ctx = { file: opts.file, limits: resolveLimits(opts.limits) };
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const src = new BufferSource(b);
    const tailLen = Math.min(b.length, EOCD_LEN + MAX16 + ZIP64_LOCATOR_LEN);
    const eocd = locateEocd(b.subarray(b.length - tailLen), b.length - tailLen, b.length, b.subarray(0, 4), ctx);
    const recs = parseCentral(b.subarray(eocd.cdStart, eocd.cdStart + eocd.cdSize), eocd, ctx);
    const sorted = byLocalStart(recs);
    for (const r of sorted) {
      checkLocalRange(r, eocd.cdStart, ctx);
      checkLocal(r, src.view(r.localStart, LOCAL_LEN + r.nameBytes.length), eocd.cdStart, ctx);
    }
    checkOverlaps(sorted, ctx);
    return new ZipReader(src, ctx, recs);
  }

  /** The entry with exactly this name. */
  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  #check(entry: ZipEntry): number {
    if (this.#closed) throw new Error("ZipReader is closed");
    if (this.entries[entry.index] !== entry) throw new TypeError(`entry ${showName(entry.name)} does not belong to this ZipReader`);
    return this.#dataStart[entry.index]!;
  }

  /** The entry's content, inflated; size and CRC verified, inflation stopped once it exceeds the declared size. */
  async read(entry: ZipEntry): Promise<Buffer> {
    const start = this.#check(entry);
    const raw = entry.compressedSize ? await this.#src.read(start, entry.compressedSize) : Buffer.alloc(0);
    return inflateEntry(raw, entry, this.file);
  }

  /**
   * read() without the thread pool, for small entries: a positional read and inflation on this thread.
   * For entries of a few KB the round trips of read() cost more than the work; this blocks the event loop
   * for as long as the work takes, so keep it for small entries (extractAll uses it up to 256 KiB).
   */
  readSync(entry: ZipEntry): Buffer {
    const start = this.#check(entry);
    const raw = entry.compressedSize ? this.#src.readSync(start, entry.compressedSize) : Buffer.alloc(0);
    return inflateEntrySync(raw, entry, this.file);
  }

  /** The entry's bytes as stored (compressed when method is 8). */
  async readRaw(entry: ZipEntry): Promise<Buffer> {
    const start = this.#check(entry);
    return entry.compressedSize ? this.#src.read(start, entry.compressedSize) : Buffer.alloc(0);
  }

  /** readRaw() without the thread pool, for small entries (see readSync). */
  readRawSync(entry: ZipEntry): Buffer {
    const start = this.#check(entry);
    return entry.compressedSize ? this.#src.readSync(start, entry.compressedSize) : Buffer.alloc(0);
  }

  /** The entry's bytes as stored, as a stream (for copying big entries with constant memory). */
  streamRaw(entry: ZipEntry): NodeJS.ReadableStream {
    return this.#rawStream(this.#check(entry), entry.compressedSize);
  }

  #rawStream(start: number, length: number): Readable {
    const src = this.#src;
    let pos = start;
    let left = length;
    return new Readable({
      read() {
        if (left === 0) {
          this.push(null);
          return;
        }
        const n = Math.min(left, RAW_STREAM_CHUNK);
        const at = pos;
        pos += n;
        left -= n;
        src.read(at, n).then(
          (b) => this.push(b),
          (e) => this.destroy(e as Error),
        );
      },
    });
  }

  /** The entry's content as a stream, with the same checks as read(); memory stays constant. */
  stream(entry: ZipEntry): NodeJS.ReadableStream {
    const start = this.#check(entry);
    if (entry.size <= SMALL_STREAM_MAX && entry.compressedSize <= SMALL_STREAM_MAX) {
      // One positional read and one inflation (read(), same checks and errors), pushed as one chunk: for small
      // entries a reader, an inflater and a checker piped together cost more than the work (an edit streams
      // every entry it copies raw to verify it: 7,000 entries of a large solution).
      let started = false;
      const read = () => this.read(entry);
      return new Readable({
        read() {
          if (started) return;
          started = true;
          read().then(
            (b) => {
              if (b.length) this.push(b);
              this.push(null);
            },
            (e) => this.destroy(e as Error),
          );
        },
      });
    }
    const raw = this.#rawStream(start, entry.compressedSize);
    const file = this.file;
    let count = 0;
    let crc = 0;
    const check = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        count += chunk.length;
        if (count > entry.size) return cb(tooLarge(entry, file));
        crc = crc32(chunk, crc);
        cb(null, chunk);
      },
      flush(cb) {
        cb(verifyEntry(entry, count, crc, file) ?? undefined);
      },
    });
    const fail = (e: unknown) => check.destroy(e as Error);
    raw.on("error", fail);
    if (entry.method === 8 && entry.compressedSize > 0) {
      const inflater = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
      inflater.on("error", (e) => fail(badDeflate(entry, file, e)));
      check.on("close", () => {
        raw.destroy();
        inflater.destroy();
      });
      raw.pipe(inflater).pipe(check);
    } else {
      check.on("close", () => raw.destroy());
      raw.pipe(check);
    }
    return check;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#src.close();
  }
}

/** Size then CRC check of inflated content; null when it is right. */
function verifyEntry(entry: ZipEntry, size: number, crc: number, file: string | undefined): DvsolError | null {
  if (size > entry.size) return tooLarge(entry, file);
  if (size !== entry.size)
    return new DvsolError(
      "ZIP_CORRUPT",
      `Entry ${showName(entry.name)} holds ${size} bytes but the central directory declares ${entry.size}.`,
      { file, entry: entry.name },
    );
  if (crc !== entry.crc32)
    return new DvsolError(
      "ZIP_CRC_MISMATCH",
      `Entry ${showName(entry.name)} has CRC-32 ${hex(crc)} but the archive declares ${hex(entry.crc32)}.`,
      { file, entry: entry.name },
    );
  return null;
}

/**
 * One output chunk for the declared size + 1 byte (a single thread-pool round trip, and the result is that chunk:
 * no second copy joining 8 MiB pieces, which held a 38 MB customizations.xml twice); maxOutputLength stops at
 * any excess. Above 64 MiB (the declared size is the archive's word) the chunks are 64 MiB.
 */
function inflateOptions(entry: ZipEntry): zlib.ZlibOptions {
  return { maxOutputLength: Math.max(1, entry.size), chunkSize: Math.max(64, Math.min(entry.size + 1, 64 * MiB)) };
}

function inflateError(e: unknown, entry: ZipEntry, file: string | undefined): DvsolError {
  if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return tooLarge(entry, file);
  return badDeflate(entry, file, e);
}

function verified(out: Buffer, entry: ZipEntry, file: string | undefined): Buffer {
  const err = verifyEntry(entry, out.length, out.length <= entry.size ? crc32(out) : 0, file);
  if (err) throw err;
  return out;
}

async function inflateEntry(raw: Buffer, entry: ZipEntry, file: string | undefined): Promise<Buffer> {
  if (entry.method !== 8 || raw.length === 0 || entry.size <= SYNC_ZLIB_MAX) return inflateEntrySync(raw, entry, file);
  let out: Buffer;
  try {
    out = await inflateRaw(raw, inflateOptions(entry));
  } catch (e) {
    throw inflateError(e, entry, file);
  }
  return verified(out, entry, file);
}

function inflateEntrySync(raw: Buffer, entry: ZipEntry, file: string | undefined): Buffer {
  let out = raw;
  if (entry.method === 8 && raw.length > 0) {
    try {
      out = zlib.inflateRawSync(raw, inflateOptions(entry));
    } catch (e) {
      throw inflateError(e, entry, file);
    }
  }
  return verified(out, entry, file);
}

// ---- writer -------------------------------------------------------------------------------------------------

interface Header {
  nameBytes: Buffer;
  flags: number;
  method: 0 | 8;
  dosTime: number;
  dosDate: number;
  crc: number;
  csize: number;
  usize: number;
  versionMadeBy: number;
  versionNeeded: number;
  internalAttributes: number;
  externalAttributes: number;
}

interface Ready {
  header: Header;
  /** Data as written; null when streamed (below). */
  data: Buffer | null;
  /** A big file, deflated while it is written; CRC and sizes go into the local header afterwards. */
  streamFile?: string;
  /** A big raw copy: the stored bytes streamed from the source archive; the header is complete. */
  streamRaw?: () => NodeJS.ReadableStream;
}

interface Job {
  name: string;
  /** Bytes this job may hold in memory (uncompressed estimate). */
  weight: number;
  /** Reads/compresses the entry; dropped once started so its data can be freed once written. */
  prepare: (() => Promise<Ready>) | null;
  promise: Promise<Ready> | null;
}

/** Version 2.0 made by MS-DOS (4.4.2): fixed for new entries so output does not depend on the platform. */
const NEW_VERSION_MADE_BY = 0x0014;

export class ZipWriter {
  readonly path: string;
  readonly #tmp: string;
  readonly #fh: fsp.FileHandle;
  readonly #level: number;
  readonly #window: number;
  readonly #maxOffset: number;
  readonly #pre: Precompressor | undefined;
  readonly #jobs: Job[] = [];
  readonly #names = new NameSet();
  readonly #central: Buffer[] = [];
  #centralBytes = 0;
  #started = 0;
  #written = 0;
  #weight = 0;
  #offset = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #error: unknown;
  #state: "open" | "finishing" | "done" | "aborted" = "open";
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  private constructor(path: string, tmp: string, fh: fsp.FileHandle, level: number, concurrency: number, maxOffset: number, pre: Precompressor | undefined) {
    this.path = path;
    this.#pre = pre;
    this.#tmp = tmp;
    this.#fh = fh;
    this.#level = level;
    // One entry is being written while `concurrency` others compress.
    this.#window = concurrency + 1;
    this.#maxOffset = maxOffset;
  }

  /**
   * Starts a zip at `path`. It is written to a temporary file next to it and renamed by finish(), so `path`
   * never holds a partial archive.
   */
  static async create(path: string, opts: ZipWriterOptions & { /** @internal tests only */ maxOffset?: number } = {}): Promise<ZipWriter> {
    const level = opts.level ?? 6;
    if (!Number.isInteger(level) || level < 0 || level > 9) throw new TypeError(`deflate level must be 0-9, got ${level}`);
    const concurrency = opts.concurrency ?? os.availableParallelism();
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`concurrency must be a positive integer, got ${concurrency}`);
    if (opts.precompressor && opts.precompressor.level !== level)
      throw new TypeError(`the precompressor deflates at level ${opts.precompressor.level}, the writer at ${level}: the bytes would depend on who deflates`);
    const abs = nodePath.resolve(path);
    const tmp = nodePath.join(nodePath.dirname(abs), `.dvsol-tmp-${process.pid}-${randomBytes(4).toString("hex")}-${nodePath.basename(abs)}`);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(tmp, "wx");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new DvsolError("INPUT_NOT_FOUND", `The folder of ${path} does not exist.`, { file: path, cause: e });
      throw e;
    }
    return new ZipWriter(abs, tmp, fh, level, concurrency, Math.min(opts.maxOffset ?? ZIP32_MAX, ZIP32_MAX), opts.precompressor);
  }

  /** Adds an entry with this content (a string is written as UTF-8). Keep `data` unchanged until finish(). */
  add(name: string, data: Uint8Array | string, opts: ZipAddOptions = {}): void {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (name.endsWith("/") && bytes.length) throw new TypeError(`directory entry ${showName(name)} cannot have content`);
    this.#admit(name, opts);
    const store = !!opts.store || name.endsWith("/");
    const level = this.#level;
    this.#push({
      name,
      promise: null,
      weight: bytes.length,
      prepare: () => compress(name, bytes, store, level, opts),
    });
  }

  /** Adds a file from disk; files over 8 MiB are deflated while written, so memory stays constant. */
  addFile(name: string, path: string, opts: ZipAddOptions = {}): void {
    if (name.endsWith("/")) throw new TypeError(`addFile needs a file name, got the directory name ${showName(name)}`);
    this.#admit(name, opts);
    const level = this.#level;
    this.#push({
      name,
      promise: null,
      weight: MiB,
      prepare: async () => {
        // Asked only now, when the entry is next to be compressed: files the writer has not reached stay the thread's.
        const ahead = opts.store ? null : this.#pre?.take(path);
        const done = ahead ? await ahead : null;
        if (done) return { header: newHeader(name, false, opts, done.crc, done.data.length, done.usize), data: done.data };
        let bytes: Buffer | null;
        try {
          bytes = readSmallFileSync(path, STREAM_FILE_THRESHOLD);
        } catch (e) {
          throw fsError(inLocation(e, undefined, name), path, name);
        }
        if (bytes === null) return { header: newHeader(name, !!opts.store, opts, 0, 0, 0), data: null, streamFile: path };
        return compress(name, bytes, !!opts.store, level, opts);
      },
    });
  }

  /**
   * Copies an entry of another archive as its stored bytes (no inflate/deflate): CRC, sizes, method, time,
   * attributes and version made by are kept. Entries over 8 MiB compressed are streamed across.
   */
  addRaw(name: string, from: ZipReader, entry: ZipEntry): void {
    if (from.entries[entry.index] !== entry) throw new TypeError(`entry ${showName(entry.name)} does not belong to the given ZipReader`);
    if (name.endsWith("/") !== entry.isDirectory)
      throw new TypeError(`addRaw cannot turn ${entry.isDirectory ? "directory" : "file"} ${showName(entry.name)} into ${showName(name)}`);
    this.#admit(name, {});
    const big = entry.compressedSize > STREAM_FILE_THRESHOLD;
    this.#push({
      name,
      promise: null,
      weight: big ? MiB : entry.compressedSize,
      prepare: async () => {
        const data = big ? null : entry.compressedSize <= RAW_SYNC_MAX ? from.readRawSync(entry) : await from.readRaw(entry);
        const header: Header = {
          nameBytes: Buffer.from(name, "utf8"),
          flags: (entry.flags & FLAG_COMPRESSION_OPTIONS) | (isAscii(name) ? 0 : FLAG_UTF8),
          method: entry.method,
          dosTime: entry.dosTime,
          dosDate: entry.dosDate,
          crc: entry.crc32,
          csize: entry.compressedSize,
          usize: entry.size,
          versionMadeBy: entry.versionMadeBy,
          versionNeeded: entry.versionNeeded,
          internalAttributes: entry.internalAttributes,
          externalAttributes: entry.externalAttributes,
        };
        return big ? { header, data, streamRaw: () => from.streamRaw(entry) } : { header, data };
      },
    });
  }

  /** Waits for every entry, writes them in the order added, then the central directory; renames into place. */
  async finish(): Promise<void> {
    if (this.#state !== "open") throw new Error(`ZipWriter.finish() after ${this.#state === "aborted" ? "abort()" : "finish()"}`);
    this.#state = "finishing";
    this.#startLoop();
    this.#wake?.();
    await this.#loop;
    try {
      if (this.#error !== undefined) throw this.#error;
      const cdOffset = this.#offset;
      const count = this.#central.length;
      if (cdOffset + this.#centralBytes > this.#maxOffset)
        throw this.#limit(`The archive would exceed 4 GiB (central directory ending at byte ${cdOffset + this.#centralBytes}); dvsol does not write zip64.`);
      // 4.3.16 end of central directory record, no comment
      const eocd = Buffer.alloc(EOCD_LEN);
      eocd.writeUInt32LE(SIG_EOCD, 0);
      eocd.writeUInt16LE(count, 8);
      eocd.writeUInt16LE(count, 10);
      eocd.writeUInt32LE(this.#centralBytes, 12);
      eocd.writeUInt32LE(cdOffset, 16);
      for (const c of this.#central) this.#queue(c);
      this.#queue(eocd);
      await this.#flush();
      await this.#fh.close();
      await fsp.rename(this.#tmp, this.path);
      this.#state = "done";
    } catch (e) {
      this.#state = "aborted";
      await this.#fh.close().catch(noop);
      await fsp.unlink(this.#tmp).catch(noop);
      throw e;
    }
  }

  /** Stops, waits for work under way, and removes the temporary file; `path` is left untouched. */
  async abort(): Promise<void> {
    if (this.#state === "done" || this.#state === "aborted") return;
    this.#state = "aborted";
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled(this.#jobs.slice(this.#written, this.#started).map((j) => j.promise));
    await this.#fh.close().catch(noop);
    await fsp.unlink(this.#tmp).catch(noop);
  }

  #isAborted(): boolean {
    return this.#state === "aborted";
  }

  #limit(message: string, entry?: string): DvsolError {
    return new DvsolError("ZIP_LIMIT", message, { file: this.path, entry });
  }

  #admit(name: string, opts: ZipAddOptions): void {
    if (this.#state !== "open") throw new Error(`ZipWriter: cannot add ${showName(name)} after finish() or abort()`);
    if (this.#error !== undefined) throw this.#error;
    for (const k of ["dosTime", "dosDate"] as const) {
      const v = opts[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > MAX16)) throw new TypeError(`${k} must be an integer 0-65535, got ${v}`);
    }
    validateEntryName(name);
    if (this.#jobs.length >= ZIP32_MAX_ENTRIES)
      throw this.#limit(`Cannot add ${showName(name)}: a zip without zip64 holds at most ${ZIP32_MAX_ENTRIES} entries.`, name);
    this.#names.add(name);
  }

  #push(job: Job): void {
    this.#jobs.push(job);
    this.#startLoop();
    this.#pump();
    this.#wake?.();
  }

  /** Starts preparing (compressing) jobs while fewer than the window run and the memory budget allows. */
  #pump(): void {
    while (this.#started < this.#jobs.length && this.#error === undefined && this.#state !== "aborted") {
      const inFlight = this.#started - this.#written;
      if (inFlight >= this.#window) break;
      const job = this.#jobs[this.#started]!;
      if (inFlight > 0 && this.#weight + job.weight > WRITER_BUDGET) break;
      this.#weight += job.weight;
      job.promise = job.prepare!();
      job.prepare = null;
      job.promise.catch(noop); // awaited in order by #run; this only keeps a later failure from being "unhandled"
      this.#started++;
    }
  }

  #startLoop(): void {
    if (!this.#loop)
      this.#loop = this.#run().catch((e) => {
        if (this.#error === undefined) this.#error = e;
      });
  }

  async #run(): Promise<void> {
    for (;;) {
      if (this.#state === "aborted" || this.#error !== undefined) return;
      if (this.#written === this.#jobs.length) {
        if (this.#state !== "open") return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      this.#pump();
      const job = this.#jobs[this.#written]!;
      let ready: Ready;
      try {
        ready = await job.promise!;
      } catch (e) {
        throw inLocation(e, undefined, job.name);
      }
      if (this.#isAborted()) return; // abort() came while this entry was being prepared
      await this.#write(ready, job.name);
      this.#weight -= job.weight;
      job.promise = null; // drop the data
      this.#written++;
    }
  }

  async #write(ready: Ready, name: string): Promise<void> {
    const h = ready.header;
    const localOffset = this.#offset;
    if (ready.streamFile !== undefined) {
      await this.#writeStreamedFile(ready.streamFile, h, name);
    } else if (ready.streamRaw !== undefined) {
      await this.#flush();
      this.#checkFits(h, localOffset, name);
      const local = localHeader(h);
      await this.#writeAt(local, localOffset);
      const end = await this.#pipeAt(ready.streamRaw(), localOffset + local.length, name);
      if (end !== localOffset + local.length + h.csize) throw new Error(`raw copy of ${showName(name)} wrote ${end - localOffset - local.length} of ${h.csize} bytes`);
      this.#offset = end;
    } else {
      const data = ready.data!;
      this.#checkFits(h, localOffset, name);
      this.#queue(localHeader(h));
      if (data.length >= WRITE_FLUSH) await this.#flush();
      this.#queue(data);
      if (this.#pendingBytes >= WRITE_FLUSH) await this.#flush();
    }
    const c = centralHeader(h, localOffset);
    this.#central.push(c);
    this.#centralBytes += c.length;
  }

  #checkFits(h: Header, localOffset: number, name: string): void {
    const end = localOffset + LOCAL_LEN + h.nameBytes.length + h.csize;
    if (h.usize > ZIP32_MAX || h.csize > ZIP32_MAX || end > this.#maxOffset)
      throw this.#limit(
        `Entry ${showName(name)} (${h.usize} bytes, ${h.csize} compressed, ending at byte ${end}) would need zip64; dvsol writes archives below 4 GiB.`,
        name,
      );
  }

  /** Writes a stream's chunks one after another from `start`; returns the end offset. */
  async #pipeAt(source: NodeJS.ReadableStream, start: number, name: string, ...transforms: NodeJS.ReadWriteStream[]): Promise<number> {
    let at = start;
    const max = this.#maxOffset;
    const sink = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (at + chunk.length > max) return cb(this.#limit(`Entry ${showName(name)} would make the archive exceed 4 GiB; dvsol does not write zip64.`, name));
        const pos = at;
        at += chunk.length;
        this.#writeAt(chunk, pos).then(() => cb(), cb);
      },
    });
    await pipeline([source, ...transforms, sink]);
    return at;
  }

  /** A big file: local header with CRC and sizes filled in after the data (4.3.7 fields at offset 14). */
  async #writeStreamedFile(path: string, h: Header, name: string): Promise<void> {
    await this.#flush();
    const localOffset = this.#offset;
    const local = localHeader(h);
    await this.#writeAt(local, localOffset);
    const dataStart = localOffset + local.length;
    let at: number;
    let crc = 0;
    let usize = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        crc = crc32(chunk, crc);
        usize += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      const input = fs.createReadStream(path, { highWaterMark: MiB });
      at =
        h.method === 8
          ? await this.#pipeAt(input, dataStart, name, hashing, zlib.createDeflateRaw({ level: this.#level, chunkSize: 256 * 1024 }))
          : await this.#pipeAt(input, dataStart, name, hashing);
    } catch (e) {
      throw fsError(inLocation(e, undefined, name), path, name);
    }
    h.crc = crc;
    h.usize = usize;
    h.csize = at - dataStart;
    this.#checkFits(h, localOffset, name);
    const patch = Buffer.alloc(12);
    patch.writeUInt32LE(h.crc, 0);
    patch.writeUInt32LE(h.csize, 4);
    patch.writeUInt32LE(h.usize, 8);
    await this.#writeAt(patch, localOffset + 14);
    this.#offset = at;
  }

  #queue(b: Buffer): void {
    if (b.length === 0) return;
    this.#pending.push(b);
    this.#pendingBytes += b.length;
    this.#offset += b.length;
  }

  async #flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const bufs = this.#pending;
    const pos = this.#offset - this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#writeAt(bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs), pos);
  }

  async #writeAt(buf: Buffer, pos: number): Promise<void> {
    for (let off = 0; off < buf.length; ) {
      const { bytesWritten } = await this.#fh.write(buf, off, buf.length - off, pos + off);
      off += bytesWritten;
    }
  }
}

/**
 * The file's bytes, or null when it is larger than `max` (then it is streamed). Synchronous on purpose:
 * for the small files solutions are made of, four thread-pool round trips (open, fstat, read, close) cost
 * 5-8 times the CPU of the read itself (measured on the 1,556 files of the CoE tree), and the compression
 * that follows runs on the thread pool anyway.
 */
function readSmallFileSync(path: string, max: number): Buffer | null {
  const fd = fs.openSync(path, "r");
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new DvsolError("INPUT_UNREADABLE", `${path} is not a file.`, { file: path });
    if (st.size > max) return null;
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = fs.readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break; // the file shrank since fstat
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

function newHeader(name: string, store: boolean, opts: ZipAddOptions, crc: number, csize: number, usize: number): Header {
  const dir = name.endsWith("/");
  return {
    nameBytes: Buffer.from(name, "utf8"),
    flags: isAscii(name) ? 0 : FLAG_UTF8, // 4.4.4 bit 11 only when the name needs it
    method: store || dir ? 0 : 8,
    dosTime: opts.dosTime ?? FIXED_DOS_TIME,
    dosDate: opts.dosDate ?? FIXED_DOS_DATE,
    crc,
    csize,
    usize,
    versionMadeBy: NEW_VERSION_MADE_BY,
    versionNeeded: store && !dir ? 10 : 20, // 4.4.3.2: 1.0 stored file, 2.0 deflate or folder
    internalAttributes: 0,
    externalAttributes: 0,
  };
}

async function compress(name: string, bytes: Buffer, store: boolean, level: number, opts: ZipAddOptions): Promise<Ready> {
  if (store || name.endsWith("/")) {
    return { header: newHeader(name, true, opts, crc32(bytes), bytes.length, bytes.length), data: bytes };
  }
  const zopts = { level, chunkSize: Math.max(64, Math.min(bytes.length + 1024, 4 * MiB)) }; // one output chunk, typically
  if (bytes.length <= SYNC_ZLIB_MAX) {
    const data = zlib.deflateRawSync(bytes, zopts);
    return { header: newHeader(name, false, opts, crc32(bytes), data.length, bytes.length), data };
  }
  // Deflate on the thread pool while this thread computes the CRC.
  const deflating = deflateRaw(bytes, zopts);
  const crc = crc32(bytes);
  const data = await deflating;
  return { header: newHeader(name, false, opts, crc, data.length, bytes.length), data };
}

/** 4.3.7 local file header, no extra field. */
function localHeader(h: Header): Buffer {
  const b = Buffer.allocUnsafe(LOCAL_LEN + h.nameBytes.length);
  b.writeUInt32LE(SIG_LOCAL, 0);
  b.writeUInt16LE(h.versionNeeded, 4);
  b.writeUInt16LE(h.flags, 6);
  b.writeUInt16LE(h.method, 8);
  b.writeUInt16LE(h.dosTime, 10);
  b.writeUInt16LE(h.dosDate, 12);
  b.writeUInt32LE(h.crc, 14);
  b.writeUInt32LE(h.csize, 18);
  b.writeUInt32LE(h.usize, 22);
  b.writeUInt16LE(h.nameBytes.length, 26);
  b.writeUInt16LE(0, 28);
  h.nameBytes.copy(b, LOCAL_LEN);
  return b;
}

/** 4.3.12 central directory header, no extra field or comment. */
function centralHeader(h: Header, localOffset: number): Buffer {
  const b = Buffer.allocUnsafe(CENTRAL_LEN + h.nameBytes.length);
  b.writeUInt32LE(SIG_CENTRAL, 0);
  b.writeUInt16LE(h.versionMadeBy, 4);
  b.writeUInt16LE(h.versionNeeded, 6);
  b.writeUInt16LE(h.flags, 8);
  b.writeUInt16LE(h.method, 10);
  b.writeUInt16LE(h.dosTime, 12);
  b.writeUInt16LE(h.dosDate, 14);
  b.writeUInt32LE(h.crc, 16);
  b.writeUInt32LE(h.csize, 20);
  b.writeUInt32LE(h.usize, 24);
  b.writeUInt16LE(h.nameBytes.length, 28);
  b.writeUInt16LE(0, 30); // extra
  b.writeUInt16LE(0, 32); // comment
  b.writeUInt16LE(0, 34); // disk
  b.writeUInt16LE(h.internalAttributes, 36);
  b.writeUInt32LE(h.externalAttributes >>> 0, 38);
  b.writeUInt32LE(localOffset, 42);
  h.nameBytes.copy(b, CENTRAL_LEN);
  return b;
}
