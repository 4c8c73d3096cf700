/**
 * The CLI: parse options, call one library function, print, choose the exit code.
 * Command modules register their options here and import their implementation lazily, so that
 * `dvsol --help` and `dvsol --version` load nothing heavy.
 */
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { createIO, type CliIO } from "./io.js";
import { COMMANDS } from "./commands/index.js";

export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 70 } as const;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** Global options every command understands. */
export interface GlobalOptions {
  quiet?: boolean;
  verbose?: boolean;
  config?: string;
}

export interface CommandContext {
  /** The IO for this invocation, built from the global options once they are parsed. */
  io(): CliIO;
  /** Set the process exit code (1 for findings that reach --fail-on). */
  setExit(code: number): void;
  globals(): GlobalOptions;
}

export async function main(argv: string[], ioOverride?: Partial<CliIO>): Promise<number> {
  let exitCode: number = EXIT.ok;
  let io: CliIO | undefined;
  const program = new Command();
  const getIO = (): CliIO => {
    if (!io) {
      const g = program.opts<GlobalOptions>();
      io = { ...createIO({ quiet: g.quiet, verbose: g.verbose }), ...ioOverride } as CliIO;
    }
    return io;
  };
  const ctx: CommandContext = {
    io: getIO,
    setExit: (c) => {
      exitCode = Math.max(exitCode, c);
    },
    globals: () => program.opts<GlobalOptions>(),
  };

  program
    .name("dvsol")
    .description("Lossless unpack/pack, plug-in registration, checks and upgrade impact reports for Dataverse solutions")
    .version(packageVersion(), "-V, --version", "print dvsol's version")
    .option("-q, --quiet", "print only results and errors")
    .option("-v, --verbose", "print more detail on stderr")
    .option("--config <file>", "rule and policy settings (default: dvsol.config.json in the current folder, if any)")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (ioOverride?.out ? ioOverride.out(s) : process.stdout.write(s)),
      writeErr: (s) => (ioOverride?.err ? ioOverride.err(s) : process.stderr.write(s)),
      // Usage mistakes are printed once, by handleError, as `error USAGE: ...` with a hint.
      outputError: () => {},
    });

  for (const register of COMMANDS) register(program, ctx);
  finishCommands(program);
  program.addHelpText(
    "after",
    [
      "",
      "A first release, from an empty folder to the upgrade report:",
      "  $ dvsol init src/ContosoPlugins --name ContosoPlugins --publisher contoso --prefix contoso",
      "  $ dvsol apply src/ContosoPlugins registration.json --dry-run",
      "  $ dvsol check src/ContosoPlugins",
      "  $ dvsol pack src/ContosoPlugins out/ContosoPlugins.zip",
      "  $ dvsol impact installed.zip out/ContosoPlugins.zip --format html --out impact.html",
      "",
      "Run `dvsol <command> --help` for its options and examples. In dvsol's folder, `npm run samples` runs a",
      "whole scenario on a sample plug-in; docs/commands/ has a page per command.",
      "",
    ].join("\n"),
  );

  // --verbose: say what runs and how long it took (stderr), for every command.
  let started = 0;
  program.hook("preAction", (_root, action) => {
    started = Date.now();
    getIO().verbose(`dvsol ${packageVersion()}: ${commandPath(action)} (node ${process.version})`);
  });
  program.hook("postAction", (_root, action) => {
    getIO().verbose(`${commandPath(action)}: done in ${Date.now() - started} ms, exit code ${exitCode}`);
  });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    return handleError(e, getIO, program, argv.slice(2));
  }
  return exitCode;
}

/** "add step" for the `dvsol add step` command. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Rules every command follows, whoever registered it: extra arguments are a mistake, not ignored; a group
 * (`dvsol add`) says where its subcommands' options and examples are.
 */
function finishCommands(cmd: Command): void {
  for (const sub of cmd.commands) {
    sub.allowExcessArguments(false);
    if (sub.commands.length) sub.addHelpText("after", `\nRun \`dvsol ${commandPath(sub)} <command> --help\` for its options and an example.\n`);
    finishCommands(sub);
  }
}

/** The command a command line names ("check", "add step"), as far as it names one, for the hint. */
function namedCommand(program: Command, args: string[]): Command {
  let cmd = program;
  for (const a of args) {
    if (a.startsWith("-")) continue;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

async function handleError(e: unknown, getIO: () => CliIO, program: Command, args: string[]): Promise<number> {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.ok;
    // An incomplete command line (`dvsol`, `dvsol add`): commander printed the help on stderr.
    if (e.code === "commander.help") return EXIT.usage;
    const [first = "", ...rest] = e.message.replace(/^error: /, "").split("\n");
    const suggestion = rest.map((l) => /^\(Did you mean (.+)\?\)$/.exec(l.trim())?.[1]).find(Boolean);
    const cmd = namedCommand(program, args);
    const name = ["dvsol", commandPath(cmd)].filter(Boolean).join(" ");
    const what = cmd === program || cmd.commands.length ? "the commands" : "its options and examples";
    const hint = `${suggestion ? `did you mean ${suggestion}? ` : ""}Run \`${name} --help\` for ${what}.`;
    getIO().err(`error USAGE: ${first}\n  hint: ${hint.charAt(0).toUpperCase()}${hint.slice(1)}`);
    return EXIT.usage;
  }
  const { isDvsolError, formatError } = await import("../errors.js");
  if (isDvsolError(e)) {
    getIO().err(formatError(e));
    return e.exitCode;
  }
  const err = e as Error;
  getIO().err(`internal error: ${err?.message ?? String(e)}\n${err?.stack ?? ""}\nThis is a bug in dvsol: please report it with the command line you ran.`);
  return EXIT.internal;
}
