/** unpack, pack, inspect */
import { Option } from "commander";
import type { RegisterCommand } from "./index.js";
import { limitOptions, limitsFrom, printReadFindings } from "./shared.js";

export const registerUnpack: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("unpack")
    .description("Unpack a solution zip into the folder layout of Microsoft's SolutionPackager")
    .argument("<solution.zip>", "the solution zip (a server export or a packed zip)")
    .argument("<folder>", "the folder to write; must be empty or absent unless --clobber")
    .option("--clobber", "replace the content of a non-empty folder")
    .addOption(new Option("--packagetype <type>", "which package the zip is").choices(["unmanaged", "managed", "both"]).default("unmanaged"))
    .option("--json", "print the result as JSON");
  limitOptions(cmd);
  cmd.addHelpText("after", "\nExample:\n  $ dvsol unpack ContosoPlugins_1_0_0_0.zip src/ContosoPlugins\n");
  cmd.action(async (zip: string, folder: string, o) => {
    const { unpack } = await import("../../ops/unpack.js");
    const io = ctx.io();
    const r = await unpack(zip, folder, { clobber: !!o.clobber, packageType: o.packagetype, limits: limitsFrom(o), onProgress: (d, t) => io.progress(`unpacking ${d}/${t}`) });
    await printReadFindings(io, r.findings);
    if (o.json) io.out(JSON.stringify({ input: r.input, output: r.output, files: r.files, findings: r.findings }, null, 2));
    else io.out(`unpacked ${r.input} into ${r.output} (${r.files} files)`);
  });
};

export const registerPack: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("pack")
    .description("Pack an unpacked solution folder into a zip that Dataverse imports")
    .argument("<folder>", "the unpacked solution folder (holds Other/Solution.xml)")
    .argument("<solution.zip>", "the zip to write (replaced if it exists)")
    .addOption(new Option("--packagetype <type>", "which package to write").choices(["unmanaged", "managed", "both"]).default("unmanaged"))
    .option("--no-overwrite", "refuse to replace an existing zip")
    .option("--json", "print the result as JSON");
  cmd.addHelpText("after", "\nExample:\n  $ dvsol pack src/ContosoPlugins out/ContosoPlugins.zip\n");
  cmd.action(async (folder: string, zip: string, o) => {
    const { pack } = await import("../../ops/unpack.js");
    const io = ctx.io();
    const r = await pack(folder, zip, { overwrite: o.overwrite !== false, packageType: o.packagetype, onProgress: (d, t) => io.progress(`packing ${d}/${t}`) });
    await printReadFindings(io, r.findings);
    if (o.json) io.out(JSON.stringify({ input: r.input, output: r.output, entries: r.files, findings: r.findings }, null, 2));
    else io.out(`packed ${r.input} into ${r.output} (${r.files} entries)`);
  });
};

export const registerInspect: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("inspect")
    .description("Show a solution's manifest, plug-in assemblies, types, steps, images and endpoints")
    .argument("<solution>", "a solution zip or an unpacked folder")
    .option("--json", "print the model as JSON (see docs/commands/inspect.md for the shape)");
  limitOptions(cmd);
  cmd.addHelpText("after", "\nExamples:\n  $ dvsol inspect ContosoPlugins_1_0_0_0.zip\n  $ dvsol inspect src/ContosoPlugins --json\n");
  cmd.action(async (location: string, o) => {
    const { loadSolution } = await import("../../model/read.js");
    const { inspectSolution, formatInspectText } = await import("../../ops/inspect.js");
    const io = ctx.io();
    const sol = await loadSolution(location, { limits: limitsFrom(o) });
    try {
      const r = inspectSolution(sol);
      await printReadFindings(io, r.findings);
      io.out(o.json ? JSON.stringify(r, null, 2) : formatInspectText(r));
    } finally {
      await sol.source.close();
    }
  });
};
