/**
 * Interrupted edits (SIGKILL at several moments) of a zip and of a folder, and two edits of one folder at
 * once (LOCKED). Helpers and rationale: ./kill.ts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { dvsolAsync, writeZip, zipFiles } from "./gen.js";
import { bigSolution, content, delays, fileHash, killAfter, leftovers, same, scratch, timed } from "./kill.js";

describe("interrupted edits (SIGKILL), concurrent edits", { concurrency: 1 }, () => {
  test("an edit of a zip in place (version --bump): the zip before or the zip after, byte for byte", async (t) => {
    const dir = scratch(t);
    const zip = path.join(dir, "Big.zip");
    await writeZip(zip, zipFiles(bigSolution()));
    const original = fs.readFileSync(zip);
    const refZip = path.join(dir, "ref.zip");
    fs.writeFileSync(refZip, original);
    const d = await timed(["version", refZip, "--bump", "build"]);
    const want = fileHash(refZip);
    const was = fileHash(zip);
    for (const ms of delays(d)) {
      fs.writeFileSync(zip, original);
      await killAfter(["version", zip, "--bump", "build"], ms);
      const h = fileHash(zip);
      assert.ok(h === was || h === want, `kill at ${ms} ms left a partial zip`);
      // The next edit takes over the dead run's lock and removes its temp file.
      fs.writeFileSync(zip, original);
      const next = await dvsolAsync(["version", zip, "--bump", "build"]);
      assert.equal(next.code, 0, next.stderr);
      assert.equal(fileHash(zip), want);
      assert.deepEqual(leftovers(dir), [], `leftovers after the next run (kill at ${ms} ms)`);
    }
  });

  test("an edit of a folder that changes several files (add step): the folder before or after, never a mix", async (t) => {
    const dir = scratch(t);
    const zip = path.join(dir, "Big.zip");
    await writeZip(zip, zipFiles(bigSolution()));
    const base = path.join(dir, "base");
    await timed(["unpack", zip, base]);
    const args = (f: string) => ["add", "step", f, "--type", "Contoso.Plugins.AccountCreate", "--message", "Update", "--entity", "account", "--stage", "postoperation", "--filter", "name", "--image", "pre:Pre:name"];
    const ref = path.join(dir, "ref");
    fs.cpSync(base, ref, { recursive: true });
    const d = await timed(args(ref));
    const before = content(base);
    const after = content(ref);
    const changed = [...after.keys()].filter((k) => before.get(k) !== after.get(k));
    assert.ok(changed.length >= 2, `the edit should change several files: ${changed.join(", ")}`);
    for (const ms of delays(d)) {
      const f = path.join(dir, "f");
      fs.cpSync(base, f, { recursive: true });
      await killAfter(args(f), ms);
      const i = await dvsolAsync(["inspect", f, "--json"]);
      assert.equal(i.code, 0, i.stderr);
      const now = content(f);
      assert.ok(same(now, before) || same(now, after), `kill at ${ms} ms left a mixed folder: ${[...now.keys()].filter((k) => now.get(k) !== before.get(k)).join(", ")}`);
      if (same(now, before)) {
        const next = await dvsolAsync(args(f));
        assert.equal(next.code, 0, next.stderr);
      }
      assert.ok(same(content(f), after));
      // The next edit (under the lock) removes the killed run's temp files and its stale lock.
      const again = await dvsolAsync(["version", f, "--bump", "revision"]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(leftovers(f), [], `leftovers in the folder (kill at ${ms} ms)`);
      fs.rmSync(f, { recursive: true, force: true });
    }
  });

  test("two edits of one folder at once: one waits for nothing and says LOCKED, the folder stays valid", async (t) => {
    const dir = scratch(t);
    const zip = path.join(dir, "Big.zip");
    await writeZip(zip, zipFiles(bigSolution()));
    const f = path.join(dir, "f");
    await timed(["unpack", zip, f]);
    let locked = 0;
    for (let round = 0; round < 3; round++) {
      const step = (name: string) => ["add", "step", f, "--type", "Contoso.Plugins.ContactUpdate", "--message", "Update", "--entity", "contact", "--stage", "postoperation", "--mode", "async", "--name", name];
      const [a, b] = await Promise.all([dvsolAsync(step(`A${round}`)), dvsolAsync(step(`B${round}`))]);
      for (const r of [a, b]) {
        assert.ok(r.code === 0 || r.code === 2, r.stderr);
        if (r.code === 2) {
          assert.match(r.stderr, /^error LOCKED: .* is being edited by another dvsol process \(pid \d+\)/m);
          locked++;
        }
      }
      assert.ok(a.code === 0 || b.code === 0, "neither edit succeeded");
      const i = await dvsolAsync(["inspect", f, "--json"]);
      assert.equal(i.code, 0, i.stderr);
      const names = (JSON.parse(i.stdout).steps as { name: string }[]).map((s) => s.name);
      if (a.code === 0) assert.ok(names.includes(`A${round}`));
      if (b.code === 0) assert.ok(names.includes(`B${round}`));
    }
    assert.deepEqual(leftovers(f), []);
    t.diagnostic(`${locked} of 6 edits were refused with LOCKED`);
  });
});
