/** GUIDs as the files write them, and deterministic ids derived from stable keys. */
import { createHash } from "node:crypto";

const GUID_RE = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** Lowercase, no braces; null when the text is not a GUID. */
export function normId(v: string | null | undefined): string | null {
  if (!v) return null;
  const m = GUID_RE.exec(v.trim());
  return m ? m[1]!.toLowerCase() : null;
}

export function isGuid(v: string): boolean {
  return GUID_RE.test(v.trim());
}

export const braced = (id: string): string => `{${id.toLowerCase()}}`;
export const upper = (id: string): string => id.toUpperCase();

/** dvsol's namespace for name-based (version 5) GUIDs, RFC 4122 section 4.3. */
const DVSOL_NAMESPACE = "6f1c2b0e-5d3a-4b8e-9a47-2f0d8c1e7b35";

/**
 * A deterministic GUID from stable key parts (RFC 4122 version 5, SHA-1 over dvsol's namespace).
 * The same request always yields the same id, so re-running a command changes nothing.
 */
export function deriveId(...parts: (string | number | null | undefined)[]): string {
  const ns = Buffer.from(DVSOL_NAMESPACE.replace(/-/g, ""), "hex");
  const name = parts.map((p) => (p === null || p === undefined ? "" : String(p).toLowerCase())).join("\u001f");
  const h = createHash("sha1").update(ns).update(name, "utf8").digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
