/**
 * Model: documents -> typed components. Pure over already-loaded documents (loadSolution does the I/O).
 */
import { DvsolError } from "../errors.js";
import { attr, child, childText, elements, text } from "../xml/dom.js";
import { decodeXmlBytes, encodeXmlText, parseXml, type XmlDocument, type XmlElement } from "../xml/parse.js";
import { openSource, type OpenOptions, type SolutionFile, type SolutionSource } from "../solution/source.js";
import { normId } from "./ids.js";
import { parseFullName, parseQualifiedName } from "./names.js";
import { finding } from "../findings/catalog.js";
import "./findings.js";
import type {
  ElementLoc,
  LoadedDoc,
  Manifest,
  MissingDependency,
  PluginAssembly,
  PluginType,
  RootComponent,
  ServiceEndpoint,
  Solution,
  Step,
  StepImage,
} from "./types.js";
import type { Finding } from "../findings/types.js";

export const ZIP_MANIFEST = "solution.xml";
export const ZIP_CUSTOMIZATIONS = "customizations.xml";
export const FOLDER_MANIFEST = "Other/Solution.xml";
export const FOLDER_CUSTOMIZATIONS = "Other/Customizations.xml";
export const FOLDER_ENDPOINTS = "PluginAssemblies/ServiceEndpoints.xml";

export const SECRET_ELEMENTS = ["SASKey", "SASToken", "AuthValue"] as const;

/** Which files of a folder hold plug-in documents. */
export function isAssemblyDataFile(p: string): boolean {
  return /^PluginAssemblies\/[^/]+\/[^/]+\.dll\.data\.xml$/i.test(p);
}
export function isStepFile(p: string): boolean {
  return /^SdkMessageProcessingSteps\/[^/]+\.xml$/i.test(p) && !/_managed\.xml$/i.test(p);
}

export interface LoadOptions extends OpenOptions {}

/** Opens a zip or folder and reads its model. The caller closes solution.source when done. */
export async function loadSolution(location: string, opts: LoadOptions = {}): Promise<Solution> {
  const source = await openSource(location, opts);
  try {
    return await readSolution(source);
  } catch (e) {
    await source.close();
    throw e;
  }
}

/**
 * Documents parsed from zip entries, by entry (an entry cannot change while its reader is open). An edit reads
 * the solution again after applying its plan (src/edit/apply.ts: the overlay hands back the same file objects
 * for what the plan did not write), so a version bump parses solution.xml twice but a 40 MB
 * customizations.xml once. Documents are never changed in place (edits are splices into new text).
 */
const parsedEntries = new WeakMap<SolutionFile, LoadedDoc>();

async function loadDoc(source: SolutionSource, p: string): Promise<LoadedDoc> {
  const f = source.get(p) ?? source.find(p);
  if (!f) throw new Error(`internal: ${p} not in source`);
  const cached = f.zipEntry ? parsedEntries.get(f) : undefined;
  if (cached) return cached;
  let bytes: Buffer | null = await f.read();
  try {
    // Decoded first, then parsed without the bytes held: what parseXmlBytes does, but the 38 MB of a large
    // customizations.xml can be collected while its tables are being built.
    const where = { file: source.location, entry: f.path };
    const { text, bom, encoding } = decodeXmlBytes(bytes, where);
    const kept: Buffer | null = encoding === "utf-8" ? null : bytes;
    bytes = null;
    const d = loadedDoc(f.path, kept, parseXml(text, where, {}, bom, encoding));
    if (f.zipEntry) parsedEntries.set(f, d);
    return d;
  } catch (e) {
    if (e instanceof DvsolError) throw e.withLocation({ file: source.location, entry: f.path });
    throw e;
  }
}

/**
 * A LoadedDoc that does not keep the file's bytes: the decoded text holds the same content, and keeping both
 * would cost the size of every document twice over (38 MB more per customizations.xml of a large solution,
 * for the whole run). UTF-8 was decoded strictly (any invalid byte is XML_ENCODING), so encoding the text
 * again gives the bytes back exactly, on demand; a UTF-16 document (decoded leniently) keeps its bytes.
 */
function loadedDoc(path: string, bytes: Buffer | null, doc: XmlDocument): LoadedDoc {
  if (bytes) return { path, bytes, doc };
  return {
    path,
    doc,
    get bytes(): Buffer {
      return encodeXmlText(doc.text, doc.encoding, doc.bom);
    },
  };
}

