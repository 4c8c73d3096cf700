/**
 * The CLI's own edges: a reader that closes the pipe early (`dvsol inspect x --json | head`) ends the run
 * quietly instead of an EPIPE stack trace; usage mistakes are `error USAGE` with exit 2.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, tmp } from "../helpers.js";
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
