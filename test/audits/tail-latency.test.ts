import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findStalls, tailLatency } from '../../src/audits/tail-latency.ts';
import { fakeAssessment, fakePhase, fakeRun, steady, type FakeSecond } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment, noisy } from './helpers.ts';

/** 30 s at 50 req/s, noisy ~20 ms, with a stall (5 requests at `stallMs`) in the listed seconds. */
function withStalls(stallSeconds: number[], stallMs = 300, seed = 5): FakeSecond[] {
  const base = noisy(seed, 20);
  return Array.from({ length: 30 }, (_, k) => ({
    requests: 50,
    latencyMs: stallSeconds.includes(k) ? (i: number) => (i < 5 ? stallMs : base(i)) : base,
  }));
}

describe('tail-latency', () => {
  it('fires when p99 is > 10× the median with enough samples; over the SLO → medium', () => {
    const lat = (i: number) => (i < 3 ? 400 : 10); // 3 % of requests at 400 ms
    const rec = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(20, 100, lat), name: API }))]);
    const [f, ...rest] = tailLatency.run(ctx(rec));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'medium');
    assert.deepEqual(f!.location, { endpoint: API });
    assert.equal(f!.evidence.find((e) => e.label === 'p99 / p50')!.value, 40);
    assert.match(f!.title, /p99 is 40× the median \(400 ms vs 10\.0 ms\)/);
  });

  it('a long tail under the SLO is low; a high ratio at tiny latencies or few samples is silent', () => {
    const run = (lat: (i: number) => number, n = 100) =>
      tailLatency.run(ctx(fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(20, n, lat), name: API }))])));
    assert.equal(run((i) => (i < 3 ? 120 : 8))[0]?.severity, 'low');
    assert.deepEqual(
      run((i) => (i < 3 ? 9 : 0.5)),
      [],
      'p99 9 ms: harmless',
    );
    assert.deepEqual(
      run((i) => (i < 1 ? 400 : 10), 20),
      [],
      '380 samples: too few for a p99',
    );
  });

  it('finds periodic stalls and their period (every ~5 s)', () => {
    const rec = fakeAssessment([fakePhase('sustained', fakeRun({ seconds: withStalls([3, 8, 13, 18, 23]), name: API }))]);
    const f = tailLatency.run(ctx(rec)).find((x) => /stall/i.test(x.title))!;
    assert.ok(f);
    assert.match(f.title, /Periodic stalls every ~5 s: p99 jumps to 300 ms/);
    assert.equal(f.evidence.find((e) => e.label === 'period')!.value, 5);
    assert.equal(f.evidence.find((e) => e.label === 'stalls')!.value, 5);
    assert.equal(f.evidence.find((e) => e.label === 'stalls at (s since phase start)')!.value, '3, 8, 13, 18, 23');
    assert.equal(f.severity, 'medium', '300 ms stalls exceed the 200 ms SLO');
    assert.match(f.rootCause, /garbage collection/);
  });

  it('irregular stalls are reported without a period; jitter of ±1 s still counts as periodic', () => {
    const irregular = findStalls(fakePhase('sustained', fakeRun({ seconds: withStalls([2, 4, 12, 14, 25], 150), name: API })));
    assert.ok(irregular);
    assert.equal(irregular.periodSeconds, null);
    const jitter = findStalls(fakePhase('sustained', fakeRun({ seconds: withStalls([3, 9, 13, 19, 23]), name: API })));
    assert.equal(jitter?.periodSeconds, 5);
  });

  it('in a long soak: a regular stall every 7 s is found; rare unlucky seconds are not stalls', () => {
    const base = noisy(9, 30);
    const seconds: FakeSecond[] = Array.from({ length: 600 }, (_, k) => ({
      requests: 20,
      latencyMs: k % 7 === 3 && k !== 360 ? (i: number) => (i < 3 ? 250 : base(i)) : base, // one stall missed: still periodic
    }));
    const st = findStalls(fakePhase('sustained', fakeRun({ seconds, name: API })));
    assert.equal(st?.periodSeconds, 7);
    const quiet = findStalls(fakePhase('sustained', fakeRun({ seconds: steady(600, 20, noisy(11, 30)), name: API })));
    assert.equal(quiet, null);
  });

  it('stays silent for a healthy noisy service and for two stalls only', () => {
    assert.deepEqual(tailLatency.run(ctx(healthyAssessment())), []);
    const two = fakeAssessment([fakePhase('sustained', fakeRun({ seconds: withStalls([5, 20]), name: API }))]);
    assert.deepEqual(tailLatency.run(ctx(two)), []);
  });
});
