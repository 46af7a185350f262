// Capacity planning (ASSESSMENT-RULES.md §7) from the stress phase's staircase: the Universal Scalability Law fitted
// to (concurrency from Little's law, achieved throughput), the measured sustainable rate, the knee,
// and — with a growth rate — when the load will outgrow it and how many instances a target needs.
//
// Which steps the fit uses, and why:
// - A step whose achieved rate fell below 90 % of the offered rate (or that dropped > 10 % of its
//   iterations) did not keep up: its queue grew during the step, so it was not in a steady state and
//   Little's law there measures the backlog, not the concurrency the service worked at. In an open
//   (arrival-rate) test every step past capacity is like that, so it and every later step are left
//   out of the fit (the service carries the backlog into them); it still marks the knee.
// - A step whose error share exceeds the SLO's is left out: failures are counted as throughput and
//   usually fail fast, so they would flatter both X and the latency.
// - Steps without completed requests or with non-finite figures are left out.
import type { CapacityModel, Slo, StressStep } from '../record/assessment-record.ts';
import { fitUsl, MIN_USL_POINTS, uslPeak, type UslFit } from './usl.ts';

export interface GrowthInput {
  /** Load growth per quarter in percent (20 = 20 %/quarter). */
  percentPerQuarter: number;
  /** Today's load (req/s) the growth starts from. */
  currentRps: number;
  /** A load to size for (req/s), if any. */
  targetRps: number | null;
}

/** Achieved at least this share of offered = the step kept up (the stress phase's plateau share). */
export const KEEP_UP_SHARE = 0.9;
/** Throughput below this share of linear scaling λN = the knee has been passed. */
export const LINEAR_SHARE = 0.9;
/** Dropped iterations above this share of a step's offered iterations = it did not keep up. */
export const DROPPED_SHARE = 0.1;
/** A quarter of a mean Gregorian year (365.25 days / 4), in ms: growth is continuous compounding of it. */
export const QUARTER_MS = (365.25 / 4) * 86_400_000;
/** exceedsAt is null when the load would outgrow capacity only after this many quarters (10 years). */
export const GROWTH_HORIZON_QUARTERS = 40;
/** A model peak beyond this multiple of the largest measured concurrency is not reported. */
export const PEAK_EXTRAPOLATION = 2;

export class CapacityInputError extends Error {
  override name = 'CapacityInputError';
}

export type StepClass = 'unusable' | 'behind' | 'errors' | 'steady';

export function classifyStep(step: StressStep, slo: Slo): StepClass {
  const nums = [step.offeredRate, step.achievedRate, step.concurrency];
  if (!nums.every(Number.isFinite) || step.achievedRate <= 0 || step.concurrency <= 0) return 'unusable';
  const seconds = Math.max(1, step.toSecond - step.fromSecond + 1);
  if (step.achievedRate < KEEP_UP_SHARE * step.offeredRate) return 'behind';
  if (step.droppedIterations > DROPPED_SHARE * step.offeredRate * seconds) return 'behind';
  if (step.errorRate > slo.errorRate) return 'errors';
  return 'steady';
}

/** The steps the USL is fitted to (see the file comment), in staircase (time) order. */
export function fitSteps(steps: readonly StressStep[], slo: Slo): StressStep[] {
  const used: StressStep[] = [];
  for (const s of inTimeOrder(steps)) {
    const c = classifyStep(s, slo);
    if (c === 'behind') break;
    if (c === 'steady') used.push(s);
  }
  return used;
}

export function buildCapacity(
  steps: readonly StressStep[],
  slo: Slo,
  growth: GrowthInput | null,
  now: Date = new Date(),
): CapacityModel | null {
  const used = fitSteps(steps, slo);
  if (used.length < MIN_USL_POINTS) return null;
  const points = used.map((s) => ({ concurrency: s.concurrency, throughput: s.achievedRate }));
  const fit = fitUsl(points);
  if (!fit) return null;

  const maxN = Math.max(...points.map((p) => p.concurrency));
  const peak = uslPeak(fit);
  const shownPeak = peak && peak.concurrency <= PEAK_EXTRAPOLATION * maxN ? peak : null;

  let best: StressStep | null = null;
  for (const s of steps) {
    if (s.sloOk && Number.isFinite(s.achievedRate) && s.achievedRate > 0 && (!best || s.achievedRate > best.achievedRate)) best = s;
  }
  const sustainableRps = best ? best.achievedRate : null;

  return {
    model: 'usl',
    lambda: fit.lambda,
    sigma: fit.sigma,
    kappa: fit.kappa,
    r2: fit.r2,
    fitQuality: fitQuality(fit.r2, points.length),
    points,
    peakThroughputRps: shownPeak ? shownPeak.throughput : null,
    peakConcurrency: shownPeak ? shownPeak.concurrency : null,
    sustainableRps,
    sustainableConcurrency: best && Number.isFinite(best.concurrency) ? best.concurrency : null,
    kneeRps: kneeRps(steps, slo, fit),
    growth: growth ? projectGrowth(growth, sustainableRps, now) : null,
  };
}

