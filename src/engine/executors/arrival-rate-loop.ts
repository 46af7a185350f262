// The open-model loop shared by both arrival-rate executors: iterations start at their intended
// times whatever the target does. A start finds a free VU, or allocates one up to maxVUs, or is
// counted in dropped_iterations — never silently skipped, never delayed to a later slot.
//
// How it wakes up: one timer, armed for the next intended start, and every iteration that ends
// also checks whether starts are due (one clock read). Each wake-up starts every iteration whose
// time has come, in one batch. There is no polling: a setImmediate loop for sub-millisecond
// precision kept the generator's core 100 % busy above ~500 starts/s (issue 10), which the
// self-check then read as a saturated generator. Timers have 1 ms granularity, so a start is late
// by less than about 1 ms on an idle loop; under load, completions wake the loop far more often
// than the timer does and pick due starts up earlier.
import type { ConstantArrivalRate, RampingArrivalRate } from '../../plan/types.ts';
import type { VirtualUser } from '../vu.ts';
import type { ArrivalSchedule } from './arrival-schedule.ts';
import { gracefulStop, runTracked, type ScenarioContext } from './context.ts';
import { shareOf } from './stripe.ts';

/** Starts per wake-up before yielding to I/O, so a lagging generator still reads responses. */
const MAX_STARTS_PER_WAKE = 2000;

export async function runArrivalRate(
  ctx: ScenarioContext<ConstantArrivalRate | RampingArrivalRate>,
  schedule: ArrivalSchedule,
  scheduledEndMs: number,
): Promise<void> {
  const s = ctx.scenario;
  const maxVUs = Math.max(shareOf(s.maxVUs, ctx.stripe), shareOf(s.preAllocatedVUs, ctx.stripe));
  const vus: VirtualUser[] = [];
  const free: VirtualUser[] = [];
  for (let i = shareOf(s.preAllocatedVUs, ctx.stripe); i > 0; i--) {
    const vu = ctx.newVu();
    vus.push(vu);
    free.push(vu);
  }
  const running = new Set<Promise<void>>();
  // With a callback runner (request-list flows) an iteration costs no promise: `active` counts
  // them, and a graceful stop waits on one promise made only then.
  const withCallback = ctx.runIteration.withCallback;
  const afterIteration = new Map<VirtualUser, () => void>();
  let active = 0;
  let idle: (() => void) | null = null;
  const callbackFor = (vu: VirtualUser): (() => void) => {
    let f = afterIteration.get(vu);
    if (f === undefined) {
      f = () => {
        vu.busy = false;
        active--;
        release(vu);
        if (active === 0 && idle !== null) idle();
      };
      afterIteration.set(vu, f);
    }
    return f;
  };
  const report = () => ctx.setVus(vus.length - free.length, vus.length);
  report();

  const startAt = ctx.startAt;
  let next = schedule.next();
  let timer: NodeJS.Timeout | null = null;
  let timerDue = Infinity;
  let immediate = false;
  let done = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const end = () => {
    if (done) return;
    done = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    finish();
  };

  /** Start every iteration that is due; returns false when the per-wake cap cut the batch short. */
  let starting = false;
  const startDue = (): boolean => {
    const elapsed = ctx.now() - startAt;
    let started = 0;
    starting = true;
    while (next <= elapsed) {
      if (started === MAX_STARTS_PER_WAKE) {
        starting = false;
        return false;
      }
      let vu = free.pop();
      if (vu === undefined && vus.length < maxVUs) {
        vu = ctx.newVu();
        vus.push(vu);
      }
      if (vu !== undefined && withCallback !== undefined) {
        vu.busy = true;
        vu.iteration++;
        active++;
        withCallback(vu, startAt + next, callbackFor(vu));
      } else if (vu !== undefined) {
        const v = vu;
        runTracked(ctx, v, startAt + next, running).then(() => release(v));
      } else {
        ctx.dropped.add(1);
      }
      started++;
      next = schedule.next();
    }
    starting = false;
    if (started > 0) report();
    return true;
  };

  /** Arm the one timer for the next start (or for at once, when a batch was cut short). */
  const arm = (soon: boolean) => {
    if (next === Infinity) return end();
    if (soon) {
      // Behind schedule by more than a batch: yield to I/O once, then go on at once.
      if (!immediate) {
        immediate = true;
        setImmediate(wake);
      }
      return;
    }
    // setTimeout counts whole ms from the loop's cached clock and never fires early in its own
    // terms: ceil keeps the wake-up at or just after the start instead of a wasted early wake.
    const due = Math.max(1, Math.ceil(next - (ctx.now() - startAt)));
    const dueAt = ctx.now() + due;
    if (timer !== null) {
      if (timerDue <= dueAt) return;
      clearTimeout(timer);
    }
    timerDue = dueAt;
    timer = setTimeout(wake, due);
  };

  const wake = () => {
    immediate = false;
    if (timer !== null) clearTimeout(timer);
    timer = null;
    timerDue = Infinity;
    if (done || ctx.stopped()) return;
    arm(!startDue());
  };

  const release = (vu: VirtualUser) => {
    if (vu.interrupted) vu.resume();
    free.push(vu);
    // A completion is a wake-up the loop pays for anyway: starts that fell due meanwhile go now
    // (not from inside startDue, when an iteration ended synchronously).
    if (!starting && !done && !ctx.stopped() && next - (ctx.now() - startAt) <= 0) {
      if (!startDue()) arm(true);
      else if (next === Infinity) end();
    }
  };

  ctx.stopRequested.then(end);
  if (!ctx.stopped()) wake();
  else end();
  await finished;

  if (active > 0) {
    const allDone = new Promise<void>((resolve) => (idle = resolve));
    running.add(allDone);
    void allDone.then(() => running.delete(allDone));
  }
  const normalEnd = startAt + scheduledEndMs + s.gracefulStopMs;
  const deadline = ctx.stopped() ? Math.min(normalEnd, ctx.now() + ctx.stopGraceMs) : normalEnd;
  await gracefulStop(ctx, running, vus, deadline);
  for (const vu of vus) vu.client.close();
  ctx.setVus(0, vus.length);
}
