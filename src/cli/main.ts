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
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (ioOverride?.out ? ioOverride.out(s) : process.stdout.write(s)),
      writeErr: (s) => (ioOverride?.err ? ioOverride.err(s) : process.stderr.write(s)),
    });

  for (const register of COMMANDS) register(program, ctx);

  try {
    await program.parseAsync(argv);
  } catch (e) {
    return handleError(e, getIO);
  }
  return exitCode;
}

async function handleError(e: unknown, getIO: () => CliIO): Promise<number> {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
    // commander already printed the message; give it our stable code on a line of its own.
    getIO().err(`error USAGE: ${e.message.replace(/^error: /, "")}`);
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
