/**
 * SolutionPackager map files (--map): files that come from build output at pack time. Paths in the map
 * are relative to the solution folder (Microsoft Learn, SolutionPackager /map). Users complain that
 * map files are fragile (users.md pain 7): every failure here must name the directive and the path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { dvsol, tmp } from "../helpers.js";
import { fixtureFiles, readZip, writeServerZip, writeTree } from "./helpers.js";
import { loadMap, mapResolver } from "../../src/layout/map.js";
import { isDvsolError } from "../../src/errors.js";

const DLL_DIR = "PluginAssemblies/ContosoPlugins-46024254-3586-47B7-BED5-1FDBF186B43A";
const DLL = `${DLL_DIR}/ContosoPlugins.dll`;
const BUILT_DLL = Buffer.from("MZ built by the project's build");
const BUILT_JS = Buffer.from("function onLoad(ctx) { /* built */ }\n");
const BUILT_ICON = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x42]);
const BUILT_BUNDLE = Buffer.from("var Contoso = { built: true };\n");

/** A repository: src/AllKinds (unpacked, binaries left out of git), build output next to it, map.xml. */
async function repo(work: string, mapXml: string): Promise<{ folder: string; map: string }> {
  await writeServerZip(path.join(work, "AllKinds.zip"), fixtureFiles("allkinds"));
  const folder = path.join(work, "src", "AllKinds");
  const r = dvsol(["unpack", path.join(work, "AllKinds.zip"), folder]);
  assert.equal(r.code, 0, r.stderr);
  for (const p of [DLL, "WebResources/cts_/scripts/project.js", "WebResources/cts_ProjectIcon"]) rmSync(path.join(folder, p));
  writeTree(path.join(work, "build"), new Map([["Plugins/bin/Release/Contoso.Plugins.dll", BUILT_DLL]]));
  writeTree(path.join(work, "web"), new Map([["dist/cts_/scripts/project.js", BUILT_JS], ["images/cts_ProjectIcon", BUILT_ICON]]));
  writeTree(path.join(work, "pcf"), new Map([["out/controls/bundle.js", BUILT_BUNDLE], ["out/controls/ControlManifest.xml", Buffer.from("<manifest />")]]));
  const map = path.join(work, "map.xml");
  writeFileSync(map, mapXml);
  return { folder, map };
}

const GOOD_MAP = `<?xml version="1.0" encoding="utf-8"?>
<Mapping>
  <!-- Relative paths start at the solution folder (src/AllKinds). -->
  <FileToFile map="ContosoPlugins.dll" to="..\\..\\build\\Plugins\\bin\\Release\\Contoso.Plugins.dll" />
  <FileToPath map="WebResources\\**\\*.js" to="..\\..\\web\\dist\\**" />
  <FileToPath map="WebResources\\cts_ProjectIcon" to="../../web/images" />
  <Folder map="Controls\\cts_Contoso.Timeline" to="../../pcf/out/controls" />
  <FileToFile map="Old.Plugins.dll" to="../../build/Old.dll" />
</Mapping>`;

