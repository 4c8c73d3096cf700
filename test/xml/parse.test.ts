import { test } from "node:test";
import assert from "node:assert/strict";
import { parseXml, parseXmlBytes, encodeXmlText } from "../../src/xml/parse.js";
import { attr, child, childText, elements, text, walk } from "../../src/xml/dom.js";
import { XmlEditor, applyEdits, dedent, reindent } from "../../src/xml/edit.js";
import { DvsolError } from "../../src/errors.js";

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DvsolError) return e.code;
    throw e;
  }
  return "no error";
}

test("reads elements, attributes, text, entities, CDATA and comments with offsets", () => {
  const src = `<?xml version="1.0"?>\r\n<A x='1' y="a &amp; b">\r\n  <!-- c -->\r\n  <B>t&lt;1&#65;&#x42;</B>\r\n  <C><![CDATA[<raw>]]></C>\r\n  <D />\r\n</A>`;
  const d = parseXml(src);
  assert.equal(d.root.name, "A");
  assert.equal(attr(d.root, "x"), "1");
  assert.equal(attr(d.root, "y"), "a & b");
  assert.equal(childText(d.root, "B"), "t<1AB");
  assert.equal(text(child(d.root, "C")), "<raw>");
  assert.equal(child(d.root, "D")!.selfClosing, true);
  assert.equal(d.eol, "\r\n");
  assert.equal(d.hasDeclaration, true);
  const b = child(d.root, "B")!;
  assert.equal(src.slice(b.start, b.end), "<B>t&lt;1&#65;&#x42;</B>");
  assert.equal(b.line, 4);
  assert.deepEqual([...walk(d.root)].map((e) => e.name), ["A", "B", "C", "D"]);
});

test("BOM and encodings: UTF-8 BOM kept, UTF-16 with BOM read and written back identically", () => {
  const body = '<?xml version="1.0" encoding="utf-16"?><R a="é">ü</R>';
  for (const enc of ["utf-16le", "utf-16be"] as const) {
    const bytes = encodeXmlText(body, enc, true);
    const d = parseXmlBytes(bytes);
    assert.equal(d.encoding, enc);
    assert.equal(text(d.root), "ü");
    assert.deepEqual(encodeXmlText(d.text, d.encoding, d.bom), bytes);
  }
  const u8 = encodeXmlText("<R/>", "utf-8", true);
  const d = parseXmlBytes(u8);
  assert.equal(d.bom, true);
  assert.deepEqual(encodeXmlText(d.text, d.encoding, d.bom), u8);
});