export async function readSolution(source: SolutionSource): Promise<Solution> {
  const docs = new Map<string, LoadedDoc>();
  const folder = source.form === "folder";
  const manifestName = folder ? FOLDER_MANIFEST : ZIP_MANIFEST;
  const custName = folder ? FOLDER_CUSTOMIZATIONS : ZIP_CUSTOMIZATIONS;
  const mf = source.find(manifestName);
  if (!mf) throw missingManifestError(source);
  const cf = source.find(custName);
  if (!cf) throw new DvsolError("SOLUTION_MISSING_CUSTOMIZATIONS", `${custName} is missing from ${source.location}`, { file: source.location });
  const manifestDoc = await loadDoc(source, mf.path);
  const custDoc = await loadDoc(source, cf.path);
  docs.set(manifestDoc.path, manifestDoc);
  docs.set(custDoc.path, custDoc);

  const readFindings: Finding[] = [];
  const manifest = readManifest(manifestDoc, source.location);

  const assemblies: PluginAssembly[] = [];
  const steps: Step[] = [];
  const endpoints: ServiceEndpoint[] = [];

  // Components still inside customizations.xml (always so in a zip; possible in a folder).
  const root = custDoc.doc.root;
  for (const a of elements(child(root, "SolutionPluginAssemblies") ?? root, "PluginAssembly")) {
    if (a.parent?.name === "SolutionPluginAssemblies") assemblies.push(readAssembly(a, custDoc.path));
  }
  for (const s of elements(child(root, "SdkMessageProcessingSteps") ?? root, "SdkMessageProcessingStep")) {
    if (s.parent?.name === "SdkMessageProcessingSteps") steps.push(readStep(s, custDoc.path, source.location));
  }
  for (const e of elements(child(root, "ServiceEndpoints") ?? root, "ServiceEndpoint")) {
    if (e.parent?.name === "ServiceEndpoints") endpoints.push(readEndpoint(e, custDoc.path, source.location));
  }

  if (folder) {
    for (const f of source.files) {
      if (isAssemblyDataFile(f.path)) {
        const d = await loadDoc(source, f.path);
        docs.set(d.path, d);
        if (d.doc.root.name !== "PluginAssembly") throw badRoot(source.location, d.path, d.doc.root.name, "PluginAssembly");
        assemblies.push(readAssembly(d.doc.root, d.path));
      } else if (isStepFile(f.path)) {
        const d = await loadDoc(source, f.path);
        docs.set(d.path, d);
        if (d.doc.root.name !== "SdkMessageProcessingStep") throw badRoot(source.location, d.path, d.doc.root.name, "SdkMessageProcessingStep");
        steps.push(readStep(d.doc.root, d.path, source.location));
      }
    }
    const ep = source.find(FOLDER_ENDPOINTS);
    if (ep) {
      const d = await loadDoc(source, ep.path);
      docs.set(d.path, d);
      if (d.doc.root.name !== "ServiceEndpoints") throw badRoot(source.location, d.path, d.doc.root.name, "ServiceEndpoints");
      for (const e of elements(d.doc.root, "ServiceEndpoint")) endpoints.push(readEndpoint(e, d.path, source.location));
    }
  }

  // Resolve DLL paths through FileName, never by rebuilding the name.
  for (const a of assemblies) {
    if (a.fileName) {
      const p = a.fileName.replace(/^\/+/, "");
      a.dllPath = source.find(p)?.path ?? null;
    }
  }

  for (const e of endpoints) {
    if (e.secrets.length) readFindings.push(secretFinding(e.name, e.id, e.secrets, source.location, e.loc.doc, e.loc.el.line));
  }

  return { source, form: source.form, docs, manifestPath: manifestDoc.path, customizationsPath: custDoc.path, manifest, assemblies, steps, endpoints, readFindings };
}

/**
 * The error for a source without its manifest, saying what it is instead: not a solution at all (no manifest,
 * no customizations), an extracted zip given as a folder, a zipped folder given as a zip, or a damaged
 * solution. Every command that reads a solution (read and layout) throws this one.
 */
