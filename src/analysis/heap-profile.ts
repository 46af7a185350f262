// Analysis of a V8 sampling heap profile (.heapprofile, CDP HeapProfiler.SamplingHeapProfile) taken
// over the measured window. Two kinds, told apart by how the agent started it:
// - 'live' (no includeObjectsCollectedBy*GC flags): collected objects have already been dropped from
//   the tree, what remains is what the window retained — for a leak, where it allocates;
// - 'allocated' (with the flags): every sampled allocation, collected or not — where the allocation
//   rate comes from, i.e. what keeps the GC busy. Its bytes per second is the sampled allocation rate.
//
// Attribution: a node's selfSize is credited to the nearest application ('user') frame on its
// stack, itself included — a Buffer.alloc or a `{...spread}` inside node:buffer or a native is
// the application function's allocation. Allocations with no application frame keep their own frame.
import type { HeapAllocationSite, HeapProfileAnalysis } from '../record/target-probes.ts';
import { frameCategory } from './cpu-profile/categories.ts';
import { Locator } from './cpu-profile/locations.ts';
import type { CallFrame } from './cpu-profile/parse.ts';

export class HeapProfileError extends Error {
  override name = 'HeapProfileError';
}

export interface HeapProfileOptions {
  /** Where the .heapprofile is stored (reported as is). */
  path: string;
  /** Files inside it are reported relative to it. */
  projectRoot?: string;
  /** Length of topAllocators (default 10). */
  topN?: number;
  /** Sites below this share of the profile's bytes are left out (default 0.005). */
  minShare?: number;
  /** What the profile holds (default 'live'); recorded as is. */
  kind?: 'live' | 'allocated';
  /** How long the profile ran, ms: gives bytesPerSecond. */
  durationMs?: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Deep trees are walked iteratively; this bounds a malformed (cyclic-looking) input. */
const MAX_NODES = 5_000_000;

function callFrameOf(raw: unknown, where: string): CallFrame {
  if (!isObj(raw)) throw new HeapProfileError(`${where}: callFrame must be an object`);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : -1);
  return {
    functionName: str(raw.functionName),
    scriptId: String(raw.scriptId ?? ''),
    url: str(raw.url),
    lineNumber: num(raw.lineNumber),
    columnNumber: num(raw.columnNumber),
  };
}

interface Node {
  cf: CallFrame;
  self: number;
  user: boolean;
  children: Node[];
}

/** Validates and copies the tree (iteratively: deep stacks must not overflow ours). */
function parseTree(head: unknown, where: string): Node {
  let visited = 0;
  const make = (raw: unknown, path: string): Node => {
    if (++visited > MAX_NODES) throw new HeapProfileError(`${where}: more than ${MAX_NODES} nodes`);
    if (!isObj(raw)) throw new HeapProfileError(`${where}: ${path} must be an object`);
    const cf = callFrameOf(raw.callFrame, `${where}: ${path}`);
    const self = typeof raw.selfSize === 'number' && Number.isFinite(raw.selfSize) && raw.selfSize > 0 ? raw.selfSize : 0;
    if (raw.children !== undefined && !Array.isArray(raw.children))
      throw new HeapProfileError(`${where}: ${path}.children must be an array`);
    return { cf, self, user: frameCategory(cf) === 'user', children: [] };
  };
  const root = make(head, 'head');
  const stack: Array<[Node, unknown, string]> = [[root, head, 'head']];
  while (stack.length) {
    const [node, raw, path] = stack.pop()!;
    ((raw as { children?: unknown[] }).children ?? []).forEach((c, i) => {
      const child = make(c, `${path}.children[${i}]`);
      node.children.push(child);
      stack.push([child, c, `${path}.children[${i}]`]);
    });
  }
  return root;
}

