// User-facing plan object (YAML/JSON/script options/CLI flags) → the typed Plan of types.ts.
// Validates with the JSON Schema first, then applies k6's shortcut rules and defaults, and the
// checks a schema cannot express (see the README-style notes by each rule).

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_EXEC, DEFAULT_SCENARIO_NAME, HTTP_DEFAULTS, SCENARIO_DEFAULTS, defaultArrivalVUs } from './defaults.ts';
import { parseSize } from './duration.ts';
import { feederColumns, loadFeederSync } from './feeders.ts';
import type { PathSegment } from './errors.ts';
import { CREDENTIALS_IN_URL, convertFlow, durationMs, hasCredentials, stringMap, type FlowContext } from './steps.ts';
import type { FeederSpec, HttpSettings, Plan, Scenario, Stage, Step, ThresholdSpec } from './types.ts';
import type { PlanOptions, UserScenario, UserStage, UserStep } from './user-types.ts';
import { planError, validateUserPlan, type SourceContext } from './validate.ts';

export interface NormaliseOptions extends SourceContext {
  /** Plan.source: where the plan came from (absolute file path or URL). */
  source: string;
  /** Directory feeder paths are relative to (the plan file's directory). */
  baseDir: string;
  /** "flow": request-list plan (YAML/JSON/URL); "script": a module's options (flows not allowed). */
  mode: 'flow' | 'script';
  /** Script mode: absolute path of the module. */
  scriptPath?: string | null;
}

const SHORTCUTS = ['vus', 'duration', 'iterations', 'stages', 'rate'] as const;

export function normalisePlan(input: unknown, options: NormaliseOptions): Plan {
  validateUserPlan(input, options);
  const user = input;
  const ctx: SourceContext = options;

  const target = user.target === undefined ? undefined : normaliseTarget(ctx, user.target);
  const feeders = normaliseFeeders(ctx, user.data ?? {}, options.baseDir);
  // Feeders are read once here: a malformed file or a ${feeder.column} naming no column is bad input
  // now, not a stream of failing requests later.
  const feederColumnsByName = new Map(feeders.map((f) => [f.name, feederColumns(loadFeederSync(f))] as const));
  const flowCtx: FlowContext = { ...ctx, target, feeders: new Set(feeders.map((f) => f.name)), feederColumns: feederColumnsByName };

  // The top-level flow is converted once and shared by the scenarios that use it.
  let topFlow: Step[] | null = null;
  if (user.flow !== undefined) {
    if (options.mode === 'script') throw planError(ctx, ['flow'], 'is not allowed in a script: its exported functions are the flow');
    topFlow = convertFlow(flowCtx, user.flow, ['flow']);
  }
  const flowFor = (own: UserStep[] | undefined, path: PathSegment[], exec: string | undefined): Step[] | null => {
    if (options.mode === 'script') {
      if (own !== undefined) throw planError(ctx, [...path, 'flow'], 'is not allowed in a script: its exported functions are the flow');
      return null;
    }
    if (exec !== undefined) throw planError(ctx, [...path, 'exec'], 'only applies to script plans (this plan runs its flow)');
    if (own !== undefined) return convertFlow(flowCtx, own, [...path, 'flow']);
    if (topFlow !== null) return topFlow;
    const where = path.length === 0 ? 'the plan has no flow' : `scenario "${path[1]}" has no flow`;
    throw planError(ctx, path.length === 0 ? ['flow'] : path, `${where}: add a top-level "flow" (the steps of one iteration)`);
  };

  const plan: Plan = {
    source: options.source,
    scriptPath: options.mode === 'script' ? (options.scriptPath ?? null) : null,
    scenarios: buildScenarios(ctx, user, flowFor),
    thresholds: normaliseThresholds(ctx, user.thresholds ?? {}),
    http: normaliseHttp(ctx, user.http ?? {}),
    feeders,
    tags: stringMap(user.tags),
    workers: user.workers ?? 0,
    env: stringMap(user.env),
  };
  if (target !== undefined) plan.target = target;
  if (user.probes?.postgres) plan.probes = { postgres: user.probes.postgres };
  return plan;
}

type FlowFor = (own: UserStep[] | undefined, path: PathSegment[], exec: string | undefined) => Step[] | null;

function normaliseTarget(ctx: SourceContext, target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw planError(ctx, ['target'], `invalid URL ${JSON.stringify(target)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw planError(ctx, ['target'], `must be an http:// or https:// URL (got ${JSON.stringify(target)})`);
  }
  if (hasCredentials(target)) throw planError(ctx, ['target'], CREDENTIALS_IN_URL);
  return target.replace(/\/+$/, '');
}