export function missingManifestError(source: SolutionSource): DvsolError {
  const folder = source.form === "folder";
  const file = source.location;
  const manifestName = folder ? FOLDER_MANIFEST : ZIP_MANIFEST;
  if (folder && source.files.length === 0) return new DvsolError("INPUT_NOT_SOLUTION", `${file} is an empty folder, not an unpacked solution`, { file });
  const other = folder ? source.find(ZIP_MANIFEST) : source.find(FOLDER_MANIFEST);
  if (other) {
    return new DvsolError("SOLUTION_MISSING_MANIFEST", `${manifestName} is missing from ${file} (found ${other.path}: is this ${folder ? "an extracted zip rather than an unpacked" : "a zip of an unpacked"} folder?)`, {
      file,
      hint: folder
        ? "An unpacked solution folder holds Other/Solution.xml; run `dvsol unpack <zip> <folder>` on the zip to make one, or give the zip itself."
        : "A solution zip holds solution.xml at its root; run `dvsol pack <folder> <zip>` on the unpacked folder to make one.",
    });
  }
  const nested = folder ? undefined : source.files.find((f) => /^[^/]+\/solution\.xml$/i.test(f.path));
  if (nested) {
    return new DvsolError("SOLUTION_MISSING_MANIFEST", `${manifestName} is not at the root of ${file}; the zip holds ${nested.path}: it was made by zipping the folder instead of its files`, {
      file,
      hint: "Zip the files inside the folder (solution.xml at the root of the zip), or pack an unpacked folder with `dvsol pack`.",
    });
  }
  if (!source.find(folder ? FOLDER_CUSTOMIZATIONS : ZIP_CUSTOMIZATIONS)) {
    return new DvsolError(
      "INPUT_NOT_SOLUTION",
      folder
        ? `${file} is not an unpacked solution: it holds neither Other/Solution.xml nor Other/Customizations.xml`
        : `${file} is a zip archive but not a solution: it holds neither solution.xml nor customizations.xml`,
      { file },
    );
  }
  return new DvsolError("SOLUTION_MISSING_MANIFEST", `${manifestName} is missing from ${file}`, {
    file,
    hint: folder ? "An unpacked solution folder holds Other/Solution.xml; restore it (for example from the zip the folder was unpacked from)." : undefined,
  });
}

function badRoot(file: string, entry: string, found: string, expected: string): DvsolError {
  return new DvsolError("SOLUTION_BAD_COMPONENT", `the root element is <${found}>; expected <${expected}>`, { file, entry, line: 1 });
}

function num(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === "" || !/^-?\d+$/.test(t)) return null;
  return Number(t);
}

function str(v: string | undefined): string | null {
  return v === undefined ? null : v;
}

function loc(doc: string, el: XmlElement): ElementLoc {
  return { doc, el };
}

export function readManifest(d: LoadedDoc, file: string): Manifest {
  const root = d.doc.root;
  const sm = child(root, "SolutionManifest");
  const where = { file, entry: d.path };
  if (root.name !== "ImportExportXml" || !sm) {
    throw new DvsolError("SOLUTION_BAD_MANIFEST", `${d.path} has no <ImportExportXml><SolutionManifest>: it is not a solution manifest`, { ...where, line: root.line });
  }
  const uniqueName = childText(sm, "UniqueName");
  if (!uniqueName) throw new DvsolError("SOLUTION_BAD_MANIFEST", "<SolutionManifest> has no <UniqueName>", { ...where, line: sm.line, path: "/ImportExportXml/SolutionManifest/UniqueName" });
  const version = childText(sm, "Version");
  if (!version) throw new DvsolError("SOLUTION_BAD_MANIFEST", "<SolutionManifest> has no <Version>", { ...where, line: sm.line, path: "/ImportExportXml/SolutionManifest/Version" });
  const managedText = (childText(sm, "Managed") ?? "0").trim();
  const managed = managedText === "1" ? 1 : managedText === "2" ? 2 : 0;
  const pub = child(sm, "Publisher");
  const publisher = {
    uniqueName: childText(pub, "UniqueName") ?? "",
    prefix: childText(pub, "CustomizationPrefix") ?? null,
    optionValuePrefix: childText(pub, "CustomizationOptionValuePrefix") ?? null,
    friendlyName: localizedName(pub),
  };
  const rootComponents: RootComponent[] = elements(child(sm, "RootComponents") ?? sm, "RootComponent")
    .filter((rc) => rc.parent?.name === "RootComponents")
    .map((rc) => {
      const t = attr(rc, "type") ?? "";
      return {
        type: /^\d+$/.test(t) ? Number(t) : t,
        id: normId(attr(rc, "id")),
        schemaName: attr(rc, "schemaName") ?? null,
        behavior: num(attr(rc, "behavior")),
        loc: loc(d.path, rc),
      };
    });
  const missingDependencies: MissingDependency[] = elements(child(sm, "MissingDependencies") ?? sm, "MissingDependency")
    .filter((m) => m.parent?.name === "MissingDependencies")
    .map((m) => ({ required: attrMap(child(m, "Required")), dependent: attrMap(child(m, "Dependent")), loc: loc(d.path, m) }));
  return { uniqueName, friendlyName: localizedName(sm), version: version.trim(), managed, publisher, rootComponents, missingDependencies, loc: loc(d.path, sm) };
}

