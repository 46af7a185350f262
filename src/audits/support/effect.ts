// What a finding does to the service, for ranking within a severity (ASSESSMENT-RULES.md §2): first
// what sets the capacity (the capacity findings and the finding that names the limiting resource,
// support/limiting.ts), then what costs response time or errors under load, then what wastes bytes
// or upkeep without limiting either. Notes that make the other figures unreliable come first: they
// change how every other finding reads.
import type { AuditFinding } from '../types.ts';
import { describesLimit, type LimitingResource } from './limiting.ts';
import { RESOURCE_AUDITS } from './objective.ts';

/** Findings about the capacity itself: where it ends, and which endpoint gives out first. */
export const CAPACITY_AUDITS: ReadonlySet<string> = new Set(['saturation-knee', 'throughput-plateau', 'endpoint-bottleneck']);

/** Findings about response time or errors under load (the objective). */
export const OBJECTIVE_AUDITS: ReadonlySet<string> = new Set([
  ...RESOURCE_AUDITS,
  'latency-slo',
  'errors-under-load',
  'tail-latency',
  'spike-tolerance',
  'recovery-time',
  'dropped-iterations',
  'memory-leak',
  'db-slow-queries',
  'db-n-plus-one',
  'db-missing-index',
  'db-plan-issues',
  'db-connections',
]);

export type Effect = 'capacity' | 'objective' | 'hygiene';

export function effectOf(f: AuditFinding, limit: LimitingResource | null): Effect {
  if (f.invalidatesOthers || CAPACITY_AUDITS.has(f.audit) || describesLimit(f, limit)) return 'capacity';
  return OBJECTIVE_AUDITS.has(f.audit) ? 'objective' : 'hygiene';
}

const ORDER: Record<Effect, number> = { capacity: 0, objective: 1, hygiene: 2 };

/** 0 = sets the capacity … 2 = hygiene: smaller ranks first within a severity. */
export function effectRank(f: AuditFinding, limit: LimitingResource | null): number {
  return ORDER[effectOf(f, limit)];
}
