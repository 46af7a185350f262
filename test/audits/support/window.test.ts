import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { failuresOf } from '../../../src/audits/support/failures.ts';
import { achievedRateOf, endpointsOf, expectedRateOf, steadyStats } from '../../../src/audits/support/record.ts';
import { mixtureQuantile, perSecond, windowStats } from '../../../src/audits/support/window.ts';
import { selectMetric } from '../../../src/record/select.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../../helpers/fake-records.ts';
import { API, ORDERS, multiRun, noisy } from '../helpers.ts';
import { arbPoint, point } from '../../helpers/series-points.ts';

describe('mixtureQuantile', () => {
  it('answers a single point exactly at its stored percentiles, and NaN when empty', () => {
    const p = point(100, 1, 10, 20, 30, 50, 80);
    assert.equal(mixtureQuantile([p], 95), 30);
    assert.equal(mixtureQuantile([p], 99), 50);
    assert.ok(Math.abs(mixtureQuantile([p, p], 95) - 30) < 1e-3, 'identical seconds merge to the same percentile');
    assert.ok(Number.isNaN(mixtureQuantile([], 95)));
  });

  it('weights by count: a small slow endpoint moves p95 only as far as its share', () => {
    const fast = point(900, 5, 10, 12, 14, 18, 25);
    const slow = point(100, 500, 1000, 1200, 1300, 1500, 1600);
    const p50 = mixtureQuantile([fast, slow], 50);
    assert.ok(p50 > 9 && p50 < 11, `p50 ${p50}`);
    const p95 = mixtureQuantile([fast, slow], 95);
    assert.ok(p95 > 900 && p95 < 1100, `p95 ${p95}: the middle of the slow endpoint (half its requests are in the top 5 %)`);
  });

  it('property: lies between the smallest and largest component percentile, and is monotone in q', () => {
    fc.assert(
      fc.property(fc.array(arbPoint, { minLength: 1, maxLength: 6 }), (pts) => {
        const q95 = mixtureQuantile(pts, 95);
        const q50 = mixtureQuantile(pts, 50);
        assert.ok(q95 >= Math.min(...pts.map((p) => p.p95!)) - 1e-3 && q95 <= Math.max(...pts.map((p) => p.p95!)) + 1e-3);
        assert.ok(q50 <= q95 + 1e-6);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('window statistics on a run', () => {
  it('agrees with the exact whole-run histogram when every second is alike', () => {
    const run = fakeRun({ seconds: steady(20, 100, noisy(3, 20)), name: API });
    const exact = selectMetric(run, 'http_req_latency')!.percentile(95);
    const approx = windowStats(run, 'http_req_latency').quantile(95);
    assert.ok(Math.abs(approx - exact) / exact < 0.08, `approx ${approx} vs exact ${exact}`);
  });

  it('counts requests, failures and drops in a window, per endpoint', () => {
    const run = multiRun([
      { seconds: steady(10, 30, 20, { failed: 3, dropped: 2 }), name: API },
      { seconds: steady(10, 20, 40), name: ORDERS },
    ]);
    const w = windowStats(run, 'http_req_latency', { from: 2, to: 5, tags: { name: API } });
    assert.equal(w.requests, 120);
    assert.equal(w.failed, 12);
    assert.equal(w.dropped, 8, 'dropped_iterations has no name tag: counted for the window');
    assert.equal(w.seconds, 4);
    assert.deepEqual(
      perSecond(run, 'http_req_latency', { from: 8, tags: { name: ORDERS } }).map((s) => [s.second, s.requests, s.p50]),
      [
        [8, 20, 40],
        [9, 20, 40],
      ],
    );
    assert.deepEqual(endpointsOf(run), [API, ORDERS]);
  });

  it('steadyStats skips the warm-up second; achievedRateOf takes the median second', () => {
    const phase = fakePhase(
      'baseline',
      fakeRun({ seconds: [{ requests: 10, latencyMs: 5000 }, ...steady(18, 100, 20), { requests: 3, latencyMs: 20 }], name: API }),
    );
    assert.equal(steadyStats(phase).quantile(99), 20);
    assert.equal(achievedRateOf(phase), 100);
  });

  it('failuresOf: by kind or status, without requests the run cut off', () => {
    const run = fakeRun({
      seconds: [
        ...steady(5, 100, 20, { failed: 2 }),
        { requests: 10, latencyMs: 20, failed: 4, errorKind: 'reset' },
        { requests: 10, latencyMs: 20, failed: 5, errorKind: 'aborted' },
      ],
      name: API,
    });
    const f = failuresOf(run);
    assert.deepEqual(f.byKind, [
      ['HTTP 500', 10],
      ['reset', 4],
    ]);
    assert.equal(f.total, 14);
    assert.equal(f.aborted, 5);
    assert.deepEqual(failuresOf(run, {}, { from: 5, to: 5 }).byKind, [['reset', 4]]);
  });

  it("expectedRateOf: given, derived by assess, or the baseline phase's rate", () => {
    const rec = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(3, 10, 5) }), { offeredRate: 70 })]);
    assert.deepEqual(expectedRateOf(rec), { rate: 100, discovered: false });
    rec.config.expectedRate = null;
    assert.deepEqual(expectedRateOf(rec), { rate: 70, discovered: true });
    rec.probes = { effectiveExpectedRate: 55 };
    assert.deepEqual(expectedRateOf(rec), { rate: 55, discovered: true });
  });
});
