/** The impact report's formats: one registry, so that the CLI and the library offer the same ones. */
import type { ImpactReport } from "../types.js";
import { formatImpactText } from "./text.js";
import { formatImpactMarkdown } from "./markdown.js";
import { formatImpactJson } from "./json.js";
import { formatImpactHtml } from "./html.js";

export type ImpactFormat = "text" | "markdown" | "json" | "html";

export interface ImpactFormatOptions {
  /** text only: ANSI colours (the CLI passes io.color: never with NO_COLOR, in CI or off a terminal). */
  color?: boolean;
}

export const IMPACT_FORMATS: Readonly<Record<ImpactFormat, (r: ImpactReport, o: ImpactFormatOptions) => string>> = Object.freeze({
  text: (r, o) => formatImpactText(r, { color: !!o.color }),
  markdown: (r) => formatImpactMarkdown(r),
  json: (r) => formatImpactJson(r),
  html: (r) => formatImpactHtml(r),
});

export function formatImpact(r: ImpactReport, format: ImpactFormat = "text", opts: ImpactFormatOptions = {}): string {
  const f = IMPACT_FORMATS[format];
  if (!f) throw new Error(`internal: unknown impact format ${format}`);
  return f(r, opts);
}

export { formatImpactText, formatImpactMarkdown, formatImpactJson, formatImpactHtml };
