// Issue 12, calibration: "the finding that explains the breaking point names the resource that limits it
// (a function, a pool, a statement, a downstream call)" — the statement case. A node-postgres service on
// a real PostgreSQL (embedded) whose one statement holds each of its pool's 2 connections 30 ms: its
// capacity is the statement's. assess --profile profiles the capacity phase; the agent times the
// statements inside the requests (no --db needed; with it, PostgreSQL's own time is added), and the
// capacity finding names the statement, its mean time and share of the request time, and where the
// application issues it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { limitingResource } from '../../src/audits/support/limiting.ts';
import { assessProfiledFixture, capacitySummary } from '../helpers/profile.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';

let server: TestPostgres;
before(async () => {
  server = await startTestPostgres();
});
after(async () => {
  await server?.stop();
});

const summary = capacitySummary;

const STATEMENT = /the SQL statement "SELECT pg_sleep\(\$1\) AS slept"/;

test('a service limited by one slow statement: the capacity finding names the statement, its time, share and call site', async (t) => {
  const r = await assessProfiledFixture('slow-statement.mjs', { DATABASE_URL: server.url, POOL_MAX: '2' }, server.url);
  const capacity = r.phases.find((p) => p.name === 'capacity');
  assert.ok(capacity, summary(r));
  const note = r.findings.find((f) => f.audit === 'generator-bound' && /\bcapacity\b/.test(f.title));
  if (note) {
    t.diagnostic(`not judged: ${note.title}`);
    return;
  }
  const limit = limitingResource(r);
  assert.equal(limit?.kind, 'statement', `${JSON.stringify(limit)}\n${summary(r)}`);
  t.diagnostic(limit.text);
  assert.match(limit.name, STATEMENT);
  assert.match(limit.text, /\([\d.]+ ms mean, [\d.]+ % of the request time(, [\d.]+ % of the database time)?; issued in loadReport \(/);
  assert.match(limit.text, /slow-statement\.mjs:14\)/);
  assert.equal(limit.location?.function, 'loadReport');
  // The finding that explains the breaking point names it (unless the generator gave out in the stress phase).
  const knee = r.findings.find((f) => f.audit === 'saturation-knee' && /^Saturates/.test(f.title));
  if (knee) {
    t.diagnostic(`${knee.title} | ${knee.rootCause}`);
    assert.match(knee.title, new RegExp(`limited by ${STATEMENT.source}$`), summary(r));
    assert.match(knee.rootCause, /the resource at its limit was the SQL statement "SELECT pg_sleep\(\$1\) AS slept" \(/);
    assert.equal(knee.location?.function, 'loadReport');
  } else
    assert.ok(
      r.findings.some((f) => f.audit === 'generator-bound'),
      `no saturation finding although the generator held\n${summary(r)}`,
    );
  // The finding about the statement, first among its severity after the capacity findings.
  const wait = r.findings.find((f) => f.audit === 'db-statement-wait');
  assert.ok(wait, summary(r));
  t.diagnostic(`${wait.severity} ${wait.title}`);
  assert.match(wait.title, STATEMENT);
  // With --db, PostgreSQL's own execution time of the statement (pg_sleep(0.03): 30 ms on the server).
  const exec = wait.evidence.find((e) => e.label === 'execution time per call on the server (pg_stat_statements)');
  assert.ok(exec && Number(exec.value) >= 29, JSON.stringify(wait.evidence));
  assert.match(wait.description, /PostgreSQL measured [\d.]+ ms of execution per call \(pg_stat_statements\): the time is the server’s\./);
  const same = r.findings.filter(
    (f) => f.severity === wait.severity && !['saturation-knee', 'throughput-plateau', 'endpoint-bottleneck'].includes(f.audit),
  );
  assert.equal(same[0], wait, summary(r));
  // No CPU candidate: the app's main thread is far from busy.
  assert.ok(!r.findings.some((f) => f.audit === 'cpu-bound' && f.severity !== 'info' && f.severity !== 'low'), summary(r));
});
