// Duplicate indexes: an index whose key columns are a leading prefix of another index's on the same
// table, with the same access method and the same partial-index predicate (pgHero's rule). The
// longer index serves every query the shorter one serves (btree: a prefix of the key is usable
// alone); the shorter one only costs writes. A unique or primary index is never the duplicate: it
// enforces a constraint. Two identical non-unique indexes: the less used one is reported.
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes } from '../analysis/format.ts';
import { dbView } from '../analysis/database-figures.ts';
import { dbComponent, qualified } from './support/database.ts';
import type { IndexStats } from '../record/database-probes.ts';

export const DB_DUPLICATE_INDEX_ID = 'db-duplicate-index';

const norm = (c: string) => c.replace(/\s+/g, ' ').trim().toLowerCase();
const normPred = (p: string | null) => (p === null ? null : norm(p));

/** Pairs (redundant, covering): `redundant` can be dropped because `covering` serves its queries. */
export function duplicateIndexes(list: readonly IndexStats[]): Array<{ redundant: IndexStats; covering: IndexStats }> {
  const out: Array<{ redundant: IndexStats; covering: IndexStats }> = [];
  const valid = list.filter((i) => i.valid);
  for (const a of valid) {
    if (a.unique || a.primary) continue;
    const covering = valid.find((b) => {
      if (b === a || b.schema !== a.schema || b.table !== a.table || b.method !== a.method) return false;
      if (normPred(a.predicate) !== normPred(b.predicate)) return false;
      if (b.columns.length < a.columns.length) return false;
      // Only btree keys are usable by prefix; other methods must match exactly.
      if (a.method !== 'btree' && b.columns.length !== a.columns.length) return false;
      if (!a.columns.every((c, i) => norm(c) === norm(b.columns[i]!))) return false;
      if (b.columns.length === a.columns.length && !b.unique && !b.primary) {
        // Identical pair: report the less used (then the later name) only.
        return a.idxScan < b.idxScan || (a.idxScan === b.idxScan && a.index > b.index);
      }
      return true;
    });
    if (covering) out.push({ redundant: a, covering });
  }
  return out;
}

export const dbDuplicateIndex: Audit = {
  id: DB_DUPLICATE_INDEX_ID,
  effect: 'hygiene',
  loadIndependent: true,
  title: 'Duplicate database indexes',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v) return [];
    return duplicateIndexes(v.probes.indexes ?? []).map(({ redundant: a, covering: b }) => {
      const an = qualified(a.schema, a.index);
      const bn = qualified(b.schema, b.index);
      const same = a.columns.length === b.columns.length;
      return {
        audit: DB_DUPLICATE_INDEX_ID,
        title: `Duplicate index ${an}: ${same ? 'same columns as' : 'a prefix of'} ${bn}`,
        type: 'database',
        severity: 'low',
        confidence: 0.8,
        component: dbComponent(v, `table ${qualified(a.schema, a.table)}`),
        description:
          `${an} (${a.columns.join(', ')}) is ${same ? 'identical in columns to' : 'covered by'} ${bn} ` +
          `(${b.columns.join(', ')}) on ${qualified(a.schema, a.table)}, same method ` +
          `(${a.method})${a.predicate ? ' and same predicate' : ''}: every query that can use ${an} can use ${bn}. ${an}: ` +
          `${bytes(a.sizeBytes)}, ${a.idxScan} scans.`,
        evidence: [
          { label: `${an} definition`, value: a.definition },
          { label: `${bn} definition`, value: b.definition },
          { label: `${an} size`, value: a.sizeBytes, unit: 'bytes' },
          { label: `${an} scans`, value: a.idxScan, unit: 'count' },
          { label: `${bn} scans`, value: b.idxScan, unit: 'count' },
        ],
        location: null,
        rootCause: 'An index added for a query that an existing (or later, wider) index already serves.',
        impact: { resourceWaste: `${bytes(a.sizeBytes)} kept up to date on every write to the table, and in the cache.` },
        recommendation: {
          approach:
            `DROP INDEX CONCURRENTLY ${an};  (check first that ${an} does not use a different operator class or collation than ` +
            `${bn}: \\d ${qualified(a.schema, a.table)})`,
          expectedImprovement:
            `Cheaper writes to ${qualified(a.schema, a.table)} and ${bytes(a.sizeBytes)} freed; queries keep using ` +
            `${bn}${same ? '' : ' (slightly larger, so marginally slower for the prefix-only lookups)'}.`,
          effort: 'low',
          testingRequired: `EXPLAIN the queries that used ${an}: they must now use ${bn}.`,
          rollbackPlan: `${a.definition.replace(/^CREATE (UNIQUE )?INDEX /i, (m) => `${m}CONCURRENTLY `)};`,
        },
      };
    });
  },
};
