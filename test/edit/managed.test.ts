/**
 * EDIT_MANAGED_SOLUTION: an edit of a managed zip (an export or a build artifact) warns; an edit of a folder marked
 * managed (dvsol init --managed: the source of a managed release) does not.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { ROOT, dvsol, tmp } from "../helpers.js";

test("EDIT_MANAGED_SOLUTION on an edit of a managed zip, not on an edit of a folder made by init --managed", (t) => {
  const dir = tmp("dvsol-managed-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const folder = path.join(dir, "src");
  const dll = path.join(ROOT, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll");
  let r = dvsol(["init", folder, "--name", "ContosoPlugins", "--publisher", "contoso", "--prefix", "contoso", "--managed"]);
  assert.equal(r.code, 0, r.stderr);
  r = dvsol(["add", "assembly", folder, dll]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /EDIT_MANAGED_SOLUTION/, "an edit of the managed source folder warns");
  r = dvsol(["version", folder, "--bump", "build"]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /EDIT_MANAGED_SOLUTION/);

  const zip = path.join(dir, "ContosoPlugins_managed.zip");
  r = dvsol(["pack", folder, zip]);
  assert.equal(r.code, 0, r.stderr);
  r = dvsol(["version", zip, "--bump", "build"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /warning EDIT_MANAGED_SOLUTION: .*ContosoPlugins.* managed solution zip/);
});
