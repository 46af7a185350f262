// `speedguard profile`: start the target with the agent, warm it up, drive the load, and measure it
// from inside over exactly the measured window (agent samples, /proc, a CPU profile), then stop it
// and hand the audits an assessment record whose probes say what the target was doing.
import { startRun, type RunHandle } from '../engine/coordinator.ts';
import { buildAssessment } from '../assess/build-record.ts';
import type { SeverityThresholds } from '../record/findings.ts';
import { planFromUrl, type UrlFlags } from '../plan/load-url.ts';
import { attachTarget, startTarget, type StartedTarget } from '../probes/target.ts';
import { UsageError } from '../errors.ts';
import { checkPlanLimits, durationAboveLimit } from '../plan/limits.ts';
import { PlanError } from '../plan/errors.ts';
import { renameToFlag } from '../plan/overrides.ts';
import type { AssessmentProbes, AssessmentRecord, PhaseRecord, Slo } from '../record/assessment-record.ts';
import type { RunRecord } from '../record/run-record.ts';
import { sloThresholds } from '../assess/phase-runner.ts';
import { phaseOfRun } from '../assess/run-phase.ts';
import { DEFAULT_SAMPLING_INTERVAL_US, startWindowProbes } from '../probes/window-probes.ts';
import { parseDuration } from '../plan/duration.ts';
import { selectMetric } from '../record/select.ts';
import { targetName } from '../assess/build-record.ts';
import { startDatabaseProbe, type DatabaseProbe } from '../probes/postgres/collect.ts';
import { observerReference } from '../assess/observer-reference.ts';
import { closedLoopFigures, closedLoopText } from '../analysis/closed-loop.ts';

export interface ProfileOptions {
  command: string[];
  /** Attach to this running process instead of starting one (needs `port`). */
  pid?: number;
  /** Request path on the target ("/" by default). */
  path: string;
  port?: number;
  /** Load: the run flags (rate or vus, duration, method, headers …). */
  flags: UrlFlags;
  warmupMs: number;
  outDir: string;
  slo: Slo;
  workers?: number;
  log(line: string): void;
  thresholds?: SeverityThresholds;
  /** CPU profile sampling interval (µs). */
  samplingIntervalUs?: number;
  /** PostgreSQL URL: the database's view of the measured window (statements, plans, N+1). */
  db?: string;
  allowWrites?: boolean;
}

export interface ProfileHandle {
  result: Promise<AssessmentRecord>;
  stop(): void;
}

/** The default load when none is given: enough closed-model pressure to show what saturates first. */
export const DEFAULT_PROFILE_LOAD: UrlFlags = { vus: 20, duration: '15s' };

/** The load the profile drives: the user's flags over the defaults. */
function profileLoadFlags(o: Pick<ProfileOptions, 'flags' | 'workers'>): UrlFlags {
  const flags: UrlFlags = {
    ...(o.flags.rate === undefined && o.flags.vus === undefined ? DEFAULT_PROFILE_LOAD : {}),
    ...o.flags,
    ...(o.workers ? { workers: o.workers } : {}),
  };
  if (flags.duration === undefined) flags.duration = DEFAULT_PROFILE_LOAD.duration;
  return flags;
}

/**
 * The run limits (plan/limits.ts) on the warm-up and the measured load, checked before the target is
 * started: the same plans are built (on a stand-in loopback URL; the port is known only later), so
 * a VU count, a rate or a duration beyond them is exit 2 naming it, and any other bad flag too.
 */
export function checkProfileLimits(o: Pick<ProfileOptions, 'flags' | 'workers' | 'warmupMs' | 'path'>, enforce: boolean): void {
  const flags = profileLoadFlags(o);
  const url = `http://127.0.0.1/${o.path.replace(/^\//, '')}`;
  const limits = { enforce, ...(o.workers ? { workers: o.workers } : {}) };
  try {
    if (o.warmupMs > 0) {
      const problem = durationAboveLimit(o.warmupMs, enforce);
      if (problem) throw new PlanError(problem, { path: '--warmup' });
      checkPlanLimits(planFromUrl(url, { ...flags, duration: o.warmupMs, thresholds: [] }), limits);
    }
    checkPlanLimits(planFromUrl(url, flags), limits);
  } catch (e) {
    throw renameToFlag(e);
  }
}

export function startProfile(o: ProfileOptions): ProfileHandle {
  let current: RunHandle | null = null;
  let interrupted = false;
  const result = (async () => {
    const log = o.log;
    // Connect to the database first: a wrong URL fails before the target is started.
    const database = o.db ? await startDatabaseProbe(o.db, { allowWrites: Boolean(o.allowWrites), log }) : null;
    let target: StartedTarget;
    if (o.pid !== undefined) {
      if (!o.port) throw new UsageError('--pid needs --port: the port the process serves on');
      log(`attaching to pid ${o.pid} (no agent: /proc probes, and stacks from Linux perf when it can run)`);
      target = await attachTarget(o.pid, o.port);
    } else {
      log(`starting the target: ${o.command.join(' ')}`);
      target = await startTarget({ command: o.command, ...(o.port ? { port: o.port } : {}) });
    }
    try {
      return await profileStarted(
        target,
        o,
        (h) => (current = h),
        () => interrupted,
        database,
      );
    } finally {
      await target.stop();
      await database?.close();
    }
  })();
  return {
    result,
    stop() {
      interrupted = true;
      current?.stop('interrupted by the user');
    },
  };
}

