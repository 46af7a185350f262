// Intended start times of the arrival-rate executors, the way k6 computes them.
//
// constant-arrival-rate (k6 ConstantArrivalRate.Run): iteration j (0-based) starts at
//   j · timeUnit / rate, the first at 0, for as long as that is before `duration`.
//   k6 truncates the period to whole nanoseconds before multiplying; we multiply first, so
//   iteration j lands on its exact time (k6's drift is < 1 ns per iteration) and j · timeUnit /
//   rate == duration is reliably excluded.
//
// ramping-arrival-rate (k6 RampingArrivalRateConfig.cal): within each stage the rate moves
//   linearly from the previous target (startRate for the first stage) to the stage's target.
//   Iteration i (1-based) starts when the area under the rate curve — iterations "owed" so far —
//   reaches i. So unlike constant-arrival-rate, nothing starts at 0 (the first start of a steady
//   10/s is at 100 ms), and an iteration whose area lands exactly on a stage end is included,
//   even at the very end of the scenario (k6's runtime then races it against the end).
//   We solve area(x) = n with the cancellation-free form x = 2n / (from + √(from² + 2n·Δ/dur))
//   (same root as k6's (from·dur − √(dur·(from²·dur + 2n·Δ))) / (from − to)) and count areas with
//   an exact integer numerator, snapping float noise so a boundary iteration is never lost.
//
// Striping: worker `index` of `count` gets the iterations whose 0-based position p in the whole
// schedule has p % count === index. Every start time is computed from its position alone, so the
// union of the workers' schedules is exactly the single-worker schedule.
//
// next() is on the hot path (every iteration start, up to ~100k/s): it allocates nothing and does
// a handful of float operations; all per-stage values are precomputed in typed arrays.

import type { ConstantArrivalRate, RampingArrivalRate } from '../../plan/types.ts';
import { checkStripe, ScheduleError, shareOf, type Stripe } from './stripe.ts';

export interface ArrivalSchedule {
  /** The next intended start, in ms from the scenario start (fractional), or Infinity when done. */
  next(): number;
  /** 0-based position, in the whole unsplit schedule, of the start last returned (-1 before). */
  readonly lastIndex: number;
  /** How many starts this worker's schedule holds in total. */
  readonly total: number;
}

export function createArrivalSchedule(scenario: ConstantArrivalRate | RampingArrivalRate, stripe: Stripe): ArrivalSchedule {
  checkStripe(stripe, 'createArrivalSchedule');
  return scenario.executor === 'constant-arrival-rate' ? new ConstantSchedule(scenario, stripe) : new RampingSchedule(scenario, stripe);
}

/** Iterations the whole (unsplit) scenario schedules; this worker's share is splitCount(n, stripe). */
export function arrivalIterationCount(scenario: ConstantArrivalRate | RampingArrivalRate): number {
  return scenario.executor === 'constant-arrival-rate' ? constantCount(scenario) : rampingAreas(scenario).total;
}

function checkPositive(v: number, field: string): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new ScheduleError(`arrival schedule: ${field} must be > 0, got ${v}`);
}
function checkNonNegative(v: number, field: string): void {
  if (!(v >= 0) || !Number.isFinite(v)) throw new ScheduleError(`arrival schedule: ${field} must be ≥ 0, got ${v}`);
}

/** Number of j ≥ 0 with j · timeUnit < duration · rate (exact for integer inputs). */
function constantCount(s: ConstantArrivalRate): number {
  checkPositive(s.timeUnitMs, 'timeUnitMs');
  checkNonNegative(s.rate, 'rate');
  checkNonNegative(s.durationMs, 'durationMs');
  const owed = s.durationMs * s.rate;
  let n = Math.ceil(owed / s.timeUnitMs);
  while (n > 0 && (n - 1) * s.timeUnitMs >= owed) n--;
  while (n * s.timeUnitMs < owed) n++;
  return n;
}

class ConstantSchedule implements ArrivalSchedule {
  lastIndex = -1;
  readonly total: number;
  private j: number;
  private readonly step: number;
  private readonly limit: number;
  private readonly timeUnit: number;
  private readonly rate: number;

