// `dvsol init`: a new empty solution folder in the SolutionPackager form of a modern export, that inspect,
// check and pack accept; option rules; XML escaping; atomic and refusing non-empty folders.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, dvsol, tmp } from "../helpers.js";
import { inspectJson, ok, snapshot } from "../edit/helpers.js";
import { defaultOptionValuePrefix, initValues } from "../../src/registration/init.js";
import { DvsolError } from "../../src/errors.js";
import { CORPUS, HAS_CORPUS } from "../helpers.js";

test("init: the skeleton reads, checks clean, packs, and the zip reads back the same", () => {
  const dir = tmp("dvsol-init-");
  const folder = path.join(dir, "ContosoPlugins");
  const r = ok(["init", folder, "--name", "ContosoPlugins", "--publisher", "contoso", "--prefix", "contoso", "--display-name", "Contoso Plug-ins", "--version", "1.2.0.0", "--option-value-prefix", "10450"]);
  assert.match(r.stdout, /^created .*ContosoPlugins: solution ContosoPlugins 1\.2\.0\.0 \(unmanaged\), publisher contoso \(prefix contoso, option values 10450\)/);
  assert.deepEqual([...snapshot(folder).keys()], ["Other/Customizations.xml", "Other/Solution.xml"]);
  const m = inspectJson(folder) as ReturnType<typeof inspectJson> & { uniqueName: string; friendlyName: string; managed: boolean; publisher: { uniqueName: string; prefix: string; optionValuePrefix: string } };
  assert.equal(m.uniqueName, "ContosoPlugins");
  assert.equal(m.friendlyName, "Contoso Plug-ins");
  assert.equal(m.version, "1.2.0.0");
  assert.equal(m.managed, false);
  assert.deepEqual([m.publisher.uniqueName, m.publisher.prefix, m.publisher.optionValuePrefix], ["contoso", "contoso", "10450"]);
  assert.deepEqual([m.assemblies.length, m.steps.length, m.rootComponents.length], [0, 0, 0]);
  const chk = ok(["check", folder]);
  assert.match(chk.stdout, /no findings/);
  // The SolutionPackager file form: UTF-8 BOM, XML declaration.
  for (const f of ["Other/Solution.xml", "Other/Customizations.xml"]) {
    const b = readFileSync(path.join(folder, f));
    assert.deepEqual([...b.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${f} has a BOM`);
    assert.match(b.subarray(3).toString("utf8"), /^<\?xml version="1\.0" encoding="utf-8"\?>\n<ImportExportXml /);
  }
  const zip = path.join(dir, "ContosoPlugins.zip");
  ok(["pack", folder, zip]);
  const z = inspectJson(zip) as typeof m;
  assert.deepEqual([z.uniqueName, z.version, z.friendlyName, z.publisher.prefix], ["ContosoPlugins", "1.2.0.0", "Contoso Plug-ins", "contoso"]);
  assert.match(ok(["check", zip]).stdout, /no findings/);
  const back = path.join(dir, "back");
  ok(["unpack", zip, back]);
  assert.deepEqual(inspectJson(back), inspectJson(folder));
});

test("init: the skeleton has the shape of real modern exports (corpus)", { skip: HAS_CORPUS ? false : "corpus not found: skipped" }, () => {
  const cse = readFileSync(path.join(CORPUS, "CSE-Neutrino__dataverse-serviceendpoint-sample/deployment/solutions/RegisterServiceEndpointsSolution/Other/Solution.xml"), "utf8");
  const mine = readFileSync(path.join(ROOT, "templates", "solution", "Other", "Solution.xml"), "utf8");
  const tags = (t: string) => [...t.matchAll(/<([A-Za-z]+)[\s/>]/g)].map((x) => x[1]).filter((n) => n !== "RootComponent" && n !== "Description");
  assert.deepEqual(tags(mine), tags(cse), "same elements in the same order (values and components aside)");
  const hello = readFileSync(path.join(CORPUS, "devkeydet__HelloFusionDev/src/Other/Customizations.xml"), "utf8");
  const custMine = readFileSync(path.join(ROOT, "templates", "solution", "Other", "Customizations.xml"), "utf8");
  const sections = (t: string) => [...t.matchAll(/^ {2}<([A-Za-z]+)/gm)].map((x) => x[1]!);
  const expected = sections(hello).filter((s) => !["WebResources", "SolutionPluginAssemblies", "SdkMessageProcessingSteps", "AppModuleSiteMaps", "AppModules", "CanvasApps"].includes(s));
  assert.deepEqual(sections(custMine), expected, "the sections of an empty modern export");
});

test("init: values are XML-escaped; --managed; the same options give the same bytes", () => {
  const dir = tmp("dvsol-init-esc-");
  const a = path.join(dir, "a");
  ok(["init", a, "--name", "Odd_1", "--publisher", "contoso", "--prefix", "con", "--display-name", `Tom & Jerry's "<Plug-ins>"`, "--publisher-display-name", "Contoso <Ltd>", "--managed"]);
  const text = readFileSync(path.join(a, "Other", "Solution.xml"), "utf8");
  assert.ok(text.includes(`description="Tom &amp; Jerry's &quot;&lt;Plug-ins&gt;&quot;"`), text);
  assert.ok(text.includes(`description="Contoso &lt;Ltd&gt;"`));
  assert.match(text, /<Managed>1<\/Managed>/);
  const m = inspectJson(a) as ReturnType<typeof inspectJson> & { friendlyName: string; managed: boolean };
  assert.equal(m.friendlyName, `Tom & Jerry's "<Plug-ins>"`);
  assert.equal(m.managed, true);
  const b = path.join(dir, "b");
  ok(["init", b, "--name", "Odd_1", "--publisher", "contoso", "--prefix", "con", "--display-name", `Tom & Jerry's "<Plug-ins>"`, "--publisher-display-name", "Contoso <Ltd>", "--managed"]);
  assert.deepEqual(snapshot(a), snapshot(b));
  // Default option value prefix: derived from the prefix, in range, stable.
  const v = defaultOptionValuePrefix("con");
  assert.ok(v >= 10000 && v <= 99999);
  assert.equal(v, defaultOptionValuePrefix("con"));
  assert.notEqual(v, defaultOptionValuePrefix("contoso"));
  assert.match(text, new RegExp(`<CustomizationOptionValuePrefix>${v}</CustomizationOptionValuePrefix>`));
});

test("init: names, prefixes, versions and option value prefixes are checked (USAGE_BAD_OPTION)", () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ name: "Contoso Plugins" }, /--name "Contoso Plugins" is not a solution unique name/],
    [{ name: "1Contoso" }, /--name/],
    [{ name: "x".repeat(66) }, /at most 65/],
    [{ publisher: "contoso-inc" }, /--publisher "contoso-inc"/],
    [{ prefix: "c" }, /2 to 8 characters/],
    [{ prefix: "contosoinc" }, /2 to 8 characters/],
    [{ prefix: "Contoso" }, /lowercase/],
    [{ prefix: "con_1" }, /lowercase letters and digits/],
    [{ prefix: "1con" }, /starting with a letter/],
    [{ prefix: "mscrmx" }, /reserved by Microsoft/],
    [{ version: "1.0.0.0.0" }, /--version "1\.0\.0\.0\.0" is not a solution version/],
    [{ version: "1" }, /not a solution version/],
    [{ optionValuePrefix: "9999" }, /10000 to 99999/],
    [{ optionValuePrefix: "1e4" }, /10000 to 99999/],
  ];
  for (const [o, re] of bad) {
    assert.throws(
      () => initValues({ name: "Contoso", publisher: "contoso", prefix: "con", ...o }),
      (e: unknown) => e instanceof DvsolError && e.code === "USAGE_BAD_OPTION" && re.test(e.message),
      JSON.stringify(o),
    );
  }
  const dir = tmp("dvsol-init-bad-");
  const r = dvsol(["init", path.join(dir, "x"), "--name", "Contoso", "--publisher", "contoso", "--prefix", "mscrm"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error USAGE_BAD_OPTION: --prefix "mscrm"/);
  assert.ok(!existsSync(path.join(dir, "x")), "nothing written");
  const missing = dvsol(["init", path.join(dir, "y"), "--name", "Contoso"]);
  assert.equal(missing.code, 2);
  // init's --version shares its name with the program's: both keep working.
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal(ok(["--version"]).stdout.trim(), pkg.version);
  const eq = path.join(dir, "eq");
  ok(["init", eq, "--version=2.1", "--name", "Contoso", "--publisher", "contoso", "--prefix", "con"]);
  assert.match(readFileSync(path.join(eq, "Other", "Solution.xml"), "utf8"), /<Version>2\.1<\/Version>/);
  const extra = dvsol(["init", path.join(dir, "z"), "stray", "--name", "Contoso", "--publisher", "contoso", "--prefix", "con", "--version", "1.0"]);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /too many arguments for 'init'/);
});

