// Statistics for comparing runs: the Mann–Whitney U test (is the difference more than noise?) and
// bootstrap confidence intervals (how big is it, give or take?). Hand-written: the few functions
// needed are short, and no new dependency was cleared for them (the small npm statistics packages
// give no Mann–Whitney p-value with tie correction and an exact small-sample distribution).
// Checked against scipy.stats in test/analysis/stats.test.ts.

export class StatsInputError extends RangeError {
  override name = 'StatsInputError';
}

function assertFinite(xs: readonly number[], what: string): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) throw new StatsInputError(`${what}: value ${i} is ${xs[i]}, expected a finite number`);
  }
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Quantile of an ascending array, linear interpolation between order statistics (R type 7, numpy default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new StatsInputError(`quantile: q must be within [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const frac = h - lo;
  const a = sorted[lo]!;
  if (frac === 0 || lo + 1 >= n) return a;
  const b = sorted[lo + 1]!;
  // Equal neighbours (or two infinities) need no interpolation, and Infinity − Infinity would be NaN.
  return a === b ? a : a + (b - a) * frac;
}

/** Quantile q (0..1) of unsorted values (type 7). NaN for an empty sample. */
export function quantile(xs: readonly number[], q: number): number {
  const sorted = Float64Array.from(xs).sort();
  return quantileSorted(sorted, q);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/**
 * (after − before) / before, the change as a share of the baseline (0.15 = +15 %). 0 → 0 is no
 * change; 0 → anything else is an infinite relative change (callers decide what that means).
 */
export function relativeChange(before: number, after: number): number {
  if (before === after) return 0;
  if (before === 0) return after > 0 ? Infinity : -Infinity;
  return (after - before) / Math.abs(before);
}

/**
 * erfc(x), Numerical Recipes' Chebyshev fit (fractional error < 1.2e-7 everywhere), which keeps
 * small p-values accurate in relative terms (1 − erf would lose them).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/** Largest sample size (each side) for which the exact null distribution of U is used. */
export const EXACT_MAX_N = 20;

const exactCache = new Map<string, Float64Array>();

/**
 * Null distribution of U for sizes m, n without ties, as counts: the number of arrangements with
 * U = k is the coefficient of q^k in the Gaussian binomial [m+n choose m]_q = Π_{i=1..m}
 * (1 − q^{n+i}) / (1 − q^i). Counts stay below C(40, 20) ≈ 1.4e11: exact in doubles.
 */
function exactUCounts(m: number, n: number): Float64Array {
  if (m > n) [m, n] = [n, m];
  const key = `${m},${n}`;
  const hit = exactCache.get(key);
  if (hit) return hit;
  const size = m * n + 1;
  let poly = new Float64Array(size);
  poly[0] = 1;
  for (let i = 1; i <= m; i++) {
    const next = new Float64Array(size);
    // × (1 − q^{n+i})
    for (let k = 0; k < size; k++) next[k] = poly[k]! - (k >= n + i ? poly[k - n - i]! : 0);
    // ÷ (1 − q^i): b[k] = a[k] + b[k − i] (the division is exact: the result is a polynomial)
    for (let k = i; k < size; k++) next[k] = next[k]! + next[k - i]!;
    poly = next;
  }
  exactCache.set(key, poly);
  return poly;
}

export interface MannWhitneyResult {
  /** U of the first sample: pairs (a_i, b_j) with a_i > b_j, ties counting ½. u(a,b) + u(b,a) = n1·n2. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'asymptotic';
}

export interface MannWhitneyOptions {
  /** 'auto' (default): exact when both samples have ≤ EXACT_MAX_N values and there are no ties. */
  method?: 'auto' | 'exact' | 'asymptotic';
}

/**
 * Two-sided Mann–Whitney U test (Wilcoxon rank-sum): are values of one sample systematically larger
 * than the other's? Exact null distribution for small samples without ties, else the normal
 * approximation with tie correction and continuity correction — both as scipy.stats.mannwhitneyu.
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[], opts: MannWhitneyOptions = {}): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new StatsInputError(`mannWhitneyU: both samples need at least one value (got ${n1} and ${n2})`);
  assertFinite(a, 'mannWhitneyU sample a');
  assertFinite(b, 'mannWhitneyU sample b');
  const n = n1 + n2;
  // Midranks of the pooled sample; tie groups feed the variance correction.
  const pooled = new Array<{ v: number; fromA: boolean }>(n);
  for (let i = 0; i < n1; i++) pooled[i] = { v: a[i]!, fromA: true };
  for (let j = 0; j < n2; j++) pooled[n1 + j] = { v: b[j]!, fromA: false };
  pooled.sort((x, y) => x.v - y.v);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1]!.v === pooled[i]!.v) j++;
    const t = j - i + 1;
    const midrank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pooled[k]!.fromA) rankSumA += midrank;
    if (t > 1) tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const uMin = Math.min(u, n1 * n2 - u);
  const method = opts.method ?? 'auto';
  const exact = method === 'exact' || (method === 'auto' && tieTerm === 0 && n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N);
  if (exact) {
    if (tieTerm !== 0) throw new StatsInputError('mannWhitneyU: the exact method needs samples without ties');
    // Counts reach C(n1 + n2, n1) ≤ C(56, 28) ≈ 7.6e15 < 2^53: beyond 56 values they would not be exact.
    if (n > 56) throw new StatsInputError(`mannWhitneyU: the exact method is limited to 56 values in all, got ${n}`);
    const counts = exactUCounts(n1, n2);
    let total = 0;
    let below = 0;
    for (let k = 0; k < counts.length; k++) {
      total += counts[k]!;
      if (k <= uMin) below += counts[k]!;
    }
    // The null distribution is symmetric: two-sided p = 2·P(U ≤ min(U1, U2)).
    return { u, p: Math.min(1, (2 * below) / total), method: 'exact' };
  }
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, p: 1, method: 'asymptotic' }; // every value tied: no evidence at all
  const z = (Math.abs(u - mu) - 0.5) / Math.sqrt(variance);
  return { u, p: Math.min(1, Math.max(0, 2 * normalSf(z))), method: 'asymptotic' };
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)); good enough for resampling. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  iterations?: number;
  /** Coverage of the interval, 0..1 (default 0.95). */
  confidence?: number;
  /** PRNG seed: the same seed and inputs give the same interval (default 1). */
  seed?: number;
}

export interface BootstrapInterval {
  /** relativeChange(stat(a), stat(b)) on the samples as given. */
  estimate: number;
  low: number;
  high: number;
}

/**
 * Percentile-bootstrap confidence interval of the relative change of a statistic from sample a
 * (baseline) to sample b (current): a and b are resampled independently with replacement, and the
 * interval is the central `confidence` share of the resampled changes. Resamples whose change is
 * undefined (0 → 0 is 0; x → y/0 cannot happen, stat(a) = 0 gives ±Infinity) keep their infinite
 * value, so a bound may be ±Infinity. A percentile interval can miss the point estimate for a
 * discrete statistic on small samples; it is then widened to include it.
 */
export function bootstrapCI(
  a: readonly number[],
  b: readonly number[],
  stat: (xs: readonly number[]) => number,
  opts: BootstrapOptions = {},
): BootstrapInterval {
  const iterations = opts.iterations ?? 2000;
  const confidence = opts.confidence ?? 0.95;
  const seed = opts.seed ?? 1;
  if (a.length === 0 || b.length === 0)
    throw new StatsInputError(`bootstrapCI: both samples need at least one value (got ${a.length} and ${b.length})`);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new StatsInputError(`bootstrapCI: iterations must be a whole number ≥ 1, got ${iterations}`);
  if (!(confidence > 0 && confidence < 1)) throw new StatsInputError(`bootstrapCI: confidence must be within (0, 1), got ${confidence}`);
  const estimate = relativeChange(stat(a), stat(b));
  const random = seededRandom(seed);
  const bufA = new Array<number>(a.length);
  const bufB = new Array<number>(b.length);
  const changes: number[] = [];
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < a.length; i++) bufA[i] = a[Math.floor(random() * a.length)]!;
    for (let i = 0; i < b.length; i++) bufB[i] = b[Math.floor(random() * b.length)]!;
    const c = relativeChange(stat(bufA), stat(bufB));
    if (!Number.isNaN(c)) changes.push(c);
  }
  if (changes.length === 0 || Number.isNaN(estimate)) return { estimate, low: NaN, high: NaN };
  const sorted = Float64Array.from(changes).sort();
  const tail = (1 - confidence) / 2;
  const low = quantileSorted(sorted, tail);
  const high = quantileSorted(sorted, 1 - tail);
  return { estimate, low: Math.min(low, estimate), high: Math.max(high, estimate) };
}
