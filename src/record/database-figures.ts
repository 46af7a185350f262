// The database figures of an assessment (computed once by analysis/database-figures.ts when the
// record is built): what the envelope's database_performance, the terminal's DATABASE line and the
// reports' database sections show, and what the db-* audits judged.
import type { DatabaseProbes } from './database-probes.ts';

export interface DatabaseFigures {
  mode: DatabaseProbes['mode'];
  /** Mean time per call over all statements (ms); null without pg_stat_statements. */
  queryTimeAvgMs: number | null;
  /** 95th percentile of per-statement mean times, weighted by calls (ms): no per-call distribution exists in pg_stat_statements. */
  queryTimeP95Ms: number | null;
  slowQueries: number | null;
  /** Peak connections of the database / max_connections (0..1); null when activity was not sampled. */
  connectionUse: number | null;
  /** Shared-buffer hit ratio that was judged (0..1): the windows' statements under load, the tables' (heap) in a snapshot. */
  cacheHitRatio: number | null;
  /** Blocks the ratio rests on (hit + read), when known. */
  cacheBlocks: number | null;
  /** What the ratio was read from (statements under the load, or the tables' heap blocks). */
  cacheSource?: string | null;
  /** The mean time (ms) above which a statement counted as slow (the lowest DB severity band used). */
  slowBarMs?: number;
  statements: number;
}
