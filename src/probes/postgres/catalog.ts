// Tables, indexes and the shared-buffer cache hit ratios of the current database, from the
// cumulative statistics views (pg_stat_user_*, pg_statio_user_*) and the catalog (pg_index).
//
// Locks: pg_total_relation_size takes an AccessShareLock on the table, and so do pg_get_indexdef /
// pg_get_expr for expression and partial indexes. Those queue behind a running ALTER TABLE /
// VACUUM FULL (or one waiting for its AccessExclusiveLock), and the session's lock_timeout would
// then cancel the whole read. So we first look in pg_locks for tables with an AccessExclusiveLock
// held or requested by another session, take their sizes from pg_class.relpages (no lock; as of the
// last VACUUM/ANALYZE) and leave their indexes out — and say so in a warning.
import type { DatabaseProbes, IndexStats, TableStats } from '../../record/database-probes.ts';
import type { DbSession } from './session.ts';

const LOCK_TIMEOUT = '55P03';

/** Per-table scan counters (cumulative), for diffing a window. */
export interface TableScanCounters {
  schema: string;
  table: string;
  seqScan: number;
  seqTupRead: number;
  idxScan: number;
}

export interface CatalogRead {
  tables: TableStats[];
  indexes: IndexStats[];
  cacheHitRatio: DatabaseProbes['cacheHitRatio'];
  warnings: string[];
}

interface LockedTable {
  oid: string;
  name: string;
}

/** Relations of this database with an AccessExclusiveLock held or awaited by another backend. */
async function lockedRelations(s: DbSession): Promise<LockedTable[]> {
  return s.query<{ oid: string; name: string }>(
    `SELECT DISTINCT l.relation::text AS oid, n.nspname || '.' || c.relname AS name
       FROM pg_locks l
       JOIN pg_class c ON c.oid = l.relation
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.pid <> pg_backend_pid()
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY 2`,
  );
}

/** Runs `run` with the currently locked relations; once more if a lock appeared in between. */
async function avoidingLocks<T>(s: DbSession, run: (locked: LockedTable[]) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const locked = await lockedRelations(s);
    try {
      return await run(locked);
    } catch (e) {
      if ((e as { code?: string }).code !== LOCK_TIMEOUT || attempt >= 1) throw e;
    }
  }
}

// relpages of the heap + its indexes + its TOAST table: an approximation that takes no lock.
const approxTableSize = `(c.relpages
   + coalesce((SELECT sum(ic.relpages) FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid WHERE ix.indrelid = t.relid), 0)
   + coalesce((SELECT tc.relpages FROM pg_class tc WHERE tc.oid = c.reltoastrelid), 0))::float8 * current_setting('block_size')::float8`;

export async function readTables(s: DbSession, warnings: string[] = [], limit = 1000): Promise<TableStats[]> {
  return avoidingLocks(s, async (locked) => {
    const rows = await s.query<{
      schema: string;
      table: string;
      seq_scan: number;
      seq_tup_read: number;
      idx_scan: number | null;
      n_live_tup: number;
      size: number;
      heap_hit: number | null;
      heap_read: number | null;
      last_analyze: Date | null;
    }>(
      `SELECT t.schemaname AS schema, t.relname AS "table", t.seq_scan::float8 AS seq_scan, t.seq_tup_read::float8 AS seq_tup_read,
              t.idx_scan::float8 AS idx_scan, t.n_live_tup::float8 AS n_live_tup,
              (CASE WHEN t.relid = ANY($2::oid[]) THEN ${approxTableSize} ELSE pg_total_relation_size(t.relid) END)::float8 AS size,
              io.heap_blks_hit::float8 AS heap_hit, io.heap_blks_read::float8 AS heap_read,
              greatest(t.last_analyze, t.last_autoanalyze) AS last_analyze
         FROM pg_stat_user_tables t
         JOIN pg_class c ON c.oid = t.relid
         LEFT JOIN pg_statio_user_tables io ON io.relid = t.relid
        ORDER BY size DESC, t.schemaname, t.relname
        LIMIT $1`,
      [limit, locked.map((l) => l.oid)],
    );
    // After the read: a retry must not warn twice.
    if (locked.length > 0)
      warnings.push(
        `sizes of ${locked.map((l) => l.name).join(', ')} are estimates from pg_class.relpages: ` +
          `locked by another session (ALTER TABLE or VACUUM FULL running?)`,
      );
    return rows.map((r): TableStats => {
      const hit = r.heap_hit ?? 0;
      const read = r.heap_read ?? 0;
      return {
        schema: r.schema,
        table: r.table,
        seqScan: r.seq_scan,
        seqTupRead: r.seq_tup_read,
        idxScan: r.idx_scan ?? 0,
        nLiveTup: r.n_live_tup,
        sizeBytes: r.size,
        heapHitRatio: hit + read > 0 ? hit / (hit + read) : null,
        lastAnalyze: r.last_analyze ? new Date(r.last_analyze).toISOString() : null,
      };
    });
  });
}

