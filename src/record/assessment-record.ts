// The AssessmentRecord: everything `speedguard assess` measured and concluded, serialisable, stored
// in the history and re-rendered by `speedguard report` without running anything. Reports read
// it; they decide nothing (findings and verdicts are computed before it is stored).
import type { AlertRule } from './alert-rules.ts';
import type { Comparison } from './comparison.ts';
import type { DatabaseProbes } from './database-probes.ts';
import type { Finding } from './findings.ts';
import type { TargetProbes } from './target-probes.ts';
import type { TargetResources } from './target-resources.ts';
import type { DatabaseFigures } from './database-figures.ts';
import type { PhaseName } from './phase-name.ts';
import type { RunRecord } from './run-record.ts';

export const ASSESSMENT_SCHEMA = 'speedguard.assessment/1';
/** The JSON envelope rendered from an assessment (report/envelope.ts): its `assessment_id` names the record. */
export const ENVELOPE_SCHEMA = 'speedguard.assessment-envelope/1';

export type { PhaseName } from './phase-name.ts';

/** The service-level objective the assessment judges against (from --slo; defaults from ASSESSMENT-RULES.md §3). */
export interface Slo {
  /** Latency percentile (e.g. 95) and its limit in ms: "p95<200ms". */
  latencyPercentile: number;
  latencyMs: number;
  /** Maximum share of failed requests (0.01 = 1 %). */
  errorRate: number;
  /** The expressions as the user wrote them, for reports. */
  source: string[];
}

/** One step of the stress phase's staircase of arrival rates. */
export interface StressStep {
  offeredRate: number;
  /** Completed requests per second during the step (after its settling second). */
  achievedRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Share of failed requests in the step (0..1). */
  errorRate: number;
  /** Little's law: achievedRate × mean latency (s) — requests in the system. */
  concurrency: number;
  /** Interval indexes (seconds since the phase run's start) the step's figures come from. */
  fromSecond: number;
  toSecond: number;
  sloOk: boolean;
  droppedIterations: number;
  /** Seconds of the step in which the load generator, not the target, set the pace (absent in older records). */
  generatorLimitedSeconds?: number;
  /** Of those, seconds in which a generator worker was busy past its CPU limit (working, not starved). */
  generatorBusySeconds?: number;
  /** The generator's worst event-loop delay p99 in the step (ms): responses waited that long to be read. */
  generatorLoopDelayMs?: number;
  /** Service-time p95 (request sent → last byte): without the generator's own lateness. */
  serviceP95Ms?: number;
}

export interface PhaseRecord {
  name: PhaseName;
  /** What the phase did, e.g. "constant 200 req/s for 20 s". */
  description: string;
  /** Highest arrival rate the phase offered (req/s). */
  offeredRate: number;
  run: RunRecord;
  verdict: 'passed' | 'degraded' | 'failed' | 'skipped';
  verdictReason: string;
  /** stress: the staircase; why it stopped; the breaking point (first step that failed), if any. */
  stress?: {
    steps: StressStep[];
    /** generator_limit: the load generator on this host could offer no more while the target still kept its objective. */
    stopReason: 'slo_breached' | 'errors' | 'plateau' | 'max_rate' | 'interrupted' | 'generator_limit';
    breakingRate: number | null;
    /** Highest offered rate whose step met the SLO. */
    maxSustainableRate: number | null;
    /**
     * With stopReason generator_limit: the highest rate this generator drove on schedule on this host
     * (the last clean step). The later phases offer no more than this. Absent in older records.
     */
    generatorCeilingRps?: number | null;
  };
  /**
   * spike: base and spike rates and where the spike sits in the phase run: its first and its last second
   * (interval indexes, both inside the spike; it ends at spikeToSecond + 1 s).
   */
  spike?: { baseRate: number; spikeRate: number; spikeFromSecond: number; spikeToSecond: number };
  /** recovery: after load dropped (at fromSecond), seconds until p95 was back within the limit. */
  recovery?: { fromSecond: number; limitMs: number; baselineP95Ms: number; recoveredAfterSeconds: number | null };
}

/** What a GET of each endpoint looked like (headers that matter for caching, compression, keep-alive). */
export interface HttpInspection {
  method: string;
  url: string;
  /** The request's name tag, to match the run's series. */
  name: string;
  status: number;
  /** Selected response headers, lower-case names. */
  headers: Record<string, string>;
  /** Body size as served to a client that accepts gzip/br (bytes on the wire). */
  transferBytes: number;
  /** Body size decoded (identity). */
  bodyBytes: number;
  /** Content-Encoding of the response when gzip/br were offered; null when uncompressed. */
  encoding: string | null;
  error: string | null;
}

