// `speedguard assess`: the phases of ASSESSMENT-RULES.md §6 against one target, in an order that lets each use what
// the previous found (without an expected load, the stress staircase finds the sustainable maximum
// first and the other phases run at half of it), then capacity, audits and the record.
import { buildCapacity } from '../analysis/capacity.ts';
import type { SeverityThresholds } from '../record/findings.ts';
import type { Plan } from '../plan/types.ts';
import { inspectEndpoints } from '../probes/http-inspect.ts';
import type { PhaseName } from '../record/phase-name.ts';
import type {
  AssessmentCommand,
  AssessmentConfig,
  AssessmentProbes,
  AssessmentRecord,
  PhaseRecord,
  StressStep,
} from '../record/assessment-record.ts';
import { buildAssessment } from './build-record.ts';
import { redactPlan } from '../record/redact.ts';
import { emptyRunRecord } from '../record/run-record.ts';
import { currentEnvironment } from '../record/environment.ts';
import { selectMetric } from '../record/select.ts';
import { requestsPerIteration, runPhase, type PhaseEnv } from './phase-runner.ts';
import { recoveryPhase } from './phases/recovery.ts';
import { spikePhase } from './phases/spike.ts';
import { DEFAULT_TIMING, type PhaseTiming } from './timing.ts';
import type { WindowProbes } from '../probes/window-probes.ts';
import type { PhaseDatabaseProbe } from '../probes/postgres/collect.ts';
import { steadyPhase, steadyPlan } from './phases/steady.ts';
import { observerReference, type ObserverReference } from './observer-reference.ts';
import type { RunRecord } from '../record/run-record.ts';
import { stressPhase } from './phases/stress.ts';

export interface AssessOptions {
  config: AssessmentConfig;
  /** Which command asked (history lists it): assess (default) or demo. */
  command?: AssessmentCommand;
  workers?: number;
  /** Progress lines (phase starts, verdicts) — stderr in the CLI. */
  log(line: string): void;
  thresholds?: SeverityThresholds;
  /** Phase lengths (default: DEFAULT_TIMING, about 3 minutes in all). */
  timing?: PhaseTiming;
  /** Highest rate the stress staircase may offer. */
  maxRate?: number;
  now?: () => Date;
  /**
   * assess --profile: the target's inside view, measured where the capacity is decided: a `capacity`
   * phase at the highest rate the stress phase sustained (ASSESSMENT-RULES.md §6). Without a stress
   * phase the window is the baseline phase (the expected load). The probes go into the record.
   */
  window?: WindowProbes;
  /**
   * assess --db: the database's view of each measured phase (pg_stat_statements before/after, the
   * connections during it); its probes go into the record as probes.database.
   */
  database?: PhaseDatabaseProbe;
}

/** Brackets every measured phase; see src/probes/postgres/collect.ts. */
export interface AssessHandle {
  result: Promise<AssessmentRecord>;
  /** Ctrl-C: stop the running phase, skip the others, keep what was measured. */
  stop(): void;
}

/** The staircase without the step where the generator gave out (it measured speedguard, not the service). */
function measuredSteps(s: NonNullable<PhaseRecord['stress']>): StressStep[] {
  return s.stopReason === 'generator_limit' ? s.steps.slice(0, -1) : s.steps;
}

/**
 * Later phases stay this far under the rate the stress phase drove: a stress step held it for a few
 * seconds only, and a spike at exactly that rate left the generator no room (a failed phase, seen in CI).
 */
const CEILING_HEADROOM = 0.8;

/** A spike smaller than this multiple of the expected rate is no spike: the phase is skipped, saying why. */
const MIN_SPIKE_FACTOR = 1.5;

/**
 * A phase this host cannot drive: skipped, with the figures and what would test it. The service
 * outlasted the load generator in the stress phase, so the phase would measure speedguard.
 */
function notTestable(plan: Plan, name: 'spike' | 'recovery', need: string, ceiling: number): PhaseRecord {
  return {
    name,
    description: `not run: ${need}`,
    offeredRate: 0,
    run: emptyRunRecord(redactPlan(plan), new Date(), currentEnvironment(0)),
    verdict: 'skipped',
    verdictReason:
      `could not be tested at this scale: ${need}, and the stress phase drove at most ${ceiling} req/s on this host. ` +
      'Run the load from more cores (--workers, with the service on other cores) or from more hosts to test it.',
  };
}

/** Without an expected load, the phases run at this share of the sustainable maximum found by stress. */
export const DISCOVERED_BASELINE_SHARE = 0.5;
/** The peak phase offers this many times the expected rate. */
export const PEAK_FACTOR = 10;
/** The recovery phase's overload: this many times the breaking rate the stress phase found, else … */
export const RECOVERY_OVER_BREAKING = 1.25;
/** … this many times the expected rate (at least twice it either way). */
export const RECOVERY_FACTOR = 4;

