// The RunRecord: the one serialisable result of a run (docs/ARCHITECTURE.md). Everything after the
// engine — summaries, exports, audits, reports, history — works from this alone.
import type { AccumulatorData } from '../metrics/accumulator.ts';
import type { MetricType } from '../metrics/types.ts';
import type { Plan } from '../plan/types.ts';
import type { ScriptErrorSample } from './script-errors.ts';

export const RUN_RECORD_SCHEMA = 'speedguard.run/1';

export type RunStatus = 'completed' | 'interrupted' | 'aborted_by_threshold' | 'failed';

/** Whole-run aggregate of one series (metric + tag set). */
export interface SeriesTotal {
  metric: string;
  type: MetricType;
  contains: 'time' | 'data' | 'default';
  tags: Record<string, string>;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Trend only: HdrHistogram standard compressed base64, values in µs (mergeable across runs/machines). */
  histogram?: string;
}

/** One series in one interval: compact statistics (no histogram). Trend values in ms. */
export interface SeriesPoint {
  metric: string;
  tags: Record<string, string>;
  count: number;
  sum: number;
  min: number;
  max: number;
  p50?: number;
  p90?: number;
  p95?: number;
  p99?: number;
}

export interface IntervalRecord {
  /** Whole seconds since the run start (interval k covers [k, k+1) s). */
  index: number;
  /** Seconds covered (1, or more after long runs were coarsened to keep memory bounded). */
  seconds: number;
  series: SeriesPoint[];
  /** Generator self-check for this interval: the worst worker. */
  generator: { cpuMax: number; loopDelayP99MaxMs: number; eluMax: number };
}

export interface ThresholdOutcome {
  /** "http_req_duration{name:login}" */
  selector: string;
  expression: string;
  ok: boolean;
  /** Aggregated value compared (NaN → null when there was no data). */
  actual: number | null;
  abortOnFail: boolean;
  /** Windowed thresholds: the first breach, seconds since start. */
  firstBreachSeconds: number | null;
  /** Set when this threshold's abortOnFail stopped the run. */
  aborted: boolean;
  /** True when the metric got no data: the threshold then fails unless allowEmpty or k6 semantics. */
  noData?: boolean;
  /** Why a threshold without data failed or passed ("no data: http_req_duration got no samples"). */
  note?: string;
}

export interface GeneratorVerdict {
  /** True when the generator, not the target, limited the run: other figures are then suspect. */
  limited: boolean;
  /** Human-readable reasons with figures. */
  reasons: string[];
  workers: number;
  /** Max over intervals and workers. */
  cpuMax: number;
  cpuP95: number;
  loopDelayP99MaxMs: number;
  /** iteration_schedule_delay p99 over the run (ms): how late iterations started vs their schedule. */
  scheduleDelayP99Ms: number;
  heapUsedMaxBytes: number;
  rssMaxBytes: number;
}

export interface RunRecord {
  schema: typeof RUN_RECORD_SCHEMA;
  id: string;
  kind: 'run';
  status: RunStatus;
  /** Why the run did not complete, when it did not. */
  statusReason: string | null;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Errors the user's script threw: the first of each distinct error with its stack, and counts. */
  scriptErrors?: ScriptErrorSample[];
  /** The plan as run (secrets redacted). */
  plan: Plan;
  environment: {
    speedguard: string;
    node: string;
    platform: string;
    arch: string;
    cpus: number;
    workers: number;
  };
  totals: SeriesTotal[];
  intervals: IntervalRecord[];
  thresholds: ThresholdOutcome[];
  generator: GeneratorVerdict;
  /** Total connections opened by all VUs (≫ VUs means churn / no keep-alive). */
  connectionsOpened: number;
  /** Tag keys whose distinct values hit the cardinality cap (collapsed into "__other__"). */
  tagOverflow: string[];
  /** Probe data added by later stages (profiling, database); free-form per probe. */
  probes: Record<string, unknown>;
}

export type { AccumulatorData };

/** A run that never started (a phase skipped before any load): the record shape with nothing in it. */
export function emptyRunRecord(plan: Plan, at: Date, environment: RunRecord['environment']): RunRecord {
  const iso = at.toISOString();
  return {
    schema: RUN_RECORD_SCHEMA,
    id: `not-run-${at.getTime().toString(36)}`,
    kind: 'run',
    status: 'completed',
    statusReason: 'not run',
    startedAt: iso,
    endedAt: iso,
    durationMs: 0,
    plan,
    environment,
    totals: [],
    intervals: [],
    thresholds: [],
    generator: {
      limited: false,
      reasons: [],
      workers: 0,
      cpuMax: 0,
      cpuP95: 0,
      loopDelayP99MaxMs: 0,
      scheduleDelayP99Ms: 0,
      heapUsedMaxBytes: 0,
      rssMaxBytes: 0,
    },
    connectionsOpened: 0,
    tagOverflow: [],
    probes: {},
  };
}
