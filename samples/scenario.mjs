#!/usr/bin/env node
/**
 * The sample scenario (`npm run samples`): a release engineer's first hour with dvsol, on the bundled
 * sample plug-in (samples/plugin). Every step is a dvsol command, printed before it runs, exactly as you
 * would type it from the package's folder. Needs Node.js only: no .NET, no Dataverse, no network.
 *
 *   release 1  dvsol init (a managed solution) -> dvsol apply samples/registration.json -> dvsol pack
 *   release 2  in-place assembly upgrade (1.0.1.0), major upgrade (2.0.0.0, --repoint --retire-old),
 *              a new step, a removed step, a Service Bus endpoint with an asynchronous step bound to it,
 *              the solution version bumped, dvsol check (and a fix), dvsol pack
 *   report     dvsol impact release-1.zip release-2.zip as HTML and Markdown in samples/out/
 *
 * Usage: node samples/scenario.mjs [--out <dir>] [--full]
 *   --out <dir>  where to write (default: samples/out next to this file); <dir>/work is emptied first
 *   --full       print every command's whole output (default: the first lines of long outputs)
 *
 * Deterministic: run it twice, get the same bytes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url)); // <package>/samples
const root = path.dirname(here); // <package>
const bin = path.join(root, "bin", "dvsol.js");

const args = process.argv.slice(2);
let outDir = path.join(here, "out");
let full = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out" && args[i + 1]) outDir = path.resolve(args[++i]);
  else if (args[i] === "--full") full = true;
  else if (args[i] === "--help" || args[i] === "-h") {
    console.log("Usage: node samples/scenario.mjs [--out <dir>] [--full]");
    process.exit(0);
  } else {
    console.error(`scenario: unknown argument ${args[i]} (usage: node samples/scenario.mjs [--out <dir>] [--full])`);
    process.exit(2);
  }
}
if (!existsSync(path.join(root, "dist", "cli", "main.js"))) {
  console.error("scenario: dvsol is not built: run `npm run build` first (or `npm run samples`, which builds).");
  process.exit(1);
}

// Commands run from the package folder, so that the paths printed are the ones you would type there.
const show = (p) => {
  const r = path.relative(root, p);
  return r && !r.startsWith("..") && !path.isAbsolute(r) ? r.split(path.sep).join("/") : p;
};
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, "\\$1")}"`);

const work = path.join(outDir, "work");
const folder = path.join(work, "ContosoPlugins");
const dll = (v) => path.join(here, "plugin", "bin", v, "Contoso.Plugins.dll");
const r1 = path.join(outDir, "ContosoPlugins_1_0_0_0_managed.zip");
const r2 = path.join(outDir, "ContosoPlugins_1_1_0_0_managed.zip");
const html = path.join(outDir, "impact.html");
const md = path.join(outDir, "impact.md");
const F = show(folder);

const MAX_LINES = 12;

/** Runs one dvsol command as a user would, printing it first; stops the scenario if it fails. */
function dvsol(argv, { expect = [0], print = true } = {}) {
  const line = ["dvsol", ...argv].map(quote).join(" ");
  if (print) console.log(`\n$ ${line}`);
  const r = spawnSync(process.execPath, [bin, ...argv], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", CI: process.env.CI ?? "" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (print) {
    const lines = (r.stdout ?? "").replace(/\n$/, "").split("\n").filter((l, i, all) => l || all.length > 1);
    const shown = full || lines.length <= MAX_LINES ? lines : [...lines.slice(0, MAX_LINES - 2), `... (${lines.length - MAX_LINES + 1} more lines: run it yourself, or npm run samples -- --full)`, lines.at(-1)];
    for (const l of shown) if (l !== undefined) console.log(`  ${l}`);
    for (const l of (r.stderr ?? "").replace(/\n$/, "").split("\n")) if (l) console.log(`  (stderr) ${l}`);
  }
  if (!expect.includes(r.status ?? -1)) {
    if (!print) console.error(`$ ${line}\n${r.stdout}\n${r.stderr}`);
    console.error(`scenario: \`${line}\` exited ${r.status ?? r.signal}, expected ${expect.join(" or ")}: stopping.`);
    process.exit(1);
  }
  return r;
}

const section = (title, text) => {
  console.log(`\n== ${title}`);
  if (text) console.log(text);
};

console.log(`dvsol sample scenario: two releases of the ContosoPlugins solution and the upgrade impact of the second`);
console.log(`(commands run from ${root}; output in ${show(outDir)}/)`);
rmSync(work, { recursive: true, force: true });
for (const f of [r1, r2, html, md]) rmSync(f, { force: true });
mkdirSync(work, { recursive: true });

