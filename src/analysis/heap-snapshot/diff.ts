// What holds the memory that grew between two heap snapshots of the same process. Both are turned
// into their shortest-retainer-path trees from the GC roots (breadth first, weak edges not followed —
// DevTools' "distance"), with each node's subtree size. From the root, the walk follows the edge
// (same name in both snapshots) that carries most of the growth and stops where the growth spreads
// over many element-indexed children: that node is the collection that holds what was added — for
// a module-level array every request pushes to, the array, reached through the module context's
// variable. Snapshot object ids are not used (see descend()). Pure apart from reading the scripts'
// sources to find a variable's declaration line.
import { readFileSync } from 'node:fs';
import type { HeapClassGrowth, HeapRetainerGrowth } from '../../record/target-probes.ts';
import { localPath, Locator } from '../cpu-profile/locations.ts';
import type { HeapSnapshot } from './parse.ts';

export interface HeapDiffOptions {
  projectRoot?: string;
  /** Holders / classes kept (default 5 / 15). */
  topRetainers?: number;
  topClasses?: number;
}

/** Node types that are V8's own bookkeeping: never named as the holder of user data. */
const INTERNAL_TYPES = new Set([
  'hidden',
  'array',
  'code',
  'object shape',
  'synthetic',
  'number',
  'string',
  'concatenated string',
  'sliced string',
  'symbol',
  'bigint',
]);

interface View {
  s: HeapSnapshot;
  type(i: number): string;
  name(i: number): string;
  id(i: number): number;
  self(i: number): number;
  /** Edges of node i as [first, end) edge indexes. */
  edges(i: number): [number, number];
  edgeType(e: number): string;
  edgeName(e: number): string;
  edgeTo(e: number): number;
}

function view(s: HeapSnapshot): View {
  const N = s.nodeFieldCount;
  const E = s.edgeFieldCount;
  const f = s.f;
  return {
    s,
    type: (i) => s.nodeTypes[s.nodes[i * N + f.type]!] ?? '?',
    name: (i) => s.strings.get(s.nodes[i * N + f.name]!) ?? '',
    id: (i) => s.nodes[i * N + f.id]!,
    self: (i) => s.nodes[i * N + f.selfSize]!,
    edges: (i) => [s.firstEdge[i]!, s.firstEdge[i]! + s.nodes[i * N + f.edgeCount]!],
    edgeType: (e) => s.edgeTypes[s.edges[e * E + f.edgeType]!] ?? '?',
    edgeName: (e) => {
      const t = s.edgeTypes[s.edges[e * E + f.edgeType]!];
      const v = s.edges[e * E + f.edgeName]!;
      return t === 'element' || t === 'hidden' ? String(v) : (s.strings.get(v) ?? String(v));
    },
    edgeTo: (e) => s.edges[e * E + f.edgeTo]! / N,
  };
}

/** DevTools' class name: the constructor for objects and natives, a bracketed kind otherwise. */
export function classOf(v: View, i: number): string {
  const t = v.type(i);
  if (t === 'object' || t === 'native') return v.name(i) || '(object)';
  if (t === 'concatenated string' || t === 'sliced string') return '(string)';
  if (t === 'code') return '(compiled code)';
  if (t === 'synthetic') return v.name(i) || '(root)';
  if (t === 'hidden' || t === 'object shape') return '(system)';
  return `(${t})`;
}

