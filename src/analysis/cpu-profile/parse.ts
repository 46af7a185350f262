// Validates a parsed .cpuprofile (CDP Profiler.Profile) and turns it into what the analysis needs:
// nodes with parents, and one duration per sample.
//
// Sample durations follow Chrome DevTools (front_end/models/cpu_profile/CPUProfileDataModel.ts):
// timestamps are startTime + the running sum of timeDeltas (the first delta is relative to
// startTime), samples are sorted by timestamp, and sample i covers [ts[i], ts[i+1]) — so the
// *next* delta is the time of sample i. The last sample has no successor: it gets endTime − ts[last]
// when that is positive, else the average interval. Using the deltas (not hitCount × mean
// interval) keeps long gaps (a sample delayed by a blocking native call) on the stack that was
// running, and makes our numbers match what the same file shows in DevTools.

export class CpuProfileError extends Error {
  override name = 'CpuProfileError';
}

export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  /** 0-based; −1 for natives and meta nodes. */
  lineNumber: number;
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children: number[];
  parent: number | null;
  positionTicks: Array<{ line: number; ticks: number }>;
}

export interface ParsedProfile {
  nodes: Map<number, ProfileNode>;
  rootId: number;
  startTime: number;
  endTime: number;
  /** Sorted by time. */
  samples: number[];
  /** Duration of each sample (µs), same order as samples. */
  durations: number[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function parseProfile(raw: unknown, where: string): ParsedProfile {
  const fail = (what: string): never => {
    throw new CpuProfileError(`${where}: not a CPU profile: ${what}`);
  };
  if (!isObj(raw)) fail('expected a JSON object');
  const p = raw as Record<string, unknown>;
  if (!Array.isArray(p.nodes) || p.nodes.length === 0) fail('"nodes" must be a non-empty array');
  const nodes = new Map<number, ProfileNode>();
  (p.nodes as unknown[]).forEach((n, i) => {
    if (!isObj(n) || !isNum(n.id)) fail(`nodes[${i}].id must be a number`);
    const node = n as Record<string, unknown>;
    const cf = node.callFrame;
    if (!isObj(cf)) fail(`nodes[${i}].callFrame must be an object`);
    const c = cf as Record<string, unknown>;
    const children = node.children === undefined ? [] : node.children;
    if (!Array.isArray(children) || !children.every(isNum)) fail(`nodes[${i}].children must be an array of node ids`);
    const ticks = Array.isArray(node.positionTicks)
      ? (node.positionTicks as unknown[]).filter((t): t is { line: number; ticks: number } => isObj(t) && isNum(t.line) && isNum(t.ticks))
      : [];
    nodes.set(node.id as number, {
      id: node.id as number,
      callFrame: {
        functionName: typeof c.functionName === 'string' ? c.functionName : '',
        scriptId: String(c.scriptId ?? ''),
        url: typeof c.url === 'string' ? c.url : '',
        lineNumber: isNum(c.lineNumber) ? c.lineNumber : -1,
        columnNumber: isNum(c.columnNumber) ? c.columnNumber : -1,
      },
      children: children as number[],
      parent: null,
      positionTicks: ticks,
    });
  });
  for (const n of nodes.values()) {
    for (const c of n.children) {
      const child = nodes.get(c);
      if (!child) fail(`node ${n.id} lists child ${c}, which is not in "nodes"`);
      // A node listed under two parents would make the tree a graph: keep the first parent.
      if (child!.parent === null && c !== n.id) child!.parent = n.id;
    }
  }
  const first = (p.nodes as Array<{ id: number }>)[0]!.id;
  const rootId = [...nodes.values()].find((n) => n.parent === null && n.callFrame.functionName === '(root)')?.id ?? first;

  const samples = p.samples === undefined ? [] : p.samples;
  const deltas = p.timeDeltas === undefined ? [] : p.timeDeltas;
  if (!Array.isArray(samples) || !samples.every(isNum)) fail('"samples" must be an array of node ids');
  if (!Array.isArray(deltas) || !deltas.every(isNum)) fail('"timeDeltas" must be an array of numbers');
  if ((samples as number[]).length !== (deltas as number[]).length)
    fail(`"samples" (${(samples as number[]).length}) and "timeDeltas" (${(deltas as number[]).length}) differ in length`);
  (samples as number[]).forEach((s, i) => {
    if (!nodes.has(s)) fail(`samples[${i}] refers to node ${s}, which is not in "nodes"`);
  });
  if (!isNum(p.startTime) || !isNum(p.endTime)) fail('"startTime" and "endTime" must be numbers (µs)');
  const startTime = p.startTime as number;
  const endTime = p.endTime as number;

  const n = (samples as number[]).length;
  let t = startTime;
  const order = (samples as number[]).map((id, i) => {
    t += (deltas as number[])[i]!;
    return { id, ts: t, i };
  });
  // V8 can emit slightly out-of-order samples (negative deltas); DevTools sorts them (stable).
  order.sort((a, b) => a.ts - b.ts || a.i - b.i);
  const durations = new Array<number>(n);
  for (let i = 0; i + 1 < n; i++) durations[i] = order[i + 1]!.ts - order[i]!.ts;
  if (n > 0) {
    const avg = n > 1 ? (order[n - 1]!.ts - order[0]!.ts) / (n - 1) : Math.max(0, endTime - startTime);
    const tail = endTime - order[n - 1]!.ts;
    durations[n - 1] = tail > 0 ? tail : avg;
  }
  return { nodes, rootId, startTime, endTime, samples: order.map((o) => o.id), durations };
}

/** The meta nodes V8 puts under the root. */
export const META = { root: '(root)', idle: '(idle)', program: '(program)', gc: '(garbage collector)' } as const;

export function isMetaName(name: string): boolean {
  return name === META.root || name === META.idle || name === META.program || name === META.gc;
}
