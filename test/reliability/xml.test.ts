/**
 * Hostile and broken XML through the CLI: DOCTYPE and entities refused (billion laughs, external entities),
 * malformed XML reported as entry:line:column with the element path, encodings (UTF-16 with a BOM read and
 * round-tripped byte for byte; everything else refused clearly), deep nesting and huge attributes handled
 * without a crash or a hang. Every refusal: exit 2, the stable code, no stack trace, nothing written.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { unpack } from "../../src/ops/unpack.js";
import { ZipReader } from "../../src/archive/index.js";
import { tmp } from "../helpers.js";
import { assertRefused, assertSameTree, customizationsXml, dvsolAsync, sampleSolution, solutionXml, treeHash, writeZip, zipFiles, type GenSolution } from "./gen.js";

function u16(text: string, be: boolean): Buffer {
  const b = Buffer.from(text, "utf16le");
  if (be) b.swap16();
  return Buffer.concat([Buffer.from(be ? [0xfe, 0xff] : [0xff, 0xfe]), b]);
}

/** Zip of the sample with solution.xml / customizations.xml replaced by these bytes (or text transforms). */
async function zipWith(dir: string, name: string, change: { solution?: (t: string) => string | Buffer; customizations?: (t: string) => string | Buffer }, s: GenSolution = sampleSolution()): Promise<string> {
  const files = zipFiles(s);
  const apply = (i: number, f?: (t: string) => string | Buffer) => {
    if (!f) return;
    const r = f(files[i]![1].toString("utf8"));
    files[i] = [files[i]![0], typeof r === "string" ? Buffer.from(r, "utf8") : r];
  };
  apply(0, change.customizations);
  apply(2, change.solution);
  const file = path.join(dir, name);
  await writeZip(file, files);
  return file;
}

async function folderOf(dir: string, name: string): Promise<string> {
  const zip = await zipWith(dir, `${name}.zip`, {});
  const folder = path.join(dir, name);
  await unpack(zip, folder);
  fs.rmSync(zip);
  return folder;
}

