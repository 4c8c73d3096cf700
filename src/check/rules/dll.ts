/**
 * Rules that compare an assembly's XML with its DLL, as read by src/assembly (identity, types).
 * Pure: the DLL has been read by ../index.ts.
 */
import type { AssemblyInfo } from "../../assembly/index.js";
import type { Finding } from "../../findings/types.js";
import { ASSEMBLY_VERSION, compareVersions, tryParseVersion } from "../../model/names.js";
import type { PluginAssembly } from "../../model/types.js";
import type { RuleContext } from "../context.js";

export type DllRead = { info: AssemblyInfo } | { error: string };

const norm = (v: string | null | undefined): string => (v ?? "").trim().toLowerCase();
const neutral = (c: string | null | undefined): string => (norm(c) === "" ? "neutral" : norm(c));

function versionsEqual(a: string, b: string): boolean {
  const x = tryParseVersion(a, ASSEMBLY_VERSION);
  const y = tryParseVersion(b, ASSEMBLY_VERSION);
  return x && y ? compareVersions(x, y) === 0 : a.trim() === b.trim();
}

/**
 * `assemblyFindings` is the assembly reader's own rule set (signing, framework, types); it is passed in so
 * that this module stays free of the reader's implementation.
 */
export function dllRule(ctx: RuleContext, a: PluginAssembly, read: DllRead, assemblyFindings: (info: AssemblyInfo) => Finding[]): Finding[] {
  const ref = ctx.assemblyRef(a);
  const at = ctx.where(a.loc);
  const entry = a.dllPath;
  if ("error" in read) {
    return [ctx.make("ASSEMBLY_DLL_UNREADABLE", { assembly: a.fullName, entry, reason: read.error }, ref, at)];
  }
  const info = read.info;
  const out: Finding[] = [];
  if (info.isReferenceAssembly) {
    out.push(ctx.make("ASSEMBLY_DLL_UNREADABLE", { assembly: a.fullName, entry, reason: "it is a reference assembly (metadata only, no code)" }, ref, at));
  }
  const base = { assembly: a.fullName, entry };
  if (norm(info.name) !== norm(a.name)) out.push(ctx.make("ASSEMBLY_IDENTITY_MISMATCH", { ...base, field: "name", dll: info.name, xml: a.name }, ref, at));
  if (a.version && !versionsEqual(info.version, a.version)) out.push(ctx.make("ASSEMBLY_IDENTITY_MISMATCH", { ...base, field: "version", dll: info.version, xml: a.version }, ref, at));
  if (norm(info.publicKeyToken) !== norm(a.publicKeyToken)) {
    out.push(ctx.make("ASSEMBLY_IDENTITY_MISMATCH", { ...base, field: "public key token", dll: info.publicKeyToken, xml: a.publicKeyToken }, ref, at));
  }
  if (neutral(info.culture) !== neutral(a.culture)) out.push(ctx.make("ASSEMBLY_IDENTITY_MISMATCH", { ...base, field: "culture", dll: info.culture, xml: a.culture }, ref, at));

  // Registered types: compare the class from AssemblyQualifiedName (a workflow activity's Name is a display name).
  const offered = new Set(info.pluginTypes.map((t) => t.name));
  const undetermined = new Set(info.undeterminedTypes.map((t) => t.name));
  const registered = new Set<string>();
  for (const t of a.types) {
    registered.add(t.typeName);
    if (offered.has(t.typeName) || undetermined.has(t.typeName)) continue;
    out.push(ctx.make("ASSEMBLY_TYPE_NOT_IN_DLL", { assembly: a.fullName, type: t.typeName, name: t.name }, ctx.typeRef(t), ctx.where(t.loc)));
  }

  // The reader's findings, placed on the assembly element. Classes the DLL leaves undetermined matter only
  // when they are registered.
  for (const f of assemblyFindings(info)) {
    if (f.code === "ASSEMBLY_UNDETERMINED_TYPE") {
      const t = a.types.find((x) => x.typeName === f.args.type);
      if (!t) continue;
      out.push({ ...f, component: ctx.typeRef(t), location: ctx.where(t.loc) });
      continue;
    }
    out.push({ ...f, args: { ...f.args, entry }, component: ref, location: at });
  }
  return out;
}
