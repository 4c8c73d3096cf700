/** What the reporters share: options, locations as people and tools read them, stable fingerprints. */
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { Finding } from "../findings/types.js";

export interface ReportOptions {
  /** ANSI colour (text only); the CLI passes io.color. */
  color?: boolean;
  /** dvsol's version, named in JSON and SARIF. */
  toolVersion?: string;
  /**
   * The folder SARIF artifact URIs are relative to (the repository root in CI; the CLI passes the current
   * folder). Without it, locations are written as given.
   */
  baseDir?: string;
  /**
   * Absolute URL of the folder that holds docs/findings/<CODE>.md (ending in "/"), for links in SARIF and
   * Markdown. Without it, SARIF carries no helpUri and Markdown links are relative (docs/findings/<CODE>.md).
   */
  docsBase?: string;
}

export const DOCS_PATH = "docs/findings/";

export function docsLink(code: string, opts: ReportOptions): string {
  return `${opts.docsBase ?? DOCS_PATH}${code}.md`;
}

/** "folder/Other/Customizations.xml:12" for a folder, "Solution.zip!customizations.xml:12" for a zip. */
export function displayLocation(f: Finding, form: "zip" | "folder"): string {
  const l = f.location;
  if (!l) return "";
  let s = l.file ?? "";
  if (l.entry) s = !s ? l.entry : form === "folder" ? joinPosix(s, l.entry) : `${s}!${l.entry}`;
  if (l.line !== undefined) s += `:${l.line}`;
  return s;
}

export function joinPosix(dir: string, rel: string): string {
  const d = dir.replace(/\\/g, "/").replace(/\/+$/, "");
  return d ? `${d}/${rel}` : rel;
}

/** A path relative to `base` with forward slashes (or the path as given, with forward slashes, without a base). */
export function relativePosix(p: string, base: string | undefined): string {
  if (!base) return p.replace(/\\/g, "/");
  const rel = path.relative(path.resolve(base), path.resolve(p));
  return (rel === "" ? "." : rel).split(path.sep).join("/");
}

/** Stable across runs and line shifts: code, component, document and arguments (never the line). */
export function fingerprint(f: Finding): string {
  const args = Object.keys(f.args)
    .sort()
    .map((k) => [k, f.args[k]]);
  const parts = [f.code, f.component?.kind ?? "", f.component?.id ?? f.component?.name ?? "", f.location?.entry ?? "", JSON.stringify(args)];
  return createHash("sha256").update(parts.join("\u001f")).digest("hex").slice(0, 32);
}
