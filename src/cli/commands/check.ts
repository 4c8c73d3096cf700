/** check: the platform's registration rules as findings, for people (text) and CI (JSON, SARIF, Markdown). */
import { Option } from "commander";
import type { RegisterCommand } from "./index.js";
import { limitOptions, limitsFrom } from "./shared.js";

export const registerCheck: RegisterCommand = (program, ctx) => {
  const cmd = program
    .command("check")
    .description("Check a solution's plug-in registrations against the platform's rules (stages, images, filters, references, assembly identity)")
    .argument("<solution>", "a solution zip or an unpacked folder")
    .addOption(new Option("--format <format>", "report format").choices(["text", "json", "sarif", "markdown"]).default("text"))
    .addOption(new Option("--json", "same as --format json (as the other commands say it)").conflicts("format"))
    .option("--out <file>", "write the report to this file (atomically) instead of stdout")
    .addOption(new Option("--fail-on <level>", "exit 1 when a finding reaches this severity").choices(["error", "warning", "info", "never"]).default("error"));
  limitOptions(cmd);
  cmd.addHelpText(
    "after",
    [
      "",
      "Examples:",
      "  $ dvsol check ContosoPlugins_1_0_0_0.zip",
      "  $ dvsol check src/ContosoPlugins --format sarif --out dvsol.sarif --fail-on warning",
      "",
      "Rules can be turned off or re-graded per rule and per component in dvsol.config.json (or --config <file>):",
      '  { "rules": { "STEP_UPDATE_NO_FILTER": "off", "STEP_IMPERSONATION": { "severity": "off", "components": ["<step id or name>"] } } }',
      "Each finding code is documented in docs/findings/<CODE>.md.",
      "",
      "Exit codes: 0 no finding at --fail-on, 1 findings at --fail-on, 2 unusable input.",
      "",
    ].join("\n"),
  );
  cmd.action(async (location: string, o: { format: "text" | "json" | "sarif" | "markdown"; out?: string; failOn: "error" | "warning" | "info" | "never" } & Record<string, unknown>) => {
    if (o.json) o.format = "json";
    const io = ctx.io();
    const { loadConfig, validateRuleCodes, knownFindingCodes } = await import("../../config.js");
    const config = await loadConfig(process.cwd(), ctx.globals().config);
    if (Object.keys(config.rules).length) validateRuleCodes(config, await knownFindingCodes());
    if (config.path) io.verbose(`using ${config.path}`);

    const { loadSolution } = await import("../../model/read.js");
    const { checkSolution, reachesFailOn } = await import("../../check/index.js");
    const sol = await loadSolution(location, { limits: limitsFrom(o) });
    let result;
    try {
      result = await checkSolution(sol, { config });
    } finally {
      await sol.source.close();
    }

    const { REPORTERS, summaryLine } = await import("../../report/index.js");
    const pkg = await packageInfo();
    const text = REPORTERS[o.format](result, { color: io.color && !o.out && o.format === "text", toolVersion: pkg.version, baseDir: process.cwd(), docsBase: pkg.docsBase });
    if (o.out) {
      const { writeFileAtomic } = await import("../../io/atomic.js");
      try {
        await writeFileAtomic(o.out, text.endsWith("\n") ? text : text + "\n");
      } catch (e) {
        const { DvsolError } = await import("../../errors.js");
        throw new DvsolError("OUTPUT_UNWRITABLE", `cannot write ${o.out}: ${(e as Error).message}`, { file: o.out });
      }
      io.info(`${result.solution.uniqueName} ${result.solution.version}: ${result.findings.length ? summaryLine(result) : "no findings"}; ${o.format} report written to ${o.out}`);
    } else {
      io.out(text);
    }
    if (reachesFailOn(result.summary, o.failOn)) ctx.setExit(1);
  });
};

/** dvsol's version, and where its docs/findings pages are published (package.json homepage or repository). */
async function packageInfo(): Promise<{ version: string; docsBase?: string }> {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(await readFile(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
    homepage?: string;
    repository?: string | { url?: string };
  };
  const repo = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
  const github = repo ? /github\.com[/:]([^/]+\/[^/.]+)/.exec(repo) : null;
  const docsBase = github ? `https://github.com/${github[1]}/blob/main/docs/findings/` : pkg.homepage ? `${pkg.homepage.replace(/\/+$/, "")}/docs/findings/` : undefined;
  return { version: pkg.version, docsBase };
}
