/**
 * ECMA-335 physical metadata (Partition II, chapter 24): the metadata root and stream headers
 * (II.24.2.1-2), the #Strings, #Blob and #GUID heaps (II.24.2.3-5) and the #~ / #- table stream
 * (II.24.2.6), with the row layout of every table defined in II.22 so that the tables dvsol needs can
 * be found behind the ones it does not.
 */
import { ByteReader, corrupt, hex } from "./pe.js";

// --- table numbers (II.22) --------------------------------------------------------------------------

export const T = {
  Module: 0x00,
  TypeRef: 0x01,
  TypeDef: 0x02,
  FieldPtr: 0x03,
  Field: 0x04,
  MethodPtr: 0x05,
  MethodDef: 0x06,
  ParamPtr: 0x07,
  Param: 0x08,
  InterfaceImpl: 0x09,
  MemberRef: 0x0a,
  Constant: 0x0b,
  CustomAttribute: 0x0c,
  FieldMarshal: 0x0d,
  DeclSecurity: 0x0e,
  ClassLayout: 0x0f,
  FieldLayout: 0x10,
  StandAloneSig: 0x11,
  EventMap: 0x12,
  EventPtr: 0x13,
  Event: 0x14,
  PropertyMap: 0x15,
  PropertyPtr: 0x16,
  Property: 0x17,
  MethodSemantics: 0x18,
  MethodImpl: 0x19,
  ModuleRef: 0x1a,
  TypeSpec: 0x1b,
  ImplMap: 0x1c,
  FieldRVA: 0x1d,
  ENCLog: 0x1e,
  ENCMap: 0x1f,
  Assembly: 0x20,
  AssemblyProcessor: 0x21,
  AssemblyOS: 0x22,
  AssemblyRef: 0x23,
  AssemblyRefProcessor: 0x24,
  AssemblyRefOS: 0x25,
  File: 0x26,
  ExportedType: 0x27,
  ManifestResource: 0x28,
  NestedClass: 0x29,
  GenericParam: 0x2a,
  MethodSpec: 0x2b,
  GenericParamConstraint: 0x2c,
} as const;

const TABLE_NAMES: string[] = [];
for (const [name, id] of Object.entries(T)) TABLE_NAMES[id] = name;
export const tableName = (id: number): string => TABLE_NAMES[id] ?? `table ${hex(id)}`;

// --- coded indexes (II.24.2.6) ------------------------------------------------------------------------

/** A coded index: the tables its tag selects, in tag order (-1 = tag not used). */
export interface CodedKind {
  name: string;
  bits: number;
  tables: readonly number[];
}

const coded = (name: string, bits: number, tables: number[]): CodedKind => ({ name, bits, tables });

export const CI = {
  TypeDefOrRef: coded("TypeDefOrRef", 2, [T.TypeDef, T.TypeRef, T.TypeSpec]),
  HasConstant: coded("HasConstant", 2, [T.Field, T.Param, T.Property]),
  HasCustomAttribute: coded("HasCustomAttribute", 5, [
    T.MethodDef, T.Field, T.TypeRef, T.TypeDef, T.Param, T.InterfaceImpl, T.MemberRef, T.Module, T.DeclSecurity,
    T.Property, T.Event, T.StandAloneSig, T.ModuleRef, T.TypeSpec, T.Assembly, T.AssemblyRef, T.File, T.ExportedType,
    T.ManifestResource, T.GenericParam, T.GenericParamConstraint, T.MethodSpec,
  ]),
  HasFieldMarshal: coded("HasFieldMarshal", 1, [T.Field, T.Param]),
  HasDeclSecurity: coded("HasDeclSecurity", 2, [T.TypeDef, T.MethodDef, T.Assembly]),
  MemberRefParent: coded("MemberRefParent", 3, [T.TypeDef, T.TypeRef, T.ModuleRef, T.MethodDef, T.TypeSpec]),
  HasSemantics: coded("HasSemantics", 1, [T.Event, T.Property]),
  MethodDefOrRef: coded("MethodDefOrRef", 1, [T.MethodDef, T.MemberRef]),
  MemberForwarded: coded("MemberForwarded", 1, [T.Field, T.MethodDef]),
  Implementation: coded("Implementation", 2, [T.File, T.AssemblyRef, T.ExportedType]),
  CustomAttributeType: coded("CustomAttributeType", 3, [-1, -1, T.MethodDef, T.MemberRef, -1]),
  ResolutionScope: coded("ResolutionScope", 2, [T.Module, T.ModuleRef, T.AssemblyRef, T.TypeRef]),
  TypeOrMethodDef: coded("TypeOrMethodDef", 1, [T.TypeDef, T.MethodDef]),
} as const;