// ---- scenarios --------------------------------------------------------------------------------

function common(ctx: SourceContext, s: UserScenario | undefined, path: PathSegment[], flowFor: FlowFor) {
  return {
    startTimeMs: s?.startTime === undefined ? SCENARIO_DEFAULTS.startTimeMs : durationMs(ctx, s.startTime, [...path, 'startTime']),
    gracefulStopMs:
      s?.gracefulStop === undefined ? SCENARIO_DEFAULTS.gracefulStopMs : durationMs(ctx, s.gracefulStop, [...path, 'gracefulStop']),
    exec: s?.exec ?? DEFAULT_EXEC,
    tags: stringMap(s?.tags),
    env: stringMap(s?.env),
    flow: flowFor(s?.flow, path, s?.exec),
  };
}

function positiveMs(ctx: SourceContext, value: UserStage['duration'], path: PathSegment[], what = 'must be longer than 0'): number {
  const ms = durationMs(ctx, value, path);
  if (ms <= 0) throw planError(ctx, path, `${what} (got ${JSON.stringify(value)})`);
  return ms;
}

function stages(ctx: SourceContext, list: UserStage[], path: PathSegment[]): Stage[] {
  const out = list.map((stage, i) => ({ durationMs: durationMs(ctx, stage.duration, [...path, i, 'duration']), target: stage.target }));
  if (out.every((stage) => stage.durationMs === 0)) throw planError(ctx, path, 'the stages must last longer than 0 in total');
  return out;
}

/** k6 shortcut rules (cmd/config.go deriveScenariosFromShortcuts), plus speedguard's `rate`. */
function buildScenarios(ctx: SourceContext, user: PlanOptions, flowFor: FlowFor): Record<string, Scenario> {
  const used = SHORTCUTS.filter((key) => user[key] !== undefined);
  if (user.scenarios !== undefined) {
    if (used.length > 0) {
      throw planError(
        ctx,
        [used[0]!],
        `cannot be combined with "scenarios" (use either the ${SHORTCUTS.join('/')} shortcuts or scenarios)`,
      );
    }
    const out: Record<string, Scenario> = {};
    for (const [name, scenario] of Object.entries(user.scenarios)) out[name] = buildScenario(ctx, scenario, ['scenarios', name], flowFor);
    return out;
  }
  const conflict = (a: string, b: string, hint = '') => planError(ctx, [b], `cannot be combined with "${a}"${hint}`);
  const base = () => common(ctx, undefined, [], flowFor);
  let scenario: Scenario;
  if (user.rate !== undefined) {
    if (user.iterations !== undefined) throw conflict('rate', 'iterations');
    if (user.stages !== undefined) throw conflict('rate', 'stages', ' (for a ramping rate use a ramping-arrival-rate scenario)');
    if (user.duration === undefined) throw planError(ctx, ['rate'], 'needs "duration" (how long to keep this rate)');
    const durationMsValue = positiveMs(ctx, user.duration, ['duration']);
    // With `rate`, `vus` caps the VU pool; otherwise it is sized from the rate (defaults.ts).
    const pool = user.vus !== undefined ? { preAllocatedVUs: user.vus, maxVUs: user.vus } : defaultArrivalVUs(user.rate);
    scenario = {
      executor: 'constant-arrival-rate',
      rate: user.rate,
      timeUnitMs: SCENARIO_DEFAULTS.timeUnitMs,
      durationMs: durationMsValue,
      ...pool,
      ...base(),
    };
  } else if (user.iterations !== undefined) {
    if (user.stages !== undefined) throw conflict('iterations', 'stages');
    const vus = user.vus ?? SCENARIO_DEFAULTS.vus;
    if (user.iterations < vus) throw planError(ctx, ['iterations'], `must be at least vus (${vus}) for shared-iterations`);
    scenario = {
      executor: 'shared-iterations',
      vus,
      iterations: user.iterations,
      // k6: with iterations, duration becomes the scenario's maxDuration.
      maxDurationMs: user.duration === undefined ? SCENARIO_DEFAULTS.maxDurationMs : positiveMs(ctx, user.duration, ['duration']),
      ...base(),
    };
  } else if (user.duration !== undefined) {
    if (user.stages !== undefined) throw conflict('duration', 'stages', ' (the stages set the duration)');
    scenario = {
      executor: 'constant-vus',
      vus: user.vus ?? SCENARIO_DEFAULTS.vus,
      durationMs: positiveMs(ctx, user.duration, ['duration']),
      ...base(),
    };
  } else if (user.stages !== undefined) {
    scenario = {
      executor: 'ramping-vus',
      startVUs: user.vus ?? SCENARIO_DEFAULTS.startVUs,
      stages: stages(ctx, user.stages, ['stages']),
      gracefulRampDownMs: SCENARIO_DEFAULTS.gracefulRampDownMs,
      ...base(),
    };
  } else {
    // Nothing given: k6 runs 1 iteration of 1 VU; `vus` alone gives 1 iteration per VU.
    scenario = {
      executor: 'per-vu-iterations',
      vus: user.vus ?? SCENARIO_DEFAULTS.vus,
      iterations: SCENARIO_DEFAULTS.iterations,
      maxDurationMs: SCENARIO_DEFAULTS.maxDurationMs,
      ...base(),
    };
  }
  return { [DEFAULT_SCENARIO_NAME]: scenario };
}

