/** impact: what importing a new build over an installed solution will do, before anyone imports it. */
import { Option } from "commander";
import type { RegisterCommand } from "./index.js";
import { limitOptions, limitsFrom, printReadFindings } from "./shared.js";

const FAIL_ON = ["blocked", "attention", "never"] as const;
const RANK = { safe: 0, attention: 1, blocked: 2 } as const;

export const registerImpact: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("impact")
    .description("Report what importing <incoming> over the installed <installed> will do: verdict, assemblies, steps to re-point, deletions, secrets and dependencies")
    .argument("<installed>", "the solution as installed in the target (zip or unpacked folder)")
    .argument("<incoming>", "the solution you are about to import (zip or unpacked folder)")
    .addOption(new Option("--mode <mode>", "import mode for a managed solution").choices(["upgrade", "update", "stage"]).default("upgrade"))
    .addOption(new Option("--format <format>", "report format").choices(["text", "markdown", "json", "html"]).default("text"))
    .addOption(new Option("--json", "same as --format json (as the other commands say it)").conflicts("format"))
    .option("--out <file>", "write the report to this file (atomically) instead of stdout")
    .addOption(new Option("--fail-on <verdict>", "exit 1 when the verdict reaches this level").choices([...FAIL_ON]).default("blocked"))
    .option("--no-check", "do not run `dvsol check` on the two solutions")
    .option("--timestamp", "add the time the report was made (reports are reproducible without it)");
  limitOptions(cmd);
  cmd.addHelpText(
    "after",
    [
      "",
      "Verdicts: blocked (the import will fail), attention (it succeeds, but someone must act), safe.",
      "Exit codes: 0 below --fail-on, 1 at or above it, 2 unusable input.",
      "",
      "Examples:",
      "  $ dvsol impact ContosoPlugins_1_0_0_0_managed.zip ContosoPlugins_1_1_0_0_managed.zip",
      "  $ dvsol impact installed.zip out/ContosoPlugins_managed.zip --format markdown --fail-on attention > impact.md",
      "  $ dvsol impact installed.zip new.zip --mode update --format html --out impact.html",
      "",
    ].join("\n"),
  );
  cmd.action(async (installed: string, incoming: string, o) => {
    if (o.json) o.format = "json";
    const { impact, formatImpact } = await import("../../impact/index.js");
    const { loadConfig, validateRuleCodes, knownFindingCodes } = await import("../../config.js");
    const io = ctx.io();
    const config = await loadConfig(process.cwd(), ctx.globals().config);
    if (Object.keys(config.rules).length) validateRuleCodes(config, await knownFindingCodes());
    const read: import("../../findings/types.js").Finding[] = [];
    const report = await impact(installed, incoming, {
      onLoaded: (a, b) => read.push(...a.readFindings, ...b.readFindings),
      mode: o.mode,
      config,
      check: o.check !== false,
      limits: limitsFrom(o),
      ...(o.timestamp ? { timestamp: new Date() } : {}),
    });
    // Findings raised while reading either solution (a secret in an endpoint): on stderr, as every command gives them.
    await printReadFindings(io, read, { withFile: true });
    const text = formatImpact(report, o.format, { color: io.color && !o.out && o.format === "text" });
    if (o.out) {
      const { writeFileAtomic } = await import("../../io/atomic.js");
      const { DvsolError } = await import("../../errors.js");
      try {
        await writeFileAtomic(o.out, text);
      } catch (e) {
        throw new DvsolError("OUTPUT_UNWRITABLE", `cannot write ${o.out}: ${(e as Error).message}`, { file: o.out });
      }
      // As check --out: stdout stays empty (it carries results only), the summary and the path go to stderr.
      io.info(`impact: ${report.verdict} (${report.summary.reasons.error} blocking, ${report.summary.reasons.warning} attention); ${o.format} report written to ${o.out}`);
    } else {
      io.out(text.endsWith("\n") ? text.slice(0, -1) : text);
    }
    const failOn = o.failOn as (typeof FAIL_ON)[number];
    if (failOn !== "never" && RANK[report.verdict] >= RANK[failOn]) ctx.setExit(1);
  });
};
