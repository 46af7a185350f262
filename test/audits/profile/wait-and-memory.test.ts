import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downstreamWait } from '../../../src/audits/downstream-wait.ts';
import { hostLimits } from '../../../src/audits/host-limits.ts';
import { AUDITS, runAudits, summaryContext } from '../../../src/audits/index.ts';
import { memoryLeak } from '../../../src/audits/memory-leak.ts';
import { notSaturated } from '../../../src/audits/not-saturated.ts';
import { threadpoolSaturation } from '../../../src/audits/threadpool-saturation.ts';
import { agentSamples, cpuProfile, fakeTargetProbes, hotspot, procSamples } from '../../helpers/fake-probes.ts';
import { assertComplete, ctx } from '../helpers.ts';
import { healthyTarget, profiled } from './helpers.ts';

const MB = 1024 * 1024;
/** A sawtooth around a rising floor: +perSec bytes per second, GC every 3 s. */
const leaking = (perSec: number) => (i: number) => ({ heapUsed: 50 * MB + i * perSec + (i % 3) * 8 * MB });

describe('memory-leak', () => {
  it('fits the heap floor, projects the time to the limit from --max-old-space-size', () => {
    const t = fakeTargetProbes({ agent: agentSamples(30, {}, leaking(2 * MB)), hello: { execArgv: ['--max-old-space-size=512'] } });
    const [f] = memoryLeak.run(ctx(profiled(t)));
    assert.equal(f!.severity, 'critical'); // (512 - ~110) MB at 120 MB/min: minutes
    const rate = f!.evidence.find((e) => e.label.startsWith('heap growth rate'))!.value as number;
    assert.ok(Math.abs(rate - 120) < 5, `rate ${rate}`);
    assert.equal(f!.evidence.find((e) => e.label.startsWith('heap limit'))!.value, 512);
    assertComplete({ ...f!, id: 'PERF-001' });
  });

  it('with the assumed 2 GB default a 300 KB/s leak reaches the limit within a day: high; off-heap (Buffer) growth is found too', () => {
    const slow = memoryLeak.run(
      ctx(profiled(fakeTargetProbes({ agent: agentSamples(30, {}, (i) => ({ heapUsed: 50 * MB + i * 300 * 1024 })) }))),
    )[0]!;
    assert.equal(slow.severity, 'high');
    assert.match(slow.description, /assumed V8 default/);
    const ext = memoryLeak.run(
      ctx(profiled(fakeTargetProbes({ agent: agentSamples(30, {}, (i) => ({ external: 5 * MB + i * MB })) }))),
    )[0]!;
    assert.match(ext.title, /outside the heap/);
  });

  it('silent on a flat sawtooth, on fewer than 10 samples, and without probes', () => {
    assert.deepEqual(
      memoryLeak.run(ctx(profiled(fakeTargetProbes({ agent: agentSamples(30, {}, (i) => ({ heapUsed: 50 * MB + (i % 3) * 8 * MB })) })))),
      [],
    );
    assert.deepEqual(memoryLeak.run(ctx(profiled(fakeTargetProbes({ agent: agentSamples(8, {}, leaking(4 * MB)) })))), []);
    assert.deepEqual(memoryLeak.run(ctx(profiled(null))), []);
    assert.deepEqual(memoryLeak.run(ctx(profiled(healthyTarget()))), []);
  });
});

const DOWN = 'http://127.0.0.1:9100';
function downstreamTarget(plateau: boolean) {
  return fakeTargetProbes({
    agent: agentSamples(
      20,
      {
        elu: 0.15,
        requests: 66,
        requestMs: 310,
        inFlightMax: 30,
        httpOut: { [DOWN]: { count: 66, totalMs: 66 * 300, maxMs: 600, inFlightMax: 2 } },
      },
      plateau
        ? () => ({})
        : (i) => ({
            inFlightMax: 3,
            httpOut: { [DOWN]: { count: 66, totalMs: 66 * 40, maxMs: 80, inFlightMax: 1 + (i % 4) } },
            requestMs: 45,
          }),
    ),
    proc: procSamples(20, { mainCpu: 12 }),
  });
}

