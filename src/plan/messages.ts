/**
 * SDK messages as the planners need them: name <-> id, and which messages take images with which
 * message property. The id catalog is src/check/messages.ts (ids seen in real exports); the planners
 * take a MessageCatalog so that they stay pure and testable, and src/edit/ops.ts passes the real one.
 */
import { normId } from "../model/ids.js";

export interface SdkMessageRef {
  name: string;
  /** Lowercase, no braces. */
  id: string;
}

export interface MessageCatalog {
  byName(name: string): SdkMessageRef | undefined;
  byId(id: string): SdkMessageRef | undefined;
}

/**
 * The message ids that are the same in every organization (reference page, section 3: counted over the
 * corpus). Used when no other catalog is given.
 */
const STABLE: SdkMessageRef[] = [
  { name: "Create", id: "9ebdbb1b-ea3e-db11-86a7-000a3a5473e8" },
  { name: "Update", id: "20bebb1b-ea3e-db11-86a7-000a3a5473e8" },
  { name: "Delete", id: "a1bdbb1b-ea3e-db11-86a7-000a3a5473e8" },
];

export function catalogOf(list: readonly SdkMessageRef[]): MessageCatalog {
  const byName = new Map(list.map((m) => [m.name.toLowerCase(), m]));
  const byId = new Map(list.map((m) => [m.id.toLowerCase(), m]));
  return {
    byName: (n) => byName.get(n.trim().toLowerCase()),
    byId: (id) => {
      const k = normId(id);
      return k ? byId.get(k) : undefined;
    },
  };
}

export const STABLE_MESSAGES: MessageCatalog = catalogOf(STABLE);

/** Tries catalogs in order. */
export function chainCatalogs(...cats: MessageCatalog[]): MessageCatalog {
  return {
    byName: (n) => {
      for (const c of cats) {
        const m = c.byName(n);
        if (m) return m;
      }
      return undefined;
    },
    byId: (id) => {
      for (const c of cats) {
        const m = c.byId(id);
        if (m) return m;
      }
      return undefined;
    },
  };
}

/**
 * Messages that support images, with the message property the image is taken from (reference page,
 * section 7, from "Register a plug-in"). Create uses `id` as real exports do (the documentation's table
 * says Target); Merge and Send take the first property the documentation lists for a plug-in on the
 * target table.
 */
export const IMAGE_PROPERTY: Readonly<Record<string, string>> = {
  assign: "Target",
  create: "id",
  delete: "Target",
  deliverincoming: "EmailId",
  deliverpromote: "EmailId",
  merge: "Target",
  route: "Target",
  send: "EmailId",
  setstate: "EntityMoniker",
  update: "Target",
};

/** Messages whose steps may filter on columns. */
export const FILTER_MESSAGES: ReadonlySet<string> = new Set(["update", "onexternalupdated"]);