function buildScenario(ctx: SourceContext, s: UserScenario, path: PathSegment[], flowFor: FlowFor): Scenario {
  const at = (key: string) => [...path, key];
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations': {
      const vus = s.vus ?? SCENARIO_DEFAULTS.vus;
      const iterations = s.iterations ?? SCENARIO_DEFAULTS.iterations;
      if (s.executor === 'shared-iterations' && iterations < vus) {
        throw planError(
          ctx,
          at(s.iterations === undefined ? 'vus' : 'iterations'),
          `iterations (${iterations}) must be at least vus (${vus}) for shared-iterations`,
        );
      }
      const maxDurationMs =
        s.maxDuration === undefined ? SCENARIO_DEFAULTS.maxDurationMs : positiveMs(ctx, s.maxDuration, at('maxDuration'));
      return { executor: s.executor, vus, iterations, maxDurationMs, ...common(ctx, s, path, flowFor) };
    }
    case 'constant-vus':
      return {
        executor: 'constant-vus',
        vus: s.vus ?? SCENARIO_DEFAULTS.vus,
        durationMs: positiveMs(ctx, s.duration, at('duration')),
        ...common(ctx, s, path, flowFor),
      };
    case 'ramping-vus':
      return {
        executor: 'ramping-vus',
        startVUs: s.startVUs ?? SCENARIO_DEFAULTS.startVUs,
        stages: stages(ctx, s.stages, at('stages')),
        gracefulRampDownMs:
          s.gracefulRampDown === undefined
            ? SCENARIO_DEFAULTS.gracefulRampDownMs
            : durationMs(ctx, s.gracefulRampDown, at('gracefulRampDown')),
        ...common(ctx, s, path, flowFor),
      };
    case 'constant-arrival-rate': {
      const timeUnitMs = s.timeUnit === undefined ? SCENARIO_DEFAULTS.timeUnitMs : positiveMs(ctx, s.timeUnit, at('timeUnit'));
      return {
        executor: 'constant-arrival-rate',
        rate: s.rate,
        timeUnitMs,
        durationMs: positiveMs(ctx, s.duration, at('duration')),
        ...vuPool(ctx, s.preAllocatedVUs, s.maxVUs, (s.rate * 1000) / timeUnitMs, path),
        ...common(ctx, s, path, flowFor),
      };
    }
    case 'ramping-arrival-rate': {
      const timeUnitMs = s.timeUnit === undefined ? SCENARIO_DEFAULTS.timeUnitMs : positiveMs(ctx, s.timeUnit, at('timeUnit'));
      const startRate = s.startRate ?? SCENARIO_DEFAULTS.startRate;
      const stageList = stages(ctx, s.stages, at('stages'));
      const peak = Math.max(startRate, ...stageList.map((stage) => stage.target));
      return {
        executor: 'ramping-arrival-rate',
        startRate,
        timeUnitMs,
        stages: stageList,
        ...vuPool(ctx, s.preAllocatedVUs, s.maxVUs, (peak * 1000) / timeUnitMs, path),
        ...common(ctx, s, path, flowFor),
      };
    }
  }
}

/**
 * Arrival-rate VU pool. k6 rules where k6 has them: maxVUs defaults to preAllocatedVUs, and may
 * not be lower. k6 requires preAllocatedVUs; we size it from the peak rate instead (defaults.ts).
 */
