// Waiting on one SQL statement: the statements the Node agent timed inside requests (support/statements.ts)
// show the database's pool pinned by a statement while more requests waited, or the database's time most
// of the request time. Names the statement, its mean time, its share of the request time and where the
// application issues it — without --db too (the agent times every statement). The SQL counterpart of
// downstream-wait; the limiting resource (support/limiting.ts) points at this finding.
import { bandOf } from '../analysis/severity.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, rate, round } from '../analysis/format.ts';
import { atLeast, latencyOf, MIN_SAMPLES, probeConfidence, targetView } from './support/target.ts';
import { databaseTimeOf, issuedAt, limitingStatement, serverSideOf, statementName } from './support/statements.ts';

export const DB_STATEMENT_WAIT_ID = 'db-statement-wait';

export const dbStatementWait: Audit = {
  id: DB_STATEMENT_WAIT_ID,
  effect: 'objective',
  judgesResource: true,
  title: 'Waiting on a database statement',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    if (!v || v.agent.length < MIN_SAMPLES) return [];
    const dt = databaseTimeOf(v.agent);
    const lim = limitingStatement(dt);
    if (!dt || !lim) return [];
    const s = lim.top;
    const pool = lim.how === 'pool' ? dt.pool! : null;
    const name = statementName(s);
    const at = issuedAt(s);
    const lat = latencyOf(ctx.record, v);
    let severity: Severity = pool ? 'high' : 'medium';
    if (lat && lat.pSlo > lat.sloMs) severity = atLeast(severity, bandOf(lat.p95, ctx.thresholds.apiP95Ms));
    else if (!pool) severity = 'low'; // most of the time, but within the SLO: where latency goes, not a problem yet
    const perRequest = dt.incomingCount ? s.executions / dt.incomingCount : 0;
    // Little's law on the pool: each request holds a connection for its statements' time, so the pool's
    // connections complete at most size ÷ that time requests per second.
    const dbMsPerRequest = dt.incomingCount ? dt.statementMs / dt.incomingCount : 0;
    const ceiling = pool && dbMsPerRequest > 0 ? (pool.size * 1000) / dbMsPerRequest : null;

    const evidence: Evidence[] = [
      { label: 'statement', value: s.statement },
      { label: 'share of incoming request time in this statement', value: round(s.share * 100, 1), unit: '%', phase: v.phaseName },
      { label: 'share of incoming request time in all statements', value: round(dt.share * 100, 1), unit: '%', phase: v.phaseName },
      { label: 'mean time per execution (call → result)', value: round(s.meanMs, 2), unit: 'ms', phase: v.phaseName },
      { label: 'executions per incoming request', value: round(perRequest, 2), unit: 'count', phase: v.phaseName },
    ];
    if (at) evidence.push({ label: 'issued in', value: at });
    // With --db: PostgreSQL's own execution time tells the server's part from the round trip's.
    const server = serverSideOf(ctx.record, s.statement, v.phaseName);
    if (server)
      evidence.push({
        label: 'execution time per call on the server (pg_stat_statements)',
        value: round(server.meanExecMs, 2),
        unit: 'ms',
      });
    if (pool)
      evidence.push(
        { label: 'statements in flight plateau (the pool size)', value: pool.size, unit: 'count', phase: v.phaseName },
        { label: "pool connections' busy share", value: round(pool.busy * 100, 1), unit: '%', phase: v.phaseName },
      );
    evidence.push({
      label: 'incoming requests in flight (median of per-second max)',
      value: round(dt.incomingInFlightMedian, 1),
      unit: 'count',
      phase: v.phaseName,
    });
    if (lat)
      evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });

    return [
      {
        audit: DB_STATEMENT_WAIT_ID,
        title: pool
          ? `Database pool of ${pool.size} connection${pool.size === 1 ? '' : 's'} pinned by ${name}`
          : `${pct(s.share)} of request time is spent in ${name}`,
        type: 'database',
        severity,
        confidence: round(probeConfidence(v.agent.length) - (pool ? 0 : 0.05), 2),
        component: name,
        description:
          `Timed inside the requests by the agent, ${name} ran ${round(perRequest, 2)} time${perRequest === 1 ? '' : 's'} per request ` +
          `at ${ms(s.meanMs)} on average: ${pct(s.share)} of the time requests took (all statements: ${pct(dt.share)})` +
          (at ? `. It is issued in ${at}.` : '.') +
          (server
            ? ` PostgreSQL measured ${ms(server.meanExecMs)} of execution per call (pg_stat_statements): ` +
              (server.meanExecMs >= 0.8 * s.meanMs
                ? 'the time is the server’s.'
                : `the rest of the ${ms(s.meanMs)} is the round trip, the driver and the wait for the connection's socket.`)
            : '') +
          (pool
            ? ` Statements in flight stayed at ${pool.size} in most seconds, the pool's connections busy ${pct(pool.busy)} of the ` +
              `time, while ${round(dt.incomingInFlightMedian, 0)} requests were in flight: requests queue for a connection.`
            : ''),
        evidence,
        location: s.location ? { function: s.location.function, file: s.location.file, line: s.location.line } : null,
        rootCause: pool
          ? `Each connection of the pool runs ${name} for ${ms(s.meanMs)}; with ${pool.size} of them the pool completes at most ` +
            `${ceiling !== null ? rate(ceiling) : 'its size ÷ the database time per request'} (Little's law: ${pool.size} ÷ ` +
            `${ms(dbMsPerRequest)} of statements per request), and requests wait for a connection.`
          : `The service waits on the database, mostly on ${name}, for most of each request.`,
        impact: {
          responseTimeIncrease:
            `${pct(Math.min(s.share, 1))} of the response time is this statement` + `${pool ? ', plus the wait for a connection' : ''}.`,
        },
        recommendation: {
          approach:
            `Make ${name} cheaper: EXPLAIN (ANALYZE, BUFFERS) it for its plan (an index for its filter, fewer rows, no lock or sleep ` +
            `held in it), or run it less often (cache its result, one statement instead of several); speedguard profile --db shows the ` +
            `database's own figures and an index to add.` +
            (pool
              ? ` A larger pool helps only when the database has idle cores and connections left (max_connections): check its CPU first.`
              : ''),
          expectedImprovement: pool
            ? ceiling !== null
              ? `The pool's ceiling (${rate(ceiling)}) rises as the database time per request falls (Little's law): halving this ` +
                `statement's time (${pct(s.shareOfDatabase)} of that time) raises it to about ` +
                `${rate(ceiling / (1 - s.shareOfDatabase / 2))}.`
              : "The pool's ceiling rises as the database time per request falls (Little's law)."
            : `Up to ${pct(Math.min(s.share, 1))} off the response time (Amdahl's law on the share measured).`,
          effort: 'medium',
          testingRequired:
            'Re-run speedguard profile at the same load: the statement’s mean time and share must fall, and with it the latency.',
          rollbackPlan: 'Drop the index or revert the query change.',
        },
      },
    ];
  },
};
