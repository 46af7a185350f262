// Findings: what an audit concludes about a record, with its evidence and severity. The ground
// floor of the pipeline (docs/ASSESSMENT-RULES.md §1): audits produce them, orchestration ranks them
// and decides the verdict, renderers and the history only read them.
import type { PhaseName } from './phase-name.ts';

/** critical = P0, high = P1, medium = P2, low = P3; info = no action needed (e.g. "no bottleneck"). */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type FindingType = 'database' | 'application' | 'frontend' | 'network' | 'infrastructure';

export interface Evidence {
  label: string;
  value: number | string;
  /** Unit of a numeric value: "ms", "req/s", "%", "bytes", "s", "count" … */
  unit?: string;
  phase?: PhaseName;
}

export interface Finding {
  /** PERF-001 …, assigned after all audits ran, most severe first. */
  id: string;
  /** The audit that produced it (its file name), e.g. "latency-slo". */
  audit: string;
  title: string;
  type: FindingType;
  severity: Severity;
  /** 0..1: how sure the audit is (sample size, fit quality, noise). */
  confidence: number;
  /** What it is about: an endpoint, "service", "load generator", "HTTP layer" … */
  component: string;
  description: string;
  evidence: Evidence[];
  location: { file?: string; line?: number; function?: string; endpoint?: string } | null;
  rootCause: string;
  impact: { responseTimeIncrease?: string; throughputReduction?: string; userExperience?: string; resourceWaste?: string };
  recommendation: {
    approach: string;
    expectedImprovement: string;
    effort: 'low' | 'medium' | 'high';
    testingRequired: string;
    rollbackPlan: string;
  };
  /** True for a finding that makes the others unreliable (a generator-bound run). */
  invalidatesOthers?: boolean;
  /**
   * 'measurement': a note about speedguard's own measurement (the load generator gave out, the
   * iterations it could not send), not about the service. Never P0/P1, never in the verdict or
   * score (ASSESSMENT-RULES.md §2). Absent: a finding about the service.
   */
  about?: 'measurement';
}

/** The most severe a measurement note may be: it informs, it never blocks a deployment. */
export const MEASUREMENT_NOTE_MAX: Severity = 'medium';

/** A finding about speedguard's measurement rather than the service. */
export function isMeasurementNote(f: Pick<Finding, 'about'>): boolean {
  return f.about === 'measurement';
}

/** ASSESSMENT-RULES.md §2's severity matrix: lower bounds of each band; overridable in a config file. */
export interface SeverityThresholds {
  /** API p95 (ms): > p0 critical, > p1 high, > p2 medium. */
  apiP95Ms: { p0: number; p1: number; p2: number };
  /** Error rate under load (share): > p0 critical. Smaller non-zero rates rank by the SLO. */
  errorRate: { p0: number };
  /** Throughput vs expected capacity (share achieved): < p1 high. */
  throughputShare: { p1: number };
  cpu: { p0: number; p1: number; p2: number };
  memory: { p0: number; p1: number; p2: number };
  dbQueryMs: { p0: number; p1: number; p2: number };
  cacheHitRate: { p2: number };
}

/** Most severe first: the one order every ranking, filter and table uses. */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Severities a gate (`--fail-on`) can be set at: every one but info. */
export const GATE_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const satisfies readonly Severity[];
export type GateSeverity = (typeof GATE_SEVERITIES)[number];

/**
 * 0 = critical … 4 = info: smaller is more severe. A value that is no severity (a hand-edited or
 * foreign record) ranks as info, so it can never outrank a real finding.
 */
export function severityRank(s: Severity): number {
  const i = SEVERITY_ORDER.indexOf(s);
  return i < 0 ? SEVERITY_ORDER.length - 1 : i;
}

/** P0…P3 (docs/ASSESSMENT-RULES.md §1); info findings have no priority. */
export function priorityLabel(s: Severity): string {
  return severityRank(s) === SEVERITY_ORDER.length - 1 ? 'info' : `P${severityRank(s)}`;
}

/** The more severe of two (null = none). */
export function maxSeverity(a: Severity | null, b: Severity | null): Severity | null {
  if (a === null) return b;
  if (b === null) return a;
  return severityRank(a) <= severityRank(b) ? a : b;
}

/** Sort order of findings: most severe first, then most confident (Array#sort is stable for ties). */
export function compareFindings(a: Pick<Finding, 'severity' | 'confidence'>, b: Pick<Finding, 'severity' | 'confidence'>): number {
  return severityRank(a.severity) - severityRank(b.severity) || (b.confidence ?? 0) - (a.confidence ?? 0);
}

/** The number of a finding id ("PERF-007" → 7); Infinity for any other id. */
function idNumber(id: unknown): number {
  const m = typeof id === 'string' ? /^PERF-(\d+)$/.exec(id) : null;
  return m ? Number(m[1]) : Infinity;
}

/**
 * The order reports list findings in: most severe first, then as the audits ranked them (their ids:
 * within a severity, what sets the capacity before what costs the objective before hygiene, then
 * confidence; ASSESSMENT-RULES.md §2). Renderers must not re-rank by confidence alone: that put a
 * confident hygiene finding above the pool that limits the capacity.
 */
export function asRanked<T extends Pick<Finding, 'severity' | 'id'>>(findings: readonly T[]): T[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank(a.f.severity) - severityRank(b.f.severity) || idNumber(a.f.id) - idNumber(b.f.id) || a.i - b.i)
    .map(({ f }) => f);
}

/** ASSESSMENT-RULES.md §2's response expectations by severity, in hours (P3 and info: none). */
export const RESPOND_WITHIN_HOURS: Readonly<Record<Severity, number | null>> = { critical: 4, high: 24, medium: 72, low: null, info: null };
