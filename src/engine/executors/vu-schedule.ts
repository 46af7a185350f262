// How many VUs a ramping-vus scenario runs at each moment, the way k6 plans it
// (RampingVUsConfig.getRawExecutionSteps / GetExecutionRequirements).
//
// Within a stage the VU count follows the straight line from the previous target (startVUs for
// the first stage) to the stage's target, one VU at a time: it becomes L exactly when the line
// crosses L, at stageEnd − dur · (target − L) / (target − from). So while ramping up the count is
// the line rounded down, while ramping down it is rounded up (a VU stops only once the line has
// passed below it). A zero-duration stage jumps at once. At the scenario's end the count drops to 0.
//
// Graceful ramp-down: a VU removed by a ramp-down may finish its iteration for up to
// gracefulRampDown. k6 expresses this as a second list, the "graceful" steps: the number of VUs
// still allowed to exist (running or finishing) — never above an earlier peak, cut off at
// duration + gracefulStop. The runtime asks VUs to stop gracefully when the raw count drops, and
// hard-stops them when the graceful count drops.
//
// Striping: VU number n (1-based) belongs to worker (n − 1) % count, so a worker's count at any
// time is splitCount(total count) and the workers' counts always add up to the single schedule.
// This is exactly k6's split for equal execution segments (its tests' values are ours).

import type { RampingVus } from '../../plan/types.ts';
import { checkStripe, ScheduleError, shareOf, WHOLE, type Stripe } from './stripe.ts';

export interface VuStep {
  /** Offset from the scenario start, ms (may be fractional). */
  atMs: number;
  /** VU count from this moment on (until the next step). */
  vus: number;
}

export interface RampingVusPlan {
  /** When to start / gracefully stop VUs: the raw steps, ending with 0 at the scenario's duration. */
  steps: VuStep[];
  /** When to hard-stop VUs still finishing an iteration: the graceful steps, ending with 0. */
  gracefulSteps: VuStep[];
  /** The most VUs this worker ever needs at once. */
  maxVUs: number;
  /** Sum of the stage durations: no VU starts an iteration after this. */
  durationMs: number;
  /** When the last VU must be gone (offset from the scenario start). */
  maxEndMs: number;
}

function checkRampingVus(s: RampingVus): void {
  const bad = (field: string, v: number): never => {
    throw new ScheduleError(`ramping-vus: ${field} must be a non-negative ${field.endsWith('Ms') ? 'number' : 'integer'}, got ${v}`);
  };
  if (!Number.isSafeInteger(s.startVUs) || s.startVUs < 0) bad('startVUs', s.startVUs);
  if (!(s.gracefulRampDownMs >= 0)) bad('gracefulRampDownMs', s.gracefulRampDownMs);
  if (!(s.gracefulStopMs >= 0)) bad('gracefulStopMs', s.gracefulStopMs);
  s.stages.forEach((st, k) => {
    if (!(st.durationMs >= 0) || !Number.isFinite(st.durationMs)) bad(`stages[${k}].durationMs`, st.durationMs);
    if (!Number.isSafeInteger(st.target) || st.target < 0) bad(`stages[${k}].target`, st.target);
  });
}

function sumDurations(s: RampingVus): number {
  let total = 0;
  for (const st of s.stages) total += st.durationMs;
  return total;
}

/**
 * k6's raw execution steps for this worker: a step whenever its VU count changes (several steps
 * may share an offset when a zero-duration stage jumps). With zeroEnd, a final step to 0 VUs at
 * the scenario's duration.
 */
export function rampingVusRawSteps(s: RampingVus, stripe: Stripe = WHOLE, zeroEnd = true): VuStep[] {
  checkStripe(stripe, 'rampingVusRawSteps');
  checkRampingVus(s);
  const steps: VuStep[] = [{ atMs: 0, vus: shareOf(s.startVUs, stripe) }];
  const add = (atMs: number, total: number): void => {
    const vus = shareOf(total, stripe);
    if (steps[steps.length - 1]!.vus !== vus) steps.push({ atMs, vus });
  };
  let from = s.startVUs;
  let end = 0;
  for (const { durationMs: dur, target } of s.stages) {
    end += dur;
    const diff = target - from;
    if (diff === 0) continue;
    if (dur === 0) {
      add(end, target);
    } else if (diff > 0) {
      for (let level = from + 1; level <= target; level++) add(end - (dur * (target - level)) / diff, level);
    } else {
      for (let level = from - 1; level >= target; level--) add(end - (dur * (target - level)) / diff, level);
    }
    from = target;
  }
  if (zeroEnd && steps[steps.length - 1]!.vus !== 0) steps.push({ atMs: end, vus: 0 });
  return steps;
}

