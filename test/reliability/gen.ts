/**
 * Generated solutions and hostile-input helpers for the reliability tests: a small solution built from a
 * description (assemblies with types, steps with images, endpoints, unknown elements, comments, CRLF or LF,
 * BOM or not, any indentation), written as a server-style zip with src/archive ZipWriter or as raw bytes;
 * tree hashes to prove "nothing changed", and the assertions every CLI refusal must meet.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ZipWriter } from "../../src/archive/index.js";
import { contentTypes } from "../../src/layout/engine.js";
import { spawn } from "node:child_process";
import { ROOT, type CliResult } from "../helpers.js";

// ---- description --------------------------------------------------------------------------------------------

export interface GenType {
  name: string;
  id: string;
}
export interface GenAssembly {
  name: string;
  version: string;
  id: string;
  token: string;
  types: GenType[];
  /** DLL bytes (any bytes: nothing in unpack/pack/inspect reads the DLL). */
  dll: Buffer;
}
export interface GenImage {
  id: string;
  alias: string;
  imageType: number;
  attributes: string;
}
export interface GenStep {
  id: string;
  name: string;
  /** [assembly index, type index], or an endpoint index for a service-endpoint step. */
  handler: { assembly: number; type: number } | { endpoint: number };
  entity: string;
  /** SDK message: Create or Update. */
  message: "Create" | "Update";
  stage: number;
  mode: number;
  rank: number;
  filtering: string;
  enabled: boolean;
  images: GenImage[];
}
export interface GenEndpoint {
  id: string;
  name: string;
  contract: number;
  /** Secret elements to put in (never exported by Dataverse: a hostile or hand-edited file). */
  secrets: ("SASKey" | "SASToken" | "AuthValue")[];
}
export interface GenStyle {
  eol: "\n" | "\r\n";
  bom: boolean;
  indent: string;
  /** XML declaration at the top of each document. */
  declaration: boolean;
  /** Unknown elements/attributes and comments sprinkled in (must survive every round trip). */
  extras: boolean;
  /** Attribute quote character. */
  quote: '"' | "'";
}
export interface GenSolution {
  uniqueName: string;
  version: string;
  managed: 0 | 1;
  assemblies: GenAssembly[];
  steps: GenStep[];
  endpoints: GenEndpoint[];
  style: GenStyle;
  /** Non-XML extra entries (web resources and the like), path -> bytes. */
  extraFiles?: [string, Buffer][];
}

export const DEFAULT_STYLE: GenStyle = { eol: "\r\n", bom: false, indent: "  ", declaration: false, extras: false, quote: '"' };

