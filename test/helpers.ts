/** Shared test helpers: paths, the corpus, mono, and running the CLI as a user would. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CORPUS = path.resolve(ROOT, "..", "shared", "corpus");
export const HAS_CORPUS = existsSync(path.join(CORPUS, "MANIFEST.tsv"));
/** `skip` value for corpus tests: false when the corpus is there, else the reason. */
export const corpusSkip: string | false = HAS_CORPUS ? false : `corpus not found at ${CORPUS}: skipped`;

function onPath(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
}
export const HAS_MONO = onPath("mcs") && onPath("monodis") && onPath("sn");
export const monoSkip: string | false = HAS_MONO ? false : "mono (mcs, monodis, sn) not installed: skipped";
export const HAS_UNZIP = onPath("unzip") && onPath("zip");

export function tmp(prefix = "dvsol-test-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/) the way a user does. */
export function dvsol(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin", "dvsol.js"), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    encoding: "utf8",
    input: opts.input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface ManifestRow {
  local_path: string;
  kind: string;
  solution_unique_name: string;
  solution_version: string;
  n_plugin_assemblies: string;
  n_steps: string;
  n_images: string;
  n_service_endpoints: string;
  notes: string;
  [k: string]: string;
}

/** Rows of the corpus MANIFEST.tsv. */
export function corpusManifest(): ManifestRow[] {
  if (!HAS_CORPUS) return [];
  const lines = readFileSync(path.join(CORPUS, "MANIFEST.tsv"), "utf8").split("\n").filter((l) => l.trim());
  const head = lines[0]!.split("\t");
  return lines.slice(1).map((l) => {
    const cells = l.split("\t");
    const row: Record<string, string> = {};
    head.forEach((h, i) => (row[h] = cells[i] ?? ""));
    return row as ManifestRow;
  });
}

export const corpusPath = (local: string): string => path.join(CORPUS, local);
