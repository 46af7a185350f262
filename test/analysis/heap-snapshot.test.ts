// The .heapsnapshot reader and the snapshot diff on real snapshots: a child Node process writes them
// (v8.writeHeapSnapshot) around a leak of its own, and the diff must name the collection that holds
// it, with its entries before and after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffHeapSnapshots } from '../../src/analysis/heap-snapshot/diff.ts';
import { HeapSnapshotError, readHeapSnapshot } from '../../src/analysis/heap-snapshot/parse.ts';

/** Runs `body` as an ES module in a child Node; SNAP(name) writes a snapshot into the returned folder. */
function snapshotsOf(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-heapsnap-'));
  const file = join(dir, 'service.mjs');
  writeFileSync(
    file,
    `import v8 from 'node:v8';\nconst SNAP = (n) => v8.writeHeapSnapshot(${JSON.stringify(dir)} + '/' + n + '.heapsnapshot');\n${body}\n`,
  );
  execFileSync(process.execPath, [file], { timeout: 60_000 });
  return dir;
}

test('a Map held by an object property: named with its entries; three snapshots show growth in every interval', () => {
  const dir = snapshotsOf(`
class SessionStore { constructor() { this.sessions = new Map(); } }
globalThis.store = new SessionStore();
const add = (n) => {
  for (let i = 0; i < n; i++) globalThis.store.sessions.set('s' + i + '-' + Math.random(), { data: 'x'.repeat(200) + i });
};
add(500); SNAP('a'); add(1000); SNAP('b'); add(2000); SNAP('c');`);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => readHeapSnapshot(join(dir, `${n}.heapsnapshot`)));
  const d = diffHeapSnapshots(a!, c!, [b!]);
  const h = d.retainers[0]!;
  assert.equal(h.holder, 'Map');
  assert.equal(h.retainedBy, 'property sessions of SessionStore');
  assert.equal(h.elementsBefore, 500);
  assert.equal(h.elementsAfter, 3500);
  assert.equal(h.grewEveryInterval, true);
  assert.ok(h.addedBytes > 3000 * 200, `added ${h.addedBytes}`);
  const strings = d.classes.find((x) => x.name === '(string)')!;
  assert.ok(strings.countAfter - strings.countBefore >= 3000, JSON.stringify(strings));
});

test('a module variable array: named with its declaration line; reading in tiny chunks gives the same snapshot', () => {
  const dir = snapshotsOf(`
const requestLog = [];
export function remember(i) { requestLog.push({ i, body: Buffer.alloc(4096, i % 256) }); }
for (let i = 0; i < 200; i++) remember(i);
SNAP('a');
for (let i = 0; i < 1800; i++) remember(i);
SNAP('b');`);
  const a = readHeapSnapshot(join(dir, 'a.heapsnapshot'));
  const b = readHeapSnapshot(join(dir, 'b.heapsnapshot'));
  const small = readHeapSnapshot(join(dir, 'a.heapsnapshot'), { chunkBytes: 257 });
  assert.equal(small.nodeCount, a.nodeCount);
  assert.deepEqual(small.nodes, a.nodes);
  assert.deepEqual(small.edges, a.edges);
  assert.deepEqual([...small.strings], [...a.strings]);
  const h = diffHeapSnapshots(a, b, [], { projectRoot: dir }).retainers[0]!;
  assert.equal(h.holder, 'Array');
  assert.equal(h.retainedBy, 'module variable requestLog');
  assert.equal(h.file, 'service.mjs');
  assert.equal(h.line, 4); // after the two lines snapshotsOf() puts first and a blank one
  assert.deepEqual([h.elementsBefore, h.elementsAfter], [200, 2000]);
  assert.ok(h.addedBytes >= 1800 * 4096, `added ${h.addedBytes}`);
});

test('not a heap snapshot: one error naming the file and the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-heapsnap-bad-'));
  const file = join(dir, 'x.heapsnapshot');
  writeFileSync(file, '{"snapshot":{"meta":{"node_fields":["type"]},"node_count":1,"edge_count":0},"nodes":[1,2');
  assert.throws(
    () => readHeapSnapshot(file),
    (e: Error) => e instanceof HeapSnapshotError && e.message.startsWith(file) && /no "name" field/.test(e.message),
  );
  writeFileSync(file, '{"hello":1}');
  assert.throws(
    () => readHeapSnapshot(file),
    (e: Error) => e instanceof HeapSnapshotError && /no "nodes" array/.test(e.message),
  );
});
