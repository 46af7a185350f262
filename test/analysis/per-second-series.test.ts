// analysis/per-second-series.ts: a run second by second (the HTML charts, the Markdown spike table,
// the peak throughput and the audits' windows read it) and the percentile of a mixture of interval points.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mixturePercentile, phaseSeries } from '../../src/analysis/per-second-series.ts';
import { fakeRun, steady } from '../helpers/fake-records.ts';
import { arbPoint, point } from '../helpers/series-points.ts';

test('mixturePercentile: one series gives back its own percentiles exactly', () => {
  const p = point(100, 5, 10, 20, 30, 50, 80);
  assert.equal(mixturePercentile([p], 0.5), 10);
  assert.equal(mixturePercentile([p], 0.95), 30);
  assert.equal(mixturePercentile([p], 0.99), 50);
  assert.equal(mixturePercentile([p, { ...p }], 0.95), 30);
  assert.equal(mixturePercentile([], 0.5), null);
  assert.equal(mixturePercentile([{ ...p, count: 0 }], 0.5), null);
  const flat = point(10, 7, 7, 7, 7, 7, 7);
  assert.equal(mixturePercentile([flat], 0.99), 7);
});

test('mixturePercentile keeps a rare slow endpoint in the tail (averaging percentiles would hide it)', () => {
  const fast = point(95, 10, 10, 10, 10, 10, 10);
  const slow = point(5, 1000, 1000, 1000, 1000, 1000, 1000);
  assert.equal(mixturePercentile([fast, slow], 0.5), 10);
  assert.equal(mixturePercentile([fast, slow], 0.99), 1000);
  const weightedAverage = (10 * 95 + 1000 * 5) / 100;
  assert.ok(weightedAverage < 100);
});

test('mixturePercentile is monotone in q and bounded by the series min and max (property)', () => {
  const series = arbPoint;
  fc.assert(
    fc.property(fc.array(series, { minLength: 1, maxLength: 5 }), (pts) => {
      const q = [0.5, 0.9, 0.95, 0.99].map((x) => mixturePercentile(pts, x)!);
      for (let i = 1; i < q.length; i++) assert.ok(q[i]! >= q[i - 1]! - 1e-9, JSON.stringify(q));
      assert.ok(q[0]! >= Math.min(...pts.map((p) => p.min)) - 1e-9);
      assert.ok(q[3]! <= Math.max(...pts.map((p) => p.max)) + 1e-9);
      if (pts.length === 1) assert.ok(Math.abs(q[2]! - pts[0]!.p95!) <= 1e-9 * (1 + pts[0]!.p95!), 'one series: its own p95');
    }),
  );
});

test('phaseSeries reads rates, errors and percentiles per interval from a run', () => {
  const run = fakeRun({
    seconds: [...steady(3, 100, (i) => 10 + i / 10), { requests: 50, latencyMs: 40, failed: 5 }, { requests: 0, latencyMs: 0 }],
  });
  const s = phaseSeries(run);
  assert.deepEqual(s.t, [0.5, 1.5, 2.5, 3.5, 4.5]);
  assert.deepEqual(s.rps, [100, 100, 100, 50, 0]);
  assert.deepEqual(s.failedRps, [0, 0, 0, 5, 0]);
  assert.deepEqual(s.errorRate, [0, 0, 0, 0.1, null]);
  assert.equal(s.latencyMetric, 'http_req_latency');
  assert.ok(Math.abs(s.p50[0]! - 15) < 0.2, `p50 ${s.p50[0]}`);
  assert.ok(Math.abs(s.p99[0]! - 19.9) < 0.2, `p99 ${s.p99[0]}`);
  assert.equal(s.p95[3], 40);
  assert.equal(s.p95[4], null);
  assert.equal(s.spanSeconds, 5);
});

test('phaseSeries rates the final partial second over the time it covered (throughput lines dropped to 0 at the end)', () => {
  const run = fakeRun({ seconds: [...steady(4, 100, 10), { requests: 30, latencyMs: 10 }] });
  run.durationMs = 4300; // the run ended 0.3 s into its fifth second
  const s = phaseSeries(run);
  assert.equal(s.rps.length, 5);
  assert.ok(Math.abs(s.rps[4]! - 100) < 1e-9, `last second ${s.rps[4]} req/s`);
  assert.ok(Math.abs(s.t[4]! - 4.15) < 1e-9, 'drawn at the middle of what it covered');
  run.durationMs = 4100; // a 0.1 s sliver: not rated at all
  assert.deepEqual(phaseSeries(run).rps, [100, 100, 100, 100]);
});