/**
 * k6's GetExecutionRequirements for ramping-vus: how many VUs may exist (running or finishing an
 * iteration after a ramp-down) at each moment, ending with 0 at the latest at duration + gracefulStop.
 */
export function rampingVusGracefulSteps(s: RampingVus, stripe: Stripe = WHOLE): VuStep[] {
  let steps = rampingVusRawSteps(s, stripe, false);
  const endOffset = sumDurations(s) + s.gracefulStopMs;
  if (s.gracefulRampDownMs > 0) steps = reserveForGracefulRampDown(steps, s.gracefulRampDownMs, endOffset);
  if (steps[steps.length - 1]!.vus !== 0) steps.push({ atMs: endOffset, vus: 0 });
  return steps;
}

// After each drop in the raw count, keep the previous count for gracefulRampDown unless the raw
// count climbs back to it within that window (then the window is moot). Never adds a step at or
// after endOffset: the caller closes the list there.
function reserveForGracefulRampDown(raw: VuStep[], grace: number, endOffset: number): VuStep[] {
  const out: VuStep[] = [];
  let held = 0;
  let furthestDownIdx = 0; // end of the last downward run seen, to skip re-scanning it
  for (let r = 0; r < raw.length; r++) {
    const step = raw[r]!;
    if (r === 0 || step.vus > held) {
      out.push(step);
      held = step.vus;
      continue;
    }
    if (step.vus === held) continue;

    const until = step.atMs + grace;
    let recovered = false;
    let stillDown = true;
    for (let a = Math.max(r + 1, furthestDownIdx); a < raw.length; a++) {
      const ahead = raw[a]!;
      if (ahead.atMs > until) break;
      if (ahead.vus >= held) {
        r = a - 1; // resume at the step that climbs back
        recovered = true;
        break;
      }
      if (stillDown) {
        if (raw[a - 1]!.vus > ahead.vus) furthestDownIdx = a;
        else stillDown = false;
      }
    }
    if (recovered) continue;
    if (until >= endOffset) break;
    out.push({ atMs: until, vus: step.vus });
    held = step.vus;
  }
  return out;
}

/** Everything the runtime needs to drive one worker's share of a ramping-vus scenario. */
export function splitRampingVus(s: RampingVus, stripe: Stripe): RampingVusPlan {
  const steps = rampingVusRawSteps(s, stripe, true);
  const gracefulSteps = rampingVusGracefulSteps(s, stripe);
  let maxVUs = 0;
  for (const st of gracefulSteps) if (st.vus > maxVUs) maxVUs = st.vus;
  const durationMs = sumDurations(s);
  const gracefulEnd = gracefulSteps[gracefulSteps.length - 1]!.atMs;
  return { steps, gracefulSteps, maxVUs, durationMs, maxEndMs: Math.max(durationMs, gracefulEnd) };
}

/**
 * The VU count at tMs (offset from the scenario start) on this worker: the same value as the last
 * raw step at or before tMs, computed in O(stages) without building the steps. 0 before the start
 * and from the scenario's duration on.
 */
export function vuCountAt(s: RampingVus, tMs: number, stripe: Stripe = WHOLE): number {
  checkStripe(stripe, 'vuCountAt');
  if (!(tMs >= 0)) return 0;
  let from = s.startVUs;
  let end = 0;
  for (const { durationMs: dur, target } of s.stages) {
    const start = end;
    end += dur;
    if (tMs < end) {
      const diff = target - from;
      if (diff === 0) return shareOf(from, stripe);
      // Same crossing-time formula as the raw steps, so both agree to the last bit.
      const crossing = (level: number): number => end - (dur * (target - level)) / diff;
      const along = (diff * (tMs - start)) / dur;
      let level: number;
      if (diff > 0) {
        level = Math.min(target, Math.max(from, from + Math.floor(along)));
        while (level < target && crossing(level + 1) <= tMs) level++;
        while (level > from && crossing(level) > tMs) level--;
      } else {
        level = Math.max(target, Math.min(from, from + Math.ceil(along)));
        while (level > target && crossing(level - 1) <= tMs) level--;
        while (level < from && crossing(level) > tMs) level++;
      }
      return shareOf(level, stripe);
    }
    from = target;
  }
  return 0;
}
