// What every executor gets from the worker engine, and the pieces they share: a VU pool, the
// graceful-stop wait, and an iteration loop for closed-model executors.
import type { Accumulator } from '../../metrics/accumulator.ts';
import type { Scenario } from '../../plan/types.ts';
import type { VirtualUser } from '../vu.ts';
import type { Stripe } from './stripe.ts';

/** Runs one iteration; never rejects (failures are recorded as metrics). */
export type IterationRunner = ((vu: VirtualUser, intendedStart: number) => Promise<void>) & {
  /** The same iteration without a promise, when the runner has one (request-list flows). */
  withCallback?: CallbackIterationRunner;
};

/** Runs one iteration and then calls `done` (once; possibly synchronously). */
export type CallbackIterationRunner = (vu: VirtualUser, intendedStart: number, done: () => void) => void;

export interface ScenarioContext<S extends Scenario = Scenario> {
  name: string;
  scenario: S;
  /** This worker's share of the scenario. */
  stripe: Stripe;
  /** performance.now() of the scenario's start (run start + startTime). */
  startAt: number;
  now(): number;
  /** Allocates a new VU (global id derived from the stripe). */
  newVu(): VirtualUser;
  runIteration: IterationRunner;
  dropped: Accumulator;
  /** Resolves when the whole run is asked to stop (SIGINT, abortOnFail); `stopped` tells it is so. */
  readonly stopRequested: Promise<void>;
  readonly stopped: () => boolean;
  /** After a stop request, how long running iterations may still finish (run-level grace). */
  stopGraceMs: number;
  /** Report the VUs in use / allocated (gauges vus and vus_max). */
  setVus(active: number, allocated: number): void;
}

export type ExecutorRuntime<S extends Scenario = Scenario> = (ctx: ScenarioContext<S>) => Promise<void>;

/** Wait until `at` (performance.now() time) or until the run is asked to stop. */
export function waitUntil(ctx: ScenarioContext, at: number): Promise<void> {
  return cancellableWait(ctx, at).promise;
}

/**
 * Like waitUntil, but the timer can be cancelled: a pending timer would keep a worker thread alive
 * after its scenarios are done (e.g. a 10-minute maxDuration when the iterations finished early).
 */
export function cancellableWait(ctx: ScenarioContext, at: number): { promise: Promise<void>; cancel(): void } {
  const ms = at - ctx.now();
  if (ms <= 0 || ctx.stopped()) return { promise: Promise.resolve(), cancel() {} };
  let timer: NodeJS.Timeout | undefined;
  let done!: () => void;
  const promise = new Promise<void>((resolve) => {
    done = resolve;
    timer = setTimeout(resolve, ms);
    ctx.stopRequested.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    promise,
    cancel: () => {
      clearTimeout(timer);
      done();
    },
  };
}

/**
 * Give running iterations until `deadline` to finish; then interrupt their VUs and wait for the
 * interrupted iterations to settle (their requests abort at once).
 */
export async function gracefulStop(
  ctx: ScenarioContext,
  running: Set<Promise<void>>,
  vus: readonly VirtualUser[],
  deadline: number,
): Promise<void> {
  if (running.size > 0) {
    const ms = Math.max(0, deadline - ctx.now());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => (timer = setTimeout(r, ms)));
    await Promise.race([Promise.all(running), timeout]);
    clearTimeout(timer);
  }
  if (running.size > 0) {
    for (const vu of vus) if (vu.busy) vu.interrupt();
    // Script code may await things we cannot cancel: do not wait for it forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running), new Promise<void>((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
  }
}

/**
 * Run `vu` in a loop while `next()` grants another iteration; tracks the running iteration in
 * `running`. With a callback runner the whole loop is one promise (in `running` while it lasts,
 * so a graceful stop waits for its last iteration): no promise or async frame per iteration.
 */
export async function vuLoop(ctx: ScenarioContext, vu: VirtualUser, next: () => boolean, running: Set<Promise<void>>): Promise<void> {
  const cb = ctx.runIteration.withCallback;
  if (cb !== undefined) {
    const loop = callbackLoop(ctx, vu, next, cb);
    running.add(loop);
    await loop;
    running.delete(loop);
    return;
  }
  while (!vu.interrupted && !ctx.stopped() && next()) {
    const p = runTracked(ctx, vu, ctx.now(), running);
    await p;
  }
}

function callbackLoop(ctx: ScenarioContext, vu: VirtualUser, next: () => boolean, run: CallbackIterationRunner): Promise<void> {
  return new Promise<void>((resolve) => {
    let inCall = false;
    let endedInCall = false;
    const again = (): void => {
      // An iteration that ends synchronously (a closed client, a template error) must not
      // recurse: the loop goes on from the outer call instead.
      for (;;) {
        if (vu.interrupted || ctx.stopped() || !next()) return resolve();
        vu.busy = true;
        vu.iteration++;
        inCall = true;
        endedInCall = false;
        run(vu, ctx.now(), after);
        inCall = false;
        if (!endedInCall) return;
      }
    };
    const after = (): void => {
      vu.busy = false;
      if (inCall) endedInCall = true;
      else again();
    };
    again();
  });
}

/** Start one iteration on `vu`, keeping it in `running` until it settles. */
export function runTracked(ctx: ScenarioContext, vu: VirtualUser, intendedStart: number, running: Set<Promise<void>>): Promise<void> {
  vu.busy = true;
  vu.iteration++;
  const p = ctx.runIteration(vu, intendedStart).finally(() => {
    vu.busy = false;
    running.delete(p);
  });
  running.add(p);
  return p;
}