const TRANSIENT_ROOT = /^\((Handle scope|Stack roots)/;
/** V8's identity maps under (Strong roots) point at objects the VM is working on at that moment. */
const TRANSIENT_STRONG_EDGE = /IdentityMap/;

/**
 * Shortest-path parents from the root (node 0), weak edges not followed; -1 = unreached. Transient
 * roots (handle scopes and stack roots of the moment the snapshot was taken) are explored last, as
 * DevTools ranks them: an array that a module variable holds is named by that variable, even when a
 * function happened to hold a handle to it during the snapshot. For the same reason an identity-map
 * edge of (Strong roots) is followed only after everything else (a Map was once named "internal edge
 * 35 / IdentityMapBase of (Strong roots)" instead of the property that holds it).
 */
function bfs(v: View): { order: Uint32Array; parent: Int32Array; parentEdge: Int32Array; count: number } {
  const n = v.s.nodeCount;
  const parent = new Int32Array(n).fill(-1);
  const parentEdge = new Int32Array(n).fill(-1);
  const order = new Uint32Array(n);
  const deferred: number[] = [];
  const deferredEdges: number[] = [];
  let head = 0;
  let tail = 0;
  order[tail++] = 0;
  parent[0] = 0;
  for (;;) {
    while (head < tail) {
      const i = order[head++]!;
      const [a, b] = v.edges(i);
      for (let e = a; e < b; e++) {
        if (v.edgeType(e) === 'weak') continue;
        const to = v.edgeTo(e);
        if (parent[to] !== -1) continue;
        if (v.type(i) === 'synthetic' && v.name(i) === '(Strong roots)' && TRANSIENT_STRONG_EDGE.test(v.edgeName(e))) {
          deferredEdges.push(i, e);
          continue;
        }
        parent[to] = i;
        parentEdge[to] = e;
        if (v.type(to) === 'synthetic' && TRANSIENT_ROOT.test(v.name(to))) deferred.push(to);
        else order[tail++] = to;
      }
    }
    if (deferred.length > 0) {
      for (const r of deferred.splice(0)) order[tail++] = r;
      continue;
    }
    if (deferredEdges.length === 0) break;
    const edges = deferredEdges.splice(0);
    for (let k = 0; k < edges.length; k += 2) {
      const to = v.edgeTo(edges[k + 1]!);
      if (parent[to] !== -1) continue;
      parent[to] = edges[k]!;
      parentEdge[to] = edges[k + 1]!;
      order[tail++] = to;
    }
  }
  return { order, parent, parentEdge, count: tail };
}

/** Array elements, or the entries of a Map/Set (through its internal table), of node i; null when none. */
function elementCount(v: View, i: number): number | null {
  let count = 0;
  const [a, b] = v.edges(i);
  let table = -1;
  for (let e = a; e < b; e++) {
    const t = v.edgeType(e);
    if (t === 'element') count++;
    else if (t === 'internal' && v.edgeName(e) === 'table') table = v.edgeTo(e);
  }
  if (count === 0 && table >= 0) {
    const [c, d] = v.edges(table);
    // The table's slots are edges named by their index ("2051"); an OrderedHashMap holds key and value per entry.
    for (let e = c; e < d; e++) if (/^\d+$/.test(v.edgeName(e))) count++;
    if (v.name(i) === 'Map') count = Math.floor(count / 2);
  }
  return count > 0 ? count : null;
}

/** The script URL of a closure (closure → shared → script, whose name is the URL), or ''. */
function scriptOfClosure(v: View, c: number): string {
  const [a, b] = v.edges(c);
  for (let e = a; e < b; e++) {
    if (v.edgeName(e) !== 'shared') continue;
    const sfi = v.edgeTo(e);
    const [x, y] = v.edges(sfi);
    for (let k = x; k < y; k++) if (v.edgeName(k) === 'script') return v.name(v.edgeTo(k));
  }
  return '';
}

/** Where a context variable is declared: a closure of that context gives the script; its source gives the line. */
function declarationOf(v: View, context: number, variable: string, loc: Locator): { file?: string; line?: number; module: boolean } {
  let module = false;
  const [a, b] = v.edges(context);
  for (let e = a; e < b; e++) if (v.edgeName(e) === 'extension' && v.name(v.edgeTo(e)) === 'system / SourceTextModule') module = true;
  // Closures whose context is this one (one pass over all edges: done once per reported holder).
  let url = '';
  for (let i = 0; i < v.s.nodeCount && !url; i++) {
    if (v.type(i) !== 'closure') continue;
    const [x, y] = v.edges(i);
    for (let e = x; e < y; e++)
      if (v.edgeType(e) === 'internal' && v.edgeName(e) === 'context' && v.edgeTo(e) === context) {
        url = scriptOfClosure(v, i);
        break;
      }
  }
  if (!url) return { module };
  const where = loc.locate(url, 0, 0);
  const path = localPath(url);
  let line: number | undefined;
  if (path) {
    try {
      const lines = readFileSync(path, 'utf8').split(/\r?\n/);
      const decl = new RegExp(`\\b(?:const|let|var)\\s+${variable.replace(/[$]/g, '\\$')}\\b`);
      const at = lines.findIndex((l) => decl.test(l));
      if (at >= 0) line = at + 1;
    } catch {
      /* unreadable: no line */
    }
  }
  return { file: where.file, ...(line ? { line } : {}), module };
}

/** How node i is reached from its BFS parent, in words; and the path from the roots. */
function retention(
  v: View,
  tree: ReturnType<typeof bfs>,
  i: number,
  loc: Locator,
): { retainedBy: string; path: string[]; file?: string; line?: number } {
  const path: string[] = [];
  for (let x = i, hops = 0; x !== 0 && hops < 12; x = tree.parent[x]!, hops++) {
    const e = tree.parentEdge[x]!;
    path.unshift(e >= 0 ? `${v.edgeName(e)}: ${classOf(v, x)}` : classOf(v, x));
  }
  const e = tree.parentEdge[i]!;
  if (e < 0) return { retainedBy: 'a GC root', path };
  const parent = tree.parent[i]!;
  const edge = v.edgeName(e);
  const kind = v.edgeType(e);
  if (kind === 'context') {
    const d = declarationOf(v, parent, edge, loc);
    return {
      retainedBy: `${d.module ? 'module variable' : 'closure variable'} ${edge}`,
      path,
      ...(d.file ? { file: d.file } : {}),
      ...(d.line ? { line: d.line } : {}),
    };
  }
  const owner = classOf(v, parent);
  if (kind === 'property' && /^(global|Window|global \/ )/.test(v.name(parent))) return { retainedBy: `global property ${edge}`, path };
  if (kind === 'element') return { retainedBy: `element [${edge}] of ${owner}`, path };
  return { retainedBy: `${kind === 'property' ? 'property' : `${kind} edge`} ${edge} of ${owner}`, path };
}

export interface HeapSnapshotDiffResult {
  retainers: HeapRetainerGrowth[];
  classes: HeapClassGrowth[];
}

/** Per snapshot: the BFS tree and each node's subtree (self sizes and node counts below it in that tree). */
interface Tree {
  v: View;
  t: ReturnType<typeof bfs>;
  size: Float64Array;
  count: Uint32Array;
  kids: Map<number, number[]> | null;
}

function treeOf(v: View): Tree {
  const t = bfs(v);
  const size = new Float64Array(v.s.nodeCount);
  const count = new Uint32Array(v.s.nodeCount);
  for (let k = t.count - 1; k >= 0; k--) {
    const i = t.order[k]!;
    size[i] += v.self(i);
    count[i] += 1;
    if (k > 0) {
      const p = t.parent[i]!;
      size[p] += size[i]!;
      count[p] += count[i]!;
    }
  }
  return { v, t, size, count, kids: null };
}

/** Children of node i in the BFS tree, grouped by edge key; element indexes collapse to "[]" (except under the roots). */
function childGroups(tr: Tree, i: number): Map<string, { nodes: number[]; size: number; count: number }> {
  const out = new Map<string, { nodes: number[]; size: number; count: number }>();
  const synthetic = tr.v.type(i) === 'synthetic';
  const [a, b] = tr.v.edges(i);
  for (let e = a; e < b; e++) {
    const to = tr.v.edgeTo(e);
    if (tr.t.parentEdge[to] !== e) continue;
    const type = tr.v.edgeType(e);
    // The roots' element edges are distinct roots, not a collection's entries.
    const key = type === 'element' && !synthetic ? 'element:[]' : `${type}:${tr.v.edgeName(e)}`;
    const g = out.get(key) ?? { nodes: [], size: 0, count: 0 };
    g.nodes.push(to);
    g.size += tr.size[to]!;
    g.count += tr.count[to]!;
    out.set(key, g);
  }
  return out;
}

/** Share of a node's growth one child must carry for the descent to follow it. */
const FOLLOW_SHARE = 0.5;

/**
 * The node of another snapshot that is the same object: same snapshot object id and class, else
 * (V8 did not keep the id: seen for a module's array between two v8.writeHeapSnapshot calls) the
 * node at the end of the same retainer path (edge types and names from the root) with the same class.
 */
function counterpart(from: Tree, i: number, to: Tree & { byId: Map<number, number> }, byPath = true): number | null {
  const x = to.byId.get(from.v.id(i));
  if (x !== undefined && classOf(to.v, x) === classOf(from.v, i)) return x;
  // The path walk reads every edge of every node on the way: only for the few nodes of the descent.
  if (!byPath) return null;
  const steps: Array<[string, string]> = [];
  for (let n = i; n !== 0; n = from.t.parent[n]!) {
    const e = from.t.parentEdge[n]!;
    if (e < 0 || steps.length > 40) return null;
    steps.push([from.v.edgeType(e), from.v.edgeName(e)]);
  }
  let at = 0;
  for (let k = steps.length - 1; k >= 0; k--) {
    const [type, name] = steps[k]!;
    const [a, b] = to.v.edges(at);
    let next = -1;
    for (let e = a; e < b; e++)
      if (to.v.edgeType(e) === type && to.v.edgeName(e) === name) {
        next = to.v.edgeTo(e);
        break;
      }
    if (next < 0) return null;
    at = next;
  }
  return classOf(to.v, at) === classOf(from.v, i) ? at : null;
}

type Indexed = Tree & { byId: Map<number, number> };
function indexed(t: Tree): Indexed {
  const byId = new Map<number, number>();
  for (let i = 0; i < t.v.s.nodeCount; i++) byId.set(t.v.id(i), i);
  return Object.assign(t, { byId });
}

/**
 * From the root, follow the retainer-tree edge that carries most of the growth while one named edge
 * carries it, and stop where the growth spreads over many children reached by element indexes or
 * over many distinct edges: the node there is the collection that holds what was added. A node's
 * growth is its subtree in the last snapshot minus the subtree of the same object (by snapshot
 * object id) in the first. Ids are trusted only for objects that existed all along: V8 gives a new
 * object the id of a dead one that lived at the same address (unless allocations were tracked
 * meanwhile), so objects are never counted as "new" by their id.
 */
function descend(A: Indexed, B: Tree): Array<{ b: number; growth: number; objects: number }> {
  const found: Array<{ b: number; growth: number; objects: number }> = [];
  const sizeIn = (b: number, byPath = true) => {
    const a = counterpart(B, b, A, byPath);
    return a === null ? { size: 0, count: 0 } : { size: A.size[a]!, count: A.count[a]! };
  };
  for (let b = 0, depth = 0; depth <= 40; depth++) {
    const before = b === 0 ? { size: A.size[0]!, count: A.count[0]! } : sizeIn(b);
    const growth = B.size[b]! - before.size;
    if (growth <= 0) break;
    let best: { key: string; nodes: number[]; growth: number } | null = null;
    for (const [key, g] of childGroups(B, b)) {
      // A single child is matched by path too; the many of a collection by id only (see counterpart()).
      const d = g.size - g.nodes.reduce((t, n) => t + sizeIn(n, g.nodes.length === 1).size, 0);
      if (!best || d > best.growth) best = { key, nodes: g.nodes, growth: d };
    }
    if (best && best.nodes.length === 1 && best.key !== 'element:[]' && best.growth >= FOLLOW_SHARE * growth) {
      b = best.nodes[0]!;
      continue;
    }
    found.push({ b, growth, objects: B.count[b]! - before.count });
    break;
  }
  return found;
}

/**
 * Diff of the first and last snapshot (and the holder's element counts in any in between, in order).
 * The snapshots must come from the same process.
 */
export function diffHeapSnapshots(
  first: HeapSnapshot,
  last: HeapSnapshot,
  middle: HeapSnapshot[] = [],
  o: HeapDiffOptions = {},
): HeapSnapshotDiffResult {
  const A = indexed(treeOf(view(first)));
  const B = treeOf(view(last));
  const M = middle.map((m) => indexed(treeOf(view(m))));
  const loc = new Locator(o.projectRoot);

  // Classes, DevTools' Comparison view (counts and sizes; not "new" objects: see descend()).
  const classes = new Map<string, HeapClassGrowth>();
  const cls = (name: string) => {
    let c = classes.get(name);
    if (!c) classes.set(name, (c = { name, countBefore: 0, countAfter: 0, sizeBefore: 0, sizeAfter: 0 }));
    return c;
  };
  for (let i = 0; i < first.nodeCount; i++) {
    if (A.v.type(i) === 'synthetic') continue;
    const c = cls(classOf(A.v, i));
    c.countBefore++;
    c.sizeBefore += A.v.self(i);
  }
  for (let i = 0; i < last.nodeCount; i++) {
    if (B.v.type(i) === 'synthetic') continue;
    const c = cls(classOf(B.v, i));
    c.countAfter++;
    c.sizeAfter += B.v.self(i);
  }

  const retainers: HeapRetainerGrowth[] = descend(A, B).map(({ b, growth, objects }) => {
    // A V8-internal holder (an array's backing store, a Map's table) is named by the object that owns it.
    let h = b;
    while (INTERNAL_TYPES.has(B.v.type(h)) && h !== 0) h = B.t.parent[h]!;
    const count = (tr: Indexed | Tree, x: number) => {
      const y = tr === B ? x : counterpart(B, x, tr as Indexed);
      return y === null ? null : elementCount(tr.v, y);
    };
    const elements = (tr: Indexed | Tree) => count(tr, h) ?? (h === b ? null : count(tr, b));
    const series = [elements(A), ...M.map(elements), elements(B)];
    const grew = series.length > 2 && series.every((x) => x !== null) ? series.every((x, k) => k === 0 || x! > series[k - 1]!) : null;
    return {
      holder: classOf(B.v, h),
      ...retention(B.v, B.t, h, loc),
      elementsBefore: series[0]!,
      elementsAfter: series[series.length - 1]!,
      addedObjects: objects,
      addedBytes: growth,
      grewEveryInterval: grew,
    };
  });
  const classList = [...classes.values()]
    .filter((c) => c.sizeAfter !== c.sizeBefore || c.countAfter !== c.countBefore)
    .sort((x, y) => y.sizeAfter - y.sizeBefore - (x.sizeAfter - x.sizeBefore))
    .slice(0, o.topClasses ?? 15);
  return { retainers, classes: classList };
}
