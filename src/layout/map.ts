/**
 * SolutionPackager map files (`/map`, `pac solution pack --map`): where files of the folder really come
 * from at pack time (plug-in DLLs and web resources from build output).
 *
 *   <Mapping>
 *     <FileToFile map="PluginAssemblies\**\Contoso.Plugins.dll" to="..\src\Plugins\bin\Release\net462\Contoso.Plugins.dll" />
 *     <FileToPath map="WebResources\**\*.js" to="..\web\dist\**" />
 *     <Folder map="WebResources\new_" to="..\web\dist" />
 *   </Mapping>
 *
 * Rules (Microsoft Learn, "SolutionPackager tool", /map), made precise:
 * - `map` is a path in the solution folder (`\` or `/`, case-insensitive). Without a folder part it
 *   matches the file name in any folder. `**` stands for any number of folders.
 *   FileToFile: a file name, no wildcards. FileToPath: the name may be `*.ext` or `*.*`. Folder: a folder.
 * - `to` is relative to the solution folder (absolute paths allowed; `%VAR%` expands environment
 *   variables). FileToFile: a file; FileToPath: a folder; Folder: a folder that mirrors `map`.
 *   A `**` in `to`: when `map` has one too, the folders it matched are kept (`..\web\dist\new_\scripts\a.js`);
 *   otherwise, or when that file is not there, the file is searched for in every folder below.
 * - Directives are tried in order; the first that matches and finds its file wins.
 * - A directive that matches a file but finds nothing, or finds two candidates, or a FileToFile that
 *   matches two different files of the folder, is an error (MAP_INVALID) that names all of them.
 * - A directive that matches nothing is reported (LAYOUT_MAP_UNUSED).
 * - Maps apply to component files (DLLs, web resource content, workflow XAML, canvas apps, ...), not to
 *   the XML metadata dvsol reads and writes (Other/*.xml, *.data.xml, Entity.xml, ...).
 */
import { promises as fsp, statSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { DvsolError } from "../errors.js";
import { parseXmlBytes } from "../xml/parse.js";
import { attr, elements } from "../xml/dom.js";
import type { SolutionFile } from "../solution/source.js";
import type { Finding } from "../findings/types.js";
import { finding } from "../findings/catalog.js";
import "./findings.js";

export type DirectiveKind = "FileToFile" | "FileToPath" | "Folder";

export interface MapDirective {
  kind: DirectiveKind;
  /** As written. */
  map: string;
  to: string;
  line: number;
  /** Normalised map pattern: segments, lower-cased; "**" kept. */
  mapSegs: string[];
  /** Absolute `to` (with env vars expanded), forward slashes. */
  toAbs: string;
}

export interface LayoutMap {
  /** The map file as given. */
  file: string;
  /** The folder relative paths are resolved from (the solution folder). */
  base: string;
  directives: MapDirective[];
}

export function describeDirective(d: MapDirective): string {
  return `<${d.kind} map="${d.map}" to="${d.to}" />`;
}

export async function loadMap(mapFile: string, base: string): Promise<LayoutMap> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(mapFile);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DvsolError(code === "ENOENT" ? "INPUT_NOT_FOUND" : "INPUT_UNREADABLE", `map file ${mapFile} ${code === "ENOENT" ? "does not exist" : "cannot be read"}`, { file: mapFile });
  }
  const doc = parseXmlBytes(bytes, { file: mapFile });
  if (doc.root.name !== "Mapping") {
    throw new DvsolError("MAP_INVALID", `the root element of the map file is <${doc.root.name}>; expected <Mapping>`, { file: mapFile, line: doc.root.line });
  }
  const directives: MapDirective[] = [];
  for (const el of elements(doc.root)) {
    const where = { file: mapFile, line: el.line };
    if (el.name !== "FileToFile" && el.name !== "FileToPath" && el.name !== "Folder") {
      throw new DvsolError("MAP_INVALID", `<${el.name}> is not a map directive; use <FileToFile>, <FileToPath> or <Folder>`, where);
    }
    const map = attr(el, "map");
    const to = attr(el, "to");
    if (!map || !to) throw new DvsolError("MAP_INVALID", `<${el.name}> needs both map="..." and to="..."`, where);
    const kind = el.name as DirectiveKind;
    const mapN = norm(expandEnv(map, where));
    const toN = norm(expandEnv(to, where));
    const mapSegs = relativeToBase(mapN, base)
      .split("/")
      .filter((s) => s !== "" && s !== ".");
    if (mapSegs.length === 0 || mapSegs.includes("..")) throw new DvsolError("MAP_INVALID", `map="${map}" must name files inside the solution folder`, where);
    const last = mapSegs[mapSegs.length - 1]!;
    if (kind === "FileToFile" && (/[*?]/.test(last) || mapSegs.slice(0, -1).some((s) => s !== "**" && /[*?]/.test(s)))) {
      throw new DvsolError("MAP_INVALID", `FileToFile map="${map}": the file name cannot have wildcards (use FileToPath for *.ext)`, where);
    }
    if (kind === "FileToPath" && /[*?]/.test(last) && !/^\*\.(\*|[^*?]+)$/.test(last)) {
      throw new DvsolError("MAP_INVALID", `FileToPath map="${map}": a file name pattern must be *.ext or *.*`, where);
    }
    if (kind === "Folder" && mapSegs.some((s) => /[*?]/.test(s))) throw new DvsolError("MAP_INVALID", `Folder map="${map}": wildcards are not allowed in a folder mapping`, where);
    if (mapSegs.slice(0, -1).some((s) => s !== "**" && /[*?]/.test(s))) throw new DvsolError("MAP_INVALID", `map="${map}": only ** may stand for folders`, where);
    const toAbs = (isAbsolute(toN) ? toN : path.resolve(base, toN).split(path.sep).join("/")).replace(/\/+$/, "");
    if (kind === "FileToFile" && /\*\*$/.test(toAbs)) throw new DvsolError("MAP_INVALID", `FileToFile to="${to}" must end with a file name`, where);
    directives.push({ kind, map, to, line: el.line, mapSegs: mapSegs.map((s) => s.toLowerCase()), toAbs });
  }
  return { file: mapFile, base, directives };
}

