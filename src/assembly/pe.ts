/**
 * PE/COFF file layer for .NET assemblies (ECMA-335 Partition II, chapter 25): a bounds-checked byte
 * reader, the section table, RVA-to-file-offset mapping, and the CLI header (II.25.3.3).
 *
 * Every read is checked against the end of the file (or of a smaller window such as one metadata
 * stream); a read past it throws DvsolError ASSEMBLY_CORRUPT naming what was being read. Nothing here
 * allocates in proportion to a count read from the file except after that count has been checked
 * against the bytes that would hold it.
 */
import { DvsolError } from "../errors.js";

export const hex = (n: number): string => "0x" + n.toString(16);

export function corrupt(message: string): DvsolError {
  return new DvsolError("ASSEMBLY_CORRUPT", message);
}

/** A window [start, end) over the file's bytes; offsets given to its readers are relative to the file. */
export class ByteReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly start = 0,
    readonly end = bytes.length,
    /** Used in messages: "the #Blob heap", "the file". */
    readonly label = "the file",
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Throws ASSEMBLY_CORRUPT unless [off, off+len) lies inside this window. */
  check(off: number, len: number, what: string): void {
    if (!Number.isInteger(off) || off < this.start || len < 0 || off + len > this.end) {
      throw corrupt(
        `${what} lies outside ${this.label} (offset ${hex(off)}, ${len} byte${len === 1 ? "" : "s"}; ` +
          `${this.label} spans ${hex(this.start)}..${hex(this.end)})`,
      );
    }
  }

  u8(off: number, what: string): number {
    this.check(off, 1, what);
    return this.bytes[off]!;
  }

  u16(off: number, what: string): number {
    this.check(off, 2, what);
    return this.view.getUint16(off, true);
  }

  u32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.view.getUint32(off, true);
  }

  /** A view (not a copy) of len bytes. */
  slice(off: number, len: number, what: string): Uint8Array {
    this.check(off, len, what);
    return this.bytes.subarray(off, off + len);
  }

  /** A narrower window; fails if it does not fit inside this one. */
  sub(off: number, len: number, label: string): ByteReader {
    this.check(off, len, label);
    return new ByteReader(this.bytes, off, off + len, label);
  }
}

export interface Section {
  name: string;
  virtualAddress: number;
  virtualSize: number;
  rawPointer: number;
  rawSize: number;
}

export interface DataDirectory {
  rva: number;
  size: number;
}

/** II.25.3.3 CLI header (the fields dvsol uses). */
export interface CliHeader {
  runtimeMajor: number;
  runtimeMinor: number;
  metadata: DataDirectory;
  /** II.25.3.3.1 COMIMAGE_FLAGS_*. */
  flags: number;
  resources: DataDirectory;
  strongNameSignature: DataDirectory;
}

export interface PeImage {
  reader: ByteReader;
  pe32Plus: boolean;
  machine: number;
  sections: Section[];
  sizeOfHeaders: number;
  cli: CliHeader;
  /** File offset of the CLI header. */
  cliOffset: number;
  /** File offset and size of the metadata root (II.24.2.1). */
  metadataOffset: number;
  metadataSize: number;
}

/** COMIMAGE_FLAGS_STRONGNAMESIGNED (II.25.3.3.1). */
export const COMIMAGE_FLAGS_STRONGNAMESIGNED = 0x8;

const CLI_HEADER_DIRECTORY = 14; // II.25.2.3.3: data directory 14 is the CLI header

