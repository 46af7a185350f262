import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyseHeapProfile, HeapProfileError } from '../../src/analysis/heap-profile.ts';

const APP = 'file:///srv/app/server.mjs';
let nextId = 1;
const node = (functionName: string, url: string, lineNumber: number, selfSize: number, children: unknown[] = []) => ({
  id: nextId++,
  callFrame: { functionName, scriptId: '1', url, lineNumber, columnNumber: 2 },
  selfSize,
  children,
});
const root = (...children: unknown[]) => ({ head: node('(root)', '', -1, 0, children), samples: [] });

test('captured profile of the leak fixture: the inlined helper rememberRequest is named, not its anonymous caller', () => {
  const path = fileURLToPath(new URL('../fixtures/data/leak-inlined.heapprofile', import.meta.url));
  const a = analyseHeapProfile(JSON.parse(readFileSync(path, 'utf8')), { path });
  const top = a.topAllocators[0]!;
  assert.equal(top.function, 'rememberRequest');
  assert.match(top.file, /leak\.mjs$/);
  assert.equal(top.line, 8);
  assert.equal(top.category, 'user');
  assert.ok(top.share > 0.7, `share ${top.share}`);
  assert.ok(a.totalBytes > 0 && a.samples > 0);
  assert.ok(!a.topAllocators.some((s) => s.function === '(anonymous)'));
  const shares = a.topAllocators.reduce((s, x) => s + x.share, 0);
  assert.ok(shares <= 1.0001, `shares sum ${shares}`);
});

test('native and Node-internal allocations are credited to the nearest application frame', () => {
  const p = root(
    node('handler', APP, 9, 1000, [node('alloc', 'node:buffer', 100, 0, [node('Uint8Array', '', -1, 7000)])]),
    node('(V8 API)', '', -1, 2000),
  );
  const a = analyseHeapProfile(p, { path: 'x.heapprofile', projectRoot: '/srv/app' });
  assert.equal(a.totalBytes, 10_000);
  assert.deepEqual(
    a.topAllocators.map((s) => [s.function, s.file, s.line, s.bytes, s.share]),
    [
      ['handler', 'server.mjs', 10, 8000, 0.8],
      ['(V8 API)', '', 0, 2000, 0.2],
    ],
  );
});

test('a caller that allocates for itself keeps its bytes when no callee shows the same native allocations', () => {
  const p = root(
    node('handler', APP, 20, 6000, [node('repeat', '', -1, 1000), node('helper', APP, 40, 0, [node('Uint8Array', '', -1, 3000)])]),
  );
  const a = analyseHeapProfile(p, { path: 'x', projectRoot: '/srv/app' });
  assert.deepEqual(
    a.topAllocators.map((s) => [s.function, s.bytes]),
    [
      ['handler', 7000],
      ['helper', 3000],
    ],
  );
});

test('topN and minShare bound the list', () => {
  const kids = Array.from({ length: 30 }, (_, i) => node(`f${i}`, APP, i * 10, 1000 + i));
  kids.push(node('tiny', APP, 999, 1));
  const a = analyseHeapProfile(root(...kids), { path: 'x', topN: 5 });
  assert.equal(a.topAllocators.length, 5);
  assert.equal(a.topAllocators[0]!.function, 'f29');
  assert.ok(!analyseHeapProfile(root(...kids), { path: 'x', topN: 100 }).topAllocators.some((s) => s.function === 'tiny'));
});

test('bad input names what is wrong', () => {
  assert.throws(
    () => analyseHeapProfile({ nodes: [] }, { path: 'bad.heapprofile' }),
    (e: Error) => e instanceof HeapProfileError && /bad\.heapprofile/.test(e.message) && /head/.test(e.message),
  );
  assert.throws(
    () => analyseHeapProfile({ head: { callFrame: {}, selfSize: 1, children: 'no' } }, { path: 'p' }),
    /head\.children must be an array/,
  );
  assert.throws(
    () => analyseHeapProfile({ head: { callFrame: {}, selfSize: 1, children: [7] } }, { path: 'p' }),
    /head\.children\[0\] must be an object/,
  );
});

test('kind and duration are recorded; bytesPerSecond is the sampled rate over the duration', () => {
  const p = root(node('buildGarbage', APP, 9, 3_000_000), node('handle', APP, 30, 1_000_000));
  const a = analyseHeapProfile(p, { path: 'a.heapprofile', kind: 'allocated', durationMs: 2000 });
  assert.equal(a.kind, 'allocated');
  assert.equal(a.durationMs, 2000);
  assert.equal(a.bytesPerSecond, 2_000_000);
  assert.equal(a.topAllocators[0]!.function, 'buildGarbage');
  const live = analyseHeapProfile(p, { path: 'l.heapprofile' });
  assert.equal(live.kind, 'live');
  assert.equal(live.durationMs, undefined);
  assert.equal(live.bytesPerSecond, undefined);
});
