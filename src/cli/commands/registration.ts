/**
 * Registration as code: `dvsol init` (a new empty solution folder) and `dvsol apply` (a registration file
 * -> additions, changes and, with --prune, removals in a solution; --dry-run prints the plan).
 */
import type { EventEmitter } from "node:events";
import type { Command } from "commander";
import type { RegisterCommand } from "./index.js";
import { limitOptions, limitsFrom } from "./shared.js";

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The subcommand the raw arguments run (skipping global options and the value of --config). */
function subcommandOf(program: Command): { name: string; at: number; raw: string[] } | null {
  const raw = ((program as unknown as { rawArgs?: string[] }).rawArgs ?? []).slice(2);
  for (let i = 0; i < raw.length; i++) {
    const a = raw[i]!;
    if (a === "--config") {
      i++;
      continue;
    }
    if (a.startsWith("-")) continue;
    return { name: a, at: i, raw };
  }
  return null;
}

/** The value of `--version` after `init` in the raw arguments, or undefined. */
function initVersionArg(program: Command): string | undefined {
  const sub = subcommandOf(program);
  if (!sub || sub.name !== "init") return undefined;
  for (let i = sub.at + 1; i < sub.raw.length; i++) {
    const a = sub.raw[i]!;
    if (a === "--") break;
    if (a === "--version") return sub.raw[i + 1] ?? "";
    if (a.startsWith("--version=")) return a.slice("--version=".length);
  }
  return undefined;
}

/**
 * `init --version <a.b.c.d>` has the name of the program's `-V, --version`, and commander gives program
 * options to the program wherever they appear (so it would print dvsol's version). After `init`, the
 * option is init's: the program's listener stands aside, init accepts the value that is left over as an
 * operand, and the action reads it from the raw arguments. `dvsol --version` is unchanged.
 */
function shareVersionOption(program: Command, init: Command): void {
  const emitter = program as unknown as EventEmitter;
  const original = emitter.listeners("option:version") as ((...a: unknown[]) => void)[];
  if (!original.length) return;
  emitter.removeAllListeners("option:version");
  emitter.on("option:version", (...a: unknown[]) => {
    if (initVersionArg(program) !== undefined) {
      init.allowExcessArguments(true);
      return;
    }
    for (const l of original) l.apply(program, a);
  });
}

export const registerRegistration: RegisterCommand = (program, ctx) => {
  const init = program
    .command("init")
    .description("Create a new, empty solution folder (the SolutionPackager layout of a modern export) to register plug-ins into")
    .argument("<folder>", "the folder to create (must be empty or absent, unless --clobber)")
    .requiredOption("--name <UniqueName>", "solution unique name: letters, digits and underscores")
    .requiredOption("--publisher <uniquename>", "publisher unique name: letters, digits and underscores")
    .requiredOption("--prefix <prefix>", "customization prefix: 2-8 lowercase letters and digits, starting with a letter (not mscrm)")
    .option("--display-name <name>", "solution display name (default: the unique name)")
    .option("--publisher-display-name <name>", "publisher display name (default: the publisher's unique name)")
    .option("--version <a.b.c.d>", "solution version (default 1.0.0.0)")
    .option("--option-value-prefix <N>", "option value prefix, 10000-99999 (default: derived from the prefix)")
    .option("--managed", "mark the solution managed (dvsol pack then writes a managed zip)")
    .option("--clobber", "replace the content of a non-empty folder")
    .option("--json", "print the result as JSON");
  init.addHelpText(
    "after",
    `
Examples:
  $ dvsol init src/ContosoPlugins --name ContosoPlugins --publisher contoso --prefix contoso
  $ dvsol init src/ContosoPlugins --name ContosoPlugins --display-name "Contoso Plug-ins" --publisher contoso \\
      --prefix con --version 1.0.0.0 --option-value-prefix 10450
`,
  );
  shareVersionOption(program, init);
  init.action(async (folder: string, o: Record<string, unknown>, cmd: Command) => {
    const { initSolution } = await import("../../registration/init.js");
    const { DvsolError } = await import("../../errors.js");
    const io = ctx.io();
    const version = o.version !== undefined ? String(o.version) : initVersionArg(program);
    // The only operand allowed besides <folder> is the --version value the program's option left behind.
    const extra = cmd.args.slice(1);
    if (extra.length > 1 || (extra.length === 1 && (o.version !== undefined || extra[0] !== version))) {
      throw new DvsolError("USAGE", `too many arguments for 'init': ${extra.map((x) => JSON.stringify(x)).join(" ")}`, { hint: "Run `dvsol init --help` for its options and examples." });
    }
    const r = await initSolution(folder, {
      name: String(o.name),
      publisher: String(o.publisher),
      prefix: String(o.prefix),
      ...(o.displayName !== undefined ? { displayName: String(o.displayName) } : {}),
      ...(o.publisherDisplayName !== undefined ? { publisherDisplayName: String(o.publisherDisplayName) } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(o.optionValuePrefix !== undefined ? { optionValuePrefix: String(o.optionValuePrefix) } : {}),
      managed: !!o.managed,
      clobber: !!o.clobber,
    });
    if (o.json) io.out(JSON.stringify(r, null, 2));
    else {
      io.out(
        `created ${r.folder}: solution ${r.uniqueName} ${r.version} (${r.managed ? "managed" : "unmanaged"}), publisher ${r.publisher.uniqueName} (prefix ${r.publisher.prefix}, option values ${r.publisher.optionValuePrefix})\n` +
          `next: dvsol apply ${r.folder} registration.json`,
      );
    }
  });

  const apply = program
    .command("apply")
    .description("Register plug-ins as code: make a solution match a registration file (assemblies, steps, images, endpoints); adds and updates, and with --prune removes what the file no longer lists")
    .argument("<solution>", "solution zip or unpacked folder")
    .argument("<registration.json>", "the registration file (see docs/registration.md and templates/registration.schema.json)")
    .option("--prune", "also remove the steps, images, endpoints and old assembly versions the file no longer lists (only within the assemblies and endpoints it manages)")
    .option("--dry-run", "print the plan (what would be added, changed, removed, and why) and write nothing")
    .option("--json", "print the plan and result as JSON")
    .option("--out <path>", "write the result here (a .zip, or a new folder) instead of editing the solution in place")
    .option("--assembly-dir <dir>", "resolve the file's DLL paths against this folder (then by file name alone), e.g. a CI build output")
    .option("--ref <dir>", "folder with referenced assemblies, to follow base classes (repeatable)", collect);
  limitOptions(apply);
  apply.addHelpText(
    "after",
    `
Examples:
  $ dvsol apply src/ContosoPlugins registration.json --dry-run
  $ dvsol apply src/ContosoPlugins registration.json --prune
  $ dvsol apply ContosoPlugins_1_0_0_0.zip registration.json --assembly-dir bin/Release/net462 --out ContosoPlugins_1_0_1_0.zip
`,
  );
  apply.action(async (solution: string, file: string, o: Record<string, unknown>) => {
    const { applyRegistration, formatApplyText, applyJson } = await import("../../registration/apply.js");
    const io = ctx.io();
    const r = await applyRegistration(solution, file, {
      dryRun: !!o.dryRun,
      ...(o.out !== undefined ? { out: String(o.out) } : {}),
      prune: !!o.prune,
      ...(o.assemblyDir !== undefined ? { assemblyDir: String(o.assemblyDir) } : {}),
      refDirs: (o.ref as string[] | undefined) ?? [],
      limits: limitsFrom(o),
    });
    io.out(o.json ? JSON.stringify(applyJson(r), null, 2) : formatApplyText(r));
  });
};
