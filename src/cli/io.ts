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
  return {
    out: (t) => {
      clearProgress();
      stdout.write(t.endsWith("\n") ? t : t + "\n");
    },
    err: (t) => {
      clearProgress();
      stderr.write(t.endsWith("\n") ? t : t + "\n");
    },
    info: (t) => {
      if (quiet) return;
      clearProgress();
      stderr.write(t.endsWith("\n") ? t : t + "\n");
    },
    verbose: (t) => {
      if (!isVerbose) return;
      clearProgress();
      stderr.write(t.endsWith("\n") ? t : t + "\n");
    },
    progress: (t) => {
      if (!progressOn) return;
      // Nothing for the first second, then at most ten updates a second.
      const at = now();
      if (at - started < delay || (progressShown && at - lastProgress < 100)) return;
      lastProgress = at;
      const columns = (stderr as { columns?: number }).columns ?? 80;
      stderr.write("\r\x1b[2K" + t.slice(0, columns - 1));
      progressShown = true;
    },
    color,
    quiet,
    isVerbose,
  };
}