  constructor(s: ConstantArrivalRate, stripe: Stripe) {
    this.limit = constantCount(s);
    this.total = shareOf(this.limit, stripe);
    this.j = stripe.index;
    this.step = stripe.count;
    this.timeUnit = s.timeUnitMs;
    this.rate = s.rate;
  }

  next(): number {
    const j = this.j;
    if (j >= this.limit) return Infinity;
    this.lastIndex = j;
    this.j = j + this.step;
    return (j * this.timeUnit) / this.rate;
  }
}

interface RampingAreas {
  /** Per stage: start offset (ms), rate at start and end (iterations/ms), duration (ms). */
  start: Float64Array;
  from: Float64Array;
  to: Float64Array;
  dur: Float64Array;
  /** Per stage: cumulative area at its start and at its end (iterations owed). */
  areaBefore: Float64Array;
  areaEnd: Float64Array;
  /** Whether the rate is constant within the stage (compared on the integer targets, like k6). */
  flat: Uint8Array;
  /** Whole iterations the scenario schedules: floor of the final area. */
  total: number;
}

// Float noise in a cumulative area (e.g. a timeUnit of 1000/3 ms) must not drop the iteration
// that lands exactly on a stage boundary.
function snap(area: number): number {
  const r = Math.round(area);
  return Math.abs(area - r) <= 1e-9 * Math.max(1, r) ? r : area;
}

function rampingAreas(s: RampingArrivalRate): RampingAreas {
  checkPositive(s.timeUnitMs, 'timeUnitMs');
  checkNonNegative(s.startRate, 'startRate');
  const n = s.stages.length;
  const a: RampingAreas = {
    start: new Float64Array(n),
    from: new Float64Array(n),
    to: new Float64Array(n),
    dur: new Float64Array(n),
    areaBefore: new Float64Array(n),
    areaEnd: new Float64Array(n),
    flat: new Uint8Array(n),
    total: 0,
  };
  // Area numerator in (target · ms) units: sum of dur · (fromTarget + toTarget); area = num / (2 · timeUnit).
  let num = 0;
  let area = 0;
  let offset = 0;
  let fromTarget = s.startRate;
  for (let k = 0; k < n; k++) {
    const { durationMs, target } = s.stages[k]!;
    checkNonNegative(durationMs, `stages[${k}].durationMs`);
    checkNonNegative(target, `stages[${k}].target`);
    a.start[k] = offset;
    a.from[k] = fromTarget / s.timeUnitMs;
    a.to[k] = target / s.timeUnitMs;
    a.dur[k] = durationMs;
    a.flat[k] = fromTarget === target ? 1 : 0;
    a.areaBefore[k] = area;
    num += durationMs * (fromTarget + target);
    area = snap(num / (2 * s.timeUnitMs));
    a.areaEnd[k] = area;
    offset += durationMs;
    fromTarget = target;
  }
  a.total = Math.floor(area);
  return a;
}

class RampingSchedule implements ArrivalSchedule {
  lastIndex = -1;
  readonly total: number;
  /** 1-based area index of this worker's next iteration. */
  private i: number;
  private s = 0;
  private readonly step: number;
  private readonly a: RampingAreas;

  constructor(sc: RampingArrivalRate, stripe: Stripe) {
    this.a = rampingAreas(sc);
    this.total = shareOf(this.a.total, stripe);
    this.i = stripe.index + 1;
    this.step = stripe.count;
  }

  next(): number {
    const a = this.a;
    const i = this.i;
    const stages = a.dur.length;
    let s = this.s;
    while (s < stages && i > a.areaEnd[s]!) s++;
    this.s = s;
    if (s === stages) return Infinity;

    const n = i - a.areaBefore[s]!;
    const from = a.from[s]!;
    const dur = a.dur[s]!;
    let x: number;
    if (a.flat[s] === 1) {
      x = n / from;
    } else {
      const disc = from * from + (2 * n * (a.to[s]! - from)) / dur;
      x = (2 * n) / (from + Math.sqrt(Math.max(disc, 0)));
    }
    if (x > dur) x = dur; // float noise on the last iteration of a stage
    this.lastIndex = i - 1;
    this.i = i + this.step;
    return a.start[s]! + x;
  }
}
