// Registration files that describe real exports: applying them changes nothing (the file adopts what is
// there), and a change touches only the element it names; secrets already in a file are carried, never added.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { CORPUS, HAS_CORPUS, tmp } from "../helpers.js";
import { CSE_FOLDER, PL400_ZIP, changedPaths, copyOf, entryText, lineDiff, ok, pl400Skip, snapshot } from "../edit/helpers.js";
import { ZipReader } from "../../src/archive/index.js";
import { writeJson, type Json } from "./helpers.js";

const cseSkip: string | false = HAS_CORPUS && existsSync(CSE_FOLDER) ? false : `corpus not found at ${CORPUS}: skipped`;

test("corpus: a file describing PL400Demos 1.0.24 adopts it (nothing written); a rank change is one line", { skip: pl400Skip }, async () => {
  const dir = tmp("dvsol-reg-pl400-");
  const zip = copyOf(PL400_ZIP);
  const r = await ZipReader.open(zip);
  try {
    writeFileSync(path.join(dir, "DemoPlugin.dll"), await r.read(r.get("PluginAssemblies/DemoPlugin-DD8E53FA-2538-4593-8159-8772E309FFE9/DemoPlugin.dll")!));
  } finally {
    await r.close();
  }
  const reg: Json = {
    assemblies: [{ path: "DemoPlugin.dll", steps: [{ type: "DemoPlugin.ValidatePetTrick", message: "Create", entity: "dem_petrrick", stage: "prevalidation" }] }],
    endpoints: [
      {
        name: "trickqueue pl400demosajs202307",
        contract: "queue",
        namespace: "pl400demosajs202307",
        path: "trickqueue",
        sasKeyName: "All",
        messageFormat: "xml",
        steps: [{ message: "Create", entity: "dem_trick", stage: "postoperation", mode: "async" }],
      },
    ],
  };
  const regFile = writeJson(path.join(dir, "registration.json"), reg);
  const before = readFileSync(zip);
  assert.match(ok(["apply", zip, regFile, "--prune"]).stdout, /up to date/);
  assert.ok(readFileSync(zip).equals(before), "the zip is untouched");

  reg.assemblies[0].steps[0].rank = 2;
  writeJson(regFile, reg);
  const oldText = await entryText(zip, "customizations.xml");
  ok(["apply", zip, regFile]);
  const d = lineDiff(oldText, await entryText(zip, "customizations.xml"));
  assert.deepEqual(d.removed.map(([, l]) => l.trim()), ["<Rank>1</Rank>"]);
  assert.deepEqual(d.added.map(([, l]) => l.trim()), ["<Rank>2</Rank>"]);
  assert.ok(d.added[0]![1].endsWith("\r"), "the CRLF of the export is kept");
});

test("corpus: the CSE-Neutrino tree (webhook and queue in ServiceEndpoints.xml) is adopted; secrets stay where they are", { skip: cseSkip }, () => {
  const dir = tmp("dvsol-reg-cse-");
  const folder = copyOf(CSE_FOLDER, "cse");
  const step = (name: string, message: string) => ({ name, message, entity: "account", stage: "postoperation", mode: "async", asyncAutoDelete: true });
  const reg: Json = {
    endpoints: [
      {
        name: "Custom-Webhook-java-az-function",
        contract: "webhook",
        url: "https://dataversewebhookjava.azurewebsites.net/api/DataverseEventHandler",
        steps: [step("JavaAzureFunction: Delete of account", "Delete"), step("JavaAzureFunction: Update of account", "Update"), step("JavaAzureFunction: Create of account", "Create")],
      },
      {
        name: "Custom-ServiceBus-az-queue",
        contract: "queue",
        namespace: "sb://aymservicebus.servicebus.windows.net/",
        path: "accounts",
        userClaim: "userid",
        sasKeyName: "RootManageSharedAccessKey",
        steps: [step("az-dataverse-queue az-dataverse-bus: Update of account", "Update")],
      },
    ],
  };
  const regFile = writeJson(path.join(dir, "registration.json"), reg);
  const before = snapshot(folder);
  const same = ok(["apply", folder, regFile, "--prune"]);
  assert.match(same.stdout, /up to date/);
  assert.match(same.stdout, /SECRET_IN_ENDPOINT/, "the secrets already in the file are reported");
  assert.doesNotMatch(same.stdout + same.stderr, /REDACTED/, "and never printed");
  assert.deepEqual(changedPaths(before, snapshot(folder)), { added: [], removed: [], modified: [] });

  reg.endpoints[1].userClaim = "userinfo";
  writeJson(regFile, reg);
  ok(["apply", folder, regFile, "--prune"]);
  const after = snapshot(folder);
  assert.deepEqual(changedPaths(before, after).modified, ["PluginAssemblies/ServiceEndpoints.xml"]);
  const d = lineDiff(before.get("PluginAssemblies/ServiceEndpoints.xml")!.toString("utf8"), after.get("PluginAssemblies/ServiceEndpoints.xml")!.toString("utf8"));
  assert.deepEqual([d.removed.map(([, l]) => l.trim()), d.added.map(([, l]) => l.trim())], [["<UserClaim>2</UserClaim>"], ["<UserClaim>3</UserClaim>"]]);
  assert.match(after.get("PluginAssemblies/ServiceEndpoints.xml")!.toString("utf8"), /<SASKey>REDACTED-SAS-KEY<\/SASKey>/, "carried as it was");
});
