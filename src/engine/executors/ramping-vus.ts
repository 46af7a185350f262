// ramping-vus: the number of looping VUs follows `stages` (k6's raw execution steps). A VU removed
// by a ramp-down finishes its iteration, or is interrupted after gracefulRampDown.
import type { RampingVus } from '../../plan/types.ts';
import type { VirtualUser } from '../vu.ts';
import { gracefulStop, vuLoop, waitUntil, type ScenarioContext } from './context.ts';
import { splitRampingVus } from './vu-schedule.ts';

interface Slot {
  vu: VirtualUser;
  wanted: boolean;
  loop: Promise<void> | null;
  rampDownTimer: NodeJS.Timeout | null;
}

export async function rampingVus(ctx: ScenarioContext<RampingVus>): Promise<void> {
  const s = ctx.scenario;
  const plan = splitRampingVus(s, ctx.stripe);
  const endAt = ctx.startAt + plan.durationMs;
  const slots: Slot[] = [];
  const running = new Set<Promise<void>>();
  let active = 0;
  const report = () => ctx.setVus(active, slots.length);

  const runSlot = (slot: Slot) => {
    slot.loop = vuLoop(ctx, slot.vu, () => slot.wanted && ctx.now() < endAt, running).finally(() => {
      slot.loop = null;
      if (slot.vu.interrupted) slot.vu.resume();
    });
  };

  const setTarget = (target: number) => {
    while (active < target) {
      let slot = slots[active];
      if (!slot) slots.push((slot = { vu: ctx.newVu(), wanted: false, loop: null, rampDownTimer: null }));
      slot.wanted = true;
      if (slot.rampDownTimer) clearTimeout(slot.rampDownTimer), (slot.rampDownTimer = null);
      if (!slot.loop) runSlot(slot);
      active++;
    }
    while (active > target) {
      const slot = slots[--active]!;
      slot.wanted = false;
      if (slot.vu.busy) {
        slot.rampDownTimer = setTimeout(() => {
          slot.rampDownTimer = null;
          if (!slot.wanted && slot.vu.busy) slot.vu.interrupt();
        }, s.gracefulRampDownMs);
      }
    }
    report();
  };

  for (const step of plan.steps) {
    if (ctx.stopped()) break;
    const at = ctx.startAt + step.atMs;
    if (at >= endAt) break;
    await waitUntil(ctx, at);
    if (ctx.stopped()) break;
    setTarget(step.vus);
  }
  await waitUntil(ctx, endAt);
  for (const slot of slots) slot.wanted = false;
  const normal = endAt + s.gracefulStopMs;
  const deadline = ctx.stopped() ? Math.min(normal, ctx.now() + ctx.stopGraceMs) : normal;
  await gracefulStop(
    ctx,
    running,
    slots.map((x) => x.vu),
    deadline,
  );
  for (const slot of slots) {
    if (slot.rampDownTimer) clearTimeout(slot.rampDownTimer);
    slot.vu.interrupt();
  }
  await Promise.all(slots.map((x) => x.loop));
  active = 0;
  report();
}
