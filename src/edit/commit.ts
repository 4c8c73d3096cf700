/**
 * commit: writes an edited solution. A folder gets only its changed files (each written aside and
 * renamed) and loses its deleted ones; a zip is rewritten atomically with every unchanged entry copied
 * as its compressed bytes, changed entries re-encoded in place, new entries where the server puts them.
 * `out` writes the result elsewhere (a .zip path or a folder; either form from either form).
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { DvsolError } from "../errors.js";
import { produceFileAtomic, isInside } from "../io/atomic.js";
import { commitFolderFiles } from "../io/folder-commit.js";
import { writeFolder, writeZip } from "../io/output.js";
import { CONTENT_TYPES, contentTypes, planPack, planUnpack, type OutFile } from "../layout/engine.js";
import type { Solution } from "../model/types.js";
import type { SolutionSource } from "../solution/source.js";
import { OverlaySource } from "./overlay.js";
import { startRawVerification, type RawVerification } from "./verify.js";

export interface CommitOptions {
  /** Write the result here instead of in place: a .zip path, or a folder (must be empty or absent). */
  out?: string;
  /**
   * @internal Verification of raw copies started earlier (runEdit starts it when the zip is opened); without
   * it, commit verifies the entries it copies raw itself.
   */
  verification?: RawVerification;
}

export interface CommitResult {
  /** Where the result is. */
  output: string;
  /** Paths (in the solution) whose content was written: changed and new files. */
  written: string[];
  /** Paths deleted from the solution. */
  deleted: string[];
}

/** The files that differ from the base: written (changed or new) and deleted. */
export async function changedFiles(base: SolutionSource, edited: SolutionSource): Promise<{ written: Map<string, Buffer>; deleted: string[] }> {
  const written = new Map<string, Buffer>();
  if (!(edited instanceof OverlaySource)) return { written, deleted: [] };
  for (const [p, bytes] of edited.written) {
    const b = base.get(p);
    if (b && b.size === bytes.length && Buffer.compare(await b.read(), bytes) === 0) continue;
    written.set(p, bytes);
  }
  return { written, deleted: [...edited.deleted].sort() };
}

export async function commit(original: Solution, edited: Solution, opts: CommitOptions = {}): Promise<CommitResult> {
  const base = original.source;
  const src = edited.source;
  if (src !== base && !(src instanceof OverlaySource && src.base === base)) {
    throw new Error("internal: commit needs a solution edited (applyPlan) from the original");
  }
  const { written, deleted } = await changedFiles(base, src);
  const names = [...written.keys()].sort();
  if (opts.out !== undefined) {
    await writeOut(src, opts.out, written, opts.verification);
    return { output: opts.out, written: names, deleted };
  }
  if (written.size === 0 && deleted.length === 0) return { output: base.location, written: [], deleted: [] };
  if (base.form === "zip") await writeZipEdited(base.location, base, src, written, opts.verification);
  else await writeFolderEdits(base.location, written, deleted);
  return { output: base.location, written: names, deleted };
}

async function writeOut(src: SolutionSource, out: string, written: Map<string, Buffer>, verification?: RawVerification): Promise<void> {
  const st = await fsp.stat(out).catch(() => null);
  const toZip = st ? st.isFile() : /\.zip$/i.test(out);
  if (src.form === "folder" && isInside(out, src.location)) {
    throw new DvsolError("OUTPUT_INSIDE_INPUT", `${out} is inside the solution folder ${src.location}`, { file: out });
  }
  if (path.resolve(out) === path.resolve(src.location)) {
    throw new DvsolError("USAGE_BAD_OPTION", `--out names the input itself (${out}); leave --out away to edit in place`, { file: out });
  }
  if (src.form === "zip" && toZip) return writeZipEdited(out, src instanceof OverlaySource ? src.base : src, src, written, verification);
  if (src.form === "folder" && !toZip) {
    const files: OutFile[] = src.files.map((f) => ({ path: f.path, content: written.get(f.path) ?? { from: f } }));
    return writeFolder(out, files, { clobber: false });
  }
  if (src.form === "zip") {
    const plan = await planUnpack(src, { packageType: "unmanaged" });
    return writeFolder(out, plan.files, { clobber: false });
  }
  const plan = await planPack(src, { packageType: "unmanaged" });
  return writeZip(out, plan.files, { overwrite: true });
}

