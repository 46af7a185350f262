// Scenario builders with k6's defaults, so tests only spell out what they are about.
import type {
  ConstantArrivalRate,
  RampingArrivalRate,
  RampingVus,
  Stage,
  SharedIterations,
  PerVuIterations,
  ConstantVus,
} from '../../../src/plan/types.ts';

const common = { startTimeMs: 0, gracefulStopMs: 30_000, exec: 'default', tags: {}, env: {}, flow: null };

export const stages = (...pairs: Array<[durationMs: number, target: number]>): Stage[] =>
  pairs.map(([durationMs, target]) => ({ durationMs, target }));

export function constantRate(o: Partial<ConstantArrivalRate> = {}): ConstantArrivalRate {
  return {
    ...common,
    executor: 'constant-arrival-rate',
    rate: 10,
    timeUnitMs: 1000,
    durationMs: 1000,
    preAllocatedVUs: 10,
    maxVUs: 10,
    ...o,
  };
}
export function rampingRate(o: Partial<RampingArrivalRate> = {}): RampingArrivalRate {
  return { ...common, executor: 'ramping-arrival-rate', startRate: 0, timeUnitMs: 1000, stages: [], preAllocatedVUs: 10, maxVUs: 10, ...o };
}
export function rampingVus(o: Partial<RampingVus> = {}): RampingVus {
  return { ...common, executor: 'ramping-vus', startVUs: 1, stages: [], gracefulRampDownMs: 30_000, ...o };
}
export function sharedIterations(o: Partial<SharedIterations> = {}): SharedIterations {
  return { ...common, executor: 'shared-iterations', vus: 1, iterations: 1, maxDurationMs: 600_000, ...o };
}
export function perVuIterations(o: Partial<PerVuIterations> = {}): PerVuIterations {
  return { ...common, executor: 'per-vu-iterations', vus: 1, iterations: 1, maxDurationMs: 600_000, ...o };
}
export function constantVus(o: Partial<ConstantVus> = {}): ConstantVus {
  return { ...common, executor: 'constant-vus', vus: 1, durationMs: 1000, ...o };
}

/** Drains a schedule (bounded, so a bug cannot hang the test). */
export function drain(sched: { next(): number }, max = 1_000_000): number[] {
  const out: number[] = [];
  for (let k = 0; k < max; k++) {
    const t = sched.next();
    if (t === Infinity) return out;
    out.push(t);
  }
  throw new Error(`schedule did not end within ${max} starts`);
}
