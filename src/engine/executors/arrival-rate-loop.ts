// The open-model loop shared by both arrival-rate executors: iterations start at their intended
// times whatever the target does. A start finds a free VU, or allocates one up to maxVUs, or is
// counted in dropped_iterations — never silently skipped, never delayed to a later slot.
import type { ConstantArrivalRate, RampingArrivalRate } from '../../plan/types.ts';
import type { VirtualUser } from '../vu.ts';
import type { ArrivalSchedule } from './arrival-schedule.ts';
import { gracefulStop, runTracked, type ScenarioContext } from './context.ts';
import { shareOf } from './stripe.ts';

/** Starts per timer callback before yielding to I/O, so a lagging generator still reads responses. */
const MAX_STARTS_PER_TICK = 2000;

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
  const release = (vu: VirtualUser) => {
    if (vu.interrupted) vu.resume();
    free.push(vu);
  };
  const report = () => ctx.setVus(vus.length - free.length, vus.length);
  report();

  let next = schedule.next();
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    ctx.stopRequested.then(() => {
      if (timer) clearTimeout(timer);
      resolve();
    });
    const tick = () => {
      timer = null;
      if (ctx.stopped()) return;
      const elapsed = ctx.now() - ctx.startAt;
      let started = 0;
      while (next <= elapsed && started < MAX_STARTS_PER_TICK) {
        let vu = free.pop();
        if (!vu && vus.length < maxVUs) {
          vu = ctx.newVu();
          vus.push(vu);
        }
        if (vu) {
          const v = vu;
          runTracked(ctx, v, ctx.startAt + next, running).then(() => release(v));
        } else {
          ctx.dropped.add(1);
        }
        started++;
        next = schedule.next();
      }
      report();
      if (next === Infinity) return resolve();
      const wait = next - (ctx.now() - ctx.startAt);
      // Timers have 1 ms granularity and fire late rather than early: sleep until ~1 ms before the
      // start, then poll with setImmediate so the start is not late by a whole timer tick.
      if (started >= MAX_STARTS_PER_TICK || wait < 2) setImmediate(tick);
      else timer = setTimeout(tick, Math.floor(wait - 1));
    };
    const first = next - (ctx.now() - ctx.startAt);
    if (first >= 2) timer = setTimeout(tick, Math.floor(first - 1));
    else setImmediate(tick);
  });
  const normalEnd = ctx.startAt + scheduledEndMs + s.gracefulStopMs;
  const deadline = ctx.stopped() ? Math.min(normalEnd, ctx.now() + ctx.stopGraceMs) : normalEnd;
  await gracefulStop(ctx, running, vus, deadline);
  for (const vu of vus) vu.client.close();
  ctx.setVus(0, vus.length);
}
