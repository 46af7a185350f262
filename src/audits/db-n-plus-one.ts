// N+1 queries: the same parameterised statement run again and again inside one HTTP request — a
// loop issuing one query per item instead of one query for all of them.
// - From the Node agent's driver instrumentation (nPlusOne groups): the endpoint, the statement, the
//   count per request, its share of the request's time and the calling code. Severity from that
//   share and the endpoint's latency against the SLO.
// - Without the agent (fallback): pg_stat_statements calls per HTTP request in a phase
//   (inferredRepetition). Lower confidence — several endpoints may share the statement — and an
//   endpoint only when the phase loaded a single one.
import { bandOf } from '../analysis/severity.ts';
import type { PhaseName } from '../record/phase-name.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import { N_PLUS_ONE_MIN_REPEATS, type InferredRepetition, type NPlusOneGroup } from '../record/database-probes.ts';
import { compareFindings, maxSeverity, type Evidence, type Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import { dbView, shortSql, type DbView } from '../analysis/database-figures.ts';
import { dbComponent, MAX_FINDINGS_PER_AUDIT } from './support/database.ts';
import { endpointLabel, endpointsOf, methodOf, phasesRun, EXPECTED_LOAD_PHASES, steadyStats } from './support/record.ts';

export const DB_N_PLUS_ONE_ID = 'db-n-plus-one';
/** The repeated statement takes this share of the request: it is the request's main cost. */
export const SHARE_DOMINANT = 0.5;
export const SHARE_NOTABLE = 0.2;
/** Executions per request from which the count alone (it grows with the data) makes it medium. */
export const MANY_PER_REQUEST = 50;
/** Fallback: calls per HTTP request from which a statement counts as repeated (Sentry's count threshold). */
export const INFERRED_MIN_CALLS_PER_REQUEST = N_PLUS_ONE_MIN_REPEATS;

const worse = (a: Severity, b: Severity | null): Severity => maxSeverity(a, b) ?? a;

const FIX =
  "Fetch all the rows in one statement: a JOIN (or the ORM's eager loading: include / with / relations), or one query for the whole " +
  'list with WHERE id = ANY($1) and group the rows in code; in GraphQL or nested resolvers, a batching loader (DataLoader) that ' +
  'collects the ids of one tick into one = ANY($1) query.';

export const dbNPlusOne: Audit = {
  id: DB_N_PLUS_ONE_ID,
  effect: 'objective',
  title: 'N+1 database queries',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v) return [];
    const out: AuditFinding[] = [];
    const seen = new Set<string>();
    for (const g of v.probes.nPlusOne ?? []) {
      out.push(fromGroup(ctx, v, g));
      seen.add(normalise(g.statement));
    }
    for (const r of inferredOnce(v)) {
      if (seen.has(normalise(r.query)) || r.callsPerRequest < INFERRED_MIN_CALLS_PER_REQUEST) continue;
      out.push(fromInferred(ctx, v, r));
    }
    out.sort(compareFindings);
    return out.slice(0, MAX_FINDINGS_PER_AUDIT * 2);
  },
};

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').trim().toLowerCase();

/** The highest calls-per-request of each statement over the windows. */
function inferredOnce(v: DbView): InferredRepetition[] {
  const best = new Map<string, InferredRepetition>();
  for (const w of v.probes.windows ?? []) {
    for (const r of w.inferredRepetition ?? []) {
      const cur = best.get(r.queryId);
      if (!cur || r.callsPerRequest > cur.callsPerRequest) best.set(r.queryId, r);
    }
  }
  return [...best.values()].sort((a, b) => b.callsPerRequest - a.callsPerRequest);
}

/** "GET /api/customers/:id/orders" matched against the run's request names (URLs), for that endpoint's latency. */
function endpointLatency(
  record: AssessmentRecord,
  endpoint: string,
): { pSlo: number; p95: number; phase: PhaseName; requestName: string } | null {
  const m = /^([A-Z]+)\s+(\S+)$/.exec(endpoint.trim());
  const method = m?.[1] ?? null;
  const route = m?.[2] ?? endpoint.trim();
  const re = new RegExp(
    `^${route
      .split('/')
      .map((seg) => (/^[:*]|^\{.*\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}/?$`,
  );
  const phases = phasesRun(record, EXPECTED_LOAD_PHASES).concat(phasesRun(record).filter((p) => !EXPECTED_LOAD_PHASES.includes(p.name)));
  for (const phase of phases) {
    for (const name of endpointsOf(phase.run)) {
      let path = name;
      try {
        path = new URL(name).pathname;
      } catch {
        /* a plain name */
      }
      if (!re.test(path) || (method && methodOf(phase.run, name) !== method)) continue;
      const s = steadyStats(phase, name);
      if (s.samples === 0) continue;
      return { pSlo: s.quantile(record.config.slo.latencyPercentile), p95: s.quantile(95), phase: phase.name, requestName: name };
    }
  }
  return null;
}