/** Extensions (lowercase) and extensionless names: what [Content_Types].xml must cover. */
function contentTypeKeys(names: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const n of names) {
    if (n.toLowerCase() === CONTENT_TYPES.toLowerCase()) continue;
    const b = n.slice(n.lastIndexOf("/") + 1);
    const dot = b.lastIndexOf(".");
    keys.add(dot > 0 && dot < b.length - 1 ? "." + b.slice(dot + 1).toLowerCase() : "/" + n);
  }
  return keys;
}

/** [Content_Types].xml is regenerated only when an entry needs a Default or Override it lacks; otherwise its bytes are kept. */
function needsNewContentTypes(before: readonly string[], after: readonly string[]): boolean {
  const had = contentTypeKeys(before);
  for (const k of contentTypeKeys(after)) if (!had.has(k)) return true;
  return false;
}

async function writeZipEdited(
  target: string,
  base: SolutionSource,
  edited: SolutionSource,
  written: Map<string, Buffer>,
  verification: RawVerification | undefined,
): Promise<void> {
  const { ZipWriter } = await import("../archive/index.js");
  const finalNames = edited.files.map((f) => f.path);
  const regen = !!base.get(CONTENT_TYPES) && needsNewContentTypes(base.files.map((f) => f.path), finalNames);
  // Entries copied raw keep their bytes, and so would keep their damage: each is inflated with the reader's
  // checks (src/edit/verify.ts) while the new zip is written, and the new zip replaces the target only when
  // every one of them passed.
  const raw = edited.files.filter((f) => !written.has(f.path) && !(f.path === CONTENT_TYPES && regen)).map((f) => base.get(f.path)).filter((b) => !!b?.zipEntry && !!b.zip);
  let own: RawVerification | undefined;
  if (!verification && raw.length && base.zip) {
    own = startRawVerification(base.zip, base.location, base.zip.limits, { only: raw.map((b) => b!.path) });
  }
  const check = verification ?? own;
  try {
    await produceFileAtomic(
      target,
      async (tmp) => {
        const w = await ZipWriter.create(tmp);
        try {
          for (const f of edited.files) {
            const b = base.get(f.path);
            const time = b?.zipEntry ? { dosTime: b.zipEntry.dosTime, dosDate: b.zipEntry.dosDate } : {};
            if (f.path === CONTENT_TYPES && regen) {
              w.add(f.path, contentTypes(finalNames.filter((n) => n !== CONTENT_TYPES)), time);
              continue;
            }
            const bytes = written.get(f.path);
            if (bytes) w.add(f.path, bytes, time);
            else if (b?.zipEntry && b.zip) w.addRaw(f.path, b.zip, b.zipEntry);
            else w.add(f.path, await f.read(), time);
          }
          if (check) {
            const failures = await check.done;
            for (const b of raw) {
              if (check.skipped.has(b!.path)) continue;
              const e = failures.get(b!.path);
              if (e) throw e;
            }
          }
          await w.finish();
        } catch (e) {
          await w.abort();
          throw e;
        }
      },
      { overwrite: true },
    );
  } finally {
    await own?.cancel();
  }
}

async function writeFolderEdits(root: string, written: Map<string, Buffer>, deleted: string[]): Promise<void> {
  for (const p of [...written.keys(), ...deleted]) safeJoin(root, p);
  // All files change as one step: a killed edit leaves the folder as it was or as it is after (src/io/folder-commit.ts).
  await commitFolderFiles(root, written, deleted);
}

function safeJoin(root: string, p: string): string {
  if (!p || p.includes("\0") || p.includes("\\") || p.startsWith("/") || p.split("/").some((s) => s === ".." || s === "." || s === "")) {
    throw new DvsolError("ZIP_UNSAFE_PATH", `refusing to write ${JSON.stringify(p)}: it would leave the solution folder`, { entry: p });
  }
  return path.join(root, p);
}