/** A deterministic GUID from a label (tests only). */
export function gid(label: string | number): string {
  const h = createHash("sha1").update(String(label)).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A small valid solution: one assembly with two types, two steps (one with images), one endpoint step. */
export function sampleSolution(over: Partial<GenSolution> = {}): GenSolution {
  const asm: GenAssembly = {
    name: "Contoso.Plugins",
    version: "1.0.0.0",
    id: gid("asm"),
    token: "0123456789abcdef",
    types: [
      { name: "Contoso.Plugins.AccountCreate", id: gid("t1") },
      { name: "Contoso.Plugins.ContactUpdate", id: gid("t2") },
    ],
    dll: Buffer.from("MZ" + "\0".repeat(200) + "not a real assembly", "latin1"),
  };
  return {
    uniqueName: "ContosoPlugins",
    version: "1.0.0.0",
    managed: 0,
    assemblies: [asm],
    steps: [
      { id: gid("s1"), name: "AccountCreate: Create of account", handler: { assembly: 0, type: 0 }, entity: "account", message: "Create", stage: 20, mode: 0, rank: 1, filtering: "", enabled: true, images: [] },
      {
        id: gid("s2"),
        name: "ContactUpdate: Update of contact",
        handler: { assembly: 0, type: 1 },
        entity: "contact",
        message: "Update",
        stage: 40,
        mode: 1,
        rank: 1,
        filtering: "firstname,lastname",
        enabled: true,
        images: [{ id: gid("i1"), alias: "pre", imageType: 0, attributes: "firstname,lastname" }],
      },
      { id: gid("s3"), name: "queue: Create of account", handler: { endpoint: 0 }, entity: "account", message: "Create", stage: 40, mode: 1, rank: 1, filtering: "", enabled: true, images: [] },
    ],
    endpoints: [{ id: gid("ep"), name: "queue contoso", contract: 6, secrets: [] }],
    style: { ...DEFAULT_STYLE },
    ...over,
  };
}

// ---- XML ----------------------------------------------------------------------------------------------------

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

class Out {
  lines: string[] = [];
  constructor(private readonly st: GenStyle) {}
  line(depth: number, s: string): void {
    this.lines.push(this.st.indent.repeat(depth) + s);
  }
  text(): string {
    return (this.st.declaration ? '<?xml version="1.0" encoding="utf-8"?>' + this.st.eol : "") + this.lines.join(this.st.eol) + this.st.eol;
  }
  a(name: string, value: string): string {
    const q = this.st.quote;
    return ` ${name}=${q}${esc(value)}${q}`;
  }
}

export function fullName(a: GenAssembly): string {
  return `${a.name}, Version=${a.version}, Culture=neutral, PublicKeyToken=${a.token}`;
}

export function dllEntry(a: GenAssembly): string {
  return `PluginAssemblies/${a.name}-${a.id.toUpperCase()}/${a.name}.dll`;
}

export function solutionXml(s: GenSolution): string {
  const o = new Out(s.style);
  o.line(0, `<ImportExportXml${o.a("version", "9.2.24012.196")}${o.a("SolutionPackageVersion", "9.2")}${o.a("languagecode", "1033")}${o.a("generatedBy", "CrmLive")}${o.a("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")}>`);
  o.line(1, "<SolutionManifest>");
  o.line(2, `<UniqueName>${esc(s.uniqueName)}</UniqueName>`);
  o.line(2, "<LocalizedNames>");
  o.line(3, `<LocalizedName${o.a("description", s.uniqueName)}${o.a("languagecode", "1033")} />`);
  o.line(2, "</LocalizedNames>");
  o.line(2, "<Descriptions />");
  o.line(2, `<Version>${esc(s.version)}</Version>`);
  o.line(2, `<Managed>${s.managed}</Managed>`);
  if (s.style.extras) o.line(2, `<!-- generated by the reliability tests -->`);
  o.line(2, "<Publisher>");
  o.line(3, "<UniqueName>contoso</UniqueName>");
  o.line(3, "<LocalizedNames>");
  o.line(4, `<LocalizedName${o.a("description", "Contoso")}${o.a("languagecode", "1033")} />`);
  o.line(3, "</LocalizedNames>");
  o.line(3, "<Descriptions />");
  o.line(3, "<CustomizationPrefix>con</CustomizationPrefix>");
  o.line(3, "<CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix>");
  o.line(3, "<Addresses />");
  o.line(2, "</Publisher>");
  o.line(2, "<RootComponents>");
  for (const a of s.assemblies) o.line(3, `<RootComponent${o.a("type", "91")}${o.a("id", `{${a.id}}`)}${o.a("behavior", "0")} />`);
  for (const st of s.steps) o.line(3, `<RootComponent${o.a("type", "92")}${o.a("id", `{${st.id}}`)}${o.a("behavior", "0")} />`);
  for (const e of s.endpoints) o.line(3, `<RootComponent${o.a("type", "95")}${o.a("id", `{${e.id}}`)}${o.a("behavior", "0")} />`);
  o.line(2, "</RootComponents>");
  o.line(2, "<MissingDependencies />");
  if (s.style.extras) o.line(2, `<FutureElement${o.a("unknown", "kept & <carried>")}>value</FutureElement>`);
  o.line(1, "</SolutionManifest>");
  o.line(0, "</ImportExportXml>");
  return o.text();
}

export function customizationsXml(s: GenSolution): string {
  const o = new Out(s.style);
  const x = s.style.extras;
  o.line(0, `<ImportExportXml${o.a("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")}${o.a("OrganizationVersion", "9.2.24012.196")}${o.a("OrganizationSchemaType", "Standard")}${o.a("CRMServerServiceabilityVersion", "9.2.24012.00196")}>`);
  o.line(1, "<Entities />");
  o.line(1, "<Roles />");
  o.line(1, "<Workflows />");
  o.line(1, "<FieldSecurityProfiles />");
  o.line(1, "<Templates />");
  o.line(1, "<EntityMaps />");
  o.line(1, "<EntityRelationships />");
  o.line(1, "<OrganizationSettings />");
  o.line(1, "<optionsets />");
  o.line(1, "<CustomControls />");
  if (s.assemblies.length) {
    o.line(1, "<SolutionPluginAssemblies>");
    // The server orders assemblies by FullName.
    for (const a of [...s.assemblies].sort((p, q) => (fullName(p) < fullName(q) ? -1 : 1))) {
      o.line(2, `<PluginAssembly${o.a("FullName", fullName(a))}${o.a("PluginAssemblyId", a.id)}${o.a("CustomizationLevel", "1")}${x ? o.a("FutureAttribute", "x") : ""}>`);
      o.line(3, "<IsolationMode>2</IsolationMode>");
      o.line(3, "<SourceType>0</SourceType>");
      o.line(3, "<IntroducedVersion>1.0</IntroducedVersion>");
      o.line(3, `<FileName>/${esc(dllEntry(a))}</FileName>`);
      if (x) o.line(3, "<!-- types follow -->");
      o.line(3, "<PluginTypes>");
      for (const t of a.types) {
        o.line(4, `<PluginType${o.a("AssemblyQualifiedName", `${t.name}, ${fullName(a)}`)}${o.a("PluginTypeId", t.id)}${o.a("Name", t.name)}>`);
        o.line(5, `<FriendlyName>${t.id}</FriendlyName>`);
        o.line(4, "</PluginType>");
      }
      o.line(3, "</PluginTypes>");
      o.line(2, "</PluginAssembly>");
    }
    o.line(1, "</SolutionPluginAssemblies>");
  }
  if (s.steps.length) {
    o.line(1, "<SdkMessageProcessingSteps>");
    for (const st of [...s.steps].sort((p, q) => (p.id < q.id ? -1 : 1))) {
      o.line(2, `<SdkMessageProcessingStep${o.a("Name", st.name)}${o.a("SdkMessageProcessingStepId", `{${st.id}}`)}>`);
      o.line(3, `<SdkMessageId>${MESSAGE_IDS[st.message]}</SdkMessageId>`);
      if ("endpoint" in st.handler) {
        const e = s.endpoints[st.handler.endpoint]!;
        o.line(3, "<PluginTypeName>Microsoft.Crm.ServiceBus.ServiceBusPlugin, Microsoft.Crm.ServiceBus, Version=9.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35</PluginTypeName>");
        o.line(3, "<PluginTypeId>ef521e63-cd2b-4170-99f6-447466a7161e</PluginTypeId>");
        o.line(3, `<PrimaryEntity>${esc(st.entity)}</PrimaryEntity>`);
        o.line(3, "<AsyncAutoDelete>0</AsyncAutoDelete>");
        o.line(3, `<Description>${esc(st.name)}</Description>`);
        o.line(3, `<FilteringAttributes>${esc(st.filtering)}</FilteringAttributes>`);
        o.line(3, "<InvocationSource>1</InvocationSource>");
        o.line(3, `<Mode>${st.mode}</Mode>`);
        o.line(3, `<Rank>${st.rank}</Rank>`);
        o.line(3, `<EventHandler>{${e.id}}</EventHandler>`);
        o.line(3, "<EventHandlerTypeCode>4618</EventHandlerTypeCode>");
      } else {
        const a = s.assemblies[st.handler.assembly]!;
        const t = a.types[st.handler.type]!;
        o.line(3, `<PluginTypeName>${esc(`${t.name}, ${fullName(a)}`)}</PluginTypeName>`);
        o.line(3, `<PluginTypeId>${t.id}</PluginTypeId>`);
        o.line(3, `<PrimaryEntity>${esc(st.entity)}</PrimaryEntity>`);
        o.line(3, "<AsyncAutoDelete>0</AsyncAutoDelete>");
        o.line(3, `<Description>${esc(st.name)}</Description>`);
        o.line(3, `<FilteringAttributes>${esc(st.filtering)}</FilteringAttributes>`);
        o.line(3, "<InvocationSource>0</InvocationSource>");
        o.line(3, `<Mode>${st.mode}</Mode>`);
        o.line(3, `<Rank>${st.rank}</Rank>`);
        o.line(3, "<EventHandlerTypeCode>4602</EventHandlerTypeCode>");
      }
      o.line(3, `<Stage>${st.stage}</Stage>`);
      o.line(3, "<IsCustomizable>1</IsCustomizable>");
      o.line(3, "<IsHidden>0</IsHidden>");
      o.line(3, "<SupportedDeployment>0</SupportedDeployment>");
      o.line(3, "<IntroducedVersion>1.0</IntroducedVersion>");
      if (!st.enabled) {
        o.line(3, "<StateCode>1</StateCode>");
        o.line(3, "<StatusCode>2</StatusCode>");
      }
      if (x) o.line(3, `<FutureStepSetting${o.a("a", "1")} />`);
      if (st.images.length === 0) o.line(3, "<SdkMessageProcessingStepImages />");
      else {
        o.line(3, "<SdkMessageProcessingStepImages>");
        for (const im of st.images) {
          o.line(4, `<SdkMessageProcessingStepImage${o.a("Name", im.alias)}>`);
          o.line(5, `<SdkMessageProcessingStepImageId>{${im.id}}</SdkMessageProcessingStepImageId>`);
          o.line(5, `<Attributes>${esc(im.attributes)}</Attributes>`);
          o.line(5, `<EntityAlias>${esc(im.alias)}</EntityAlias>`);
          o.line(5, `<ImageType>${im.imageType}</ImageType>`);
          o.line(5, "<MessagePropertyName>Target</MessagePropertyName>");
          o.line(5, "<IsCustomizable>1</IsCustomizable>");
          o.line(4, "</SdkMessageProcessingStepImage>");
        }
        o.line(3, "</SdkMessageProcessingStepImages>");
      }
      o.line(2, "</SdkMessageProcessingStep>");
    }
    o.line(1, "</SdkMessageProcessingSteps>");
  }
  if (s.endpoints.length) {
    o.line(1, "<ServiceEndpoints>");
    for (const e of s.endpoints) {
      o.line(2, `<ServiceEndpoint${o.a("ServiceEndpointId", `{${e.id}}`)}${o.a("Name", e.name)}>`);
      o.line(3, "<ConnectionMode>1</ConnectionMode>");
      o.line(3, `<Contract>${e.contract}</Contract>`);
      o.line(3, "<Path>queue</Path>");
      o.line(3, "<SolutionNamespace>contoso</SolutionNamespace>");
      o.line(3, "<UserClaim>1</UserClaim>");
      o.line(3, "<IsCustomizable>1</IsCustomizable>");
      o.line(3, "<AuthType>2</AuthType>");
      o.line(3, "<MessageFormat>2</MessageFormat>");
      o.line(3, "<NamespaceAddress>sb://contoso.servicebus.windows.net/</NamespaceAddress>");
      o.line(3, "<NamespaceFormat>2</NamespaceFormat>");
      o.line(3, "<SASKeyName>RootManageSharedAccessKey</SASKeyName>");
      for (const sec of e.secrets) o.line(3, `<${sec}>${SECRET_VALUE}</${sec}>`);
      o.line(3, "<UseKeyVaultConfiguration>0</UseKeyVaultConfiguration>");
      o.line(2, "</ServiceEndpoint>");
    }
    o.line(1, "</ServiceEndpoints>");
  }
  if (x) o.line(1, `<FutureSection${o.a("kind", "unknown")}><Item>kept</Item></FutureSection>`);
  o.line(1, "<Languages>");
  o.line(2, "<Language>1033</Language>");
  o.line(1, "</Languages>");
  o.line(0, "</ImportExportXml>");
  return o.text();
}

export const MESSAGE_IDS = { Create: "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8", Update: "20bebb1b-ea3e-db11-86a7-000a3a5473e8" } as const;

/** A recognisable fake secret: tests assert it is carried through (never dropped, never added). */
export const SECRET_VALUE = "c2VjcmV0LXNhcy1rZXktZm9yLXRlc3Rz";

export function encode(text: string, style: Pick<GenStyle, "bom">): Buffer {
  const body = Buffer.from(text, "utf8");
  return style.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

/** The zip's files in server order: customizations.xml, [Content_Types].xml, solution.xml, then the rest. */
export function zipFiles(s: GenSolution): [string, Buffer][] {
  const rest: [string, Buffer][] = [...s.assemblies.map((a) => [dllEntry(a), a.dll] as [string, Buffer]), ...(s.extraFiles ?? [])];
  // The server's order (src/layout/engine.ts): root files, then groups (web resources before plug-in assemblies), then path.
  const GROUPS = ["", "formulas/", "workflows/", "webresources/", "controls/", "pluginassemblies/"];
  const group = (p: string) => {
    const i = GROUPS.indexOf(p.includes("/") ? p.slice(0, p.indexOf("/") + 1).toLowerCase() : "");
    return i < 0 ? GROUPS.length : i;
  };
  rest.sort((a, b) => group(a[0]) - group(b[0]) || (a[0] < b[0] ? -1 : 1));
  const names = ["customizations.xml", "solution.xml", ...rest.map((r) => r[0])];
  return [["customizations.xml", encode(customizationsXml(s), s.style)], ["[Content_Types].xml", contentTypes(names)], ["solution.xml", encode(solutionXml(s), s.style)], ...rest];
}

/** Writes entries to a zip with the project's ZipWriter (deterministic). */
export async function writeZip(file: string, entries: Iterable<[string, Buffer | string]>): Promise<void> {
  const w = await ZipWriter.create(file);
  for (const [n, b] of entries) w.add(n, b);
  await w.finish();
}

export async function writeSolutionZip(file: string, s: GenSolution = sampleSolution()): Promise<string> {
  await writeZip(file, zipFiles(s));
  return file;
}

// ---- trees and assertions -----------------------------------------------------------------------------------

/** Every path under `p` (file, folder, link) with a hash of its content or link target; p itself if a file. */
export function treeHash(p: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (abs: string, rel: string) => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) out.set(rel, "link:" + fs.readlinkSync(abs));
    else if (st.isDirectory()) {
      out.set(rel + "/", "dir");
      for (const n of fs.readdirSync(abs).sort()) visit(path.join(abs, n), rel ? `${rel}/${n}` : n);
    } else if (st.isFile()) out.set(rel, createHash("sha256").update(fs.readFileSync(abs)).digest("hex"));
    else out.set(rel, "special");
  };
  visit(p, "");
  return out;
}

