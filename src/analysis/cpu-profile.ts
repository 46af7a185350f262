// Analysis of a V8 CPU profile (.cpuprofile, CDP Profiler.Profile) taken over the measured window:
// self and total time per function, idle / GC / (program) shares, what kind of work each hotspot
// is, the application function behind native and library work, source-mapped locations, and a
// pruned call tree for the flame graph. Pure apart from reading the profiled scripts (and their
// source maps) from disk to map locations; an unreadable script just keeps its generated location.
//
// Time model (parse.ts): a sample lasts until the next one, as in Chrome DevTools, so these
// figures match what the saved file shows there. Self time = the samples whose leaf is the
// function; total time = the samples with the function anywhere on the stack, counted once per
// sample even when it recurses. Hotspot shares are of the non-idle time; idleShare, gcShare and
// programShare are of the whole sampled window.
import type { CpuHotspot, CpuProfileAnalysis } from '../record/target-probes.ts';
import { frameCategory, type Category } from './cpu-profile/categories.ts';
import { buildFlame } from './cpu-profile/flame.ts';
import { Locator } from './cpu-profile/locations.ts';
import { META, parseProfile, type ProfileNode } from './cpu-profile/parse.ts';
import { seeThroughInstrumentation } from './cpu-profile/see-through.ts';
import { type InlinedPart, inlinedParts, lowestId } from './cpu-profile/inlined.ts';
import { dominantSubtree, type DominantInput } from './cpu-profile/dominant.ts';

export { CpuProfileError } from './cpu-profile/parse.ts';

export interface CpuProfileOptions {
  /** Where the .cpuprofile is stored (reported as is). */
  path: string;
  /** Files inside it are reported relative to it. */
  projectRoot?: string;
  /** Length of topSelf and topTotal (default 20). */
  topN?: number;
}

