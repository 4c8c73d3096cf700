// Plain aligned tables for the terminal (console.table quotes strings and cannot right-align numbers).

export const fmtMs = (ms) => (!Number.isFinite(ms) ? "?" : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
export const fmtMB = (mb) => (!Number.isFinite(mb) ? "?" : `${Math.round(mb)} MB`);
export const fmtRatio = (r) => (r === null || !Number.isFinite(r) ? "?" : `${r.toFixed(2)}x`);

let markdown = false;
/** Tables as Markdown (for docs/performance.md) instead of aligned text. */
export const setMarkdown = (on) => {
  markdown = !!on;
};

/** Prints rows under headers; cells that look like numbers are right-aligned. */
export function printTable(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c ?? "")));
  if (markdown) {
    const num = (i) => i > 0 && rows.length > 0 && rows.every((r) => /^[\d.?]+( ?(ms|s|MB|x))?( \(.*\))?$|^$/.test(String(r[i] ?? "")));
    console.log(`| ${cells[0].join(" | ")} |`);
    console.log(`|${headers.map((_, i) => (num(i) ? " ---: " : " --- ")).join("|")}|`);
    for (const r of cells.slice(1)) console.log(`| ${r.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);
    return;
  }
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = (s) => /^[\d.?]+( ?(ms|s|MB|x))?( \(.*\))?$/.test(s);
  const line = (r) => r.map((c, i) => (numeric(c) && i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  console.log(line(cells[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cells.slice(1)) console.log(line(r));
}
