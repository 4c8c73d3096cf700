/**
 * writeFilesInto with its writer threads (used from 256 small files on): every file is written with its bytes,
 * progress counts each file once, and a write that fails on a writer thread fails the whole call.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFilesInto } from "../../src/io/output.js";
import type { OutFile } from "../../src/layout/engine.js";
import { tmp } from "../helpers.js";

function files(n: number): OutFile[] {
  return Array.from({ length: n }, (_, i) => ({ path: `d${i % 17}/f${i}.xml`, content: Buffer.from(`<x n="${i}">${"y".repeat(i % 300)}</x>`) }));
}

test("writer threads: 700 small files and a big one, each with its bytes, progress counted once per file", async (t) => {
  const dir = tmp("dvsol-writers-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const list = files(700);
  list.push({ path: "big/one.bin", content: Buffer.alloc(600 * 1024, 7) });
  const seen: number[] = [];
  await writeFilesInto(dir, list, { onProgress: (done, total) => { assert.equal(total, 701); seen.push(done); } });
  for (const f of list) assert.deepEqual(fs.readFileSync(path.join(dir, f.path)), f.content, f.path);
  assert.equal(seen[seen.length - 1], 701);
  assert.ok(seen.every((x, i) => i === 0 || x > seen[i - 1]!), "progress only grows");
});

test("writer threads: a file that already exists fails the call with EEXIST, and the call settles", async (t) => {
  const dir = tmp("dvsol-writers-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const list = files(500);
  fs.mkdirSync(path.join(dir, "d5"), { recursive: true });
  fs.writeFileSync(path.join(dir, list[345]!.path), "already here");
  await assert.rejects(writeFilesInto(dir, list), (e: NodeJS.ErrnoException) => e.code === "EEXIST" && /f345\.xml/.test(e.message));
  assert.equal(fs.readFileSync(path.join(dir, list[345]!.path), "utf8"), "already here", "the existing file is not overwritten");
});
