// Statements the Node agent saw the service run (its N+1 groups carry the exact, normalised text),
// as statements to EXPLAIN when pg_stat_statements does not have them: the extension is not
// preloaded (a developer's machine, many managed plans) or did not list the statement. Their
// queryId is "agent:" + a hash of the text, so a plan and an index suggestion can point at them.
import { createHash } from 'node:crypto';
import type { NPlusOneGroup, StatementStats } from '../../record/database-probes.ts';

export const AGENT_QUERY_ID_PREFIX = 'agent:';

/** Whitespace and case of keywords aside, the same text: pg_stat_statements and the agent normalise alike ($1 for literals). */
const canonical = (sql: string) => sql.replace(/\s+/g, ' ').replace(/;\s*$/, '').trim().toLowerCase();

export function agentQueryId(statement: string): string {
  return AGENT_QUERY_ID_PREFIX + createHash('sha1').update(canonical(statement)).digest('hex').slice(0, 16);
}

/** The agent's statements that pg_stat_statements did not list, once each. */
export function agentStatements(
  groups: readonly NPlusOneGroup[],
  known: readonly Pick<StatementStats, 'query'>[],
): Array<{ queryId: string; query: string }> {
  const seen = new Set(known.map((s) => canonical(s.query)));
  const out: Array<{ queryId: string; query: string }> = [];
  for (const g of groups) {
    const c = canonical(g.statement);
    if (seen.has(c)) continue;
    seen.add(c);
    out.push({ queryId: agentQueryId(g.statement), query: g.statement });
  }
  return out;
}
