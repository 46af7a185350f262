import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuBound } from '../../../src/audits/cpu-bound.ts';
import { eventLoopBlocked } from '../../../src/audits/event-loop-blocked.ts';
import { gcPressure } from '../../../src/audits/gc-pressure.ts';
import { runAudits } from '../../../src/audits/index.ts';
import { agentSamples, cpuProfile, fakeTargetProbes, hotspot, procSamples } from '../../helpers/fake-probes.ts';
import { assertComplete, ctx } from '../helpers.ts';
import { healthyTarget, profiled } from './helpers.ts';

const ramp = (i: number) => 40 + i * 0.5; // latency growing within each second's requests (queueing)

function cpuTarget(mainCpu: number, elu: number) {
  return fakeTargetProbes({
    agent: agentSamples(20, { elu, delayP99: 45, delayMax: 80, gc: { minor: 20 } }),
    proc: procSamples(20, { mainCpu }),
    cpuProfile: cpuProfile(
      [
        hotspot('computeScore', { file: '/srv/app/cpu-bound.mjs', line: 12, selfShare: 0.62, totalShare: 0.64 }),
        hotspot('handle', { line: 30, selfShare: 0.05, totalShare: 0.8 }),
      ],
      { idleShare: 0.02 },
    ),
  });
}

describe('cpu-bound', () => {
  it('names the top self-time function with file:line, severity from ASSESSMENT-RULES.md §2 CPU row', () => {
    const [f, ...rest] = cpuBound.run(ctx(profiled(cpuTarget(98, 0.97), ramp)));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'critical');
    assert.deepEqual(f!.location, { function: 'computeScore', file: '/srv/app/cpu-bound.mjs', line: 12 });
    assert.match(f!.title, /computeScore takes 62 %/);
    assert.equal(f!.evidence.find((e) => e.label.startsWith('main-thread CPU'))!.value, 98);
    // Amdahl on computeScore's inclusive share (64 % of the busy time, its callees included), not its self 62 %.
    assert.match(f!.recommendation.expectedImprovement, /computeScore and what it calls take 64 % .* ≈2\.8× \(Amdahl's law\)/);
    assertComplete({ ...f!, id: 'PERF-001' });
  });

  it('bands: 88 % → high, 80 % → medium, 60 % → silent', () => {
    assert.equal(cpuBound.run(ctx(profiled(cpuTarget(88, 0.9), ramp)))[0]!.severity, 'high');
    assert.equal(cpuBound.run(ctx(profiled(cpuTarget(80, 0.8), ramp)))[0]!.severity, 'medium');
    assert.deepEqual(cpuBound.run(ctx(profiled(cpuTarget(60, 0.6), ramp))), []);
  });

  it('on a starved host: the thread gets 55 % of a core but waits runnable 40 % of the time, its loop busy → CPU-bound by demand', () => {
    const starved = cpuTarget(55, 0.97);
    for (const s of starved.proc!.samples) s.runqueueWaitMs = 0.4 * s.intervalMs;
    const [f] = cpuBound.run(ctx(profiled(starved, ramp)));
    assert.ok(f, 'a finding by demand');
    assert.equal(f.severity, 'high'); // demand 95 % of a core: ASSESSMENT-RULES.md §2's high band (critical is > 95 %)
    assert.equal(f.location?.function, 'computeScore');
    // What it got is what the evidence shows.
    assert.equal(f.evidence.find((e) => e.label.startsWith('main-thread CPU'))!.value, 55);
    // Without the wait (or with an idle loop) the same CPU is not a saturated thread.
    assert.deepEqual(cpuBound.run(ctx(profiled(cpuTarget(55, 0.97), ramp))), []);
    const idleLoop = cpuTarget(55, 0.5);
    for (const s of idleLoop.proc!.samples) s.runqueueWaitMs = 0.4 * s.intervalMs;
    assert.deepEqual(cpuBound.run(ctx(profiled(idleLoop, ramp))), []);
  });

  it('a busy CPU with an idle event loop is not the JS thread: silent', () => {
    assert.deepEqual(cpuBound.run(ctx(profiled(cpuTarget(98, 0.3)))), []);
  });

  it('silent without probes and on a healthy target', () => {
    assert.deepEqual(cpuBound.run(ctx(profiled(null))), []);
    assert.deepEqual(cpuBound.run(ctx(profiled(healthyTarget()))), []);
  });
});

function syncTarget(withCaller: boolean) {
  const read = hotspot('readFileSync', { file: 'node:fs', line: 440, category: 'sync-fs', selfShare: 0.7, totalShare: 0.72 });
  if (withCaller)
    (read as typeof read & { caller?: unknown }).caller = { function: 'loadConfigSync', file: '/srv/app/sync-block.mjs', line: 20 };
  return fakeTargetProbes({
    agent: agentSamples(20, { elu: 0.98, delayP99: 180, delayMax: 420 }),
    proc: procSamples(20, { mainCpu: 97 }),
    cpuProfile: cpuProfile([read, hotspot('handle', { line: 40, selfShare: 0.03, totalShare: 0.9 })], {
      idleShare: 0.02,
      topTotal: [
        hotspot('handle', { line: 40, selfShare: 0.03, totalShare: 0.9 }),
        hotspot('loadConfigSync', { file: '/srv/app/sync-block.mjs', line: 20, selfShare: 0.01, totalShare: 0.73 }),
        read,
      ],
    }),
  });
}

describe('event-loop-blocked', () => {
  it('names the function doing sync fs through the hotspot caller; takes the CPU band; cpu-bound steps aside', () => {
    const rec = profiled(syncTarget(true), ramp);
    const [f] = eventLoopBlocked.run(ctx(rec));
    assert.equal(f!.severity, 'critical');
    assert.deepEqual(f!.location, { function: 'loadConfigSync', file: '/srv/app/sync-block.mjs', line: 20 });
    assert.match(f!.title, /synchronous file-system calls in loadConfigSync/);
    assert.equal(f!.evidence.find((e) => e.label.startsWith('event-loop delay p99'))!.value, 180);
    assertComplete({ ...f!, id: 'PERF-001' });
    assert.deepEqual(cpuBound.run(ctx(rec)), []);
    assert.equal(runAudits(rec)[0]!.audit, 'event-loop-blocked');
  });

  it('without a recorded caller infers the nearest user function from total time (lower confidence)', () => {
    const withCaller = eventLoopBlocked.run(ctx(profiled(syncTarget(true))))[0]!;
    const [f] = eventLoopBlocked.run(ctx(profiled(syncTarget(false))));
    assert.equal(f!.location!.function, 'loadConfigSync');
    assert.ok(f!.confidence < withCaller.confidence);
    assert.match(f!.description, /inferred/);
  });

  it('JSON work inside a helper (no frame of its own) names the helper, not the handler it was inlined into', () => {
    const helper = hotspot('loadCatalog', {
      file: '/srv/app/server.mjs',
      line: 16,
      category: 'json',
      selfShare: 0.68,
      totalShare: 0.7,
      hotLine: 16,
    });
    const handler = hotspot('(anonymous)', { file: '/srv/app/server.mjs', line: 18, selfShare: 0.02, totalShare: 0.9 });
    const t = fakeTargetProbes({
      agent: agentSamples(20, { elu: 0.98, delayP99: 180, delayMax: 420 }),
      proc: procSamples(20, { mainCpu: 97 }),
      cpuProfile: cpuProfile([helper, handler], { idleShare: 0.02, topTotal: [handler, helper] }),
    });
    const [f] = eventLoopBlocked.run(ctx(profiled(t, ramp)));
    assert.deepEqual(f!.location, { function: 'loadCatalog', file: '/srv/app/server.mjs', line: 16 });
    assert.match(f!.title, /JSON\.parse\/stringify in loadCatalog$/);
    assert.match(f!.recommendation.approach, /^In loadCatalog:/);
    assert.doesNotMatch(f!.description, /inferred/);
  });

  it('delay-only severity when the CPU is not saturated: p99 30 ms → medium', () => {
    const t = syncTarget(true);
    t.agent!.samples = agentSamples(20, { elu: 0.5, delayP99: 30, delayMax: 90 });
    t.proc = null;
    assert.equal(eventLoopBlocked.run(ctx(profiled(t)))[0]!.severity, 'medium');
  });

  it('silent when the loop is not delayed, or no sync work is in the profile', () => {
    const t = syncTarget(true);
    t.agent!.samples = agentSamples(20, { elu: 0.5, delayP99: 4, delayMax: 20 });
    assert.deepEqual(eventLoopBlocked.run(ctx(profiled(t))), []);
    assert.deepEqual(eventLoopBlocked.run(ctx(profiled(cpuTarget(98, 0.97)))), []);
    assert.deepEqual(eventLoopBlocked.run(ctx(profiled(healthyTarget()))), []);
  });
});

function gcTarget(minorMs: number, elu: number, mainCpu: number) {
  return fakeTargetProbes({
    agent: agentSamples(20, { elu, delayP99: 30, gc: { minor: minorMs, major: 10, count: 60 } }),
    proc: procSamples(20, { mainCpu }),
    cpuProfile: cpuProfile([hotspot('buildGarbage', { file: '/srv/app/gc-pressure.mjs', line: 9, selfShare: 0.45, totalShare: 0.5 })], {
      idleShare: 0.03,
      gcShare: 0.3,
    }),
  });
}

describe('gc-pressure', () => {
  it('GC at a third of the busy time owns the saturated CPU: critical, minor-dominated, names the allocator suspect', () => {
    const rec = profiled(gcTarget(300, 0.96, 97), ramp);
    const [f] = gcPressure.run(ctx(rec));
    assert.equal(f!.severity, 'critical');
    assert.equal(f!.location!.function, 'buildGarbage');
    assert.match(f!.rootCause, /short-lived objects/);
    assert.equal(f!.evidence.find((e) => e.label.startsWith('GC pause time, share'))!.value, 31);
    assertComplete({ ...f!, id: 'PERF-001' });
    assert.deepEqual(cpuBound.run(ctx(rec)), []);
    assert.equal(runAudits(rec)[0]!.audit, 'gc-pressure');
  });

  it('bands by GC share when the CPU has room: 12 % → medium, 30 % → high; 5 % → silent', () => {
    assert.equal(gcPressure.run(ctx(profiled(gcTarget(110, 0.5, 50))))[0]!.severity, 'medium');
    assert.equal(gcPressure.run(ctx(profiled(gcTarget(290, 0.6, 60))))[0]!.severity, 'high');
    assert.deepEqual(gcPressure.run(ctx(profiled(gcTarget(40, 0.5, 50)))), []);
    assert.deepEqual(gcPressure.run(ctx(profiled(healthyTarget()))), []);
  });
});