function localizedName(el: XmlElement | undefined): string | null {
  const ln = child(child(el, "LocalizedNames"), "LocalizedName");
  return ln ? (attr(ln, "description") ?? null) : null;
}

function attrMap(el: XmlElement | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of el?.attrs ?? []) out[a.name] = a.value;
  return out;
}

export function readAssembly(a: XmlElement, docPath: string): PluginAssembly {
  const fullName = attr(a, "FullName") ?? "";
  const id = parseFullName(fullName);
  const types: PluginType[] = elements(child(a, "PluginTypes") ?? a, "PluginType")
    .filter((t) => t.parent?.name === "PluginTypes")
    .map((t) => {
      const aqn = attr(t, "AssemblyQualifiedName") ?? "";
      const name = attr(t, "Name") ?? "";
      return {
        id: normId(attr(t, "PluginTypeId")),
        name,
        typeName: aqn ? parseQualifiedName(aqn).typeName : name,
        assemblyQualifiedName: aqn,
        friendlyName: childText(t, "FriendlyName") ?? null,
        description: childText(t, "Description") ?? null,
        workflowActivityGroupName: childText(t, "WorkflowActivityGroupName") ?? null,
        loc: loc(docPath, t),
      };
    });
  return {
    id: normId(attr(a, "PluginAssemblyId")),
    name: id.name,
    version: id.version,
    culture: id.culture,
    publicKeyToken: id.publicKeyToken,
    fullName,
    fileName: childText(a, "FileName") ?? null,
    dllPath: null,
    isolationMode: num(childText(a, "IsolationMode")),
    sourceType: num(childText(a, "SourceType")),
    introducedVersion: str(childText(a, "IntroducedVersion")),
    description: str(childText(a, "Description")),
    customizationLevel: attr(a, "CustomizationLevel") ?? null,
    types,
    loc: loc(docPath, a),
  };
}

function splitList(v: string | undefined | null): string[] {
  if (!v) return [];
  return v
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
}

