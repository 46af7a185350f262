// One worker's share of a run: it starts every scenario at its startTime, runs the executors, and
// every second hands the coordinator one IntervalSnapshot (metrics + generator health). It runs in a
// worker thread (worker-main.ts) or, for --workers 1 and tests, in the calling thread; it only ever
// talks through `post`, so both are the same code.
import { RequestPacer } from './request-pacer.ts';
import type { ScriptErrorSample } from '../record/script-errors.ts';
import { threadScriptErrors } from './script-errors.ts';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { MetricRegistry, type IntervalSnapshot } from '../metrics/registry.ts';
import { CardinalityGuard } from '../metrics/tags.ts';
import type { Plan } from '../plan/types.ts';
import { executorFor } from './executors/index.ts';
import type { ScenarioContext } from './executors/context.ts';
import type { Stripe } from './executors/stripe.ts';
import { clientOptionsFor, createHttpClient } from './http/client.ts';
import { buildIterationRunner } from './iteration-runner.ts';
import { VirtualUser } from './vu.ts';
import { SampleBuffer, type SampleBatch } from './sample-stream.ts';
import { keepYoungGenerationSmall } from './young-generation.ts';
import type { IterationRunner } from './executors/context.ts';
import { instanceCounters } from './instance-counters.ts';

export interface WorkerInit {
  plan: Plan;
  stripe: Stripe;
  /** After a stop request, how long running iterations may still finish. */
  stopGraceMs: number;
  /** setup() result in script mode (structured-cloned). */
  setupData: unknown;
  /** The shared slot of the run's request pacer, when the plan caps requests per second (http.rps). */
  pacerMemory?: SharedArrayBuffer | undefined;
  /** Post every sample in batches ('samples' messages) for a per-sample output. */
  streamSamples?: boolean;
}

/** How hard the generator itself worked during one interval (self-check). */
export interface GeneratorHealth {
  /** Event-loop delay of this worker, ms. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** CPU time of this thread / wall time, 0..1 (1 = one core fully busy). */
  cpu: number;
  /** Event-loop utilisation 0..1. */
  elu: number;
  heapUsedBytes: number;
  /** Resident set of the whole process (all workers share it). */
  rssBytes: number;
}

export type WorkerMessage =
  | { type: 'interval'; worker: number; snapshot: IntervalSnapshot; health: GeneratorHealth }
  | { type: 'ready'; worker: number }
  | { type: 'samples'; worker: number; batch: SampleBatch }
  | { type: 'done'; worker: number; connectionsOpened: number; guardOverflow: string[]; scriptErrors?: ScriptErrorSample[] }
  | { type: 'fatal'; worker: number; message: string };

