// pg_stat_statements is not readable: without it there is no statement-level view (slow queries,
// plans of the top statements, index advice, N+1 inference), only tables, indexes and connections.
// Low: it blocks the analysis rather than slowing anything; the finding says exactly how to enable it.
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { dbView } from '../analysis/database-figures.ts';
import { dbComponent } from './support/database.ts';

export const DB_STAT_STATEMENTS_MISSING_ID = 'db-stat-statements-missing';

const DEFAULT_HOW =
  'Add pg_stat_statements to shared_preload_libraries in postgresql.conf (ALTER SYSTEM SET shared_preload_libraries = ' +
  "'pg_stat_statements'), restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements; in this database.";

export const dbStatStatementsMissing: Audit = {
  id: DB_STAT_STATEMENTS_MISSING_ID,
  effect: 'hygiene',
  loadIndependent: true,
  title: 'pg_stat_statements is not available',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v || v.probes.server?.pgStatStatements?.available !== false) return [];
    const how = v.probes.server.pgStatStatements.howToEnable || DEFAULT_HOW;
    const preloaded = /(^|,)\s*pg_stat_statements\s*(,|$)/.test(v.probes.server.settings?.sharedPreloadLibraries ?? '');
    return [
      {
        audit: DB_STAT_STATEMENTS_MISSING_ID,
        title: `pg_stat_statements is not available in ${v.database}: no statement-level analysis`,
        type: 'database',
        severity: 'low',
        confidence: 1,
        component: dbComponent(v),
        description:
          `speedguard could not read pg_stat_statements ` +
          (`(` +
            (preloaded ? 'it is preloaded, but the extension is not created in this database' : 'it is not in shared_preload_libraries') +
            (v.probes.server.extensions?.pgStatStatements ? `; extension ${v.probes.server.extensions.pgStatStatements} installed` : '') +
            `): `) +
          `slow statements, their plans, index advice and N+1 inference are missing from this analysis; tables, indexes, cache and ` +
          `connections were still checked. To enable it: ${how}`,
        evidence: [
          { label: 'how to enable', value: how },
          { label: 'shared_preload_libraries', value: v.probes.server.settings?.sharedPreloadLibraries || '(empty)' },
        ],
        location: null,
        rootCause: 'The statistics extension is not loaded or not created in this database.',
        impact: {},
        recommendation: {
          approach: how,
          expectedImprovement: 'The next speedguard db / --db run lists the slow statements, their plans and measured index advice.',
          effort: 'low',
          testingRequired: 'SELECT count(*) FROM pg_stat_statements; succeeds; run speedguard db again.',
          rollbackPlan:
            'DROP EXTENSION pg_stat_statements; and remove it from shared_preload_libraries (restart). Its overhead is small (a few ' +
            'percent at most).',
        },
      },
    ];
  },
};
