/**
 * The docs a new user reads stay true: a page per command naming every option, every dvsol command line in
 * the docs uses commands and options that exist, the Plug-in Registration Tool page's commands run in order,
 * the CI pages show the ready-to-copy YAML as it is, and relative links lead somewhere.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, dvsol, tmp } from "../helpers.js";
import { codeBlocks, dvsolLines, leafCommands, lineProblems, shellWords } from "./helpers.js";

const leaves = leafCommands();
const DOCS = path.join(ROOT, "docs");
const read = (p: string) => readFileSync(path.join(ROOT, p), "utf8");

/** The page that documents a command. */
function pageOf(p: string[]): string {
  if (p[0] === "enable" || p[0] === "disable") return "enable-disable-step.md";
  if (p[0] === "remove") return "remove.md";
  return `${p.join("-")}.md`;
}

const OUR_DOCS = [
  "README.md",
  "samples/README.md",
  "docs/api.md",
  "docs/from-plugin-registration-tool.md",
  ...readdirSync(path.join(DOCS, "commands")).map((f) => `docs/commands/${f}`),
  ...readdirSync(path.join(DOCS, "ci")).map((f) => `docs/ci/${f}`),
];

test("a page per command: purpose, synopsis, every option, examples, exit codes; the index links them all", () => {
  const index = read("docs/commands/README.md");
  const problems: string[] = [];
  for (const { path: p, cmd } of leaves) {
    const page = pageOf(p);
    const file = path.join(DOCS, "commands", page);
    if (!existsSync(file)) {
      problems.push(`${p.join(" ")}: no docs/commands/${page}`);
      continue;
    }
    const text = readFileSync(file, "utf8");
    for (const h of ["## Synopsis", "## Options", "## Examples", "## Exit codes"]) if (!text.includes(h)) problems.push(`${page}: no "${h}"`);
    if (!text.includes(`dvsol ${p.join(" ")}`)) problems.push(`${page}: never shows "dvsol ${p.join(" ")}"`);
    for (const o of cmd.options) if (o.long && !text.includes(o.long)) problems.push(`${page}: does not mention ${o.long} of ${p.join(" ")}`);
    if (!index.includes(`](${page})`)) problems.push(`docs/commands/README.md: no link to ${page}`);
  }
  assert.deepEqual(problems, []);
});

test("every dvsol command line in the docs uses a command, options and arguments that exist", () => {
  const problems: string[] = [];
  let count = 0;
  for (const doc of OUR_DOCS) {
    const text = read(doc);
    const lines = doc.endsWith(".yml") ? dvsolLines(text) : codeBlocks(text).flatMap((b) => dvsolLines(b));
    // The mistakes docs/commands/README.md shows on purpose (the suggestions dvsol makes).
    for (const line of lines.filter((l) => !/ unpak | --formt /.test(l))) {
      count++;
      for (const p of lineProblems(line, leaves)) problems.push(`${doc}: ${p}`);
    }
  }
  assert.ok(count > 100, `${count} command lines checked`);
  assert.deepEqual(problems, []);
});

test("docs/from-plugin-registration-tool.md: its commands run in order and succeed", (t) => {
  const dir = tmp("dvsol-prt-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, "bin", "Release"), { recursive: true });
  symlinkSync(path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0"), path.join(dir, "bin", "Release", "net462"));
  assert.equal(dvsol(["init", "src/ContosoPlugins", "--name", "ContosoPlugins", "--publisher", "contoso", "--prefix", "contoso"], { cwd: dir }).code, 0);
  const md = read("docs/from-plugin-registration-tool.md");
  const blocks = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const lines = blocks.flatMap((b) => dvsolLines(b));
  assert.ok(lines.length >= 15, `${lines.length} commands`);
  for (const line of lines) {
    const r = dvsol(shellWords(line).slice(1), { cwd: dir });
    assert.equal(r.code, 0, `${line}\n${r.stdout}\n${r.stderr}`);
  }
});

test("the CI pages show their ready-to-copy YAML as it is, and it calls dvsol the documented way", () => {
  for (const name of ["github-actions", "azure-pipelines"]) {
    const yml = read(`docs/ci/${name}.yml`);
    const md = read(`docs/ci/${name}.md`);
    assert.ok(md.includes("```yaml\n" + yml.trimEnd() + "\n```"), `docs/ci/${name}.md embeds docs/ci/${name}.yml`);
    assert.ok(md.includes(`](${name}.yml)`), `docs/ci/${name}.md links the file`);
    const lines = dvsolLines(yml);
    for (const cmd of ["pack", "check", "impact"]) assert.ok(lines.some((l) => l.startsWith(`dvsol ${cmd} `)), `${name}: dvsol ${cmd}`);
    assert.ok(lines.some((l) => /--format sarif/.test(l)), `${name}: SARIF`);
    assert.ok(lines.some((l) => /impact .*--format markdown/.test(l)), `${name}: Markdown report`);
    assert.ok(lines.some((l) => /check .*--fail-on error/.test(l)) && lines.some((l) => /impact .*--fail-on blocked/.test(l)), `${name}: the gate`);
  }
  assert.match(read("docs/ci/github-actions.yml"), /uses: github\/codeql-action\/upload-sarif@v3/);
  assert.match(read("docs/ci/github-actions.yml"), /gh pr comment/);
});

test("relative links in the first-hour docs lead to files that exist", () => {
  const broken: string[] = [];
  for (const doc of OUR_DOCS.filter((d) => d.endsWith(".md"))) {
    const text = read(doc).replace(/```[\s\S]*?```/g, "");
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split("#")[0]!;
      if (!target || /^[a-z]+:/.test(target)) continue;
      if (!existsSync(path.resolve(ROOT, path.dirname(doc), target))) broken.push(`${doc}: ${m[1]}`);
    }
  }
  assert.deepEqual(broken, []);
});

test("dvsol --help and the README agree on the commands", () => {
  const help = spawnSync(process.execPath, [path.join(ROOT, "bin", "dvsol.js"), "--help"], { encoding: "utf8" }).stdout;
  const readme = read("README.md");
  for (const top of new Set(leaves.map((l) => l.path[0]!))) {
    assert.match(help, new RegExp(`^  ${top}\\b`, "m"), `--help lists ${top}`);
    assert.ok(readme.includes(`dvsol ${top}`) || readme.includes(`\`${top} `), `README mentions ${top}`);
  }
});