// --- table schemas (II.22.2 - II.22.39) -----------------------------------------------------------------

/** A column: fixed width, a heap index, an index into one table, or a coded index. */
type Col = "u8" | "u16" | "u32" | "str" | "guid" | "blob" | { t: number } | CodedKind;

const SCHEMA: (readonly Col[])[] = [];
const def = (id: number, cols: Col[]) => (SCHEMA[id] = cols);
def(T.Module, ["u16", "str", "guid", "guid", "guid"]); // II.22.30 Generation, Name, Mvid, EncId, EncBaseId
def(T.TypeRef, [CI.ResolutionScope, "str", "str"]); // II.22.38 ResolutionScope, TypeName, TypeNamespace
def(T.TypeDef, ["u32", "str", "str", CI.TypeDefOrRef, { t: T.Field }, { t: T.MethodDef }]); // II.22.37
def(T.FieldPtr, [{ t: T.Field }]); // uncompressed (#-) metadata only
def(T.Field, ["u16", "str", "blob"]); // II.22.15
def(T.MethodPtr, [{ t: T.MethodDef }]);
def(T.MethodDef, ["u32", "u16", "u16", "str", "blob", { t: T.Param }]); // II.22.26 RVA, ImplFlags, Flags, Name, Signature, ParamList
def(T.ParamPtr, [{ t: T.Param }]);
def(T.Param, ["u16", "u16", "str"]); // II.22.33
def(T.InterfaceImpl, [{ t: T.TypeDef }, CI.TypeDefOrRef]); // II.22.23 Class, Interface
def(T.MemberRef, [CI.MemberRefParent, "str", "blob"]); // II.22.25 Class, Name, Signature
def(T.Constant, ["u16", CI.HasConstant, "blob"]); // II.22.9 Type (1 byte + 1 pad), Parent, Value
def(T.CustomAttribute, [CI.HasCustomAttribute, CI.CustomAttributeType, "blob"]); // II.22.10 Parent, Type, Value
def(T.FieldMarshal, [CI.HasFieldMarshal, "blob"]); // II.22.17
def(T.DeclSecurity, ["u16", CI.HasDeclSecurity, "blob"]); // II.22.11
def(T.ClassLayout, ["u16", "u32", { t: T.TypeDef }]); // II.22.8
def(T.FieldLayout, ["u32", { t: T.Field }]); // II.22.16
def(T.StandAloneSig, ["blob"]); // II.22.36
def(T.EventMap, [{ t: T.TypeDef }, { t: T.Event }]); // II.22.12
def(T.EventPtr, [{ t: T.Event }]);
def(T.Event, ["u16", "str", CI.TypeDefOrRef]); // II.22.13
def(T.PropertyMap, [{ t: T.TypeDef }, { t: T.Property }]); // II.22.35
def(T.PropertyPtr, [{ t: T.Property }]);
def(T.Property, ["u16", "str", "blob"]); // II.22.34
def(T.MethodSemantics, ["u16", { t: T.MethodDef }, CI.HasSemantics]); // II.22.28
def(T.MethodImpl, [{ t: T.TypeDef }, CI.MethodDefOrRef, CI.MethodDefOrRef]); // II.22.27
def(T.ModuleRef, ["str"]); // II.22.31
def(T.TypeSpec, ["blob"]); // II.22.39
def(T.ImplMap, ["u16", CI.MemberForwarded, "str", { t: T.ModuleRef }]); // II.22.22
def(T.FieldRVA, ["u32", { t: T.Field }]); // II.22.18
def(T.ENCLog, ["u32", "u32"]); // edit-and-continue tables, uncompressed metadata only
def(T.ENCMap, ["u32"]);
def(T.Assembly, ["u32", "u16", "u16", "u16", "u16", "u32", "blob", "str", "str"]); // II.22.2
def(T.AssemblyProcessor, ["u32"]); // II.22.4
def(T.AssemblyOS, ["u32", "u32", "u32"]); // II.22.3
def(T.AssemblyRef, ["u16", "u16", "u16", "u16", "u32", "blob", "str", "str", "blob"]); // II.22.5
def(T.AssemblyRefProcessor, ["u32", { t: T.AssemblyRef }]); // II.22.7
def(T.AssemblyRefOS, ["u32", "u32", "u32", { t: T.AssemblyRef }]); // II.22.6
def(T.File, ["u32", "str", "blob"]); // II.22.19
def(T.ExportedType, ["u32", "u32", "str", "str", CI.Implementation]); // II.22.14
def(T.ManifestResource, ["u32", "u32", "str", CI.Implementation]); // II.22.24
def(T.NestedClass, [{ t: T.TypeDef }, { t: T.TypeDef }]); // II.22.32 NestedClass, EnclosingClass
def(T.GenericParam, ["u16", "u16", CI.TypeOrMethodDef, "str"]); // II.22.20 Number, Flags, Owner, Name
def(T.MethodSpec, [CI.MethodDefOrRef, "blob"]); // II.22.29
def(T.GenericParamConstraint, [{ t: T.GenericParam }, CI.TypeDefOrRef]); // II.22.21

