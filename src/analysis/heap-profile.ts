// Analysis of a V8 sampling heap profile (.heapprofile, CDP HeapProfiler.SamplingHeapProfile) taken
// over the measured window: which application functions allocated the memory that was still live
// when the window ended. The agent samples without the includeObjectsCollectedBy*GC flags, so
// collected objects have already been dropped from the tree: what remains is what the window
// retained — for a leak, where it allocates.
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
  /** Sites below this share of the live bytes are left out (default 0.005). */
  minShare?: number;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Deep trees are walked iteratively; this bounds a malformed (cyclic-looking) input. */
const MAX_NODES = 5_000_000;

function callFrameOf(raw: unknown, where: string): CallFrame {
  if (!isObj(raw)) throw new HeapProfileError(`${where}: callFrame must be an object`);
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : -1);
  return { functionName: str(raw.functionName), scriptId: String(raw.scriptId ?? ''), url: str(raw.url), lineNumber: num(raw.lineNumber), columnNumber: num(raw.columnNumber) };
}

export function analyseHeapProfile(profile: unknown, opts: HeapProfileOptions): HeapProfileAnalysis {
  const where = opts.path;
  if (!isObj(profile) || !isObj(profile.head)) throw new HeapProfileError(`${where}: not a sampling heap profile: expected an object with "head"`);
  const topN = Math.max(0, Math.floor(opts.topN ?? 10));
  const minShare = opts.minShare ?? 0.005;
  const loc = new Locator(opts.projectRoot);

  const bySite = new Map<string, { cf: CallFrame; bytes: number }>();
  let total = 0;
  let visited = 0;
  // Stack of [node, nearest application frame above or at it].
  const stack: Array<[unknown, CallFrame | null, string]> = [[profile.head, null, 'head']];
  while (stack.length) {
    const [raw, userAbove, path] = stack.pop()!;
    if (++visited > MAX_NODES) throw new HeapProfileError(`${where}: more than ${MAX_NODES} nodes`);
    if (!isObj(raw)) throw new HeapProfileError(`${where}: ${path} must be an object`);
    const cf = callFrameOf(raw.callFrame, `${where}: ${path}`);
    const self = typeof raw.selfSize === 'number' && Number.isFinite(raw.selfSize) && raw.selfSize > 0 ? raw.selfSize : 0;
    const user = frameCategory(cf) === 'user' ? cf : userAbove;
    if (self > 0) {
      const site = user ?? cf;
      const key = `${site.functionName}\u0000${site.url}\u0000${site.lineNumber}\u0000${site.columnNumber}`;
      const agg = bySite.get(key) ?? { cf: site, bytes: 0 };
      agg.bytes += self;
      bySite.set(key, agg);
      total += self;
    }
    const children = raw.children ?? [];
    if (!Array.isArray(children)) throw new HeapProfileError(`${where}: ${path}.children must be an array`);
    children.forEach((c, i) => stack.push([c, user, `${path}.children[${i}]`]));
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
  return { path: opts.path, totalBytes: total, samples, topAllocators: sites };
}
