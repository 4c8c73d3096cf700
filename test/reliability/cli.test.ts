/**
 * The CLI's own edges: a reader that closes the pipe early (`dvsol inspect x --json | head`) ends the run
 * quietly instead of an EPIPE stack trace; usage mistakes are `error USAGE` with exit 2; control characters
 * from a solution (terminal escape sequences) are shown escaped, never sent to the terminal.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, tmp } from "../helpers.js";
import { terminalSafe } from "../../src/cli/io.js";
import { assertNoCrash, dvsolAsync, gid, sampleSolution, writeSolutionZip } from "./gen.js";

test("a closed pipe on stdout (| head -c 1) ends dvsol without a stack trace", { skip: process.platform === "win32" && "needs sh" }, async (t) => {
  const dir = tmp("dvsol-rel-cli-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const s = sampleSolution();
  const base = s.steps[0]!;
  s.steps = Array.from({ length: 300 }, (_, i) => ({ ...base, id: gid(`step-${i}`), name: `AccountCreate: step ${i}` }));
  const zip = await writeSolutionZip(path.join(dir, "Many.zip"), s);
  for (const args of [`inspect ${zip} --json`, `check ${zip} --format json --fail-on never`, "--help"]) {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${path.join(ROOT, "bin", "dvsol.js")}" ${args} | head -c 1`], { encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.stderr, /EPIPE|Error:|\n\s+at /, `${args}: ${r.stderr}`);
  }
});

test("usage mistakes: error USAGE, exit 2, no stack trace", async () => {
  for (const args of [["frobnicate"], ["inspect"], ["unpack", "only-one-arg"], ["inspect", "x.zip", "--no-such-option"], ["version", "x.zip", "--bump", "mega"]]) {
    const r = await dvsolAsync(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^error (USAGE|USAGE_BAD_OPTION|INPUT_NOT_FOUND): /m, args.join(" "));
    assertNoCrash(r, args.join(" "));
  }
});

test("control characters from a solution never reach the terminal (escape-sequence injection), JSON stays exact", async (t) => {
  const dir = tmp("dvsol-rel-cli-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const s = sampleSolution();
  // A character reference and a raw control character: both end up in names dvsol prints.
  s.steps[0]!.name = "Evil\u001b]0;pwned\u0007\u001b[2J\u001b[8mhidden\r\u009b31mfake";
  s.steps[0]!.entity = "acc\u001b[1mount";
  s.version = "1.0.\u001b[2J0";
  const zip = await writeSolutionZip(path.join(dir, "Esc.zip"), s);
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
  for (const args of [["inspect", zip], ["check", zip, "--fail-on", "never"], ["version", zip, "--bump", "build"], ["impact", zip, zip], ["disable", "step", zip, "nope"]]) {
    const r = await dvsolAsync(args);
    assertNoCrash(r, args.join(" "));
    assert.doesNotMatch(r.stdout.replace(/\r\n/g, "\n"), raw, `${args.join(" ")}: a control character reached stdout`);
    assert.doesNotMatch(r.stderr.replace(/\r\n/g, "\n"), raw, `${args.join(" ")}: a control character reached stderr`);
  }
  const j = await dvsolAsync(["inspect", zip, "--json"]);
  assert.equal(j.code, 0, j.stderr);
  assert.doesNotMatch(j.stdout, raw);
  assert.equal(JSON.parse(j.stdout).steps.find((x: { name: string }) => x.name.startsWith("Evil")).name, s.steps[0]!.name, "the JSON value changed");
  // With colour on, dvsol's own colour codes pass and everything else is escaped.
  assert.equal(terminalSafe("\u001b[31merror\u001b[0m \u001b[8mx\u001b]0;t\u0007", true), "\u001b[31merror\u001b[0m \\u001b[8mx\\u001b]0;t\\u0007");
});
