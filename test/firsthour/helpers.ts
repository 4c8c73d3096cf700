/** Helpers of the first-hour tests: the command tree, and dvsol command lines found in help texts and docs. */
import { Command } from "commander";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { createIO } from "../../src/cli/io.js";

/** The command tree as registered (no action runs). */
export function commandTree(): Command {
  const program = new Command().name("dvsol").option("-q, --quiet").option("-v, --verbose").option("--config <file>");
  const ctx = { io: () => createIO(), setExit: () => {}, globals: () => ({}) };
  for (const register of COMMANDS) register(program, ctx as never);
  return program;
}

/** Every runnable command ("add step") with its Command. */
export function leafCommands(cmd: Command = commandTree(), prefix: string[] = []): { path: string[]; cmd: Command }[] {
  const out: { path: string[]; cmd: Command }[] = [];
  for (const sub of cmd.commands) {
    const p = [...prefix, sub.name()];
    if (sub.commands.length) out.push(...leafCommands(sub, p));
    else out.push({ path: p, cmd: sub });
  }
  return out;
}

/** Splits a command line as a shell would (quotes; a # outside quotes starts a comment). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let quote: string | null = null;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      any = true;
    } else if (c === "#" && !any && cur === "") break;
    else if (/\s/.test(c)) {
      if (cur || any) words.push(cur);
      cur = "";
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (cur || any) words.push(cur);
  return words;
}

/**
 * dvsol command lines in a text (help output, a script, YAML): lines that start (after "$ ", "run: ",
 * "- run: " or "- script: ") with `dvsol `; when some lines of the text start with "$ ", only those (the
 * others are output). Backslash continuations are joined; a redirection, pipe, `||` or `&&` ends the command.
 */
export function dvsolLines(text: string): string[] {
  const lines = text.split("\n");
  const prompted = lines.some((l) => /^\s*\$ dvsol /.test(l));
  const re = prompted ? /^\s*\$ (dvsol .*)$/ : /^\s*(?:-?\s*run: |- script: )?(dvsol .*)$/;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]!);
    if (!m) continue;
    let cmd = m[1]!;
    while (cmd.endsWith("\\") && i + 1 < lines.length) cmd = cmd.slice(0, -1) + " " + lines[++i]!.trim();
    out.push(cmd.replace(/\s+(?:>>?|<|\||\|\||&&|2>&?1?)(?=\s|$).*$/, "").trim());
  }
  return out;
}

/** The fenced code blocks of a Markdown text. */
export function codeBlocks(md: string): string[] {
  return [...md.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

/** Problems of one dvsol command line against the tree: unknown command, unknown option, missing arguments. */
export function lineProblems(line: string, leaves: { path: string[]; cmd: Command }[]): string[] {
  // A synopsis' optional parts ([--map map.xml], [options]) are not checked.
  const words = shellWords(line.replace(/\s\[[^\]]*\]/g, "")).slice(1);
  const leaf = leaves
    .filter((l) => l.path.every((p, i) => words[i] === p))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!leaf) return words[0] === "--help" || words[0] === "--version" ? [] : [`unknown command: ${line}`];
  const rest = words.slice(leaf.path.length);
  const globals = new Set(["--quiet", "-q", "--verbose", "-v", "--config", "--help", "-h"]);
  const problems: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i]!;
    if (!w.startsWith("-") || w === "-") {
      positional.push(w);
      continue;
    }
    const flag = w.split("=")[0]!;
    const opt = leaf.cmd.options.find((o) => o.long === flag || o.short === flag);
    if (!opt && !globals.has(flag)) problems.push(`${leaf.path.join(" ")}: unknown option ${flag} in: ${line}`);
    if (((opt && (opt.required || opt.optional)) || flag === "--config") && !w.includes("=")) i++;
  }
  const required = leaf.cmd.registeredArguments.filter((a) => a.required).length;
  const variadic = leaf.cmd.registeredArguments.some((a) => a.variadic);
  if (!rest.includes("--help") && positional.length < required) problems.push(`${leaf.path.join(" ")}: ${positional.length} argument(s), needs ${required}: ${line}`);
  if (!variadic && positional.length > leaf.cmd.registeredArguments.length) problems.push(`${leaf.path.join(" ")}: too many arguments: ${line}`);
  return problems;
}
