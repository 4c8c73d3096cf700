/** unpack and pack: library operations over the layout engine and the writers. */
import * as path from "node:path";
import { promises as fsp } from "node:fs";
import { DvsolError } from "../errors.js";
import { isHiddenPath, openSource, type OpenOptions, type SolutionSource } from "../solution/source.js";
import { planPackAll, planUnpack, planUnpackBoth, type LayoutPlan } from "../layout/engine.js";
import { writeFolder, writeZip, type WriteProgress } from "../io/output.js";
import { cleanStaleTemps, isInside } from "../io/atomic.js";
import { loadMap, mapResolver, type MapResolver } from "../layout/map.js";
import { writeIncremental } from "../layout/incremental.js";
import { parseXmlBytes } from "../xml/parse.js";
import { childPath, text } from "../xml/dom.js";
import type { Finding } from "../findings/types.js";
import type { LayoutOptions } from "../layout/types.js";
import type { Precompressor } from "../archive/precompress.js";

export interface UnpackOptions extends OpenOptions, Partial<LayoutOptions> {
  /** Replace a non-empty target folder. */
  clobber?: boolean;
  onProgress?: WriteProgress;
  /**
   * Over an earlier unpack of the same solution: remove files of components that are gone
   * (default: leave them and report them).
   */
  allowDelete?: boolean;
  /** A SolutionPackager map file: files it maps are not written (they come from build output at pack time). */
  map?: string;
}

export interface LayoutResult {
  input: string;
  output: string;
  files: number;
  findings: Finding[];
  /** Unpack over an earlier unpack: what changed. */
  written?: number;
  unchanged?: number;
  deleted?: number;
  /** How the folder was written: "new" (fresh folder, or --clobber) or "update" (over an earlier unpack). */
  mode?: "new" | "update";
  /** Pack: every zip written (two for --packagetype both). */
  outputs?: { path: string; packageType: "unmanaged" | "managed"; entries: number }[];
}

/** For --packagetype both: Name.zip and Name_managed.zip, whichever of the two was given. */
export function bothZipPaths(given: string): { unmanaged: string; managed: string } {
  if (/_managed\.zip$/i.test(given)) return { unmanaged: given.replace(/_managed(\.zip)$/i, "$1"), managed: given };
  return { unmanaged: given, managed: /\.zip$/i.test(given) ? given.replace(/(\.zip)$/i, "_managed$1") : `${given}_managed.zip` };
}

function uniqueNameOf(bytes: Buffer, where: { file: string; entry: string }): string | undefined {
  const doc = parseXmlBytes(bytes, where);
  return text(childPath(doc.root, "SolutionManifest", "UniqueName"))?.trim();
}

async function folderKind(folder: string): Promise<"missing" | "empty" | "nonempty" | "file"> {
  try {
    const st = await fsp.stat(folder);
    if (!st.isDirectory()) return "file";
    return (await fsp.readdir(folder)).length ? "nonempty" : "empty";
  } catch {
    return "missing";
  }
}

export async function unpack(zipPath: string, folder: string, opts: UnpackOptions = {}): Promise<LayoutResult> {
  const sources: SolutionSource[] = [];
  try {
    let resolver: MapResolver | undefined;
    if (opts.map) resolver = mapResolver(await loadMap(opts.map, path.resolve(folder)));
    let plan: LayoutPlan;
    let input = zipPath;
    if (opts.packageType === "both") {
      const both = bothZipPaths(zipPath);
      const u = await openSource(both.unmanaged, opts).catch((e: unknown) => {
        throw bothMissing(e, both.unmanaged, "unmanaged", both);
      });
      sources.push(u);
      const m = await openSource(both.managed, opts).catch((e: unknown) => {
        throw bothMissing(e, both.managed, "managed", both);
      });
      sources.push(m);
      for (const s of sources) if (s.form !== "zip") throw new DvsolError("USAGE_BAD_OPTION", `${s.location} is a folder; unpack takes solution zips`, { file: s.location });
      plan = await planUnpackBoth(u, m, { map: resolver });
      input = `${both.unmanaged} + ${both.managed}`;
    } else {
      const source = await openSource(zipPath, opts);
      sources.push(source);
      if (source.form !== "zip") {
        throw new DvsolError("USAGE_BAD_OPTION", `${zipPath} is a folder; unpack takes a solution .zip`, { file: zipPath, hint: "To copy an unpacked folder, use pack then unpack, or your file manager." });
      }
      plan = await planUnpack(source, { packageType: opts.packageType }, { map: resolver });
    }
    // Leftovers of a killed run next to the folder go first (an update in place never reaches produceFolderAtomic).
    await cleanStaleTemps(folder);
    const state = await folderKind(folder);
    if (state === "nonempty" && !opts.clobber) {
      // Over an earlier unpack of the same solution: write only what changed.
      const manifestOut = plan.files.find((f) => f.path === "Other/Solution.xml");
      const incoming = manifestOut && Buffer.isBuffer(manifestOut.content) ? uniqueNameOf(manifestOut.content, { file: zipPath, entry: "solution.xml" }) : undefined;
      const there = await fsp.readFile(path.join(folder, "Other", "Solution.xml")).catch(() => null);
      const existingName = there ? safeUniqueName(there, folder) : undefined;
      if (!there || existingName === undefined || existingName !== incoming) {
        throw new DvsolError("OUTPUT_NOT_EMPTY", there ? `${folder} holds solution ${existingName ?? "(unreadable Other/Solution.xml)"}, not ${incoming}` : `${folder} is not empty and holds no unpacked solution (no Other/Solution.xml)`, {
          file: folder,
          hint: "Unpack into an empty folder, into the folder of an earlier unpack of the same solution (only changed files are written), or pass --clobber to replace the folder's content.",
        });
      }
      const r = await writeIncremental(folder, plan.files, { allowDelete: !!opts.allowDelete, keep: resolver ? (p) => !!resolver!.matches(p) : undefined, onProgress: opts.onProgress });
      return {
        input,
        output: folder,
        files: plan.files.length,
        findings: [...plan.findings, ...r.findings],
        written: r.written.length,
        unchanged: r.unchanged,
        deleted: r.deleted.length,
        mode: "update",
      };
    }
    await writeFolder(folder, plan.files, { clobber: !!opts.clobber, onProgress: opts.onProgress });
    return { input, output: folder, files: plan.files.length, findings: plan.findings, written: plan.files.length, unchanged: 0, deleted: 0, mode: "new" };
  } finally {
    for (const s of sources) await s.close();
  }
}

