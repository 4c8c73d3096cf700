/** Findings about a plug-in assembly file itself: signing, target framework, and the types it offers. */
import { defineFindings, finding, argText as s } from "../findings/catalog.js";
import type { Finding } from "../findings/types.js";
import type { AssemblyInfo } from "./index.js";

const BUILD_AND_PACKAGE = "https://learn.microsoft.com/power-apps/developer/data-platform/build-and-package";

defineFindings({
  ASSEMBLY_UNSIGNED: {
    severity: "warning",
    title: "Assembly is not strong-name signed",
    message: (a) =>
      a.delaySigned
        ? `${s(a.assembly)} is delay-signed (it has a public key but was never signed); Dataverse refuses it unless it is part of a plug-in package`
        : `${s(a.assembly)} is not strong-name signed; Dataverse refuses to register an unsigned assembly unless it is part of a plug-in package`,
    why: "An assembly registered on its own (not through a plug-in package) must be signed: the strong name gives it the unique identity under which the sandbox loads it. Registration of an unsigned assembly fails.",
    fix: "Sign the assembly: in Visual Studio, project properties > Signing > 'Sign the assembly' with a .snk key (or `<SignAssembly>true</SignAssembly>` and `<AssemblyOriginatorKeyFile>` in the project file), then rebuild. Alternatively ship it in a plug-in package, where signing is not required.",
    source: `${BUILD_AND_PACKAGE} (Sign assemblies before registering them)`,
  },
  ASSEMBLY_TARGET_FRAMEWORK: {
    severity: "warning",
    title: "Assembly targets a framework Dataverse plug-ins do not use",
    message: (a) => `${s(a.assembly)} targets ${s(a.framework)}; Dataverse runs plug-ins on .NET Framework 4.6.2 (4.7.x and 4.8 builds usually load)`,
    why: "Plug-in and workflow activity assemblies must target .NET Framework 4.6.2. Builds for 4.7.x or 4.8 generally load, but fail at run time if they use anything newer than 4.6.2; .NET Core, .NET 5+ and .NET Standard assemblies, and builds for frameworks older than 4.6.2, are not what the sandbox expects.",
    fix: "Set the project's target framework to .NET Framework 4.6.2 (`<TargetFramework>net462</TargetFramework>`) and rebuild.",
    source: `${BUILD_AND_PACKAGE} (Use .NET Framework 4.6.2); https://learn.microsoft.com/power-apps/developer/data-platform/org-service/visual-studio-dot-net-framework`,
  },
  ASSEMBLY_TARGET_FRAMEWORK_UNKNOWN: {
    severity: "info",
    title: "Assembly does not record its target framework",
    message: (a) => `${s(a.assembly)} has no TargetFrameworkAttribute, so dvsol cannot tell which .NET it was built for`,
    why: "MSBuild writes System.Runtime.Versioning.TargetFrameworkAttribute into every SDK-style and classic .NET Framework 4.x build. Without it dvsol cannot check that the assembly targets .NET Framework 4.6.2, as Dataverse plug-ins must.",
    fix: "Nothing, if you know the assembly targets .NET Framework 4.6.2. Assemblies built by old tool chains or by hand lack the attribute; rebuilding with MSBuild adds it.",
    source: `${BUILD_AND_PACKAGE} (Use .NET Framework 4.6.2)`,
  },
  ASSEMBLY_NO_PLUGIN_TYPES: {
    severity: "warning",
    title: "Assembly has no plug-in or workflow activity types",
    message: (a) =>
      `${s(a.assembly)} has no public, non-abstract class that implements Microsoft.Xrm.Sdk.IPlugin or derives from System.Activities.CodeActivity` +
      (Number(a.undetermined) > 0 ? ` (${s(a.undetermined)} class(es) could not be determined; see ASSEMBLY_UNDETERMINED_TYPE)` : ""),
    why: "Registration offers only public, non-abstract, non-generic classes implementing IPlugin or deriving from CodeActivity. An assembly without any registers no types, and steps cannot point at it.",
    fix: "Check that the plug-in classes are public and not abstract, that the right build output was given (not a helper library), and that IPlugin comes from Microsoft.Xrm.Sdk.",
    source: "https://learn.microsoft.com/power-apps/developer/data-platform/write-plug-in; https://learn.microsoft.com/power-apps/developer/data-platform/workflow/workflow-extensions",
  },
  ASSEMBLY_UNDETERMINED_TYPE: {
    severity: "warning",
    title: "Plug-in status of a class depends on another assembly",
    message: (a) => `cannot tell whether ${s(a.type)} is a plug-in: its base class ${s(a.baseType)} could not be read (${s(a.reason)}); pass --ref <dir> with the folder holding that assembly`,
    why: "Whether a class is a plug-in depends on its whole base-class chain. When a base class lives in another assembly that dvsol was not given, dvsol does not guess: the class may or may not be offered for registration.",
    fix: "Pass --ref <dir> (repeatable) with the folder that holds the referenced assembly, typically the project's bin/Release/net462 folder, so dvsol can follow the base class.",
    source: "observed in real plug-in projects: shared base classes (PluginBase) often live in a separate library that is ILMerged or shipped in a plug-in package",
  },
});

/** .NET Framework 4.6.2, 4.7, 4.7.1, 4.7.2 and 4.8. */
const SUPPORTED_FRAMEWORK = /^\.NETFramework,Version=v4\.(6\.2|7|7\.1|7\.2|8)$/i;

/** Findings about an assembly that has been read. Pure: same input, same findings. */
export function assemblyFindings(info: AssemblyInfo, file?: string): Finding[] {
  const out: Finding[] = [];
  const component = { kind: "assembly" as const, id: null, name: info.fullName };
  const extra = { component, ...(file !== undefined ? { location: { file } } : {}) };
  if (!info.signed) out.push(finding("ASSEMBLY_UNSIGNED", { assembly: info.name, delaySigned: info.delaySigned }, extra));
  if (info.targetFramework === null) out.push(finding("ASSEMBLY_TARGET_FRAMEWORK_UNKNOWN", { assembly: info.name }, extra));
  else if (!SUPPORTED_FRAMEWORK.test(info.targetFramework)) out.push(finding("ASSEMBLY_TARGET_FRAMEWORK", { assembly: info.name, framework: info.targetFramework }, extra));
  if (info.pluginTypes.length === 0) out.push(finding("ASSEMBLY_NO_PLUGIN_TYPES", { assembly: info.name, undetermined: info.undeterminedTypes.length }, extra));
  for (const u of info.undeterminedTypes) {
    out.push(
      finding(
        "ASSEMBLY_UNDETERMINED_TYPE",
        { assembly: info.name, type: u.name, baseType: u.baseType, reason: u.reason },
        { component: { kind: "plugintype", id: null, name: u.name }, ...(file !== undefined ? { location: { file } } : {}) },
      ),
    );
  }
  return out;
}