function vuPool(
  ctx: SourceContext,
  preAllocated: number | undefined,
  max: number | undefined,
  peakPerSecond: number,
  path: PathSegment[],
): { preAllocatedVUs: number; maxVUs: number } {
  let pool: { preAllocatedVUs: number; maxVUs: number };
  if (preAllocated !== undefined) pool = { preAllocatedVUs: preAllocated, maxVUs: max ?? preAllocated };
  else if (max !== undefined) pool = { preAllocatedVUs: Math.min(max, defaultArrivalVUs(peakPerSecond).preAllocatedVUs), maxVUs: max };
  else pool = defaultArrivalVUs(peakPerSecond);
  if (pool.maxVUs < pool.preAllocatedVUs) {
    throw planError(ctx, [...path, 'maxVUs'], `must be at least preAllocatedVUs (${pool.preAllocatedVUs})`);
  }
  if (pool.maxVUs < 1) throw planError(ctx, [...path, 'maxVUs'], 'must be at least 1 (it defaults to preAllocatedVUs, which is 0)');
  return pool;
}

// ---- thresholds, http, data -------------------------------------------------------------------

function normaliseThresholds(ctx: SourceContext, thresholds: NonNullable<PlanOptions['thresholds']>): Record<string, ThresholdSpec[]> {
  const out: Record<string, ThresholdSpec[]> = {};
  for (const [metric, list] of Object.entries(thresholds)) {
    // Shaped only: the expressions are parsed by src/metrics/thresholds/.
    out[metric] = list.map((item, i) =>
      typeof item === 'string'
        ? { expression: item.trim(), abortOnFail: false, delayAbortEvalMs: 0 }
        : {
            expression: item.threshold.trim(),
            abortOnFail: item.abortOnFail ?? false,
            delayAbortEvalMs:
              item.delayAbortEval === undefined ? 0 : durationMs(ctx, item.delayAbortEval, ['thresholds', metric, i, 'delayAbortEval']),
            ...(item.allowEmpty === true ? { allowEmpty: true } : {}),
          },
    );
  }
  return out;
}

function normaliseHttp(ctx: SourceContext, http: NonNullable<PlanOptions['http']>): HttpSettings {
  return {
    timeoutMs: http.timeout === undefined ? HTTP_DEFAULTS.timeoutMs : positiveMs(ctx, http.timeout, ['http', 'timeout']),
    connectTimeoutMs:
      http.connectTimeout === undefined ? HTTP_DEFAULTS.connectTimeoutMs : positiveMs(ctx, http.connectTimeout, ['http', 'connectTimeout']),
    insecureSkipTLSVerify: http.insecureSkipTLSVerify ?? HTTP_DEFAULTS.insecureSkipTLSVerify,
    discardResponseBodies: http.discardResponseBodies ?? HTTP_DEFAULTS.discardResponseBodies,
    keepAlive: http.keepAlive ?? HTTP_DEFAULTS.keepAlive,
    pipelining: http.pipelining ?? HTTP_DEFAULTS.pipelining,
    maxBodyBytes: http.maxBodySize === undefined ? HTTP_DEFAULTS.maxBodyBytes : parseSize(http.maxBodySize),
    ...(http.tls ? { tls: http.tls } : {}),
    ...(http.hosts ? { hosts: http.hosts } : {}),
    ...(http.rps !== undefined ? { rps: http.rps } : {}),
    ...(http.dns
      ? {
          dns: {
            ttlMs:
              http.dns.ttl === 'inf'
                ? null
                : http.dns.ttl === undefined
                  ? 5 * 60_000
                  : durationMs(ctx, http.dns.ttl, ['http', 'dns', 'ttl']),
            select: http.dns.select ?? 'random',
            policy: http.dns.policy ?? 'preferIPv4',
          },
        }
      : {}),
  };
}

function normaliseFeeders(ctx: SourceContext, data: NonNullable<PlanOptions['data']>, baseDir: string): FeederSpec[] {
  return Object.entries(data).map(([name, spec]) => {
    const given = typeof spec === 'string' ? { path: spec } : spec;
    const path = resolve(baseDir, given.path);
    const at: PathSegment[] = typeof spec === 'string' ? ['data', name] : ['data', name, 'path'];
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      throw planError(ctx, at, `file not found: ${path}`);
    }
    if (!isFile) throw planError(ctx, at, `not a file: ${path}`);
    return { name, path, mode: given.mode ?? 'shared', order: given.order ?? 'sequential' };
  });
}
