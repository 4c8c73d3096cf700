// Plain aligned tables for the terminal (console.table quotes strings and cannot right-align numbers).

export const fmtMs = (ms) => (!Number.isFinite(ms) ? "?" : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
export const fmtMB = (mb) => (!Number.isFinite(mb) ? "?" : `${Math.round(mb)} MB`);
export const fmtRatio = (r) => (r === null || !Number.isFinite(r) ? "?" : `${r.toFixed(2)}x`);

/** Prints rows under headers; cells that look like numbers are right-aligned. */
export function printTable(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c ?? "")));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const numeric = (s) => /^[\d.?]+( ?(ms|s|MB|x))?( \(.*\))?$/.test(s);
  const line = (r) => r.map((c, i) => (numeric(c) && i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  console.log(line(cells[0]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cells.slice(1)) console.log(line(r));
}