const firstStep = (folder: string) => {
  const d = path.join(folder, "SdkMessageProcessingSteps");
  return path.join(d, fs.readdirSync(d).sort()[0]!);
};

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol9 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
`;

/** Runs each command on `target`; each must refuse with `code`, and the folder holding it must not change. */
async function refusedEverywhere(dir: string, target: string, code: string, commands: string[][], expect?: RegExp): Promise<void> {
  for (const args of commands) {
    const before = treeHash(dir);
    const r = await dvsolAsync(args.map((a) => (a === "$" ? target : a)));
    assertRefused(r, code, args.join(" "));
    if (expect) assert.match(r.stderr, expect, args.join(" "));
    assertSameTree(before, treeHash(dir), args.join(" "));
  }
}

const zipCommands = (dir: string) => [["inspect", "$"], ["unpack", "$", path.join(dir, "out")], ["check", "$"], ["version", "$", "--bump", "revision"]];
const folderCommands = (dir: string) => [["inspect", "$"], ["pack", "$", path.join(dir, "out.zip")], ["check", "$"], ["version", "$", "--bump", "revision"], ["disable", "step", "$", "AccountCreate: Create of account"]];

describe("XML: entities, malformed documents, encodings, limits", { concurrency: 4 }, () => {
  test("billion laughs DOCTYPE in solution.xml -> XML_DOCTYPE at its line, nothing expanded or written", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const zip = await zipWith(dir, "Laughs.zip", { solution: (x) => BILLION_LAUGHS + x.replace("<Version>", "<Version>&lol9;") });
    await refusedEverywhere(dir, zip, "XML_DOCTYPE", zipCommands(dir), /Laughs\.zip!solution\.xml:2:1/);
  });

  test("external entity (SYSTEM file:///etc/passwd) in customizations.xml -> XML_DOCTYPE, the file is never read", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE ImportExportXml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n`;
    const zip = await zipWith(dir, "Xxe.zip", { customizations: (x) => xxe + x.replace("<Entities />", "<Entities>&xxe;</Entities>") });
    await refusedEverywhere(dir, zip, "XML_DOCTYPE", zipCommands(dir), /customizations\.xml:2:1/);
    const r = await dvsolAsync(["inspect", zip, "--json"]);
    assert.doesNotMatch(r.stdout + r.stderr, /root:/);
  });

  test("entity declaration inside an element of a step file (folder) -> XML_DOCTYPE from every command", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const folder = await folderOf(dir, "Ent");
    const step = firstStep(folder);
    fs.writeFileSync(step, fs.readFileSync(step, "utf8").replace("<Rank>", '<!ENTITY e "x"><Rank>'));
    await refusedEverywhere(dir, folder, "XML_DOCTYPE", folderCommands(dir), /SdkMessageProcessingSteps\/\{[0-9a-f-]+\}\.xml:\d+:\d+ \(\/SdkMessageProcessingStep\)/);
  });

  test("undeclared entity reference -> XML_MALFORMED naming the entity", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const zip = await zipWith(dir, "Undeclared.zip", { solution: (x) => x.replace("<Version>1.0.0.0", "<Version>&xxe;1.0.0.0") });
    await refusedEverywhere(dir, zip, "XML_MALFORMED", zipCommands(dir), /unknown entity &xxe;[\s\S]*solution\.xml:8:\d+ \(\/ImportExportXml\/SolutionManifest\/Version\)/);
  });

  test("malformed XML in a folder step -> entry:line:column and element path from every command", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const folder = await folderOf(dir, "Bad");
    const step = firstStep(folder);
    const text = fs.readFileSync(step, "utf8");
    fs.writeFileSync(step, text.replace("</Rank>", "</Rnk>"));
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("</Rank>")) + 1;
    const col = lines[line - 1]!.indexOf("</Rank>") + 1;
    const where = new RegExp(`error XML_MALFORMED: </Rnk> closes <Rank>[^\\n]*\\n  at [^\\n]*Bad!SdkMessageProcessingSteps/\\{[0-9a-f-]+\\}\\.xml:${line}:${col} \\(/SdkMessageProcessingStep/Rank\\)`);
    await refusedEverywhere(dir, folder, "XML_MALFORMED", folderCommands(dir), where);
  });

  test("malformed XML in a zip's customizations.xml -> zip!entry:line:column (path)", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const zip = await zipWith(dir, "Broken.zip", { customizations: (x) => x.replace('PluginTypeId="', 'PluginTypeId=x"') });
    await refusedEverywhere(dir, zip, "XML_MALFORMED", zipCommands(dir), /unquoted value[\s\S]*Broken\.zip!customizations\.xml:\d+:\d+ \(\/ImportExportXml\/SolutionPluginAssemblies\/PluginAssembly\/PluginTypes\/PluginType\)/);
  });

  test("truncated document and text after the root -> XML_MALFORMED", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const cut = await zipWith(dir, "Cut.zip", { customizations: (x) => x.slice(0, Math.floor(x.length / 2)) });
    await refusedEverywhere(dir, cut, "XML_MALFORMED", [["inspect", "$"], ["unpack", "$", path.join(dir, "o")]], /is not closed before the end of the document/);
    const tail = await zipWith(dir, "Tail.zip", { solution: (x) => x + "<Second/>" });
    await refusedEverywhere(dir, tail, "XML_MALFORMED", [["inspect", "$"]], /second root element/);
  });

  for (const be of [false, true]) {
    test(`UTF-16${be ? "BE" : "LE"} with a BOM: read, unpacked, packed back byte for byte, edited in UTF-16`, async (t) => {
      const dir = tmp("dvsol-rel-xml-");
      t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
      const s = sampleSolution();
      const decl = '<?xml version="1.0" encoding="utf-16"?>\r\n';
      const sol = u16(decl + solutionXml(s), be);
      const cust = u16(decl + customizationsXml(s), be);
      const zip = await zipWith(dir, "Utf16.zip", { solution: () => sol, customizations: () => cust }, s);
      const i = await dvsolAsync(["inspect", zip, "--json"]);
      assert.equal(i.code, 0, i.stderr);
      const model = JSON.parse(i.stdout);
      assert.equal(model.uniqueName, "ContosoPlugins");
      assert.equal(model.steps.length, 3);
      const folder = path.join(dir, "folder");
      assert.equal((await dvsolAsync(["unpack", zip, folder])).code, 0);
      assert.deepEqual([...fs.readFileSync(path.join(folder, "Other", "Solution.xml")).subarray(0, 2)], be ? [0xfe, 0xff] : [0xff, 0xfe]);
      const back = path.join(dir, "back.zip");
      const p = await dvsolAsync(["pack", folder, back]);
      assert.equal(p.code, 0, p.stderr);
      const z = await ZipReader.open(back);
      try {
        assert.ok((await z.read(z.get("solution.xml")!)).equals(sol), "solution.xml changed in the round trip");
        assert.ok((await z.read(z.get("customizations.xml")!)).equals(cust), "customizations.xml changed in the round trip");
      } finally {
        await z.close();
      }
      // Unpacking again over the folder finds nothing to write.
      const again = await dvsolAsync(["unpack", zip, folder, "--json"]);
      assert.equal(JSON.parse(again.stdout).written, 0, again.stdout);
      // An edit keeps the encoding and the BOM.
      assert.equal((await dvsolAsync(["version", zip, "--set", "1.2.3.4"])).code, 0);
      const z2 = await ZipReader.open(zip);
      try {
        const bytes = await z2.read(z2.get("solution.xml")!);
        assert.deepEqual([...bytes.subarray(0, 2)], be ? [0xfe, 0xff] : [0xff, 0xfe]);
        const text = new TextDecoder(be ? "utf-16be" : "utf-16le").decode(bytes.subarray(2));
        assert.equal(text, (decl + solutionXml(s)).replace("<Version>1.0.0.0<", "<Version>1.2.3.4<"));
      } finally {
        await z2.close();
      }
    });
  }

  test("other encodings are refused with the line and column of the first bad byte", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const latin1 = await zipWith(dir, "Latin1.zip", { solution: (x) => Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?>\r\n' + x.replace("<Descriptions />", "<Descriptions>Café</Descriptions>"), "latin1") });
    await refusedEverywhere(dir, latin1, "XML_ENCODING", zipCommands(dir), /declares encoding "iso-8859-1"[\s\S]*solution\.xml:8:\d+/);
    const noBom = await zipWith(dir, "NoBom.zip", { solution: (x) => Buffer.from(x, "utf16le") });
    await refusedEverywhere(dir, noBom, "XML_ENCODING", [["inspect", "$"]], /UTF-16 without a byte order mark/);
    const lying = await zipWith(dir, "Lying.zip", { solution: (x) => '<?xml version="1.0" encoding="utf-16"?>\n' + x });
    await refusedEverywhere(dir, lying, "XML_ENCODING", [["inspect", "$"]], /declares encoding "utf-16" but has no UTF-16 byte order mark/);
    const ascii1252 = await zipWith(dir, "Cp1252.zip", { solution: (x) => '<?xml version="1.0" encoding="windows-1252"?>\n' + x });
    await refusedEverywhere(dir, ascii1252, "XML_ENCODING", [["inspect", "$"]], /windows-1252/);
    const ebcdic = await zipWith(dir, "Ebcdic.zip", { solution: () => Buffer.from([0x4c, 0x6f, 0xa7, 0x94, 0x93]) });
    const r = await dvsolAsync(["inspect", ebcdic]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error XML_(ENCODING|MALFORMED): /m);
  });

  test("nesting 100,000 deep -> XML_LIMIT, no stack overflow", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const n = 100_000;
    const zip = await zipWith(dir, "Deep.zip", { customizations: (x) => x.replace("<Entities />", "<Entities>" + "<a>".repeat(n) + "</a>".repeat(n) + "</Entities>") });
    await refusedEverywhere(dir, zip, "XML_LIMIT", [["inspect", "$"], ["unpack", "$", path.join(dir, "o")], ["version", "$", "--bump", "build"]], /nested deeper than 1000 levels/);
  });

  test("nesting 990 deep and a 4 MB attribute inside unknown elements: every command works and keeps them", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const deep = "<D>".repeat(990) + "x" + "</D>".repeat(990);
    const big = randomBytes(3 * 1024 * 1024).toString("base64");
    const zip = await zipWith(dir, "Big.zip", {
      customizations: (x) =>
        x
          .replace("<SdkMessageProcessingStepImages />", `<Future>${deep}</Future><SdkMessageProcessingStepImages />`)
          .replace("<Languages>", `<FutureSection>${deep}</FutureSection><Languages>`)
          .replace("<IsolationMode>", `<Future a="${big}"/><IsolationMode>`),
    });
    const folder = path.join(dir, "folder");
    const back = path.join(dir, "back.zip");
    for (const args of [["inspect", zip], ["unpack", zip, folder], ["pack", folder, back], ["check", zip, "--fail-on", "never"], ["check", folder, "--fail-on", "never"], ["impact", zip, back], ["version", folder, "--bump", "revision"]]) {
      const r = await dvsolAsync(args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr.slice(0, 2000)}`);
    }
    const z = await ZipReader.open(back);
    try {
      const cust = (await z.read(z.get("customizations.xml")!)).toString("utf8");
      assert.ok(cust.includes(big), "the long attribute was lost");
      assert.equal(cust.split("<D>").length - 1, 990 * 2, "deep elements were lost");
    } finally {
      await z.close();
    }
  });

  test("100,000 attributes on one element (quadratic duplicate check) and a duplicate among them", async (t) => {
    const dir = tmp("dvsol-rel-xml-");
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const attrs = Array.from({ length: 100_000 }, (_, i) => `a${i}="${i}"`).join(" ");
    const zip = await zipWith(dir, "Attrs.zip", { customizations: (x) => x.replace("<Entities />", `<Entities ${attrs} />`) });
    const r = await dvsolAsync(["inspect", zip]);
    assert.equal(r.code, 0, r.stderr);
    const dup = await zipWith(dir, "Dup.zip", { customizations: (x) => x.replace("<Entities />", `<Entities ${attrs} a77777="again" />`) });
    await refusedEverywhere(dir, dup, "XML_MALFORMED", [["inspect", "$"]], /attribute a77777 appears twice on <Entities>/);
  });
});