async function profileStarted(
  target: StartedTarget,
  o: ProfileOptions,
  setCurrent: (h: RunHandle | null) => void,
  interrupted: () => boolean,
  database: DatabaseProbe | null,
): Promise<AssessmentRecord> {
  const log = o.log;
  const url = `http://127.0.0.1:${target.port}${o.path.startsWith('/') ? o.path : '/' + o.path}`;
  log(
    `target listens on 127.0.0.1:${target.port} (pid ` +
      `${target.pid}${target.hello ? `, Node ${target.hello.nodeVersion}, agent attached` : ', no agent'})`,
  );
  const flags = profileLoadFlags(o);
  const started = Date.now();
  const windowMs = parseDuration(flags.duration ?? '15s');
  const samplingIntervalUs = o.samplingIntervalUs ?? DEFAULT_SAMPLING_INTERVAL_US;
  const window = startWindowProbes(target, { outDir: o.outDir, name: targetName(url), log, windowMs, samplingIntervalUs });

  if (o.warmupMs > 0 && !interrupted()) {
    log(`warming up for ${o.warmupMs / 1000} s …`);
    const warm = planFromUrl(url, { ...flags, duration: o.warmupMs, thresholds: [] });
    const h = startRun(warm, { ...(o.workers ? { workers: o.workers } : {}), stopGraceMs: 1000 });
    setCurrent(h);
    await h.result;
  }

  // The observer effect (assess/observer-reference.ts): the same load without the profilers around
  // the window. Only with the agent: without it, the stacks come from perf, whose cost is not the CPU profiler's.
  const reference = observerReference({
    window,
    windowMs,
    model: flags.rate !== undefined ? 'open' : 'closed',
    offeredRate: flags.rate ?? null,
    interrupted,
    log,
    run: async (durationMs) => {
      const h = startRun(planFromUrl(url, { ...flags, duration: durationMs, thresholds: [] }), {
        ...(o.workers ? { workers: o.workers } : {}),
        stopGraceMs: 1000,
      });
      setCurrent(h);
      try {
        return await h.result;
      } finally {
        setCurrent(null);
      }
    },
  });
  await reference.step('before');

  const plan = planFromUrl(url, flags);
  plan.thresholds = sloThresholds(o.slo);
  let run: RunRecord | null = null;
  if (!interrupted()) {
    await window.begin();
    await database?.begin('baseline');
    log(`measuring: ${describeLoad(flags)} against ${url} …`);
    const h = startRun(plan, { ...(o.workers ? { workers: o.workers } : {}), stopGraceMs: 2000 });
    setCurrent(h);
    // If the target dies mid-run, stop the load: the rest would only measure refused connections.
    let running = true;
    void target.exited.then(() => {
      if (running) h.stop('the target exited', 'failed');
    });
    run = await h.result;
    running = false;
    setCurrent(null);
    await window.end();
    await database?.end('baseline', selectMetric(run, 'http_reqs')?.sum ?? 0);
  }
  if (run) await reference.step('after');
  const probes = window.probes();
  window.close();
  const observer = reference.effect(run, probes);
  if (observer) probes.observer = observer;
  const ended = Date.now();
  const phases: PhaseRecord[] = [];
  if (run) {
    const phase = phaseOfRun(run, o.slo, `profiled load: ${describeLoad(flags)}`, flags.rate);
    // A closed loop's latency is its VUs' (Little's law): say so where the phase is judged (ASSESSMENT-RULES.md §3).
    const loop = flags.rate === undefined && phase.verdict !== 'passed' ? closedLoopFigures(run, o.slo.latencyMs) : null;
    if (loop) phase.verdictReason += `; ${closedLoopText(loop, o.slo.latencyMs)}`;
    phases.push(phase);
  }
  const assessed: AssessmentProbes = { target: probes, profile: { command: o.command } };
  if (database) assessed.database = await database.finish(probes);
  return buildAssessment({
    command: 'profile',
    target: url,
    status: interrupted() ? 'interrupted' : run ? 'completed' : 'failed',
    statusReason: probes.target.died
      ? `the target exited during the run (code ${probes.target.exitCode ?? probes.target.signal})`
      : interrupted()
        ? 'interrupted by the user'
        : null,
    startedAt: started,
    endedAt: ended,
    config: {
      expectedRate: flags.rate ?? null,
      slo: o.slo,
      suite: ['baseline'],
      soakMs: 0,
      growthPercentPerQuarter: null,
      targetRate: null,
    },
    phases,
    probes: assessed,
    workers: run?.environment.workers ?? 0,
    thresholds: o.thresholds,
  });
}

function describeLoad(f: UrlFlags): string {
  const d = typeof f.duration === 'number' ? `${f.duration / 1000} s` : f.duration;
  return f.rate !== undefined ? `${f.rate} req/s for ${d}` : `${f.vus} VUs for ${d}`;
}
