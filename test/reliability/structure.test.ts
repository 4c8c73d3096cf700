/**
 * Solutions whose structure is broken: missing manifest or customizations, folders that are not solutions
 * (or are extracted zips), references that point nowhere, duplicate ids, versions out of range. Each is a
 * clear error with its stable code (exit 2, no stack trace, nothing written), or a finding of `dvsol check`
 * where the solution is still readable; never a crash.
 *
 * Duplicate ids (decided here): reading does not refuse them, so that inspect and check can show the
 * solution; `dvsol check` reports each one (ASSEMBLY_/TYPE_/STEP_/IMAGE_/ENDPOINT_DUPLICATE_ID), and every
 * command that would have to pick one of them refuses with SOLUTION_DUPLICATE_ID: unpack (two step files
 * on one path) and edits that name the shared id.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { unpack } from "../../src/ops/unpack.js";
import { tmp } from "../helpers.js";
import { assertNoCrash, assertRefused, assertSameTree, dllEntry, dvsolAsync, gid, sampleSolution, treeHash, writeSolutionZip, writeZip, zipFiles, type GenSolution } from "./gen.js";

async function refused(dir: string, code: string, commands: string[][], expect?: RegExp): Promise<void> {
  for (const args of commands) {
    const before = treeHash(dir);
    const r = await dvsolAsync(args);
    assertRefused(r, code, args.join(" "));
    if (expect) assert.match(r.stderr, expect, args.join(" "));
    assertSameTree(before, treeHash(dir), args.join(" "));
  }
}

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = tmp("dvsol-rel-struct-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function zipWithout(dir: string, name: string, drop: string[], rename: Record<string, string> = {}): Promise<string> {
  const file = path.join(dir, name);
  await writeZip(file, zipFiles(sampleSolution()).filter(([n]) => !drop.includes(n)).map(([n, b]) => [rename[n] ?? n, b] as [string, Buffer]));
  return file;
}

async function folder(dir: string, name = "folder", s?: GenSolution): Promise<string> {
  const zip = await writeSolutionZip(path.join(dir, `${name}.zip`), s);
  const out = path.join(dir, name);
  await unpack(zip, out);
  fs.rmSync(zip);
  return out;
}

const zipReaders = (dir: string, zip: string) => [["inspect", zip], ["unpack", zip, path.join(dir, "out")], ["check", zip], ["version", zip, "--bump", "build"], ["impact", zip, zip]];
const folderReaders = (dir: string, f: string) => [["inspect", f], ["pack", f, path.join(dir, "out.zip")], ["check", f], ["version", f, "--bump", "build"], ["disable", "step", f, "AccountCreate: Create of account"]];

describe("solution structure", { concurrency: 4 }, () => {
  test("zip without solution.xml -> SOLUTION_MISSING_MANIFEST; without customizations.xml -> SOLUTION_MISSING_CUSTOMIZATIONS", async (t) => {
    const dir = scratch(t);
    const noManifest = await zipWithout(dir, "NoManifest.zip", ["solution.xml"]);
    await refused(dir, "SOLUTION_MISSING_MANIFEST", zipReaders(dir, noManifest), /solution\.xml is missing/);
    const noCust = await zipWithout(dir, "NoCust.zip", ["customizations.xml"]);
    await refused(dir, "SOLUTION_MISSING_CUSTOMIZATIONS", zipReaders(dir, noCust), /customizations\.xml is missing/);
  });

  test("folder without Other/Solution.xml or Other/Customizations.xml -> the matching code from every command", async (t) => {
    const dir = scratch(t);
    const a = await folder(dir, "a");
    fs.rmSync(path.join(a, "Other", "Solution.xml"));
    await refused(dir, "SOLUTION_MISSING_MANIFEST", folderReaders(dir, a), /Other\/Solution\.xml is missing/);
    const b = await folder(dir, "b");
    fs.rmSync(path.join(b, "Other", "Customizations.xml"));
    await refused(dir, "SOLUTION_MISSING_CUSTOMIZATIONS", folderReaders(dir, b), /Other\/Customizations\.xml is missing/);
  });

  test("a folder that is not a solution, and an empty folder -> INPUT_NOT_SOLUTION", async (t) => {
    const dir = scratch(t);
    const f = path.join(dir, "notes");
    fs.mkdirSync(path.join(f, "src"), { recursive: true });
    fs.writeFileSync(path.join(f, "README.md"), "# not a solution\n");
    await refused(dir, "INPUT_NOT_SOLUTION", folderReaders(dir, f), /is not an unpacked solution: it holds neither Other\/Solution\.xml nor Other\/Customizations\.xml/);
    const e = path.join(dir, "empty");
    fs.mkdirSync(e);
    await refused(dir, "INPUT_NOT_SOLUTION", folderReaders(dir, e), /is an empty folder, not an unpacked solution/);
    const photos = path.join(dir, "photos.zip");
    await writeZip(photos, [["a.jpg", Buffer.from("not really")]]);
    await refused(dir, "INPUT_NOT_SOLUTION", [["inspect", photos], ["unpack", photos, path.join(dir, "o")]], /is a zip archive but not a solution/);
  });

  test("an extracted zip given where an unpacked folder is expected: the message says so, from every command", async (t) => {
    const dir = scratch(t);
    const f = path.join(dir, "extracted");
    for (const [n, b] of zipFiles(sampleSolution())) {
      fs.mkdirSync(path.dirname(path.join(f, n)), { recursive: true });
      fs.writeFileSync(path.join(f, n), b);
    }
    await refused(dir, "SOLUTION_MISSING_MANIFEST", [...folderReaders(dir, f), ["impact", f, f]], /found solution\.xml: is this an extracted zip rather than an unpacked folder\?/);
  });

  test("a zip of an unpacked folder, and a zip of a folder (solution inside a subfolder): the message says so", async (t) => {
    const dir = scratch(t);
    const f = await folder(dir);
    const zipped = path.join(dir, "zipped.zip");
    const files: [string, Buffer][] = [];
    const walk = (d: string, rel: string) => {
      for (const n of fs.readdirSync(d).sort()) {
        const abs = path.join(d, n);
        if (fs.statSync(abs).isDirectory()) walk(abs, `${rel}${n}/`);
        else files.push([`${rel}${n}`, fs.readFileSync(abs)]);
      }
    };
    walk(f, "");
    await writeZip(zipped, files);
    await refused(dir, "SOLUTION_MISSING_MANIFEST", [["inspect", zipped], ["unpack", zipped, path.join(dir, "o")]], /found Other\/Solution\.xml: is this a zip of an unpacked folder\?/);
    const nested = path.join(dir, "nested.zip");
    await writeZip(nested, zipFiles(sampleSolution()).map(([n, b]) => [`ContosoPlugins_1_0/${n}`, b] as [string, Buffer]));
    await refused(dir, "SOLUTION_MISSING_MANIFEST", [["inspect", nested], ["unpack", nested, path.join(dir, "o")]], /ContosoPlugins_1_0\/solution\.xml: it was made by zipping the folder/);
  });

  test("wrong kind of input: a folder to unpack, a zip to pack, an output inside the input, a path that does not exist", async (t) => {
    const dir = scratch(t);
    const f = await folder(dir);
    const zip = await writeSolutionZip(path.join(dir, "s.zip"));
    await refused(dir, "USAGE_BAD_OPTION", [["unpack", f, path.join(dir, "o")], ["pack", zip, path.join(dir, "o.zip")]]);
    await refused(dir, "OUTPUT_INSIDE_INPUT", [["pack", f, path.join(f, "out.zip")], ["version", f, "--bump", "build", "--out", path.join(f, "Other", "x.zip")]]);
    await refused(dir, "INPUT_NOT_FOUND", [["inspect", path.join(dir, "missing.zip")], ["unpack", path.join(dir, "missing.zip"), path.join(dir, "o")], ["pack", path.join(dir, "missing"), path.join(dir, "o.zip")], ["version", path.join(dir, "missing"), "--bump", "build"]]);
  });

  test("references that point nowhere are check findings, not crashes; unpack and pack carry them and warn", async (t) => {
    const dir = scratch(t);
    const s = sampleSolution();
    const files = zipFiles(s).filter(([n]) => n !== dllEntry(s.assemblies[0]!));
    files[0] = [
      "customizations.xml",
      Buffer.from(
        files[0]![1]
          .toString("utf8")
          .replace(`<PluginTypeId>${s.assemblies[0]!.types[0]!.id}</PluginTypeId>`, `<PluginTypeId>${gid("nowhere")}</PluginTypeId>`)
          .replace(`<PluginTypeName>Contoso.Plugins.AccountCreate,`, `<PluginTypeName>Contoso.Plugins.Gone,`)
          .replace(`<EventHandler>{${s.endpoints[0]!.id}}</EventHandler>`, `<EventHandler>{${gid("no-endpoint")}}</EventHandler>`)
          .replace(`<Entities />`, `<Entities />`),
      ),
    ];
    const zip = path.join(dir, "Dangling.zip");
    await writeZip(zip, files);
    const i = await dvsolAsync(["inspect", zip, "--json"]);
    assert.equal(i.code, 0, i.stderr);
    const c = await dvsolAsync(["check", zip, "--format", "json"]);
    assertNoCrash(c);
    assert.equal(c.code, 1, c.stderr);
    const codes = new Set((JSON.parse(c.stdout).findings as { code: string }[]).map((f) => f.code));
    for (const want of ["ASSEMBLY_DLL_MISSING", "STEP_ENDPOINT_MISSING"]) assert.ok(codes.has(want), `check lacks ${want}: ${[...codes].join(", ")}`);
    assert.ok([...codes].some((x) => /^STEP_.*TYPE/.test(x)), `check names the step whose type is gone: ${[...codes].join(", ")}`);
    const out = path.join(dir, "out");
    const u = await dvsolAsync(["unpack", zip, out]);
    assert.equal(u.code, 0, u.stderr);
    const p = await dvsolAsync(["pack", out, path.join(dir, "back.zip")]);
    assertNoCrash(p);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /warning LAYOUT_MISSING_FILE/);
    const im = await dvsolAsync(["impact", zip, path.join(dir, "back.zip")]);
    assertNoCrash(im);
  });

  test("two steps with one id: inspect shows both, check reports STEP_DUPLICATE_ID, unpack and an edit by that id refuse with SOLUTION_DUPLICATE_ID", async (t) => {
    const dir = scratch(t);
    const s = sampleSolution();
    s.steps[1]!.id = s.steps[0]!.id;
    const zip = await writeSolutionZip(path.join(dir, "DupStep.zip"), s);
    const i = await dvsolAsync(["inspect", zip, "--json"]);
    assert.equal(i.code, 0, i.stderr);
    assert.equal(JSON.parse(i.stdout).steps.filter((x: { id: string }) => x.id === s.steps[0]!.id).length, 2);
    const c = await dvsolAsync(["check", zip]);
    assert.equal(c.code, 1);
    assert.match(c.stdout, /STEP_DUPLICATE_ID/);
    await refused(dir, "SOLUTION_DUPLICATE_ID", [["unpack", zip, path.join(dir, "out")], ["disable", "step", zip, s.steps[0]!.id], ["remove", "step", zip, `{${s.steps[0]!.id.toUpperCase()}}`]]);
  });

  test("two endpoints with one id: check reports ENDPOINT_DUPLICATE_ID, removing it by id refuses with SOLUTION_DUPLICATE_ID", async (t) => {
    const dir = scratch(t);
    const s = sampleSolution();
    s.endpoints.push({ ...s.endpoints[0]!, name: "second queue" });
    const zip = await writeSolutionZip(path.join(dir, "DupEp.zip"), s);
    const c = await dvsolAsync(["check", zip]);
    assert.equal(c.code, 1);
    assert.match(c.stdout, /ENDPOINT_DUPLICATE_ID/);
    await refused(dir, "SOLUTION_DUPLICATE_ID", [["remove", "endpoint", zip, s.endpoints[0]!.id, "--cascade"]]);
  });

  test("two assemblies, two types and two images sharing ids: findings, no crash anywhere", async (t) => {
    const dir = scratch(t);
    const s = sampleSolution();
    s.assemblies.push({ ...s.assemblies[0]!, name: "Other.Plugins", types: [{ name: "Other.Plugins.X", id: s.assemblies[0]!.types[0]!.id }] });
    s.steps[0]!.images = [{ ...s.steps[1]!.images[0]! }];
    const zip = await writeSolutionZip(path.join(dir, "DupMany.zip"), s);
    const c = await dvsolAsync(["check", zip]);
    assert.equal(c.code, 1);
    for (const code of ["ASSEMBLY_DUPLICATE_ID", "TYPE_DUPLICATE_ID", "IMAGE_DUPLICATE_ID"]) assert.match(c.stdout, new RegExp(code));
    for (const args of [["inspect", zip], ["unpack", zip, path.join(dir, "o")], ["pack", path.join(dir, "o"), path.join(dir, "b.zip")], ["impact", zip, path.join(dir, "b.zip")]]) {
      const r = await dvsolAsync(args);
      assertNoCrash(r, args.join(" "));
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    }
  });

  for (const bad of ["1", "1.x", "1.0.0.0.0", "-1.0", "2147483648.0", "1.0.0.99999999999", "１.０", ""]) {
    test(`solution version ${JSON.stringify(bad)}: inspect shows it, version --bump and impact refuse with SOLUTION_BAD_VERSION`, async (t) => {
      const dir = scratch(t);
      const zip = await writeSolutionZip(path.join(dir, "Ver.zip"), sampleSolution({ version: bad }));
      const i = await dvsolAsync(["inspect", zip, "--json"]);
      if (bad === "") {
        // No version at all: the manifest is incomplete.
        assertRefused(i, "SOLUTION_BAD_MANIFEST");
        return;
      }
      assert.equal(i.code, 0, i.stderr);
      assert.equal(JSON.parse(i.stdout).version, bad);
      const good = await writeSolutionZip(path.join(dir, "Good.zip"));
      await refused(dir, "SOLUTION_BAD_VERSION", [["version", zip, "--bump", "revision"], ["version", zip, "--bump", "major"], ["impact", good, zip], ["impact", zip, good]], /solution version|solution\.xml:8/);
    });
  }

  test("bumping past Int32 refuses; setting a bad version refuses; the solution is unchanged", async (t) => {
    const dir = scratch(t);
    const zip = await writeSolutionZip(path.join(dir, "Max.zip"), sampleSolution({ version: "1.0.0.2147483647" }));
    await refused(dir, "SOLUTION_BAD_VERSION", [["version", zip, "--bump", "revision"], ["version", zip, "--set", "1.2.3.4.5"], ["version", zip, "--set", "99999999999.0"], ["version", zip, "--set", "abc"]]);
    const ok = await dvsolAsync(["version", zip, "--bump", "build"]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  test("assembly version over 65534 per part: inspect shows it, impact refuses with SOLUTION_BAD_VERSION at the assembly", async (t) => {
    const dir = scratch(t);
    const s = sampleSolution();
    s.assemblies[0]!.version = "1.0.0.70000";
    const zip = await writeSolutionZip(path.join(dir, "AsmVer.zip"), s);
    const i = await dvsolAsync(["inspect", zip, "--json"]);
    assert.equal(i.code, 0, i.stderr);
    assert.equal(JSON.parse(i.stdout).assemblies[0].version, "1.0.0.70000");
    const good = await writeSolutionZip(path.join(dir, "Good.zip"));
    await refused(dir, "SOLUTION_BAD_VERSION", [["impact", good, zip]], /1\.0\.0\.70000" has a part larger than 65534[\s\S]*customizations\.xml:\d+/);
  });
});
