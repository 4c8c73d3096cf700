/**
 * Unpack over an earlier unpack of the same solution: only files whose content changed are written
 * (atomically), unchanged files keep their bytes and modification time, files of components that are
 * gone are listed (or removed with --allow-delete), and the folder's own conventions stay.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dvsol, tmp } from "../helpers.js";
import { fixtureFiles, listTree, readTree, writeServerZip } from "./helpers.js";

const OLD = new Date("2020-01-02T03:04:05Z");
const VIEW = "Entities/cts_Project/SavedQueries/{66a678e9-0d0e-410a-be6c-87805cfee37c}.xml";
const DASHBOARD = "Dashboards/{cf839870-ff70-e911-a833-000d3a375590}.xml";

function ageAll(folder: string): void {
  for (const p of listTree(folder)) utimesSync(path.join(folder, p), OLD, OLD);
}
function touched(folder: string): string[] {
  return listTree(folder).filter((p) => statSync(path.join(folder, p)).mtimeMs !== OLD.getTime());
}

/** Version 2 of the solution: a renamed view, the dashboard removed. */
const v2 = () =>
  fixtureFiles("allkinds", {
    "customizations.xml": [
      ['<LocalizedName description="Active Projects" languagecode="1033" />', '<LocalizedName description="My Active Projects" languagecode="1033" />'],
      [/\r\n {4}<Dashboard>[\s\S]*?<\/Dashboard>\r\n {2}/, ""],
    ],
  });

