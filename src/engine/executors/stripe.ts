// How one scenario is divided among worker threads. k6 splits a test into "execution segments" and
// hands out VUs and iterations in a striped order; with equal segments (our only case: every worker
// gets 1/count) that order is plain round-robin, which is what we use everywhere:
//   - iteration i (0-based, in schedule order) belongs to worker i % count,
//   - VU number n (1-based) belongs to worker (n - 1) % count.
// So any count split this way adds up exactly, and the remainder goes to the first workers.
import { InputError } from '../../errors.ts';

export interface Stripe {
  /** This worker's position, 0 ≤ index < count. */
  index: number;
  /** How many workers share the scenario (≥ 1). */
  count: number;
}

/** The whole scenario on one worker. */
export const WHOLE: Stripe = Object.freeze({ index: 0, count: 1 });

/** Bad arguments to a scheduling function (the plan itself is validated earlier, at the edge). */
export class ScheduleError extends InputError {
  override name = 'ScheduleError';
}

export function checkStripe(stripe: Stripe, where: string): void {
  const { index, count } = stripe;
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new ScheduleError(`${where}: stripe.count must be an integer ≥ 1, got ${count}`);
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) {
    throw new ScheduleError(`${where}: stripe.index must be an integer in 0..${count - 1}, got ${index}`);
  }
}

/**
 * This worker's share of an integer total: how many of the items 1..total fall on it under
 * round-robin striping. Shares differ by at most 1 and sum exactly to total.
 */
export function splitCount(total: number, stripe: Stripe): number {
  checkStripe(stripe, 'splitCount');
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new ScheduleError(`splitCount: total must be a non-negative integer, got ${total}`);
  }
  return shareOf(total, stripe);
}

/** splitCount without the checks, for loops that already validated their inputs. */
export function shareOf(total: number, stripe: Stripe): number {
  if (total <= stripe.index) return 0;
  return Math.floor((total - 1 - stripe.index) / stripe.count) + 1;
}
