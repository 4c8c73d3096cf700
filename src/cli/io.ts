/**
 * What a command may do with the terminal: results on stdout, diagnostics on stderr,
 * colour only on a TTY and never with NO_COLOR, progress only on a TTY, never with --quiet, and only
 * once a run has taken a second.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Diagnostic that --quiet hides. */
  info(text: string): void;
  /** Diagnostic that only --verbose shows. */
  verbose(text: string): void;
  /** Progress on a TTY after the first second, replaced in place; silent otherwise. */
  progress(text: string): void;
  readonly color: boolean;
  readonly quiet: boolean;
  readonly isVerbose: boolean;
}

export interface CliIOOptions {
  quiet?: boolean;
  verbose?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  /** Progress appears only once a run has taken this long (default 1000 ms): quick runs print nothing. */
  progressDelayMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** The colour sequences dvsol's own reports use (SGR: reset, bold, dim, normal, foreground colours). */
const OWN_SGR = /^\x1b\[(?:0|1|2|22|3[0-9]|9[0-7])m/;

/**
 * Text for a terminal or a CI log: control characters that come from a solution (a step named
 * "x\x1b]0;...\x07" or "\x1b[2J", a stray "\r") would rewrite the screen, hide lines or fake output. Every
 * C0/C1 control except tab, line feed and CR-LF becomes a visible \uXXXX escape, which also keeps JSON
 * output valid and equal in value; dvsol's own colour codes pass when colour is on.
 */
export function terminalSafe(text: string, allowColor: boolean): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c, at: number) => {
    if (c === "\r" && text[at + 1] === "\n") return c;
    if (c === "\x1b" && allowColor && OWN_SGR.test(text.slice(at, at + 6))) return c;
    return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
  });
}

export function createIO(opts: CliIOOptions = {}): CliIO {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const env = opts.env ?? process.env;
  const quiet = !!opts.quiet;
  const isVerbose = !!opts.verbose && !quiet;
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  const color = !noColor && !!stdout.isTTY && env.TERM !== "dumb" && !env.CI;
  const progressOn = !quiet && !!stderr.isTTY && !env.CI;
  const now = opts.now ?? Date.now;
  const delay = opts.progressDelayMs ?? 1000;
  const started = now();
  let lastProgress = 0;
  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) {
      stderr.write("\r\x1b[2K");
      progressShown = false;
    }
  };
  const line = (t: string) => terminalSafe(t.endsWith("\n") ? t : t + "\n", color);
  return {
    out: (t) => {
      clearProgress();
      stdout.write(line(t));
    },
    err: (t) => {
      clearProgress();
      stderr.write(line(t));
    },
    info: (t) => {
      if (quiet) return;
      clearProgress();
      stderr.write(line(t));
    },
    verbose: (t) => {
      if (!isVerbose) return;
      clearProgress();
      stderr.write(line(t));
    },
    progress: (t) => {
      if (!progressOn) return;
      // Nothing for the first second, then at most ten updates a second.
      const at = now();
      if (at - started < delay || (progressShown && at - lastProgress < 100)) return;
      lastProgress = at;
      // A pseudo-terminal without a size (CI runners, `script`) reports 0 columns: use 80 then, never cut to nothing.
      const reported = (stderr as { columns?: number }).columns;
      const columns = reported && reported >= 20 ? reported : 80;
      stderr.write("\r\x1b[2K" + terminalSafe(t.slice(0, columns - 1), false));
      progressShown = true;
    },
    color,
    quiet,
    isVerbose,
  };
}