function fromGroup(ctx: AuditContext, _v: DbView, g: NPlusOneGroup): AuditFinding {
  const slo = ctx.record.config.slo;
  const lat = endpointLatency(ctx.record, g.endpoint);
  const over = lat !== null && lat.pSlo > slo.latencyMs;
  // The repeated statement is most of the request's time: it IS the endpoint's cost (medium), and
  // the reason it misses its SLO when it does (high, or the ASSESSMENT-RULES.md §2 band of its p95 if worse).
  let severity: Severity = 'low';
  if (over && g.shareOfRequest >= SHARE_DOMINANT) {
    severity = worse('high', bandOf(lat!.p95, ctx.thresholds.apiP95Ms));
  } else if (over && g.shareOfRequest >= SHARE_NOTABLE) {
    severity = 'medium';
  } else if (g.perRequestMax >= MANY_PER_REQUEST || g.shareOfRequest >= SHARE_DOMINANT) {
    severity = 'medium';
  }
  const affected = g.endpointRequests > 0 ? g.requests / g.endpointRequests : 1;
  const evidence: Evidence[] = [
    { label: 'executions per affected request (mean)', value: round(g.perRequestMean, 1), unit: 'count' },
    { label: 'executions per affected request (max)', value: g.perRequestMax, unit: 'count' },
    { label: 'time in the repeated statement per request', value: round(g.msPerRequest, 2), unit: 'ms' },
    { label: "share of the request's time", value: round(g.shareOfRequest * 100, 1), unit: '%' },
    { label: 'requests affected', value: g.requests, unit: 'count' },
    { label: 'requests to the endpoint', value: g.endpointRequests, unit: 'count' },
  ];
  if (lat)
    evidence.push({
      label: `endpoint p${slo.latencyPercentile} latency (SLO ${slo.latencyMs} ms)`,
      value: round(lat.pSlo),
      unit: 'ms',
      phase: lat.phase,
    });
  evidence.push({ label: 'statement', value: g.statement.slice(0, 300) }, { label: 'driver', value: g.driver });
  const loc = g.location;
  // The loop that issues the statements, and the query helper it goes through when that is another frame.
  const via = loc?.via ? ` through ${loc.via.function || '(anonymous)'} (${loc.via.file}:${loc.via.line})` : '';
  const where = loc ? ` from ${loc.function || '(anonymous)'} (${loc.file}:${loc.line})${via}` : '';
  const saveMs = g.msPerRequest * (1 - 1 / Math.max(g.perRequestMean, 1));
  return {
    audit: DB_N_PLUS_ONE_ID,
    title:
      `N+1 queries in ${g.endpoint}: the same statement ${round(g.perRequestMean, 0)}× per request (${pct(g.shareOfRequest)} of ` +
      `its time)`,
    type: 'database',
    severity,
    confidence: round(g.requests >= 50 ? 0.9 : g.requests >= 10 ? 0.8 : 0.65, 2),
    component: g.endpoint,
    description:
      `In ${pct(affected)} of the requests to ${g.endpoint}, "${shortSql(g.statement, 100)}" ran ` +
      `${round(g.perRequestMean, 1)} times on average (up to ${g.perRequestMax})${where}: ${ms(g.msPerRequest)} per request, ` +
      `${pct(g.shareOfRequest)} of the request's ` +
      `duration${lat ? `; the endpoint's p${slo.latencyPercentile} was ${ms(lat.pSlo)} (SLO ${ms(slo.latencyMs)})` : ''}. Seen by the ` +
      `${g.driver} driver instrumentation.`,
    evidence,
    location: { endpoint: g.endpoint, ...(loc ? { file: loc.file, line: loc.line, function: loc.function } : {}) },
    rootCause: `Code${where} loops over a list and queries once per item (lazy loading of a relation, or a query inside a map/forEach).`,
    impact: {
      responseTimeIncrease:
        `${ms(g.msPerRequest)} per request in ${round(g.perRequestMean, 0)} round trips; it grows with the number ` + `of items.`,
      resourceWaste: `${round(g.perRequestMean, 0)} statements where one would do: connection time, parsing and network round trips.`,
    },
    recommendation: {
      approach: FIX,
      expectedImprovement:
        `≈ ${ms(saveMs)} less per request (${round(g.perRequestMean, 0)} round trips → 1), up to ` +
        `${pct(g.shareOfRequest * (1 - 1 / Math.max(g.perRequestMean, 1)))} of ${g.endpoint}'s time, and flat as lists grow.`,
      effort: 'medium',
      testingRequired:
        `Re-run speedguard profile --db on ${g.endpoint}: the statement must run once (or a constant number of times) ` +
        `per request, latency must fall; check the rows returned are the same.`,
      rollbackPlan: 'Revert the data-access change.',
    },
  };
}