function norm(p: string): string {
  return p.trim().replace(/\\/g, "/");
}

function isAbsolute(p: string): boolean {
  return p.startsWith("/") || /^[A-Za-z]:\//.test(p);
}

function relativeToBase(p: string, base: string): string {
  if (!isAbsolute(p)) return p;
  const rel = path.relative(base, p).split(path.sep).join("/");
  return rel.startsWith("..") ? "../" + rel : rel;
}

function expandEnv(v: string, where: { file: string; line: number }): string {
  return v.replace(/%([^%]+)%/g, (_m, name: string) => {
    const val = process.env[name];
    if (val === undefined) throw new DvsolError("MAP_INVALID", `environment variable %${name}% used in the map file is not set`, where);
    return val;
  });
}

/** Matches tree path segments against a pattern; returns the indexes of the segments `**` stood for, or null. */
function matchSegs(pat: string[], segs: string[]): number[] | null {
  const rec = (i: number, j: number, cap: number[]): number[] | null => {
    if (i === pat.length) return j === segs.length ? cap : null;
    const p = pat[i]!;
    if (p === "**") {
      for (let k = j; k <= segs.length - (pat.length - i - 1); k++) {
        const r = rec(i + 1, k, cap.concat(Array.from({ length: k - j }, (_, x) => j + x)));
        if (r) return r;
      }
      return null;
    }
    if (j >= segs.length) return null;
    const s = segs[j]!;
    const ok = p.includes("*") ? globName(p, s) : p === s;
    return ok ? rec(i + 1, j + 1, cap) : null;
  };
  return rec(0, 0, []);
}

function globName(p: string, s: string): boolean {
  if (p === "*.*" || p === "*") return true;
  const m = /^\*(\.[^*]+)$/.exec(p);
  return m ? s.endsWith(m[1]!) : p === s;
}

interface Match {
  directive: MapDirective;
  /** Sub-folders `**` matched in the tree path. */
  captured: string[];
  rest: string[];
}