test("pack --map: DLLs, web resources and control files come from build output; an unused directive is named", async () => {
  const work = tmp("dvsol-map-");
  try {
    const { folder, map } = await repo(work, GOOD_MAP);
    const out = path.join(work, "out.zip");
    const r = dvsol(["pack", folder, out, "--map", map]);
    assert.equal(r.code, 0, r.stderr);
    const z = await readZip(out);
    assert.ok(z.get(DLL)!.equals(BUILT_DLL), "DLL from build output");
    assert.ok(z.get("WebResources/cts_scriptsprojectjsB9E478CC-2ADB-E611-80D9-3863BB34CDB0")!.equals(BUILT_JS), "web resource from web/dist, its sub-folders kept");
    assert.ok(z.get("WebResources/cts_ProjectIcon97E278D8-666E-E911-A83D-000D3A375888")!.equals(BUILT_ICON));
    assert.ok(z.get("Controls/cts_Contoso.Timeline/bundle.js")!.equals(BUILT_BUNDLE), "Folder mapping");
    assert.match(r.stderr, /warning LAYOUT_MAP_UNUSED: map directive <FileToFile map="Old\.Plugins\.dll" to="\.\.\/\.\.\/build\/Old\.dll" \/> \(.*map\.xml line 8\) matched no file/);
    assert.doesNotMatch(r.stderr, /LAYOUT_MISSING_FILE/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("pack without the map: each missing file is a warning that names the component and the path", async () => {
  const work = tmp("dvsol-map-");
  try {
    const { folder } = await repo(work, GOOD_MAP);
    const r = dvsol(["pack", folder, path.join(work, "out.zip"), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const missing = JSON.parse(r.stdout).findings.filter((f: { code: string }) => f.code === "LAYOUT_MISSING_FILE");
    assert.deepEqual(missing.map((f: { args: { component: string; path: string } }) => [f.args.component, f.args.path]).sort(), [
      ["plug-in assembly Contoso.Plugins", DLL],
      ["web resource cts_/scripts/project.js", "WebResources/cts_/scripts/project.js"],
      ["web resource cts_ProjectIcon", "WebResources/cts_ProjectIcon"],
    ]);
    assert.match(r.stderr, /warning LAYOUT_MISSING_FILE: web resource cts_\/scripts\/project\.js refers to WebResources\/cts_scriptsprojectjsB9E478CC-2ADB-E611-80D9-3863BB34CDB0, but WebResources\/cts_\/scripts\/project\.js is not in the folder/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("pack --map: a directive that finds two files, or matches two files of the folder, is MAP_INVALID naming both", async () => {
  const work = tmp("dvsol-map-");
  try {
    const { folder, map } = await repo(work, `<Mapping><FileToFile map="ContosoPlugins.dll" to="../../build/Plugins/bin/**/Contoso.Plugins.dll" /></Mapping>`);
    writeTree(path.join(work, "build"), new Map([["Plugins/bin/Debug/Contoso.Plugins.dll", Buffer.from("MZ debug")]]));
    const r = dvsol(["pack", folder, path.join(work, "out.zip"), "--map", map]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error MAP_INVALID: <FileToFile map="ContosoPlugins\.dll" to="\.\.\/\.\.\/build\/Plugins\/bin\/\*\*\/Contoso\.Plugins\.dll" \/> finds 2 files for PluginAssemblies\/.*\/ContosoPlugins\.dll: .*bin\/Debug\/Contoso\.Plugins\.dll, .*bin\/Release\/Contoso\.Plugins\.dll/);
    assert.match(r.stderr, /hint: Make to= name one file/);
    assert.ok(!existsSync(path.join(work, "out.zip")), "nothing written");

    // Two assembly folders with the same DLL name: a bare file name cannot say which one.
    const second = path.join(folder, "PluginAssemblies", "ContosoPlugins-0F0F0F0F-3586-47B7-BED5-1FDBF186B43A");
    mkdirSync(second, { recursive: true });
    writeFileSync(path.join(second, "ContosoPlugins.dll"), "MZ old major version");
    writeFileSync(map, `<Mapping><FileToFile map="ContosoPlugins.dll" to="../../build/Plugins/bin/Release/Contoso.Plugins.dll" /></Mapping>`);
    const r2 = dvsol(["pack", folder, path.join(work, "out.zip"), "--map", map]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /error MAP_INVALID: <FileToFile map="ContosoPlugins\.dll" .*\/> matches two files of the folder: PluginAssemblies\/ContosoPlugins-0F0F0F0F.*\/ContosoPlugins\.dll and PluginAssemblies\/ContosoPlugins-46024254.*\/ContosoPlugins\.dll/);
    assert.match(r2.stderr, /hint: Put the folder in map=/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("pack --map: a mapped file that is not there is MAP_INVALID with the path it looked for and where relative paths start", async () => {
  const work = tmp("dvsol-map-");
  try {
    const { folder, map } = await repo(work, `<Mapping>\n  <FileToFile map="PluginAssemblies\\**\\ContosoPlugins.dll" to="..\\build\\Contoso.Plugins.dll" />\n</Mapping>`);
    const r = dvsol(["pack", folder, path.join(work, "out.zip"), "--map", map]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error MAP_INVALID: the map file sends PluginAssemblies\/.*\/ContosoPlugins\.dll to build output that does not exist: <FileToFile .*\/> \(line 2\) looked for .*\/src\/build\/Contoso\.Plugins\.dll/);
    assert.match(r.stderr, /hint: Relative to= paths start at the solution folder \(.*src\/AllKinds\)/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("map files: invalid directives are refused with the line; %VAR% expands", async () => {
  const work = tmp("dvsol-map-");
  try {
    const bad = async (xml: string, re: RegExp) => {
      const f = path.join(work, "bad.xml");
      writeFileSync(f, xml);
      await assert.rejects(loadMap(f, work), (e: unknown) => isDvsolError(e) && e.code === "MAP_INVALID" && re.test(e.message));
    };
    await bad(`<Maps />`, /root element of the map file is <Maps>; expected <Mapping>/);
    await bad(`<Mapping>\n<FileToFile map="*.dll" to="a.dll" />\n</Mapping>`, /FileToFile map="\*\.dll": the file name cannot have wildcards/);
    await bad(`<Mapping><FileToPath map="a*b.js" to="x" /></Mapping>`, /must be \*\.ext or \*\.\*/);
    await bad(`<Mapping><Folder map="Web*" to="x" /></Mapping>`, /wildcards are not allowed in a folder mapping/);
    await bad(`<Mapping><FileToFile map="a.dll" /></Mapping>`, /needs both map="\.\.\." and to="\.\.\."/);
    await bad(`<Mapping><Copy map="a" to="b" /></Mapping>`, /<Copy> is not a map directive/);
    await bad(`<Mapping><FileToFile map="a.dll" to="%DVSOL_TEST_UNSET_VAR%/a.dll" /></Mapping>`, /environment variable %DVSOL_TEST_UNSET_VAR% used in the map file is not set/);

    writeTree(work, new Map([["drop/Release/a.dll", Buffer.from("A")]]));
    const f = path.join(work, "ok.xml");
    writeFileSync(f, `<Mapping><FileToFile map="PluginAssemblies\\**\\a.dll" to="%DVSOL_TEST_DROP%\\a.dll" /></Mapping>`);
    process.env.DVSOL_TEST_DROP = path.join(work, "drop", "Release");
    try {
      const m = mapResolver(await loadMap(f, path.join(work, "solution")));
      const hit = m.resolve("PluginAssemblies/A-1/a.dll");
      assert.equal(await hit!.read().then((b) => b.toString()), "A");
      assert.equal(m.resolve("WebResources/x.js"), undefined, "an unmatched path is read from the folder");
      assert.deepEqual(m.unused(), []);
    } finally {
      delete process.env.DVSOL_TEST_DROP;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("unpack --map: mapped files are not written, and an update does not flag them as stale", async () => {
  const work = tmp("dvsol-map-");
  try {
    await writeServerZip(path.join(work, "AllKinds.zip"), fixtureFiles("allkinds"));
    const map = path.join(work, "map.xml");
    writeFileSync(map, `<Mapping><FileToPath map="PluginAssemblies\\**\\*.dll" to="../build" /></Mapping>`);
    const folder = path.join(work, "src");
    const r = dvsol(["unpack", path.join(work, "AllKinds.zip"), folder, "--map", map, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(path.join(folder, DLL)), "the DLL comes from the build at pack time");
    assert.ok(existsSync(path.join(folder, `${DLL}.data.xml`)));
    assert.ok(JSON.parse(r.stdout).findings.some((f: { code: string; args: { path: string } }) => f.code === "LAYOUT_MAPPED_NOT_WRITTEN" && f.args.path === DLL));
    writeFileSync(path.join(folder, DLL), "MZ a local build copied in");
    const again = dvsol(["unpack", path.join(work, "AllKinds.zip"), folder, "--map", map]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /LAYOUT_STALE_FILE/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
