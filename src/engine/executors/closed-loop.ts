// The closed-model pattern shared by the iteration-based and constant-VU executors: a fixed set of
// VUs each loop "start an iteration when the previous one ended" until told to stop.
import type { VirtualUser } from '../vu.ts';
import { cancellableWait, gracefulStop, vuLoop, type ScenarioContext } from './context.ts';

/**
 * Run `count` VUs, each looping while `next()` grants another iteration, until every loop ends or
 * `endAt` (performance.now() time) passes; then allow `gracefulStopMs` for running iterations.
 */
export async function runClosedLoop(
  ctx: ScenarioContext,
  count: number,
  next: (vu: VirtualUser) => boolean,
  endAt: number,
  gracefulStopMs: number,
): Promise<void> {
  const vus: VirtualUser[] = [];
  for (let i = 0; i < count; i++) vus.push(ctx.newVu());
  ctx.setVus(count, count);
  const running = new Set<Promise<void>>();
  const loops = Promise.all(vus.map((vu) => vuLoop(ctx, vu, () => ctx.now() < endAt && next(vu), running)));
  const end = cancellableWait(ctx, endAt);
  await Promise.race([loops, end.promise]);
  end.cancel();
  const normal = endAt + gracefulStopMs;
  const deadline = ctx.stopped() ? Math.min(normal, ctx.now() + ctx.stopGraceMs) : normal;
  await gracefulStop(ctx, running, vus, deadline);
  for (const vu of vus) vu.interrupt();
  await loops;
  ctx.setVus(0, count);
}
