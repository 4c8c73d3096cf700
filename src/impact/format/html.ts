/**
 * The impact report as one self-contained HTML file: templates/report.html (inline CSS and JS, no
 * network) filled with the verdict, the reasons, sortable tables and the plug-in graph as inline SVG.
 * Every string that comes from a solution goes through esc().
 */
import { readFileSync } from "node:fs";
import type { Finding } from "../../findings/types.js";
import type { FieldChange, ImpactReport } from "../types.js";
import {
  ASSEMBLY_CHANGE_ORDER,
  ASSEMBLY_CHANGE_TEXT,
  ENDPOINT_CHANGE_ORDER,
  FATE_TEXT,
  STEP_CHANGE_ORDER,
  VERDICT_LINE,
  countsText,
  findingsForDisplay,
  handlerLabel,
  managedText,
  modeText,
  oldAssemblyText,
  reasonMessage,
  safeMessage,
  stepLabel,
  stepsForDisplay,
  title,
} from "./common.js";
import { buildGraph, graphSvg, legendHtml } from "./graph.js";
import { depLabel } from "../plan.js";

/** Escapes text for HTML (element content and quoted attribute values). */
export function esc(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  return String(v).replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

let templateCache: string | null = null;

/** templates/report.html, next to dist/ and src/ alike. */
export function reportTemplate(): string {
  if (templateCache === null) templateCache = readFileSync(new URL("../../../templates/report.html", import.meta.url), "utf8");
  return templateCache;
}

export function fillTemplate(template: string, values: Record<"TITLE" | "VERDICT" | "BODY", string>): string {
  // One pass, so that text inserted for one placeholder is never read as another.
  return template.replace(/\{\{(TITLE|VERDICT|BODY)\}\}/g, (_m, k: "TITLE" | "VERDICT" | "BODY") => values[k]);
}

const pill = (cls: string, text: string): string => `<span class="pill ${esc(cls)}">${esc(text)}</span>`;
const SEV_TAG: Record<string, string> = { error: "blocked", warning: "attention", info: "info" };
const SEV_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

function table(cls: string, head: string[], rows: { cls?: string; cells: { html: string; sort?: string | number }[] }[], empty: string): string {
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join("");
  const body = rows
    .map((r) => `<tr${r.cls ? ` class="${esc(r.cls)}"` : ""}>${r.cells.map((c) => `<td${c.sort !== undefined ? ` data-sort="${esc(c.sort)}"` : ""}>${c.html}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table class="sortable ${esc(cls)}"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function fieldList(fields: FieldChange[]): string {
  if (!fields.length) return "";
  return `<ul class="fields">${fields.map((f) => `<li><span class="mono">${esc(f.field)}</span>: <span class="from">${esc(short(f.from))}</span> → <span class="to">${esc(short(f.to))}</span></li>`).join("")}</ul>`;
}

function short(v: string | null): string {
  if (v === null) return "(none)";
  const t = v.replace(/\s+/g, " ").trim();
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
}

function reasonItem(f: Finding): string {
  return `<li class="sev-${esc(f.severity)}"><span class="tag">${esc(SEV_TAG[f.severity] ?? f.severity)}</span><span class="msg">${esc(reasonMessage(f))} <code>${esc(f.code)}</code></span></li>`;
}

export function formatImpactHtml(r: ImpactReport): string {
  const s = r.solution;
  const b: string[] = [];
  b.push(`<header class="top"><div class="what"><h1>${esc(title(r)).replace(/ -&gt; /g, " → ")}</h1>`);
  b.push(
    `<div class="meta">dvsol impact · import ${esc(s.effectiveMode === "unmanaged" ? "unmanaged" : s.mode)} · ${esc(managedText(s.managed.installed))} → ${esc(managedText(s.managed.incoming))} · publisher ${esc(s.publisher.incoming)}` +
      ` · ${esc(r.installed.file ?? "?")} → ${esc(r.incoming.file ?? "?")}${r.generatedAt ? ` · ${esc(r.generatedAt)}` : ""}</div></div>`,
  );
  b.push(`<div class="verdict" id="verdict">${esc(r.verdict)}<small>${esc(VERDICT_LINE[r.verdict].replace(/^\w+: /, ""))}</small></div></header>`);
  b.push(`<main>`);

  // Summary cards
  const card = (k: string, v: string | number, d: string) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="d">${esc(d)}</div></div>`;
  b.push(`<div class="cards">`);
  b.push(card("Reasons", r.reasons.length, `${r.summary.reasons.error} blocking, ${r.summary.reasons.warning} attention, ${r.summary.reasons.info} info`));
  b.push(card("Plug-in assemblies", r.assemblies.length, countsText(r.summary.assemblies, ASSEMBLY_CHANGE_ORDER)));
  b.push(card("Steps", r.steps.length, countsText(r.summary.steps, STEP_CHANGE_ORDER)));
  b.push(card("Service endpoints", r.endpoints.length, countsText(r.summary.endpoints, ENDPOINT_CHANGE_ORDER)));
  b.push(card("Missing dependencies", r.missingDependencies.length, `${r.summary.missingDependencies.new} new`));
  b.push(card("Check findings", r.summary.findings.incoming, `${r.summary.findings.new} new since installed`));
  b.push(`</div>`);

  // Reasons
  b.push(`<section id="reasons"><h2>Why <span class="count">(${r.reasons.length})</span></h2>`);
  b.push(r.reasons.length ? `<ul class="reasons">${r.reasons.map(reasonItem).join("\n")}</ul>` : `<p class="empty">Nothing to report: the import changes nothing that needs a person.</p>`);
  b.push(`</section>`);

  // Solution
  const same = (ok: boolean, yes = "same", no = "different") => pill(ok ? "c-unchanged" : "c-removed", ok ? yes : no);
  b.push(`<section id="solution"><h2>Solution</h2>`);
  b.push(
    `<table class="kv"><thead><tr><th></th><th>Installed</th><th>Incoming</th><th></th></tr></thead><tbody>` +
      `<tr><td>Unique name</td><td>${esc(s.uniqueName.installed)}</td><td>${esc(s.uniqueName.incoming)}</td><td>${same(s.uniqueName.match)}</td></tr>` +
      `<tr><td>Publisher</td><td>${esc(s.publisher.installed)}</td><td>${esc(s.publisher.incoming)}</td><td>${same(s.publisher.match)}</td></tr>` +
      `<tr><td>Version</td><td>${esc(s.version.installed)}</td><td>${esc(s.version.incoming)}</td><td>${pill(s.version.comparison === "higher" ? "c-added" : s.version.comparison === "same" ? "c-changed" : "c-removed", s.version.comparison)}${s.version.advice && s.version.comparison !== "higher" ? ` <span class="dim">raise ${esc(s.version.advice.part)}: ${esc(s.version.advice.conventional)} (at least ${esc(s.version.advice.minimal)})</span>` : ""}</td></tr>` +
      `<tr><td>Package</td><td>${esc(managedText(s.managed.installed))}</td><td>${esc(managedText(s.managed.incoming))}</td><td>${same(s.managed.match, "compatible", "mismatch")}</td></tr>` +
      `<tr><td>Friendly name</td><td>${esc(r.installed.friendlyName)}</td><td>${esc(r.incoming.friendlyName)}</td><td></td></tr>` +
      `</tbody></table>`,
  );
  b.push(`<p class="note">${esc(modeText(s))}</p></section>`);

  // Graph
  const g = buildGraph(r);
  b.push(`<section id="graph"><h2>Plug-in graph</h2>`);
  if (g.nodes.length) {
    b.push(legendHtml());
    b.push(`<div class="graph-wrap">${graphSvg(g, esc)}</div>`);
  } else b.push(`<p class="empty">Neither solution carries plug-in assemblies, steps or service endpoints.</p>`);
  b.push(`</section>`);

  // Assemblies
  b.push(`<section id="assemblies"><h2>Plug-in assemblies <span class="count">(${r.assemblies.length})</span></h2>`);
  b.push(
    table(
      "assemblies",
      ["Assembly", "Change", "From", "To", "Types added", "Types removed", "Steps to re-point", "Notes"],
      r.assemblies.map((a) => ({
        cls: `c-${a.change}`,
        cells: [
          { html: esc(a.name) },
          { html: pill(`c-${a.change}`, a.change), sort: ASSEMBLY_CHANGE_ORDER.indexOf(a.change) },
          { html: esc(a.from ?? "–"), sort: a.from ?? "" },
          { html: esc(a.to ?? "–"), sort: a.to ?? "" },
          { html: a.from && a.to ? a.typesAdded.map(esc).join("<br>") : a.change === "added" ? `${a.typesAdded.length} type(s)` : "", sort: a.typesAdded.length },
          { html: a.from && a.to ? a.typesRemoved.map(esc).join("<br>") : a.change === "removed" ? `${a.typesRemoved.length} type(s)` : "", sort: a.typesRemoved.length },
          { html: a.stepsToRepoint.map((p) => `${esc(stepLabel(p))}<br><code>${esc(p.id)}</code>`).join("<br>"), sort: a.stepsToRepoint.length },
          {
            html: [
              esc(ASSEMBLY_CHANGE_TEXT[a.change]),
              a.oldAssembly && a.change !== "removed" ? `old assembly: ${esc(oldAssemblyText(a.oldAssembly))}` : "",
              a.change === "removed" && a.oldAssembly ? esc(oldAssemblyText(a.oldAssembly)) : "",
              a.dll.sameBytes === false ? `DLL changed: <code>${esc(a.dll.from!.sha256.slice(0, 12))}</code> → <code>${esc(a.dll.to!.sha256.slice(0, 12))}</code>` : "",
              a.fromId && a.toId && a.fromId !== a.toId ? `id <code>${esc(a.fromId)}</code> → <code>${esc(a.toId)}</code>` : "",
            ]
              .filter(Boolean)
              .join("<br>"),
          },
        ],
      })),
      "Neither solution carries plug-in assemblies.",
    ),
  );
  b.push(`</section>`);

  // Steps
  b.push(`<section id="steps"><h2>Steps <span class="count">(${r.steps.length})</span></h2>`);
  b.push(
    table(
      "steps",
      ["Step", "Change", "Message", "Table", "Stage", "Mode", "Handler", "Details"],
      stepsForDisplay(r).map((st) => {
        const det: string[] = [];
        if (st.fate) det.push(esc(FATE_TEXT[st.fate]));
        if (st.change === "added" || st.change === "removed") {
          for (const i of st.images) det.push(`image <span class="mono">${esc(i.alias)}</span>: ${esc(i.fields[0]?.to ?? i.fields[0]?.from ?? i.imageType ?? "")}`);
        }
        if (st.fields.length) det.push(fieldList(st.fields));
        if (!st.enabled) det.push(pill("c-removed", "disabled"));
        if (st.secureConfiguration) det.push(`<span class="dim">set secure configuration again if it uses one</span>`);
        return {
          cls: `c-${st.change}`,
          cells: [
            { html: `${esc(stepLabel(st))}<br><code>${esc(st.id)}</code>`, sort: stepLabel(st).toLowerCase() },
            { html: pill(`c-${st.change}`, st.change), sort: STEP_CHANGE_ORDER.indexOf(st.change) },
            { html: esc(st.message) },
            { html: esc(st.table) },
            { html: esc(st.stage) },
            { html: esc(st.mode) },
            { html: esc(handlerLabel(st.to ?? st.from)) },
            { html: det.join("<br>") },
          ],
        };
      }),
      "Neither solution carries steps.",
    ),
  );
  b.push(`</section>`);

  // Endpoints
  if (r.endpoints.length) {
    b.push(`<section id="endpoints"><h2>Service endpoints <span class="count">(${r.endpoints.length})</span></h2>`);
    b.push(
      table(
        "endpoints",
        ["Endpoint", "Change", "Contract", "Details"],
        r.endpoints.map((e) => ({
          cls: `c-${e.change}`,
          cells: [
            { html: `${esc(e.name)}<br><code>${esc(e.id)}</code>`, sort: e.name.toLowerCase() },
            { html: pill(`c-${e.change}`, e.change), sort: ENDPOINT_CHANGE_ORDER.indexOf(e.change) },
            { html: esc(e.contract) },
            { html: [e.fate ? esc(FATE_TEXT[e.fate]) : "", fieldList(e.fields), e.secretToSet ? pill("c-changed", "set its secret after import") : ""].filter(Boolean).join("<br>") },
          ],
        })),
        "",
      ),
    );
    b.push(`</section>`);
  }

  // Missing dependencies
  b.push(`<section id="dependencies"><h2>Missing dependencies <span class="count">(${r.missingDependencies.length}, ${r.summary.missingDependencies.new} new)</span></h2>`);
  b.push(
    table(
      "dependencies",
      ["Required", "From solution", "Needed by", "New"],
      r.missingDependencies.map((d) => ({
        cls: d.new ? "" : "c-unchanged",
        cells: [{ html: esc(depLabel(d.required)) }, { html: esc(d.required.solution ?? "") }, { html: esc(depLabel(d.dependent)) }, { html: d.new ? pill("c-changed", "new") : pill("c-unchanged", "known"), sort: d.new ? 0 : 1 }],
      })),
      "The incoming solution declares no missing dependencies.",
    ),
  );
  b.push(`</section>`);

  // Findings
  const fs = findingsForDisplay(r);
  b.push(`<section id="findings"><h2>Check findings <span class="count">(${r.summary.findings.incoming}, ${r.summary.findings.new} new)</span></h2>`);
  b.push(
    table(
      "findings",
      ["Severity", "Code", "Message", "Component", "Where", "New"],
      fs.map(({ f, isNew }) => ({
        cls: isNew ? "" : "c-unchanged",
        cells: [
          { html: pill(`sev-${f.severity}`, f.severity), sort: SEV_RANK[f.severity] ?? 3 },
          { html: `<code>${esc(f.code)}</code>` },
          { html: esc(safeMessage(f)) },
          { html: esc(f.component ? (f.component.name ?? f.component.id ?? "") : "") },
          { html: esc(f.location?.entry ? `${f.location.entry}${f.location.line ? `:${f.location.line}` : ""}` : "") },
          { html: isNew ? pill("c-changed", "new") : pill("c-unchanged", "old"), sort: isNew ? 0 : 1 },
        ],
      })),
      "dvsol check finds nothing in the incoming solution.",
    ),
  );
  b.push(`</section>`);
  b.push(`</main>`);
  b.push(`<footer>Made by dvsol impact (report schema ${esc(r.schemaVersion)}) from the two solution files alone: secure configuration, endpoint secrets and components of other solutions are not visible in them.</footer>`);

  return fillTemplate(reportTemplate(), { TITLE: esc(`dvsol impact: ${title(r)}`), VERDICT: esc(r.verdict), BODY: b.join("\n") });
}
