#!/usr/bin/env node
// Generates a large unpacked solution (SolutionPackager layout), deterministically from a seed:
//   - the CoE Starter Kit core components tree (../shared/corpus/romikaAIS__coe-starter-kit/...) as the base,
//   - `clones` copies of its entities, workflows, web resources, canvas apps and relationships, each with its
//     own publisher prefix (admin_ -> c01a_, coe_ -> c01c_, ...) and new GUIDs (paths and content alike),
//   - `assemblies` plug-in assemblies: real DLLs (samples/plugin/bin, corpus DLLs) whose assembly name is
//     patched in place to a same-length variant (Contoso.Plugins -> Contoso.PlV0042), so every
//     registration names its own DLL; FileName, FullName and the plug-in types match what the DLL holds,
//   - `steps` steps bound to those types (Create/Update/Delete on the base and cloned tables, pre/post
//     images where the message has them, filtering attributes on Update), a few bound to service endpoints,
//   - `endpoints` service endpoints (no secrets), and one big JavaScript web resource (streamed entries).
// A twin folder (`--twin`, version 1.0.0.0) shares every file by hard link except the manifest and the
// steps: it lacks the new steps, has the removed ones, and the old values of the changed ones, so that
// `dvsol impact <twin> <large>` has something to report.
//
// Usage: node bench/gen-large.mjs --out <dir> [--twin <dir>] [--seed 1] [--clones 7] [--assemblies 300]
//          [--steps 2400] [--endpoints 3] [--big-mb 40] [--base <tree>|none]
// As a module: import { generate } from "./gen-large.mjs"; await generate({ out, twin, ... }).
// Without --base (or with --base none) the base is a minimal empty solution: what `--dry` runs use.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
export const COE_TREE = path.resolve(root, "..", "shared", "corpus", "romikaAIS__coe-starter-kit", "CenterofExcellenceCoreComponents", "SolutionPackage");
const CORPUS = path.resolve(root, "..", "shared", "corpus");

/** Bump when the output changes: a folder whose stamp differs is generated again. */
const GENERATOR_VERSION = 4;

const DEFAULTS = { seed: 1, clones: 7, assemblies: 300, steps: 2400, endpoints: 3, bigMb: 64, base: COE_TREE };

// ---- deterministic helpers ------------------------------------------------------------------------------

