import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fitUsl, uslKneeConcurrency, uslPeak, uslThroughput, type UslParams, type UslPoint } from '../../src/analysis/usl.ts';

/** `count` concurrencies spread geometrically over [from, to], X from the model times (1 + noise[i]). */
function curve(p: UslParams, from: number, to: number, noise: readonly number[]): UslPoint[] {
  const count = noise.length;
  return noise.map((e, i) => {
    const n = from * (to / from) ** (i / (count - 1));
    return { concurrency: n, throughput: uslThroughput(p, n) * (1 + e) };
  });
}

const zeros = (k: number) => new Array<number>(k).fill(0);
const rel = (a: number, b: number) => Math.abs(a / b - 1);

test('noise-free points give back λ, σ, κ to 1e-9', () => {
  const truth = { lambda: 850, sigma: 0.06, kappa: 0.002 };
  const fit = fitUsl(curve(truth, 1, 40, zeros(8)))!;
  assert.ok(rel(fit.lambda, truth.lambda) < 1e-9, `λ ${fit.lambda}`);
  assert.ok(Math.abs(fit.sigma - truth.sigma) < 1e-9, `σ ${fit.sigma}`);
  assert.ok(rel(fit.kappa, truth.kappa) < 1e-9, `κ ${fit.kappa}`);
  assert.ok(fit.r2 > 1 - 1e-12);
});

// Tolerance with ±1 % multiplicative noise on X over 10 points from N = 1 to 1.5 N*:
// λ within 5 %, σ within ±0.03, κ within 60 % (κ trades off against σ when both are small),
// the fitted curve within 3 % of the true one at every measured N, the peak throughput within 3 %.
test('property: noisy points from known (λ, σ, κ) are recovered within the stated tolerance', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 10, max: 5000, noNaN: true }),
      fc.double({ min: 0.01, max: 0.2, noNaN: true }),
      fc.double({ min: -4, max: -2, noNaN: true }),
      fc.array(fc.double({ min: -0.01, max: 0.01, noNaN: true }), { minLength: 10, maxLength: 10 }),
      (lambda, sigma, logKappa, noise) => {
        const truth = { lambda, sigma, kappa: 10 ** logKappa };
        const peak = uslPeak(truth)!;
        const points = curve(truth, 1, 1.5 * peak.concurrency, noise);
        const fit = fitUsl(points)!;
        assert.ok(fit, 'a fit');
        assert.ok(rel(fit.lambda, lambda) < 0.05, `λ ${fit.lambda} vs ${lambda}`);
        assert.ok(Math.abs(fit.sigma - sigma) < 0.03, `σ ${fit.sigma} vs ${sigma}`);
        assert.ok(rel(fit.kappa, truth.kappa) < 0.6, `κ ${fit.kappa} vs ${truth.kappa}`);
        for (const p of points) assert.ok(rel(uslThroughput(fit, p.concurrency), uslThroughput(truth, p.concurrency)) < 0.03);
        const fitted = uslPeak(fit);
        assert.ok(fitted && rel(fitted.throughput, peak.throughput) < 0.03, `peak ${fitted?.throughput} vs ${peak.throughput}`);
        assert.ok(fit.r2 > 0.9 && fit.r2 <= 1);
      },
    ),
    { numRuns: 300 },
  );
});

