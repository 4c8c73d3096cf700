/**
 * CRC-32 as zip uses it (APPNOTE.TXT 4.4.7: polynomial 0xEDB88320, initial and final value 0xFFFFFFFF).
 * Node >= 20.15 has zlib.crc32 (native, several GB/s); older Node 20 releases fall back to a table.
 */
import * as zlib from "node:zlib";

let table: Uint32Array | undefined;

/** Table-driven CRC-32, the fallback for Node releases without zlib.crc32. Exported for tests. */
export function crc32Js(data: Uint8Array, value = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data`, continuing from `value` (the CRC of the bytes before it). */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof native === "function" ? (data, value = 0) => native(data, value) >>> 0 : crc32Js;