test("init: refuses a non-empty folder unless --clobber; an empty one is fine", () => {
  const dir = tmp("dvsol-init-clobber-");
  const folder = path.join(dir, "sol");
  mkdirSync(folder);
  ok(["init", folder, "--name", "A", "--publisher", "contoso", "--prefix", "con"]);
  const again = dvsol(["init", folder, "--name", "B", "--publisher", "contoso", "--prefix", "con"]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /OUTPUT_NOT_EMPTY/);
  assert.match(readFileSync(path.join(folder, "Other", "Solution.xml"), "utf8"), /<UniqueName>A<\/UniqueName>/);
  writeFileSync(path.join(folder, "stray.txt"), "x");
  ok(["init", folder, "--name", "B", "--publisher", "contoso", "--prefix", "con", "--clobber"]);
  assert.match(readFileSync(path.join(folder, "Other", "Solution.xml"), "utf8"), /<UniqueName>B<\/UniqueName>/);
  assert.deepEqual(readdirSync(folder).sort(), ["Other"]);
  assert.deepEqual(readdirSync(dir), ["sol"], "no temporary folder left next to it");
  const j = JSON.parse(ok(["init", path.join(dir, "c"), "--name", "C", "--publisher", "contoso", "--prefix", "con", "--json"]).stdout);
  assert.deepEqual(j.files, ["Other/Solution.xml", "Other/Customizations.xml"]);
  assert.equal(j.publisher.prefix, "con");
});
