// A streaming reader of V8 .heapsnapshot files (the JSON DevTools and v8.writeHeapSnapshot write).
// A snapshot of a leaking service is hundreds of MB: JSON.parse of the whole text would need the
// text, then an array of millions of boxed numbers, then every string of the heap (the leak's own
// payloads included). This reads the file in chunks, keeps the node and edge fields in typed arrays,
// and keeps only the strings that name nodes other than strings and name edges — the ones the
// diff needs. Format (v8 src/profiler/heap-snapshot-generator.cc, HeapSnapshotJSONSerializer):
//   {"snapshot":{"meta":{…},"node_count":N,"edge_count":M,…},
//    "nodes":[flat ints, node_fields per node], "edges":[flat ints, edge_fields per edge],
//    "trace_function_infos":[…],"trace_tree":[…],"samples":[…],"locations":[…],"strings":["…",…]}
// A node's edges are the next edge_count edges in order; an edge's to_node is an index into
// `nodes` (already multiplied by the field count).
import { closeSync, openSync, readSync } from 'node:fs';

export class HeapSnapshotError extends Error {
  override name = 'HeapSnapshotError';
}

export interface HeapSnapshotMeta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
  location_fields?: string[];
}

export interface HeapSnapshot {
  nodeCount: number;
  edgeCount: number;
  /** Fields per node / edge and the offsets of the ones used here. */
  nodeFieldCount: number;
  edgeFieldCount: number;
  nodeTypes: string[];
  edgeTypes: string[];
  /** Flat node fields (node_fields order) and edge fields (edge_fields order). */
  nodes: Float64Array;
  edges: Uint32Array;
  /** location_fields order: object_index, script_id, line, column (0-based). */
  locations: Uint32Array;
  /** The strings that were kept, by index (the others are absent). */
  strings: Map<number, string>;
  /** Field offsets. */
  f: { type: number; name: number; id: number; selfSize: number; edgeCount: number; edgeType: number; edgeName: number; edgeTo: number };
  /** First edge index (in edges, not multiplied) of each node. */
  firstEdge: Uint32Array;
}

const CHUNK = 4 * 1024 * 1024;
const Q = 0x22; // "
const BS = 0x5c; // \
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]

/** A growable array of numbers. */
class Numbers {
  a: Float64Array;
  n = 0;
  constructor(size: number) {
    this.a = new Float64Array(Math.max(16, size));
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): Float64Array {
    return this.a.subarray(0, this.n);
  }
}

/**
 * Reads a .heapsnapshot. Of the strings (they come last in the file) only the names of nodes that
 * are not strings and the names of named edges are kept. chunkBytes: read size (tests use small ones).
 */
export function readHeapSnapshot(path: string, o: { chunkBytes?: number } = {}): HeapSnapshot {
  const fd = openSync(path, 'r');
  try {
    return readFrom(fd, path, Math.max(64, o.chunkBytes ?? CHUNK));
  } finally {
    closeSync(fd);
  }
}

