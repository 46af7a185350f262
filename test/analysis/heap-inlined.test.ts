// An anonymous heap-profile site (V8 inlined the allocator into it) is given to the named site of
// the same file that the CPU profile shows running below it — only then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeInlinedAllocations } from '../../src/analysis/heap-inlined.ts';
import type { CpuProfileAnalysis, FlameNode, HeapAllocationSite, HeapProfileAnalysis } from '../../src/record/target-probes.ts';

const site = (fn: string, line: number, bytes: number, file = 'leak.mjs'): HeapAllocationSite => ({
  function: fn,
  file,
  line,
  column: 1,
  bytes,
  share: bytes / 1000,
  category: 'user',
});
const node = (name: string, line: number, children: FlameNode[] = [], file = 'leak.mjs'): FlameNode => ({
  name,
  file,
  line,
  value: 10,
  children,
});
const heap = (sites: HeapAllocationSite[]): HeapProfileAnalysis => ({
  path: 'x.heapprofile',
  totalBytes: 1000,
  samples: 50,
  topAllocators: sites,
});
const cpu = (flame: FlameNode | null): CpuProfileAnalysis => ({
  path: 'x.cpuprofile',
  durationMs: 1000,
  samples: 1000,
  idleShare: 0.5,
  gcShare: 0.1,
  programShare: 0.1,
  topSelf: [],
  topTotal: [],
  flame,
});

// The CPU profile: (root) → (anonymous request callback, line 18) → handle → rememberRequest.
const flame = node('(root)', 0, [node('(anonymous)', 18, [node('handle', 14, [node('rememberRequest', 8)])])], '');

test("the anonymous callback's bytes go to rememberRequest, which allocates and runs below it", () => {
  const out = attributeInlinedAllocations(
    heap([site('(anonymous)', 18, 700), site('rememberRequest', 8, 200), site('other', 40, 100, 'lib.mjs')]),
    cpu(flame),
  );
  assert.equal(out.topAllocators[0]!.function, 'rememberRequest');
  assert.equal(out.topAllocators[0]!.bytes, 900);
  assert.equal(out.topAllocators[0]!.share, 0.9);
  assert.deepEqual(out.topAllocators[0]!.inlinedFrom, ['(anonymous) (leak.mjs:18)']);
  assert.ok(!out.topAllocators.some((s) => s.function === '(anonymous)'));
});

test('unchanged without evidence: no CPU tree, no named site below, another file, or two candidates', () => {
  const sites = [site('(anonymous)', 18, 700), site('rememberRequest', 8, 200)];
  assert.deepEqual(attributeInlinedAllocations(heap(sites), cpu(null)).topAllocators, sites);
  const notBelow = node('(root)', 0, [node('(anonymous)', 18), node('rememberRequest', 8)], '');
  assert.deepEqual(attributeInlinedAllocations(heap(sites), cpu(notBelow)).topAllocators, sites);
  const otherFile = [site('(anonymous)', 18, 700), site('rememberRequest', 8, 200, 'elsewhere.mjs')];
  assert.deepEqual(attributeInlinedAllocations(heap(otherFile), cpu(flame)).topAllocators, otherFile);
  const two = [site('(anonymous)', 18, 700), site('rememberRequest', 8, 200), site('handle', 14, 50)];
  assert.deepEqual(attributeInlinedAllocations(heap(two), cpu(flame)).topAllocators, two);
  // A named site is never re-attributed.
  const named = [site('handle', 14, 700), site('rememberRequest', 8, 200)];
  assert.deepEqual(attributeInlinedAllocations(heap(named), cpu(flame)).topAllocators, named);
});