function rng(seed) {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function guid(seed, ...parts) {
  const x = createHash("sha1").update(`dvsol-bench\u001f${seed}\u001f${parts.join("\u001f")}`).digest("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-5${x.slice(13, 16)}-a${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

const BOM = "\ufeff";
const DECL = '<?xml version="1.0" encoding="utf-8"?>';
const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function writeText(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function walkFiles(dir, rel = "", out = []) {
  for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) walkFiles(path.join(dir, d.name), r, out);
    else if (d.isFile()) out.push(r);
  }
  return out;
}

// ---- cloning ------------------------------------------------------------------------------------------

const GUID_OR_PREFIX = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(?:admin|coe|cat|new)_/gi;

/**
 * The text of clone k: publisher prefixes renamed (case kept so that lowercasing commutes: Admin_ -> C03A_,
 * admin_ -> c03a_) and every GUID but the empty one mapped to a GUID of its own (case kept).
 */
function cloneText(s, k, seed) {
  const kk = String(k).padStart(2, "0");
  return s.replace(GUID_OR_PREFIX, (m) => {
    if (m.endsWith("_")) {
      const up = m[0] !== m[0].toLowerCase();
      return `${up ? "C" : "c"}${kk}${up ? m[0].toUpperCase() : m[0].toLowerCase()}_`;
    }
    if (/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(m)) return m;
    const g = guid(seed, "clone", k, m.toLowerCase());
    return m === m.toLowerCase() ? g : g.toUpperCase();
  });
}

function isBinary(buf) {
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

/** Writes the clone of one file; text files go through cloneText byte for byte (latin1 keeps UTF-8 as is). */
function cloneFile(srcAbs, dstAbs, k, seed) {
  const buf = fs.readFileSync(srcAbs);
  fs.mkdirSync(path.dirname(dstAbs), { recursive: true });
  if (isBinary(buf)) fs.writeFileSync(dstAbs, buf);
  else fs.writeFileSync(dstAbs, Buffer.from(cloneText(buf.toString("latin1"), k, seed), "latin1"));
}

/** Relationship elements (self-closing or not) of an EntityRelationships document. */
function relationshipElements(text) {
  const out = [];
  const re = /<EntityRelationship\b[^>]*?(?:\/>|>[\s\S]*?<\/EntityRelationship>)/g;
  for (let m; (m = re.exec(text)); ) out.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
  return out;
}

/** Appends clones 1..K of the relationship elements that mention a cloned prefix, before the closing tag. */
function appendRelationshipClones(text, clones, seed) {
  const close = text.lastIndexOf("</EntityRelationships>");
  if (close < 0) return text;
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const add = [];
  for (const r of relationshipElements(text)) {
    for (let k = 1; k <= clones; k++) {
      const c = cloneText(r.text, k, seed);
      if (c !== r.text) add.push(`  ${c}${eol}`);
    }
  }
  if (!add.length) return text;
  return text.slice(0, close) + add.join("") + text.slice(close);
}

// ---- plug-in assemblies ----------------------------------------------------------------------------------

/** Real DLLs to vary, with their identity and plug-in types (read once with dvsol's own reader). */
async function baseDlls() {
  const candidates = [
    path.join(root, "samples", "plugin", "bin", "1.0.0.0", "Contoso.Plugins.dll"),
    path.join(root, "samples", "plugin", "bin", "2.0.0.0", "Contoso.Plugins.dll"),
    path.join(CORPUS, "bguidinger__Xrm.DataProviders", "solution", "PluginAssemblies", "BGuidingerXrmDataProviders-D6A67AB2-02B7-4AC5-8402-1F0F12EFF71B", "BGuidingerXrmDataProviders.dll"),
    path.join(CORPUS, "bguidinger__Xrm.ReportScheduler", "solution", "PluginAssemblies", "BGuidingerReports-0A3C5696-E047-45B2-9E91-87CBD3940198", "BGuidingerReports.dll"),
  ].filter((p) => fs.existsSync(p));
  if (!candidates.length) throw new Error("no plug-in DLLs found (samples/plugin/bin)");
  const { readAssembly } = await import(pathToFileURL(path.join(root, "dist", "assembly", "index.js")).href).catch(() => {
    throw new Error("dist/ is missing: build first (npm run build)");
  });
  return candidates.map((file) => {
    const bytes = fs.readFileSync(file);
    const info = readAssembly(bytes);
    return { file, bytes, info };
  });
}

/** Replaces every ASCII and UTF-16 occurrence of `from` by `to` (same length) in a copy of `bytes`. */
function patchName(bytes, from, to) {
  if (from.length !== to.length) throw new Error(`patchName: ${from} and ${to} differ in length`);
  const out = Buffer.from(bytes);
  for (const enc of ["latin1", "utf16le"]) {
    const f = Buffer.from(from, enc);
    const t = Buffer.from(to, enc);
    for (let i = out.indexOf(f); i >= 0; i = out.indexOf(f, i + f.length)) t.copy(out, i);
  }
  return out;
}

/** Same-length variant of an assembly name: its last five characters become V0000-V9999 style. */
function variantName(name, i) {
  const tag = `V${String(i).padStart(4, "0")}`;
  if (name.length <= tag.length + 2) throw new Error(`assembly name ${name} is too short to vary`);
  return name.slice(0, name.length - tag.length) + tag;
}

const MESSAGES = {
  Create: "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8",
  Update: "20bebb1b-ea3e-db11-86a7-000a3a5473e8",
  Delete: "a1bdbb1b-ea3e-db11-86a7-000a3a5473e8",
};

function assemblyXml(a) {
  const types = a.types
    .map(
      (t) =>
        `    <PluginType AssemblyQualifiedName="${esc(`${t.name}, ${a.fullName}`)}" PluginTypeId="${t.id}" Name="${esc(t.name)}">\r\n` +
        `      <FriendlyName>${t.friendly}</FriendlyName>\r\n` +
        (t.kind === "workflow-activity" ? `      <WorkflowActivityGroupName>${esc(`${a.name} (${a.version})`)}</WorkflowActivityGroupName>\r\n` : "") +
        `    </PluginType>\r\n`,
    )
    .join("");
  return (
    `${BOM}${DECL}\r\n<PluginAssembly FullName="${esc(a.fullName)}" PluginAssemblyId="${a.id}" CustomizationLevel="1" ${XSI}>\r\n` +
    `  <IsolationMode>2</IsolationMode>\r\n  <SourceType>0</SourceType>\r\n  <IntroducedVersion>1.0</IntroducedVersion>\r\n` +
    `  <FileName>/${a.dllPath}</FileName>\r\n  <PluginTypes>\r\n${types}  </PluginTypes>\r\n</PluginAssembly>`
  );
}

function imageXml(img) {
  return (
    `    <SdkMessageProcessingStepImage Name="${img.alias}">\r\n` +
    `      <SdkMessageProcessingStepImageId>{${img.id}}</SdkMessageProcessingStepImageId>\r\n` +
    `      <Attributes>${img.attributes}</Attributes>\r\n      <EntityAlias>${img.alias}</EntityAlias>\r\n` +
    `      <ImageType>${img.type}</ImageType>\r\n      <MessagePropertyName>${img.property}</MessagePropertyName>\r\n` +
    `      <IsCustomizable>1</IsCustomizable>\r\n    </SdkMessageProcessingStepImage>\r\n`
  );
}

function stepXml(s) {
  const lines = [
    `  <SdkMessageId>${MESSAGES[s.message]}</SdkMessageId>`,
    `  <PluginTypeName>${esc(s.typeName)}</PluginTypeName>`,
    `  <PluginTypeId>${s.typeId}</PluginTypeId>`,
    `  <PrimaryEntity>${s.entity}</PrimaryEntity>`,
    `  <AsyncAutoDelete>${s.mode === 1 ? 1 : 0}</AsyncAutoDelete>`,
    `  <Description>${esc(s.name)}</Description>`,
    `  <FilteringAttributes>${s.filter}</FilteringAttributes>`,
    `  <InvocationSource>0</InvocationSource>`,
    `  <Mode>${s.mode}</Mode>`,
    `  <Rank>${s.rank}</Rank>`,
  ];
  if (s.endpoint) lines.push(`  <EventHandler>{${s.endpoint}}</EventHandler>`);
  lines.push(
    `  <EventHandlerTypeCode>${s.endpoint ? 4618 : 4602}</EventHandlerTypeCode>`,
    `  <Stage>${s.stage}</Stage>`,
    `  <IsCustomizable>1</IsCustomizable>`,
    `  <IsHidden>0</IsHidden>`,
    `  <SupportedDeployment>0</SupportedDeployment>`,
    `  <IntroducedVersion>1.0</IntroducedVersion>`,
  );
  lines.push(s.images.length ? `  <SdkMessageProcessingStepImages>\r\n${s.images.map(imageXml).join("")}  </SdkMessageProcessingStepImages>` : `  <SdkMessageProcessingStepImages />`);
  return `${BOM}${DECL}\r\n<SdkMessageProcessingStep Name="${esc(s.name)}" SdkMessageProcessingStepId="{${s.id}}" ${XSI}>\r\n${lines.join("\r\n")}\r\n</SdkMessageProcessingStep>`;
}

function endpointsXml(endpoints) {
  const body = endpoints
    .map((e) =>
      e.contract === 8
        ? `  <ServiceEndpoint ServiceEndpointId="{${e.id}}" Name="${e.name}">\r\n    <ConnectionMode>1</ConnectionMode>\r\n    <Contract>8</Contract>\r\n    <Path></Path>\r\n    <SolutionNamespace></SolutionNamespace>\r\n    <UserClaim>1</UserClaim>\r\n    <IsCustomizable>1</IsCustomizable>\r\n    <AuthType>5</AuthType>\r\n    <MessageFormat>2</MessageFormat>\r\n    <NamespaceFormat>1</NamespaceFormat>\r\n    <Url>https://contoso-${e.n}.example.com/api/dataverse</Url>\r\n    <UseKeyVaultConfiguration>0</UseKeyVaultConfiguration>\r\n  </ServiceEndpoint>\r\n`
        : `  <ServiceEndpoint ServiceEndpointId="{${e.id}}" Name="${e.name}">\r\n    <ConnectionMode>1</ConnectionMode>\r\n    <Contract>6</Contract>\r\n    <Path>queue${e.n}</Path>\r\n    <SolutionNamespace></SolutionNamespace>\r\n    <UserClaim>1</UserClaim>\r\n    <IsCustomizable>1</IsCustomizable>\r\n    <AuthType>2</AuthType>\r\n    <MessageFormat>2</MessageFormat>\r\n    <NamespaceAddress>sb://contoso-${e.n}.servicebus.windows.net/</NamespaceAddress>\r\n    <NamespaceFormat>2</NamespaceFormat>\r\n    <SASKeyName>RootManageSharedAccessKey</SASKeyName>\r\n    <UseKeyVaultConfiguration>0</UseKeyVaultConfiguration>\r\n  </ServiceEndpoint>\r\n`,
    )
    .join("");
  return `${BOM}${DECL}\r\n<ServiceEndpoints ${XSI}>\r\n${body}</ServiceEndpoints>`;
}

const ATTRS = ["name", "statuscode", "statecode", "ownerid", "modifiedon", "description", "createdon", "overriddencreatedon"];

/**
 * The steps of both variants. Index i < steps exists in both; `removed` ones only in the twin (old), `added`
 * ones (i >= steps) only in the large solution (new), `changed` ones differ in rank and filtering attributes.
 */
function planSteps(opts, pluginTypes, endpoints, tables) {
  const { seed, steps } = opts;
  const extra = Math.max(1, Math.round(steps / 200));
  const all = [];
  // Distinct ranks among the synchronous steps of one message, table and stage (10, 20, ...): check stays quiet.
  const ranks = new Map();
  for (let i = 0; i < steps + extra; i++) {
    const r = rng(seed * 1000003 + i);
    const viaEndpoint = endpoints.length > 0 && i % 97 === 13;
    const t = pluginTypes[i % pluginTypes.length];
    const table = tables[Math.floor(i / pluginTypes.length) % tables.length];
    const message = ["Create", "Update", "Delete"][Math.floor(r() * 3)];
    const stage = viaEndpoint ? 40 : message === "Delete" ? [10, 20, 40][Math.floor(r() * 3)] : [20, 40][Math.floor(r() * 2)];
    const mode = stage === 40 && (viaEndpoint || r() < 0.3) ? 1 : 0;
    const images = [];
    const cols = () => ATTRS.filter(() => r() < 0.4).join(",") || "name";
    if (!viaEndpoint) {
      if (message === "Update") {
        images.push({ id: guid(seed, "image", i, "pre"), alias: "PreImage", type: 0, property: "Target", attributes: cols() });
        if (stage === 40) images.push({ id: guid(seed, "image", i, "post"), alias: "PostImage", type: 1, property: "Target", attributes: cols() });
      } else if (message === "Delete") images.push({ id: guid(seed, "image", i, "pre"), alias: "PreImage", type: 0, property: "Target", attributes: cols() });
      else if (stage === 40) images.push({ id: guid(seed, "image", i, "post"), alias: "PostImage", type: 1, property: "id", attributes: cols() });
    }
    const ep = viaEndpoint ? endpoints[i % endpoints.length] : null;
    const group = `${message}|${table}|${stage}|${mode}`;
    const rank = 10 * ((ranks.get(group) ?? 0) + 1);
    ranks.set(group, rank / 10);
    const typeName = ep ? ep.typeName : t.aqn;
    const shortType = ep ? ep.name : t.name;
    all.push({
      i,
      id: guid(seed, "step", i),
      name: `${shortType}: ${message} of ${table}`,
      message,
      entity: table,
      stage,
      mode,
      rank,
      filter: message === "Update" ? ATTRS.filter(() => r() < 0.3).join(",") || "name" : "",
      typeName,
      typeId: ep ? ep.typeId : t.id,
      endpoint: ep ? ep.id : null,
      images,
      removed: i < steps && i % 211 === 7,
      changed: i < steps && i % 173 === 5,
      added: i >= steps,
    });
  }
  return all;
}

// ---- the solution folders ----------------------------------------------------------------------------------

function minimalBase(dir) {
  writeText(
    path.join(dir, "Other", "Solution.xml"),
    `${DECL}\r\n<ImportExportXml version="9.2.24012.195" SolutionPackageVersion="9.2" languagecode="1033" generatedBy="CrmLive" ${XSI}>\r\n  <SolutionManifest>\r\n    <UniqueName>DvsolBench</UniqueName>\r\n    <LocalizedNames>\r\n      <LocalizedName description="dvsol bench" languagecode="1033" />\r\n    </LocalizedNames>\r\n    <Descriptions />\r\n    <Version>1.0.0.0</Version>\r\n    <Managed>0</Managed>\r\n    <Publisher>\r\n      <UniqueName>dvsolbench</UniqueName>\r\n      <LocalizedNames>\r\n        <LocalizedName description="dvsol bench" languagecode="1033" />\r\n      </LocalizedNames>\r\n      <Descriptions />\r\n      <CustomizationPrefix>dvb</CustomizationPrefix>\r\n      <CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix>\r\n    </Publisher>\r\n    <RootComponents>\r\n    </RootComponents>\r\n    <MissingDependencies />\r\n  </SolutionManifest>\r\n</ImportExportXml>`,
  );
  writeText(
    path.join(dir, "Other", "Customizations.xml"),
    `${BOM}${DECL}\r\n<ImportExportXml ${XSI}>\r\n  <Entities />\r\n  <Roles />\r\n  <Workflows />\r\n  <FieldSecurityProfiles />\r\n  <Templates />\r\n  <EntityMaps />\r\n  <EntityRelationships />\r\n  <OrganizationSettings />\r\n  <optionsets />\r\n  <CustomControls />\r\n  <EntityDataProviders />\r\n  <Languages>\r\n    <Language>1033</Language>\r\n  </Languages>\r\n</ImportExportXml>`,
  );
}

/** Copies the base tree (writable copies: the corpus is read-only). */
function copyBase(base, dir) {
  for (const rel of walkFiles(base)) {
    const dst = path.join(dir, rel);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(path.join(base, rel), dst);
    fs.chmodSync(dst, 0o644);
  }
}

const CLONED_DIRS = ["Entities", "Workflows", "WebResources", "CanvasApps"];
const CLONED_ROOT_TYPES = new Set(["1", "29", "61", "300"]);

function cloneComponents(base, dir, clones, seed) {
  let files = 0;
  for (const top of CLONED_DIRS) {
    const abs = path.join(base, top);
    if (!fs.existsSync(abs)) continue;
    for (const rel of walkFiles(abs)) {
      for (let k = 1; k <= clones; k++) {
        const relK = cloneText(`${top}/${rel}`, k, seed);
        if (relK === `${top}/${rel}`) continue; // nothing to rename: it would collide with the base
        cloneFile(path.join(abs, rel), path.join(dir, relK), k, seed);
        files++;
      }
    }
  }
  // Relationships: per-table files of cloned tables are cloned; the others and the index get cloned elements.
  const relDir = path.join(base, "Other", "Relationships");
  if (fs.existsSync(relDir)) {
    for (const rel of walkFiles(relDir)) {
      const src = path.join(relDir, rel);
      let cloned = false;
      for (let k = 1; k <= clones; k++) {
        const relK = cloneText(rel, k, seed);
        if (relK === rel) break;
        cloned = true;
        cloneFile(src, path.join(dir, "Other", "Relationships", relK), k, seed);
        files++;
      }
      if (!cloned) {
        const text = fs.readFileSync(src, "latin1");
        fs.writeFileSync(path.join(dir, "Other", "Relationships", rel), Buffer.from(appendRelationshipClones(text, clones, seed), "latin1"));
      }
    }
  }
  const index = path.join(dir, "Other", "Relationships.xml");
  if (fs.existsSync(index)) fs.writeFileSync(index, Buffer.from(appendRelationshipClones(fs.readFileSync(index, "latin1"), clones, seed), "latin1"));
  return files;
}

/** Root components the clones add: each cloned kind's entries, mapped like the files. */
function cloneRootComponents(solutionXml, clones, seed) {
  const out = [];
  for (const m of solutionXml.matchAll(/<RootComponent\b[^>]*\/>/g)) {
    const type = /\btype="(\d+)"/.exec(m[0])?.[1];
    if (!type || !CLONED_ROOT_TYPES.has(type)) continue;
    for (let k = 1; k <= clones; k++) {
      const c = cloneText(m[0], k, seed);
      if (c !== m[0]) out.push(c);
    }
  }
  return out;
}

/** The tables steps run on: account and contact, and the base's and clones' custom tables. */
function stepTables(dir) {
  const tables = ["account", "contact"];
  const ents = path.join(dir, "Entities");
  if (fs.existsSync(ents)) for (const d of fs.readdirSync(ents).sort()) if (d.includes("_")) tables.push(d.toLowerCase());
  return tables;
}

function withPlaceholders(custXml) {
  const eol = custXml.includes("\r\n") ? "\r\n" : "\n";
  let s = custXml;
  const want = ["SolutionPluginAssemblies", "SdkMessageProcessingSteps", "ServiceEndpoints"].filter((n) => !new RegExp(`<${n}[\\s/>]`).test(s));
  if (!want.length) return s;
  const anchor = /<CustomControls\s*\/>|<\/CustomControls>/.exec(s);
  const at = anchor ? anchor.index + anchor[0].length : s.lastIndexOf("</ImportExportXml>");
  const text = want.map((n) => `${eol}  <${n} />`).join("");
  return anchor ? s.slice(0, at) + text + s.slice(at) : s.slice(0, at) + text.slice(eol.length) + eol + s.slice(at);
}

function setManifest(xml, version, extraRoots) {
  let s = xml.replace(/<Version>[^<]*<\/Version>/, `<Version>${version}</Version>`);
  const eol = s.includes("\r\n") ? "\r\n" : "\n";
  const close = s.indexOf("</RootComponents>");
  if (close < 0) throw new Error("Solution.xml has no </RootComponents>");
  const lineStart = s.lastIndexOf("\n", close) + 1;
  s = s.slice(0, lineStart) + extraRoots.map((r) => `      ${r}${eol}`).join("") + s.slice(lineStart);
  return s;
}

/** A deterministic JavaScript bundle of about `mb` MB (text that deflates like real minified code, ~4:1). */
function bigScript(mb, seed) {
  const r = rng(seed ^ 0x5eed);
  const words = ["account", "contact", "record", "form", "control", "value", "entity", "attribute", "context", "execution", "notify", "grid", "lookup", "option", "visible", "disabled", "required", "save", "load", "change"];
  const w = () => words[Math.floor(r() * words.length)];
  const parts = [];
  let size = 0;
  const target = mb * 1024 * 1024;
  let n = 0;
  while (size < target) {
    const line = `function ${w()}_${w()}_${n}(${w()}Ctx,${w()}){var ${w()}=${w()}Ctx.getFormContext().getAttribute("dvb_${w()}${n % 977}");if(${w()}&&${w()}.getValue()!==${Math.floor(r() * 1e6)}){${w()}.setRequiredLevel("${r() < 0.5 ? "required" : "none"}");return ${Math.floor(r() * 1e9)};}return null;}\n`;
    parts.push(line);
    size += line.length;
    n++;
  }
  return parts.join("");
}

/**
 * Generates the large folder at `out` (and the twin at `twin`, if given). Returns what was made. Skips the
 * work when `out` (and `twin`) carry the stamp of the same parameters.
 */
export async function generate(options) {
  const opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const base = opts.base && opts.base !== "none" ? path.resolve(opts.base) : null;
  if (base && !fs.existsSync(path.join(base, "Other", "Solution.xml"))) throw new Error(`base tree ${base} not found (needs ../shared/corpus)`);
  const stampOf = (variant) => JSON.stringify({ v: GENERATOR_VERSION, variant, seed: opts.seed, clones: opts.clones, assemblies: opts.assemblies, steps: opts.steps, endpoints: opts.endpoints, bigMb: opts.bigMb, base });
  const stampFile = (dir) => path.join(dir, ".dvsol-bench-stamp.json");
  const fresh = (dir, variant) => fs.existsSync(stampFile(dir)) && fs.readFileSync(stampFile(dir), "utf8") === stampOf(variant);
  if (fresh(opts.out, "large") && (!opts.twin || fresh(opts.twin, "twin"))) return JSON.parse(fs.readFileSync(path.join(opts.out, ".dvsol-bench-stats.json"), "utf8"));

  const out = path.resolve(opts.out);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const seed = opts.seed;

  // 1. base and clones
  if (base) copyBase(base, out);
  else minimalBase(out);
  const clonedFiles = base && opts.clones > 0 ? cloneComponents(base, out, opts.clones, seed) : 0;
  const solutionPath = path.join(out, "Other", "Solution.xml");
  const custPath = path.join(out, "Other", "Customizations.xml");
  const baseSolution = fs.readFileSync(solutionPath, "utf8");
  const roots = base ? cloneRootComponents(baseSolution, opts.clones, seed) : [];
  fs.writeFileSync(custPath, withPlaceholders(fs.readFileSync(custPath, "utf8")));

  // 2. assemblies
  const dlls = await baseDlls();
  const pluginTypes = [];
  for (let i = 0; i < opts.assemblies; i++) {
    const b = dlls[i % dlls.length];
    const name = variantName(b.info.name, i);
    const bytes = patchName(b.bytes, b.info.name, name);
    const fullName = `${name}, Version=${b.info.version}, Culture=${b.info.culture || "neutral"}, PublicKeyToken=${b.info.publicKeyToken ?? "null"}`;
    const id = guid(seed, "assembly", i);
    const folderName = name.replace(/\./g, "");
    const dllPath = `PluginAssemblies/${folderName}-${id.toUpperCase()}/${folderName}.dll`;
    const types = b.info.pluginTypes.map((t) => {
      const tn = name + t.name.slice(b.info.name.length);
      return { name: tn, kind: t.kind, id: guid(seed, "type", i, tn), friendly: guid(seed, "friendly", i, tn) };
    });
    const a = { name, version: b.info.version, fullName, id, dllPath, types };
    fs.mkdirSync(path.join(out, path.dirname(dllPath)), { recursive: true });
    fs.writeFileSync(path.join(out, dllPath), bytes);
    fs.writeFileSync(path.join(out, `${dllPath}.data.xml`), assemblyXml(a));
    roots.push(`<RootComponent type="91" id="{${id}}" schemaName="${esc(fullName)}" behavior="0" />`);
    for (const t of types) if (t.kind === "plugin") pluginTypes.push({ name: t.name, id: t.id, aqn: `${t.name}, ${fullName}` });
  }

  // 3. endpoints
  const endpoints = [];
  for (let e = 0; e < opts.endpoints; e++) {
    const contract = e % 2 ? 8 : 6;
    endpoints.push({
      n: e,
      id: guid(seed, "endpoint", e),
      name: `dvb-endpoint-${e}`,
      contract,
      typeName:
        contract === 8
          ? "Microsoft.Crm.ServiceBus.WebhookPlugin, Microsoft.Crm.ServiceBus, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35"
          : "Microsoft.Crm.ServiceBus.ServiceBusPlugin, Microsoft.Crm.ServiceBus, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35",
      typeId: contract === 8 ? "fe4f0cdb-b254-4fa1-84f6-d58d0759b8b3" : "ef521e63-cd2b-4170-99f6-447466a7161e",
    });
  }
  if (endpoints.length) {
    fs.writeFileSync(path.join(out, "PluginAssemblies", "ServiceEndpoints.xml"), endpointsXml(endpoints));
    for (const e of endpoints) roots.push(`<RootComponent type="95" id="{${e.id}}" behavior="0" />`);
  }

  // 4. one big web resource (a streamed entry)
  if (opts.bigMb > 0) {
    const wrName = "dvb_/scripts/bundle.js";
    const wrId = guid(seed, "webresource", "bundle");
    const flat = wrName.replace(/[^A-Za-z0-9_.]/g, "");
    fs.mkdirSync(path.join(out, "WebResources"), { recursive: true });
    fs.writeFileSync(path.join(out, "WebResources", flat), bigScript(opts.bigMb, seed));
    fs.writeFileSync(
      path.join(out, "WebResources", `${flat}.data.xml`),
      `${BOM}${DECL}\r\n<WebResource ${XSI}>\r\n  <WebResourceId>{${wrId}}</WebResourceId>\r\n  <Name>${wrName}</Name>\r\n  <DisplayName>bundle.js</DisplayName>\r\n  <WebResourceType>3</WebResourceType>\r\n  <IntroducedVersion>1.0</IntroducedVersion>\r\n  <IsEnabledForMobileClient>0</IsEnabledForMobileClient>\r\n  <IsAvailableForMobileOffline>0</IsAvailableForMobileOffline>\r\n  <IsCustomizable>1</IsCustomizable>\r\n  <CanBeDeleted>1</CanBeDeleted>\r\n  <IsHidden>0</IsHidden>\r\n  <FileName>/WebResources/${flat}${wrId.toUpperCase()}</FileName>\r\n</WebResource>`,
    );
    roots.push(`<RootComponent type="61" schemaName="${wrName}" behavior="0" />`);
  }

  // 5. steps, and the manifest of each variant
  const steps = pluginTypes.length ? planSteps(opts, pluginTypes, endpoints, stepTables(out)) : [];
  const stepRoots = (list) => list.map((s) => `<RootComponent type="92" id="{${s.id}}" behavior="0" />`);
  const large = steps.filter((s) => !s.removed);
  const changedLarge = (s) => (s.changed ? { ...s, rank: s.rank + 5, filter: s.filter ? `${s.filter},description` : s.filter } : s);
  fs.mkdirSync(path.join(out, "SdkMessageProcessingSteps"), { recursive: true });
  for (const s of large) fs.writeFileSync(path.join(out, "SdkMessageProcessingSteps", `{${s.id}}.xml`), stepXml(changedLarge(s)));
  fs.writeFileSync(solutionPath, setManifest(baseSolution, "1.1.0.0", [...roots, ...stepRoots(large)]));

  const files = walkFiles(out);
  let bytes = 0;
  for (const f of files) bytes += fs.statSync(path.join(out, f)).size;
  const stats = {
    folder: out,
    files: files.length,
    bytes,
    clonedFiles,
    assemblies: opts.assemblies,
    pluginTypes: pluginTypes.length,
    steps: large.length,
    images: large.reduce((n, s) => n + s.images.length, 0),
    endpoints: endpoints.length,
    twin: null,
    firstType: pluginTypes[0]?.name ?? null,
    tables: stepTables(out).slice(0, 3),
  };

  // 6. the twin: same files by hard link, except the manifest and the steps
  if (opts.twin) {
    const twin = path.resolve(opts.twin);
    fs.rmSync(twin, { recursive: true, force: true });
    for (const rel of files) {
      if (rel === "Other/Solution.xml" || rel.startsWith("SdkMessageProcessingSteps/")) continue;
      const dst = path.join(twin, rel);
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      try {
        fs.linkSync(path.join(out, rel), dst);
      } catch {
        fs.copyFileSync(path.join(out, rel), dst);
      }
    }
    const old = steps.filter((s) => !s.added);
    fs.mkdirSync(path.join(twin, "SdkMessageProcessingSteps"), { recursive: true });
    for (const s of old) fs.writeFileSync(path.join(twin, "SdkMessageProcessingSteps", `{${s.id}}.xml`), stepXml(s));
    fs.writeFileSync(path.join(twin, "Other", "Solution.xml"), setManifest(baseSolution, "1.0.0.0", [...roots, ...stepRoots(old)]));
    stats.twin = { folder: twin, steps: old.length, removed: steps.filter((s) => s.removed).length, added: steps.filter((s) => s.added).length, changed: steps.filter((s) => s.changed && !s.removed).length };
    fs.writeFileSync(stampFile(twin), stampOf("twin"));
  }
  fs.writeFileSync(path.join(out, ".dvsol-bench-stats.json"), JSON.stringify(stats, null, 2));
  fs.writeFileSync(stampFile(out), stampOf("large"));
  return stats;
}

// ---- command line ------------------------------------------------------------------------------------------

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const get = (k) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  const num = (k) => (get(k) === undefined ? undefined : Number(get(k)));
  if (!get("--out")) {
    console.error("usage: node bench/gen-large.mjs --out <dir> [--twin <dir>] [--seed N] [--clones N] [--assemblies N] [--steps N] [--endpoints N] [--big-mb N] [--base <tree>|none]");
    process.exit(2);
  }
  const t0 = performance.now();
  const stats = await generate({
    out: get("--out"),
    twin: get("--twin"),
    seed: num("--seed"),
    clones: num("--clones"),
    assemblies: num("--assemblies"),
    steps: num("--steps"),
    endpoints: num("--endpoints"),
    bigMb: num("--big-mb"),
    base: get("--base"),
  });
  console.log(JSON.stringify({ ...stats, seconds: +((performance.now() - t0) / 1000).toFixed(1) }, null, 2));
}
