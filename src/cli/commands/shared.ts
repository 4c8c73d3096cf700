/** Options and output shared by several commands. */
import type { Command } from "commander";
import type { CliIO } from "../io.js";
import type { Finding } from "../../findings/types.js";
import { DvsolError } from "../../errors.js";

/** Safety limits for reading zips (issue: hostile input), raised only on purpose. */
export function limitOptions(cmd: Command): Command {
  return cmd
    .option("--max-size <bytes>", "largest total uncompressed size to accept (default 4 GiB)")
    .option("--max-entry-size <bytes>", "largest uncompressed entry to accept (default 1 GiB)")
    .option("--max-entries <n>", "most entries to accept (default 100000)")
    .option("--max-ratio <n>", "highest compression ratio to accept for entries over 1 MiB (default 200)");
}

function positive(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new DvsolError("USAGE_BAD_OPTION", `${name} takes a positive number, not ${JSON.stringify(v)}`);
  return n;
}

export function limitsFrom(o: Record<string, unknown>) {
  const l: Record<string, number> = {};
  const set = (k: string, v: number | undefined) => {
    if (v !== undefined) l[k] = v;
  };
  set("maxTotalSize", positive(o.maxSize, "--max-size"));
  set("maxEntrySize", positive(o.maxEntrySize, "--max-entry-size"));
  set("maxEntries", positive(o.maxEntries, "--max-entries"));
  set("maxRatio", positive(o.maxRatio, "--max-ratio"));
  return l;
}

/** Findings raised while reading (e.g. secrets present): warnings on stderr, whatever the command. */
export async function printReadFindings(io: CliIO, findings: Finding[], opts: { withFile?: boolean } = {}): Promise<void> {
  if (!findings.length) return;
  const { findingMessage } = await import("../../findings/catalog.js");
  for (const f of findings) {
    const file = opts.withFile && f.location?.file ? `${f.location.file}${f.location.entry ? "!" : ""}` : "";
    const where = f.location?.entry ? ` (${file}${f.location.entry}${f.location.line ? `:${f.location.line}` : ""})` : "";
    io.err(`${f.severity} ${f.code}: ${findingMessage(f)}${where}`);
  }
}
