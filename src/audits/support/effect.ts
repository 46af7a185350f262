// What a finding does to the service, for ranking within a severity (ASSESSMENT-RULES.md §2): first
// what sets the capacity (the capacity findings and the finding that names the limiting resource,
// support/limiting.ts), then what costs response time or errors under load, then what wastes bytes
// or upkeep without limiting either. Each audit declares its effect (Audit.effect); notes that make
// the other figures unreliable come first: they change how every other finding reads.
import type { AuditFinding, Effect } from '../types.ts';
import { describesLimit, type LimitingResource } from './limiting.ts';

export function effectOf(f: AuditFinding, declared: Effect, limit: LimitingResource | null): Effect {
  return f.invalidatesOthers || describesLimit(f, limit) ? 'capacity' : declared;
}

const ORDER: Record<Effect, number> = { capacity: 0, objective: 1, hygiene: 2 };

/** 0 = sets the capacity … 2 = hygiene: smaller ranks first within a severity. */
export function effectRank(f: AuditFinding, declared: Effect, limit: LimitingResource | null): number {
  return ORDER[effectOf(f, declared, limit)];
}