/**
 * good: r² ≥ 0.95 on ≥ 5 points; fair: r² ≥ 0.8 on ≥ 4; otherwise poor. Three points fit three
 * parameters almost exactly whatever the system does, so they never make more than a poor fit.
 */
export function fitQuality(r2: number, points: number): CapacityModel['fitQuality'] {
  if (r2 >= 0.95 && points >= 5) return 'good';
  if (r2 >= 0.8 && points >= 4) return 'fair';
  return 'poor';
}

/**
 * The knee, from the measured steps: the achieved rate of the last step that still scaled linearly
 * before the first one that did not. Linear: the step kept up with its offered rate and its
 * throughput is at least 90 % of the fitted linear scaling λN at its concurrency (equivalently, its
 * mean latency is within 1/0.9 of the model's uncontended 1/λ). Null when every step scaled linearly
 * (no knee within the tested range) or the very first did not (it lies below the range). The steps,
 * not the curve, give the figure: between two steps the curve is the model's guess, and a step that
 * fell behind its offered rate has no steady-state concurrency for the model to place.
 */
export function kneeRps(steps: readonly StressStep[], slo: Slo, fit: UslFit): number | null {
  let lastLinear: StressStep | null = null;
  for (const s of inTimeOrder(steps)) {
    const c = classifyStep(s, slo);
    if (c === 'unusable' || c === 'errors') continue;
    const linear = c === 'steady' && s.achievedRate >= LINEAR_SHARE * fit.lambda * s.concurrency;
    if (!linear) return lastLinear ? lastLinear.achievedRate : null;
    lastLinear = s;
  }
  return null;
}

/**
 * load(t) = currentRps · (1 + g)^(t / quarter), g = percentPerQuarter / 100. exceedsAt is the moment
 * the load reaches sustainableRps (it exceeds it from then on): now when it already does, null when
 * it never does within GROWTH_HORIZON_QUARTERS or capacity is unknown (no step met the SLO).
 * instancesNeeded = ceil(targetRps / sustainableRps), assuming linear scale-out: each instance adds
 * the capacity one instance measured (real scale-out is at best that; shared databases make it less).
 */
export function projectGrowth(growth: GrowthInput, sustainableRps: number | null, now: Date): NonNullable<CapacityModel['growth']> {
  const { percentPerQuarter: pct, currentRps, targetRps } = growth;
  if (!Number.isFinite(pct) || pct <= -100)
    throw new CapacityInputError(`growth.percentPerQuarter: expected a number above -100, got ${pct}`);
  if (!Number.isFinite(currentRps) || currentRps < 0)
    throw new CapacityInputError(`growth.currentRps: expected a number ≥ 0, got ${currentRps}`);
  if (targetRps !== null && !(Number.isFinite(targetRps) && targetRps > 0))
    throw new CapacityInputError(`growth.targetRps: expected a number > 0 or null, got ${targetRps}`);
  if (Number.isNaN(now.getTime())) throw new CapacityInputError('now: invalid date');
  return {
    percentPerQuarter: pct,
    currentRps,
    exceedsAt: exceedsAt(pct / 100, currentRps, sustainableRps, now),
    targetRps,
    instancesNeeded: targetRps !== null && sustainableRps !== null && sustainableRps > 0 ? instancesFor(targetRps, sustainableRps) : null,
  };
}

function exceedsAt(g: number, current: number, capacity: number | null, now: Date): string | null {
  if (capacity === null || current <= 0) return null;
  if (current > capacity) return now.toISOString();
  if (g <= 0) return null;
  const quarters = Math.log(capacity / current) / Math.log1p(g);
  if (!(quarters <= GROWTH_HORIZON_QUARTERS)) return null;
  // Whole seconds: the floating-point logarithms must not make a fixed input's date wobble by a ms.
  const ms = Math.round((quarters * QUARTER_MS) / 1000) * 1000;
  return new Date(now.getTime() + ms).toISOString();
}

/** ceil(target / perInstance), at least 1, immune to 1.1 / 0.1 = 11.000000000000002. */
export function instancesFor(targetRps: number, perInstanceRps: number): number {
  const ratio = targetRps / perInstanceRps;
  return Math.max(1, Math.ceil(ratio * (1 - 1e-12)));
}

function inTimeOrder(steps: readonly StressStep[]): StressStep[] {
  return [...steps].sort((a, b) => a.fromSecond - b.fromSecond);
}
