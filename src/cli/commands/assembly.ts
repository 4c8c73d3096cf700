/** assembly: what the Plug-in Registration Tool would see in a DLL, without .NET. */
import type { RegisterCommand } from "./index.js";

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export const registerAssembly: RegisterCommand = (program, ctx) => {
  program
    .command("assembly")
    .description("Read a plug-in assembly: identity, signing, target framework, and its plug-in and workflow activity types")
    .argument("<file.dll>", "the compiled plug-in assembly")
    .option("--json", "print the result as JSON")
    .option("--ref <dir>", "folder holding referenced assemblies (<Name>.dll), to follow base classes into them; repeatable", collect)
    .addHelpText("after", "\nExample:\n  $ dvsol assembly bin/Release/net462/Contoso.Plugins.dll --json\n")
    .action(async (file: string, opts: { json?: boolean; ref?: string[] }) => {
      const { readAssemblyFile, assertLoadable } = await import("../../assembly/index.js");
      const { assemblyFindings } = await import("../../assembly/findings.js");
      const { printReadFindings } = await import("./shared.js");
      const io = ctx.io();
      const info = await readAssemblyFile(file, { refDirs: opts.ref ?? [] });
      assertLoadable(info, file);
      const findings = assemblyFindings(info, file);
      await printReadFindings(io, findings);
      if (opts.json) {
        io.out(
          JSON.stringify(
            {
              name: info.name,
              version: info.version,
              culture: info.culture,
              publicKeyToken: info.publicKeyToken,
              fullName: info.fullName,
              signed: info.signed,
              targetFramework: info.targetFramework,
              pluginTypes: info.pluginTypes.map((t) => ({ name: t.name, kind: t.kind })),
              undeterminedTypes: info.undeterminedTypes,
              references: info.references.map((r) => ({ name: r.name, version: r.version })),
              findings,
            },
            null,
            2,
          ),
        );
        return;
      }
      const lines = [
        info.fullName,
        `  signed:           ${info.signed ? "yes" : "no"}`,
        `  target framework: ${info.targetFramework ?? "(not recorded)"}`,
        `  references:       ${info.references.map((r) => `${r.name} ${r.version}`).join(", ") || "(none)"}`,
        `  types (${info.pluginTypes.length}):`,
        ...info.pluginTypes.map((t) => `    ${t.kind.padEnd(18)} ${t.name}`),
      ];
      if (info.undeterminedTypes.length) {
        lines.push(`  undetermined (${info.undeterminedTypes.length}):`);
        for (const u of info.undeterminedTypes) lines.push(`    ${u.name} (base ${u.baseType}: ${u.reason})`);
      }
      io.out(lines.join("\n"));
    });
};
