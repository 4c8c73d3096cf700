/** unpack, pack, inspect */
import { Option } from "commander";
import type { RegisterCommand } from "./index.js";
import { limitOptions, limitsFrom, printReadFindings } from "./shared.js";

export const registerUnpack: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("unpack")
    .description("Unpack a solution zip into the folder layout of Microsoft's SolutionPackager")
    .argument("<solution.zip>", "the solution zip (a server export or a packed zip)")
    .argument("<folder>", "the folder to write: empty, absent, or an earlier unpack of the same solution (then only changed files are written)")
    .option("--clobber", "replace the content of a non-empty folder")
    .option("--allow-delete", "over an earlier unpack, remove files of components that are gone (default: keep and list them)")
    .addOption(new Option("--packagetype <type>", "which package the zip is (default: read from the zip); both: Name.zip and Name_managed.zip into one folder").choices(["unmanaged", "managed", "both"]))
    .option("--map <map.xml>", "SolutionPackager map file: files it maps are not written (they come from build output at pack time)")
    .option("--json", "print the result as JSON");
  limitOptions(cmd);
  cmd.addHelpText(
    "after",
    "\nExamples:\n  $ dvsol unpack ContosoPlugins_1_0_0_0.zip src/ContosoPlugins\n  $ dvsol unpack ContosoPlugins_1_0_1_0.zip src/ContosoPlugins --allow-delete   # update the folder in place\n  $ dvsol unpack ContosoPlugins.zip src/ContosoPlugins --packagetype both       # with ContosoPlugins_managed.zip\n",
  );
  cmd.action(async (zip: string, folder: string, o) => {
    const { unpack } = await import("../../ops/unpack.js");
    const io = ctx.io();
    const r = await unpack(zip, folder, {
      clobber: !!o.clobber,
      allowDelete: !!o.allowDelete,
      packageType: o.packagetype,
      map: o.map,
      limits: limitsFrom(o),
      onProgress: (d, t) => io.progress(`unpacking ${d}/${t}`),
    });
    await printReadFindings(io, r.findings);
    if (o.json) io.out(JSON.stringify({ input: r.input, output: r.output, files: r.files, mode: r.mode, written: r.written, unchanged: r.unchanged, deleted: r.deleted, findings: r.findings }, null, 2));
    else if (r.mode === "update") io.out(`unpacked ${r.input} into ${r.output} (${r.files} files: ${r.written} written, ${r.unchanged} unchanged, ${r.deleted} deleted)`);
    else io.out(`unpacked ${r.input} into ${r.output} (${r.files} files)`);
  });
};

export const registerPack: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("pack")
    .description("Pack an unpacked solution folder into a zip that Dataverse imports")
    .argument("<folder>", "the unpacked solution folder (holds Other/Solution.xml)")
    .argument("<solution.zip>", "the zip to write (replaced if it exists); with --packagetype both also <name>_managed.zip")
    .addOption(new Option("--packagetype <type>", "which package to write (default: the folder's type; unmanaged for a folder holding both)").choices(["unmanaged", "managed", "both"]))
    .option("--map <map.xml>", "SolutionPackager map file: take mapped files (plug-in DLLs, web resources) from build output; relative paths start at the solution folder")
    .option("--no-overwrite", "refuse to replace an existing zip")
    .option("--json", "print the result as JSON");
  cmd.addHelpText(
    "after",
    "\nExamples:\n  $ dvsol pack src/ContosoPlugins out/ContosoPlugins.zip\n  $ dvsol pack src/ContosoPlugins out/ContosoPlugins.zip --packagetype both --map map.xml\n",
  );
  cmd.action(async (folder: string, zip: string, o) => {
    const { pack } = await import("../../ops/unpack.js");
    const io = ctx.io();
    const r = await pack(folder, zip, { overwrite: o.overwrite !== false, packageType: o.packagetype, map: o.map, onProgress: (d, t) => io.progress(`packing ${d}/${t}`) });
    await printReadFindings(io, r.findings);
    if (o.json) io.out(JSON.stringify({ input: r.input, output: r.output, entries: r.files, outputs: r.outputs, findings: r.findings }, null, 2));
    else if ((r.outputs ?? []).length > 1) io.out(`packed ${r.input} into ${r.outputs!.map((x) => `${x.path} (${x.packageType}, ${x.entries} entries)`).join(" and ")}`);
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