export class WorkerEngine {
  private readonly init: WorkerInit;
  private readonly post: (m: WorkerMessage) => void;
  private readonly registry = new MetricRegistry();
  private readonly guard = new CardinalityGuard();
  private readonly vus: VirtualUser[] = [];
  private stopFlag = false;
  private aborted = false;
  private resolveStop!: () => void;
  private readonly stopRequested = new Promise<void>((r) => (this.resolveStop = r));
  private intervalIndex = 0;
  private intervalTimer: NodeJS.Timeout | null = null;
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 5 });
  private lastCpu = threadCpu();
  private lastCpuAt = performance.now();
  private lastElu = performance.eventLoopUtilization();

  private readonly pacer: RequestPacer | undefined;
  private readonly samples: SampleBuffer | null = null;

  constructor(init: WorkerInit, post: (m: WorkerMessage) => void) {
    this.init = init;
    this.post = post;
    const rps = init.plan.http.rps;
    this.pacer = init.pacerMemory && rps ? new RequestPacer(init.pacerMemory, rps) : undefined;
    if (init.streamSamples) {
      const samples = new SampleBuffer((batch) => post({ type: 'samples', worker: init.stripe.index, batch }));
      this.samples = samples;
      this.registry.onSample = (series, def, value) => samples.add(series, def, value);
    }
  }

  /** Graceful stop: no new iterations; running ones get stopGraceMs. */
  stop(): void {
    if (this.stopFlag) return;
    this.stopFlag = true;
    this.resolveStop();
  }

  /** Immediate stop: interrupt every VU now. */
  abort(): void {
    this.aborted = true;
    this.stop();
    for (const vu of this.vus) vu.interrupt();
  }

  private runners: Array<{ name: string; scenario: Plan['scenarios'][string]; runIteration: IterationRunner }> = [];

  /**
   * Import scripts, load feeders and compile flows. The coordinator sets the start time only once
   * every worker is prepared: a thread still loading modules at the start would begin the schedule
   * late and push a burst of late starts into the measured latencies.
   */
  async prepare(): Promise<void> {
    const { plan, stripe } = this.init;
    this.runners = await Promise.all(
      Object.entries(plan.scenarios).map(async ([name, scenario]) => ({
        name,
        scenario,
        runIteration: await buildIterationRunner({
          plan,
          scenarioName: name,
          scenario,
          registry: this.registry,
          guard: this.guard,
          setupData: this.init.setupData,
          pacer: this.pacer,
          stripe,
          now: () => performance.now(),
        }),
      })),
    );
    this.post({ type: 'ready', worker: stripe.index });
  }

  /** Run from `startAtEpochMs` (wall clock, shared by all workers). */
  async run(startAtEpochMs: number): Promise<void> {
    const { plan, stripe } = this.init;
    const startAt = startAtEpochMs - performance.timeOrigin;
    keepYoungGenerationSmall();
    this.loopDelay.enable();
    const runners = this.runners;
    const vusGauges = new Map<string, { active: number; allocated: number }>();
    let vuSeq = 0;
    const ticker = () => this.scheduleInterval(startAt, vusGauges);
    await waitUntil(startAt, this.stopRequested);
    ticker();
    await Promise.all(
      runners.map(async ({ name, scenario, runIteration }) => {
        const scenarioStart = startAt + scenario.startTimeMs;
        await waitUntil(scenarioStart, this.stopRequested);
        if (this.stopFlag) return;
        const gauge = { active: 0, allocated: 0 };
        vusGauges.set(name, gauge);
        const ctx: ScenarioContext = {
          name,
          scenario,
          stripe,
          startAt: scenarioStart,
          now: () => performance.now(),
          newVu: () => {
            // Global VU ids interleave across workers exactly like the striped VU split.
            const id = stripe.index + vuSeq++ * stripe.count + 1;
            const vu = new VirtualUser(id, () => createHttpClient(clientOptionsFor(plan.http)));
            this.vus.push(vu);
            return vu;
          },
          runIteration,
          dropped: this.registry.get('dropped_iterations', { scenario: name }).acc,
          stopRequested: this.stopRequested,
          stopped: () => this.stopFlag,
          stopGraceMs: this.init.stopGraceMs,
          setVus: (active, allocated) => {
            instanceCounters.vusActive += active - gauge.active;
            instanceCounters.vusInitialized += allocated - gauge.allocated;
            gauge.active = active;
            gauge.allocated = allocated;
          },
        };
        await executorFor(scenario)(ctx);
      }),
    );
    if (this.intervalTimer) clearTimeout(this.intervalTimer);
    let opened = 0;
    for (const vu of this.vus) {
      opened += vu.connectionsOpened;
      vu.client.close();
    }
    // What a script left running still counts: its unhandled rejections and the requests it did not
    // await (cut by the close above) land before the last interval, not after it (issue 11 §3).
    if (plan.scriptPath) await settleScript(this.aborted ? 0 : this.stopFlag ? SCRIPT_SETTLE_STOPPED_MS : SCRIPT_SETTLE_MAX_MS);
    // The last, partial interval.
    this.emitInterval(vusGauges);
    this.loopDelay.disable();
    this.samples?.flush();
    this.post({
      type: 'done',
      worker: stripe.index,
      connectionsOpened: opened,
      guardOverflow: [...this.guard.overflowed],
      scriptErrors: threadScriptErrors.take(),
    });
  }

  private scheduleInterval(startAt: number, gauges: Map<string, { active: number; allocated: number }>): void {
    const due = startAt + (this.intervalIndex + 1) * 1000;
    this.intervalTimer = setTimeout(
      () => {
        this.emitInterval(gauges);
        this.scheduleInterval(startAt, gauges);
      },
      Math.max(0, due - performance.now()),
    );
  }

  private emitInterval(gauges: Map<string, { active: number; allocated: number }>): void {
    let active = 0;
    let allocated = 0;
    for (const g of gauges.values()) {
      active += g.active;
      allocated += g.allocated;
    }
    this.registry.get('vus', {}).acc.add(active);
    this.registry.get('vus_max', {}).acc.add(allocated);
    const snapshot = this.registry.snapshot(this.intervalIndex++);
    this.samples?.flush();
    this.post({ type: 'interval', worker: this.init.stripe.index, snapshot, health: this.health() });
  }

  private health(): GeneratorHealth {
    const now = performance.now();
    const cpu = threadCpu();
    const elu = performance.eventLoopUtilization(this.lastElu);
    const mem = process.memoryUsage(); // one read gives both heap and RSS
    const h: GeneratorHealth = {
      loopDelayP99Ms: this.loopDelay.count ? this.loopDelay.percentile(99) / 1e6 : 0,
      loopDelayMaxMs: this.loopDelay.count ? this.loopDelay.max / 1e6 : 0,
      // Thread CPU time advances in scheduler ticks: over the short final interval the ratio is
      // noise (it can read above 100 %), so only intervals of ≥ 250 ms count, and never above 1.
      cpu: now - this.lastCpuAt >= 250 ? Math.min(1, (cpu - this.lastCpu) / 1000 / (now - this.lastCpuAt)) : 0,
      elu: elu.utilization,
      heapUsedBytes: mem.heapUsed,
      rssBytes: mem.rss,
    };
    this.loopDelay.reset();
    this.lastCpu = cpu;
    this.lastCpuAt = now;
    this.lastElu = performance.eventLoopUtilization();
    return h;
  }
}

