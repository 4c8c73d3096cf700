/**
 * The HTML (and Markdown) report: escaping of every string from a solution, a self-contained template,
 * and a real browser run (headless chromium) that takes a screenshot and proves the page's script ran
 * without errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { impact, formatImpact, type ImpactReport } from "../../src/impact/index.js";
import { fillTemplate, reportTemplate, esc } from "../../src/impact/format/html.js";
import { buildGraph } from "../../src/impact/format/graph.js";
import { tmp } from "../helpers.js";
import { ENDPOINT_ID, STEP_CONTACT, baseSolution, sampleAssembly, sampleSteps, writePair, type FxSolution } from "./fixtures.js";

const EVIL = `<script>alert("x")</script><img src=x onerror=alert(1)>'"&`;

/** A pair that exercises every section: a major bump with and without re-pointing, an endpoint, images, a dependency. */
function richPair(evil = false): { installed: FxSolution; incoming: FxSolution } {
  const name = (s: string) => (evil ? `${s} ${EVIL}` : s);
  const ep = { id: ENDPOINT_ID, name: name("orders queue"), contract: 6, path: "orders" };
  const epStep = { id: "44444444-2b26-ee11-9966-00224823910f", name: name("orders queue: Create of salesorder"), endpoint: ENDPOINT_ID, message: "Create" as const, entity: "salesorder", stage: 40, mode: 1 };
  const installed = baseSolution({ endpoints: [ep], steps: [...sampleSteps("1.0.0.0"), epStep] });
  const steps = sampleSteps("1.0.0.0")
    .filter((s) => s.id !== STEP_CONTACT)
    .map((s) => (s.id.startsWith("2222") ? { ...s, rank: 2, name: name("Account post-update"), config: evil ? EVIL : "<settings/>", images: [{ alias: evil ? EVIL : "pre", type: 0 as const, attributes: ["name"] }, { alias: "post", type: 1 as const }] } : s));
  steps.push({ id: "77777777-2726-ee11-9966-00224823910f", name: name("Contact post-create"), type: "Contoso.Plugins.ContactPostCreate", assembly: "Contoso.Plugins", version: "2.0.0.0", message: "Create", entity: "contact", stage: 40, mode: 1 });
  const incoming = baseSolution({
    version: "1.1.0.0",
    assemblies: [sampleAssembly("1.0.0.0"), sampleAssembly("2.0.0.0")],
    endpoints: [{ ...ep, path: "orders-v2" }],
    steps: [...steps, { ...epStep, impersonate: evil ? EVIL : undefined }],
    missing: [{ required: { type: "1", schemaName: evil ? EVIL : "msdyn_customerasset", displayName: name("Customer Asset"), solution: "msdyn_FieldService (8.8.0.0)" }, dependent: { type: "92", id: "{77777777-2726-ee11-9966-00224823910f}" } }],
  });
  return { installed, incoming };
}

async function report(evil = false): Promise<ImpactReport> {
  const { installed, incoming } = richPair(evil);
  const p = writePair(installed, incoming);
  try {
    return await impact(p.installed, p.incoming);
  } finally {
    rmSync(p.dir, { recursive: true, force: true });
  }
}

test("HTML: every string from the solution is escaped (a step named <script> stays text)", async () => {
  const r = await report(true);
  assert.ok(r.steps.some((s) => s.name?.includes("<script>")), "the fixture carries the hostile names");
  const html = formatImpact(r, "html");
  assert.equal(html.match(/<script/gi)?.length, 1, "only the report's own script element");
  assert.equal(html.match(/<\/script>/gi)?.length, 1);
  assert.ok(!/<img/i.test(html), "no injected element");
  assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&quot;&amp;"));
  // Attributes stay closed: every data-* / class / title attribute value is free of raw quotes.
  assert.ok(!/="[^"]*<[^"]*"/.test(html.replace(/<script[\s\S]*<\/script>/, "")), "no raw < inside attribute values");
  // Nothing inserted can pose as a template placeholder or close a comment.
  assert.ok(!html.includes("{{"));
});