/** Flame graph pruning: children under 0.5 % of the non-idle time (or one sample) become "(other)". */
const FLAME_MIN_SHARE = 0.005;
const FLAME_MAX_DEPTH = 60;
/** A function whose hottest line holds at least this share of its ticks is "doing" that line. */
const HOT_LINE_SHARE = 0.5;
const JSON_CALL = /\bJSON\s*\.\s*(parse|stringify)\s*\(/;

interface FnAgg {
  node: ProfileNode;
  selfUs: number;
  totalUs: number;
  /** Self time by effective category (a native under readFileSync is sync-fs work). */
  categories: Map<Category, number>;
  /** Time by the application frame above it (key → µs). */
  callers: Map<string, number>;
  /** Per-line ticks (1-based lines of the script V8 ran). */
  ticks: Map<number, number>;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const round5 = (v: number) => Math.round(v * 1e5) / 1e5;

function argmax<K>(m: Map<K, number>): K | undefined {
  let best: K | undefined;
  let bv = -Infinity;
  for (const [k, v] of m) if (v > bv) [best, bv] = [k, v];
  return best;
}

export function analyseCpuProfile(profile: unknown, opts: CpuProfileOptions): CpuProfileAnalysis {
  const p = seeThroughInstrumentation(parseProfile(profile, opts.path));
  const topN = Math.max(0, Math.floor(opts.topN ?? 20));
  const loc = new Locator(opts.projectRoot);
  const { nodes } = p;
  const node = (id: number) => nodes.get(id)!;
  const name = (n: ProfileNode) => n.callFrame.functionName;

  const selfUs = new Map<number, number>();
  let windowUs = 0;
  const jsonOwner = staleNativeUnderJson(nodes, loc);
  /** Samples moved onto a JSON-calling user frame: ticks on its hot line (positionTicks never saw them). */
  const movedTicks = new Map<number, number>();
  p.samples.forEach((sampled, i) => {
    const d = Math.max(0, p.durations[i]!);
    const id = jsonOwner.get(sampled) ?? sampled;
    selfUs.set(id, (selfUs.get(id) ?? 0) + d);
    if (id !== sampled) movedTicks.set(id, (movedTicks.get(id) ?? 0) + 1);
    windowUs += d;
  });
  const metaUs = (meta: string) => {
    let t = 0;
    for (const [id, us] of selfUs) if (name(node(id)) === meta) t += us;
    return t;
  };
  const idleUs = metaUs(META.idle);
  const gcUs = metaUs(META.gc);
  const programUs = metaUs(META.program);
  const busyUs = windowUs - idleUs;

  const keyOf = (n: ProfileNode): string => {
    const cf = n.callFrame;
    return `${cf.functionName}\u0000${cf.url}\u0000${cf.lineNumber}\u0000${cf.columnNumber}`;
  };

  // Intrinsic category per node, then the effective one: natives and Node internals running
  // under a *Sync fs/crypto/zlib function are that synchronous work.
  const intrinsic = new Map<number, Category>();
  const cat = (id: number) => {
    let c = intrinsic.get(id);
    if (c === undefined) intrinsic.set(id, (c = frameCategory(node(id).callFrame)));
    return c;
  };
  const effective = (id: number): Category => {
    const own = cat(id);
    if (own !== 'native' && own !== 'node-internal') return own;
    for (let a = node(id).parent; a !== null; a = node(a).parent) {
      const c = cat(a);
      if (c === 'sync-fs' || c === 'sync-crypto' || c === 'sync-zlib') return c;
      if (c !== 'native' && c !== 'node-internal') break;
    }
    return own;
  };
  // The nearest application frame strictly above a node: a user frame, else the nearest
  // dependency frame. Memoised per node; resolved top-down along the unmemoised part of the chain.
  const callerMemo = new Map<number, number | null>();
  const callerAbove = (id: number): number | null => {
    const chain: number[] = [];
    for (let x: number | null = id; x !== null && !callerMemo.has(x); x = node(x).parent) chain.push(x);
    for (let i = chain.length - 1; i >= 0; i--) {
      const x = chain[i]!;
      const parent = node(x).parent;
      let r: number | null = null;
      if (parent !== null) {
        const up = callerMemo.get(parent) ?? null;
        const pc = cat(parent);
        r = pc === 'user' ? parent : up !== null && cat(up) === 'user' ? up : pc === 'dependency' ? parent : up;
      }
      callerMemo.set(x, r);
    }
    return callerMemo.get(id) ?? null;
  };

  const aggs = new Map<string, FnAgg>();
  const aggFor = (n: ProfileNode) => {
    const k = keyOf(n);
    let a = aggs.get(k);
    if (!a) aggs.set(k, (a = { node: n, selfUs: 0, totalUs: 0, categories: new Map(), callers: new Map(), ticks: new Map() }));
    return a;
  };
  for (const [id, us] of selfUs) {
    const leaf = node(id);
    if (name(leaf) === META.idle || us <= 0) continue;
    const la = aggFor(leaf);
    la.selfUs += us;
    const ec = effective(id);
    la.categories.set(ec, (la.categories.get(ec) ?? 0) + us);
    const seen = new Set<string>();
    for (let a: number | null = id; a !== null; a = node(a).parent) {
      const n = node(a);
      if (name(n) === META.root && n.parent === null) break;
      const k = keyOf(n);
      if (seen.has(k)) continue;
      seen.add(k);
      const agg = aggFor(n);
      agg.totalUs += us;
      if (cat(a) !== 'user' && cat(a) !== 'gc') {
        const c = callerAbove(a);
        if (c !== null) {
          const ck = keyOf(node(c));
          agg.callers.set(ck, (agg.callers.get(ck) ?? 0) + us);
        }
      }
    }
  }
  // A node's ticks per line: V8's positionTicks, plus the samples moved onto it from a stale native
  // under JSON.parse (on its hot line: positionTicks never saw them).
  const ticksOf = new Map<number, Map<number, number>>();
  const lineTicks = (n: ProfileNode): Map<number, number> => {
    let m = ticksOf.get(n.id);
    if (m) return m;
    m = new Map<number, number>();
    ticksOf.set(n.id, m);
    for (const t of n.positionTicks) m.set(t.line, (m.get(t.line) ?? 0) + t.ticks);
    const moved = movedTicks.get(n.id);
    if (moved) {
      const line = hotLineOf(n) ?? n.callFrame.lineNumber + 1;
      m.set(line, (m.get(line) ?? 0) + moved);
    }
    return m;
  };
  for (const n of nodes.values()) {
    const a = aggs.get(keyOf(n));
    if (a) for (const [line, t] of lineTicks(n)) a.ticks.set(line, (a.ticks.get(line) ?? 0) + t);
  }
  const inlined = inlinedParts({ nodes, selfUs, lineTicks, keyOf, category: cat, functionsOf: (url) => loc.functions(url) });
  for (const [id, parts] of inlined) moveInlined(aggFor(node(id)), parts, aggFor);
  const nodeByKey = new Map<string, ProfileNode>();
  for (const [k, a] of aggs) nodeByKey.set(k, a.node);

  const hotspots: CpuHotspot[] = [];
  const functions: DominantInput['functions'] = new Map();
  for (const [key, a] of aggs) {
    const cf = a.node.callFrame;
    if (cf.functionName === META.idle || cf.functionName === META.program || cf.functionName === META.root) continue;
    const where = loc.locate(cf.url, cf.lineNumber, cf.columnNumber);
    let category = argmax(a.categories) ?? effective(a.node.id);
    let hotLine: number | undefined;
    const hot = argmax(a.ticks);
    if (hot !== undefined && cf.url) {
      let all = 0;
      for (const t of a.ticks.values()) all += t;
      const mapped = loc.mapLine(cf.url, hot, where);
      if (mapped !== null) hotLine = mapped;
      // V8 gives JSON.parse/stringify no frame: their time is the caller's, on the calling line.
      // On the function's own first line, only text after its start is its code (an arrow
      // function passed to JSON.stringify(...) must not count as doing JSON).
      const text = loc.sourceLine(cf.url, hot) ?? '';
      const own = hot === cf.lineNumber + 1 ? text.slice(Math.max(0, cf.columnNumber)) : text;
      if (category === 'user' && a.ticks.get(hot)! >= all * HOT_LINE_SHARE && JSON_CALL.test(own)) category = 'json';
    }
    const h: CpuHotspot = {
      function: cf.functionName || (cf.url ? '(anonymous)' : '(native)'),
      file: where.file,
      line: where.line,
      column: where.column,
      selfMs: round3(a.selfUs / 1000),
      selfShare: busyUs > 0 ? round5(a.selfUs / busyUs) : 0,
      totalMs: round3(a.totalUs / 1000),
      totalShare: busyUs > 0 ? round5(a.totalUs / busyUs) : 0,
      category,
    };
    if (hotLine !== undefined) h.hotLine = hotLine;
    const ck = category === 'user' || category === 'gc' ? undefined : argmax(a.callers);
    if (ck !== undefined) {
      const c = nodeByKey.get(ck)!.callFrame;
      const cl = loc.locate(c.url, c.lineNumber, c.columnNumber);
      h.caller = { function: c.functionName || '(anonymous)', file: cl.file, line: cl.line };
    }
    hotspots.push(h);
    functions.set(key, { hotspot: h, selfUs: a.selfUs, totalUs: a.totalUs, node: a.node });
  }
  const idleFree = new Map([...selfUs].filter(([id]) => name(node(id)) !== META.idle));
  const dominant = dominantSubtree({ nodes, selfUs: idleFree, busyUs, keyOf, category: cat, effective, functions });
  const topSelf = hotspots
    .filter((h) => h.selfMs > 0)
    .sort((x, y) => y.selfMs - x.selfMs || x.function.localeCompare(y.function))
    .slice(0, topN);
  const topTotal = [...hotspots].sort((x, y) => y.totalMs - x.totalMs || x.function.localeCompare(y.function)).slice(0, topN);

  const meanSampleUs = p.samples.length ? windowUs / p.samples.length : 0;
  // In the flame graph an inlined callee is drawn below the frame it was inlined into, with its part
  // of that frame's self time: one child per callee, given ids below every real node's.
  const inlinedKids = new Map<number, number[]>();
  const inlinedChild = new Map<number, { owner: ProfileNode; us: number }>();
  const inlinedUs = new Map<number, number>();
  let nextId = lowestId(nodes) - 1;
  for (const [id, parts] of inlined) {
    const byOwner = new Map<string, { owner: ProfileNode; us: number }>();
    for (const part of parts) {
      const k = keyOf(part.owner);
      const c = byOwner.get(k) ?? { owner: part.owner, us: 0 };
      c.us += part.us;
      byOwner.set(k, c);
      inlinedUs.set(id, (inlinedUs.get(id) ?? 0) + part.us);
    }
    const kids: number[] = [];
    for (const c of byOwner.values()) {
      inlinedChild.set(nextId, c);
      kids.push(nextId--);
    }
    inlinedKids.set(id, kids);
  }
  const frameNode = (id: number) => inlinedChild.get(id)?.owner ?? node(id);
  const flame = p.samples.length
    ? buildFlame(
        {
          rootId: p.rootId,
          children: (id) => (inlinedChild.has(id) ? [] : [...node(id).children, ...(inlinedKids.get(id) ?? [])]),
          selfUs: (id) => {
            const c = inlinedChild.get(id);
            if (c) return c.us;
            return name(node(id)) === META.idle ? 0 : (selfUs.get(id) ?? 0) - (inlinedUs.get(id) ?? 0);
          },
          key: (id) => keyOf(frameNode(id)),
          skip: (id) => !inlinedChild.has(id) && name(node(id)) === META.idle,
          describe: (id) => {
            const n = frameNode(id);
            const cf = n.callFrame;
            const l = loc.locate(cf.url, cf.lineNumber, cf.columnNumber);
            const category = inlinedChild.has(id) ? 'user' : effective(id);
            return { name: cf.functionName || (cf.url ? '(anonymous)' : '(native)'), file: l.file, line: l.line, category };
          },
        },
        { minUs: Math.max(busyUs * FLAME_MIN_SHARE, meanSampleUs), maxDepth: FLAME_MAX_DEPTH },
      )
    : null;

  return {
    path: opts.path,
    durationMs: round3(Math.max(0, p.endTime - p.startTime) / 1000),
    samples: p.samples.length,
    idleShare: windowUs > 0 ? round5(idleUs / windowUs) : 0,
    gcShare: windowUs > 0 ? round5(gcUs / windowUs) : 0,
    programShare: windowUs > 0 ? round5(programUs / windowUs) : 0,
    topSelf,
    topTotal,
    dominant,
    flame,
  };
}

/** Moves the inlined callees' parts of one node's self time (and their ticked lines) to the callees' aggregates. */
function moveInlined(from: FnAgg, parts: readonly InlinedPart[], aggFor: (n: ProfileNode) => FnAgg): void {
  for (const p of parts) {
    const to = aggFor(p.owner);
    to.selfUs += p.us;
    to.totalUs += p.us;
    to.categories.set('user', (to.categories.get('user') ?? 0) + p.us);
    to.ticks.set(p.line, (to.ticks.get(p.line) ?? 0) + p.ticks);
    from.selfUs -= p.us;
    from.categories.set('user', Math.max(0, (from.categories.get('user') ?? 0) - p.us));
    const left = (from.ticks.get(p.line) ?? 0) - p.ticks;
    if (left > 0) from.ticks.set(p.line, left);
    else from.ticks.delete(p.line);
  }
}

/** The line (1-based) with most of a node's own positionTicks, or null. */
function hotLineOf(n: ProfileNode): number | null {
  let best: number | null = null;
  let bt = 0;
  for (const t of n.positionTicks) if (t.ticks > bt) [best, bt] = [t.line, t.ticks];
  return best;
}

/**
 * JSON.parse/stringify have no frame on the V8 of Node 20–24, and while they run the sampler
 * reports the last API callback the function entered instead: `JSON.parse(fs.readFileSync(f))`
 * shows the parse as `utf8Slice` (the Buffer's decoding, finished long before) directly under the
 * user function — where the real decoding always has Buffer's `toString` between them. So a native
 * frame directly under a user frame whose hot line calls JSON.parse/stringify, and does not name
 * that native, is the JSON work of that user function: its samples are moved to the user frame
 * (node id → owner id). Measured on test/fixtures/profile/inlined-json.mjs: 85 % of the samples
 * were such a `utf8Slice`, 15 % the real one under `toString`.
 */
function staleNativeUnderJson(nodes: Map<number, ProfileNode>, loc: Locator): Map<number, number> {
  const out = new Map<number, number>();
  const jsonLine = new Map<number, string | null>();
  const lineText = (p: ProfileNode): string | null => {
    if (jsonLine.has(p.id)) return jsonLine.get(p.id)!;
    const cf = p.callFrame;
    const hot = hotLineOf(p) ?? cf.lineNumber + 1;
    const text = loc.sourceLine(cf.url, hot);
    // On the function's own first line only the text after its start is its code.
    const own = text === null ? null : hot === cf.lineNumber + 1 ? text.slice(Math.max(0, cf.columnNumber)) : text;
    const r = own !== null && JSON_CALL.test(own) ? own : null;
    jsonLine.set(p.id, r);
    return r;
  };
  for (const n of nodes.values()) {
    if (n.parent === null || n.children.length > 0 || frameCategory(n.callFrame) !== 'native') continue;
    const parent = nodes.get(n.parent)!;
    if (frameCategory(parent.callFrame) !== 'user') continue;
    const text = lineText(parent);
    if (text !== null && !text.includes(n.callFrame.functionName)) out.set(n.id, parent.id);
  }
  return out;
}
