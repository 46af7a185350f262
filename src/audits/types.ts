// Audits read a record and return findings (Lighthouse's model): one audit per kind of finding,
// each in its own file, registered in audits/index.ts. They are pure: same record, same findings.
import type { AssessmentRecord, PhaseName } from '../record/assessment-record.ts';

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
}

/** SPEC §2's severity matrix: lower bounds of each band; overridable in a config file. */
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

export interface AuditContext {
  record: AssessmentRecord;
  thresholds: SeverityThresholds;
}

export type AuditFinding = Omit<Finding, 'id'>;

export interface Audit {
  /** Same as the file name: "latency-slo". */
  id: string;
  title: string;
  run(ctx: AuditContext): AuditFinding[];
}
