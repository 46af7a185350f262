// Gunther's Universal Scalability Law, X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted to measured
// (concurrency, throughput) points. λ: throughput per unit of concurrency without contention;
// σ: contention (serialised share, Amdahl); κ: coherency (crosstalk: throughput goes retrograde).
//
// Method: least squares on X (what r² is reported on), by Levenberg–Marquardt with bounds
// λ > 0, 0 ≤ σ ≤ 1, 0 ≤ κ ≤ 1 (the bounds the R `usl` package gives its solvers; they also keep the
// denominator > 0 for every N > 0). Starting points come from Gunther's linearisation: with λ
// estimated from the low-load points, λN/X − 1 = σ(N−1) + κN(N−1) is linear in σ and κ. The
// boundary sub-models (linear, Amdahl-only κ = 0, coherency-only σ = 0) are fitted too and the
// least-squares best of all is kept, so a local minimum or a stalled bound cannot win.
// Hand-written rather than a library: three parameters, a few dozen points, and the bounds matter.

export interface UslPoint {
  /** Requests in the system (Little's law: throughput × mean latency). */
  concurrency: number;
  /** Completed requests per second. */
  throughput: number;
}

export interface UslParams {
  lambda: number;
  sigma: number;
  kappa: number;
}

export interface UslFit extends UslParams {
  /** Coefficient of determination of the fitted X against the measured X, clamped to 0..1. */
  r2: number;
}

/** Fewer points than parameters cannot say anything; the fit needs three distinct concurrencies. */
export const MIN_USL_POINTS = 3;

const SIGMA_MAX = 1;
const KAPPA_MAX = 1;
const MAX_ITERATIONS = 300;

export function uslThroughput(p: UslParams, n: number): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/** The retrograde maximum N* = √((1−σ)/κ) and X(N*); null when κ = 0 (no maximum, X only levels off). */
export function uslPeak(p: UslParams): { concurrency: number; throughput: number } | null {
  if (!(p.kappa > 0) || p.sigma >= 1) return null;
  const n = Math.sqrt((1 - p.sigma) / p.kappa);
  return { concurrency: n, throughput: uslThroughput(p, n) };
}

/**
 * The concurrency (≥ 1) where the model's throughput falls to `efficiency` × linear scaling λN:
 * σ(N−1) + κN(N−1) = 1/efficiency − 1. Null when the model scales linearly (σ = κ = 0).
 */
export function uslKneeConcurrency(p: UslParams, efficiency = 0.9): number | null {
  const excess = 1 / efficiency - 1;
  const a = p.kappa;
  const b = p.sigma - p.kappa;
  const c = -p.sigma - excess;
  if (a > 0) return Math.max(1, (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a));
  if (p.sigma > 0) return Math.max(1, 1 + excess / p.sigma);
  return null;
}

export function fitUsl(points: readonly UslPoint[]): UslFit | null {
  const pts = points.filter(
    (p) => Number.isFinite(p.concurrency) && Number.isFinite(p.throughput) && p.concurrency > 0 && p.throughput > 0,
  );
  if (pts.length < MIN_USL_POINTS) return null;
  const distinct = new Set(pts.map((p) => p.concurrency.toPrecision(9)));
  if (distinct.size < MIN_USL_POINTS) return null;

  // Work on X / max X so λ is of order 1 / N whatever the service's speed; undone at the end.
  const scale = Math.max(...pts.map((p) => p.throughput));
  const n = pts.map((p) => p.concurrency);
  const x = pts.map((p) => p.throughput / scale);

  const linear = linearLambda(n, x);
  const tries: Array<{ start: number[]; free: boolean[] }> = [{ start: [linear, 0, 0], free: [true, false, false] }];
  for (const s of startingPoints(n, x)) {
    tries.push({ start: s, free: [true, true, true] });
    tries.push({ start: [s[0]!, s[1]!, 0], free: [true, true, false] });
    tries.push({ start: [s[0]!, 0, s[2]!], free: [true, false, true] });
  }
  let b = levenbergMarquardt(n, x, tries[0]!.start, tries[0]!.free);
  for (const t of tries.slice(1)) {
    const fitted = levenbergMarquardt(n, x, t.start, t.free);
    // Only a clearly better fit displaces a simpler one found earlier.
    if (fitted.sse < b.sse * (1 - 1e-9)) b = fitted;
  }
  // A coefficient whose whole effect over the measured range is below 1e-9 is noise in the last
  // digits: zero it, so exactly linear data says "no contention, no peak" rather than κ = 1e-19.
  const span = Math.max(...n.map((v) => Math.abs(v - 1)));
  const top = Math.max(...n);
  if (b.p[1]! * span < 1e-9) b.p[1] = 0;
  if (b.p[2]! * top * span < 1e-9) b.p[2] = 0;
  b.sse = sse(n, x, b.p);
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const sst = x.reduce((s, v) => s + (v - mean) ** 2, 0);
  const r2 = sst > 0 ? Math.min(1, Math.max(0, 1 - b.sse / sst)) : b.sse <= 1e-24 ? 1 : 0;
  return { lambda: b.p[0]! * scale, sigma: b.p[1]!, kappa: b.p[2]!, r2 };
}

/** λ of the pure linear model X = λN (least squares through the origin). */
function linearLambda(n: number[], x: number[]): number {
  let xy = 0;
  let nn = 0;
  for (let i = 0; i < n.length; i++) {
    xy += x[i]! * n[i]!;
    nn += n[i]! * n[i]!;
  }
  return xy / nn;
}

/**
 * Gunther's linearisation from two estimates of λ: the best X/N seen (the R package's start) and
 * that of the lowest-concurrency point (the least contended). For each, σ and κ from the
 * non-negative least squares of λN/X − 1 on (N−1, N(N−1)).
 */