export function assertSameTree(before: Map<string, string>, after: Map<string, string>, what: string): void {
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k));
  assert.deepEqual({ added, removed, changed }, { added: [], removed: [], changed: [] }, `${what}: the tree changed`);
}

/** What a refusal must look like: exit 2, `error CODE:` on stderr, no stack trace, no "internal error", nothing on stdout. */
export function assertRefused(r: CliResult, code: string, what = ""): void {
  const ctx = `${what}\n--- exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  assert.equal(r.code, 2, `exit code ${ctx}`);
  assert.match(r.stderr, new RegExp(`^error ${code}: `, "m"), `error code ${code} ${ctx}`);
  assertNoCrash(r, ctx);
}

export function assertNoCrash(r: CliResult, ctx = ""): void {
  assert.doesNotMatch(r.stderr, /internal error/, `internal error ${ctx}`);
  assert.doesNotMatch(r.stderr, /\n\s+at .*(\.js|\.ts|node:)[^\n]*\d+:\d+\)?$/m, `stack trace ${ctx}`);
  assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `exit ${r.code} ${ctx}`);
}

/** Names in a folder (to prove no output folder or temp sibling was left). */
export function names(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

/** Like dvsol() in test/helpers.ts, but without blocking: cases run side by side (each spawn costs ~150 ms). */
export function dvsolAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(ROOT, "bin", "dvsol.js"), ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (b: Buffer) => out.push(b));
    p.stderr.on("data", (b: Buffer) => err.push(b));
    p.on("error", reject);
    p.on("close", (code, signal) => resolve({ code: code ?? (signal ? -1 : -1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** Runs `fn` over items, `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}