/** Tokens hold 24-bit row numbers (II.22), so no table can have more rows than this. */
const MAX_ROWS = 0xffffff;

export interface Table {
  id: number;
  rows: number;
  rowSize: number;
  /** File offset of row 1. */
  offset: number;
  /** Byte offset and width (1, 2 or 4) of each column within a row. */
  colOffset: number[];
  colSize: number[];
}

export interface StreamHeader {
  name: string;
  offset: number;
  size: number;
}

/** A decoded coded index: table and 1-based row (row 0 = null). */
export interface CodedRef {
  table: number;
  row: number;
}

export class Metadata {
  readonly version: string;
  readonly streams: StreamHeader[];
  readonly tables: Table[] = [];
  /** True when the table stream is the uncompressed "#-" form. */
  readonly uncompressed: boolean;
  private readonly r: ByteReader;
  private readonly view: DataView;
  private readonly buf: Buffer;
  private readonly strings: ByteReader | null;
  private readonly blobs: ByteReader | null;
  private readonly guids: ByteReader | null;
  private static readonly utf8 = new TextDecoder("utf-8");

  /** Reads the metadata root at [offset, offset+size) of the file (II.24.2.1). */
  constructor(bytes: Uint8Array, offset: number, size: number) {
    const file = new ByteReader(bytes);
    const r = file.sub(offset, size, "the metadata block");
    this.r = r;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const sig = r.u32(offset, "the metadata signature");
    if (sig !== 0x424a5342) throw corrupt(`the metadata block does not start with the 'BSJB' signature (found ${hex(sig)})`);
    const verLen = r.u32(offset + 12, "the metadata version string's length");
    r.check(offset + 16, verLen, "the metadata version string");
    this.version = readZString(bytes, offset + 16, offset + 16 + verLen);
    let p = offset + 16 + verLen;
    const streamCount = r.u16(p + 2, "the metadata stream count");
    p += 4;
    this.streams = [];
    for (let i = 0; i < streamCount; i++) {
      // II.24.2.2: Offset, Size, then a zero-terminated name padded to a multiple of 4 bytes (at most 32).
      const sOff = r.u32(p, "a stream header's offset");
      const sSize = r.u32(p + 4, "a stream header's size");
      const nameStart = p + 8;
      let q = nameStart;
      while (r.u8(q, "a stream header's name") !== 0) {
        if (q - nameStart >= 32) throw corrupt(`stream header ${i + 1}'s name is longer than 32 bytes`);
        q++;
      }
      const name = readZString(bytes, nameStart, q);
      p = nameStart + ((q - nameStart + 4) & ~3);
      if (sOff > size || sSize > size - sOff) {
        throw corrupt(`stream '${name}' (offset ${hex(sOff)}, ${sSize} bytes) runs past the end of the metadata block (${hex(size)} bytes)`);
      }
      this.streams.push({ name, offset: offset + sOff, size: sSize });
    }
    // The first stream of each name wins, as in the CLR's loader.
    const find = (n: string) => this.streams.find((s) => s.name === n);
    const heap = (n: string, label: string) => {
      const s = find(n);
      return s ? new ByteReader(bytes, s.offset, s.offset + s.size, label) : null;
    };
    this.strings = heap("#Strings", "the #Strings heap");
    this.blobs = heap("#Blob", "the #Blob heap");
    this.guids = heap("#GUID", "the #GUID heap");
    const tableStream = find("#~") ?? find("#-");
    if (!tableStream) throw corrupt("the metadata has no table stream (#~ or #-)");
    this.uncompressed = tableStream.name === "#-";
    // A "#JTD" stream marks minimal-delta metadata, where every index is 4 bytes wide.
    this.readTables(bytes, tableStream, find("#JTD") !== undefined);
  }

