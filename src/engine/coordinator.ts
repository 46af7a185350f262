// Runs a plan: splits it over worker threads, merges their one-second intervals in order, follows
// thresholds, watches the generator itself, handles stop requests, and returns the RunRecord.
import { RequestPacer } from './request-pacer.ts';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { RunAggregate, type TotalSeries } from './run-aggregate.ts';
import { ThresholdTracker } from './threshold-tracker.ts';
import type { Plan } from '../plan/types.ts';
import type { RunRecord, RunStatus } from '../record/run-record.ts';
import { RUN_RECORD_SCHEMA } from '../record/run-record.ts';
import { redactPlan } from '../record/redact.ts';
import { judgeGenerator } from './generator-check.ts';
import { workersFor } from './executors/schedule.ts';
import { WorkerEngine, type GeneratorHealth, type WorkerInit, type WorkerMessage } from './worker-engine.ts';
import type { IntervalSnapshot } from '../metrics/registry.ts';
import { LifecycleInterrupted, runSetup, runTeardown, ScriptLifecycleError } from './setup-teardown.ts';
import { currentEnvironment } from '../record/environment.ts';
import { ownModule } from '../own-files.ts';
import { describeScriptError } from './script-errors.ts';
import type { SampleBatch } from './sample-stream.ts';
import { mergeScriptErrors, type ScriptErrorSample } from '../record/script-errors.ts';

export interface RunOptions {
  /** Worker threads; 0 or undefined = the plan's setting, else one per core. */
  workers?: number;
  /** Run in the calling thread instead of worker threads (tests, --workers 1 by choice). */
  inProcess?: boolean;
  /** After a stop request, how long in-flight iterations may finish. Default 10 s. */
  stopGraceMs?: number;
  /** Called after each merged interval (live progress, NDJSON output). */
  onInterval?: (p: IntervalProgress) => void;
  /** Called with setup()'s return value once it is known (k6's handleSummary gets it as setup_data).
   *  Not stored in the record: it may hold tokens. */
  onSetupData?: (data: unknown) => void;
  /** Every sample, in batches per worker, as the run goes (a per-sample output such as k6's --out json). */
  onSamples?: (batch: SampleBatch) => void;
}

export interface IntervalProgress {
  index: number;
  elapsedMs: number;
  /** Scheduled total duration (without graceful stops), for progress bars. */
  plannedMs: number;
  interval: Map<string, TotalSeries>;
  aggregate: RunAggregate;
}

/** A run in progress: stop it gracefully, abort it, or await its record. */
export interface RunHandle {
  readonly result: Promise<RunRecord>;
  /**
   * Graceful stop (first SIGINT): no new iterations, in-flight ones get the grace period. The run is
   * marked interrupted unless another status is given (an assessment ending a stress staircase
   * early has completed what it set out to do).
   */
  stop(reason: string, status?: RunStatus): void;
  /** Immediate stop (second SIGINT): in-flight requests are cut. */
  abort(reason: string): void;
}

interface WorkerLink {
  index: number;
  /** Begin the run at this wall-clock instant (after every worker reported ready). */
  start(startAtEpochMs: number): void;
  stop(): void;
  abort(): void;
  done: Promise<void>;
}

