/**
 * The plug-in graph of an impact report (assemblies -> types -> steps -> images / endpoints) laid out
 * in four columns, deterministically: nodes keep the report's order, each parent is centred on its
 * children when there is room, and nothing depends on measuring text. Rendered as inline SVG.
 */
import type { AssemblyImpact, ImpactReport, StepImpact } from "../types.js";

export type NodeStatus = "added" | "removed" | "changed" | "unchanged" | "needs-repoint";

export interface GraphNode {
  key: string;
  col: 0 | 1 | 2 | 3;
  label: string;
  sub: string;
  status: NodeStatus;
  /** Full text for the tooltip. */
  tip: string;
  x: number;
  y: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  status: NodeStatus;
  /** An old binding (a step moved away from this type). */
  was?: boolean;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export const NODE_W = 248;
export const NODE_H = 38;
const GAP_X = 64;
const GAP_Y = 10;
const PAD = 16;
const TOP = 40;
export const COLUMN_TITLES = ["Plug-in assemblies", "Plug-in types", "Steps", "Images and service endpoints"] as const;

const lc = (s: string | null | undefined) => (s ?? "").toLowerCase();

function assemblyStatus(a: AssemblyImpact): NodeStatus {
  if (a.change === "added" || a.change === "removed" || a.change === "unchanged") return a.change;
  if (a.stepsToRepoint.length) return "needs-repoint";
  return "changed";
}

function stepStatus(s: StepImpact): NodeStatus {
  if (s.change === "moved") return "changed";
  return s.change;
}

function versionText(a: AssemblyImpact): string {
  if (a.from && a.to) return a.from === a.to ? `${a.to} · ${a.change}` : `${a.from} → ${a.to} · ${a.change}`;
  return `${a.to ?? a.from ?? ""} · ${a.change}`;
}

export function buildGraph(r: ImpactReport): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const byKey = new Map<string, GraphNode>();
  const node = (n: Omit<GraphNode, "x" | "y">): GraphNode => {
    const g = { ...n, x: 0, y: 0 };
    nodes.push(g);
    byKey.set(g.key, g);
    return g;
  };

  // Assemblies and their types.
  const typeKeys: { entry: number; name: string; type: string; key: string }[] = [];
  r.assemblies.forEach((a, i) => {
    const ak = `a${i}`;
    node({ key: ak, col: 0, label: a.name, sub: versionText(a), status: assemblyStatus(a), tip: `${a.name} ${versionText(a)}` });
    const types = [
      ...a.typesKept.map((t) => ({ t, s: "unchanged" as NodeStatus })),
      ...a.typesAdded.map((t) => ({ t, s: (a.change === "added" ? "added" : "added") as NodeStatus })),
      ...a.typesRemoved.map((t) => ({ t, s: "removed" as NodeStatus })),
    ].sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : 0));
    for (const { t, s } of types) {
      const tk = `t${i}:${t}`;
      const status: NodeStatus = a.change === "removed" ? "removed" : s;
      const short = t.slice(t.lastIndexOf(".") + 1);
      node({ key: tk, col: 1, label: short, sub: t, status, tip: t });
      edges.push({ from: ak, to: tk, status });
      typeKeys.push({ entry: i, name: lc(a.name), type: t, key: tk });
    }
  });

  /** The type node a handler runs, preferring the entry whose version matches. */
  const typeNode = (h: StepImpact["to"]): string | null => {
    if (!h || h.kind !== "plugin" || !h.type) return null;
    const cands = typeKeys.filter((t) => t.name === lc(h.assembly) && t.type === h.type);
    if (!cands.length) return null;
    const exact = cands.find((c) => {
      const a = r.assemblies[c.entry]!;
      return a.to === h.version || a.from === h.version;
    });
    return (exact ?? cands[0]!).key;
  };

  // Steps in the order of the types they hang on.
  const typeOrder = new Map(typeKeys.map((t, i) => [t.key, i]));
  const endpointKeys = new Map(r.endpoints.map((e, i) => [e.id, `e${i}`]));
  const steps = r.steps.map((s) => ({ s, parent: typeNode(s.to ?? s.from), was: s.change === "moved" ? typeNode(s.from) : null }));
  steps.sort((x, y) => {
    const px = x.parent ? typeOrder.get(x.parent)! : Number.MAX_SAFE_INTEGER;
    const py = y.parent ? typeOrder.get(y.parent)! : Number.MAX_SAFE_INTEGER;
    if (px !== py) return px - py;
    const ex = x.s.to?.endpoint ?? x.s.from?.endpoint ?? "";
    const ey = y.s.to?.endpoint ?? y.s.from?.endpoint ?? "";
    if (ex !== ey) return ex < ey ? -1 : 1;
    const nx = lc(x.s.name ?? x.s.id);
    const ny = lc(y.s.name ?? y.s.id);
    return nx < ny ? -1 : nx > ny ? 1 : x.s.id < y.s.id ? -1 : 1;
  });
  const endpointUsers = new Map<string, string[]>();
  steps.forEach(({ s, parent, was }, i) => {
    const sk = `s${i}`;
    const status = stepStatus(s);
    const what = [s.message, s.table ? `of ${s.table}` : null, s.stage ? s.stage.replace(/ \(\d+\)$/, "") : null].filter(Boolean).join(" ");
    // Default names read "Namespace.Class: Message of table": the class's short name is enough in a box.
    const h = s.to ?? s.from;
    const full = s.name ?? s.id;
    const label = h?.type && full.startsWith(`${h.type}: `) ? `${h.type.slice(h.type.lastIndexOf(".") + 1)}: ${full.slice(h.type.length + 2)}` : full;
    node({ key: sk, col: 2, label, sub: `${what} · ${s.change}`, status, tip: `${full} (${s.id}) ${what} · ${s.change}` });
    if (parent) edges.push({ from: parent, to: sk, status: status === "unchanged" && byKey.get(parent)!.status !== "unchanged" ? "unchanged" : status });
    if (was && was !== parent) edges.push({ from: was, to: sk, status: "removed", was: true });
    s.images.forEach((im, j) => {
      const ik = `i${i}:${j}`;
      const st: NodeStatus = s.change === "added" ? "added" : s.change === "removed" ? "removed" : im.change;
      node({ key: ik, col: 3, label: `image ${im.alias}`, sub: `${im.imageType ?? "?"} image · ${st}`, status: st, tip: `${s.name ?? s.id}: image ${im.alias} (${im.imageType ?? "?"}) ${st}` });
      edges.push({ from: sk, to: ik, status: st });
    });
    const ep = s.to?.endpoint ?? s.from?.endpoint;
    if (ep) {
      const list = endpointUsers.get(ep) ?? [];
      list.push(sk);
      endpointUsers.set(ep, list);
    }
  });
  // Service endpoints (also those no step uses), after the images.
  r.endpoints.forEach((e) => {
    const ek = endpointKeys.get(e.id)!;
    node({ key: ek, col: 3, label: e.name, sub: `endpoint · ${e.contract ?? "?"} · ${e.change}`, status: e.change === "changed" ? "changed" : e.change, tip: `service endpoint ${e.name} (${e.id}) ${e.change}` });
    for (const sk of endpointUsers.get(e.id) ?? []) edges.push({ from: sk, to: ek, status: byKey.get(sk)!.status });
  });
  // Steps that post to an endpoint neither solution carries still get a node for it.
  for (const [ep, users] of [...endpointUsers].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (endpointKeys.has(ep)) continue;
    const ek = `x:${ep}`;
    node({ key: ek, col: 3, label: `endpoint ${ep}`, sub: "not in either solution", status: "removed", tip: `service endpoint ${ep}: not in either solution` });
    for (const sk of users) edges.push({ from: sk, to: ek, status: "removed" });
  }

  layout(nodes, edges);
  const width = PAD * 2 + 4 * NODE_W + 3 * GAP_X;
  const height = Math.max(TOP + NODE_H, ...nodes.map((n) => n.y + NODE_H)) + PAD;
  return { nodes, edges, width, height };
}