function safeUniqueName(bytes: Buffer, folder: string): string | undefined {
  try {
    return uniqueNameOf(bytes, { file: folder, entry: "Other/Solution.xml" });
  } catch {
    return undefined;
  }
}

function bothMissing(e: unknown, p: string, which: string, both: { unmanaged: string; managed: string }): unknown {
  if (e instanceof DvsolError && e.code === "INPUT_NOT_FOUND") {
    return new DvsolError("INPUT_NOT_FOUND", `--packagetype both needs the ${which} zip ${p}, which does not exist`, {
      file: p,
      hint: `Export the solution twice and put ${path.basename(both.unmanaged)} and ${path.basename(both.managed)} side by side.`,
    });
  }
  return e;
}

export interface PackOptions extends OpenOptions, Partial<LayoutOptions> {
  /** Overwrite an existing zip (default true: pack is how a build refreshes its artifact). */
  overwrite?: boolean;
  onProgress?: WriteProgress;
  /** A SolutionPackager map file: where files come from (build output) instead of the folder. */
  map?: string;
}

/** Folder files above this count are worth a thread (it costs ~30 ms to start). */
const PRECOMPRESS_MIN_FILES = 64;
/** Larger files are streamed by the writer, not deflated whole. */
const PRECOMPRESS_MAX_FILE = 8 * 1024 * 1024;

async function startPrecompressor(source: SolutionSource): Promise<Precompressor | undefined> {
  const paths: string[] = [];
  for (const f of source.files) {
    if (f.absPath && !/\.xml$/i.test(f.path) && f.size <= PRECOMPRESS_MAX_FILE && !isHiddenPath(f.path)) paths.push(f.absPath);
  }
  if (paths.length < PRECOMPRESS_MIN_FILES) return undefined;
  const { Precompressor } = await import("../archive/precompress.js");
  return new Precompressor(paths, { maxFileSize: PRECOMPRESS_MAX_FILE });
}

export async function pack(folder: string, zipPath: string, opts: PackOptions = {}): Promise<LayoutResult> {
  const source = await openSource(folder, opts);
  let pre: Precompressor | undefined;
  try {
    if (source.form !== "folder") {
      throw new DvsolError("USAGE_BAD_OPTION", `${folder} is a file; pack takes an unpacked solution folder`, { file: folder });
    }
    const resolver = opts.map ? mapResolver(await loadMap(opts.map, path.resolve(folder))) : undefined;
    // Files the merge does not read (everything but XML: canvas app sources, flows, web resources, DLLs) are
    // most of a solution's bytes: deflate them on another thread while this one merges (src/archive/precompress.ts).
    pre = await startPrecompressor(source);
    const plans = await planPackAll(source, { packageType: opts.packageType }, { map: resolver });
    const targets = plans.map((p) => ({ ...p, path: plans.length === 2 && p.variant === "managed" ? bothZipPaths(zipPath).managed : zipPath }));
    for (const t of targets) {
      if (isInside(t.path, folder)) throw new DvsolError("OUTPUT_INSIDE_INPUT", `${t.path} is inside the folder being packed`, { file: t.path });
    }
    const outputs: NonNullable<LayoutResult["outputs"]> = [];
    for (const t of targets) {
      await writeZip(t.path, t.plan.files, { overwrite: opts.overwrite ?? true, onProgress: opts.onProgress, precompressor: pre });
      outputs.push({ path: t.path, packageType: t.variant, entries: t.plan.files.length });
    }
    return { input: folder, output: zipPath, files: targets[0]!.plan.files.length, findings: targets.flatMap((t) => t.plan.findings), outputs };
  } finally {
    await pre?.close();
    await source.close();
  }
}
