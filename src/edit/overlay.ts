/**
 * An overlay over a solution source: the original files, with some replaced, created or deleted, held in
 * memory. Plans apply to it (applyPlan) and the model is read again from it, so that requests compose;
 * commit() writes only what differs from the base.
 */
import type { SolutionFile, SolutionSource } from "../solution/source.js";

/** Where the server puts component entries in a zip: by group, then path (see src/layout/engine.ts). */
const GROUP_ORDER = [
  "",
  "formulas/",
  "workflows/",
  "webresources/",
  "controls/",
  "pluginassemblies/",
  "pluginpackages/",
  "canvasapps/",
  "connector/",
  "connectors/",
  "appactions/",
  "customapis/",
  "environmentvariabledefinitions/",
  "environmentvariablevalues/",
];
const HEAD = ["customizations.xml", "[content_types].xml", "solution.xml"];

function groupOf(p: string): number {
  const lower = p.toLowerCase();
  const h = HEAD.indexOf(lower);
  if (h >= 0) return -3 + h;
  const slash = p.indexOf("/");
  const g = slash < 0 ? "" : lower.slice(0, slash + 1);
  const i = GROUP_ORDER.indexOf(g);
  return i < 0 ? GROUP_ORDER.length : i;
}

/** Index at which a new zip entry goes among existing names: after the last entry of its group or an earlier one, in path order within the group. */
export function zipInsertIndex(names: readonly string[], name: string): number {
  const g = groupOf(name);
  let at = 0;
  for (let i = 0; i < names.length; i++) {
    if (names[i]!.toLowerCase() === "[content_types].xml") continue;
    const gi = groupOf(names[i]!);
    if (gi < g || (gi === g && names[i]! < name)) at = i + 1;
  }
  return at;
}

/** The order in which a folder listing (src/solution/source.ts listFolder) meets paths: per level, by name. */
export function folderCompare(a: string, b: string): number {
  const as = a.split("/");
  const bs = b.split("/");
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    if (as[i] !== bs[i]) return as[i]! < bs[i]! ? -1 : 1;
  }
  return as.length - bs.length;
}

export class OverlaySource implements SolutionSource {
  readonly form: "zip" | "folder";
  readonly location: string;
  readonly files: readonly SolutionFile[];
  readonly zip;
  private readonly exact = new Map<string, SolutionFile>();
  private readonly lower = new Map<string, SolutionFile>();

  constructor(
    readonly base: SolutionSource,
    /** Path -> new bytes (replaced or created). */
    readonly written: ReadonlyMap<string, Buffer>,
    readonly deleted: ReadonlySet<string>,
  ) {
    this.form = base.form;
    this.location = base.location;
    this.zip = base.zip;
    const files: SolutionFile[] = [];
    for (const f of base.files) {
      if (deleted.has(f.path)) continue;
      const w = written.get(f.path);
      files.push(w ? memFile(f.path, w) : f);
    }
    const created = [...written.keys()].filter((p) => !base.get(p)).sort();
    if (this.form === "zip") {
      for (const p of created) {
        const names = files.map((f) => f.path);
        files.splice(zipInsertIndex(names, p), 0, memFile(p, written.get(p)!));
      }
    } else {
      for (const p of created) files.push(memFile(p, written.get(p)!));
      files.sort((a, b) => folderCompare(a.path, b.path));
    }
    this.files = files;
    for (const f of files) {
      this.exact.set(f.path, f);
      const k = f.path.toLowerCase();
      if (!this.lower.has(k)) this.lower.set(k, f);
    }
  }

  get(p: string): SolutionFile | undefined {
    return this.exact.get(p);
  }

  find(p: string): SolutionFile | undefined {
    return this.exact.get(p) ?? this.lower.get(p.toLowerCase());
  }

  /** Paths created (not in the base). */
  created(): string[] {
    return [...this.written.keys()].filter((p) => !this.base.get(p));
  }

  close(): Promise<void> {
    return this.base.close();
  }
}

function memFile(path: string, bytes: Buffer): SolutionFile {
  return { path, size: bytes.length, read: async () => bytes };
}

/** The base source of a source (itself unless it is an overlay). */
export function baseOf(source: SolutionSource): SolutionSource {
  return source instanceof OverlaySource ? source.base : source;
}