/** Right-to-left: the last column is stacked; every other node is centred on its children when room allows. */
function layout(nodes: GraphNode[], edges: GraphEdge[]): void {
  const children = new Map<string, string[]>();
  for (const e of edges) {
    if (e.was) continue;
    const list = children.get(e.from) ?? [];
    list.push(e.to);
    children.set(e.from, list);
  }
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  for (let col = 3; col >= 0; col--) {
    const x = PAD + col * (NODE_W + GAP_X);
    let next = TOP;
    for (const n of nodes) {
      if (n.col !== col) continue;
      n.x = x;
      const kids = (children.get(n.key) ?? []).map((k) => byKey.get(k)!).filter((k) => k.col === col + 1);
      let y = next;
      if (kids.length) {
        const mid = (Math.min(...kids.map((k) => k.y)) + Math.max(...kids.map((k) => k.y))) / 2;
        y = Math.max(next, Math.round(mid));
      }
      n.y = y;
      next = y + NODE_H + GAP_Y;
    }
  }
}

const STATUS_LABEL: Record<NodeStatus, string> = { added: "added", removed: "removed", changed: "changed", unchanged: "unchanged", "needs-repoint": "needs re-point" };

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The graph as an SVG element; `esc` escapes text for XML. */
export function graphSvg(g: Graph, esc: (s: string) => string): string {
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 ${g.width} ${g.height}" width="${g.width}" height="${g.height}" role="img" aria-label="Plug-in graph">`);
  COLUMN_TITLES.forEach((t, i) => out.push(`<text class="col-title" x="${PAD + i * (NODE_W + GAP_X)}" y="${TOP - 16}">${esc(t)}</text>`));
  const byKey = new Map(g.nodes.map((n) => [n.key, n]));
  out.push(`<g class="edges">`);
  for (const e of g.edges) {
    const a = byKey.get(e.from)!;
    const b = byKey.get(e.to)!;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const mx = (x1 + x2) / 2;
    out.push(`<path class="edge s-${e.status}${e.was ? " was" : ""}" data-from="${esc(e.from)}" data-to="${esc(e.to)}" d="M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}"/>`);
  }
  out.push(`</g>`);
  out.push(`<g class="nodes">`);
  const maxLabel = Math.floor((NODE_W - 20) / 7);
  const maxSub = Math.floor((NODE_W - 20) / 5.8);
  for (const n of g.nodes) {
    out.push(
      `<g class="node s-${n.status}" data-key="${esc(n.key)}" transform="translate(${n.x},${n.y})">` +
        `<title>${esc(n.tip)}</title>` +
        `<rect width="${NODE_W}" height="${NODE_H}" rx="6"/>` +
        `<text class="label" x="10" y="16">${esc(truncate(n.label, maxLabel))}</text>` +
        `<text class="sub" x="10" y="30">${esc(truncate(n.sub, maxSub))}</text>` +
        `</g>`,
    );
  }
  out.push(`</g></svg>`);
  return out.join("\n");
}

/** The legend as HTML (swatches in the graph's colours). */
export function legendHtml(): string {
  return (
    `<ul class="legend">` +
    (Object.keys(STATUS_LABEL) as NodeStatus[]).map((s) => `<li><span class="swatch s-${s}"></span>${STATUS_LABEL[s]}</li>`).join("") +
    `<li><span class="swatch-line was"></span>old binding (moved away)</li></ul>`
  );
}