export async function readIndexes(s: DbSession, warnings: string[] = [], limit = 2000): Promise<IndexStats[]> {
  return avoidingLocks(s, async (locked) => {
    // The row is the record's shape, with the two statistics under their catalog names.
    const rows = await s.query<Omit<IndexStats, 'idxScan' | 'sizeBytes'> & { idx_scan: number; size: number }>(
      `SELECT ui.schemaname AS schema, ui.relname AS "table", ui.indexrelname AS "index",
              pg_get_indexdef(i.indexrelid) AS definition,
              ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS columns,
              am.amname AS method, i.indisunique AS "unique", i.indisprimary AS "primary", i.indisvalid AS valid,
              pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
              ui.idx_scan::float8 AS idx_scan,
              pg_relation_size(i.indexrelid)::float8 AS size
         FROM pg_stat_user_indexes ui
         JOIN pg_index i ON i.indexrelid = ui.indexrelid
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_am am ON am.oid = c.relam
        WHERE NOT (i.indrelid = ANY($2::oid[]) OR i.indexrelid = ANY($2::oid[]))
        ORDER BY ui.schemaname, ui.relname, ui.indexrelname
        LIMIT $1`,
      [limit, locked.map((l) => l.oid)],
    );
    // After the read: a retry must not warn twice.
    if (locked.length > 0)
      warnings.push(
        `indexes of ${locked.map((l) => l.name).join(', ')} not read: locked by another session (ALTER TABLE or VACUUM FULL running?)`,
      );
    return rows.map(
      (r): IndexStats => ({
        schema: r.schema,
        table: r.table,
        index: r.index,
        definition: r.definition,
        columns: r.columns,
        method: r.method,
        unique: r.unique,
        primary: r.primary,
        valid: r.valid,
        predicate: r.predicate,
        idxScan: r.idx_scan,
        sizeBytes: r.size,
      }),
    );
  });
}

/** Shared-buffer hit ratios over all user tables (heap) and indexes; null when nothing was read yet. */
export async function readCacheHitRatio(s: DbSession): Promise<DatabaseProbes['cacheHitRatio']> {
  const [r] = await s.query<{ th: number | null; tr: number | null; ih: number | null; ir: number | null }>(
    `SELECT (SELECT sum(heap_blks_hit) FROM pg_statio_user_tables)::float8 AS th,
            (SELECT sum(heap_blks_read) FROM pg_statio_user_tables)::float8 AS tr,
            (SELECT sum(idx_blks_hit) FROM pg_statio_user_indexes)::float8 AS ih,
            (SELECT sum(idx_blks_read) FROM pg_statio_user_indexes)::float8 AS ir`,
  );
  const ratio = (h: number | null, rd: number | null) => ((h ?? 0) + (rd ?? 0) > 0 ? (h ?? 0) / ((h ?? 0) + (rd ?? 0)) : null);
  return {
    tables: ratio(r!.th, r!.tr),
    indexes: ratio(r!.ih, r!.ir),
    blocks: { heapHit: r!.th ?? 0, heapRead: r!.tr ?? 0, idxHit: r!.ih ?? 0, idxRead: r!.ir ?? 0 },
  };
}

/** Tables, indexes and cache hit ratios in one go (warnings collected, never thrown for lock waits). */
export async function readCatalog(s: DbSession): Promise<CatalogRead> {
  const warnings: string[] = [];
  const tables = await readTables(s, warnings);
  const indexes = await readIndexes(s, warnings);
  const cacheHitRatio = await readCacheHitRatio(s);
  return { tables, indexes, cacheHitRatio, warnings };
}

/** Cumulative scan counters of every user table (no sizes: cheap, takes no locks). */
export async function readTableScans(s: DbSession): Promise<TableScanCounters[]> {
  const rows = await s.query<{
    schema: string;
    table: string;
    seq_scan: number | null;
    seq_tup_read: number | null;
    idx_scan: number | null;
  }>(
    `SELECT schemaname AS schema, relname AS "table",
            seq_scan::float8 AS seq_scan, seq_tup_read::float8 AS seq_tup_read, idx_scan::float8 AS idx_scan
       FROM pg_stat_user_tables`,
  );
  return rows.map((r) => ({
    schema: r.schema,
    table: r.table,
    seqScan: r.seq_scan ?? 0,
    seqTupRead: r.seq_tup_read ?? 0,
    idxScan: r.idx_scan ?? 0,
  }));
}

/**
 * Scans per table between two reads, only tables that were scanned, most rows read by seq scans
 * first. A table new in `after` counts fully; counters that went down (stats reset) count `after`.
 */
export function diffTableScans(before: TableScanCounters[], after: TableScanCounters[]): TableScanCounters[] {
  const key = (t: TableScanCounters) => `${t.schema}\u0000${t.table}`;
  const prev = new Map(before.map((t) => [key(t), t]));
  const out: TableScanCounters[] = [];
  for (const a of after) {
    const b = prev.get(key(a));
    const down = b !== undefined && (a.seqScan < b.seqScan || a.seqTupRead < b.seqTupRead || a.idxScan < b.idxScan);
    const d =
      b === undefined || down
        ? { ...a }
        : {
            schema: a.schema,
            table: a.table,
            seqScan: a.seqScan - b.seqScan,
            seqTupRead: a.seqTupRead - b.seqTupRead,
            idxScan: a.idxScan - b.idxScan,
          };
    if (d.seqScan > 0 || d.idxScan > 0) out.push(d);
  }
  return out.sort((x, y) => y.seqTupRead - x.seqTupRead || y.seqScan - x.seqScan || y.idxScan - x.idxScan || key(x).localeCompare(key(y)));
}