export function startRun(plan: Plan, opts: RunOptions = {}): RunHandle {
  const requested = opts.workers || plan.workers || availableParallelism();
  const workers = Math.max(1, Math.min(requested, ...Object.values(plan.scenarios).map((s) => workersFor(s, requested))));
  const tracker = new ThresholdTracker(plan);
  const aggregate = new RunAggregate();
  const plannedMs = plannedDuration(plan);
  let status: RunStatus = 'completed';
  let statusReason: string | null = null;
  let links: WorkerLink[] = [];
  let stopping = false;
  // A second Ctrl-C ends setup() or teardown() too, even stuck in a loop: their thread is terminated.
  const lifecycleAbort = new AbortController();
  const scriptErrors: ScriptErrorSample[][] = [];

  const stop = (reason: string, newStatus: RunStatus) => {
    if (stopping) return;
    stopping = true;
    status = newStatus;
    statusReason = reason;
    for (const l of links) l.stop();
  };

  const result = (async (): Promise<RunRecord> => {
    // setup() that throws is the user's error: no load, the run is recorded as failed with their
    // message and stack (exit 1), not reported as an internal error.
    let setupData: unknown;
    let setupFailed = false;
    try {
      setupData = await runSetup(plan, lifecycleAbort.signal);
      opts.onSetupData?.(setupData);
    } catch (e) {
      if (e instanceof LifecycleInterrupted) {
        // Nothing was measured: no load is started, the record says why (exit 130).
        setupFailed = true;
        stopping = true;
        status = 'interrupted';
        statusReason = e.message;
      } else {
        if (!(e instanceof ScriptLifecycleError)) throw e;
        setupFailed = true;
        stopping = true;
        status = 'failed';
        statusReason = e.message;
        scriptErrors.push([describeScriptError(e.cause, 'setup')]);
      }
    }
    let startedWall = Date.now();
    const pending = new Map<number, Map<number, { snapshot: IntervalSnapshot; health: GeneratorHealth }>>();
    const finished = new Set<number>();
    const healthAll: GeneratorHealth[] = [];
    let connectionsOpened = 0;
    const overflow = new Set<string>();
    let nextIndex = 0;
    let fatal: string | null = null;
    const ready = new Set<number>();
    let allReady!: () => void;
    const readyPromise = new Promise<void>((r) => (allReady = r));

    const flush = (final: boolean) => {
      for (;;) {
        const parts = pending.get(nextIndex);
        const live = workers - finished.size;
        const have = parts?.size ?? 0;
        const complete = parts && [...Array(workers).keys()].every((w) => parts.has(w) || finished.has(w));
        if (!parts || (!complete && !final) || (live > 0 && !complete)) {
          if (!final || pending.size === 0) return;
          if (!parts) {
            nextIndex++;
            continue;
          }
        }
        if (have === 0) {
          pending.delete(nextIndex);
          nextIndex++;
          continue;
        }
        pending.delete(nextIndex);
        const list = [...parts!.values()];
        const merged = aggregate.addInterval(nextIndex, list);
        if (tracker.size > 0 && tracker.onInterval(nextIndex, merged, aggregate) && !stopping) {
          stop(tracker.abortReason!, 'aborted_by_threshold');
        }
        opts.onInterval?.({ index: nextIndex, elapsedMs: (nextIndex + 1) * 1000, plannedMs, interval: merged, aggregate });
        nextIndex++;
      }
    };

    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'interval') {
        let parts = pending.get(m.snapshot.index);
        if (!parts) pending.set(m.snapshot.index, (parts = new Map()));
        // A worker's final partial interval can share an index with a regular one: merge them.
        const prev = parts.get(m.worker);
        if (prev) prev.snapshot.series.push(...m.snapshot.series);
        else parts.set(m.worker, { snapshot: m.snapshot, health: m.health });
        healthAll.push(m.health);
        flush(false);
      } else if (m.type === 'samples') {
        opts.onSamples?.(m.batch);
      } else if (m.type === 'ready') {
        ready.add(m.worker);
        if (ready.size === workers) allReady();
      } else if (m.type === 'done') {
        finished.add(m.worker);
        connectionsOpened += m.connectionsOpened;
        for (const k of m.guardOverflow) overflow.add(k);
        if (m.scriptErrors?.length) scriptErrors.push(m.scriptErrors);
        flush(false);
      } else {
        fatal ??= `worker ${m.worker}: ${m.message}`;
        stop(fatal, 'failed');
        // Release the workers that are ready and waiting for the start: they stop at once.
        allReady();
      }
    };

    // One slot shared by every worker: the rps cap holds for the run, not per thread.
    const pacerMemory = plan.http.rps ? RequestPacer.memory() : undefined;
    // A script always gets a thread: a synchronous loop in it must not block the signal handlers.
    const inProcess = opts.inProcess || (workers === 1 && !plan.scriptPath);
    links = setupFailed
      ? []
      : Array.from({ length: workers }, (_, index) => {
          const init: WorkerInit = {
            plan,
            stripe: { index, count: workers },
            stopGraceMs: opts.stopGraceMs ?? 10_000,
            setupData,
            pacerMemory,
            streamSamples: opts.onSamples !== undefined,
          };
          return inProcess ? inProcessWorker(init, onMessage) : threadWorker(init, onMessage);
        });
    // A worker that fails while preparing reports 'done' without 'ready': do not wait for it.
    await Promise.race([readyPromise, Promise.all(links.map((l) => l.done))]);
    // Threads get a short lead so each has the start message before the start; in this thread the
    // start is now (20 ms of a URL run's time to first request, BENCHMARKS.md cold start).
    const startAtEpochMs = performance.timeOrigin + performance.now() + (inProcess ? 0 : 20);
    startedWall = Date.now();
    for (const l of links) l.start(startAtEpochMs);
    if (stopping) for (const l of links) l.stop();
    await Promise.all(links.map((l) => l.done));
    flush(true);
    const endedWall = Date.now();
    if (!setupFailed) {
      try {
        await runTeardown(plan, setupData, lifecycleAbort.signal);
      } catch (e) {
        if (e instanceof LifecycleInterrupted) {
          // What the load measured stays; the run says it was cut short.
          if (status === 'completed') [status, statusReason] = ['interrupted', e.message];
        } else {
          if (!(e instanceof ScriptLifecycleError)) throw e;
          scriptErrors.push([describeScriptError(e.cause, 'teardown')]);
        }
      }
    }
    const runMs = Math.max(0, endedWall - startedWall);
    const durationMs = aggregate.intervals.reduce((t, i) => t + i.seconds, 0) * 1000 || runMs;
    const thresholds = tracker.finish(aggregate, Math.min(durationMs, runMs));
    const totals = aggregate.toTotals();
    const generator = judgeGenerator(aggregate, healthAll, workers);
    return {
      schema: RUN_RECORD_SCHEMA,
      // node:crypto is loaded here, once the run is over: ~13 ms of start-up before the first request otherwise.
      id: process.getBuiltinModule('node:crypto').randomUUID(),
      kind: 'run',
      status,
      statusReason,
      startedAt: new Date(startedWall).toISOString(),
      endedAt: new Date(endedWall).toISOString(),
      durationMs: runMs,
      plan: redactPlan(plan),
      environment: currentEnvironment(workers),
      totals,
      intervals: aggregate.intervals,
      thresholds,
      generator,
      connectionsOpened,
      tagOverflow: [...overflow],
      probes: {},
      ...(scriptErrors.length ? { scriptErrors: mergeScriptErrors(scriptErrors) } : {}),
    };
  })();

  return {
    result,
    stop: (reason, st = 'interrupted') => stop(reason, st),
    abort: (reason) => {
      stop(reason, 'interrupted');
      lifecycleAbort.abort(new Error(reason));
      for (const l of links) l.abort();
    },
  };
}

