/**
 * The plug-in family in the SolutionPackager layout:
 *   PluginAssemblies/<Name>-<GUID>/<Name>.dll.data.xml   one PluginAssembly element
 *   SdkMessageProcessingSteps/{id}.xml                  one SdkMessageProcessingStep element
 *   PluginAssemblies/ServiceEndpoints.xml               the whole ServiceEndpoints section
 * The DLL keeps its zip path, which is the folder path too.
 * Pack order is the server's: steps by id, assemblies by FullName.
 */
import { attr, child, elements } from "../xml/dom.js";
import { DvsolError } from "../errors.js";
import { documentToFragment, elementToDocument, emptySection, fillSection, parseFragmentFile } from "./fragments.js";
import { endpointSecretFindings, isAssemblyDataFile, isStepFile, FOLDER_ENDPOINTS } from "../model/read.js";
import { normId } from "../model/ids.js";
import type { LayoutContext, Splitter } from "./types.js";
import type { XmlDocument } from "../xml/parse.js";

function assemblyFolderPath(fullName: string, id: string | null, fileName: string | null): string {
  // Prefer the folder the FileName names: that is where the DLL is.
  if (fileName) {
    const p = fileName.replace(/^\/+/, "");
    if (/^PluginAssemblies\/[^/]+\/[^/]+$/i.test(p)) return `${p}.data.xml`;
  }
  const name = fullName.split(",")[0]!.trim().replace(/\./g, "");
  return `PluginAssemblies/${name}-${(id ?? "00000000-0000-0000-0000-000000000000").toUpperCase()}/${name}.dll.data.xml`;
}

