// Evaluating a fitted Universal Scalability Law for the charts (the fit itself is analysis/usl.ts).
import type { CapacityModel } from '../../record/assessment-record.ts';
import { uslThroughput as uslModel } from '../../analysis/usl.ts';
import { num } from './safe.ts';

/**
 * X(N) in req/s for N requests in the system (Little's law). Below one request in the system nothing
 * contends, so X = λN there: the USL's σ(N−1) and κN(N−1) terms turn negative for N < 1 and made the
 * mean latency N/X fall below the uncontended 1/λ at low rates (the curve dipped under the points).
 */
export function uslThroughput(lambda: number, sigma: number, kappa: number, n: number): number {
  if (n <= 1) return lambda * n;
  return uslModel({ lambda, sigma, kappa }, n);
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
