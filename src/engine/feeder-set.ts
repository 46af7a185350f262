// Test data for request flows: each plan feeder hands a row to every iteration, either from one
// shared cursor or from a cursor per VU, in file order (wrapping) or at random.
import { loadFeeder } from '../plan/feeders.ts';
import type { FeederSpec } from '../plan/types.ts';

type Row = Record<string, string>;

export interface FeederSet {
  size: number;
  /** One row per feeder, keyed by feeder name (templates read ${users.email}). */
  next(vuId: number): Record<string, Row>;
}

export async function openFeeders(specs: readonly FeederSpec[]): Promise<FeederSet> {
  const feeders = await Promise.all(specs.map(async (spec) => ({ spec, rows: await loadFeeder(spec) })));
  const shared = new Map<string, number>();
  const perVu = new Map<string, number>();
  return {
    size: feeders.length,
    next(vuId) {
      const out: Record<string, Row> = {};
      for (const { spec, rows } of feeders) {
        if (rows.length === 0) continue;
        let i: number;
        if (spec.order === 'random') i = Math.floor(Math.random() * rows.length);
        else if (spec.mode === 'shared') {
          i = shared.get(spec.name) ?? 0;
          shared.set(spec.name, i + 1);
        } else {
          // Per-VU cursors start at different rows so VUs do not all send the same first row.
          const key = spec.name + '#' + vuId;
          i = perVu.get(key) ?? vuId - 1;
          perVu.set(key, i + 1);
        }
        out[spec.name] = rows[i % rows.length]!;
      }
      return out;
    },
  };
}
