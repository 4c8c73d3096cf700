/**
 * The impact report as a pull-request comment (GitHub-flavoured Markdown): the verdict and what needs a
 * person first, the details in collapsible sections. Every string from a solution is escaped (GitHub
 * renders HTML inside Markdown).
 */
import type { ImpactReport } from "../types.js";
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
  stepWhat,
  stepsForDisplay,
  title,
} from "./common.js";
import { depLabel } from "../plan.js";

/** Escapes text for Markdown and the HTML GitHub allows in it; `|` too, for table cells. */
export function md(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "";
  return String(v)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, "\\$&")
    .replace(/\r?\n/g, "<br>");
}

const code = (v: string): string => `<code>${md(v).replace(/\\([\\`*_[\]|~])/g, "$1").replace(/\|/g, "&#124;")}</code>`;

const BADGE: Record<string, string> = { blocked: "🔴", attention: "🟡", safe: "🟢" };
const SEV: Record<string, string> = { error: "⛔", warning: "⚠️", info: "ℹ️" };

function table(head: string[], rows: string[][]): string[] {
  if (!rows.length) return ["_none_"];
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)];
}

function details(summary: string, body: string[], open = false): string[] {
  return [`<details${open ? " open" : ""}><summary>${summary}</summary>`, "", ...body, "", "</details>", ""];
}

export function formatImpactMarkdown(r: ImpactReport): string {
  const out: string[] = [];
  const s = r.solution;
  out.push(`### ${BADGE[r.verdict]} dvsol impact: **${r.verdict}** · ${md(title(r)).replace(/ -&gt; /g, " → ")}`);
  out.push("");
  out.push(`${md(VERDICT_LINE[r.verdict])}.`);
  out.push("");
  out.push(
    `Import **${md(s.effectiveMode === "unmanaged" ? "unmanaged" : s.mode)}** · ${md(managedText(s.managed.installed))} → ${md(managedText(s.managed.incoming))} · publisher ${md(s.publisher.incoming)}` +
      (r.generatedAt ? ` · ${md(r.generatedAt)}` : ""),
  );
  out.push("");
  out.push(
    ...table(
      ["Assemblies", "Steps", "Service endpoints", "Missing dependencies", "Check findings"],
      [
        [
          md(countsText(r.summary.assemblies, ASSEMBLY_CHANGE_ORDER)),
          md(countsText(r.summary.steps, STEP_CHANGE_ORDER)),
          md(countsText(r.summary.endpoints, ENDPOINT_CHANGE_ORDER)),
          `${r.summary.missingDependencies.total} (${r.summary.missingDependencies.new} new)`,
          `${r.summary.findings.incoming} (${r.summary.findings.new} new)`,
        ],
      ],
    ),
  );
  out.push("");

  const act = r.reasons.filter((f) => f.severity !== "info");
  const info = r.reasons.filter((f) => f.severity === "info");
  if (act.length) {
    out.push(`**What needs a person (${act.length})**`);
    out.push("");
    for (const f of act) out.push(`- ${SEV[f.severity]} ${md(reasonMessage(f))} ${code(f.code)}`);
    out.push("");
  } else {
    out.push("Nothing needs a person.");
    out.push("");
  }
  if (info.length) out.push(...details(`For the record (${info.length})`, info.map((f) => `- ${SEV.info} ${md(reasonMessage(f))} ${code(f.code)}`)));

  out.push(
    ...details("Solution", [
      ...table(
        ["", "Installed", "Incoming", ""],
        [
          ["Unique name", md(s.uniqueName.installed), md(s.uniqueName.incoming), s.uniqueName.match ? "same" : "**different**"],
          ["Publisher", md(s.publisher.installed), md(s.publisher.incoming), s.publisher.match ? "same" : "**different**"],
          ["Version", md(s.version.installed), md(s.version.incoming), md(s.version.comparison) + (s.version.advice && s.version.comparison !== "higher" ? ` (raise ${md(s.version.advice.part)}: ${md(s.version.advice.conventional)})` : "")],
          ["Package", md(managedText(s.managed.installed)), md(managedText(s.managed.incoming)), s.managed.match ? "compatible" : "**mismatch**"],
          ["File", md(r.installed.file), md(r.incoming.file), ""],
        ],
      ),
      "",
      md(modeText(s)),
    ]),
  );

  out.push(
    ...details(
      `Plug-in assemblies (${r.assemblies.length})`,
      table(
        ["Assembly", "Change", "From", "To", "Types added", "Types removed", "Steps to re-point"],
        r.assemblies.map((a) => [
          md(a.name),
          `**${md(a.change)}**<br>${md(ASSEMBLY_CHANGE_TEXT[a.change])}` + (a.oldAssembly && a.change !== "removed" ? `<br>old: ${md(oldAssemblyText(a.oldAssembly))}` : "") + (a.change === "removed" && a.oldAssembly ? `<br>${md(oldAssemblyText(a.oldAssembly))}` : ""),
          md(a.from ?? "–"),
          md(a.to ?? "–"),
          a.from && a.to ? a.typesAdded.map(md).join("<br>") : a.change === "added" ? `${a.typesAdded.length}` : "",
          a.from && a.to ? a.typesRemoved.map(md).join("<br>") : a.change === "removed" ? `${a.typesRemoved.length}` : "",
          a.stepsToRepoint.map((p) => `${md(stepLabel(p))} (${code(p.id)})`).join("<br>"),
        ]),
      ),
      r.assemblies.some((a) => a.change !== "unchanged"),
    ),
  );

  // A pull-request comment lists what changes; unchanged steps are only counted (comments have a size limit).
  const steps = stepsForDisplay(r).filter((st) => st.change !== "unchanged");
  const unchangedSteps = r.summary.steps.unchanged;
  out.push(
    ...details(
      `Steps (${r.steps.length}): ${md(countsText(r.summary.steps, STEP_CHANGE_ORDER))}`,
      [
        ...(steps.length || !unchangedSteps ? table(
        ["Step", "Change", "Registration", "Handler", "Details"],
        steps.map((st) => {
          const det: string[] = [];
          if (st.fate) det.push(md(FATE_TEXT[st.fate]));
          for (const f of st.fields) det.push(`${md(f.field)}: ${md(short(f.from))} → ${md(short(f.to))}`);
          if (st.change === "added") for (const i of st.images) det.push(`image ${md(i.alias)}: ${md(i.fields[0]?.to ?? i.imageType ?? "")}`);
          if (!st.enabled) det.push("**disabled**");
          if (st.secureConfiguration) det.push("set secure configuration again if used");
          return [`${md(stepLabel(st))}<br>${code(st.id)}`, `**${md(st.change)}**`, md(stepWhat(st)), md(handlerLabel(st.to ?? st.from)), det.join("<br>")];
        }),
        ) : []),
        ...(unchangedSteps ? ["", `${unchangedSteps} unchanged step(s) not listed (\`--format html\` or \`json\` lists every step).`] : []),
      ],
      steps.length > 0,
    ),
  );

  if (r.endpoints.length) {
    out.push(
      ...details(
        `Service endpoints (${r.endpoints.length})`,
        table(
          ["Endpoint", "Change", "Contract", "Details"],
          r.endpoints.map((e) => [
            `${md(e.name)}<br>${code(e.id)}`,
            `**${md(e.change)}**`,
            md(e.contract),
            [...(e.fate ? [md(FATE_TEXT[e.fate])] : []), ...e.fields.map((f) => `${md(f.field)}: ${md(short(f.from))} → ${md(short(f.to))}`), ...(e.secretToSet ? ["set its secret after import"] : [])].join("<br>"),
          ]),
        ),
        r.endpoints.some((e) => e.change !== "unchanged"),
      ),
    );
  }

  out.push(
    ...details(
      `Missing dependencies (${r.missingDependencies.length}, ${r.summary.missingDependencies.new} new)`,
      table(
        ["Required", "From solution", "Needed by", "New"],
        r.missingDependencies.map((d) => [md(depLabel(d.required)), md(d.required.solution ?? ""), md(depLabel(d.dependent)), d.new ? "**yes**" : "no"]),
      ),
    ),
  );

  const fs = findingsForDisplay(r);
  out.push(
    ...details(
      `Check findings (${r.summary.findings.incoming}, ${r.summary.findings.new} new)`,
      table(
        ["Severity", "Code", "Message", "New"],
        fs.map(({ f, isNew }) => [md(f.severity), code(f.code), md(safeMessage(f)), isNew ? "**yes**" : "no"]),
      ),
    ),
  );
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

function short(v: string | null): string {
  if (v === null) return "(none)";
  const t = v.replace(/\s+/g, " ").trim();
  return t.length > 100 ? `${t.slice(0, 97)}...` : t;
}
