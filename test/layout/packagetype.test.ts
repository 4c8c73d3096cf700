/**
 * Managed, unmanaged and both (SolutionPackager's /packagetype): twins, <Managed>, the two zips of
 * a "both" folder, and mismatches reported as SOLUTION_PACKAGE_TYPE.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { planPackAll, planUnpack, planUnpackBoth, type LayoutPlan } from "../../src/layout/engine.js";
import { isDvsolError } from "../../src/errors.js";
import { dvsol, tmp } from "../helpers.js";
import { fixtureFiles, listTree, memSource, readZip, writeServerZip } from "./helpers.js";

async function filesOf(plan: LayoutPlan): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const f of plan.files) out.set(f.path, Buffer.isBuffer(f.content) ? f.content : await f.content.from.read());
  return out;
}

const unmanagedZip = () => fixtureFiles("allkinds");
/** The managed export of the same solution: <Managed>1, and a form whose labels the managed export leaves empty (as real managed exports do). */
const managedZip = () =>
  fixtureFiles("allkinds", {
    "solution.xml": [["<Managed>0</Managed>", "<Managed>1</Managed>"]],
    "customizations.xml": [['<label description="General" languagecode="1033" />', '<label description="" languagecode="1033" />']],
  });

const FORM_MAIN = "Entities/cts_Project/FormXml/main/{a7446247-a969-409e-b820-709c61ed50be}";
const FORM_QC = "Entities/cts_Project/FormXml/quickCreate/{b7a6c2a1-0f4e-4c4d-9a8e-7d0c6e7a2b11}";

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isDvsolError(e), String(e));
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test("unpack managed: forms, app modules and site maps get their _managed names; nothing else does", async () => {
  const tree = await filesOf(await planUnpack(memSource("zip", "m.zip", managedZip()), {}));
  assert.ok(tree.has(`${FORM_MAIN}_managed.xml`) && !tree.has(`${FORM_MAIN}.xml`));
  assert.ok(tree.has("AppModules/cts_ProjectHub/AppModule_managed.xml"));
  assert.ok(tree.has("AppModuleSiteMaps/cts_ProjectHub/AppModuleSiteMap_managed.xml"));
  assert.ok(tree.has("PluginAssemblies/ContosoPlugins-46024254-3586-47B7-BED5-1FDBF186B43A/ContosoPlugins.dll.data.xml"), "plug-in XML has no twins");
  assert.ok(tree.has("SdkMessageProcessingSteps/{5a3b8a2d-5c1e-ee11-9cbd-00224823910f}.xml"));
  assert.match(tree.get("Other/Solution.xml")!.toString(), /<Managed>1<\/Managed>/);
  // ... and packs back to the managed zip.
  const [only] = await planPackAll(memSource("folder", "m", tree), {});
  assert.equal(only!.variant, "managed");
  const packed = await filesOf(only!.plan);
  for (const [p, b] of managedZip()) assert.ok(packed.get(p)!.equals(b), p);
});

test("unpack both: one folder, Managed 2, twins for the kinds that differ, and both zips come back", async () => {
  const u = unmanagedZip();
  const m = managedZip();
  const tree = await filesOf(await planUnpackBoth(memSource("zip", "S.zip", u), memSource("zip", "S_managed.zip", m)));
  assert.match(tree.get("Other/Solution.xml")!.toString(), /<Managed>2<\/Managed>/);
  assert.ok(!tree.has("Other/Solution_managed.xml"), "the manifests differ only by <Managed>");
  for (const p of [FORM_MAIN, FORM_QC, "AppModules/cts_ProjectHub/AppModule", "AppModuleSiteMaps/cts_ProjectHub/AppModuleSiteMap"]) {
    assert.ok(tree.has(`${p}.xml`) && tree.has(`${p}_managed.xml`), `${p}: both twins (SolutionPackager writes them even when equal)`);
  }
  assert.notDeepEqual(tree.get(`${FORM_MAIN}.xml`), tree.get(`${FORM_MAIN}_managed.xml`));
  assert.deepEqual(tree.get(`${FORM_QC}.xml`), tree.get(`${FORM_QC}_managed.xml`));
  const twins = [...tree.keys()].filter((p) => p.includes("_managed"));
  assert.equal(twins.length, 4, twins.join(", "));

  const all = await planPackAll(memSource("folder", "S", tree), { packageType: "both" });
  assert.deepEqual(all.map((x) => x.variant), ["unmanaged", "managed"]);
  const [pu, pm] = [await filesOf(all[0]!.plan), await filesOf(all[1]!.plan)];
  for (const [p, b] of u) assert.ok(pu.get(p)!.equals(b), `unmanaged ${p}`);
  for (const [p, b] of m) assert.ok(pm.get(p)!.equals(b), `managed ${p}`);
  // Without an explicit type, a "both" folder packs unmanaged (SolutionPackager's default).
  const def = await planPackAll(memSource("folder", "S", tree), {});
  assert.deepEqual(def.map((x) => x.variant), ["unmanaged"]);
});

