/** Hand-made PE files and byte patches of real ones, for tests of the reader's error paths. */
import { Metadata } from "../../src/assembly/metadata.js";
import { ModuleView } from "../../src/assembly/module.js";

/**
 * A minimal PE32 image (DOS header, PE signature, COFF header, optional header with 16 data directories,
 * one section) like a native DLL: no CLI header unless `cli` gives its directory entry.
 */
export function minimalPe(opts: { numberOfRvaAndSizes?: number; cli?: { rva: number; size: number } } = {}): Uint8Array {
  const b = new Uint8Array(0x400);
  const v = new DataView(b.buffer);
  b[0] = 0x4d; // 'M'
  b[1] = 0x5a; // 'Z'
  v.setUint32(0x3c, 0x40, true); // e_lfanew
  v.setUint32(0x40, 0x00004550, true); // "PE\0\0"
  const coff = 0x44;
  v.setUint16(coff, 0x14c, true); // i386
  v.setUint16(coff + 2, 1, true); // one section
  v.setUint16(coff + 16, 224, true); // SizeOfOptionalHeader (PE32 with 16 directories)
  v.setUint16(coff + 18, 0x2102, true); // executable, 32-bit, DLL
  const opt = coff + 20;
  v.setUint16(opt, 0x10b, true); // PE32
  v.setUint32(opt + 60, 0x200, true); // SizeOfHeaders
  v.setUint32(opt + 92, opts.numberOfRvaAndSizes ?? 16, true);
  if (opts.cli) {
    v.setUint32(opt + 96 + 14 * 8, opts.cli.rva, true);
    v.setUint32(opt + 96 + 14 * 8 + 4, opts.cli.size, true);
  }
  const sec = opt + 224;
  b.set([0x2e, 0x74, 0x65, 0x78, 0x74], sec); // ".text"
  v.setUint32(sec + 8, 0x200, true); // VirtualSize
  v.setUint32(sec + 12, 0x1000, true); // VirtualAddress
  v.setUint32(sec + 16, 0x200, true); // SizeOfRawData
  v.setUint32(sec + 20, 0x200, true); // PointerToRawData
  return b;
}

/** Where a cell of a real assembly lives, so a test can overwrite it. */
export function cellOffset(bytes: Uint8Array, table: number, row: number, col: number): { offset: number; size: number } {
  const md = new ModuleView(bytes).md;
  const t = md.tables[table]!;
  return { offset: t.offset + (row - 1) * t.rowSize + t.colOffset[col]!, size: t.colSize[col]! };
}

export function writeCell(bytes: Uint8Array, table: number, row: number, col: number, value: number): void {
  const { offset, size } = cellOffset(bytes, table, row, col);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 2) v.setUint16(offset, value, true);
  else v.setUint32(offset, value, true);
}

export function metadataOf(bytes: Uint8Array): Metadata {
  return new ModuleView(bytes).md;
}
