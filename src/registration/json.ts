/**
 * A small JSON reader that remembers where each value and key is (line and column, 1-based), so that
 * errors in a registration file can point at `assemblies[0].steps[2].stage` and at its line in the file.
 * Strict JSON (RFC 8259): no comments, no trailing commas. Duplicate keys are an error (JSON.parse would
 * silently keep the last one, and the file would not say what dvsol does).
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface JsonPosition {
  line: number;
  column: number;
}

export interface JsonDocument {
  value: JsonValue;
  /** Where the value at a path starts (`""` is the root). */
  valueAt(path: string): JsonPosition | undefined;
  /** Where the key of a member is (falls back to its value). */
  keyAt(path: string): JsonPosition | undefined;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

/** `a.b[2].c` from a parent path and a key or index. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  const k = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
  if (!parent) return /^[A-Za-z_$]/.test(k) ? k : `[${k}]`;
  return /^[A-Za-z_$]/.test(k) ? `${parent}.${k}` : `${parent}[${k}]`;
}

export function parseJsonWithPositions(text: string): JsonDocument {
  const values = new Map<string, number>();
  const keys = new Map<string, number>();
  let i = 0;
  // A BOM is not JSON, but editors on Windows write one: accept it.
  if (text.charCodeAt(0) === 0xfeff) i = 1;

  const lineStarts: number[] = [0];
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) === 10) lineStarts.push(k + 1);
  const pos = (offset: number): JsonPosition => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const fail = (message: string, at = i): never => {
    const p = pos(Math.min(at, text.length));
    throw new JsonSyntaxError(message, p.line, p.column);
  };
  const describe = (at: number): string => (at >= text.length ? "the end of the file" : `"${text[at]}"`);

  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else if (c === 47 && (text[i + 1] === "/" || text[i + 1] === "*")) fail("comments are not allowed in JSON");
      else break;
    }
  };

  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = "";
    let run = i;
    for (;;) {
      if (i >= text.length) fail("a string is not closed", start);
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("a control character (line break, tab) inside a string must be escaped (\\n, \\t)");
      if (c === 92) {
        out += text.slice(run, i);
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && e in map) {
          out += map[e];
          i += 2;
        } else if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("\\u must be followed by four hexadecimal digits");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else fail(`"\\${e ?? ""}" is not a JSON escape`);
        run = i;
        continue;
      }
      i++;
    }
  };

  const num = (): number => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) fail(`unexpected ${describe(i)}`);
    i += m![0].length;
    return Number(m![0]);
  };

  const value = (path: string, depth: number): JsonValue => {
    if (depth > 64) fail("the file nests deeper than 64 levels");
    ws();
    values.set(path, i);
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: { [k: string]: JsonValue } = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(text[i] === "}" ? "a trailing comma is not allowed in JSON" : `expected a key in double quotes, found ${describe(i)}`);
        const keyStart = i;
        const k = str();
        const p = joinPath(path, k);
        if (Object.prototype.hasOwnProperty.call(obj, k)) fail(`"${k}" is given twice in the same object`, keyStart);
        keys.set(p, keyStart);
        ws();
        if (text[i] !== ":") fail(`expected ":" after "${k}", found ${describe(i)}`);
        i++;
        const v = value(p, depth + 1);
        Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail(`expected "," or "}" after the value of "${k}", found ${describe(i)}`);
      }
    }
    if (c === "[") {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(joinPath(path, arr.length), depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "]") fail("a trailing comma is not allowed in JSON");
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail(`expected "," or "]" in the list, found ${describe(i)}`);
      }
    }
    if (c === '"') return str();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return num();
    for (const [word, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    if (c === "'") fail("strings must be in double quotes");
    return fail(`unexpected ${describe(i)}`);
  };

  ws();
  if (i >= text.length) fail("the file is empty");
  const v = value("", 0);
  ws();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the JSON value`);
  return {
    value: v,
    valueAt: (p) => {
      const o = values.get(p);
      return o === undefined ? undefined : pos(o);
    },
    keyAt: (p) => {
      const o = keys.get(p) ?? values.get(p);
      return o === undefined ? undefined : pos(o);
    },
  };
}