/** Scheduled length of the whole test (latest scenario end, without graceful stops). */
export function plannedDuration(plan: Plan): number {
  let end = 0;
  for (const s of Object.values(plan.scenarios)) {
    let d: number;
    switch (s.executor) {
      case 'constant-vus':
      case 'constant-arrival-rate':
        d = s.durationMs;
        break;
      case 'ramping-vus':
      case 'ramping-arrival-rate':
        d = s.stages.reduce((t, st) => t + st.durationMs, 0);
        break;
      default:
        d = s.maxDurationMs;
    }
    end = Math.max(end, s.startTimeMs + d);
  }
  return end;
}

function inProcessWorker(init: WorkerInit, onMessage: (m: WorkerMessage) => void): WorkerLink {
  const engine = new WorkerEngine(init, onMessage);
  let start!: (at: number) => void;
  const started = new Promise<number>((r) => (start = r));
  const done = (async () => {
    await engine.prepare();
    await engine.run(await started);
  })().catch((e: Error) => {
    onMessage({ type: 'fatal', worker: init.stripe.index, message: e.message });
    onMessage({ type: 'done', worker: init.stripe.index, connectionsOpened: 0, guardOverflow: [] });
  });
  return { index: init.stripe.index, start, stop: () => engine.stop(), abort: () => engine.abort(), done };
}

// After its grace, a stopped worker gets this long before it is terminated: the executors wait up
// to 1 s for interrupted iterations to settle, then the script's late errors get up to 100 ms
// (worker-engine.ts), so a worker that is not stuck never loses its last interval to the terminate.
const STUCK_MARGIN_MS = 1500;

function terminateLater(w: Worker, done: Promise<void>, afterMs: number): void {
  const timer = setTimeout(() => void w.terminate(), afterMs);
  timer.unref();
  void done.then(() => clearTimeout(timer));
}

function threadWorker(init: WorkerInit, onMessage: (m: WorkerMessage) => void): WorkerLink {
  const w = new Worker(ownModule('./worker-main.ts', import.meta.url), { workerData: init });
  let sawDone = false;
  w.on('message', (m: WorkerMessage) => {
    if (m.type === 'done') sawDone = true;
    onMessage(m);
  });
  const done = new Promise<void>((resolve) => {
    w.on('error', (e) => onMessage({ type: 'fatal', worker: init.stripe.index, message: e.message }));
    w.on('exit', (code) => {
      if (!sawDone) {
        if (code !== 0) onMessage({ type: 'fatal', worker: init.stripe.index, message: `exited with code ${code}` });
        onMessage({ type: 'done', worker: init.stripe.index, connectionsOpened: 0, guardOverflow: [] });
      }
      resolve();
    });
  });
  return {
    index: init.stripe.index,
    start: (startAtEpochMs) => w.postMessage({ type: 'start', startAtEpochMs }),
    // A worker stuck in a synchronous loop never reads these messages: it is terminated once the
    // grace period (stop) or a short delay (abort) is over, and the run ends with what was measured.
    stop: () => {
      w.postMessage({ type: 'stop' });
      terminateLater(w, done, init.stopGraceMs + STUCK_MARGIN_MS);
    },
    abort: () => {
      w.postMessage({ type: 'abort' });
      terminateLater(w, done, STUCK_MARGIN_MS);
    },
    done,
  };
}
