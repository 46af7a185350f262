// A comparison of a current run with a baseline, as stored in an assessment record (assess --baseline)
// and printed by `speedguard compare` (docs/ASSESSMENT-RULES.md §4). analysis/compare.ts computes it.
import type { Severity } from './findings.ts';

export const COMPARISON_SCHEMA = 'speedguard.comparison/1';

export type RegressionSeverity = Exclude<Severity, 'info'>;

/** ASSESSMENT-RULES.md §4's table: relative changes (0.15 = 15 %) past which a metric has moved in its worse direction. */
export interface RegressionThresholds {
  /** Response time p50/p95/p99: worse when up. */
  responseTime: number;
  /** Achieved requests per second: worse when down. */
  throughput: number;
  /** Share of failed requests: worse when up by this share of its baseline value … */
  errorRate: number;
  /**
   * … and by at least this much in absolute terms (0.001 = 0.1 percentage point, ASSESSMENT-RULES.md §9's "errors
   * < 0.1 %"): a rate going from 0.01 % to 0.011 % is +10 % but changes nothing for anyone.
   */
  errorRateMinIncrease: number;
  /** Mean CPU of the target (when a probe measured it): worse when up. */
  cpu: number;
  /** Mean memory of the target (when a probe measured it): worse when up. */
  memory: number;
}

export type MetricVerdict = 'regression' | 'improvement' | 'unchanged' | 'inconclusive' | 'skipped';

export interface MetricComparison {
  /** latency_p95, throughput, error_rate, cpu, memory … */
  id: string;
  /** "response time p95" */
  label: string;
  unit: 'ms' | 'req/s' | 'ratio' | 'cores' | 'bytes';
  worseWhen: 'up' | 'down';
  /** Whole-run values. */
  baseline: number | null;
  current: number | null;
  /** Relative change (0.15 = +15 %); null when undefined (a baseline of 0). */
  change: number | null;
  /** The threshold as a positive share (0.15), applied in the worse direction. */
  threshold: number;
  /** Two-sided Mann–Whitney p-value on per-second values; null with no per-second data. */
  pValue: number | null;
  test: 'mann-whitney-exact' | 'mann-whitney-normal' | null;
  significant: boolean;
  /**
   * Bootstrap interval of the relative change; null when the change is infinite (a baseline of 0).
   * high is null when unbounded (some resampled baselines were 0); low is always finite.
   */
  ci: { low: number | null; high: number | null; confidence: number } | null;
  /** Per-second observations on each side. */
  samples: { baseline: number; current: number };
  verdict: MetricVerdict;
  /** Regressions only: by how far past the threshold (ASSESSMENT-RULES.md §4). */
  severity: RegressionSeverity | null;
  /** The verdict in one sentence, with its figures. */
  reason: string;
}

export interface ComparedRecord {
  id: string;
  kind: 'run' | 'assess';
  /** The plan source or assessed target (as stored, redacted). */
  target: string;
  startedAt: string;
  status: string;
  /** For assessments: the phase compared. */
  phase: string | null;
  durationMs: number;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  baseline: ComparedRecord;
  current: ComparedRecord;
  settings: {
    alpha: number;
    confidence: number;
    iterations: number;
    seed: number;
    latencyMetric: string;
    warmupSeconds: number;
    thresholds: RegressionThresholds;
  };
  metrics: MetricComparison[];
  regressions: number;
  improvements: number;
  /** Most severe regression, null when none. */
  worstSeverity: RegressionSeverity | null;
  verdict: 'regressed' | 'improved' | 'unchanged';
  /** Caveats: unlike plans, generator-bound runs, too few seconds, metrics not compared. */
  notes: string[];
}
