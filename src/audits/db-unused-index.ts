// Unused indexes (pgHero's rule): idx_scan ≤ 50 since the statistics were reset, not unique and not
// a primary key (those enforce constraints whether or not queries use them). They cost every write
// and take memory from the cache. Low severity: a cost, not a slowdown users see. One finding that
// lists them, largest first, with the DROP statements.
import type { Evidence } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes } from '../analysis/format.ts';
import { dbView } from '../analysis/database-figures.ts';
import { dbComponent, qualified } from './support/database.ts';
import type { IndexStats } from '../record/database-probes.ts';
import { duplicateIndexes } from './db-duplicate-index.ts';

export const DB_UNUSED_INDEX_ID = 'db-unused-index';
export const MAX_UNUSED_SCANS = 50;
/** Listed indexes (evidence rows, DROP statements); the rest are counted. */
export const MAX_LISTED = 10;

/**
 * Duplicates are db-duplicate-index's finding (one cause, one finding), even when also unused. The
 * index a duplicate is dropped in favour of is not listed either: with both unused, recommending both
 * DROPs would leave the table without the index its queries may need (one pair, one DROP).
 */
export function unusedIndexes(list: readonly IndexStats[]): IndexStats[] {
  const dup = new Set(duplicateIndexes(list).flatMap((d) => [d.redundant, d.covering]));
  return list
    .filter((i) => i.valid && !i.unique && !i.primary && i.idxScan <= MAX_UNUSED_SCANS && !dup.has(i))
    .sort((a, b) => b.sizeBytes - a.sizeBytes);
}

export const dbUnusedIndex: Audit = {
  id: DB_UNUSED_INDEX_ID,
  effect: 'hygiene',
  loadIndependent: true,
  title: 'Unused database indexes',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v) return [];
    // Under load, index scan counters reach pg_stat_user_indexes up to ~10 s late (backends flush
    // their statistics when idle), so an index the load used can still read 0. An index on a table
    // that the load did scan by index is therefore not called unused from this run: `speedguard db`
    // (cumulative, long history) is where that verdict is made.
    const scannedUnderLoad = new Set<string>();
    for (const w of v.probes.windows ?? [])
      for (const t of w.tableScans) if (t.idxScan > MAX_UNUSED_SCANS) scannedUnderLoad.add(`${t.schema}.${t.table}`);
    const unused = unusedIndexes(v.probes.indexes ?? []).filter((i) => !scannedUnderLoad.has(`${i.schema}.${i.table}`));
    if (!unused.length) return [];
    const total = unused.reduce((t, i) => t + i.sizeBytes, 0);
    const listed = unused.slice(0, MAX_LISTED);
    // A database whose indexes were barely used at all (fresh, just restored, stats just reset) says little.
    const allScans = (v.probes.indexes ?? []).reduce((t, i) => t + i.idxScan, 0);
    const evidence: Evidence[] = listed.map((i) => ({
      label: `${qualified(i.schema, i.index)} on ${qualified(i.schema, i.table)} (${i.columns.join(', ')}): scans`,
      value: i.idxScan,
      unit: 'count',
    }));
    evidence.push({ label: 'size of the unused indexes', value: total, unit: 'bytes' });
    evidence.push({ label: 'index scans of all indexes (activity behind the verdict)', value: allScans, unit: 'count' });
    const drops = listed.map((i) => `DROP INDEX CONCURRENTLY ${qualified(i.schema, i.index)};`).join(' ');
    const names = listed.map((i) => qualified(i.schema, i.index));
    return [
      {
        audit: DB_UNUSED_INDEX_ID,
        title:
          unused.length === 1
            ? `Unused index ${names[0]} (${bytes(total)})`
            : `${unused.length} unused indexes (${bytes(total)}): ${names.slice(0, 3).join(', ')}${unused.length > 3 ? ', …' : ''}`,
        type: 'database',
        severity: 'low',
        confidence: allScans >= 10_000 ? 0.7 : 0.45,
        component: dbComponent(v, 'indexes'),
        description:
          `${unused.length} index(es) were used by at most ${MAX_UNUSED_SCANS} scans since the statistics were last reset ` +
          `(pg_stat_reset, a crash, or a fresh restore resets them) and enforce no uniqueness: ` +
          (listed.map((i) => `${qualified(i.schema, i.index)} (${i.idxScan} scans, ${bytes(i.sizeBytes)})`).join(', ') +
            (unused.length > listed.length ? ` and ${unused.length - listed.length} more` : '') +
            `. `) +
          `An index unused here may still serve queries on a replica, or a monthly job.`,
        evidence,
        location: null,
        rootCause: 'Indexes created for queries that changed or never ran, or made redundant by another index.',
        impact: {
          resourceWaste: `${bytes(total)} of index kept up to date on every INSERT/UPDATE/DELETE and competing for shared buffers.`,
        },
        recommendation: {
          approach: `Confirm on every replica and over a full business cycle (idx_scan in pg_stat_user_indexes), then drop: ${drops}`,
          expectedImprovement: `Faster writes to the tables concerned and ${bytes(total)} less to vacuum, back up and cache.`,
          effort: 'low',
          testingRequired: "Keep each index's definition (pg_get_indexdef) before dropping; watch the slow-query list for a week after.",
          rollbackPlan: 'Re-create the index from its saved definition with CREATE INDEX CONCURRENTLY.',
        },
      },
    ];
  },
};
