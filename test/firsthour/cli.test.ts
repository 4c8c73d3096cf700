/**
 * The CLI a person meets in the first minutes: help for every command with a purpose, every option
 * described and a real example (whose options exist), suggestions for typos, usage mistakes as
 * `error USAGE` with exit 2, global --quiet/--verbose, progress and colour only on a terminal.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { createIO } from "../../src/cli/io.js";
import { ROOT, dvsol, tmp } from "../helpers.js";
import { commandTree, dvsolLines, leafCommands, lineProblems } from "./helpers.js";

const program = commandTree();
const all = leafCommands(program);

describe("help", () => {
  test("dvsol --help lists every command with its purpose, on stdout, exit 0", () => {
    const r = dvsol(["--help"]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
    for (const c of program.commands) {
      assert.match(r.stdout, new RegExp(`^  ${c.name()}\\b`, "m"), c.name());
      assert.ok(c.description().length > 10, `${c.name()} has a one-line purpose`);
    }
    for (const g of ["--quiet", "--verbose", "--version", "--config"]) assert.ok(r.stdout.includes(g), g);
    const examples = dvsolLines(r.stdout);
    assert.ok(examples.length >= 4, "a first release, as examples");
    assert.deepEqual(examples.flatMap((l) => lineProblems(l, all)), []);
  });

  test("every command: a purpose, every option and argument described, and real examples whose options exist", () => {
    assert.ok(all.length >= 15, `commands found: ${all.map((l) => l.path.join(" ")).join(", ")}`);
    const problems: string[] = [];
    for (const { path: p, cmd } of all) {
      const name = p.join(" ");
      const r = dvsol([...p, "--help"]);
      if (r.code !== 0) problems.push(`${name} --help: exit ${r.code}`);
      if (cmd.description().length < 10) problems.push(`${name}: no purpose`);
      for (const o of cmd.options) if (!o.description) problems.push(`${name}: ${o.flags} has no description`);
      for (const a of cmd.registeredArguments) if (!a.description) problems.push(`${name}: <${a.name()}> has no description`);
      const own = dvsolLines(r.stdout).filter((l) => l.startsWith(`dvsol ${name} `));
      if (!own.length) problems.push(`${name}: no example of itself in --help`);
      for (const l of dvsolLines(r.stdout)) problems.push(...lineProblems(l, all));
    }
    assert.deepEqual(problems, []);
  });

  test("a group without its subcommand (dvsol add) and dvsol alone print help on stderr and exit 2", () => {
    for (const args of [[], ["add"], ["remove"]]) {
      const r = dvsol(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^Usage: dvsol/m);
      if (args.length) assert.match(r.stderr, new RegExp(`Run \`dvsol ${args[0]} <command> --help\` for its options and an example`));
    }
  });

  test("dvsol --version prints the package version", () => {
    const r = dvsol(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
  });
});

describe("mistakes", () => {
  test("a mistyped command suggests the right one: error USAGE, exit 2, one message", () => {
    const r = dvsol(["unpak", "a.zip", "out"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^error USAGE: unknown command 'unpak'\n {2}hint: Did you mean unpack\? Run `dvsol --help` for the commands\.\n$/);
  });
  test("a mistyped option suggests the right one and names the command's help", () => {
    const r = dvsol(["check", "--formt", "json", "x.zip"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error USAGE: unknown option '--formt'\n {2}hint: Did you mean --format\? Run `dvsol check --help`/);
    const sub = dvsol(["add", "step", "x", "--mesage", "Create"]);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /Did you mean --message\? Run `dvsol add step --help`/);
    const group = dvsol(["add", "stpe", "x"]);
    assert.equal(group.code, 2);
    assert.match(group.stderr, /unknown command 'stpe'\n {2}hint: Did you mean step\?/);
  });
  test("missing and extra arguments are usage errors, not ignored", () => {
    const missing = dvsol(["inspect"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error USAGE: missing required argument 'solution'/);
    const extra = dvsol(["inspect", "a.zip", "b.zip"]);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /^error USAGE: too many arguments for 'inspect'/);
  });
  test("a bad choice names the allowed values", () => {
    const r = dvsol(["check", "x.zip", "--format", "xml"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error USAGE: option '--format <format>' argument 'xml' is invalid\. Allowed choices are text, json, sarif, markdown\./);
  });
});

describe("global options on every command", () => {
  let dir = "";
  let sol = "";
  before(() => {
    dir = tmp("dvsol-firsthour-cli-");
    sol = path.join(dir, "Minimal");
    cpSync(path.join(ROOT, "test", "fixtures", "edit", "Minimal"), sol, { recursive: true });
    const r = dvsol(["add", "assembly", sol, path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll")]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("--verbose says what ran and how long it took, on stderr only; stdout is unchanged", () => {
    for (const args of [["inspect", sol], ["check", sol], ["assembly", path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll")], ["version", sol, "--bump", "build", "--dry-run"]]) {
      const plain = dvsol(args);
      const verbose = dvsol(["--verbose", ...args]);
      const after = dvsol([...args, "-v"]);
      assert.equal(verbose.code, plain.code, args.join(" "));
      assert.equal(verbose.stdout, plain.stdout, args.join(" "));
      assert.equal(after.stdout, plain.stdout, args.join(" "));
      assert.match(verbose.stderr, new RegExp(`^dvsol \\d+\\.\\d+\\.\\d+: ${args[0]}`, "m"));
      assert.match(verbose.stderr, /done in \d+ ms, exit code \d/);
      assert.match(after.stderr, /done in \d+ ms/, "--verbose after the command works too");
      assert.doesNotMatch(plain.stderr, /done in/);
    }
  });

  test("--quiet keeps results and errors, drops the chatter", () => {
    const out = path.join(dir, "report.json");
    const loud = dvsol(["check", sol, "--format", "json", "--out", out]);
    assert.match(loud.stderr, /json report written to/);
    const quiet = dvsol(["check", sol, "--format", "json", "--out", out, "--quiet"]);
    assert.equal(quiet.code, loud.code);
    assert.equal(quiet.stderr, "");
    const inspect = dvsol(["-q", "inspect", sol]);
    assert.equal(inspect.code, 0);
    assert.match(inspect.stdout, /Contoso\.Plugins 1\.0\.0\.0/);
    const err = dvsol(["-q", "inspect", path.join(dir, "nope")]);
    assert.equal(err.code, 2);
    assert.match(err.stderr, /^error INPUT_NOT_FOUND/, "--quiet never hides errors");
    const both = dvsol(["--quiet", "--verbose", "inspect", sol]);
    assert.doesNotMatch(both.stderr, /done in/, "--quiet wins over --verbose");
  });

  test("--json gives JSON on stdout for the commands a machine reads", () => {
    const zip = path.join(dir, "Minimal.zip");
    const cases: string[][] = [
      ["inspect", sol, "--json"],
      ["assembly", path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll"), "--json"],
      ["version", sol, "--bump", "build", "--dry-run", "--json"],
      ["check", sol, "--json"],
      ["pack", sol, zip, "--json"],
      ["unpack", zip, path.join(dir, "unpacked"), "--json"],
      ["impact", zip, zip, "--json"],
    ];
    for (const args of cases) {
      const r = dvsol(args);
      assert.ok(r.code === 0 || r.code === 1, `${args.join(" ")}: ${r.stderr}`);
      assert.doesNotThrow(() => JSON.parse(r.stdout), args.join(" "));
    }
  });
});

describe("terminal", () => {
  const fakeStream = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, stream: { isTTY, columns: 40, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean } };
  };

  test("progress: nothing for the first second, then one line replaced in place, cleared by the result", () => {
    let clock = 0;
    const err = fakeStream(true);
    const out = fakeStream(true);
    const io = createIO({ stdout: out.stream, stderr: err.stream, env: {}, now: () => clock });
    io.progress("unpacking 1/100");
    clock = 900;
    io.progress("unpacking 50/100");
    assert.deepEqual(err.chunks, [], "a quick run prints no progress");
    clock = 1000;
    io.progress("unpacking 60/100");
    clock = 1050;
    io.progress("unpacking 61/100 (throttled)");
    clock = 1200;
    io.progress("unpacking 70/100 and a long line that does not fit in forty columns");
    assert.deepEqual(err.chunks, ["\r\x1b[2Kunpacking 60/100", "\r\x1b[2Kunpacking 70/100 and a long line that d"]);
    io.out("unpacked");
    assert.equal(err.chunks.at(-1), "\r\x1b[2K", "the progress line is cleared before the result");
    assert.deepEqual(out.chunks, ["unpacked\n"]);
  });

  test("progress is silent when stderr is not a terminal, with --quiet, and in CI", () => {
    for (const [tty, quiet, env] of [[false, false, {}], [true, true, {}], [true, false, { CI: "true" }]] as const) {
      const err = fakeStream(tty);
      const io = createIO({ stdout: fakeStream(tty).stream, stderr: err.stream, env, quiet, now: () => 5000 });
      io.progress("packing 1/2");
      assert.deepEqual(err.chunks, [], JSON.stringify({ tty, quiet, env }));
    }
  });

  test("colour only on a terminal, never with NO_COLOR or TERM=dumb", () => {
    assert.equal(createIO({ stdout: fakeStream(true).stream, env: {} }).color, true);
    assert.equal(createIO({ stdout: fakeStream(false).stream, env: {} }).color, false);
    assert.equal(createIO({ stdout: fakeStream(true).stream, env: { NO_COLOR: "1" } }).color, false);
    assert.equal(createIO({ stdout: fakeStream(true).stream, env: { TERM: "dumb" } }).color, false);
  });

  const hasScript = spawnSync("sh", ["-c", "command -v script"]).status === 0 && process.platform === "linux";
  test("on a real terminal: colour in check's text, none with NO_COLOR; a quick unpack shows no progress", { skip: hasScript ? false : "script(1) not available: skipped" }, (t) => {
    const dir = tmp("dvsol-firsthour-tty-");
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const sol = path.join(dir, "S");
    cpSync(path.join(ROOT, "test", "fixtures", "edit", "Minimal"), sol, { recursive: true });
    // A step with a finding (an Update step without filtering attributes), so check prints something coloured.
    assert.equal(dvsol(["add", "step", sol, "--type", "AccountPostUpdate", "--assembly", path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll"), "--message", "Update", "--entity", "account", "--stage", "postoperation"]).code, 0);
    const bin = path.join(ROOT, "bin", "dvsol.js");
    const inTty = (cmd: string, env: NodeJS.ProcessEnv) =>
      spawnSync("script", ["-qec", cmd, "/dev/null"], { encoding: "utf8", env: { ...process.env, CI: "", NO_COLOR: "", TERM: "xterm", ...env } });
    const coloured = inTty(`"${process.execPath}" "${bin}" check "${sol}" --fail-on never`, {});
    assert.match(coloured.stdout, /\x1b\[\d+m/, coloured.stdout);
    const plain = inTty(`"${process.execPath}" "${bin}" check "${sol}" --fail-on never`, { NO_COLOR: "1" });
    assert.doesNotMatch(plain.stdout, /\x1b\[\d+m/, plain.stdout);
    mkdirSync(path.join(dir, "z"));
    const zip = path.join(dir, "z", "S.zip");
    assert.equal(dvsol(["pack", sol, zip]).code, 0);
    const unpack = inTty(`"${process.execPath}" "${bin}" unpack "${zip}" "${path.join(dir, "u")}"`, {});
    assert.equal(unpack.status, 0, unpack.stdout);
    assert.doesNotMatch(unpack.stdout, /unpacking \d+\/\d+/, "a run under a second prints no progress");
    assert.match(unpack.stdout, /unpacked .* \(\d+ files\)/);
  });
});