/** Parses the DOS stub, PE signature, COFF header, optional header, section table and CLI header. */
export function readPe(bytes: Uint8Array): PeImage {
  const r = new ByteReader(bytes);
  const size = bytes.length;
  // II.25.2.1 MS-DOS header: "MZ", and at 0x3c the offset of the PE signature.
  if (size < 0x40 || bytes[0] !== 0x4d || bytes[1] !== 0x5a) {
    throw new DvsolError(
      "ASSEMBLY_NOT_PE",
      size < 2
        ? `the file is ${size} byte${size === 1 ? "" : "s"} long; a PE file starts with the 'MZ' DOS header`
        : size < 0x40 && bytes[0] === 0x4d && bytes[1] === 0x5a
          ? `the file is only ${size} bytes long; a PE file's DOS header alone is 64 bytes`
          : `the file does not start with the 'MZ' DOS header (it starts with ${hex(bytes[0]!)} ${hex(bytes[1]!)})`,
    );
  }
  const peOffset = r.u32(0x3c, "the DOS header's PE header offset (e_lfanew)");
  if (peOffset + 4 > size) {
    throw corrupt(`the DOS header points to a PE header past the end of the file (offset ${hex(peOffset)} > size ${hex(size)})`);
  }
  // II.25.2.1: "PE\0\0" signature.
  if (r.u32(peOffset, "the PE signature") !== 0x00004550) {
    throw new DvsolError("ASSEMBLY_NOT_PE", `there is no 'PE' signature at offset ${hex(peOffset)}: this is a DOS program or not an executable at all`);
  }
  // II.25.2.2 PE file header (COFF).
  const coff = peOffset + 4;
  const machine = r.u16(coff, "the COFF header's Machine");
  const numberOfSections = r.u16(coff + 2, "the COFF header's NumberOfSections");
  const sizeOfOptionalHeader = r.u16(coff + 16, "the COFF header's SizeOfOptionalHeader");
  const opt = coff + 20;
  // II.25.2.3: optional header; magic 0x10b = PE32, 0x20b = PE32+.
  const magic = r.u16(opt, "the optional header's magic number");
  if (magic !== 0x10b && magic !== 0x20b) {
    throw corrupt(`the optional header's magic number is ${hex(magic)}, neither 0x10b (PE32) nor 0x20b (PE32+)`);
  }
  const pe32Plus = magic === 0x20b;
  r.check(opt, sizeOfOptionalHeader, "the optional header");
  const sizeOfHeaders = r.u32(opt + 60, "the optional header's SizeOfHeaders");
  const numberOfRvaAndSizes = r.u32(opt + (pe32Plus ? 108 : 92), "the optional header's NumberOfRvaAndSizes");
  const dirBase = opt + (pe32Plus ? 112 : 96);

  // Section headers follow the optional header, 40 bytes each (II.25.3).
  const sectionsOffset = opt + sizeOfOptionalHeader;
  r.check(sectionsOffset, numberOfSections * 40, `the section table (${numberOfSections} sections)`);
  const sections: Section[] = [];
  for (let i = 0; i < numberOfSections; i++) {
    const o = sectionsOffset + i * 40;
    let name = "";
    for (let j = 0; j < 8 && bytes[o + j] !== 0; j++) name += String.fromCharCode(bytes[o + j]!);
    sections.push({
      name,
      virtualSize: r.u32(o + 8, "a section's VirtualSize"),
      virtualAddress: r.u32(o + 12, "a section's VirtualAddress"),
      rawSize: r.u32(o + 16, "a section's SizeOfRawData"),
      rawPointer: r.u32(o + 20, "a section's PointerToRawData"),
    });
  }

  // Data directory 14 must lie inside the optional header the COFF header declared.
  const cliDirOffset = dirBase + CLI_HEADER_DIRECTORY * 8;
  if (numberOfRvaAndSizes <= CLI_HEADER_DIRECTORY || cliDirOffset + 8 > opt + sizeOfOptionalHeader) {
    throw new DvsolError("ASSEMBLY_NOT_MANAGED", `the PE optional header has only ${numberOfRvaAndSizes} data directories, so no CLI header: this is a native DLL or EXE, not a .NET assembly`);
  }
  const cliRva = r.u32(cliDirOffset, "the CLI header directory");
  const cliSize = r.u32(cliDirOffset + 4, "the CLI header directory's size");
  if (cliRva === 0 || cliSize === 0) {
    throw new DvsolError("ASSEMBLY_NOT_MANAGED", "the PE file's CLI header directory is empty: this is a native DLL or EXE, not a .NET assembly");
  }
  const img = { reader: r, sections, sizeOfHeaders };
  const cliOffset = rvaToOffset(img, cliRva, 72, "the CLI header");
  const cb = r.u32(cliOffset, "the CLI header's size field (cb)");
  if (cb < 72) throw corrupt(`the CLI header says it is ${cb} bytes long; ECMA-335 II.25.3.3 requires 72`);
  const dir = (o: number, what: string): DataDirectory => ({ rva: r.u32(cliOffset + o, what), size: r.u32(cliOffset + o + 4, what + "'s size") });
  const cli: CliHeader = {
    runtimeMajor: r.u16(cliOffset + 4, "the CLI header's MajorRuntimeVersion"),
    runtimeMinor: r.u16(cliOffset + 6, "the CLI header's MinorRuntimeVersion"),
    metadata: dir(8, "the CLI header's metadata directory"),
    flags: r.u32(cliOffset + 16, "the CLI header's flags"),
    resources: dir(24, "the CLI header's resources directory"),
    strongNameSignature: dir(32, "the CLI header's strong-name signature directory"),
  };
  if (cli.metadata.rva === 0 || cli.metadata.size === 0) throw corrupt("the CLI header's metadata directory is empty");
  const metadataOffset = rvaToOffset(img, cli.metadata.rva, cli.metadata.size, "the CLI header's metadata directory");
  return { reader: r, pe32Plus, machine, sections, sizeOfHeaders, cli, cliOffset, metadataOffset, metadataSize: cli.metadata.size };
}

/**
 * Maps an RVA to a file offset through the section table (II.25.3), checking that `size` bytes from
 * there are backed by the file (not only by the section's zero-filled virtual tail).
 */
export function rvaToOffset(img: Pick<PeImage, "reader" | "sections" | "sizeOfHeaders">, rva: number, size: number, what: string): number {
  const fileSize = img.reader.bytes.length;
  for (const s of img.sections) {
    const span = Math.max(s.virtualSize, s.rawSize);
    if (rva >= s.virtualAddress && rva < s.virtualAddress + span) {
      const delta = rva - s.virtualAddress;
      const off = s.rawPointer + delta;
      if (off + size > fileSize) {
        throw corrupt(`${what} points past the end of the file (offset ${hex(off + size)} > size ${hex(fileSize)})`);
      }
      if (delta + size > s.rawSize) {
        throw corrupt(`${what} (RVA ${hex(rva)}, ${size} bytes) runs past the end of section '${s.name}'s data on disk (${hex(s.rawSize)} bytes)`);
      }
      return off;
    }
  }
  // Data inside the headers (before the first section) maps 1:1.
  if (rva + size <= img.sizeOfHeaders && rva + size <= fileSize) return rva;
  throw corrupt(`${what} (RVA ${hex(rva)}) is not inside any section of the file`);
}