export interface CapacityModel {
  model: 'usl';
  /** USL: X(N) = λN / (1 + σ(N−1) + κN(N−1)). */
  lambda: number;
  sigma: number;
  kappa: number;
  /** Coefficient of determination of the fit (0..1). */
  r2: number;
  fitQuality: 'good' | 'fair' | 'poor';
  /** (concurrency, throughput req/s) pairs the fit used. */
  points: Array<{ concurrency: number; throughput: number }>;
  /**
   * The fitted curve's maximum throughput and the concurrency where it occurs (N* = √((1−σ)/κ)).
   * Null when the model has no maximum (κ = 0: throughput only levels off) or it lies more than
   * twice beyond the largest measured concurrency (an extrapolation, not a finding).
   */
  peakThroughputRps: number | null;
  peakConcurrency: number | null;
  /** Highest measured rate that met the SLO (req/s) — the capacity figure. */
  sustainableRps: number | null;
  /**
   * True when the service did not break in the stress phase: the load generator on this host gave out
   * first (limitedBy 'generator') or the highest planned rate was reached (limitedBy 'max_rate').
   * sustainableRps is then a lower bound ("≥ 15,000 req/s"), not where the service breaks. Absent in older records.
   */
  lowerBound?: boolean;
  limitedBy?: 'generator' | 'max_rate';
  /** Requests in flight (Little's law) at that rate: ASSESSMENT-RULES.md §7's "concurrent users". */
  sustainableConcurrency?: number | null;
  /** Where throughput stops growing linearly (req/s offered). */
  kneeRps: number | null;
  growth: {
    percentPerQuarter: number;
    currentRps: number;
    /** When load grown from currentRps exceeds sustainableRps (ISO date), null if never within 10 years. */
    exceedsAt: string | null;
    targetRps: number | null;
    /** ceil(targetRps / sustainableRps): assumes linear scale-out (each instance adds sustainableRps). */
    instancesNeeded: number | null;
  } | null;
}

export interface AssessmentConfig {
  expectedRate: number | null;
  slo: Slo;
  suite: PhaseName[];
  /** Sustained phase length (ms). */
  soakMs: number;
  growthPercentPerQuarter: number | null;
  targetRate: number | null;
}

/** The assessment's status (the envelope's performance_status), decided once by assess/verdict.ts (docs/ASSESSMENT-RULES.md §3). */
export type PerformanceStatus = 'optimal' | 'acceptable' | 'degraded' | 'critical';

export interface AssessmentVerdict {
  status: PerformanceStatus;
  /** 0–10, inside the status's band. */
  score: number;
  /** The verdict in a few words, e.g. "2 high (P1) findings, 1 failed phase". */
  headline: string;
  /** A finding says the load generator limited the run: the other figures are not reliable. */
  unreliable: boolean;
}

/** What was measured beside the load, by the command that made the record. */
export interface AssessmentProbes {
  /** From inside and around the service (profile, assess --profile, demo). */
  target?: TargetProbes;
  /** PostgreSQL analysis (db, --db). */
  database?: DatabaseProbes;
  /** profile: the command that started the service. */
  profile?: { command: string[] };
  /** assess: the expected rate the phases used (given, or derived from the stress phase). */
  effectiveExpectedRate?: number;
}

/** The command that made an assessment record (history lists it); 'run': a run rendered as an assessment by `report`. */
export type AssessmentCommand = 'assess' | 'profile' | 'db' | 'demo' | 'run';

export interface AssessmentRecord {
  schema: typeof ASSESSMENT_SCHEMA;
  id: string;
  kind: 'assess';
  /** Absent in records stored before it existed (they were all made by assess, profile or db). */
  command?: AssessmentCommand;
  /** The URL or plan assessed (credentials redacted). */
  target: string;
  /** Short, file-name-safe name of the target (for ANALYSIS/<target>-<timestamp>.md). */
  targetName: string;
  status: 'completed' | 'interrupted' | 'failed';
  statusReason: string | null;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  config: AssessmentConfig;
  environment: RunRecord['environment'];
  phases: PhaseRecord[];
  inspection: HttpInspection[];
  capacity: CapacityModel | null;
  /**
   * The target's CPU and memory over the measured window (profiled runs), computed once when the
   * record is built; null when not measured. Absent in records made before it existed.
   */
  resources?: TargetResources | null;
  /**
   * The database figures the db-* audits judged and the reports show (analysis/database-figures.ts); null without --db. Absent in older
   * records.
   */
  databaseFigures?: DatabaseFigures | null;
  /** Decided by the audits before the record is stored; most severe first, ids PERF-001… */
  findings: Finding[];
  /** Status and score, decided with the findings (assess/verdict.ts); renderers only show it. */
  verdict: AssessmentVerdict;
  /** Alerts the service should keep (assess/alert-rules.ts, ASSESSMENT-RULES.md §7.1). Absent in older records. */
  alerts?: AlertRule[];
  /** Set with --baseline: the comparison against a stored run. */
  comparison: Comparison | null;
  probes: AssessmentProbes;
}
