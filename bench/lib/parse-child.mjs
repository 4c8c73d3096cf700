// XML parse throughput of one zip's customizations.xml, measured inside a fresh process:
//   node bench/lib/parse-child.mjs <solution.zip> [warm runs]
// Prints JSON: bytes, the first parse (what a command pays: includes JIT warm-up), the median of warm parses,
// and one walk over every element (building every element object, as unpack and pack do).
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const { ZipReader } = await import(path.join(root, "dist", "archive", "index.js"));
const { parseXmlBytes } = await import(path.join(root, "dist", "xml", "parse.js"));
const [zip, warmArg] = process.argv.slice(2);
const warm = Number(warmArg ?? 7);
const r = await ZipReader.open(zip);
const bytes = await r.read(r.get("customizations.xml"));
await r.close();

let t = performance.now();
const doc = parseXmlBytes(bytes);
const firstMs = performance.now() - t;
t = performance.now();
let elements = 0;
const stack = [doc.root];
while (stack.length) {
  const el = stack.pop();
  elements++;
  void el.attrs;
  for (const c of el.children) if (c.type === "element") stack.push(c);
}
const walkMs = performance.now() - t;
const times = [];
for (let i = 0; i < warm; i++) {
  t = performance.now();
  parseXmlBytes(bytes);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const warmMs = times.length ? times[Math.floor(times.length / 2)] : NaN;
const mbs = (ms) => bytes.length / 1e6 / (ms / 1000);
process.stdout.write(JSON.stringify({ bytes: bytes.length, elements, firstMs, firstMBs: mbs(firstMs), warmMs, warmMBs: mbs(warmMs), walkMs }) + "\n");