test("package type mismatches are SOLUTION_PACKAGE_TYPE errors that say what the input is", async () => {
  await expectCode(planUnpack(memSource("zip", "m.zip", managedZip()), { packageType: "unmanaged" }), "SOLUTION_PACKAGE_TYPE", /m\.zip is a managed solution/);
  await expectCode(planUnpack(memSource("zip", "u.zip", unmanagedZip()), { packageType: "managed" }), "SOLUTION_PACKAGE_TYPE", /is an unmanaged solution/);
  const utree = await filesOf(await planUnpack(memSource("zip", "u.zip", unmanagedZip()), {}));
  await expectCode(planPackAll(memSource("folder", "u", utree), { packageType: "managed" }), "SOLUTION_PACKAGE_TYPE", /holds an unmanaged solution only/);
  await expectCode(planPackAll(memSource("folder", "u", utree), { packageType: "both" }), "SOLUTION_PACKAGE_TYPE", /cannot be packed as both/);
  await expectCode(planUnpackBoth(memSource("zip", "m.zip", managedZip()), memSource("zip", "m2.zip", managedZip())), "SOLUTION_PACKAGE_TYPE");
  const other = fixtureFiles("allkinds", { "solution.xml": [["<UniqueName>AllKinds</UniqueName>", "<UniqueName>Other</UniqueName>"], ["<Managed>0</Managed>", "<Managed>1</Managed>"]] });
  await expectCode(planUnpackBoth(memSource("zip", "S.zip", unmanagedZip()), memSource("zip", "S_managed.zip", other)), "SOLUTION_PACKAGE_TYPE", /same solution/);
});

test("CLI: --packagetype both unpacks Name.zip with Name_managed.zip and packs both zips", async () => {
  const work = tmp("dvsol-both-");
  try {
    await writeServerZip(path.join(work, "AllKinds.zip"), unmanagedZip());
    await writeServerZip(path.join(work, "AllKinds_managed.zip"), managedZip());
    const folder = path.join(work, "src");
    const un = dvsol(["unpack", path.join(work, "AllKinds.zip"), folder, "--packagetype", "both"]);
    assert.equal(un.code, 0, un.stderr);
    assert.ok(existsSync(path.join(folder, `${FORM_MAIN}_managed.xml`)));
    const out = path.join(work, "out", "AllKinds.zip");
    const p = dvsol(["pack", folder, out, "--packagetype", "both", "--json"]);
    assert.equal(p.code, 0, p.stderr);
    const j = JSON.parse(p.stdout);
    assert.deepEqual(j.outputs.map((o: { path: string; packageType: string }) => [path.basename(o.path), o.packageType]), [
      ["AllKinds.zip", "unmanaged"],
      ["AllKinds_managed.zip", "managed"],
    ]);
    const zu = await readZip(out);
    const zm = await readZip(path.join(work, "out", "AllKinds_managed.zip"));
    assert.ok(zu.get("customizations.xml")!.equals(unmanagedZip().get("customizations.xml")!));
    assert.ok(zm.get("customizations.xml")!.equals(managedZip().get("customizations.xml")!));
    assert.match(zm.get("solution.xml")!.toString(), /<Managed>1<\/Managed>/);
    // Giving the managed zip's name works too; a missing partner is named.
    const again = dvsol(["unpack", path.join(work, "AllKinds_managed.zip"), path.join(work, "src2"), "--packagetype", "both"]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(listTree(path.join(work, "src2")), listTree(folder));
    rmSync(path.join(work, "AllKinds_managed.zip"));
    const missing = dvsol(["unpack", path.join(work, "AllKinds.zip"), path.join(work, "src3"), "--packagetype", "both"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /error INPUT_NOT_FOUND: --packagetype both needs the managed zip .*AllKinds_managed\.zip/);
    // A mismatch through the CLI: exit 2, the code, and what to do.
    const bad = dvsol(["pack", folder, path.join(work, "x.zip"), "--packagetype", "managed"]);
    assert.equal(bad.code, 0, "a both folder packs managed");
    const m1 = dvsol(["unpack", path.join(work, "out", "AllKinds_managed.zip"), path.join(work, "m1"), "--packagetype", "unmanaged"]);
    assert.equal(m1.code, 2);
    assert.match(m1.stderr, /error SOLUTION_PACKAGE_TYPE: .* is a managed solution .*not unmanaged/);
    assert.match(m1.stderr, /hint: Pass --packagetype managed/);
    assert.equal(readFileSync(path.join(folder, "Other", "Solution.xml"), "utf8").match(/<Managed>(\d)<\/Managed>/)?.[1], "2");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
