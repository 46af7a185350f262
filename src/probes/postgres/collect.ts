// The database probe of `assess --db`, `profile --db` and a plan's `probes.postgres`: one read-only
// session opened before any load (a wrong URL fails in a second, not after minutes), a window of
// pg_stat_statements / table scans / pg_stat_activity around every measured phase, and at the end
// the catalogue, the plans of the statements the load ran most, index advice and — from the Node
// agent, when the target was profiled — the statements repeated inside one request (N+1).
// Nothing here may cost the assessment its load results: a failure becomes a warning in the record.
import { compileTemplate } from '../../plan/template.ts';
import type { Plan } from '../../plan/types.ts';
import type { PhaseName } from '../../record/phase-name.ts';
import type { DatabaseProbes, DatabaseWindow, StatementPlan } from '../../record/database-probes.ts';
import type { TargetProbes } from '../../record/target-probes.ts';
import { nPlusOneOfTarget } from '../node-agent/n-plus-one.ts';
import { readCatalog } from './catalog.ts';
import { openDb } from './connect.ts';
import { explainStatements, explainTopStatements } from './explain.ts';
import { agentStatements } from './agent-statements.ts';
import { adviseIndexes } from './index-advice.ts';
import { readServerInfo } from './server-info.ts';
import { emptyLoadProbes, mergeWindows } from './snapshot.ts';
import { startDatabaseWindow, type DatabaseWindowHandle } from './window.ts';
import { UsageError } from '../../errors.ts';

/** What the assessment calls around each measured phase (assess/suite.ts). */
export interface PhaseDatabaseProbe {
  begin(phase: PhaseName): Promise<void>;
  /** httpRequests: requests the phase completed (for calls-per-request inference). */
  end(phase: PhaseName, httpRequests: number): Promise<void>;
  /** Plans, index advice and N+1 groups over the phases measured; the target probes give the agent's view. */
  finish(target: TargetProbes | null): Promise<DatabaseProbes>;
}

export interface DatabaseProbe extends PhaseDatabaseProbe {
  close(): Promise<void>;
}

/** Statements explained after the load (the top ones by time in the measured phases). */
const EXPLAINED_STATEMENTS = 10;

/**
 * The database URL to probe: --db wins over the plan's `probes.postgres` (whose ${env.NAME}
 * placeholders are filled from the plan's env and the process environment, so a password can stay
 * out of the plan file). Null when neither is given.
 */
export function databaseUrlOf(plan: Pick<Plan, 'probes' | 'env'>, flag: string | undefined): string | null {
  if (flag) return flag;
  const source = plan.probes?.postgres;
  if (!source) return null;
  try {
    return compileTemplate(source)({ env: { ...process.env, ...plan.env } });
  } catch (e) {
    throw new UsageError(`plan probes.postgres: ${(e as Error).message}`);
  }
}

export async function startDatabaseProbe(url: string, o: { allowWrites: boolean; log(line: string): void }): Promise<DatabaseProbe> {
  const session = await openDb(url, { allowWrites: o.allowWrites });
  let server;
  try {
    server = await readServerInfo(session);
  } catch (e) {
    await session.close();
    throw e;
  }
  const extension = server.pgStatStatements.available ? ', pg_stat_statements' : '';
  o.log(`database: ${session.safeUrl} (PostgreSQL ${server.version}${extension}${o.allowWrites ? ', --allow-writes' : ', read-only'})`);
  if (!server.pgStatStatements.available)
    o.log(
      `database: pg_stat_statements is not available — statements per phase cannot be measured. ` +
        `${server.pgStatStatements.howToEnable ?? ''}`,
    );

  const windows: DatabaseWindow[] = [];
  const warnings: string[] = [];
  let open: { phase: PhaseName; handle: DatabaseWindowHandle } | null = null;
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (e) {
      const line = `${what}: ${(e as Error).message}`;
      warnings.push(line);
      o.log(`database: ${line}`);
      return null;
    }
  };

  return {
    async begin(phase) {
      const handle = await attempt(`${phase}: window not started`, () => startDatabaseWindow(session, { phase, url }));
      open = handle ? { phase, handle } : null;
    },
    async end(phase, httpRequests) {
      if (!open || open.phase !== phase) return;
      const { handle } = open;
      open = null;
      const w = await attempt(`${phase}: window not read`, () => handle.end(httpRequests));
      if (w) windows.push(w);
    },
    async finish(target: TargetProbes | null): Promise<DatabaseProbes> {
      let probes = mergeWindows(emptyLoadProbes({ url, server, allowWrites: o.allowWrites }), windows);
      const catalog = await attempt('catalogue not read', () => readCatalog(session));
      if (catalog)
        probes = {
          ...probes,
          tables: catalog.tables,
          indexes: catalog.indexes,
          cacheHitRatio: catalog.cacheHitRatio,
          warnings: [...probes.warnings, ...catalog.warnings],
        };
      probes.nPlusOne = nPlusOneOfTarget(target, { projectRoot: process.cwd() });
      let plans: StatementPlan[] = [];
      if (probes.statements.length) {
        o.log(`database: explaining the ${Math.min(EXPLAINED_STATEMENTS, probes.statements.length)} statements that took most time …`);
        plans =
          (await attempt('plans not read', () => explainTopStatements(session, probes.statements, { limit: EXPLAINED_STATEMENTS }))) ?? [];
      }
      // The agent saw the exact statement text of the N+1s: explained even when pg_stat_statements is
      // missing or did not list them (a statement it evicted, another database's extension state).
      const agentOnly = agentStatements(probes.nPlusOne, probes.statements);
      if (agentOnly.length) {
        o.log(
          `database: explaining ${agentOnly.length} statement(s) seen by the ` +
            `agent${probes.statements.length ? ' but not in pg_stat_statements' : ''} …`,
        );
        const more = await attempt("plans of the agent's statements not read", () => explainStatements(session, agentOnly));
        if (more) plans = [...plans, ...more];
      }
      if (plans.length) {
        probes.plans = plans;
        const advice = await attempt('index advice failed', () =>
          adviseIndexes(session, plans, { indexes: probes.indexes, allowWrites: o.allowWrites, hypopg: server.hypopgAvailable }),
        );
        if (advice) probes.indexSuggestions = advice;
      }
      probes.warnings = [...new Set([...probes.warnings, ...warnings])];
      return probes;
    },
    async close() {
      if (open) {
        const { handle } = open;
        open = null;
        await handle.end(0).catch(() => {});
      }
      await session.close();
    },
  };
}