function startingPoints(n: number[], x: number[]): number[][] {
  const ratios = n.map((v, i) => x[i]! / v);
  let lowest = 0;
  for (let i = 1; i < n.length; i++) if (n[i]! < n[lowest]!) lowest = i;
  const lambdas = [...new Set([Math.max(...ratios), ratios[lowest]!])];
  return lambdas.map((lambda) => {
    const y = n.map((v, i) => (lambda * v) / x[i]! - 1);
    const a = n.map((v) => v - 1);
    const b = n.map((v) => v * (v - 1));
    const [sigma, kappa] = nnls2(a, b, y);
    return [lambda, clamp(sigma, 0, SIGMA_MAX), clamp(kappa, 0, KAPPA_MAX)];
  });
}

/** min ‖y − (s·a + k·b)‖² over s, k ≥ 0: the unconstrained solution, else the best one-sided one. */
function nnls2(a: number[], b: number[], y: number[]): [number, number] {
  const dot = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i]!, 0);
  const aa = dot(a, a);
  const bb = dot(b, b);
  const ab = dot(a, b);
  const ay = dot(a, y);
  const by = dot(b, y);
  const det = aa * bb - ab * ab;
  if (det > 1e-12 * aa * bb) {
    const s = (ay * bb - by * ab) / det;
    const k = (aa * by - ab * ay) / det;
    if (s >= 0 && k >= 0) return [s, k];
  }
  const sOnly = aa > 0 ? Math.max(0, ay / aa) : 0;
  const kOnly = bb > 0 ? Math.max(0, by / bb) : 0;
  const rss = (s: number, k: number) => y.reduce((acc, yi, i) => acc + (yi - s * a[i]! - k * b[i]!) ** 2, 0);
  return rss(sOnly, 0) <= rss(0, kOnly) ? [sOnly, 0] : [0, kOnly];
}

function clamp(v: number, lo: number, hi: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo;
}

const LOWER = [Number.MIN_VALUE, 0, 0];
const UPPER = [Number.POSITIVE_INFINITY, SIGMA_MAX, KAPPA_MAX];

function sse(n: number[], x: number[], p: number[]): number {
  let s = 0;
  for (let i = 0; i < n.length; i++) {
    const r = x[i]! - uslThroughput({ lambda: p[0]!, sigma: p[1]!, kappa: p[2]! }, n[i]!);
    s += r * r;
  }
  return s;
}

/**
 * Projected Levenberg–Marquardt with Marquardt's diagonal scaling (λ, σ and κ differ by orders of
 * magnitude). A parameter on a bound whose descent direction points out of the box is held there
 * for the step (a simple active set), so the others keep moving instead of the step being clipped away.
 */
function levenbergMarquardt(n: number[], x: number[], start: number[], free: boolean[]): { p: number[]; sse: number } {
  let p = start.map((v, j) => clamp(v, LOWER[j]!, UPPER[j]!));
  let cost = sse(n, x, p);
  let damping = 1e-3;
  for (let it = 0; it < MAX_ITERATIONS && damping < 1e16; it++) {
    const jtj = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const jtr = [0, 0, 0];
    for (let i = 0; i < n.length; i++) {
      const ni = n[i]!;
      const d = 1 + p[1]! * (ni - 1) + p[2]! * ni * (ni - 1);
      const f = (p[0]! * ni) / d;
      const row = [ni / d, (-f * (ni - 1)) / d, (-f * ni * (ni - 1)) / d];
      const r = x[i]! - f;
      for (let j = 0; j < 3; j++) {
        jtr[j] += row[j]! * r;
        for (let k = 0; k < 3; k++) jtj[j]![k] += row[j]! * row[k]!;
      }
    }
    // jtr is the descent direction for each parameter (−½ ∂SSE/∂p).
    const active = p.map((v, j) => free[j]! && !((v <= LOWER[j]! && jtr[j]! <= 0) || (v >= UPPER[j]! && jtr[j]! >= 0)));
    const idx = [0, 1, 2].filter((j) => active[j]);
    if (idx.length === 0) break;
    const m = idx.map((j) => idx.map((k) => jtj[j]![k]! + (j === k ? damping * Math.max(jtj[j]![j]!, 1e-300) : 0)));
    const step = solve(
      m,
      idx.map((j) => jtr[j]!),
    );
    if (!step) {
      damping *= 4;
      continue;
    }
    const next = [...p];
    idx.forEach((j, s) => (next[j] = clamp(p[j]! + step[s]!, LOWER[j]!, UPPER[j]!)));
    const nextCost = sse(n, x, next);
    if (Number.isFinite(nextCost) && nextCost <= cost) {
      const gain = cost - nextCost;
      p = next;
      cost = nextCost;
      damping = Math.max(damping / 3, 1e-12);
      if (gain <= 1e-15 * Math.max(cost, 1e-300) || cost === 0) break;
    } else {
      damping *= 4;
    }
  }
  return { p, sse: cost };
}

/** Gaussian elimination with partial pivoting for the (≤ 3 × 3) normal equations; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const size = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < size; c++) {
    let piv = c;
    for (let r = c + 1; r < size; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    if (!(Math.abs(m[piv]![c]!) > 0)) return null;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = c + 1; r < size; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= size; k++) m[r]![k] -= f * m[c]![k]!;
    }
  }
  const out = new Array<number>(size).fill(0);
  for (let r = size - 1; r >= 0; r--) {
    let s = m[r]![size]!;
    for (let k = r + 1; k < size; k++) s -= m[r]![k]! * out[k]!;
    out[r] = s / m[r]![r]!;
  }
  return out.every(Number.isFinite) ? out : null;
}