function readFrom(fd: number, where: string, chunk: number): HeapSnapshot {
  const buf = Buffer.allocUnsafe(chunk);
  let len = 0;
  let pos = 0;
  const fill = (): boolean => {
    pos = 0;
    len = readSync(fd, buf, 0, chunk, null);
    return len > 0;
  };
  const fail = (what: string): never => {
    throw new HeapSnapshotError(`${where}: not a V8 heap snapshot: ${what}`);
  };

  // Header: everything up to `"nodes":[`.
  let head = '';
  let nodesAt = -1;
  while (nodesAt < 0) {
    if (!fill()) fail('no "nodes" array');
    const text = buf.toString('latin1', 0, len);
    const before = head.length;
    head += text;
    nodesAt = head.indexOf('"nodes":[');
    if (nodesAt >= 0) {
      pos = nodesAt + '"nodes":['.length - before;
      // Header text is ASCII: latin1 offsets are byte offsets.
    } else if (head.length > 1024 * 1024) fail('header longer than 1 MB');
  }
  let meta: HeapSnapshotMeta;
  let nodeCount: number;
  let edgeCount: number;
  try {
    const h = JSON.parse(head.slice(0, nodesAt).replace(/,\s*$/, '') + '}') as {
      snapshot: { meta: HeapSnapshotMeta; node_count: number; edge_count: number };
    };
    meta = h.snapshot.meta;
    nodeCount = h.snapshot.node_count;
    edgeCount = h.snapshot.edge_count;
  } catch (e) {
    return fail(`unreadable header (${(e as Error).message})`);
  }
  const nf = meta.node_fields;
  const ef = meta.edge_fields;
  const idx = (list: string[], name: string) => {
    const i = list.indexOf(name);
    if (i < 0) fail(`no "${name}" field`);
    return i;
  };
  const f = {
    type: idx(nf, 'type'),
    name: idx(nf, 'name'),
    id: idx(nf, 'id'),
    selfSize: idx(nf, 'self_size'),
    edgeCount: idx(nf, 'edge_count'),
    edgeType: idx(ef, 'type'),
    edgeName: idx(ef, 'name_or_index'),
    edgeTo: idx(ef, 'to_node'),
  };

  // Byte-level scanner over the rest of the file.
  const peek = (): number => {
    if (pos >= len && !fill()) return -1;
    return buf[pos]!;
  };
  /** Reads a flat (or nested) array of numbers up to its closing bracket; the opening one was read. */
  const readNumbers = (into: Numbers | null): void => {
    let depth = 1;
    let num = 0;
    let inNum = false;
    let neg = false;
    let frac = false;
    for (;;) {
      if (pos >= len && !fill()) fail('unexpected end of file in an array');
      const c = buf[pos++]!;
      if (c >= 0x30 && c <= 0x39) {
        if (!frac) num = num * 10 + (c - 0x30);
        inNum = true;
        continue;
      }
      if (inNum) {
        into?.push(neg ? -num : num);
        num = 0;
        inNum = false;
        neg = false;
        frac = false;
      }
      if (c === 0x2d) neg = true;
      else if (c === 0x2e || c === 0x65 || c === 0x45) {
        frac = true;
        inNum = true;
      } // fractions are not used here: dropped
      else if (c === OPEN) depth++;
      else if (c === CLOSE && --depth === 0) return;
    }
  };
  /** The next `"key":[` at the top level, or null at the end of the object. */
  const nextKey = (): string | null => {
    for (;;) {
      const c = peek();
      if (c < 0 || c === 0x7d) return null; // }
      pos++;
      if (c !== Q) continue;
      let key = '';
      for (;;) {
        const k = peek();
        if (k < 0) fail('unexpected end of file in a key');
        pos++;
        if (k === Q) break;
        key += String.fromCharCode(k);
      }
      for (;;) {
        const k = peek();
        if (k < 0) fail('unexpected end of file after a key');
        pos++;
        if (k === OPEN) return key;
      }
    }
  };

  const nodesNum = new Numbers(nodeCount * nf.length);
  readNumbers(nodesNum);
  const nodes = nodesNum.done();
  if (nodes.length !== nodeCount * nf.length)
    fail(`"nodes" holds ${nodes.length} numbers, the header says ${nodeCount} nodes of ${nf.length} fields`);
  let edges = new Uint32Array(0);
  let locations = new Uint32Array(0);
  const strings = new Map<number, string>();
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const stringTypes = new Set(['string', 'concatenated string', 'sliced string'].map((t) => nodeTypes.indexOf(t)));
  const namedEdges = new Set(['context', 'property', 'internal', 'shortcut', 'weak'].map((t) => edgeTypes.indexOf(t)));

  for (let key = nextKey(); key !== null; key = nextKey()) {
    if (key === 'edges') {
      const e = new Numbers(edgeCount * ef.length);
      readNumbers(e);
      if (e.n !== edgeCount * ef.length) fail(`"edges" holds ${e.n} numbers, the header says ${edgeCount} edges of ${ef.length} fields`);
      edges = Uint32Array.from(e.done());
    } else if (key === 'locations') {
      const l = new Numbers(1024);
      readNumbers(l);
      locations = Uint32Array.from(l.done());
    } else if (key === 'strings') {
      const keep = new Set<number>();
      for (let i = 0; i < nodeCount; i++) if (!stringTypes.has(nodes[i * nf.length + f.type]!)) keep.add(nodes[i * nf.length + f.name]!);
      for (let i = 0; i < edges.length; i += ef.length) if (namedEdges.has(edges[i + f.edgeType]!)) keep.add(edges[i + f.edgeName]!);
      readStrings(keep, strings);
    } else {
      readNumbers(null);
    }
  }
  if (edges.length === 0 && edgeCount > 0) fail('no "edges" array');

  const firstEdge = new Uint32Array(nodeCount);
  let e = 0;
  for (let i = 0; i < nodeCount; i++) {
    firstEdge[i] = e;
    e += nodes[i * nf.length + f.edgeCount]!;
  }
  if (e !== edgeCount) fail(`the nodes' edge counts add up to ${e}, the header says ${edgeCount}`);
  return {
    nodeCount,
    edgeCount,
    nodeFieldCount: nf.length,
    edgeFieldCount: ef.length,
    nodeTypes,
    edgeTypes,
    nodes,
    edges,
    locations,
    strings,
    f,
    firstEdge,
  };

  /** The strings array; the opening bracket was read. Raw bytes of a kept string may span chunks. */
  function readStrings(keep: Set<number>, out: Map<number, string>): void {
    let index = 0;
    for (;;) {
      // Find the next opening quote or the closing bracket.
      let c: number;
      do {
        c = peek();
        if (c < 0) fail('unexpected end of file in "strings"');
        pos++;
      } while (c !== Q && c !== CLOSE);
      if (c === CLOSE) return;
      const wanted = keep.has(index);
      const parts: Buffer[] = [];
      let start = pos;
      let escaped = false;
      for (;;) {
        if (pos >= len) {
          if (wanted) parts.push(Buffer.from(buf.subarray(start, len)));
          if (!fill()) fail('unexpected end of file in a string');
          start = 0;
        }
        const b = buf[pos++]!;
        if (escaped) {
          escaped = false;
          continue;
        }
        if (b === BS) {
          escaped = true;
          continue;
        }
        if (b === Q) break;
      }
      if (wanted) {
        parts.push(buf.subarray(start, pos - 1));
        out.set(index, JSON.parse('"' + Buffer.concat(parts).toString('utf8') + '"') as string);
      }
      index++;
    }
  }
}
