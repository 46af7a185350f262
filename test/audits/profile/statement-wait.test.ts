// The statement as the limiting resource (issue 12): from the statements the agent timed inside requests,
// the database's time most of the request time (or its pool pinned) names the statement, its mean time,
// its share and its call site; the main thread's CPU, when saturated, stays the limit; a light statement
// is nobody's limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbStatementWait } from '../../../src/audits/db-statement-wait.ts';
import { limitingResource } from '../../../src/audits/support/limiting.ts';
import type { AgentSample } from '../../../src/record/agent-samples.ts';
import { agentSamples, fakeTargetProbes, procSamples } from '../../helpers/fake-probes.ts';
import { ctx } from '../helpers.ts';
import { profiled } from './helpers.ts';

const SQL = 'select sum(amount) from invoices where account_id = $1';
const AT = { file: '/srv/app/invoices.mjs', line: 12, function: 'listInvoices' };

/** 20 seconds of 100 requests of `requestMs`, each running SQL once for `statementMs`; `inFlight(i)` statements at once. */
function withStatements(o: { requestMs: number; statementMs: number; mainCpu: number; inFlight: (i: number) => number }) {
  const agent: AgentSample[] = agentSamples(20, { elu: o.mainCpu / 100, requests: 100, requestMs: o.requestMs, inFlightMax: 8 }).map(
    (s, i) => ({
      ...s,
      sql: {
        drivers: ['pg'],
        threshold: 5,
        endpoints: { 'GET /invoices': 100 },
        requestsWithSql: 100,
        statements: 100,
        statementMs: 100 * o.statementMs,
        repeated: [],
        dropped: 0,
        byStatement: [
          {
            statement: SQL,
            driver: 'pg',
            requests: 100,
            executions: 100,
            ms: 100 * o.statementMs,
            requestMs: 100 * o.requestMs,
            location: AT,
          },
        ],
        inFlightMax: o.inFlight(i),
      },
    }),
  );
  return profiled(fakeTargetProbes({ agent, proc: procSamples(20, { mainCpu: o.mainCpu }) }), o.requestMs);
}

describe('a statement as the limiting resource', () => {
  it('the database time most of the request time: the statement, its mean, its share and its call site', () => {
    const r = withStatements({ requestMs: 50, statementMs: 40, mainCpu: 15, inFlight: (i) => 1 + (i % 4) });
    const limit = limitingResource(r);
    assert.equal(limit?.kind, 'statement');
    assert.equal(limit.name, `the SQL statement "${SQL}"`);
    assert.equal(
      limit.text,
      `the SQL statement "${SQL}" (40.0 ms mean, 80 % of the request time; issued in listInvoices (/srv/app/invoices.mjs:12))`,
    );
    assert.deepEqual(limit.location, { function: 'listInvoices', file: '/srv/app/invoices.mjs', line: 12 });
    const [f] = dbStatementWait.run(ctx(r));
    assert.ok(f);
    assert.equal(f.title, `80 % of request time is spent in the SQL statement "${SQL}"`);
    assert.equal(f.component, limit.component);
  });

  it('a pool pinned by the statement while requests wait: named with the pool', () => {
    const r = withStatements({ requestMs: 90, statementMs: 19, mainCpu: 15, inFlight: () => 2 });
    const limit = limitingResource(r);
    assert.equal(limit?.kind, 'statement');
    assert.match(limit.text, /, holding the database pool's 2 connections busy 95 % of the time while more requests waited$/);
    const [f] = dbStatementWait.run(ctx(r));
    assert.equal(f?.title, `Database pool of 2 connections pinned by the SQL statement "${SQL}"`);
    // Little's law: 2 connections ÷ 19 ms of statements per request ≈ 105 req/s; halving the statement ≈ 211 req/s.
    assert.match(f.rootCause, /the pool completes at most 105 req\/s \(Little's law: 2 ÷ 19\.0 ms of statements per request\)/);
    assert.match(f.recommendation.expectedImprovement, /^The pool's ceiling \(105 req\/s\) .* raises it to about 211 req\/s\.$/);
  });

  it('the main thread saturated: the CPU stays the limit', () => {
    const r = withStatements({ requestMs: 50, statementMs: 40, mainCpu: 97, inFlight: (i) => 1 + (i % 4) });
    assert.equal(limitingResource(r)?.kind, 'cpu');
  });

  it('a light statement (10 % of the request time), no pool pinned: no limit, no finding', () => {
    const r = withStatements({ requestMs: 50, statementMs: 5, mainCpu: 15, inFlight: (i) => 1 + (i % 4) });
    assert.equal(limitingResource(r), null);
    assert.deepEqual(dbStatementWait.run(ctx(r)), []);
  });
});
