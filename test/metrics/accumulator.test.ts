// Accumulators must merge exactly: per-worker, per-interval histograms added up give the same
// percentiles as one histogram fed every sample — the property that makes multi-core and
// (later) multi-machine runs correct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Accumulator } from '../../src/metrics/accumulator.ts';
import { decodeHistogram, encodeHistogram } from '../../src/metrics/histogram.ts';

/** Every value recorded in one accumulator, and the parts recorded apart then merged with `merge`. */
function wholeAndMerged(
  parts: number[][],
  merge: (into: Accumulator, part: Accumulator) => void,
): { whole: Accumulator; merged: Accumulator } {
  const whole = new Accumulator('trend');
  const merged = new Accumulator('trend');
  for (const part of parts) {
    const a = new Accumulator('trend');
    for (const v of part) {
      a.add(v);
      whole.add(v);
    }
    merge(merged, a);
  }
  return { whole, merged };
}

test('merging sparse-encoded parts equals recording everything in one accumulator', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { maxLength: 200 }), { minLength: 1, maxLength: 6 }),
      (parts) => {
        const { whole, merged } = wholeAndMerged(parts, (into, a) => into.merge(JSON.parse(JSON.stringify(a.toData()))));
        assert.equal(merged.count, whole.count);
        assert.ok(Math.abs(merged.sum - whole.sum) < 1e-6 * Math.max(1, whole.sum));
        for (const p of [0, 50, 90, 99, 99.9, 100]) assert.equal(merged.percentile(p), whole.percentile(p));
      },
    ),
    { numRuns: 100 },
  );
});

test('µs resolution with 3 significant digits; values beyond 1 h are clamped, not lost', () => {
  const a = new Accumulator('trend');
  a.add(0.123); // 123 µs
  assert.equal(a.percentile(100), 0.123);
  const b = new Accumulator('trend');
  for (let i = 0; i < 1000; i++) b.add(12.345);
  // 12 345 µs at 3 significant digits: within 0.1 %.
  assert.ok(Math.abs(b.percentile(50) - 12.345) / 12.345 < 0.001);
  b.add(5 * 3600 * 1000);
  assert.equal(b.count, 1001);
  // The histogram clamps at 1 h; the exact max is kept beside it.
  assert.equal(b.max, 5 * 3600 * 1000);
  assert.ok(Math.abs(b.percentile(99.99) - 3600 * 1000) / 3600_000 < 0.001);
});

test('standard HdrHistogram encoding round-trips (the record format)', () => {
  const a = new Accumulator('trend');
  for (let i = 1; i <= 5000; i++) a.add(i / 10);
  const back = decodeHistogram(encodeHistogram(a.hist!));
  assert.equal(back.totalCount, 5000);
  assert.equal(back.getValueAtPercentile(95), a.hist!.getValueAtPercentile(95));
});

test('rates, counters and gauges merge by their meaning', () => {
  const r = new Accumulator('rate');
  [1, 0, 1, 1].forEach((v) => r.add(v));
  const r2 = new Accumulator('rate');
  r2.merge(r.toData());
  r2.merge(r.toData());
  assert.equal(r2.count, 8);
  assert.equal(r2.sum, 6);
  const g = new Accumulator('gauge');
  g.merge({ type: 'gauge', count: 1, sum: 5, min: 5, max: 5 }, true);
  g.merge({ type: 'gauge', count: 1, sum: 7, min: 7, max: 7 }, true);
  assert.equal(g.sum, 12, 'two workers at the same instant add up');
  const c = new Accumulator('counter');
  c.add(3);
  c.add(4);
  assert.equal(c.sum, 7);
});

test('a gauge merged into an empty aggregate keeps its min and max (vus read min=0 max=0 at the end of every run)', () => {
  // Over a run: 1 VU, then 10, then 0 at the end — as the engine's vus gauge reports it.
  const run = new Accumulator('gauge');
  for (const v of [1, 10, 0]) run.merge({ type: 'gauge', count: 1, sum: v, min: v, max: v });
  assert.deepEqual([run.sum, run.min, run.max], [0, 0, 10]);
  // Reading the whole-run series back (one series, merged as parts of one span) changes nothing.
  const read = new Accumulator('gauge');
  read.merge(run.toData(), true);
  assert.deepEqual([read.sum, read.min, read.max], [0, 0, 10]);
  // Two tagged series of one gauge add up, value and extremes.
  read.merge({ type: 'gauge', count: 3, sum: 2, min: 1, max: 5 }, true);
  assert.deepEqual([read.sum, read.min, read.max], [2, 1, 15]);
});

test('batched trend recording equals recording every sample directly, whatever reads come in between', async () => {
  const { newHistogram, recordMs, toSparse } = await import('../../src/metrics/histogram.ts');
  // Values drawn from a small set too, so that runs of equal values (recorded with a count) occur.
  const value = fc.oneof(fc.double({ min: -5, max: 4_000_000, noNaN: true }), fc.constantFrom(0, 0.0004, 0.09, 1, 12.345));
  const op = fc.oneof(
    { weight: 20, arbitrary: value.map((v) => ({ add: v })) },
    { weight: 1, arbitrary: fc.constantFrom({ read: 'percentile' }, { read: 'toData' }, { read: 'merge' }, { read: 'reset' }) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 1500 }), (ops) => {
      const batched = new Accumulator('trend');
      let direct = newHistogram();
      for (const o of ops) {
        if ('add' in o) {
          batched.add(o.add);
          recordMs(direct, o.add);
        } else if (o.read === 'reset') {
          batched.reset();
          direct = newHistogram();
        } else if (o.read === 'percentile') {
          assert.equal(batched.hist!.totalCount, direct.totalCount);
          batched.percentile(99);
        } else if (o.read === 'toData') {
          assert.deepEqual(batched.toData().hist, toSparse(direct));
        } else {
          // Merging an accumulator into another flushes both sides.
          const into = new Accumulator('trend');
          into.merge(batched);
          assert.deepEqual(toSparse(into.hist!), toSparse(direct));
        }
      }
      assert.deepEqual(toSparse(batched.hist!), toSparse(direct));
      assert.equal(batched.hist!.totalCount, direct.totalCount);
      for (const p of [0, 50, 99, 100]) assert.equal(batched.hist!.getValueAtPercentile(p), direct.getValueAtPercentile(p));
    }),
    { numRuns: 150 },
  );
});

test('merging accumulators (occupied buckets only) equals recording everything in one', () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.oneof(fc.double({ min: 0, max: 4_000_000, noNaN: true }), fc.constantFrom(0, 0.0004, 1)), { maxLength: 400 }), {
        minLength: 1,
        maxLength: 5,
      }),
      (parts) => {
        const { whole, merged } = wholeAndMerged(parts, (into, a) => into.merge(a));
        assert.equal(merged.hist!.totalCount, whole.hist!.totalCount);
        assert.deepEqual(merged.toData().hist, whole.toData().hist);
        for (const p of [0, 50, 90, 99, 99.9, 100]) assert.equal(merged.percentile(p), whole.percentile(p));
      },
    ),
    { numRuns: 100 },
  );
});