/** CPU µs used by this thread (user + system); the whole process on Node versions without threadCpuUsage. */
function threadCpu(): number {
  const p = process as NodeJS.Process & { threadCpuUsage?: () => NodeJS.CpuUsage };
  const u = p.threadCpuUsage ? p.threadCpuUsage() : process.cpuUsage();
  return u.user + u.system;
}

/**
 * After the load, how long a script's leftover work (timers, immediates: a promise that rejects a
 * little later) may still run so its errors are counted. Bounded: the run must end, and a worker
 * that is stopped gets only STUCK_MARGIN_MS (coordinator.ts) more than its grace, of which the
 * executors' wait for interrupted iterations takes up to 1 s (executors/context.ts).
 */
const SCRIPT_SETTLE_MAX_MS = 500;
/** The same after a stop request (Ctrl-C, abortOnFail): the user asked the run to end. */
const SCRIPT_SETTLE_STOPPED_MS = 100;

/** Let the script's pending timers and immediates run (up to maxMs), then the rejections they caused be reported. */
async function settleScript(maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  // Node reports a rejection left unhandled after the macrotask that made it.
  await new Promise((resolve) => setImmediate(resolve));
  // Whatever timers are left are the script's: the engine's own are cleared or ended by now.
  while (performance.now() < until && process.getActiveResourcesInfo().some((r) => r === 'Timeout' || r === 'Immediate')) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await new Promise((resolve) => setImmediate(resolve));
}

function waitUntil(at: number, stop: Promise<void>): Promise<void> {
  const ms = at - performance.now();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    stop.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
