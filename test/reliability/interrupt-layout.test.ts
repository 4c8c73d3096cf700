/**
 * Interrupted unpack and pack (SIGKILL at several moments): the target is as it was or complete, never
 * partial; the next run removes the leftovers. Helpers and rationale: ./kill.ts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { dvsolAsync, writeZip, zipFiles, type GenSolution } from "./gen.js";
import { bigSolution, content, delays, fileHash, killAfter, KILLS, leftovers, same, scratch, timed } from "./kill.js";

describe("interrupted unpack and pack (SIGKILL)", { concurrency: 1 }, () => {
  test("unpack into a new folder: absent or complete after each kill; the next run cleans up and finishes", async (t) => {
    const dir = scratch(t);
    const zip = path.join(dir, "Big.zip");
    await writeZip(zip, zipFiles(bigSolution()));
    const ref = path.join(dir, "ref");
    const d = await timed(["unpack", zip, ref]);
    const want = content(ref);
    let killed = 0;
    for (const ms of delays(d)) {
      const out = path.join(dir, "out");
      const r = await killAfter(["unpack", zip, out], ms);
      if (r.killed) killed++;
      if (fs.existsSync(out)) assert.ok(same(content(out), want), `kill at ${ms} ms left a partial folder`);
      const next = await dvsolAsync(["unpack", zip, out]);
      assert.equal(next.code, 0, next.stderr);
      assert.ok(same(content(out), want), "the next run did not finish the folder");
      assert.deepEqual(leftovers(dir).filter((n) => !n.startsWith("ref")), [], `leftovers after the next run (kill at ${ms} ms)`);
      fs.rmSync(out, { recursive: true, force: true });
    }
    t.diagnostic(`${killed}/${KILLS} runs killed (run takes ${Math.round(d)} ms)`);
  });

  test("unpack --clobber over another version: the old folder or the new one, never a mix; .dvsol-old is restored", async (t) => {
    const dir = scratch(t);
    const v1 = path.join(dir, "v1.zip");
    const v2 = path.join(dir, "v2.zip");
    await writeZip(v1, zipFiles(bigSolution("1.0.0.0", 200)));
    await writeZip(v2, zipFiles(bigSolution("2.0.0.0", 300)));
    const ref1 = path.join(dir, "ref1");
    const ref2 = path.join(dir, "ref2");
    await timed(["unpack", v1, ref1]);
    const d = await timed(["unpack", v2, ref2]);
    const old = content(ref1);
    const fresh = content(ref2);
    for (const ms of delays(d)) {
      const out = path.join(dir, "out");
      fs.cpSync(ref1, out, { recursive: true });
      await killAfter(["unpack", v2, out, "--clobber"], ms);
      if (fs.existsSync(out)) {
        const now = content(out);
        assert.ok(same(now, old) || same(now, fresh), `kill at ${ms} ms left a mixed folder`);
      } else {
        // Killed between the two renames: the old folder waits as .dvsol-old-*, and the next run puts it back.
        assert.ok(fs.readdirSync(dir).some((n) => n.startsWith(".dvsol-old-out-")), "the folder is gone and no old copy is left");
      }
      const next = await dvsolAsync(["unpack", v2, out, "--clobber"]);
      assert.equal(next.code, 0, next.stderr);
      assert.ok(same(content(out), fresh));
      assert.deepEqual(leftovers(dir).filter((n) => !/^ref/.test(n)), []);
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test("unpack over an earlier unpack (update in place): every file old or every file new", async (t) => {
    const dir = scratch(t);
    const v1 = path.join(dir, "v1.zip");
    const v2 = path.join(dir, "v2.zip");
    const s1 = bigSolution("1.0.0.0", 250);
    // v2: the same web resources, every one changed, and a new DLL: many files change in one run.
    const s2: GenSolution = { ...s1, version: "1.0.1.0", assemblies: [{ ...s1.assemblies[0]!, dll: randomBytes(4 * 1024 * 1024) }], extraFiles: s1.extraFiles!.map(([n]) => [n, randomBytes(1500)]) };
    await writeZip(v1, zipFiles(s1));
    await writeZip(v2, zipFiles(s2));
    const ref1 = path.join(dir, "ref1");
    await timed(["unpack", v1, ref1]);
    const ref2 = path.join(dir, "ref2");
    fs.cpSync(ref1, ref2, { recursive: true });
    const d = await timed(["unpack", v2, ref2]);
    const old = content(ref1);
    const fresh = content(ref2);
    for (const ms of delays(d)) {
      const out = path.join(dir, "out");
      fs.cpSync(ref1, out, { recursive: true });
      await killAfter(["unpack", v2, out], ms);
      // A change decided but not applied (journal written) is finished by the next reader.
      const i = await dvsolAsync(["inspect", out, "--json"]);
      assert.equal(i.code, 0, i.stderr);
      const now = content(out);
      assert.ok(same(now, old) || same(now, fresh), `kill at ${ms} ms left a mixed folder`);
      const next = await dvsolAsync(["unpack", v2, out]);
      assert.equal(next.code, 0, next.stderr);
      assert.ok(same(content(out), fresh));
      assert.deepEqual(leftovers(out), [], "leftovers inside the folder after the next run");
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test("pack: the zip is absent (or the previous one) or complete and byte-identical to an uninterrupted pack", async (t) => {
    const dir = scratch(t);
    const zip = path.join(dir, "Big.zip");
    await writeZip(zip, zipFiles(bigSolution()));
    const folder = path.join(dir, "folder");
    await timed(["unpack", zip, folder]);
    const refZip = path.join(dir, "ref.zip");
    const d = await timed(["pack", folder, refZip]);
    const want = fileHash(refZip);
    const before = content(folder);
    let i = 0;
    for (const ms of delays(d)) {
      const out = path.join(dir, "out.zip");
      const previous = i++ % 2 === 0;
      if (previous) fs.writeFileSync(out, "the previous artifact");
      const prevHash = fileHash(out);
      await killAfter(["pack", folder, out], ms);
      const h = fileHash(out);
      assert.ok(h === want || h === prevHash, `kill at ${ms} ms left a partial zip`);
      assert.ok(same(content(folder), before), "pack changed its input");
      const next = await dvsolAsync(["pack", folder, out]);
      assert.equal(next.code, 0, next.stderr);
      assert.equal(fileHash(out), want);
      assert.deepEqual(leftovers(dir), [], `leftovers after the next run (kill at ${ms} ms)`);
      fs.rmSync(out);
    }
  });
});

/** A pid that no process has (for leftovers "of a killed run"). */
function deadPid(): number {
  for (let p = 4_000_000; ; p--) {
    try {
      process.kill(p, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ESRCH") return p;
    }
  }
}

describe("leftovers of killed runs, made by hand (the moments a kill rarely hits)", () => {
  test("killed between the two renames of --clobber: the next unpack puts the old folder back instead of deleting it", async (t) => {
    const dir = scratch(t);
    const zip = path.join(dir, "S.zip");
    await writeZip(zip, zipFiles(bigSolution("1.0.0.0", 5)));
    const ref = path.join(dir, "ref");
    await timed(["unpack", zip, ref]);
    const pid = deadPid();
    const old = path.join(dir, `.dvsol-old-out-${pid}-abc123-0`);
    fs.cpSync(ref, old, { recursive: true });
    fs.writeFileSync(path.join(old, "marker.txt"), "the previous state");
    fs.mkdirSync(path.join(dir, `.dvsol-tmp-out-${pid}-abc123-1`));
    const r = await dvsolAsync(["unpack", zip, path.join(dir, "out")]);
    assert.equal(r.code, 0, r.stderr);
    // The old folder came back (an update in place over it keeps the marker, listed as stale), the temp went.
    assert.equal(fs.readFileSync(path.join(dir, "out", "marker.txt"), "utf8"), "the previous state");
    assert.deepEqual(leftovers(dir), []);
  });

  test("ZipWriter's temp file of a killed pack is removed by the next pack (it was missed)", async (t) => {
    const dir = scratch(t);
    const zip = path.join(dir, "S.zip");
    await writeZip(zip, zipFiles(bigSolution("1.0.0.0", 5)));
    const folder = path.join(dir, "folder");
    await timed(["unpack", zip, folder]);
    const pid = deadPid();
    const stale = path.join(dir, `.dvsol-tmp-${pid}-deadbeef-.dvsol-tmp-out.zip-${pid}-mwabc-0`);
    fs.writeFileSync(stale, "half a zip");
    fs.writeFileSync(path.join(dir, `.dvsol-tmp-out.zip-${pid}-mwabc-1`), "half a zip");
    const r = await dvsolAsync(["pack", folder, path.join(dir, "out.zip")]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(leftovers(dir), []);
  });

  test("a journal of a killed folder change is finished by the next reader", async (t) => {
    const dir = scratch(t);
    const zip = path.join(dir, "S.zip");
    await writeZip(zip, zipFiles(bigSolution("1.0.0.0", 5)));
    const f = path.join(dir, "f");
    await timed(["unpack", zip, f]);
    const pid = deadPid();
    // Decided, not applied: the new Solution.xml waits aside, a web resource is to be deleted.
    const sol = fs.readFileSync(path.join(f, "Other", "Solution.xml"), "utf8");
    const tmpRel = `Other/.dvsol-tmp-Solution.xml-${pid}-abc-0`;
    fs.writeFileSync(path.join(f, ...tmpRel.split("/")), sol.replace("<Version>1.0.0.0</Version>", "<Version>9.9.9.9</Version>"));
    const gone = "WebResources/con_/r00000.js";
    fs.writeFileSync(path.join(f, ".dvsol-journal"), JSON.stringify({ pid, host: (await import("node:os")).hostname(), renames: [[tmpRel, "Other/Solution.xml"]], deletes: [gone] }));
    const r = await dvsolAsync(["inspect", f, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).version, "9.9.9.9");
    assert.ok(!fs.existsSync(path.join(f, ...gone.split("/"))));
    assert.deepEqual(leftovers(f), []);
  });
});
