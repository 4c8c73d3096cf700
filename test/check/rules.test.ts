/**
 * Each rule of `dvsol check` on a small unpacked folder: one fixture proving it fires, one proving it
 * does not. Every test lists the exact codes it expects (sorted), so a rule that starts firing
 * elsewhere shows up.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadSolution } from "../../src/model/read.js";
import { checkSolution, type CheckResult } from "../../src/check/index.js";
import { allFindingCodes, findingMessage } from "../../src/findings/catalog.js";
import { pack } from "../../src/ops/unpack.js";
import { ROOT, tmp } from "../helpers.js";
import { CREATE, DELETE, RETRIEVE_MULTIPLE, SAMPLE_TYPES, TOKEN, UPDATE, defaultAssembly, makeSolution, type SolutionSpec, type StepSpec } from "./fixture.js";

const FIXTURES = path.join(ROOT, "test", "fixtures", "assemblies", "bin");
const WEBHOOK_TYPE = "Microsoft.Crm.ServiceBus.WebhookPlugin, Microsoft.Crm.ServiceBus, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35";
const WEBHOOK_TYPE_ID = "fe4f0cdb-b254-4fa1-84f6-d58d0759b8b3";
const EP = "9f40b73d-331b-ee11-9cbd-000d3a53fc2c";

async function checkAt(location: string): Promise<CheckResult> {
  const sol = await loadSolution(location);
  try {
    return await checkSolution(sol);
  } finally {
    await sol.source.close();
  }
}

async function run(spec: SolutionSpec): Promise<CheckResult> {
  const dir = makeSolution(spec);
  try {
    const r = await checkAt(dir);
    // Every finding can be worded and points at a file and line of the fixture.
    for (const f of r.findings) {
      assert.ok(findingMessage(f).length > 0);
      assert.ok(f.component?.kind, `${f.code} has a component`);
      assert.equal(f.location?.file, dir, `${f.code} names the solution`);
      assert.ok(f.location?.entry && typeof f.location.line === "number", `${f.code} has entry and line`);
    }
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function codes(spec: SolutionSpec): Promise<string[]> {
  return (await run(spec)).findings.map((f) => f.code).sort();
}

/** One step, merged over the default step. */
const step = (s: StepSpec): SolutionSpec => ({ steps: [s] });
const noImages = { images: [] };

describe("baseline", () => {
  test("the default fixture (signed DLL, Update step with filter and pre-image, workflow activity with a display name) is clean", async () => {
    assert.deepEqual(await codes({}), []);
  });
  test("an old export without ids (assembly, types, step PluginTypeId; RootComponent by schemaName only) is clean", async () => {
    const asm = { ...defaultAssembly(), id: null, types: SAMPLE_TYPES.map((t) => ({ ...t, id: null })) };
    assert.deepEqual(await codes({ assemblies: [asm], steps: [{ pluginTypeId: null, description: null }] }), []);
  });
});

describe("stage and mode", () => {
  test("STEP_ASYNC_NOT_POSTOPERATION fires for an async step in PreOperation", async () => {
    assert.deepEqual(await codes(step({ mode: 1, stage: 20 })), ["STEP_ASYNC_NOT_POSTOPERATION"]);
  });
  test("an async step in PostOperation is fine", async () => {
    assert.deepEqual(await codes(step({ mode: 1, stage: 40 })), []);
  });
  test("STEP_STAGE_RESERVED fires for stage 25; 30 is STEP_STAGE_MAINOPERATION (info); 50 STEP_STAGE_DEPRECATED", async () => {
    assert.deepEqual(await codes(step({ stage: 25 })), ["STEP_STAGE_RESERVED"]);
    assert.deepEqual(await codes(step({ stage: 30 })), ["STEP_STAGE_MAINOPERATION"]);
    assert.deepEqual(await codes(step({ stage: 50 })), ["STEP_STAGE_DEPRECATED"]);
    // Stage 50 is a (deprecated) post-operation stage: not reported again as async outside PostOperation.
    assert.deepEqual(await codes(step({ stage: 50, mode: 1 })), ["STEP_STAGE_DEPRECATED"]);
  });
  test("stages 10, 20 and 40 are fine", async () => {
    for (const stage of [10, 20, 40]) assert.deepEqual(await codes(step({ stage })), [], `stage ${stage}`);
  });
});

