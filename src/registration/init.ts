/**
 * `dvsol init`: a new, empty solution folder in the SolutionPackager form of a modern export
 * (templates/solution: Other/Solution.xml and Other/Customizations.xml, UTF-8 with BOM and XML declaration),
 * with the name, publisher, prefix and version filled in (XML-escaped). Written atomically: the folder
 * appears complete or not at all.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { DvsolError } from "../errors.js";
import { escapeAttr } from "../xml/edit.js";
import { parseVersion, SOLUTION_VERSION } from "../model/names.js";
import { writeFolder } from "../io/output.js";

export interface InitOptions {
  /** Solution unique name. */
  name: string;
  /** Publisher unique name. */
  publisher: string;
  /** Customization prefix: 2-8 lowercase letters and digits, starting with a letter, not "mscrm". */
  prefix: string;
  /** Solution display name (default: the unique name). */
  displayName?: string;
  /** Publisher display name (default: the publisher's unique name). */
  publisherDisplayName?: string;
  /** Default 1.0.0.0. */
  version?: string;
  /** 10000-99999 (default: derived from the prefix, the same for the same prefix). */
  optionValuePrefix?: number | string;
  /** Managed 1 instead of 0: `dvsol pack` then writes a managed zip. */
  managed?: boolean;
  /** Replace the content of a non-empty folder. */
  clobber?: boolean;
}

export interface InitResult {
  folder: string;
  uniqueName: string;
  displayName: string;
  version: string;
  managed: boolean;
  publisher: { uniqueName: string; displayName: string; prefix: string; optionValuePrefix: number };
  /** Paths written, relative to the folder. */
  files: string[];
}

/** The files of the skeleton, relative to templates/solution. */
export const TEMPLATE_FILES = ["Other/Solution.xml", "Other/Customizations.xml"] as const;

const bad = (message: string, hint?: string) => new DvsolError("USAGE_BAD_OPTION", message, hint ? { hint } : {});

/** A default option value prefix for a publisher prefix: 10000-99999, derived (not random) so that it is reproducible. */
export function defaultOptionValuePrefix(prefix: string): number {
  const h = createHash("sha1").update(`dvsol option value prefix\u001f${prefix.toLowerCase()}`).digest();
  return 10000 + (h.readUInt32BE(0) % 90000);
}

/** Checks the options and fills in the defaults. */
export function initValues(o: InitOptions): Omit<InitResult, "folder" | "files"> {
  const name = (o.name ?? "").trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw bad(`--name "${o.name ?? ""}" is not a solution unique name: use letters, digits and underscores, starting with a letter or underscore`, "e.g. --name ContosoPlugins");
  }
  if (name.length > 65) throw bad(`--name is ${name.length} characters long; a solution unique name has at most 65`);
  const publisher = (o.publisher ?? "").trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(publisher)) {
    throw bad(`--publisher "${o.publisher ?? ""}" is not a publisher unique name: use letters, digits and underscores, starting with a letter or underscore`, "e.g. --publisher contoso");
  }
  if (publisher.length > 256) throw bad(`--publisher is ${publisher.length} characters long; a publisher unique name has at most 256`);
  const prefix = (o.prefix ?? "").trim();
  if (!/^[a-z][a-z0-9]{1,7}$/.test(prefix)) {
    const why = prefix.length < 2 || prefix.length > 8 ? "it must be 2 to 8 characters long" : /[A-Z]/.test(prefix) ? "it must be lowercase" : "use lowercase letters and digits, starting with a letter";
    throw bad(`--prefix "${prefix}" is not a customization prefix: ${why}`, "The prefix starts the names of the publisher's components (contoso_invoice): 2-8 lowercase letters and digits, starting with a letter.");
  }
  if (prefix.startsWith("mscrm")) throw bad(`--prefix "${prefix}": prefixes starting with "mscrm" are reserved by Microsoft`);
  const version = (o.version ?? "1.0.0.0").trim();
  try {
    parseVersion(version, SOLUTION_VERSION);
  } catch (e) {
    throw bad(`--version "${version}" is not a solution version: use 2 to 4 numeric parts, e.g. 1.0.0.0`, e instanceof DvsolError ? e.message : undefined);
  }
  let ovp: number;
  if (o.optionValuePrefix === undefined) ovp = defaultOptionValuePrefix(prefix);
  else {
    const t = String(o.optionValuePrefix).trim();
    ovp = Number(t);
    if (!/^\d+$/.test(t) || ovp < 10000 || ovp > 99999) throw bad(`--option-value-prefix "${t}" must be a whole number from 10000 to 99999`);
  }
  const displayName = o.displayName?.trim() || name;
  const publisherDisplayName = o.publisherDisplayName?.trim() || publisher;
  return { uniqueName: name, displayName, version, managed: !!o.managed, publisher: { uniqueName: publisher, displayName: publisherDisplayName, prefix, optionValuePrefix: ovp } };
}

/** Fills a template's placeholders ({{name}}) with XML-escaped values; every placeholder must be known. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const out = template.replace(/\{\{([A-Za-z]+)\}\}/g, (m, k: string) => {
    const v = values[k];
    if (v === undefined) throw new Error(`internal: template placeholder ${m} has no value`);
    return escapeAttr(v);
  });
  return out;
}

function templateText(rel: string): string {
  return readFileSync(new URL(`../../templates/solution/${rel}`, import.meta.url), "utf8");
}

/** The skeleton's files with the values filled in (no writing). */
export function initFiles(v: Omit<InitResult, "folder" | "files">): { path: string; bytes: Buffer }[] {
  const values: Record<string, string> = {
    uniqueName: v.uniqueName,
    displayName: v.displayName,
    version: v.version,
    managed: v.managed ? "1" : "0",
    publisherUniqueName: v.publisher.uniqueName,
    publisherDisplayName: v.publisher.displayName,
    prefix: v.publisher.prefix,
    optionValuePrefix: String(v.publisher.optionValuePrefix),
  };
  return TEMPLATE_FILES.map((rel) => ({ path: rel, bytes: Buffer.from(renderTemplate(templateText(rel), values), "utf8") }));
}

/** Writes a new empty solution folder (refuses a non-empty folder unless `clobber`). */
export async function initSolution(folder: string, opts: InitOptions): Promise<InitResult> {
  const v = initValues(opts);
  const files = initFiles(v);
  await writeFolder(
    folder,
    files.map((f) => ({ path: f.path, content: f.bytes })),
    { clobber: !!opts.clobber },
  );
  return { folder, ...v, files: files.map((f) => f.path) };
}
