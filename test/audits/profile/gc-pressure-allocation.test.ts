// gc-pressure names its top allocating function from the allocation-rate heap profile when there is
// one (probes.heapAllocationProfile), and falls back to CPU self time only without it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocationSites, gcPressure } from '../../../src/audits/gc-pressure.ts';
import { memoryLeak } from '../../../src/audits/memory-leak.ts';
import type { HeapAllocationSite, HeapProfileAnalysis } from '../../../src/record/target-probes.ts';
import { agentSamples, cpuProfile, fakeTargetProbes, hotspot, procSamples } from '../../helpers/fake-probes.ts';
import { ctx } from '../helpers.ts';
import { profiled } from './helpers.ts';

const site = (fn: string, share: number, over: Partial<HeapAllocationSite> = {}): HeapAllocationSite => ({
  function: fn,
  file: 'gc-pressure.mjs',
  line: 10,
  column: 5,
  bytes: share * 1e9,
  share,
  category: 'user',
  ...over,
});

function allocationProfile(sites: HeapAllocationSite[], kind: 'allocated' | 'live' = 'allocated'): HeapProfileAnalysis {
  return { path: 'a.heapprofile', totalBytes: 1e9, samples: 9000, topAllocators: sites, kind, durationMs: 3000, bytesPerSecond: 1e9 / 3 };
}

function gcTarget(alloc: HeapProfileAnalysis | null) {
  const t = fakeTargetProbes({
    agent: agentSamples(20, { elu: 0.6, delayP99: 30, gc: { minor: 290, major: 10, count: 60 } }),
    proc: procSamples(20, { mainCpu: 60 }),
    // The CPU profile's top self-time function is the caller: what an inlined allocator looks like.
    cpuProfile: cpuProfile([hotspot('handle', { file: 'gc-pressure.mjs', line: 24, selfShare: 0.45, totalShare: 0.5 })], {
      idleShare: 0.03,
      gcShare: 0.3,
    }),
  });
  t.heapAllocationProfile = alloc;
  return t;
}

describe('gc-pressure with an allocation-rate profile', () => {
  it('names the top allocating function, with the allocation rate and shares as evidence', () => {
    const [f] = gcPressure.run(
      ctx(
        profiled(
          gcTarget(
            allocationProfile([
              site('(V8 API)', 0.3, { category: 'native', file: '', line: 0 }),
              site('buildGarbage', 0.6),
              site('handle', 0.1, { line: 24 }),
            ]),
          ),
        ),
      ),
    );
    assert.deepEqual(f!.location, { function: 'buildGarbage', file: 'gc-pressure.mjs', line: 10 });
    assert.match(f!.title, /top allocator: buildGarbage/);
    assert.equal(f!.evidence.find((e) => e.label.startsWith('allocation rate'))!.value, 317.9);
    assert.equal(f!.evidence.find((e) => e.label.startsWith('allocated by buildGarbage'))!.value, 60);
    assert.ok(!f!.evidence.some((e) => /self time/.test(e.label)), 'no CPU-time suspects when allocation samples exist');
    assert.match(f!.description, /allocating the most .*buildGarbage \(gc-pressure\.mjs:10\) 60 %/);
  });

  it('without one (or with a live-only profile) falls back to the CPU self-time suspect, at lower confidence', () => {
    const withAlloc = gcPressure.run(ctx(profiled(gcTarget(allocationProfile([site('buildGarbage', 0.9)])))))[0]!;
    const without = gcPressure.run(ctx(profiled(gcTarget(null))))[0]!;
    const live = gcPressure.run(ctx(profiled(gcTarget(allocationProfile([site('buildGarbage', 0.9)], 'live')))))[0]!;
    assert.equal(without.location!.function, 'handle');
    assert.match(without.title, /suspect: handle/);
    assert.equal(live.location!.function, 'handle');
    assert.ok(withAlloc.confidence > without.confidence, `${withAlloc.confidence} > ${without.confidence}`);
  });

  it('allocationSites keeps application sites first, then dependencies, and ignores live profiles', () => {
    const p = allocationProfile([
      site('dep', 0.5, { category: 'dependency' }),
      site('(native)', 0.3, { category: 'native' }),
      site('app', 0.2),
    ]);
    assert.deepEqual(
      allocationSites(p).map((s) => s.function),
      ['app', 'dep'],
    );
    assert.deepEqual(allocationSites({ ...p, kind: 'live' }), []);
    assert.deepEqual(allocationSites(null), []);
  });
});

describe('memory-leak ignores an allocation-rate profile', () => {
  it('locates the leak only from the live profile', () => {
    const MB = 1024 * 1024;
    const t = fakeTargetProbes({ agent: agentSamples(30, {}, (i) => ({ heapUsed: 50 * MB + i * 2 * MB })) });
    t.heapAllocationProfile = allocationProfile([site('churn', 0.9)]);
    const [f] = memoryLeak.run(ctx(profiled(t)));
    assert.equal(f!.location, null);
    t.heapProfile = allocationProfile([site('rememberRequest', 0.8, { file: 'leak.mjs', line: 8 })], 'live');
    assert.equal(memoryLeak.run(ctx(profiled(t)))[0]!.location!.function, 'rememberRequest');
  });
});