  /** II.24.2.6 the #~ stream: header, row counts, then the tables back to back. */
  private readTables(bytes: Uint8Array, s: StreamHeader, allWide: boolean): void {
    const r = new ByteReader(bytes, s.offset, s.offset + s.size, `the ${s.name} stream`);
    const heapSizes = r.u8(s.offset + 6, "the table stream's HeapSizes");
    const validLo = r.u32(s.offset + 8, "the table stream's Valid mask");
    const validHi = r.u32(s.offset + 12, "the table stream's Valid mask");
    let p = s.offset + 24;
    const rows: number[] = new Array(64).fill(0);
    const present: number[] = [];
    for (let id = 0; id < 64; id++) {
      const bit = id < 32 ? (validLo >>> id) & 1 : (validHi >>> (id - 32)) & 1;
      if (!bit) continue;
      if (!SCHEMA[id]) {
        throw corrupt(`the table stream marks ${hex(id)} as present, but ECMA-335 defines no table with that number, so its row size is unknown`);
      }
      const n = r.u32(p, `the row count of ${tableName(id)}`);
      if (n > MAX_ROWS) throw corrupt(`${tableName(id)} claims ${n} rows, more than a metadata token can address (${MAX_ROWS})`);
      rows[id] = n;
      present.push(id);
      p += 4;
    }
    if (heapSizes & 0x40) p += 4; // "extra data" flag of some uncompressed streams: one more u32 before the tables

    const strW = allWide || heapSizes & 0x01 ? 4 : 2;
    const guidW = allWide || heapSizes & 0x02 ? 4 : 2;
    const blobW = allWide || heapSizes & 0x04 ? 4 : 2;
    const width = (c: Col): number => {
      if (c === "u8") return 1;
      if (c === "u16") return 2;
      if (c === "u32") return 4;
      if (c === "str") return strW;
      if (c === "guid") return guidW;
      if (c === "blob") return blobW;
      if (allWide) return 4;
      if ("t" in c) return rows[c.t]! < 0x10000 ? 2 : 4;
      // A coded index is 2 bytes if every table it can select has fewer than 2^(16 - tag bits) rows.
      const limit = 1 << (16 - c.bits);
      return c.tables.every((t) => t < 0 || rows[t]! < limit) ? 2 : 4;
    };
    for (const id of present) {
      const cols = SCHEMA[id]!;
      const colOffset: number[] = [];
      const colSize: number[] = [];
      let rowSize = 0;
      for (const c of cols) {
        colOffset.push(rowSize);
        const w = width(c);
        colSize.push(w);
        rowSize += w;
      }
      const n = rows[id]!;
      if (n * rowSize > s.offset + s.size - p) {
        throw corrupt(
          `${tableName(id)} (${n} rows of ${rowSize} bytes) runs past the end of the ${s.name} stream ` +
            `(${hex(p - s.offset)} + ${hex(n * rowSize)} > ${hex(s.size)})`,
        );
      }
      this.tables[id] = { id, rows: n, rowSize, offset: p, colOffset, colSize };
      p += n * rowSize;
    }
  }

  rowCount(table: number): number {
    return this.tables[table]?.rows ?? 0;
  }