const frameKey = (cf: CallFrame) => `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
const totalOf = (n: Node): number => {
  let t = 0;
  const st = [n];
  while (st.length) {
    const x = st.pop()!;
    t += x.self;
    st.push(...x.children);
  }
  return t;
};

/** The nearest application frames below n (through non-application frames only). */
function userCallees(n: Node): Node[] {
  const out: Node[] = [];
  const st = [...n.children];
  while (st.length) {
    const x = st.pop()!;
    if (x.user) out.push(x);
    else st.push(...x.children);
  }
  return out;
}

/**
 * Optimised code has no frames for the functions V8 inlined: a handler that calls an allocating
 * helper then shows the helper's allocations as its own, and the helper appears only in the samples
 * taken before optimisation. The sign: the same native allocation frames (String.prototype.repeat,
 * Uint8Array …) directly under the caller and under an application callee of the same script. The
 * caller's direct allocations are then the inlined callee's; the callee with most bytes wins.
 * (A caller that also allocates for itself has that share credited to the callee too: approximate.)
 */
function inlinedCallee(f: Node): Node | null {
  const direct = new Set(f.children.filter((c) => !c.user && totalOf(c) > 0).map((c) => c.cf.functionName));
  if (direct.size === 0) return null;
  let best: Node | null = null;
  let bestBytes = 0;
  for (const g of userCallees(f)) {
    if (g.cf.url !== f.cf.url) continue;
    const shared = g.children.some((c) => !c.user && direct.has(c.cf.functionName));
    const bytes = totalOf(g);
    if (shared && bytes > bestBytes) {
      best = g;
      bestBytes = bytes;
    }
  }
  return best;
}

export function analyseHeapProfile(profile: unknown, opts: HeapProfileOptions): HeapProfileAnalysis {
  const where = opts.path;
  if (!isObj(profile) || !isObj(profile.head))
    throw new HeapProfileError(`${where}: not a sampling heap profile: expected an object with "head"`);
  const topN = Math.max(0, Math.floor(opts.topN ?? 10));
  const minShare = opts.minShare ?? 0.005;
  const loc = new Locator(opts.projectRoot);
  const root = parseTree(profile.head, where);

  const bySite = new Map<string, { cf: CallFrame; bytes: number }>();
  let total = 0;
  const credit = (site: CallFrame, bytes: number) => {
    const key = frameKey(site);
    const agg = bySite.get(key) ?? { cf: site, bytes: 0 };
    agg.bytes += bytes;
    bySite.set(key, agg);
    total += bytes;
  };
  // [node, the application frame its allocations belong to (nearest above, itself included)].
  const stack: Array<[Node, CallFrame | null]> = [[root, null]];
  while (stack.length) {
    const [n, above] = stack.pop()!;
    let site = n.user ? n.cf : above;
    let nativeSite = site;
    if (n.user) {
      const g = inlinedCallee(n);
      if (g) {
        site = g.cf;
        nativeSite = g.cf;
      }
    }
    if (n.self > 0) credit(site ?? n.cf, n.self);
    for (const c of n.children) stack.push([c, c.user ? n.cf : nativeSite]);
  }
  const samples = Array.isArray(profile.samples) ? profile.samples.length : 0;

  const sites: HeapAllocationSite[] = [...bySite.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .filter((s) => total > 0 && s.bytes / total >= minShare)
    .slice(0, topN)
    .map(({ cf, bytes }) => {
      const l = loc.locate(cf.url, cf.lineNumber, cf.columnNumber);
      return {
        function: cf.functionName || (cf.url ? '(anonymous)' : '(native)'),
        file: l.file,
        line: l.line,
        column: l.column,
        bytes,
        share: Math.round((bytes / total) * 1e5) / 1e5,
        category: frameCategory(cf),
      };
    });
  const out: HeapProfileAnalysis = { path: opts.path, totalBytes: total, samples, topAllocators: sites, kind: opts.kind ?? 'live' };
  if (opts.durationMs !== undefined && opts.durationMs > 0) {
    out.durationMs = opts.durationMs;
    out.bytesPerSecond = Math.round(total / (opts.durationMs / 1000));
  }
  return out;
}