test("property: Little's-law concurrencies below 1 (fast services) fit as well", () => {
  fc.assert(
    fc.property(
      fc.double({ min: 100, max: 20000, noNaN: true }),
      fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      fc.double({ min: -4, max: -1, noNaN: true }),
      (lambda, sigma, logKappa) => {
        const truth = { lambda, sigma, kappa: 10 ** logKappa };
        const fit = fitUsl(curve(truth, 0.05, 2 * uslPeak(truth)!.concurrency, zeros(9)))!;
        assert.ok(
          rel(fit.lambda, lambda) < 1e-6 && Math.abs(fit.sigma - sigma) < 1e-6 && rel(fit.kappa, truth.kappa) < 1e-5,
          JSON.stringify(fit),
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('exactly linear data: σ = κ = 0, no peak, no knee, r² = 1', () => {
  const fit = fitUsl(curve({ lambda: 120, sigma: 0, kappa: 0 }, 0.2, 30, zeros(7)))!;
  assert.ok(rel(fit.lambda, 120) < 1e-12);
  assert.equal(fit.sigma, 0);
  assert.equal(fit.kappa, 0);
  assert.equal(uslPeak(fit), null);
  assert.equal(uslKneeConcurrency(fit), null);
  assert.ok(fit.r2 > 1 - 1e-12);
});

test('property: linear data with ±1 % noise stays (nearly) linear', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 1, max: 10000, noNaN: true }),
      fc.array(fc.double({ min: -0.01, max: 0.01, noNaN: true }), { minLength: 6, maxLength: 12 }),
      (lambda, noise) => {
        const points = curve({ lambda, sigma: 0, kappa: 0 }, 1, 50, noise);
        const fit = fitUsl(points)!;
        // Over the measured range the model departs from λN by no more than the noise allows.
        for (const p of points) assert.ok(rel(uslThroughput(fit, p.concurrency), lambda * p.concurrency) < 0.03);
        assert.ok(fit.sigma < 0.02, `σ ${fit.sigma}`);
        assert.ok(fit.kappa < 1e-3, `κ ${fit.kappa}`);
      },
    ),
    { numRuns: 200 },
  );
});

test('property: Amdahl-only data (κ = 0) gives σ back and no peak', () => {
  fc.assert(
    fc.property(
      fc.double({ min: 10, max: 5000, noNaN: true }),
      fc.double({ min: 0.02, max: 0.5, noNaN: true }),
      fc.array(fc.double({ min: -0.005, max: 0.005, noNaN: true }), { minLength: 10, maxLength: 10 }),
      (lambda, sigma, noise) => {
        const fit = fitUsl(curve({ lambda, sigma, kappa: 0 }, 1, 10 / sigma, noise))!;
        assert.ok(Math.abs(fit.sigma - sigma) < 0.1 * sigma + 0.005, `σ ${fit.sigma} vs ${sigma}`);
        assert.ok(rel(fit.lambda, lambda) < 0.03, `λ ${fit.lambda} vs ${lambda}`);
        // Any κ the noise buys must not put a maximum inside what was measured.
        const peak = uslPeak(fit);
        assert.ok(peak === null || peak.concurrency > 10 / sigma, `peak at ${peak?.concurrency}`);
      },
    ),
    { numRuns: 200 },
  );
  const exact = fitUsl(curve({ lambda: 300, sigma: 0.25, kappa: 0 }, 1, 64, zeros(7)))!;
  assert.ok(Math.abs(exact.sigma - 0.25) < 1e-9);
  assert.equal(exact.kappa, 0);
  assert.equal(uslPeak(exact), null);
});

test('too few or degenerate points → null', () => {
  assert.equal(fitUsl([]), null);
  assert.equal(
    fitUsl([
      { concurrency: 1, throughput: 10 },
      { concurrency: 2, throughput: 19 },
    ]),
    null,
  );
  // Three points but only two distinct concurrencies: σ and κ cannot be told apart.
  assert.equal(
    fitUsl([
      { concurrency: 1, throughput: 10 },
      { concurrency: 2, throughput: 19 },
      { concurrency: 2, throughput: 18 },
    ]),
    null,
  );
  // Unusable points do not count.
  assert.equal(
    fitUsl([
      { concurrency: 1, throughput: 10 },
      { concurrency: 2, throughput: 19 },
      { concurrency: 0, throughput: 5 },
      { concurrency: 3, throughput: Number.NaN },
      { concurrency: 4, throughput: -1 },
    ]),
    null,
  );
  assert.ok(
    fitUsl([
      { concurrency: 1, throughput: 10 },
      { concurrency: 2, throughput: 19 },
      { concurrency: 4, throughput: 33 },
    ]),
  );
});

test('peak and knee formulas', () => {
  const p = { lambda: 100, sigma: 0.1, kappa: 0.001 };
  const peak = uslPeak(p)!;
  assert.ok(Math.abs(peak.concurrency - Math.sqrt(0.9 / 0.001)) < 1e-12);
  assert.ok(Math.abs(peak.throughput - uslThroughput(p, peak.concurrency)) < 1e-9);
  // The maximum really is one: X is lower on either side.
  assert.ok(uslThroughput(p, peak.concurrency * 0.99) < peak.throughput && uslThroughput(p, peak.concurrency * 1.01) < peak.throughput);
  assert.equal(uslPeak({ lambda: 100, sigma: 0.1, kappa: 0 }), null);

  // At the knee X is 90 % of λN.
  const n = uslKneeConcurrency(p)!;
  assert.ok(Math.abs(uslThroughput(p, n) / (p.lambda * n) - 0.9) < 1e-12);
  const amdahl = uslKneeConcurrency({ lambda: 100, sigma: 0.1, kappa: 0 })!;
  assert.ok(Math.abs(amdahl - (1 + 1 / 9 / 0.1)) < 1e-12);
});

test('the fit minimises the squared error on X: no nearby parameters do better', () => {
  const points = curve({ lambda: 400, sigma: 0.08, kappa: 0.004 }, 1, 30, [0.01, -0.008, 0.004, -0.01, 0.009, 0.002, -0.006, 0.007]);
  const fit = fitUsl(points)!;
  const sse = (p: UslParams) => points.reduce((s, q) => s + (q.throughput - uslThroughput(p, q.concurrency)) ** 2, 0);
  const best = sse(fit);
  for (const d of [0.999, 1.001]) {
    assert.ok(sse({ ...fit, lambda: fit.lambda * d }) >= best * (1 - 1e-9));
    assert.ok(sse({ ...fit, sigma: fit.sigma * d }) >= best * (1 - 1e-9));
    assert.ok(sse({ ...fit, kappa: fit.kappa * d }) >= best * (1 - 1e-9));
  }
});
