/**
 * What `npm install dvsol` gives a new user: `npm pack` makes a package that installs into an empty
 * folder (dependencies from the npm cache the repository's own install filled), `npx dvsol --help` runs,
 * the library imports, and the sample scenario runs against the installed package.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ROOT, tmp } from "../helpers.js";

const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network|offline|ENOCACHE|cache mode is 'only-if-cached'/i;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false", ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", error: r.error };
}

const built = existsSync(path.join(ROOT, "dist", "cli", "main.js"));
const hasNpm = spawnSync("npm", ["--version"], { encoding: "utf8" }).status === 0;

test(
  "npm pack -> npm install into an empty project -> npx dvsol --help, import from \"dvsol\", the sample scenario",
  { skip: !built ? "dist/ not built (npm test builds it): skipped" : !hasNpm ? "npm not on PATH: skipped" : false },
  (t) => {
    const dir = tmp("dvsol-package-");
    t.after(() => rmSync(dir, { recursive: true, force: true }));

    // The package, as `npm publish` would make it (dist/ is already built: no prepare script).
    const pack = run("npm", ["pack", "--ignore-scripts", "--pack-destination", dir, "--json"], ROOT);
    assert.equal(pack.code, 0, pack.stderr);
    const info = JSON.parse(pack.stdout)[0] as { filename: string; files: { path: string }[] };
    const tgz = path.join(dir, info.filename);
    const shipped = info.files.map((f) => f.path);
    for (const f of ["bin/dvsol.js", "dist/index.js", "dist/index.d.ts", "dist/cli/main.js", "samples/scenario.mjs", "samples/registration.json", "samples/plugin/bin/2.0.0.0/Contoso.Plugins.dll", "templates/report.html", "README.md", "docs/commands/README.md"]) {
      assert.ok(shipped.includes(f), `the package holds ${f}`);
    }
    for (const f of shipped) assert.ok(!/^(samples\/out|test|bench|src)\//.test(f), `the package leaves out ${f}`);

    // An empty project installs it.
    const proj = path.join(dir, "project");
    mkdirSync(proj);
    writeFileSync(path.join(proj, "package.json"), JSON.stringify({ name: "dvsol-tryout", version: "1.0.0", private: true, type: "module" }, null, 2));
    const install = run("npm", ["install", tgz, "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], proj);
    if (install.code !== 0 && NETWORK.test(install.stderr)) {
      t.skip(`npm could reach neither the registry nor a cache holding dvsol's dependencies: ${install.stderr.split("\n").find((l) => NETWORK.test(l))?.trim()}`);
      return;
    }
    assert.equal(install.code, 0, install.stderr);
    assert.ok(existsSync(path.join(proj, "node_modules", "dvsol", "bin", "dvsol.js")));

    // The command a user types first.
    const help = run("npx", ["dvsol", "--help"], proj);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: dvsol \[options\] \[command\]/);
    for (const c of ["unpack", "pack", "inspect", "check", "impact", "init", "apply", "add"]) assert.match(help.stdout, new RegExp(`^  ${c}\\b`, "m"), c);

    // The library, as docs/api.md shows it.
    const lib = run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { loadSolution, inspectSolution, readAssemblyFile, checkSolution, impact } from "dvsol";
         const a = await readAssemblyFile("node_modules/dvsol/samples/plugin/bin/1.0.0.0/Contoso.Plugins.dll");
         console.log(a.fullName, typeof loadSolution, typeof inspectSolution, typeof checkSolution, typeof impact);`,
      ],
      proj,
    );
    assert.equal(lib.code, 0, lib.stderr);
    assert.match(lib.stdout, /^Contoso\.Plugins, Version=1\.0\.0\.0, .* function function function function/);

    // The sample scenario, against the installed package.
    const out = path.join(dir, "out");
    const scenario = run(process.execPath, [path.join(proj, "node_modules", "dvsol", "samples", "scenario.mjs"), "--out", out], proj);
    assert.equal(scenario.code, 0, scenario.stdout + scenario.stderr);
    assert.match(scenario.stdout, /verdict: {6}attention/);
    assert.deepEqual(readdirSync(out).sort(), ["ContosoPlugins_1_0_0_0_managed.zip", "ContosoPlugins_1_1_0_0_managed.zip", "impact.html", "impact.md", "work"]);
  },
);
