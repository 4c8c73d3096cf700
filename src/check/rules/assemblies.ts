/** Rules on plug-in assemblies as the XML describes them (the DLL itself: ../dll.ts). */
import type { Finding } from "../../findings/types.js";
import { compareVersions, parseFullName, parseQualifiedName, tryParseVersion, ASSEMBLY_VERSION } from "../../model/names.js";
import type { PluginAssembly, Step } from "../../model/types.js";
import type { RuleContext } from "../context.js";

function sameVersion(a: string, b: string): boolean {
  const x = tryParseVersion(a, ASSEMBLY_VERSION);
  const y = tryParseVersion(b, ASSEMBLY_VERSION);
  if (x && y) return compareVersions(x, y) === 0;
  return a.trim() === b.trim();
}

export function assemblySettingsRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const a of ctx.sol.assemblies) {
    const ref = ctx.assemblyRef(a);
    const args = { assembly: a.name, fullName: a.fullName, isolationMode: a.isolationMode, sourceType: a.sourceType, fileName: a.fileName };
    if (a.isolationMode !== null && a.isolationMode !== 2) out.push(ctx.make("ASSEMBLY_NOT_SANDBOXED", args, ref, ctx.where(a.loc, "IsolationMode")));
    // 4: assemblies of a plug-in package (the package carries the code).
    if (a.sourceType !== null && a.sourceType !== 0 && a.sourceType !== 4) out.push(ctx.make("ASSEMBLY_NOT_DATABASE", args, ref, ctx.where(a.loc, "SourceType")));
    // Only database assemblies carry their DLL in the solution.
    if ((a.sourceType === null || a.sourceType === 0) && !a.dllPath) {
      const code = ctx.sol.form === "zip" ? "ASSEMBLY_DLL_MISSING" : "ASSEMBLY_DLL_UNMAPPED";
      out.push(ctx.make(code, args, ref, ctx.where(a.loc, "FileName")));
    }
  }
  return out;
}

/** The four places an assembly's version is written must agree (reference page, section 6). */
export function assemblyVersionRule(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const sol = ctx.sol;
  const roots = ctx.assemblyRoots();
  // The steps whose type each assembly holds, in document order.
  const stepsOf = new Map<PluginAssembly, Step[]>();
  for (const s of sol.steps) {
    if (!s.pluginTypeName) continue;
    const a = ctx.stepType(s)?.assembly;
    if (!a) continue;
    const l = stepsOf.get(a);
    if (l) l.push(s);
    else stepsOf.set(a, [s]);
  }
  for (const a of sol.assemblies) {
    if (!a.version) continue;
    const base = { assembly: a.fullName, assemblyName: a.name, version: a.version };
    for (const rc of roots.rootsOf(a)) {
      if (!rc.schemaName) continue;
      const v = parseFullName(rc.schemaName).version;
      if (v && !sameVersion(v, a.version)) {
        out.push(ctx.make("ASSEMBLY_VERSION_MISMATCH", { ...base, place: "the RootComponent (type 91) in solution.xml", found: v }, { kind: "rootcomponent", id: rc.id, name: rc.schemaName }, ctx.where(rc.loc)));
      }
    }
    for (const t of a.types) {
      const q = parseQualifiedName(t.assemblyQualifiedName);
      const v = q.assembly?.version;
      if (v && !sameVersion(v, a.version)) {
        out.push(ctx.make("ASSEMBLY_VERSION_MISMATCH", { ...base, place: `the AssemblyQualifiedName of type ${t.typeName}`, found: v }, ctx.typeRef(t), ctx.where(t.loc)));
      }
    }
    for (const s of stepsOf.get(a) ?? []) {
      const v = parseQualifiedName(s.pluginTypeName!).assembly?.version;
      if (v && !sameVersion(v, a.version)) {
        out.push(ctx.make("ASSEMBLY_VERSION_MISMATCH", { ...base, place: `the PluginTypeName of step "${ctx.stepName(s)}"`, found: v }, ctx.stepRef(s), ctx.where(s.loc, "PluginTypeName")));
      }
    }
  }
  return out;
}
