// Evaluating a fitted Universal Scalability Law for the charts (the fit itself is analysis/usl.ts).
import type { CapacityModel } from '../../record/assessment-record.ts';
import { num } from './safe.ts';

/** X(N) = λN / (1 + σ(N−1) + κN(N−1)) in req/s; N = requests in the system (Little's law). */
export function uslThroughput(lambda: number, sigma: number, kappa: number, n: number): number {
  const den = 1 + sigma * (n - 1) + kappa * n * (n - 1);
  return den > 0 ? (lambda * n) / den : NaN;
}

export interface UslPoint {
  concurrency: number;
  throughput: number;
  /** Mean latency by Little's law, R = N / X (ms). */
  latencyMs: number;
}

/** `steps` + 1 evenly spaced samples of the fitted curve for N in (0, nMax]; [] for an unusable model. */
export function uslCurve(model: Pick<CapacityModel, 'lambda' | 'sigma' | 'kappa'>, nMax: number, steps = 80): UslPoint[] {
  const lambda = num(model.lambda);
  const sigma = num(model.sigma);
  const kappa = num(model.kappa);
  if (lambda === null || sigma === null || kappa === null || !(lambda > 0) || !(nMax > 0)) return [];
  const out: UslPoint[] = [];
  const n0 = Math.min(1, nMax / steps);
  for (let i = 0; i <= steps; i++) {
    const n = n0 + ((nMax - n0) * i) / steps;
    const x = uslThroughput(lambda, sigma, kappa, n);
    if (Number.isFinite(x) && x > 0) out.push({ concurrency: n, throughput: x, latencyMs: (n / x) * 1000 });
  }
  return out;
}
