/**
 * Secrets in service endpoints (SASKey, SASToken, AuthValue), which Dataverse never exports: every command
 * that reads such a solution warns SECRET_IN_ENDPOINT (inspect, unpack, pack, impact on stderr; check in its
 * report; edits in their findings), never prints the value, carries an existing secret through untouched
 * (lossless), and never writes a new one (edit options and addresses that carry a key are refused).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { ZipReader } from "../../src/archive/index.js";
import { tmp } from "../helpers.js";
import { assertRefused, assertSameTree, dvsolAsync, sampleSolution, SECRET_VALUE, treeHash, writeSolutionZip, type GenEndpoint } from "./gen.js";

function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = tmp("dvsol-rel-sec-");
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function entry(zip: string, name: string): Promise<Buffer> {
  const z = await ZipReader.open(zip);
  try {
    return await z.read(z.get(name)!);
  } finally {
    await z.close();
  }
}

const WARNING = /warning SECRET_IN_ENDPOINT: service endpoint "queue contoso" contains (SASKey|SASToken|AuthValue)/;

describe("secrets in service endpoints", { concurrency: 3 }, () => {
  for (const secrets of [["SASKey"], ["SASToken"], ["AuthValue"], ["SASKey", "SASToken"]] as GenEndpoint["secrets"][]) {
    test(`${secrets.join(" + ")}: every command warns, none prints the value, unpack/pack/edits carry it untouched`, async (t) => {
      const dir = scratch(t);
      const s = sampleSolution();
      s.endpoints[0]!.secrets = secrets;
      const zip = await writeSolutionZip(path.join(dir, "Secret.zip"), s);
      const clean = await writeSolutionZip(path.join(dir, "Clean.zip"));
      const folder = path.join(dir, "folder");
      const back = path.join(dir, "back.zip");
      const edited = path.join(dir, "edited.zip");
      const runs: [string[], "stderr" | "stdout", number][] = [
        [["inspect", zip], "stderr", 0],
        [["inspect", zip, "--json"], "stderr", 0],
        [["unpack", zip, folder], "stderr", 0],
        [["inspect", folder], "stderr", 0],
        [["pack", folder, back], "stderr", 0],
        [["check", zip, "--fail-on", "never"], "stdout", 0],
        [["check", folder, "--format", "json", "--fail-on", "never"], "stdout", 0],
        [["impact", clean, zip], "stderr", 0],
        [["impact", zip, clean, "--format", "json"], "stderr", 0],
        [["version", zip, "--bump", "build", "--out", edited], "stdout", 0],
        [["disable", "step", folder, "AccountCreate: Create of account"], "stdout", 0],
      ];
      for (const [args, where, code] of runs) {
        const r = await dvsolAsync(args);
        assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
        const text = where === "stderr" ? r.stderr : r.stdout;
        if (args.includes("json") && where === "stdout") assert.match(text, /"code": "SECRET_IN_ENDPOINT"/, args.join(" "));
        else assert.match(text, args[0] === "check" || args[0] === "version" || args[0] === "disable" ? /SECRET_IN_ENDPOINT/ : WARNING, `${args.join(" ")} gave no warning on ${where}`);
        assert.ok(!(r.stdout + r.stderr).includes(SECRET_VALUE), `${args.join(" ")} printed the secret value`);
      }
      // Lossless: the secret's element and value come back byte for byte (never dropped, never changed).
      const original = await entry(zip, "customizations.xml");
      assert.ok((await entry(back, "customizations.xml")).equals(original), "unpack + pack changed customizations.xml");
      assert.ok((await entry(edited, "customizations.xml")).equals(original), "an edit of the version changed customizations.xml");
      for (const el of secrets) assert.ok(fs.readFileSync(path.join(folder, "PluginAssemblies", "ServiceEndpoints.xml"), "utf8").includes(`<${el}>${SECRET_VALUE}</${el}>`));
    });
  }

  test("edits never write a secret: --sas-key, --sas-token, --auth-value and keys in --url are refused, nothing changes", async (t) => {
    const dir = scratch(t);
    const zip = await writeSolutionZip(path.join(dir, "S.zip"));
    const folder = path.join(dir, "folder");
    assert.equal((await dvsolAsync(["unpack", zip, folder])).code, 0);
    const queue = (f: string) => ["add", "endpoint", f, "--name", "orders", "--contract", "queue", "--namespace", "contosobus", "--path", "orders", "--sas-key-name", "send"];
    const hook = (f: string, url: string) => ["add", "endpoint", f, "--name", "hook", "--contract", "webhook", "--url", url];
    const before = treeHash(dir);
    for (const target of [zip, folder]) {
      for (const args of [
        [...queue(target), "--sas-key", SECRET_VALUE],
        [...queue(target), "--auth", "sas-token", "--sas-token", SECRET_VALUE],
        [...hook(target, "https://contoso.example/api/orders"), "--auth-value", SECRET_VALUE],
        hook(target, `https://contoso.azurewebsites.net/api/orders?code=${SECRET_VALUE}`),
        hook(target, `https://contoso.blob.core.windows.net/c?sv=2022-11-02&sig=${SECRET_VALUE}`),
        hook(target, `https://user:${SECRET_VALUE}@contoso.example/api`),
      ]) {
        const r = await dvsolAsync(args);
        assertRefused(r, "USAGE_BAD_OPTION", args.join(" "));
        assert.match(r.stderr, /secret/);
        assert.ok(!(r.stdout + r.stderr).includes(SECRET_VALUE), "the refusal repeats the secret");
        assertSameTree(before, treeHash(dir), args.join(" "));
      }
    }
    // Without a secret the endpoint is written, with no secret element at all.
    const r = await dvsolAsync(queue(folder));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /EDIT_ENDPOINT_SECRET_NEEDED/);
    const eps = fs.readFileSync(path.join(folder, "PluginAssemblies", "ServiceEndpoints.xml"), "utf8");
    assert.doesNotMatch(eps, /<(SASKey|SASToken|AuthValue)>/);
  });
});