test("refuses DOCTYPE and entity declarations (billion laughs, external entities)", () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>`;
  assert.equal(code(() => parseXml(laughs)), "XML_DOCTYPE");
  const xxe = `<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>`;
  assert.equal(code(() => parseXml(xxe)), "XML_DOCTYPE");
  assert.equal(code(() => parseXml("<a>&xxe;</a>")), "XML_MALFORMED");
});

test("malformed XML is reported with line, column and element path", () => {
  try {
    parseXml("<ImportExportXml>\n  <SolutionManifest>\n    <Version>1.0</Versio>\n  </SolutionManifest>\n</ImportExportXml>", { file: "s.zip", entry: "solution.xml" });
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(e instanceof DvsolError);
    assert.equal(e.code, "XML_MALFORMED");
    assert.equal(e.location.line, 3);
    assert.equal(e.location.column, 17);
    assert.equal(e.location.path, "/ImportExportXml/SolutionManifest/Version");
    assert.equal(e.location.entry, "solution.xml");
    assert.match(e.message, /<\/Versio> closes <Version>/);
  }
  for (const bad of ["", "text", "<a>", "<a></b>", "<a b></a>", "<a b=1></a>", '<a b="1" b="2"/>', "<a/><b/>", "<a>&</a>", '<a b="<"/>', "<a><!-- x</a>"]) {
    assert.equal(code(() => parseXml(bad)), "XML_MALFORMED", bad);
  }
});

test("deep nesting is bounded; long attributes and wide documents are fine", () => {
  const deep = "<a>".repeat(5000) + "</a>".repeat(5000);
  assert.equal(code(() => parseXml(deep)), "XML_LIMIT");
  const okDeep = "<a>".repeat(900) + "</a>".repeat(900);
  assert.equal(parseXml(okDeep).root.name, "a");
  const long = `<a v="${"x".repeat(5_000_000)}"/>`;
  assert.equal(attr(parseXml(long).root, "v")!.length, 5_000_000);
  const wide = "<r>" + "<i/>".repeat(200_000) + "</r>";
  assert.equal(elements(parseXml(wide).root).length, 200_000);
});

test("UTF-16 without BOM, bad UTF-8 and foreign encodings are refused clearly", () => {
  assert.equal(code(() => parseXmlBytes(Buffer.from("<a/>", "utf16le"))), "XML_ENCODING");
  assert.equal(code(() => parseXmlBytes(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e]))), "XML_ENCODING");
  assert.equal(code(() => parseXml('<?xml version="1.0" encoding="windows-1252"?><a/>')), "XML_ENCODING");
});

test("editor: set text and attribute keep everything else, including quote style and CRLF", () => {
  const src = "<A>\r\n  <V>1.0.0.0</V>\r\n  <E />\r\n  <P k='old' other=\"x\">t</P>\r\n</A>";
  const d = parseXml(src);
  const ed = new XmlEditor(d);
  ed.setText(child(d.root, "V")!, "1.0.1.0");
  ed.setText(child(d.root, "E")!, "a<b");
  ed.setAttr(child(d.root, "P")!, "k", "n'ew");
  ed.setAttr(child(d.root, "P")!, "added", "v");
  assert.equal(ed.result(), "<A>\r\n  <V>1.0.1.0</V>\r\n  <E>a&lt;b</E>\r\n  <P k='n&apos;ew' other=\"x\" added=\"v\">t</P>\r\n</A>");
});

test("editor: insert and remove children with the surrounding indentation and line endings", () => {
  const src = "<A>\r\n  <S>\r\n    <I id=\"1\" />\r\n  </S>\r\n  <T />\r\n</A>";
  const d = parseXml(src);
  const ed = new XmlEditor(d);
  ed.insertChild(child(d.root, "S")!, { name: "I", attrs: [["id", "2"]], selfClose: true });
  ed.insertChild(child(d.root, "T")!, { name: "J", children: [{ name: "K", text: "v" }] });
  const out = ed.result();
  assert.equal(out, "<A>\r\n  <S>\r\n    <I id=\"1\" />\r\n    <I id=\"2\" />\r\n  </S>\r\n  <T>\r\n    <J>\r\n      <K>v</K>\r\n    </J>\r\n  </T>\r\n</A>");
  const d2 = parseXml(out);
  const ed2 = new XmlEditor(d2);
  ed2.remove(elements(child(d2.root, "S")!)[0]!);
  assert.equal(ed2.result(), "<A>\r\n  <S>\r\n    <I id=\"2\" />\r\n  </S>\r\n  <T>\r\n    <J>\r\n      <K>v</K>\r\n    </J>\r\n  </T>\r\n</A>");
});

test("applyEdits refuses overlaps; reindent and dedent are inverses", () => {
  assert.throws(() => applyEdits("abcdef", [{ start: 1, end: 3, text: "" }, { start: 2, end: 4, text: "" }]), /overlapping/);
  assert.equal(applyEdits("abcdef", [{ start: 4, end: 5, text: "E" }, { start: 0, end: 1, text: "A" }]), "AbcdEf");
  const frag = "<a>\r\n  <b />\r\n</a>";
  const ind = reindent(frag, "    ", "\r\n");
  assert.equal(ind, "<a>\r\n      <b />\r\n    </a>");
  assert.equal(dedent(ind, "    "), frag);
  assert.equal(dedent("<a>\n<b/></a>", "  "), null);
});