  /** The raw value of column `col` of 1-based `row`. */
  cell(table: number, row: number, col: number): number {
    const t = this.tables[table];
    if (!t || row < 1 || row > t.rows) {
      throw corrupt(`a reference to row ${row} of ${tableName(table)}, which has ${t?.rows ?? 0} rows`);
    }
    // readTables checked that every row of every table lies inside the table stream, so this read is in bounds.
    const off = t.offset + (row - 1) * t.rowSize + t.colOffset[col]!;
    const w = t.colSize[col]!;
    return w === 2 ? this.view.getUint16(off, true) : w === 4 ? this.view.getUint32(off, true) : this.r.bytes[off]!;
  }

  /** Decodes a coded index value (II.24.2.6). Row 0 means null. */
  decode(kind: CodedKind, value: number): CodedRef {
    const tag = value & ((1 << kind.bits) - 1);
    const table = kind.tables[tag];
    if (table === undefined || table < 0) throw corrupt(`a ${kind.name} coded index has tag ${tag}, which selects no table`);
    return { table, row: value >>> kind.bits };
  }

  /** II.24.2.3 #Strings: a zero-terminated UTF-8 string at a byte offset; offset 0 is "". */
  string(offset: number): string {
    if (offset === 0) return "";
    const h = this.strings;
    if (!h) throw corrupt("a string is referenced but the metadata has no #Strings heap");
    if (offset >= h.end - h.start) throw corrupt(`a string at offset ${hex(offset)} lies outside the #Strings heap (${hex(h.end - h.start)} bytes)`);
    const bytes = h.bytes;
    const start = h.start + offset;
    let end = start;
    let ascii = true;
    for (; end < h.end; end++) {
      const c = bytes[end]!;
      if (c === 0) break;
      if (c >= 0x80) ascii = false;
    }
    if (end >= h.end) throw corrupt(`the string at #Strings offset ${hex(offset)} is not terminated before the end of the heap`);
    return ascii ? this.buf.toString("latin1", start, end) : Metadata.utf8.decode(bytes.subarray(start, end));
  }

  /** II.24.2.4 #Blob: a compressed length, then that many bytes. Returns a view, not a copy. */
  blob(offset: number): Uint8Array {
    const h = this.blobs;
    if (!h) {
      if (offset === 0) return new Uint8Array(0);
      throw corrupt("a blob is referenced but the metadata has no #Blob heap");
    }
    const at = h.start + offset;
    if (offset >= h.end - h.start) throw corrupt(`a blob at offset ${hex(offset)} lies outside the #Blob heap (${hex(h.end - h.start)} bytes)`);
    const { value: len, size } = readCompressed(h, at, "a blob's length");
    if (at + size + len > h.end) throw corrupt(`the blob at #Blob offset ${hex(offset)} (${len} bytes) runs past the end of the heap`);
    return h.bytes.subarray(at + size, at + size + len);
  }

  /** II.24.2.5 #GUID: 1-based index of a 16-byte GUID; 0 means none. */
  guid(index: number): Uint8Array | null {
    if (index === 0) return null;
    const h = this.guids;
    if (!h) throw corrupt("a GUID is referenced but the metadata has no #GUID heap");
    return h.slice(h.start + (index - 1) * 16, 16, `GUID number ${index}`);
  }
}

/** II.23.2 compressed unsigned integer: 1, 2 or 4 bytes, big-endian, width given by the top bits. */
export function readCompressed(r: ByteReader, at: number, what: string): { value: number; size: number } {
  const b0 = r.u8(at, what);
  if ((b0 & 0x80) === 0) return { value: b0, size: 1 };
  if ((b0 & 0xc0) === 0x80) return { value: ((b0 & 0x3f) << 8) | r.u8(at + 1, what), size: 2 };
  if ((b0 & 0xe0) === 0xc0) {
    r.check(at, 4, what);
    const v = ((b0 & 0x1f) << 24) | (r.bytes[at + 1]! << 16) | (r.bytes[at + 2]! << 8) | r.bytes[at + 3]!;
    return { value: v >>> 0, size: 4 };
  }
  throw corrupt(`${what} starts with ${hex(b0)}, which is not a valid compressed length`);
}

/** Reads bytes [start, end) up to the first zero as Latin-1 (metadata version and stream names are ASCII). */
function readZString(bytes: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end && bytes[i] !== 0; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