function matchDirective(d: MapDirective, treePath: string): Match | null {
  const segs = treePath.toLowerCase().split("/");
  const origSegs = treePath.split("/");
  if (d.kind === "Folder") {
    const n = d.mapSegs.length;
    if (segs.length <= n) return null;
    for (let i = 0; i < n; i++) if (d.mapSegs[i] !== segs[i]) return null;
    return { directive: d, captured: [], rest: origSegs.slice(n) };
  }
  // A pattern without a folder part matches the name in any folder.
  const pat = d.mapSegs.length === 1 ? ["**", d.mapSegs[0]!] : d.mapSegs;
  const cap = matchSegs(pat, segs);
  if (!cap) return null;
  // Only folders count as captured (a bare name pattern's ** may swallow nothing else).
  const captured = cap.filter((i) => i < origSegs.length - 1).map((i) => origSegs[i]!);
  return { directive: d, captured: d.mapSegs.length === 1 ? [] : captured, rest: [origSegs[origSegs.length - 1]!] };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Files named `name` (case-insensitive) anywhere below `dir`, sorted. */
function search(dir: string, name: string): string[] {
  const out: string[] = [];
  const want = name.toLowerCase();
  const walk = (d: string): void => {
    let ents;
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.toLowerCase() === want) out.push(p.split(path.sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** The candidates a matched directive points at for one tree path. */
function candidates(m: Match, fileName: string): { looked: string; found: string[] } {
  const d = m.directive;
  const to = d.toAbs;
  const star = to.indexOf("/**");
  if (d.kind === "Folder") {
    const p = `${to}/${m.rest.join("/")}`;
    return { looked: p, found: isFile(p) ? [p] : [] };
  }
  const targetName = d.kind === "FileToFile" ? to.slice(to.lastIndexOf("/") + 1) : fileName;
  if (star < 0) {
    const p = d.kind === "FileToFile" ? to : `${to}/${fileName}`;
    return { looked: p, found: isFile(p) ? [p] : [] };
  }
  const head = to.slice(0, star);
  const tail = to.slice(star + 3).replace(/^\//, ""); // FileToFile: [sub/]name ; FileToPath: "" (or a sub-folder)
  const tailDir = d.kind === "FileToFile" ? tail.slice(0, Math.max(0, tail.lastIndexOf("/"))) : tail;
  if (m.captured.length) {
    const p = [head, ...m.captured, tailDir, targetName].filter((s) => s !== "").join("/");
    if (isFile(p)) return { looked: p, found: [p] };
  }
  const found = search(head, targetName).filter((p) => !tailDir || p.slice(0, p.lastIndexOf("/")).toLowerCase().endsWith("/" + tailDir.toLowerCase()));
  return { looked: `${head}/**/${tailDir ? tailDir + "/" : ""}${targetName}`, found };
}

export interface MapResolver {
  /** The file a directive supplies for a folder path; undefined when no directive matches. Throws MAP_INVALID. */
  resolve(treePath: string): SolutionFile | undefined;
  /** The directive that matches a path (unpack: such files are not written). */
  matches(treePath: string): MapDirective | undefined;
  /** LAYOUT_MAP_UNUSED findings for directives that matched nothing. */
  unused(): Finding[];
}

export function mapResolver(map: LayoutMap): MapResolver {
  const used = new Set<MapDirective>();
  const fileToFileHits = new Map<MapDirective, string>();
  const cache = new Map<string, SolutionFile | null>();
  return {
    resolve(treePath) {
      const key = treePath.toLowerCase();
      if (cache.has(key)) return cache.get(key) ?? undefined;
      const fileName = treePath.slice(treePath.lastIndexOf("/") + 1);
      const tried: string[] = [];
      let result: SolutionFile | null = null;
      let matched = false;
      for (const d of map.directives) {
        const m = matchDirective(d, treePath);
        if (!m) continue;
        matched = true;
        used.add(d);
        if (d.kind === "FileToFile") {
          const prev = fileToFileHits.get(d);
          if (prev && prev.toLowerCase() !== key) {
            throw new DvsolError("MAP_INVALID", `${describeDirective(d)} matches two files of the folder: ${prev} and ${treePath}`, {
              file: map.file,
              line: d.line,
              hint: "Put the folder in map= (for example PluginAssemblies\\Contoso-<GUID>\\Contoso.dll) so that the directive names one file.",
            });
          }
          fileToFileHits.set(d, treePath);
        }
        const c = candidates(m, fileName);
        if (c.found.length > 1) {
          throw new DvsolError("MAP_INVALID", `${describeDirective(d)} finds ${c.found.length} files for ${treePath}: ${c.found.join(", ")}`, {
            file: map.file,
            line: d.line,
            hint: "Make to= name one file (for example bin/Release/... instead of bin/**/...) so that the same build output is packed every time.",
          });
        }
        if (c.found.length === 1) {
          const abs = c.found[0]!;
          const size = statSync(abs).size;
          result = { path: treePath, size, absPath: abs, read: () => fsp.readFile(abs) };
          break;
        }
        tried.push(`${describeDirective(d)} (line ${d.line}) looked for ${c.looked}`);
      }
      if (matched && !result) {
        throw new DvsolError("MAP_INVALID", `the map file sends ${treePath} to build output that does not exist: ${tried.join("; ")}`, {
          file: map.file,
          hint: `Relative to= paths start at the solution folder (${map.base}). Build first, or fix to=.`,
        });
      }
      cache.set(key, result);
      return result ?? undefined;
    },
    matches(treePath) {
      for (const d of map.directives) if (matchDirective(d, treePath)) return d;
      return undefined;
    },
    unused() {
      return map.directives
        .filter((d) => !used.has(d))
        .map((d) => finding("LAYOUT_MAP_UNUSED", { directive: describeDirective(d), mapFile: map.file, line: d.line, to: d.toAbs }, { location: { file: map.file, line: d.line } }));
    },
  };
}