describe("message resolution", () => {
  test("STEP_NO_MESSAGE fires for a step with neither SdkMessageId nor SdkMessageName", async () => {
    assert.deepEqual(await codes(step({ messageId: null })), ["STEP_NO_MESSAGE"]);
  });
  test("a custom API step with an empty SdkMessageId and an SdkMessageName is fine (Education accelerator shape)", async () => {
    assert.deepEqual(await codes(step({ messageId: null, messageName: "contoso_Clone", entity: null, filter: "", ...noImages, name: "Contoso.Plugins.AccountPostUpdate: contoso_Clone of any Entity" })), []);
  });
  test("rules that depend on the message do not fire for an unknown message id with an unhelpful name", async () => {
    const unknown = "4ff7e798-1c70-e811-a95c-000d3a18b000";
    assert.deepEqual(await codes(step({ messageId: unknown, name: "Render report", description: null, entity: null, filter: "name", images: [{ alias: "Pre", type: 0, prop: "Whatever", attributes: "" }] })), [
      "IMAGE_ALL_COLUMNS",
    ]);
  });
  test("an unknown message id with a 'Type: Update of account' name is treated as Update, and says so", async () => {
    const r = await run(step({ messageId: "11111111-2222-4333-8444-555555555555", filter: "" }));
    assert.deepEqual(r.findings.map((f) => f.code), ["STEP_UPDATE_NO_FILTER"]);
    assert.equal(r.findings[0]!.args.messageSource, "name");
    assert.match(findingMessage(r.findings[0]!), /message taken from the step's name/);
  });
  test("the description is the last fallback", async () => {
    const r = await run(step({ messageId: "11111111-2222-4333-8444-555555555555", name: "account sync", description: "Contoso: Update of account", filter: "" }));
    assert.deepEqual(r.findings.map((f) => [f.code, f.args.messageSource]), [["STEP_UPDATE_NO_FILTER", "description"]]);
  });
});

describe("message and table", () => {
  test("STEP_NO_PRIMARY_ENTITY fires for Update without a table", async () => {
    assert.deepEqual(await codes(step({ entity: null, name: "Contoso.Plugins.AccountPostUpdate: Update of any Entity" })), ["STEP_NO_PRIMARY_ENTITY"]);
  });
  test("a custom message without a table is fine", async () => {
    assert.deepEqual(await codes(step({ messageId: null, messageName: "contoso_Recalculate", entity: null, filter: "", ...noImages })), []);
  });
  test("STEP_FILTER_WRONG_MESSAGE fires for filtering attributes on Create", async () => {
    assert.deepEqual(await codes(step({ messageId: CREATE, name: "P: Create of account", ...noImages })), ["STEP_FILTER_WRONG_MESSAGE"]);
  });
  test("filtering attributes on Update are fine", async () => {
    assert.deepEqual(await codes(step({ filter: "name" })), []);
  });
  test("STEP_FILTER_PRIMARY_KEY fires for <table>id, and activityid on activity tables", async () => {
    assert.deepEqual(await codes(step({ filter: "name,accountid" })), ["STEP_FILTER_PRIMARY_KEY"]);
    assert.deepEqual(await codes(step({ entity: "email", filter: "subject,activityid", images: [{ alias: "Pre", type: 0, attributes: "subject" }] })), ["STEP_FILTER_PRIMARY_KEY"]);
  });
  test("a filter on another table's id is fine", async () => {
    assert.deepEqual(await codes(step({ filter: "primarycontactid,parentaccountid" })), []);
  });
  test("STEP_UPDATE_NO_FILTER fires for an Update step without filtering attributes", async () => {
    assert.deepEqual(await codes(step({ filter: "" })), ["STEP_UPDATE_NO_FILTER"]);
  });
  test("a Delete step without filtering attributes is fine", async () => {
    assert.deepEqual(await codes(step({ messageId: DELETE, name: "P: Delete of account", filter: "", images: [{ alias: "Pre", type: 0, attributes: "name" }] })), []);
  });
});

describe("images", () => {
  test("IMAGE_UNSUPPORTED_MESSAGE fires for an image on RetrieveMultiple, and on a custom message", async () => {
    assert.deepEqual(await codes(step({ messageId: RETRIEVE_MULTIPLE, name: "P: RetrieveMultiple of account", filter: "" })), ["IMAGE_UNSUPPORTED_MESSAGE"]);
    assert.deepEqual(await codes(step({ messageId: null, messageName: "contoso_Recalculate", filter: "" })), ["IMAGE_UNSUPPORTED_MESSAGE"]);
  });
  test("IMAGE_PRE_ON_CREATE fires for a pre-image (and a both-image) on Create", async () => {
    const create = { messageId: CREATE, name: "P: Create of account", filter: "" };
    assert.deepEqual(await codes(step({ ...create, images: [{ alias: "Pre", type: 0, prop: "id", attributes: "name" }] })), ["IMAGE_PRE_ON_CREATE"]);
    assert.deepEqual(await codes(step({ ...create, images: [{ alias: "Both", type: 2, prop: "id", attributes: "name" }] })), ["IMAGE_PRE_ON_CREATE"]);
  });
  test("a post-image on Create in PostOperation is fine, with MessagePropertyName id (exports) or Target (documentation)", async () => {
    for (const prop of ["id", "Target"]) {
      assert.deepEqual(await codes(step({ messageId: CREATE, name: "P: Create of account", filter: "", images: [{ alias: "Post", type: 1, prop, attributes: "name" }] })), [], prop);
    }
  });
  test("IMAGE_POST_ON_DELETE fires for a post-image on Delete", async () => {
    assert.deepEqual(await codes(step({ messageId: DELETE, name: "P: Delete of account", filter: "", images: [{ alias: "Post", type: 1, attributes: "name" }] })), ["IMAGE_POST_ON_DELETE"]);
  });
  test("IMAGE_POST_NOT_POSTOPERATION fires for a post-image in PreOperation", async () => {
    assert.deepEqual(await codes(step({ stage: 20, images: [{ alias: "Post", type: 1, attributes: "name" }] })), ["IMAGE_POST_NOT_POSTOPERATION"]);
    assert.deepEqual(await codes(step({ stage: 10, images: [{ alias: "Both", type: 2, attributes: "name" }] })), ["IMAGE_POST_NOT_POSTOPERATION"]);
  });
  test("pre- and post-images on Update in PostOperation are fine", async () => {
    assert.deepEqual(await codes(step({ images: [{ alias: "Both", type: 2, attributes: "name" }] })), []);
  });
  test("IMAGE_ALL_COLUMNS fires for an image without attributes", async () => {
    assert.deepEqual(await codes(step({ images: [{ alias: "Pre", type: 0, attributes: "" }] })), ["IMAGE_ALL_COLUMNS"]);
  });
  test("IMAGE_DUPLICATE_ALIAS fires for two pre-images with one alias", async () => {
    assert.deepEqual(
      await codes(step({ images: [{ alias: "img", type: 0, attributes: "name" }, { alias: "img", type: 2, attributes: "name" }] })),
      ["IMAGE_DUPLICATE_ALIAS"],
    );
  });
  test("a pre-image and a post-image may share an alias (different collections)", async () => {
    assert.deepEqual(await codes(step({ images: [{ alias: "img", type: 0, attributes: "name" }, { alias: "img", type: 1, attributes: "name" }] })), []);
  });
  test("IMAGE_WRONG_PROPERTY fires for an Update image on 'id'", async () => {
    assert.deepEqual(await codes(step({ images: [{ alias: "Pre", type: 0, prop: "id", attributes: "name" }] })), ["IMAGE_WRONG_PROPERTY"]);
  });
});

describe("execution order", () => {
  const two = (a: StepSpec, b: StepSpec): SolutionSpec => ({ steps: [a, { name: "Contoso.Plugins.ContactPreUpdate: Update of account", type: "Contoso.Plugins.ContactPreUpdate", ...b }] });
  test("STEP_SAME_RANK fires on both synchronous steps of one event with the same rank", async () => {
    const r = await run(two({}, {}));
    assert.deepEqual(r.findings.map((f) => f.code), ["STEP_SAME_RANK", "STEP_SAME_RANK"]);
    assert.match(findingMessage(r.findings[0]!), /ContactPreUpdate/);
  });
  test("asynchronous steps with the same rank, or a sync and an async one, are not compared", async () => {
    assert.deepEqual(await codes(two({ mode: 1 }, { mode: 1 })), []);
    assert.deepEqual(await codes(two({ mode: 0 }, { mode: 1 })), []);
  });
  test("steps on different tables or stages are not compared", async () => {
    assert.deepEqual(await codes(two({}, { entity: "contact" })), []);
    assert.deepEqual(await codes(two({}, { stage: 20 })), []);
  });
  test("STEP_DEFAULT_RANK (info) fires for the step left at rank 1 beside a ranked one", async () => {
    const r = await run(two({ rank: 1 }, { rank: 2 }));
    assert.deepEqual(r.findings.map((f) => [f.code, f.severity, f.component?.name]), [["STEP_DEFAULT_RANK", "info", "Contoso.Plugins.AccountPostUpdate: Update of account"]]);
  });
  test("explicit ranks are fine", async () => {
    assert.deepEqual(await codes(two({ rank: 2 }, { rank: 3 })), []);
  });
});

describe("tables and settings", () => {
  test("STEP_SYSTEMUSER_CREATE_SYNC fires for a synchronous step on Create of systemuser", async () => {
    assert.deepEqual(await codes(step({ messageId: CREATE, name: "P: Create of systemuser", entity: "systemuser", filter: "", ...noImages })), ["STEP_SYSTEMUSER_CREATE_SYNC"]);
  });
  test("an asynchronous PostOperation step on Create of systemuser is fine (VendorIntegration shape)", async () => {
    assert.deepEqual(await codes(step({ messageId: CREATE, name: "P: Create of systemuser", entity: "systemuser", filter: "", mode: 1, images: [{ alias: "PostImage", type: 1, prop: "id", attributes: "fullname,domainname" }] })), []);
  });
  test("STEP_ADDRESS_ENTITY fires for customeraddress", async () => {
    assert.deepEqual(await codes(step({ entity: "customeraddress" })), ["STEP_ADDRESS_ENTITY"]);
  });
  test("STEP_SECONDARY_ENTITY fires for a secondary table; 'none' is fine", async () => {
    assert.deepEqual(await codes(step({ secondary: "contact" })), ["STEP_SECONDARY_ENTITY"]);
    assert.deepEqual(await codes(step({ secondary: "none" })), []);
  });
  test("STEP_OUTLOOK_OFFLINE fires for SupportedDeployment 1 and 2; 0 is fine", async () => {
    assert.deepEqual(await codes(step({ deployment: 2 })), ["STEP_OUTLOOK_OFFLINE"]);
    assert.deepEqual(await codes(step({ deployment: 1 })), ["STEP_OUTLOOK_OFFLINE"]);
    assert.deepEqual(await codes(step({ deployment: 0 })), []);
  });
  test("STEP_IMPERSONATION fires for ImpersonatingUserIdName", async () => {
    assert.deepEqual(await codes(step({ impersonate: "SYSTEM" })), ["STEP_IMPERSONATION"]);
  });
});

describe("service endpoints", () => {
  const hook = (s: StepSpec): StepSpec => ({ name: "hook: Update of account", pluginTypeName: WEBHOOK_TYPE, pluginTypeId: WEBHOOK_TYPE_ID, eventHandler: EP, ...noImages, ...s });
  test("STEP_SYNC_ENDPOINT (info) fires for a synchronous step bound to an endpoint", async () => {
    assert.deepEqual(await codes({ steps: [hook({ mode: 0 })], endpoints: [{ id: EP, name: "hook" }] }), ["STEP_SYNC_ENDPOINT"]);
  });
  test("an asynchronous endpoint step is fine (and its Microsoft.Crm.ServiceBus type is built in)", async () => {
    assert.deepEqual(await codes({ steps: [hook({ mode: 1 })], endpoints: [{ id: EP, name: "hook" }] }), []);
  });
  test("STEP_ENDPOINT_MISSING fires when the endpoint is neither in the solution nor a missing dependency", async () => {
    assert.deepEqual(await codes({ steps: [hook({ mode: 1 })] }), ["STEP_ENDPOINT_MISSING"]);
  });
  test("an endpoint recorded as a missing dependency is fine", async () => {
    const md = `<MissingDependency><Required type="95" displayName="hook" id="{${EP}}" solution="Hooks (1.0.0.0)" /><Dependent type="92" displayName="hook: Update of account" id="{7c1d0000-0000-4000-8000-000000000001}" /></MissingDependency>`;
    assert.deepEqual(await codes({ steps: [hook({ mode: 1 })], missingDependencies: [md] }), []);
  });
  test("SECRET_IN_ENDPOINT (raised while reading) is part of the result", async () => {
    assert.deepEqual(await codes({ steps: [hook({ mode: 1 })], endpoints: [{ id: EP, name: "hook", secret: true }] }), ["SECRET_IN_ENDPOINT"]);
  });
});

describe("references and root components", () => {
  test("STEP_TYPE_MISSING fires for a step whose type no assembly registers", async () => {
    assert.deepEqual(await codes(step({ pluginTypeName: `Contoso.Plugins.Gone, Contoso.Plugins, Version=1.0.0.0, Culture=neutral, PublicKeyToken=${TOKEN}`, pluginTypeId: "2b2b2b2b-0000-4000-8000-000000000001" })), ["STEP_TYPE_MISSING"]);
  });
  test("a type found by class when PluginTypeId is absent, or declared as a missing dependency, is fine", async () => {
    assert.deepEqual(await codes(step({ pluginTypeId: null })), []);
    const other = "Fabrikam.Plugins.Audit, Fabrikam.Plugins, Version=2.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef";
    const md = `<MissingDependency><Required type="91" schemaName="Fabrikam.Plugins, Version=2.0.0.0, Culture=neutral, PublicKeyToken=0123456789abcdef" displayName="Fabrikam.Plugins" solution="Fabrikam (2.0.0.0)" /><Dependent type="92" displayName="audit" id="{7c1d0000-0000-4000-8000-000000000001}" /></MissingDependency>`;
    assert.deepEqual(await codes({ steps: [{ pluginTypeName: other, pluginTypeId: "2b2b2b2b-0000-4000-8000-000000000002" }], missingDependencies: [md] }), []);
  });
  test("ROOT_WITHOUT_COMPONENT fires for root components of a step, an endpoint and an assembly that are not there", async () => {
    const extraRoots = [
      `<RootComponent type="92" id="{3c3c3c3c-0000-4000-8000-000000000001}" behavior="0" />`,
      `<RootComponent type="95" id="{3c3c3c3c-0000-4000-8000-000000000002}" behavior="0" />`,
      `<RootComponent type="91" id="{3c3c3c3c-0000-4000-8000-000000000003}" schemaName="Fabrikam.Plugins, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null" behavior="0" />`,
    ];
    assert.deepEqual(await codes({ extraRoots }), ["ROOT_WITHOUT_COMPONENT", "ROOT_WITHOUT_COMPONENT", "ROOT_WITHOUT_COMPONENT"]);
  });
  test("COMPONENT_WITHOUT_ROOT fires for a step and an assembly without a RootComponent", async () => {
    assert.deepEqual(await codes(step({ root: false })), ["COMPONENT_WITHOUT_ROOT"]);
    assert.deepEqual(await codes({ assemblies: [{ root: false }] }), ["COMPONENT_WITHOUT_ROOT"]);
  });
});

describe("assemblies", () => {
  test("ASSEMBLY_NOT_SANDBOXED fires for IsolationMode 1", async () => {
    assert.deepEqual(await codes({ assemblies: [{ isolation: 1 }] }), ["ASSEMBLY_NOT_SANDBOXED"]);
  });
  test("ASSEMBLY_NOT_DATABASE fires for SourceType 1 (disk); 4 (plug-in package) is fine", async () => {
    assert.deepEqual(await codes({ assemblies: [{ source: 1 }] }), ["ASSEMBLY_NOT_DATABASE"]);
    assert.deepEqual(await codes({ assemblies: [{ source: 4, dll: null }] }), []);
  });
  test("ASSEMBLY_VERSION_MISMATCH fires for each place that disagrees with FullName", async () => {
    const rootSchema = `Contoso.Plugins, Version=1.0.0.1, Culture=neutral, PublicKeyToken=${TOKEN}`;
    assert.deepEqual(await codes({ assemblies: [{ root: rootSchema }] }), ["ASSEMBLY_VERSION_MISMATCH"]);
    const types = SAMPLE_TYPES.map((t, i) => (i === 1 ? { ...t, version: "1.0.0.1" } : t));
    assert.deepEqual(await codes({ assemblies: [{ types }] }), ["ASSEMBLY_VERSION_MISMATCH"]);
    const r = await run(step({ pluginTypeName: `Contoso.Plugins.AccountPostUpdate, Contoso.Plugins, Version=1.0.0.1, Culture=neutral, PublicKeyToken=${TOKEN}` }));
    assert.deepEqual(r.findings.map((f) => [f.code, f.component?.kind, f.location?.entry]), [["ASSEMBLY_VERSION_MISMATCH", "step", "SdkMessageProcessingSteps/{7c1d0000-0000-4000-8000-000000000001}.xml"]]);
  });
  test("ASSEMBLY_DLL_UNMAPPED (info) for a folder without the DLL; ASSEMBLY_DLL_MISSING (error) for a zip without it", async () => {
    assert.deepEqual(await codes({ assemblies: [{ dll: null }] }), ["ASSEMBLY_DLL_UNMAPPED"]);
    const dir = makeSolution({ assemblies: [{ dll: null }] });
    const work = tmp();
    try {
      const zip = path.join(work, "s.zip");
      await pack(dir, zip);
      const r = await checkAt(zip);
      assert.deepEqual(r.findings.map((f) => [f.code, f.severity, f.location?.entry]), [["ASSEMBLY_DLL_MISSING", "error", "customizations.xml"]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });
  test("a zip packed with its DLL is clean", async () => {
    const dir = makeSolution({});
    const work = tmp();
    try {
      const zip = path.join(work, "s.zip");
      await pack(dir, zip);
      assert.deepEqual((await checkAt(zip)).findings.map((f) => f.code), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("the DLL against the XML", () => {
  test("ASSEMBLY_IDENTITY_MISMATCH fires when the XML says another version or token than the DLL", async () => {
    const r = await run({ assemblies: [{ version: "1.0.0.1" }] });
    assert.deepEqual(r.findings.map((f) => [f.code, f.args.field, f.args.dll, f.args.xml]), [["ASSEMBLY_IDENTITY_MISMATCH", "version", "1.0.0.0", "1.0.0.1"]]);
    assert.deepEqual(await codes({ assemblies: [{ token: "0123456789abcdef" }] }), ["ASSEMBLY_IDENTITY_MISMATCH"]);
  });
  test("ASSEMBLY_TYPE_NOT_IN_DLL fires for a registered class the DLL lacks; a workflow activity is matched by its class, not its display name", async () => {
    const r = await run({ assemblies: [{ types: [...SAMPLE_TYPES, { class: "Contoso.Plugins.Removed", id: "1a7e0a11-0000-4000-8000-000000000009" }] }] });
    assert.deepEqual(r.findings.map((f) => [f.code, f.args.type]), [["ASSEMBLY_TYPE_NOT_IN_DLL", "Contoso.Plugins.Removed"]]);
  });
  test("ASSEMBLY_DLL_UNREADABLE fires for a file that is not a .NET assembly, and for a reference assembly", async () => {
    assert.deepEqual(await codes({ assemblies: [{ dll: Buffer.from("MZ this is not a PE file") }] }), ["ASSEMBLY_DLL_UNREADABLE"]);
    const refOnly = readFileSync(path.join(FIXTURES, "Fixture.RefOnly.dll"));
    const r = await run({ assemblies: [{ name: "Fixture.RefOnly", version: "1.0.0.0", token: "3dee37e19adc03c6", dll: refOnly, types: [] }], steps: [] });
    assert.ok(r.findings.some((f) => f.code === "ASSEMBLY_DLL_UNREADABLE" && /reference assembly/.test(String(f.args.reason))));
  });
  test("the assembly reader's findings come along: ASSEMBLY_UNSIGNED for a delay-signed DLL", async () => {
    const dll = readFileSync(path.join(FIXTURES, "Fixture.DelaySigned.dll"));
    const types = [{ class: "Fixture.DelaySigned.DelayPlugin", id: "1a7e0a11-0000-4000-8000-0000000000d1" }];
    assert.deepEqual(await codes({ assemblies: [{ name: "Fixture.DelaySigned", version: "1.0.0.0", token: "3dee37e19adc03c6", dll, types }], steps: [] }), [
      "ASSEMBLY_TARGET_FRAMEWORK_UNKNOWN",
      "ASSEMBLY_UNSIGNED",
    ]);
  });
  test("a registered class the reader cannot determine is reported as undetermined, not as missing; unregistered ones are not reported", async () => {
    const dll = readFileSync(path.join(FIXTURES, "Fixture.Plugins.dll"));
    const types = [
      { class: "Fixture.DirectPlugin", id: "1a7e0a11-0000-4000-8000-0000000000f1" },
      { class: "Fixture.RemotePlugin", id: "1a7e0a11-0000-4000-8000-0000000000f2" },
      { class: "Fixture.Outer+InnerPlugin", id: "1a7e0a11-0000-4000-8000-0000000000f3" },
    ];
    const r = await run({ assemblies: [{ name: "Fixture.Plugins", version: "1.2.3.4", token: "3dee37e19adc03c6", dll, types }], steps: [] });
    assert.deepEqual(r.findings.map((f) => [f.code, f.args.type]), [["ASSEMBLY_UNDETERMINED_TYPE", "Fixture.RemotePlugin"]]);
  });
});

describe("duplicate ids", () => {
  test("STEP_DUPLICATE_ID fires once for two step files with one id (a copied file copies its image ids too)", async () => {
    assert.deepEqual(await codes({ steps: [{ id: "7c1d0000-0000-4000-8000-0000000000aa" }, { id: "7c1d0000-0000-4000-8000-0000000000aa", file: "copy.xml", rank: 2 }] }), [
      "IMAGE_DUPLICATE_ID",
      "STEP_DEFAULT_RANK",
      "STEP_DUPLICATE_ID",
    ]);
  });
  test("TYPE_DUPLICATE_ID, IMAGE_DUPLICATE_ID and ENDPOINT_DUPLICATE_ID fire for shared ids", async () => {
    const types = SAMPLE_TYPES.map((t, i) => (i === 2 ? { ...t, id: SAMPLE_TYPES[0]!.id } : t));
    assert.deepEqual(await codes({ assemblies: [{ types }] }), ["TYPE_DUPLICATE_ID"]);
    const img = "9a9a0000-0000-4000-8000-0000000000ee";
    assert.deepEqual(await codes(step({ images: [{ id: img, alias: "a", type: 0, attributes: "name" }, { id: img, alias: "b", type: 1, attributes: "name" }] })), ["IMAGE_DUPLICATE_ID"]);
    const hook: StepSpec = { pluginTypeName: WEBHOOK_TYPE, pluginTypeId: WEBHOOK_TYPE_ID, eventHandler: EP, mode: 1, ...noImages };
    assert.deepEqual(await codes({ steps: [hook], endpoints: [{ id: EP, name: "a" }, { id: EP, name: "b", root: false }] }), ["ENDPOINT_DUPLICATE_ID"]);
  });
});

test("every code a rule can emit is in the catalogue, with a title, why, fix and source", async () => {
  const { CHECK_FINDING_CODES } = await import("../../src/check/findings.js");
  const known = new Set(allFindingCodes());
  for (const c of CHECK_FINDING_CODES) assert.ok(known.has(c), c);
  // The rule modules name no code outside the list (guards against a typo'd code in a rule).
  const src = ["steps", "images", "references", "assemblies", "ids", "dll"].map((f) => readFileSync(path.join(ROOT, "src", "check", "rules", `${f}.ts`), "utf8")).join("\n");
  for (const m of src.matchAll(/"([A-Z]+_[A-Z_]+)"/g)) assert.ok(known.has(m[1]!), `rule code ${m[1]} is in the catalogue`);
});

test("checkSolution leaves the files untouched", async () => {
  const dir = makeSolution(step({ filter: "" }));
  try {
    const p = path.join(dir, "SdkMessageProcessingSteps", "{7c1d0000-0000-4000-8000-000000000001}.xml");
    const before = readFileSync(p);
    await checkAt(dir);
    assert.deepEqual(readFileSync(p), before);
    writeFileSync(p, before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
