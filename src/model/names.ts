/** .NET display names and four-part versions as the solution files write them. */
import { DvsolError } from "../errors.js";

export interface AssemblyIdentity {
  name: string;
  version: string;
  culture: string;
  publicKeyToken: string | null;
}

/** Parses "Name, Version=1.0.0.0, Culture=neutral, PublicKeyToken=abc" (order of the keys free). */
export function parseFullName(fullName: string): AssemblyIdentity {
  const parts = fullName.split(",").map((p) => p.trim());
  const id: AssemblyIdentity = { name: parts[0] ?? "", version: "", culture: "neutral", publicKeyToken: null };
  for (const p of parts.slice(1)) {
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    const k = p.slice(0, eq).trim().toLowerCase();
    const v = p.slice(eq + 1).trim();
    if (k === "version") id.version = v;
    else if (k === "culture") id.culture = v || "neutral";
    else if (k === "publickeytoken") id.publicKeyToken = v && v.toLowerCase() !== "null" ? v.toLowerCase() : null;
  }
  return id;
}

export function formatFullName(id: AssemblyIdentity): string {
  return `${id.name}, Version=${id.version}, Culture=${id.culture || "neutral"}, PublicKeyToken=${id.publicKeyToken ?? "null"}`;
}

/** "Ns.Class, Name, Version=..." -> { typeName: "Ns.Class", assembly: {...} } */
export function parseQualifiedName(aqn: string): { typeName: string; assembly: AssemblyIdentity | null } {
  const comma = aqn.indexOf(",");
  if (comma < 0) return { typeName: aqn.trim(), assembly: null };
  return { typeName: aqn.slice(0, comma).trim(), assembly: parseFullName(aqn.slice(comma + 1)) };
}

export function qualifiedName(typeName: string, asm: AssemblyIdentity): string {
  return `${typeName}, ${formatFullName(asm)}`;
}

export type VersionTuple = number[];

export interface VersionLimits {
  /** Largest value of one part. */
  maxPart: number;
  what: string;
}

export const SOLUTION_VERSION: VersionLimits = { maxPart: 2147483647, what: "solution version" };
export const ASSEMBLY_VERSION: VersionLimits = { maxPart: 65534, what: "assembly version" };

/** Parses a.b(.c(.d)); throws SOLUTION_BAD_VERSION for anything else. */
export function parseVersion(v: string, limits: VersionLimits = SOLUTION_VERSION, where: { file?: string; entry?: string } = {}): VersionTuple {
  const t = v.trim();
  if (!/^\d{1,10}(\.\d{1,10}){1,3}$/.test(t)) {
    throw new DvsolError("SOLUTION_BAD_VERSION", `"${v}" is not a ${limits.what}: use 2 to 4 numeric parts such as 1.0.0.0`, where);
  }
  const parts = t.split(".").map((p) => Number(p));
  for (const p of parts) {
    if (p > limits.maxPart) {
      throw new DvsolError("SOLUTION_BAD_VERSION", `"${v}" has a part larger than ${limits.maxPart}, the limit of a ${limits.what}`, where);
    }
  }
  return parts;
}

export function tryParseVersion(v: string | null | undefined, limits: VersionLimits = SOLUTION_VERSION): VersionTuple | null {
  if (!v) return null;
  try {
    return parseVersion(v, limits);
  } catch {
    return null;
  }
}

/** Compares versions part by part; missing parts count as 0. */
export function compareVersions(a: VersionTuple, b: VersionTuple): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export type VersionChange = "same" | "major" | "minor" | "build" | "revision";

/** Which part is the first to differ. */
export function versionChange(from: VersionTuple, to: VersionTuple): VersionChange {
  const names: VersionChange[] = ["major", "minor", "build", "revision"];
  for (let i = 0; i < 4; i++) if ((from[i] ?? 0) !== (to[i] ?? 0)) return names[i]!;
  return "same";
}
