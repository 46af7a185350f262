// The statistics behind `compare`: reference values from scipy.stats (the mannwhitneyu documentation
// example and cases computed with scipy 1.17), and properties any correct implementation has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bootstrapCI,
  erfc,
  mannWhitneyU,
  mean,
  median,
  normalSf,
  quantile,
  relativeChange,
  seededRandom,
  StatsInputError,
} from '../../src/analysis/stats.ts';

const close = (actual: number, expected: number, rel = 1e-6, what = '') =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what} ${actual} ≠ ${expected} (rel ${rel})`);

test('Mann–Whitney U matches scipy.stats.mannwhitneyu', () => {
  // scipy docs example (males vs females ages): U1 = 17, exact p = 0.1111, asymptotic p = 0.11134688653314041.
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];
  const exact = mannWhitneyU(males, females);
  assert.equal(exact.u, 17);
  assert.equal(exact.method, 'exact');
  close(exact.p, 0.1111111111111111, 1e-12, 'exact');
  const asym = mannWhitneyU(males, females, { method: 'asymptotic' });
  assert.equal(asym.method, 'asymptotic');
  close(asym.p, 0.11134688653314041, 1e-6, 'asymptotic');

  // Ties: scipy falls back to the normal approximation with tie correction → 0.006373133838085873.
  const tied = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7, 8]);
  assert.equal(tied.u, 7.5);
  assert.equal(tied.method, 'asymptotic');
  close(tied.p, 0.006373133838085873, 1e-6, 'ties');

  // Larger samples (25 vs 30): asymptotic 0.00018108960197476528, exact 0.00010467692307507564.
  const x = Array.from({ length: 25 }, (_, i) => i + 1);
  const y = Array.from({ length: 30 }, (_, i) => i + 8.5);
  const big = mannWhitneyU(x, y);
  assert.equal(big.u, 153);
  assert.equal(big.method, 'asymptotic');
  close(big.p, 0.00018108960197476528, 1e-6, '25 vs 30');
  close(mannWhitneyU(x, y, { method: 'exact' }).p, 0.00010467692307507564, 1e-9, '25 vs 30 exact');

  // Complete separation, 4 vs 4: exact p = 2 / C(8, 4) = 0.028571…; 20 vs 20 nearly separated.
  close(mannWhitneyU([1, 2, 3, 4], [5, 6, 7, 8]).p, 2 / 70, 1e-12, '4 vs 4');
  const a20 = Array.from({ length: 20 }, (_, i) => i + 1);
  const b20 = [1.5, 2.5, ...Array.from({ length: 18 }, (_, i) => i + 30)];
  close(mannWhitneyU(a20, b20).p, 1.6544486245119793e-6, 1e-9, '20 vs 20');
});

test('Mann–Whitney U rejects what it cannot test, with the reason', () => {
  assert.throws(() => mannWhitneyU([], [1]), StatsInputError);
  assert.throws(() => mannWhitneyU([1, NaN], [1]), /value 1 is NaN/);
  assert.throws(() => mannWhitneyU([1, 1], [1, 2], { method: 'exact' }), /without ties/);
});

const sample = (min = 1, max = 30) =>
  fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: min, maxLength: max });

test('property: p-values lie in [0, 1], and the test is symmetric in (a, b)', () => {
  fc.assert(
    fc.property(sample(), sample(), (a, b) => {
      const ab = mannWhitneyU(a, b);
      const ba = mannWhitneyU(b, a);
      assert.ok(ab.p >= 0 && ab.p <= 1, `p = ${ab.p}`);
      assert.ok(Math.abs(ab.p - ba.p) < 1e-12, `${ab.p} vs ${ba.p}`);
      assert.ok(Math.abs(ab.u + ba.u - a.length * b.length) < 1e-9);
    }),
    { numRuns: 300 },
  );
});

test('property: a sample against itself gives p ≈ 1', () => {
  fc.assert(
    fc.property(sample(1, 40), (a) => {
      assert.ok(mannWhitneyU(a, [...a]).p > 0.99);
    }),
    { numRuns: 200 },
  );
});

test('property: clearly shifted samples give p < 0.01 (exact and asymptotic)', () => {
  const unit = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 8, maxLength: 60 });
  fc.assert(
    fc.property(unit, unit, (a, b) => {
      const shifted = b.map((v) => v + 10);
      assert.ok(mannWhitneyU(a, shifted).p < 0.01);
      assert.ok(mannWhitneyU(shifted, a).p < 0.01);
    }),
    { numRuns: 200 },
  );
});

test('exact and normal approximation agree closely near n = 20 without ties', () => {
  const random = seededRandom(7);
  for (let k = 0; k < 20; k++) {
    const a = Array.from({ length: 20 }, () => random());
    const b = Array.from({ length: 20 }, () => random() + 0.2);
    const e = mannWhitneyU(a, b, { method: 'exact' }).p;
    const n = mannWhitneyU(a, b, { method: 'asymptotic' }).p;
    assert.ok(Math.abs(e - n) < 0.01, `exact ${e} vs normal ${n}`);
  }
});

test('small helpers: quantile (type 7), median, mean, relative change, erfc', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75); // numpy.quantile default
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(median([3, 1, 2]), 2);
  assert.ok(Number.isNaN(median([])));
  assert.equal(quantile([5], 0.99), 5);
  assert.equal(mean([1, 2, 3, 6]), 3);
  assert.equal(relativeChange(100, 115), 0.15);
  assert.equal(relativeChange(0, 0), 0);
  assert.equal(relativeChange(0, 3), Infinity);
  assert.equal(relativeChange(200, 100), -0.5);
  close(erfc(0), 1, 1e-7);
  close(erfc(1), 0.15729920705028513, 2e-7);
  close(erfc(2), 0.004677734981047266, 2e-7);
  close(erfc(-1), 1.8427007929497148, 2e-7);
  close(normalSf(1.959963984540054), 0.025, 2e-7);
});

test('bootstrap: percentile interval of the relative change, reproducible from its seed', () => {
  const random = seededRandom(42);
  const a = Array.from({ length: 200 }, () => 100 + random() * 20);
  const b = Array.from({ length: 200 }, () => 150 + random() * 30); // +50 %
  const ci = bootstrapCI(a, b, median, { iterations: 1000, seed: 9 });
  assert.ok(ci.estimate > 0.45 && ci.estimate < 0.55, `estimate ${ci.estimate}`);
  assert.ok(ci.low > 0.4 && ci.high < 0.6 && ci.low < ci.estimate && ci.estimate < ci.high, JSON.stringify(ci));
  assert.deepEqual(bootstrapCI(a, b, median, { iterations: 1000, seed: 9 }), ci);
  assert.notDeepEqual(bootstrapCI(a, b, median, { iterations: 1000, seed: 10 }), ci);
  // A wider confidence level gives a wider interval.
  const wide = bootstrapCI(a, b, median, { iterations: 1000, seed: 9, confidence: 0.99 });
  assert.ok(wide.low <= ci.low && wide.high >= ci.high);
  // Same samples: no change, and the interval straddles 0.
  const same = bootstrapCI(a, a, mean, { iterations: 500 });
  assert.equal(same.estimate, 0);
  assert.ok(same.low < 0 && same.high > 0);
  assert.throws(() => bootstrapCI([], [1], mean), StatsInputError);
  assert.throws(() => bootstrapCI([1], [1], mean, { confidence: 1 }), /confidence/);
});

test('property: the bootstrap interval contains the estimate, and the same seed gives the same interval', () => {
  const positive = fc.array(fc.double({ min: 0.001, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 25 });
  const stats = fc.constantFrom(median, mean, (xs: readonly number[]) => quantile(xs, 0.95));
  fc.assert(
    fc.property(positive, positive, stats, fc.integer(), (a, b, stat, seed) => {
      const ci = bootstrapCI(a, b, stat, { iterations: 200, seed });
      assert.ok(ci.low <= ci.estimate && ci.estimate <= ci.high, JSON.stringify(ci));
      assert.deepEqual(bootstrapCI(a, b, stat, { iterations: 200, seed }), ci);
    }),
    { numRuns: 150 },
  );
});