export const pluginSplitter: Splitter = {
  id: "plugins",

  split(ctx) {
    const root = ctx.cust.root;
    const asmSection = child(root, "SolutionPluginAssemblies");
    if (asmSection) {
      for (const a of elements(asmSection, "PluginAssembly")) {
        const p = assemblyFolderPath(attr(a, "FullName") ?? "", normId(attr(a, "PluginAssemblyId")), textOf(ctx.cust, a, "FileName"));
        ctx.emit(p, elementToDocument(ctx.cust, a));
      }
      emptySection(ctx.custEditor, asmSection);
    }
    const stepSection = child(root, "SdkMessageProcessingSteps");
    if (stepSection) {
      for (const s of elements(stepSection, "SdkMessageProcessingStep")) {
        const id = normId(attr(s, "SdkMessageProcessingStepId"));
        if (!id) throw new DvsolError("SOLUTION_BAD_COMPONENT", `a step has no valid SdkMessageProcessingStepId`, { file: ctx.source.location, entry: ctx.cust.source.entry, line: s.line });
        ctx.emit(`SdkMessageProcessingSteps/{${id}}.xml`, elementToDocument(ctx.cust, s));
      }
      emptySection(ctx.custEditor, stepSection);
    }
    const epSection = child(root, "ServiceEndpoints");
    if (epSection && elements(epSection, "ServiceEndpoint").length) {
      // A secret is carried through as it is (lossless) but never silently: the warning every reader gives.
      for (const f of endpointSecretFindings(epSection, ctx.source.location, ctx.cust.source.entry ?? "customizations.xml")) ctx.report(f);
      ctx.emit(FOLDER_ENDPOINTS, elementToDocument(ctx.cust, epSection));
      emptySection(ctx.custEditor, epSection);
    }
  },

  async merge(ctx) {
    const asmDocs: { key: string; doc: XmlDocument }[] = [];
    const stepDocs: { key: string; doc: XmlDocument }[] = [];
    for (const f of ctx.source.files) {
      if (isAssemblyDataFile(f.path)) {
        ctx.claim(f.path);
        const doc = parseFragmentFile(await ctx.read(f.path), ctx.source.location, f.path);
        expectRoot(doc, "PluginAssembly", ctx);
        asmDocs.push({ key: attr(doc.root, "FullName") ?? f.path, doc });
      } else if (isStepFile(f.path)) {
        ctx.claim(f.path);
        const doc = parseFragmentFile(await ctx.read(f.path), ctx.source.location, f.path);
        expectRoot(doc, "SdkMessageProcessingStep", ctx);
        stepDocs.push({ key: normId(attr(doc.root, "SdkMessageProcessingStepId")) ?? f.path, doc });
      }
    }
    asmDocs.sort((a, b) => cmp(a.key, b.key));
    stepDocs.sort((a, b) => cmp(a.key, b.key));
    if (asmDocs.length) {
      const sec = requireSection(ctx, "SolutionPluginAssemblies");
      const ind = ctx.custEditor.childIndent(sec);
      fillSection(ctx.custEditor, sec, asmDocs.map((d) => documentToFragment(d.doc, ctx.cust, ind)));
    }
    if (stepDocs.length) {
      const sec = requireSection(ctx, "SdkMessageProcessingSteps");
      const ind = ctx.custEditor.childIndent(sec);
      fillSection(ctx.custEditor, sec, stepDocs.map((d) => documentToFragment(d.doc, ctx.cust, ind)));
    }
    const ep = ctx.source.find(FOLDER_ENDPOINTS);
    const inCust = child(ctx.cust.root, "ServiceEndpoints");
    if (inCust) for (const f of endpointSecretFindings(inCust, ctx.source.location, ctx.cust.source.entry ?? "Other/Customizations.xml")) ctx.report(f);
    if (ep) {
      ctx.claim(ep.path);
      const doc = parseFragmentFile(await ctx.read(ep.path), ctx.source.location, ep.path);
      expectRoot(doc, "ServiceEndpoints", ctx);
      for (const f of endpointSecretFindings(doc.root, ctx.source.location, ep.path)) ctx.report(f);
      const sec = requireSection(ctx, "ServiceEndpoints");
      if (elements(sec).length) {
        throw new DvsolError("SOLUTION_BAD_COMPONENT", `service endpoints are both in ${FOLDER_ENDPOINTS} and in Other/Customizations.xml`, {
          file: ctx.source.location,
          entry: ep.path,
          hint: "Keep them in one place: move the <ServiceEndpoint> elements into PluginAssemblies/ServiceEndpoints.xml.",
        });
      }
      // The file's root is the whole section: it replaces the placeholder.
      const ind = lineIndentOf(ctx.cust, sec);
      ctx.custEditor.replace(sec.start, sec.end, documentToFragment(doc, ctx.cust, ind));
    }
  },
};

function lineIndentOf(doc: XmlDocument, el: { start: number }): string {
  let i = el.start;
  while (i > 0 && (doc.text[i - 1] === " " || doc.text[i - 1] === "\t")) i--;
  return doc.text.slice(i, el.start);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function textOf(doc: XmlDocument, el: import("../xml/parse.js").XmlElement, name: string): string | null {
  const c = child(el, name);
  if (!c) return null;
  return doc.text.slice(c.openEnd, c.closeStart).trim() || null;
}

function expectRoot(doc: XmlDocument, name: string, ctx: LayoutContext): void {
  if (doc.root.name !== name) {
    throw new DvsolError("SOLUTION_BAD_COMPONENT", `the root element is <${doc.root.name}>; expected <${name}>`, { file: ctx.source.location, entry: doc.source.entry, line: doc.root.line });
  }
}

function requireSection(ctx: LayoutContext, name: string) {
  const sec = child(ctx.cust.root, name);
  if (!sec) {
    throw new DvsolError("SOLUTION_BAD_COMPONENT", `Other/Customizations.xml has no <${name}> section to hold the files under ${name === "SdkMessageProcessingSteps" ? "SdkMessageProcessingSteps/" : "PluginAssemblies/"}`, {
      file: ctx.source.location,
      entry: ctx.cust.source.entry,
      hint: `Add an empty <${name} /> to Other/Customizations.xml, where SolutionPackager puts it.`,
    });
  }
  return sec;
}
