/** unpack and pack: library operations over the layout engine and the writers. */
import { DvsolError } from "../errors.js";
import { openSource, type OpenOptions } from "../solution/source.js";
import { planPack, planUnpack } from "../layout/engine.js";
import { writeFolder, writeZip, type WriteProgress } from "../io/output.js";
import { isInside } from "../io/atomic.js";
import type { Finding } from "../findings/types.js";
import type { LayoutOptions } from "../layout/types.js";

export interface UnpackOptions extends OpenOptions, Partial<LayoutOptions> {
  /** Replace a non-empty target folder. */
  clobber?: boolean;
  onProgress?: WriteProgress;
}

export interface LayoutResult {
  input: string;
  output: string;
  files: number;
  findings: Finding[];
}

export async function unpack(zipPath: string, folder: string, opts: UnpackOptions = {}): Promise<LayoutResult> {
  const source = await openSource(zipPath, opts);
  try {
    if (source.form !== "zip") {
      throw new DvsolError("USAGE_BAD_OPTION", `${zipPath} is a folder; unpack takes a solution .zip`, { file: zipPath, hint: "To copy an unpacked folder, use pack then unpack, or your file manager." });
    }
    const plan = await planUnpack(source, { packageType: opts.packageType ?? "unmanaged" });
    await writeFolder(folder, plan.files, { clobber: !!opts.clobber, onProgress: opts.onProgress });
    return { input: zipPath, output: folder, files: plan.files.length, findings: plan.findings };
  } finally {
    await source.close();
  }
}

export interface PackOptions extends OpenOptions, Partial<LayoutOptions> {
  /** Overwrite an existing zip (default true: pack is how a build refreshes its artifact). */
  overwrite?: boolean;
  onProgress?: WriteProgress;
}

export async function pack(folder: string, zipPath: string, opts: PackOptions = {}): Promise<LayoutResult> {
  const source = await openSource(folder, opts);
  try {
    if (source.form !== "folder") {
      throw new DvsolError("USAGE_BAD_OPTION", `${folder} is a file; pack takes an unpacked solution folder`, { file: folder });
    }
    if (isInside(zipPath, folder)) {
      throw new DvsolError("OUTPUT_INSIDE_INPUT", `${zipPath} is inside the folder being packed`, { file: zipPath });
    }
    const plan = await planPack(source, { packageType: opts.packageType ?? "unmanaged" });
    await writeZip(zipPath, plan.files, { overwrite: opts.overwrite ?? true, onProgress: opts.onProgress });
    return { input: folder, output: zipPath, files: plan.files.length, findings: plan.findings };
  } finally {
    await source.close();
  }
}
