/**
 * Progress lines on a terminal: shown after the delay, whole (a pseudo-terminal that reports 0 columns, as CI
 * runners and `script` do, once cut "unpacking 14274/14274" to "unpacking 14274/1427"), and never off a TTY.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createIO } from "../../src/cli/io.js";

function sink(isTTY: boolean, columns: number | undefined): Writable & { isTTY: boolean; columns?: number; text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += chunk.toString();
      cb();
    },
  }) as Writable & { isTTY: boolean; columns?: number; text: string };
  w.text = "";
  w.isTTY = isTTY;
  if (columns !== undefined) w.columns = columns;
  return w;
}

for (const columns of [0, undefined, 120]) {
  test(`progress on a TTY with ${columns} columns prints the whole line`, () => {
    const stderr = sink(true, columns);
    let t = 0;
    const io = createIO({ stderr, stdout: sink(true, columns), env: {}, now: () => (t += 2000), progressDelayMs: 1000 });
    io.progress("unpacking 14274/14274");
    assert.ok(stderr.text.endsWith("unpacking 14274/14274"), JSON.stringify(stderr.text));
  });
}

test("progress on a narrow terminal is cut to its width", () => {
  const stderr = sink(true, 25);
  let t = 0;
  const io = createIO({ stderr, stdout: sink(true, 25), env: {}, now: () => (t += 2000), progressDelayMs: 1000 });
  io.progress("packing 123456/123456 entries of a long name");
  assert.ok(stderr.text.endsWith("packing 123456/123456 en"), JSON.stringify(stderr.text));
});

test("no progress off a TTY, in CI, or with --quiet", () => {
  for (const [isTTY, env, quiet] of [[false, {}, false], [true, { CI: "true" }, false], [true, {}, true]] as const) {
    const stderr = sink(isTTY, 80);
    let t = 0;
    const io = createIO({ stderr, stdout: sink(isTTY, 80), env, quiet, now: () => (t += 2000), progressDelayMs: 1000 });
    io.progress("unpacking 1/2");
    assert.equal(stderr.text, "");
  }
});
