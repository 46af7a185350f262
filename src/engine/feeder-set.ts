// Test data for request flows: each plan feeder hands a row to every iteration (shared cursor or
// one per VU, sequential or random — src/plan/feeders.ts). In shared mode every worker walks its
// own stripe of the rows, so workers do not hand out the same rows twice.
import { createFeederPool, loadFeeder, partitionRows, type FeederPool, type FeederRow } from '../plan/feeders.ts';
import type { FeederSpec } from '../plan/types.ts';
import type { Stripe } from './executors/stripe.ts';

export interface FeederSet {
  size: number;
  /** One row per feeder, keyed by feeder name (templates read ${users.email}). */
  next(vuId: number): Record<string, FeederRow>;
}

export async function openFeeders(specs: readonly FeederSpec[], stripe: Stripe): Promise<FeederSet> {
  const pools: Array<{ name: string; pool: FeederPool }> = [];
  for (const spec of specs) {
    let rows = await loadFeeder(spec);
    if (rows.length === 0) continue;
    if (spec.mode === 'shared') rows = partitionRows(rows, stripe.index, stripe.count);
    pools.push({ name: spec.name, pool: createFeederPool(rows, spec) });
  }
  return {
    size: pools.length,
    next(vuId) {
      const out: Record<string, FeederRow> = {};
      for (const { name, pool } of pools) out[name] = pool.cursorFor(vuId).next();
      return out;
    },
  };
}