test("unpack over an earlier unpack: unchanged files keep bytes and mtime; changed files only; gone files listed, then removed with --allow-delete", async () => {
  const work = tmp("dvsol-inc-");
  try {
    const z1 = path.join(work, "v1.zip");
    const z2 = path.join(work, "v2.zip");
    await writeServerZip(z1, fixtureFiles("allkinds"));
    await writeServerZip(z2, v2());
    const folder = path.join(work, "src");
    assert.equal(dvsol(["unpack", z1, folder]).code, 0);
    mkdirSync(path.join(folder, ".git"));
    writeFileSync(path.join(folder, ".git", "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(path.join(folder, ".gitignore"), "*.dll\n");
    ageAll(folder);
    const before = readTree(folder);

    const same = dvsol(["unpack", z1, folder, "--json"]);
    assert.equal(same.code, 0, same.stderr);
    const j = JSON.parse(same.stdout);
    assert.equal(j.mode, "update");
    assert.equal(j.written, 0);
    assert.equal(j.unchanged, 50);
    assert.deepEqual(touched(folder), [], "no file touched");

    const upd = dvsol(["unpack", z2, folder]);
    assert.equal(upd.code, 0, upd.stderr);
    assert.match(upd.stdout, /\(49 files: 1 written, 48 unchanged, 0 deleted\)/);
    assert.deepEqual(touched(folder), [VIEW], "only the changed view is written");
    assert.match(readFileSync(path.join(folder, VIEW), "utf8"), /My Active Projects/);
    assert.match(upd.stderr, /warning LAYOUT_STALE_FILE: Dashboards\/\{cf839870-ff70-e911-a833-000d3a375590\}\.xml is not part of the unpacked solution any more; it was left in place \(pass --allow-delete to remove it\)/);
    assert.ok(existsSync(path.join(folder, DASHBOARD)));
    assert.doesNotMatch(upd.stderr, /\.git/, "hidden files are not the solution's");

    const del = dvsol(["unpack", z2, folder, "--allow-delete"]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /1 deleted/);
    assert.ok(!existsSync(path.join(folder, "Dashboards")), "the emptied folder goes too");
    assert.equal(readFileSync(path.join(folder, ".gitignore"), "utf8"), "*.dll\n");
    assert.ok(existsSync(path.join(folder, ".git", "HEAD")));
    assert.deepEqual(
      readdirSync(work).filter((n) => n.startsWith(".dvsol-")),
      [],
      "no temporary files left",
    );
    for (const [p, b] of before) if (p !== VIEW && p !== DASHBOARD && !p.startsWith(".")) assert.ok(readFileSync(path.join(folder, p)).equals(b), p);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("unpack over an earlier unpack keeps the folder's conventions: LF checkout, older SolutionPackager envelope, Windows folder case", async () => {
  const work = tmp("dvsol-inc-");
  try {
    const z1 = path.join(work, "v1.zip");
    const z2 = path.join(work, "v2.zip");
    await writeServerZip(z1, fixtureFiles("allkinds"));
    await writeServerZip(z2, v2());
    const folder = path.join(work, "src");
    assert.equal(dvsol(["unpack", z1, folder]).code, 0);
    // What git gives on Linux (LF), what older SolutionPackager wrote (no xmlns:xsi, bare <savedquery>),
    // and a folder spelled differently (made on Windows).
    for (const p of listTree(folder)) {
      if (!/\.(xml|xaml|json)$/.test(p)) continue;
      let t = readFileSync(path.join(folder, p), "utf8").replace(/\r\n/g, "\n");
      if (p.startsWith("Entities/")) t = t.replace(/ xmlns:xsi="http:\/\/www\.w3\.org\/2001\/XMLSchema-instance"/, "");
      if (p.includes("/SavedQueries/")) t = t.replace(/<savedqueries>\n {2}/, "").replace(/\n<\/savedqueries>$/, "").replace(/\n {2}/g, "\n");
      writeFileSync(path.join(folder, p), t);
    }
    renameSync(path.join(folder, "Entities", "cts_Project"), path.join(folder, "Entities", "CTS_PROJECT"));
    ageAll(folder);
    const same = dvsol(["unpack", z1, folder, "--json"]);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(JSON.parse(same.stdout).written, 0, "nothing differs but the envelope");
    assert.deepEqual(touched(folder), []);
    const upd = dvsol(["unpack", z2, folder]);
    assert.equal(upd.code, 0, upd.stderr);
    const changed = VIEW.replace("cts_Project", "CTS_PROJECT");
    assert.deepEqual(touched(folder), [changed], "written under the folder's own spelling");
    const t = readFileSync(path.join(folder, changed), "utf8");
    assert.match(t, /^\uFEFF<\?xml version="1\.0" encoding="utf-8"\?>\n<savedquery>\n {2}<IsCustomizable>/, "LF, bare <savedquery>, as the folder writes them");
    assert.doesNotMatch(t, /\r|xmlns:xsi/);
    assert.ok(!existsSync(path.join(folder, "Entities", "cts_Project")));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("unpack refuses a non-empty folder that holds another solution or none, unless --clobber", async () => {
  const work = tmp("dvsol-inc-");
  try {
    const z1 = path.join(work, "v1.zip");
    await writeServerZip(z1, fixtureFiles("allkinds"));
    const other = path.join(work, "other");
    await writeServerZip(path.join(work, "o.zip"), fixtureFiles("allkinds", { "solution.xml": [["<UniqueName>AllKinds</UniqueName>", "<UniqueName>SomethingElse</UniqueName>"]] }));
    assert.equal(dvsol(["unpack", path.join(work, "o.zip"), other]).code, 0);
    const r = dvsol(["unpack", z1, other]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error OUTPUT_NOT_EMPTY: .*other holds solution SomethingElse, not AllKinds/);
    const plain = path.join(work, "plain");
    mkdirSync(plain);
    writeFileSync(path.join(plain, "notes.txt"), "x");
    const r2 = dvsol(["unpack", z1, plain]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /is not empty and holds no unpacked solution/);
    assert.equal(dvsol(["unpack", z1, other, "--clobber"]).code, 0);
    assert.match(readFileSync(path.join(other, "Other", "Solution.xml"), "utf8"), /AllKinds/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
