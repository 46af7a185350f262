// Cutting runs into per-second observations, and percentiles of merged per-second summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blocksOf,
  completeSeconds,
  IntervalMixture,
  MAX_BLOCKS,
  weightsOf,
  type SecondFigures,
} from '../../src/analysis/compare-samples.ts';
import type { SeriesPoint } from '../../src/record/run-record.ts';
import { fakeRun, steady } from '../helpers/fake-records.ts';

const point = (count: number, min: number, p50: number, p90: number, p95: number, p99: number, max: number): SeriesPoint => ({
  metric: 'http_req_duration',
  tags: {},
  count,
  sum: 0,
  min,
  max,
  p50,
  p90,
  p95,
  p99,
});

test('one series: the mixture returns its own percentiles at the knots', () => {
  const m = new IntervalMixture([[point(100, 1, 10, 20, 30, 50, 80)]]);
  for (const [q, v] of [
    [0.5, 10],
    [0.9, 20],
    [0.95, 30],
    [0.99, 50],
  ] as const) {
    assert.ok(Math.abs(m.quantile(q, [1]) - v) < 1e-9, `q${q}: ${m.quantile(q, [1])}`);
  }
  // Between knots: linear (halfway between p50 and p90 → q 0.7).
  assert.ok(Math.abs(m.quantile(0.7, [1]) - 15) < 1e-9);
});

test('two series: count-weighted mixture, not an average of percentiles', () => {
  // 900 fast requests (all 10 ms) and 100 slow ones (all 1000 ms): the overall p95 is slow, the p50 fast.
  const fast = point(900, 10, 10, 10, 10, 10, 10);
  const slow = point(100, 1000, 1000, 1000, 1000, 1000, 1000);
  const m = new IntervalMixture([[fast, slow]]);
  assert.equal(m.quantile(0.5, [1]), 10);
  assert.equal(m.quantile(0.95, [1]), 1000);
  // Weights select intervals: group 1 only.
  const two = new IntervalMixture([[fast], [slow]]);
  assert.equal(two.quantile(0.5, [0, 1]), 1000);
  assert.equal(two.quantile(0.5, [3, 0]), 10);
  assert.ok(Number.isNaN(two.quantile(0.5, [0, 0])));
});

test('weights from a resampled list of indexes are multiplicities', () => {
  assert.deepEqual([...weightsOf([0, 2, 2, 3], 4)], [1, 0, 2, 1]);
});

test('complete seconds: the final partial second (the stop) is not an observation', () => {
  const run = fakeRun({ seconds: [...steady(3, 100, 5), { requests: 2, latencyMs: 5 }] });
  assert.equal(completeSeconds(run, 'http_req_duration').length, 4);
  const cut = { ...run, durationMs: 3024 };
  const secs = completeSeconds(cut, 'http_req_duration');
  assert.equal(secs.length, 3);
  assert.deepEqual(
    secs.map((s) => s.requests),
    [100, 100, 100],
  );
  assert.equal(secs[0]!.judged, 100);
  assert.equal(secs[0]!.latency.length, 1);
});

test('long runs are cut into at most MAX_BLOCKS blocks of consecutive seconds, totals kept', () => {
  const run = fakeRun({
    seconds: Array.from({ length: 450 }, (_, k) => ({ requests: 10, latencyMs: (i: number) => 10 + i + (k % 3), failed: k % 2 })),
  });
  const secs = completeSeconds(run, 'http_req_duration');
  assert.equal(secs.length, 450);
  const blocks = blocksOf(secs);
  assert.equal(blocks.length, Math.ceil(450 / Math.ceil(450 / MAX_BLOCKS)));
  assert.ok(blocks.length <= MAX_BLOCKS);
  const sum = (xs: SecondFigures[], f: (s: SecondFigures) => number) => xs.reduce((n, s) => n + f(s), 0);
  for (const f of [
    (s: SecondFigures) => s.requests,
    (s: SecondFigures) => s.failed,
    (s: SecondFigures) => s.judged,
    (s: SecondFigures) => s.seconds,
  ]) {
    assert.equal(sum(blocks, f), sum(secs, f));
  }
  // One summary point per block, with percentiles within the block's range.
  const b0 = blocks[0]!;
  assert.equal(b0.latency.length, 1);
  const p = b0.latency[0]!;
  assert.equal(p.count, 30);
  assert.ok(p.min <= p.p50! && p.p50! <= p.p95! && p.p95! <= p.p99! && p.p99! <= p.max);
  // Short runs are left alone.
  assert.equal(blocksOf(secs.slice(0, 20)).length, 20);
});
