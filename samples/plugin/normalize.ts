/**
 * Makes an mcs build reproducible before it is signed (mcs has no -deterministic): zeroes the COFF
 * TimeDateStamp, replaces the random module version id (MVID) with one derived from the content, and sets
 * COMIMAGE_FLAGS_STRONGNAMESIGNED, which mcs leaves clear when delay-signing. `sn -R` signs afterwards.
 * Usage (from build.sh): node --import tsx normalize.ts <file.dll>
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { T } from "../../src/assembly/metadata.js";
import { ModuleView } from "../../src/assembly/module.js";
import { COMIMAGE_FLAGS_STRONGNAMESIGNED } from "../../src/assembly/pe.js";

const file = process.argv[2];
if (!file) throw new Error("usage: normalize.ts <file.dll>");
const bytes = new Uint8Array(readFileSync(file));
const mod = new ModuleView(bytes);
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

view.setUint32(view.getUint32(0x3c, true) + 8, 0, true); // COFF TimeDateStamp (PE signature + 4)

const guids = mod.md.streams.find((s) => s.name === "#GUID");
const mvidIndex = mod.md.cell(T.Module, 1, 2); // II.22.30 Module.Mvid: 1-based #GUID index
if (!guids || mvidIndex === 0) throw new Error(`${file}: no MVID`);
const mvid = guids.offset + (mvidIndex - 1) * 16;
bytes.fill(0, mvid, mvid + 16);

const flags = view.getUint32(mod.pe.cliOffset + 16, true);
view.setUint32(mod.pe.cliOffset + 16, flags | COMIMAGE_FLAGS_STRONGNAMESIGNED, true);

const id = createHash("sha1").update(bytes).digest().subarray(0, 16);
id[7] = (id[7]! & 0x0f) | 0x50; // a name-based (version 5) GUID, as stored little-endian in the first three fields
id[8] = (id[8]! & 0x3f) | 0x80;
bytes.set(id, mvid);
writeFileSync(file, bytes);
