/**
 * Entry names: decoding (APPNOTE.TXT 4.4.4 bit 11, appendix D), validation against path tricks,
 * and collision detection for file systems that ignore case.
 */
import { DvsolError } from "../errors.js";

// IBM code page 437, bytes 0x80..0xFF (APPNOTE.TXT appendix D: names without bit 11 are CP437).
const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐" +
  "└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";

export function decodeCp437(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return s;
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 text, or undefined when the bytes are not valid UTF-8. */
export function tryDecodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
}

export function isAscii(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s);
}

/** A name for messages: quoted, control characters escaped. */
export function showName(name: string): string {
  return JSON.stringify(name);
}

function unsafe(name: string, what: string): DvsolError {
  return new DvsolError("ZIP_UNSAFE_PATH", `Entry name ${showName(name)} ${what}.`, { entry: name });
}

/**
 * Throws ZIP_UNSAFE_PATH unless `name` is a relative path that stays inside the folder it is written to:
 * forward slashes only, no `..` / `.` / empty segment, no leading slash, no drive letter, no control
 * character. A trailing `/` (a directory entry, APPNOTE.TXT 4.3.8) is allowed.
 */
export function validateEntryName(name: string): void {
  if (name.length === 0 || name === "/") throw unsafe(name, "is empty");
  if (name.includes("\\")) throw unsafe(name, "contains a backslash");
  if (name.startsWith("/")) throw unsafe(name, "is an absolute path (starts with /)");
  if (/^[A-Za-z]:/.test(name)) throw unsafe(name, "starts with a drive letter");
  // eslint-disable-next-line no-control-regex
  const ctl = /[\x00-\x1f\x7f-\x9f]/.exec(name);
  if (ctl) {
    const code = ctl[0].charCodeAt(0);
    throw unsafe(name, code === 0 ? "contains a NUL character" : `contains the control character U+${code.toString(16).padStart(4, "0").toUpperCase()}`);
  }
  const body = name.endsWith("/") ? name.slice(0, -1) : name;
  for (const seg of body.split("/")) {
    if (seg === "") throw unsafe(name, "has an empty path segment (//)");
    if (seg === "..") throw unsafe(name, "has a .. segment");
    if (seg === ".") throw unsafe(name, "has a . segment");
  }
}

/** The key two names collide under on Windows and macOS (case-insensitive, Unicode-normalising). */
export function foldName(name: string): string {
  const body = name.endsWith("/") ? name.slice(0, -1) : name;
  return body.normalize("NFC").toLowerCase();
}

/**
 * The names of one archive. add() throws ZIP_DUPLICATE_ENTRY for a name seen before, a name that differs
 * from one seen only by case, or a name that is both a file and a folder (`a` and `a/b`).
 */
export class NameSet {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Map<string, string>();
  /** Folders implied by the names' parents, e.g. `a` and `a/b` for `a/b/c.xml`. */
  private readonly parents = new Map<string, string>();

  get size(): number {
    return this.files.size + this.dirs.size;
  }

  add(name: string): void {
    const isDir = name.endsWith("/");
    const key = foldName(name);
    const dup = (other: string, why: string) =>
      new DvsolError("ZIP_DUPLICATE_ENTRY", `Entry ${showName(name)} ${why} ${showName(other)}.`, { entry: name });
    const sameOrCase = (other: string) => (other === name ? "appears twice; the first is" : "differs only by case from");
    if (isDir) {
      const d = this.dirs.get(key);
      if (d !== undefined) throw dup(d, sameOrCase(d));
      const f = this.files.get(key);
      if (f !== undefined) throw dup(f, "is a folder with the same name as the file");
      this.dirs.set(key, name);
    } else {
      const f = this.files.get(key);
      if (f !== undefined) throw dup(f, sameOrCase(f));
      const d = this.dirs.get(key) ?? this.parents.get(key);
      if (d !== undefined) throw dup(d, "is a file with the same name as the folder of");
      this.files.set(key, name);
    }
    const body = isDir ? name.slice(0, -1) : name;
    // Deepest parent first: once a parent is known, its own parents were checked when it was recorded.
    for (let i = body.lastIndexOf("/"); i > 0; i = body.lastIndexOf("/", i - 1)) {
      const pk = foldName(body.slice(0, i));
      if (this.parents.has(pk)) break;
      const f = this.files.get(pk);
      if (f !== undefined) throw dup(f, "needs a folder with the same name as the file");
      this.parents.set(pk, name);
    }
  }
}