// ---- release 1 ------------------------------------------------------------------------------------------------
section(
  "Release 1: a new solution, plug-ins registered from a file in git",
  "A managed solution folder (so that `dvsol pack` writes the managed zip you ship), then the registration in\n" +
    "samples/registration.json: the 1.0.0.0 assembly and three steps, with images and configuration.\n" +
    "(Each edit of a managed folder warns EDIT_MANAGED_SOLUTION: expected here.)",
);
dvsol(["init", F, "--name", "ContosoPlugins", "--display-name", "Contoso Plug-ins", "--publisher", "contoso", "--prefix", "contoso", "--managed"]);
dvsol(["apply", F, show(path.join(here, "registration.json"))]);
dvsol(["pack", F, show(r1)]);

// ---- release 2 ------------------------------------------------------------------------------------------------
section("Release 2: the same folder, changed the way a team changes it");
console.log("\nAn in-place upgrade: 1.0.1.0 changes only the build number (and adds the type ContactPostCreate).");
dvsol(["add", "assembly", F, show(dll("1.0.1.0"))]);
console.log("\nA major version: 2.0.0.0 is a new assembly for Dataverse; move the steps to it and retire 1.0.1.0.");
dvsol(["add", "assembly", F, show(dll("2.0.0.0")), "--repoint", "--retire-old"]);
console.log("\nA new step for the new type, and a step the team no longer wants.");
dvsol(["add", "step", F, "--type", "ContactPostCreate", "--message", "Create", "--entity", "contact", "--stage", "postoperation", "--mode", "async", "--async-auto-delete"]);
dvsol(["remove", "step", F, "Contoso.Plugins.ContactPreUpdate: Update of contact"]);
console.log("\nA Service Bus queue, and an asynchronous step that posts order changes to it (the SAS key is never written).");
dvsol(["add", "endpoint", F, "--name", "Contoso orders", "--contract", "queue", "--namespace", "contoso-orders", "--path", "orders", "--sas-key-name", "DataverseSend"]);
dvsol(["add", "step", F, "--endpoint", "Contoso orders", "--message", "Update", "--entity", "salesorder", "--stage", "postoperation", "--mode", "async", "--async-auto-delete"]);
console.log("\nA higher solution version: an upgrade must carry one.");
dvsol(["version", F, "--bump", "minor"]);
console.log("\nCheck before shipping: the new Update step has no filtering attributes, so it would fire on every update.");
dvsol(["check", F]);
dvsol(["update", "step", F, "Contoso orders: Update of salesorder", "--filter", "statecode,totalamount"]);
dvsol(["check", F, "--fail-on", "warning"]);
console.log("\nWhat release 2 holds, and its zip.");
dvsol(["inspect", F]);
dvsol(["pack", F, show(r2)]);

// ---- impact ---------------------------------------------------------------------------------------------------
section("Before anyone imports it: what installing release 2 over release 1 will do");
dvsol(["impact", show(r1), show(r2), "--format", "html", "--out", show(html)]);
dvsol(["impact", show(r1), show(r2), "--format", "markdown", "--out", show(md)]);

const report = JSON.parse(dvsol(["impact", show(r1), show(r2), "--json"], { print: false }).stdout);
const s = report.summary;
const counts = (o) =>
  Object.entries(o)
    .filter(([, n]) => n)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ") || "none";
section("Summary");
console.log(`  verdict:      ${report.verdict} (${s.reasons.error} blocking, ${s.reasons.warning} to act on, ${s.reasons.info} for information)`);
console.log(`  solution:     ${report.incoming.uniqueName} ${report.installed.version} -> ${report.incoming.version} (${report.solution.effectiveMode} of a ${report.incoming.managed ? "managed" : "unmanaged"} solution)`);
console.log(`  assemblies:   ${counts(s.assemblies)}`);
console.log(`  steps:        ${counts(s.steps)}`);
console.log(`  endpoints:    ${counts(s.endpoints)}`);
console.log(`  to act on:    ${[...new Set(report.reasons.filter((r) => r.severity !== "info").map((r) => r.code))].join(", ") || "nothing"}`);
console.log(`\n  report:       ${show(html)} (open it in a browser)`);
console.log(`                ${show(md)} (for a pull request comment)`);
console.log(`  releases:     ${show(r1)}, ${show(r2)}`);
console.log(`  source:       ${F}/ (the unpacked solution, as it would live in git)`);
console.log(`\nNext: docs/commands/ (a page per command), docs/ci/ (the same checks in CI), samples/README.md.`);
// The reports must be there: a quick self-check, so `npm run samples` fails loudly if they are not.
for (const f of [html, md]) if (!readFileSync(f, "utf8").length) process.exit(1);
