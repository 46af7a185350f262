// The dominant subtree of a CPU profile (issue 12: "on a POST path the finding named JSON.stringify
// while 54 % of the CPU was under the file-write subtree of a library"). The top self-time function
// is where the CPU is at the leaves; when the work is spread over several leaves under one function
// (a library's save(): serialise, open, write, rename), no leaf stands out and the function that
// holds them all is the thing to name. That is the narrowest application function (user code or a
// dependency) whose inclusive time holds at least half of the busy time — provided it does that work
// itself (its own and its natives' time) rather than dispatching it to several application callees
// (a router holding three handlers is not a hot spot).
import type { CpuHotspot, CpuSubtree } from '../../record/target-probes.ts';
import type { Category } from './categories.ts';
import type { ProfileNode } from './parse.ts';

/** A subtree holding this share of the busy time dominates it. */
export const DOMINANT_SHARE = 0.5;

export interface DominantInput {
  nodes: Map<number, ProfileNode>;
  /** Self time per profile node (µs), idle excluded by the caller. */
  selfUs: Map<number, number>;
  busyUs: number;
  keyOf(n: ProfileNode): string;
  /** Intrinsic category of a node (user, dependency, native …). */
  category(id: number): Category;
  /** Category of the work a sampled node did (a native under readFileSync is sync-fs). */
  effective(id: number): Category;
  /** Per function: its analysed hotspot and its self and inclusive time (after inlining re-attribution). */
  functions: Map<string, { hotspot: CpuHotspot; selfUs: number; totalUs: number; node: ProfileNode }>;
}

const round5 = (v: number) => Math.round(v * 1e5) / 1e5;
const isApplication = (c: Category) => c === 'user' || c === 'dependency';

export function dominantSubtree(o: DominantInput): CpuSubtree | null {
  if (o.busyUs <= 0) return null;
  let best: { key: string; totalUs: number } | null = null;
  for (const [key, f] of o.functions) {
    if (!isApplication(o.category(f.node.id)) || f.totalUs < o.busyUs * DOMINANT_SHARE) continue;
    if (!best || f.totalUs < best.totalUs) best = { key, totalUs: f.totalUs };
  }
  if (!best) return null;
  const d = o.functions.get(best.key)!;
  // Under D: the time D does itself (its self time and the natives, Node internals and JSON it calls)
  // against the time of each application function it calls; and what kind of work it all was.
  let ownUs = 0;
  let treeSelfUs = 0;
  const childUs = new Map<string, number>();
  const kinds = new Map<Category, number>();
  for (const [id, us] of o.selfUs) {
    if (us <= 0) continue;
    let below: ProfileNode | null = null;
    let hit = false;
    for (let n: ProfileNode | undefined = o.nodes.get(id); n; n = n.parent === null ? undefined : o.nodes.get(n.parent)) {
      if (o.keyOf(n) === best.key) {
        hit = true;
        if (n.id === id) treeSelfUs += us;
        break;
      }
      if (isApplication(o.category(n.id))) below = n;
    }
    if (!hit) continue;
    const kind = o.effective(id);
    kinds.set(kind, (kinds.get(kind) ?? 0) + us);
    if (below === null) ownUs += us;
    else {
      const k = o.keyOf(below);
      childUs.set(k, (childUs.get(k) ?? 0) + us);
    }
  }
  // Time given to D by inlining re-attribution has no node of D's: it is D's own work.
  const moved = Math.max(0, d.selfUs - treeSelfUs);
  ownUs += moved;
  if (moved > 0) kinds.set(d.hotspot.category, (kinds.get(d.hotspot.category) ?? 0) + moved);
  const biggestChild = Math.max(0, ...childUs.values());
  if (ownUs < biggestChild) return null;
  const h = d.hotspot;
  const out: CpuSubtree = {
    function: h.function,
    file: h.file,
    line: h.line,
    category: o.category(d.node.id) === 'dependency' ? 'dependency' : 'user',
    totalMs: h.totalMs,
    totalShare: round5(d.totalUs / o.busyUs),
    ownShare: round5(ownUs / o.busyUs),
    kinds: [...kinds]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([category, us]) => ({ category, share: round5(us / o.busyUs) })),
  };
  if (h.caller) out.caller = h.caller;
  return out;
}