function fromInferred(ctx: AuditContext, v: DbView, r: InferredRepetition): AuditFinding {
  const phase =
    r.phase === 'window' ? ctx.record.phases.find((p) => p.verdict !== 'skipped') : ctx.record.phases.find((p) => p.name === r.phase);
  const endpoints = phase ? endpointsOf(phase.run) : [];
  const endpoint = endpoints.length === 1 ? endpointLabel(endpoints[0]!, methodOf(phase!.run, endpoints[0]!)) : null;
  const slo = ctx.record.config.slo;
  const s = phase ? steadyStats(phase) : null;
  const pSlo = s && s.samples > 0 ? s.quantile(slo.latencyPercentile) : null;
  const severity: Severity =
    pSlo !== null && pSlo > slo.latencyMs && r.callsPerRequest >= 2 * INFERRED_MIN_CALLS_PER_REQUEST ? 'medium' : 'low';
  const phaseLabel = r.phase === 'window' ? {} : { phase: r.phase };
  const evidence: Evidence[] = [
    { label: 'statement calls per HTTP request', value: round(r.callsPerRequest, 1), unit: 'count', ...phaseLabel },
    { label: 'statement calls', value: r.calls, unit: 'count', ...phaseLabel },
    { label: 'HTTP requests', value: r.httpRequests, unit: 'count', ...phaseLabel },
  ];
  if (pSlo !== null)
    evidence.push({ label: `p${slo.latencyPercentile} latency (SLO ${slo.latencyMs} ms)`, value: round(pSlo), unit: 'ms', ...phaseLabel });
  evidence.push({ label: 'statement', value: r.query.slice(0, 300) });
  return {
    audit: DB_N_PLUS_ONE_ID,
    title: `Likely N+1: "${shortSql(r.query, 60)}" ran ${round(r.callsPerRequest, 1)}× per HTTP request${endpoint ? ` (${endpoint})` : ''}`,
    type: 'database',
    severity,
    confidence: endpoint ? 0.55 : 0.4,
    component: endpoint ?? dbComponent(v, `statement ${r.queryId}`),
    description:
      `During the ${r.phase} ${r.phase === 'window' ? '' : 'phase '}the database ran this statement ` +
      `${r.calls.toLocaleString('en-US')} times for ${r.httpRequests.toLocaleString('en-US')} HTTP requests: ` +
      `${round(r.callsPerRequest, 1)} per request. Inferred from pg_stat_statements counts (no per-request instrumentation): ` +
      ((endpoint
        ? "the phase loaded one endpoint, so it is that endpoint's"
        : 'which endpoint runs it is not known (several were loaded, or other clients used the database)') +
        `. `) +
      `Run speedguard profile --db on a Node service to see it per request with the calling code.`,
    evidence,
    location: endpoint ? { endpoint } : null,
    rootCause: 'A loop issuing one query per item (lazy-loaded relations, a query inside map/forEach).',
    impact: { resourceWaste: `${round(r.callsPerRequest, 0)} round trips per request where one would do.` },
    recommendation: {
      approach: FIX,
      expectedImprovement:
        `${round(r.callsPerRequest, 0)} statements per request → 1: fewer round trips, latency no longer growing ` + `with list sizes.`,
      effort: 'medium',
      testingRequired: 'Re-run the same load with --db: calls per HTTP request of this statement ≈ 1.',
      rollbackPlan: 'Revert the data-access change.',
    },
  };
}