describe('downstream-wait', () => {
  it("pool pinned at 2 while requests pile up: names the origin, suggests a pool size by Little's law", () => {
    const [f, ...rest] = downstreamWait.run(ctx(profiled(downstreamTarget(true), 900)));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'high');
    assert.equal(f!.location!.endpoint, DOWN);
    assert.match(f!.title, /saturated at 2 sockets/);
    // 100 req/s offered × 1 call × 30.3 ms per call ÷ 0.7 → 5 sockets
    assert.match(f!.recommendation.approach, /maxSockets: 5\b/);
    assert.equal(f!.evidence.find((e) => e.label.startsWith('share of incoming'))!.value, 96.8);
    assertComplete({ ...f!, id: 'PERF-001' });
  });

  it('a dominant but unsaturated downstream within the SLO is a low tip; silent on a healthy target', () => {
    const [f] = downstreamWait.run(ctx(profiled(downstreamTarget(false), 50)));
    assert.equal(f!.severity, 'low');
    assert.match(f!.title, /of request time is spent waiting on http:\/\/127\.0\.0\.1:9100/);
    assert.deepEqual(downstreamWait.run(ctx(profiled(healthyTarget()))), []);
  });
});

describe('threadpool-saturation', () => {
  const pbkdf2 = hotspot('pbkdf2', {
    file: 'node:internal/crypto/pbkdf2',
    line: 30,
    category: 'node-internal',
    selfShare: 0.04,
    totalShare: 0.05,
  });
  const hashAll = hotspot('hashAll', { file: '/srv/app/threadpool.mjs', line: 14, selfShare: 0.02, totalShare: 0.06 });
  it('all 4 libuv workers on a core while the main thread idles: names the issuing function', () => {
    const t = fakeTargetProbes({
      agent: agentSamples(20, { elu: 0.2 }),
      proc: procSamples(20, { mainCpu: 15, libuv: { threads: 4, cpuPercent: 392 } }),
      cpuProfile: cpuProfile([pbkdf2, hashAll], { idleShare: 0.8, topTotal: [hotspot('handle', { totalShare: 0.3 }), hashAll, pbkdf2] }),
    });
    const [f] = threadpoolSaturation.run(ctx(profiled(t, 800)));
    assert.equal(f!.severity, 'high');
    assert.equal(f!.location!.function, 'hashAll');
    assert.equal(f!.evidence[0]!.value, 4);
    assertComplete({ ...f!, id: 'PERF-001' });
  });

  it('queued fs requests above the pool size (agent only): medium within the SLO; silent when the main thread is busy', () => {
    const t = fakeTargetProbes({ agent: agentSamples(20, { elu: 0.3, activeResources: { FSReqCallback: 12, FSReqPromise: 3 } }) });
    const [f] = threadpoolSaturation.run(ctx(profiled(t)));
    assert.equal(f!.severity, 'medium');
    assert.equal(f!.evidence.find((e) => e.label.startsWith('fs/dns requests pending'))!.value, 15);
    const busy = fakeTargetProbes({ agent: agentSamples(20, { elu: 0.97, activeResources: { FSReqCallback: 12 } }) });
    assert.deepEqual(threadpoolSaturation.run(ctx(profiled(busy))), []);
    assert.deepEqual(threadpoolSaturation.run(ctx(profiled(healthyTarget()))), []);
  });
});

describe('host-limits', () => {
  it('cgroup throttling 30 % → high; run-queue wait 0.25 s/s → medium; silent when neither', () => {
    const proc = procSamples(20, { mainCpu: 60 });
    const t = fakeTargetProbes({
      proc,
      summary: {
        throttling: { throttledShare: 0.3, nrThrottled: 180, throttledPeriodShare: 0.9 },
        cgroup: { path: '/x', version: 2, dir: '/sys/fs/cgroup/x', quotaCores: 0.5 },
      },
    });
    const [f] = hostLimits.run(ctx(profiled(t)));
    assert.equal(f!.severity, 'high');
    assert.equal(f!.type, 'infrastructure');
    assert.match(f!.title, /throttled by the container quota 30 %/);
    assertComplete({ ...f!, id: 'PERF-001' });
    const rq = hostLimits.run(ctx(profiled(fakeTargetProbes({ proc, summary: { runqueueWaitShare: 0.25 } }))))[0]!;
    assert.equal(rq.severity, 'medium');
    assert.match(rq.title, /starvation/);
    assert.deepEqual(hostLimits.run(ctx(profiled(healthyTarget()))), []);
  });
});

