// Invalid indexes (pg_index.indisvalid = false): left behind by a CREATE INDEX CONCURRENTLY or
// REINDEX CONCURRENTLY that failed or was cancelled. The planner never uses them, yet writes still
// maintain them. An invalid UNIQUE index means the uniqueness it was meant to enforce is not
// enforced by it: medium. Fix: drop and build again (or REINDEX INDEX CONCURRENTLY, PostgreSQL 12+).
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes } from '../analysis/format.ts';
import { dbView } from '../analysis/database-figures.ts';
import { dbComponent, qualified } from './support/database.ts';

export const DB_INVALID_INDEX_ID = 'db-invalid-index';

/** The definition as a concurrent build: CREATE [UNIQUE] INDEX CONCURRENTLY … */
export function concurrently(definition: string): string {
  return /\bCONCURRENTLY\b/i.test(definition) ? definition : definition.replace(/^CREATE (UNIQUE )?INDEX /i, (m) => `${m}CONCURRENTLY `);
}

export const dbInvalidIndex: Audit = {
  id: DB_INVALID_INDEX_ID,
  effect: 'hygiene',
  loadIndependent: true,
  title: 'Invalid database indexes',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v) return [];
    return (v.probes.indexes ?? [])
      .filter((i) => i.valid === false)
      .map((i) => {
        const name = qualified(i.schema, i.index);
        return {
          audit: DB_INVALID_INDEX_ID,
          title: `Invalid index ${name}${i.unique ? ' (uniqueness not enforced by it)' : ''}`,
          type: 'database',
          severity: i.unique ? 'medium' : 'low',
          confidence: 0.95,
          component: dbComponent(v, `table ${qualified(i.schema, i.table)}`),
          description:
            `${name} on ${qualified(i.schema, i.table)} is marked invalid (a concurrent build or reindex failed or was ` +
            `cancelled): queries cannot use it, but every write still maintains it ` +
            (`(${bytes(i.sizeBytes)}).` +
              (i.unique
                ? ' It was meant to enforce uniqueness; duplicates may already exist, which would make the rebuild fail until they are ' +
                  'removed.'
                : '')),
          evidence: [
            { label: 'definition', value: i.definition },
            { label: 'size', value: i.sizeBytes, unit: 'bytes' },
          ],
          location: null,
          rootCause:
            'CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) did not finish: deadlock, a uniqueness violation, a cancelled ' +
            'statement or a timeout.',
          impact: { resourceWaste: 'Write overhead for an index no query can use; the queries it was built for still run without it.' },
          recommendation: {
            approach: `DROP INDEX CONCURRENTLY ${name}; ${concurrently(i.definition)};  (or REINDEX INDEX CONCURRENTLY ${name};)`,
            expectedImprovement: 'The index becomes usable by the planner (the queries it was built for speed up) or stops costing writes.',
            effort: 'low',
            testingRequired:
              `Check pg_index.indisvalid is true afterwards (\\d ${qualified(i.schema, i.table)} no longer says INVALID) ` +
              `and the intended queries use it.`,
            rollbackPlan: `DROP INDEX CONCURRENTLY ${name};`,
          },
        };
      });
  },
};