/**
 * The rate the capacity phase profiles: the highest the stress phase sustained (the SLO held there;
 * one step more broke it), else its first step (it broke at once: profile where it broke), kept
 * under the generator's ceiling like every later phase. Null when no step completed.
 */
export function profiledCapacityRate(st: NonNullable<PhaseRecord['stress']>, ceiling: number | null): number | null {
  const first = st.steps[0];
  if (!first) return null;
  const wanted = st.maxSustainableRate ?? first.offeredRate;
  return Math.max(1, ceiling !== null ? Math.min(wanted, Math.floor(CEILING_HEADROOM * ceiling)) : wanted);
}

export function startAssessment(plan: Plan, opts: AssessOptions): AssessHandle {
  const env: PhaseEnv = {
    base: plan,
    slo: opts.config.slo,
    timing: opts.timing ?? DEFAULT_TIMING,
    workers: opts.workers,
    log: opts.log,
    current: null,
    interrupted: false,
    requestsPerIteration: requestsPerIteration(plan),
  };
  const result = runSuite(plan, opts, env);
  return {
    result,
    stop() {
      env.interrupted = true;
      env.current?.stop('interrupted by the user');
    },
  };
}

async function runSuite(plan: Plan, opts: AssessOptions, env: PhaseEnv): Promise<AssessmentRecord> {
  const started = Date.now();
  const cfg = opts.config;
  const want = new Set<PhaseName>(cfg.suite);
  const phases: PhaseRecord[] = [];
  const log = opts.log;
  // Every phase is bracketed by the database probe (when given): the statements it caused.
  const db = opts.database;
  const measured = async (name: PhaseName, run: () => Promise<PhaseRecord>): Promise<PhaseRecord> => {
    await db?.begin(name);
    const p = await run();
    await db?.end(name, selectMetric(p.run, 'http_reqs')?.sum ?? 0);
    return p;
  };
  const done = (p: PhaseRecord) => {
    phases.push(p);
    const mark = p.verdict === 'passed' ? '✓' : p.verdict === 'degraded' ? '~' : '✗';
    log(`${mark} ${p.name}: ${p.verdict} — ${p.verdictReason}`);
  };

  log(`inspecting endpoints …`);
  const inspection = await inspectEndpoints(plan).catch(() => []);

  let expected = cfg.expectedRate;
  let stress: PhaseRecord | null = null;
  const needsRate = ['baseline', 'spike', 'sustained', 'recovery', 'peak'].some((p) => want.has(p as PhaseName));
  if (want.has('stress') || (expected === null && needsRate)) {
    log(`stress: ramping the arrival rate until the SLO (${cfg.slo.source.join(', ')}) breaks …`);
    stress = await measured('stress', () => stressPhase(env, expected, opts.maxRate));
    done(stress);
  }
  if (expected === null) {
    const s = stress?.stress;
    const found = s?.maxSustainableRate ?? (s?.steps[0] ? s.steps[0].offeredRate / 2 : 10);
    expected = Math.max(1, Math.floor(found * DISCOVERED_BASELINE_SHARE));
    log(`no --expected-rate: using ${expected} req/s (${DISCOVERED_BASELINE_SHARE * 100} % of the sustainable ${found} req/s)`);
  }
  const rate = expected;
  // No phase asks for more than the stress phase showed this host can drive: where the generator gave
  // out, or, when the staircase reached its top without a break, the highest rate it drove.
  const st = stress?.stress;
  const ceiling = st?.generatorCeilingRps ?? (st?.stopReason === 'max_rate' ? st.maxSustainableRate : null) ?? null;

  // The profiled phase, between the two halves of the observer-effect reference at the same rate
  // (issue 12: every profiled run measures what the profilers cost; assess/observer-reference.ts).
  // (Set inside profiledPhase: `as` keeps the control flow from narrowing it to null for good.)
  let observed = null as { reference: ObserverReference; run: RunRecord } | null;
  const profiledPhase = async (window: WindowProbes, name: 'capacity' | 'baseline', phaseRate: number): Promise<PhaseRecord> => {
    const durationMs = env.timing.baselineSeconds * 1000;
    const reference = observerReference({
      window,
      windowMs: durationMs,
      model: 'open',
      offeredRate: phaseRate,
      phase: name,
      interrupted: () => env.interrupted,
      log,
      run: async (ms) => (await runPhase(env, steadyPlan(env, name, phaseRate, ms))).run,
    });
    await reference.step('before');
    await window.begin();
    const p = await measured(name, () => steadyPhase(env, name, phaseRate, durationMs));
    await window.end();
    await reference.step('after');
    observed = { reference, run: p.run };
    return p;
  };

  // Profile where the capacity is decided (issue 12): the half-load baseline shows nothing at its limit.
  const capacityRate = opts.window && st && !env.interrupted ? profiledCapacityRate(st, ceiling) : null;
  if (capacityRate !== null) {
    log(`capacity: ${capacityRate} req/s for ${env.timing.baselineSeconds} s (profiled: the highest rate the stress phase sustained) …`);
    done(await profiledPhase(opts.window!, 'capacity', capacityRate));
  }
  const baselineWindow = capacityRate === null ? opts.window : undefined;

  let baselineP95: number | null = null;
  if (want.has('baseline') && !env.interrupted) {
    log(`baseline: ${rate} req/s for ${env.timing.baselineSeconds} s${baselineWindow ? ' (profiled)' : ''} …`);
    const p = baselineWindow
      ? await profiledPhase(baselineWindow, 'baseline', rate)
      : await measured('baseline', () => steadyPhase(env, 'baseline', rate, env.timing.baselineSeconds * 1000));
    baselineP95 = selectMetric(p.run, 'http_req_latency')?.percentile(95) ?? null;
    done(p);
  }
  if (want.has('peak') && !env.interrupted) {
    log(`peak: ${rate * PEAK_FACTOR} req/s for ${env.timing.baselineSeconds} s …`);
    done(await measured('peak', () => steadyPhase(env, 'peak', rate * PEAK_FACTOR, env.timing.baselineSeconds * 1000)));
  }
  if (want.has('spike') && !env.interrupted) {
    const wanted = rate * env.timing.spike.factor;
    const spikeRate = ceiling !== null ? Math.min(wanted, Math.floor(CEILING_HEADROOM * ceiling)) : wanted;
    if (spikeRate < MIN_SPIKE_FACTOR * rate) {
      done(notTestable(plan, 'spike', `a ${env.timing.spike.factor}× spike of ${rate} req/s is ${wanted} req/s`, ceiling!));
    } else {
      log(
        `spike: ${rate} → ${spikeRate} → ${rate} ` +
          `req/s${spikeRate < wanted ? ` (${wanted} req/s is beyond the load generator on this host)` : ''} …`,
      );
      done(await measured('spike', () => spikePhase(env, rate, spikeRate)));
    }
  }
  if (want.has('sustained') && !env.interrupted) {
    log(`sustained: ${rate} req/s for ${Math.round(cfg.soakMs / 1000)} s …`);
    done(await measured('sustained', () => steadyPhase(env, 'sustained', rate, cfg.soakMs)));
  }
  if (want.has('recovery') && !env.interrupted) {
    const breaking = stress?.stress?.breakingRate ?? null;
    const wanted = Math.max(2 * rate, breaking ? Math.round(breaking * RECOVERY_OVER_BREAKING) : RECOVERY_FACTOR * rate);
    const overload = ceiling !== null ? Math.min(wanted, ceiling) : wanted;
    const ref = baselineP95 ?? stress?.stress?.steps.find((s) => s.sloOk)?.p95Ms ?? cfg.slo.latencyMs / 2;
    if (ceiling !== null) {
      // The service outlasted the generator: there is no overload this host can offer to recover from.
      done(notTestable(plan, 'recovery', `an overload needs more than the service held (${ceiling} req/s and beyond)`, ceiling));
    } else {
      log(`recovery: overload at ${overload} req/s, then ${rate} req/s …`);
      done(await measured('recovery', () => recoveryPhase(env, rate, overload, ref)));
    }
  }

  const capacity = stress?.stress
    ? buildCapacity(
        measuredSteps(stress.stress),
        cfg.slo,
        cfg.growthPercentPerQuarter !== null
          ? { percentPerQuarter: cfg.growthPercentPerQuarter, currentRps: rate, targetRps: cfg.targetRate }
          : null,
      )
    : null;
  // The service did not break: the capacity found is what this host could send, a lower bound.
  if (capacity && st && (st.stopReason === 'generator_limit' || st.stopReason === 'max_rate')) {
    capacity.lowerBound = true;
    capacity.limitedBy = st.stopReason === 'generator_limit' ? 'generator' : 'max_rate';
  }
  // The database analysis reads the target's agent (N+1 per request) when the service was profiled.
  const probes: AssessmentProbes = { effectiveExpectedRate: rate };
  if (opts.window) {
    probes.target = opts.window.probes();
    const observer = observed?.reference.effect(observed.run, probes.target);
    if (observer) probes.target.observer = observer;
  }
  if (db) probes.database = await db.finish(probes.target ?? null);
  return buildAssessment({
    command: opts.command ?? 'assess',
    target: plan.source,
    status: env.interrupted ? 'interrupted' : phases.length ? 'completed' : 'failed',
    statusReason: env.interrupted ? 'interrupted by the user: the phases not run are missing' : phases.length ? null : 'no phase ran',
    startedAt: started,
    endedAt: Date.now(),
    config: cfg,
    phases,
    inspection,
    capacity,
    probes,
    workers: opts.workers ?? 0,
    thresholds: opts.thresholds,
  });
}