describe('not-saturated', () => {
  it('a healthy target: info "not saturated", never an I/O claim', () => {
    const [f] = notSaturated.summarise(summaryContext(ctx(profiled(healthyTarget()))));
    assert.equal(f!.severity, 'info');
    assert.match(f!.title, /Not saturated at this load/);
    assert.doesNotMatch(f!.title + f!.rootCause, /I\/O[- ]bound/i);
    assertComplete({ ...f!, id: 'PERF-001' });
  });

  it('under the CPU profiler the ELU reads 0.6 on a loop the profile shows 95 % idle: judged by the profile, still not saturated', () => {
    const t = healthyTarget();
    t.agent!.samples = agentSamples(20, { elu: 0.6, gc: { minor: 8 }, heapUsed: 40e6 });
    t.proc!.samples = procSamples(20, { mainCpu: 6 });
    t.cpuProfile = { ...t.cpuProfile!, idleShare: 0.95 };
    const [f] = notSaturated.summarise(summaryContext(ctx(profiled(t))));
    assert.equal(f?.severity, 'info');
    assert.match(f!.description, /event loop 5\.0 % busy \(by the CPU profile's samples/);
    // The same ELU without a profile to correct it: the loop looks busy, no verdict.
    t.cpuProfile = null;
    assert.deepEqual(notSaturated.summarise(summaryContext(ctx(profiled(t)))), []);
  });

  it(
    "a loop delay of 20 ms on a host that makes the target wait for a core (0.4 s/s) is the host's: still not saturated; without the " +
      'wait it is not',
    () => {
      const t = healthyTarget();
      t.agent!.samples = agentSamples(20, { elu: 0.2, delayP99: 20, delayMax: 40, gc: { minor: 8 }, heapUsed: 40e6 });
      (t.proc!.summary as { runqueueWaitShare: number | null }).runqueueWaitShare = 0.4;
      const [f] = notSaturated.summarise(summaryContext(ctx(profiled(t))));
      assert.equal(f?.severity, 'info');
      assert.match(f!.description, /timers late because the host made the target wait for a core/);
      (t.proc!.summary as { runqueueWaitShare: number | null }).runqueueWaitShare = 0;
      assert.deepEqual(notSaturated.summarise(summaryContext(ctx(profiled(t)))), []);
    },
  );

  it('slow while idle and nothing instrumented explains it: "waiting on something not instrumented", low confidence', () => {
    const [f] = notSaturated.summarise(summaryContext(ctx(profiled(healthyTarget(), 900))));
    assert.equal(f!.severity, 'medium');
    assert.match(f!.title, /not instrumented/);
    assert.ok(f!.confidence < 0.5);
  });

  it('silent when a diagnosis explains the slowness (a saturated downstream pool), or with no probes', () => {
    assert.deepEqual(notSaturated.summarise(summaryContext(ctx(profiled(downstreamTarget(true), 900)))), []);
    assert.deepEqual(notSaturated.summarise(summaryContext(ctx(profiled(null)))), []);
  });
});

describe('diagnosis audits together', () => {
  it('registered before no-bottleneck, in order', () => {
    const ids = AUDITS.map((a) => a.id);
    const mine = [
      'cpu-bound',
      'event-loop-blocked',
      'gc-pressure',
      'memory-leak',
      'downstream-wait',
      'db-statement-wait',
      'off-cpu-wait',
      'async-wait',
      'threadpool-saturation',
      'host-limits',
      'not-saturated',
    ];
    assert.deepEqual(ids.slice(-mine.length - 1), [...mine, 'no-bottleneck']);
  });

  it('a healthy profile gets no P0/P1 from any audit, and no-bottleneck still speaks', () => {
    const findings = runAudits(profiled(healthyTarget()));
    assert.deepEqual(
      findings.filter((f) => f.severity === 'critical' || f.severity === 'high').map((f) => f.audit),
      [],
    );
    assert.ok(findings.some((f) => f.audit === 'no-bottleneck'));
    assert.ok(findings.some((f) => f.audit === 'not-saturated'));
  });

  it('no-bottleneck stays silent when a diagnosis found a medium+ problem (latency itself within the SLO)', () => {
    const t = fakeTargetProbes({ agent: agentSamples(20, { elu: 0.3, activeResources: { FSReqCallback: 12 } }) });
    const findings = runAudits(profiled(t));
    assert.ok(findings.some((f) => f.audit === 'threadpool-saturation' && f.severity === 'medium'));
    assert.ok(!findings.some((f) => f.audit === 'no-bottleneck'));
  });
});