export function readStep(s: XmlElement, docPath: string, file: string): Step {
  const idText = attr(s, "SdkMessageProcessingStepId");
  const id = normId(idText);
  if (!id) {
    throw new DvsolError("SOLUTION_BAD_COMPONENT", `<SdkMessageProcessingStep Name="${attr(s, "Name") ?? ""}"> has no valid SdkMessageProcessingStepId`, { file, entry: docPath, line: s.line });
  }
  const b01 = (v: string | undefined) => (v === undefined ? null : v.trim() === "1" || v.trim().toLowerCase() === "true");
  const images: StepImage[] = elements(child(s, "SdkMessageProcessingStepImages") ?? s, "SdkMessageProcessingStepImage")
    .filter((i) => i.parent?.name === "SdkMessageProcessingStepImages")
    .map((i) => ({
      id: normId(childText(i, "SdkMessageProcessingStepImageId") ?? attr(i, "SdkMessageProcessingStepImageId")),
      name: attr(i, "Name") ?? null,
      alias: childText(i, "EntityAlias") ?? null,
      imageType: num(childText(i, "ImageType")),
      attributes: splitList(childText(i, "Attributes")),
      messagePropertyName: childText(i, "MessagePropertyName") ?? null,
      relatedAttributeName: childText(i, "RelatedAttributeName") || null,
      description: childText(i, "Description") ?? null,
      loc: loc(docPath, i),
    }));
  const sdkMessageId = childText(s, "SdkMessageId");
  return {
    id,
    name: attr(s, "Name") ?? null,
    description: childText(s, "Description") ?? null,
    messageId: normId(sdkMessageId),
    messageName: childText(s, "SdkMessageName") || null,
    primaryEntity: childText(s, "PrimaryEntity") || null,
    secondaryEntity: childText(s, "SecondaryEntity") || null,
    stage: num(childText(s, "Stage")),
    mode: num(childText(s, "Mode")),
    rank: num(childText(s, "Rank")),
    filteringAttributes: splitList(childText(s, "FilteringAttributes")),
    pluginTypeName: childText(s, "PluginTypeName") || null,
    pluginTypeId: normId(childText(s, "PluginTypeId")),
    eventHandler: normId(childText(s, "EventHandler")),
    eventHandlerTypeCode: num(childText(s, "EventHandlerTypeCode")),
    configuration: childText(s, "Configuration") ?? null,
    asyncAutoDelete: b01(childText(s, "AsyncAutoDelete")),
    invocationSource: num(childText(s, "InvocationSource")),
    supportedDeployment: num(childText(s, "SupportedDeployment")),
    impersonatingUserIdName: childText(s, "ImpersonatingUserIdName") || null,
    stateCode: num(childText(s, "StateCode")),
    statusCode: num(childText(s, "StatusCode")),
    isCustomizable: childText(s, "IsCustomizable") ?? null,
    isHidden: childText(s, "IsHidden") ?? null,
    introducedVersion: childText(s, "IntroducedVersion") ?? null,
    images,
    loc: loc(docPath, s),
  };
}

/** The secret elements (SASKey, SASToken, AuthValue) a <ServiceEndpoint> holds with a value. */
export function endpointSecrets(e: XmlElement): string[] {
  return SECRET_ELEMENTS.filter((n) => {
    const c = child(e, n);
    return (c && attr(c, "xsi:nil") !== "true" && (text(c) ?? "").trim() !== "") || (c && elements(c).length > 0);
  });
}

function secretFinding(endpoint: string, id: string | null, secrets: string[], file: string, entry: string, line: number): Finding {
  return finding("SECRET_IN_ENDPOINT", { endpoint, elements: secrets }, { component: { kind: "endpoint", id, name: endpoint }, location: { file, entry, line } });
}

/**
 * SECRET_IN_ENDPOINT for each endpoint of a <ServiceEndpoints> section that holds a secret: for commands
 * that parse the section without reading the model (unpack and pack), the same finding readSolution gives.
 */
export function endpointSecretFindings(section: XmlElement, file: string, entry: string): Finding[] {
  const out: Finding[] = [];
  for (const e of elements(section, "ServiceEndpoint")) {
    const secrets = endpointSecrets(e);
    if (secrets.length) out.push(secretFinding(attr(e, "Name") ?? "", normId(attr(e, "ServiceEndpointId")), secrets, file, entry, e.line));
  }
  return out;
}

export function readEndpoint(e: XmlElement, docPath: string, file: string): ServiceEndpoint {
  const id = normId(attr(e, "ServiceEndpointId"));
  if (!id) throw new DvsolError("SOLUTION_BAD_COMPONENT", `<ServiceEndpoint Name="${attr(e, "Name") ?? ""}"> has no valid ServiceEndpointId`, { file, entry: docPath, line: e.line });
  const secrets = endpointSecrets(e);
  return {
    id,
    name: attr(e, "Name") ?? "",
    contract: num(childText(e, "Contract")),
    connectionMode: num(childText(e, "ConnectionMode")),
    path: childText(e, "Path") || null,
    solutionNamespace: childText(e, "SolutionNamespace") || null,
    namespaceAddress: childText(e, "NamespaceAddress") || null,
    namespaceFormat: num(childText(e, "NamespaceFormat")),
    url: childText(e, "Url") || null,
    authType: num(childText(e, "AuthType")),
    messageFormat: num(childText(e, "MessageFormat")),
    userClaim: num(childText(e, "UserClaim")),
    sasKeyName: childText(e, "SASKeyName") || null,
    useKeyVaultConfiguration: childText(e, "UseKeyVaultConfiguration") ?? null,
    description: childText(e, "Description") ?? null,
    secrets: [...secrets],
    loc: loc(docPath, e),
  };
}
