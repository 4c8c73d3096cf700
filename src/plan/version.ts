/**
 * planSetVersion: the solution version, changed only where it is written (the text of
 * SolutionManifest/Version in solution.xml); nothing else in the file is touched.
 */
import { DvsolError } from "../errors.js";
import { childPath } from "../xml/dom.js";
import { compareVersions, parseVersion, SOLUTION_VERSION, versionChange } from "../model/names.js";
import type { Solution } from "../model/types.js";
import { finding } from "../findings/catalog.js";
import { PlanBuilder } from "./builder.js";
import type { EditPlan } from "./types.js";
import "./findings.js";

export type VersionPart = "major" | "minor" | "build" | "revision";
const PARTS: VersionPart[] = ["major", "minor", "build", "revision"];

export interface SetVersionRequest {
  bump?: VersionPart | string;
  set?: string;
}

const UPD = 'Microsoft Learn, "Update solutions" (https://learn.microsoft.com/power-platform/alm/update-solutions-alm)';

export function planSetVersion(sol: Solution, req: SetVersionRequest): EditPlan {
  const b = new PlanBuilder(sol, "version");
  if ((req.bump === undefined) === (req.set === undefined)) {
    throw new DvsolError("USAGE_BAD_OPTION", "give exactly one of --bump <major|minor|build|revision> and --set <a.b.c.d>");
  }
  const m = sol.manifest;
  const current = m.version;
  const cur = parseVersion(current, SOLUTION_VERSION, { file: sol.source.location, entry: sol.manifestPath });
  let next: string;
  if (req.set !== undefined) {
    parseVersion(req.set, SOLUTION_VERSION);
    next = req.set.trim();
    b.rule = `set: the version becomes ${next}; an update or upgrade must carry a higher version than the installed solution (${UPD})`;
  } else {
    const idx = PARTS.indexOf(String(req.bump).toLowerCase() as VersionPart);
    if (idx < 0) throw new DvsolError("USAGE_BAD_OPTION", `--bump takes major, minor, build or revision, not "${req.bump}"`);
    const parts = [...cur];
    const had = parts.length;
    while (parts.length <= idx) parts.push(0);
    parts[idx] = parts[idx]! + 1;
    if (parts[idx]! > SOLUTION_VERSION.maxPart) throw new DvsolError("SOLUTION_BAD_VERSION", `the ${PARTS[idx]} part of ${current} cannot go higher than ${SOLUTION_VERSION.maxPart}`);
    for (let i = idx + 1; i < parts.length; i++) parts[i] = 0;
    next = parts.join(".");
    if (parts.length > had) b.finding(finding("VERSION_PART_ADDED", { from: current, parts: had, part: PARTS[idx]!, to: next }));
    b.rule = `bump ${PARTS[idx]}: ${current} -> ${next} (lower parts reset to 0); an update or upgrade must carry a higher version than the installed solution (${UPD})`;
  }
  const nv = parseVersion(next, SOLUTION_VERSION);
  if (next === current) {
    b.finding(finding("EDIT_NOTHING_TO_DO", { what: `the version is already ${current}` }));
    return b.build();
  }
  if (compareVersions(nv, cur) <= 0) b.finding(finding("VERSION_NOT_HIGHER", { from: current, to: next }));
  const change = versionChange(cur, nv);
  if ((change === "major" || change === "minor") && compareVersions(nv, cur) > 0) b.finding(finding("VERSION_MAJOR_MINOR_PATCH", { from: current, to: next, part: change }));
  const el = childPath(b.doc(sol.manifestPath).root, "SolutionManifest", "Version");
  if (!el || el.selfClosing) throw new DvsolError("SOLUTION_BAD_MANIFEST", "<SolutionManifest> has no <Version> text to change", { file: sol.source.location, entry: sol.manifestPath });
  const ed = b.editor(sol.manifestPath);
  const raw = ed.doc.text.slice(el.openEnd, el.closeStart);
  const lead = /^\s*/.exec(raw)![0].length;
  const trail = /\s*$/.exec(raw)![0].length;
  ed.replace(el.openEnd + lead, el.closeStart - trail, next);
  b.change({ action: "change", kind: "solution", id: null, name: m.uniqueName, reason: `version ${current} -> ${next}`, fields: { Version: [current, next] } });
  return b.build();
}