test("Markdown: strings from the solution cannot inject HTML", async () => {
  const md = formatImpact(await report(true), "markdown");
  assert.ok(!/<script/i.test(md));
  assert.ok(!/<img/i.test(md));
  assert.ok(md.includes("&lt;script&gt;"));
  assert.match(md, /^### 🟡 dvsol impact: \*\*attention\*\*/);
  assert.ok(md.includes("<details"), "details in collapsible sections");
});

test("the template is self-contained: inline CSS and JS, no network, each placeholder once", () => {
  const t = reportTemplate();
  assert.equal(t.match(/\{\{TITLE\}\}/g)?.length, 1);
  assert.equal(t.match(/\{\{BODY\}\}/g)?.length, 1);
  assert.equal(t.match(/\{\{VERDICT\}\}/g)?.length, 2);
  assert.ok(!/\b(src|href)\s*=/i.test(t), "no external resources");
  assert.ok(!/@import|url\(/i.test(t), "no CSS imports or urls");
  assert.match(t, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(t.includes('document.title = "dvsol impact: "'));
  // One pass: text that looks like a placeholder is not expanded again.
  assert.equal(fillTemplate("{{TITLE}}|{{BODY}}|{{VERDICT}}", { TITLE: "{{BODY}}", BODY: "b", VERDICT: "v" }), "{{BODY}}|b|v");
  assert.equal(esc(`<a href="x">'&`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
});

test("the plug-in graph: columns, statuses, deterministic layout", async () => {
  const r = await report();
  const g = buildGraph(r);
  const byLabel = (l: string) => g.nodes.filter((n) => n.label === l);
  assert.deepEqual(
    g.nodes.filter((n) => n.col === 0).map((n) => [n.label, n.status]),
    [
      ["Contoso.Plugins", "unchanged"],
      ["Contoso.Plugins", "needs-repoint"],
    ],
  );
  assert.deepEqual(byLabel("Account post-update").map((n) => n.status), ["needs-repoint"]);
  assert.deepEqual(byLabel("Contact post-create").map((n) => n.status), ["added"]);
  assert.deepEqual(byLabel("image post").map((n) => n.status), ["added"]);
  assert.deepEqual(byLabel("orders queue").map((n) => [n.col, n.status]), [[3, "changed"]]);
  assert.ok(g.nodes.some((n) => n.col === 2 && n.status === "removed"), "the deleted step");
  // No two nodes of a column overlap.
  for (const col of [0, 1, 2, 3]) {
    const ys = g.nodes.filter((n) => n.col === col).map((n) => n.y);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i]! >= ys[i - 1]! + 38, `column ${col}`);
  }
  assert.deepEqual(buildGraph(r), g);
});

function hasChromium(): boolean {
  return spawnSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).status === 0;
}
const chromiumSkip: string | false = hasChromium() ? false : "chromium not on PATH: skipped (CI installs it; apt-get install chromium)";

function chromium(args: string[]): { stderr: string; stdout: string; status: number | null } {
  const profile = tmp("dvsol-chromium-");
  try {
    const r = spawnSync(
      "chromium",
      ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`, "--enable-logging=stderr", "--v=0", ...args],
      { encoding: "utf8", timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return { stderr: r.stderr ?? "", stdout: r.stdout ?? "", status: r.status };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Lines chromium logs for the page's console and uncaught exceptions. */
const pageErrors = (stderr: string): string[] => stderr.split("\n").filter((l) => /:CONSOLE[:(]|Uncaught/.test(l));

test("HTML in a real browser: renders, the script runs without errors, the title is set", { skip: chromiumSkip, timeout: 240_000 }, async () => {
  const dir = tmp("dvsol-impact-browser-");
  try {
    // The detector sees console errors: a sentinel page that logs one and throws.
    const sentinel = path.join(dir, "sentinel.html");
    writeFileSync(sentinel, `<!DOCTYPE html><title>s</title><script>console.error("dvsol-sentinel"); missingFunction();</script>`);
    const s = chromium([`--screenshot=${path.join(dir, "sentinel.png")}`, "--window-size=400,300", pathToFileURL(sentinel).href]);
    const seen = pageErrors(s.stderr);
    assert.ok(seen.some((l) => l.includes("dvsol-sentinel")) && seen.some((l) => l.includes("Uncaught")), `the sentinel's console error was not seen:\n${s.stderr}`);

    const file = path.join(dir, "report.html");
    const png = path.join(dir, "report.png");
    writeFileSync(file, formatImpact(await report(true), "html"));
    const shot = chromium([`--screenshot=${png}`, "--window-size=1400,1000", pathToFileURL(file).href]);
    assert.deepEqual(pageErrors(shot.stderr), [], shot.stderr);
    const bytes = readFileSync(png);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
    assert.ok(statSync(png).size > 20_000, `screenshot of plausible size (${statSync(png).size} bytes)`);
    assert.equal(bytes.readUInt32BE(16), 1400, "width");

    const dom = chromium(["--dump-dom", pathToFileURL(file).href]);
    assert.deepEqual(pageErrors(dom.stderr), [], dom.stderr);
    assert.match(dom.stdout, /<title>dvsol impact: attention<\/title>/, "the page's script ran to its end");
    assert.match(dom.stdout, /tabindex="0"/, "the script made the table headers sortable");
    assert.ok(!/alert\("x"\)<\/script>/.test(dom.stdout.replace(/&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/g, "")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

