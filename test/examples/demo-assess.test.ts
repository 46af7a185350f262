// The demo shop assessed end to end (quick phases), as `speedguard demo` runs it — its private
// PostgreSQL, the server on it with the Node agent, assessPlan with the database URL: what the
// assessment can see of the answer key (examples/demo/answer-key.json) must be found — the
// uncompressed, uncached catalogue, the pool-bound inventory endpoint, the CPU-heavy function in the
// profile, and (once the database probes are in the record) the N+1 and the missing index — and
// nothing the demo does not have may be invented. What profiling cost is measured and printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assessPlan } from '../../src/cli/assess.ts';
import { quickStressAndBaseline } from '../helpers/profile.ts';
import { databaseProbesOf } from '../../src/record/database-probes.ts';
import { ITEMS_BY_ORDER_SQL } from '../../examples/demo/handlers/customers.ts';
import { startDemoPostgres } from '../../examples/demo/postgres.ts';
import { loadPlanFile } from '../../src/plan/load-file.ts';
import { startTarget } from '../../src/probes/target.ts';
import { startWindowProbes } from '../../src/probes/window-probes.ts';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import { originsOf } from '../../src/audits/downstream-wait.ts';
import { renderTerminalFindings } from '../../src/report/terminal-findings.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER = fileURLToPath(new URL('../../examples/demo/server.ts', import.meta.url));
const PLAN = fileURLToPath(new URL('../../examples/demo/plan.yaml', import.meta.url));
const KEY = JSON.parse(readFileSync(new URL('../../examples/demo/answer-key.json', import.meta.url), 'utf8')) as {
  healthy: string[];
  bottlenecks: Array<{ id: string; atDemoLoad?: string }>;
};

test('the demo assessment finds the catalogue and pool bottlenecks, the profiler sees inside, nothing is invented', async () => {
  // Started as `speedguard demo` does: the database, then the server on it with the Node agent,
  // profiled during the baseline phase, and the database measured around each phase.
  const database = await startDemoPostgres();
  const svc = await startTarget({ command: [process.execPath, SERVER], env: { DATABASE_URL: database.url } });
  const window = startWindowProbes(svc, { outDir: mkdtempSync(join(tmpdir(), 'sg-demo-')), name: 'demo', log: () => {} });
  try {
    const plan = await loadPlanFile(PLAN, { target: `http://127.0.0.1:${svc.port}` });
    const record = await assessPlan(plan, quickStressAndBaseline(), { quiet: true, quick: true, db: database.url }, undefined, window);
    const f = record.findings;
    const steps = record.phases
      .find((p) => p.name === 'stress')
      ?.stress?.steps.map((x) => `${x.offeredRate}→${Math.round(x.achievedRate)} p95 ${Math.round(x.p95Ms)}`)
      .join(', ');
    const summary = f.map((x) => `${x.severity} ${x.audit} ${x.location?.endpoint ?? ''}: ${x.title}`).join('\n') + `\nstress: ${steps}`;
    const at = (audit: string, endpoint: string) => f.find((x) => x.audit === audit && x.location?.endpoint === endpoint);
    assert.ok(at('compression', '/api/products?limit=500'), summary);
    assert.ok(at('http-caching', '/api/products?limit=500'), summary);
    assert.ok(at('endpoint-bottleneck', '/api/inventory/:id'), summary);
    // Nothing on the healthy endpoints, no caching/compression/payload finding elsewhere, no errors.
    for (const x of f) {
      if (x.location?.endpoint && KEY.healthy.includes(x.location.endpoint.replace(/^GET /, '')))
        assert.fail(`finding on a healthy endpoint: ${x.title}`);
      if (['http-caching', 'compression', 'payload-size'].includes(x.audit))
        assert.equal(x.location?.endpoint, '/api/products?limit=500', x.title);
      assert.ok(!['errors-under-load', 'connection-churn', 'generator-bound'].includes(x.audit), `invented: ${x.title}`);
    }
    assert.ok(!f.some((x) => x.severity === 'critical'), summary);
    // Ranking follows what limits the service (answer key: the pool sets the capacity; the CPU-heavy
    // endpoint is no finding at this load, only the top of the profile).
    const cpuKey = KEY.bottlenecks.find((b) => b.id === 'cpu-recommendations');
    assert.ok(cpuKey?.atDemoLoad, 'the answer key says what the CPU-heavy endpoint gets at the demo load');
    assert.ok(!f.some((x) => x.audit === 'cpu-bound'), summary);
    const capacityPhase = record.phases.find((p) => p.name === 'capacity');
    assert.ok(capacityPhase, `the capacity phase is profiled\n${summary}`);
    // What profiling cost there (issue 12: every profiled run discloses it), in the record and in what
    // `speedguard demo` prints (the terminal findings).
    const observer = targetProbesOf(record)?.observer;
    assert.ok(observer?.model === 'open' && observer.phase === 'capacity', JSON.stringify(observer));
    assert.equal(observer.offeredRate, capacityPhase.offeredRate);
    assert.ok(observer.reference.requests > 0 && observer.profiled.requests > 0 && observer.latencyCost !== null, JSON.stringify(observer));
    assert.match(renderTerminalFindings(record, { colour: false }), /observer effect: .*around the capacity phase\)\. /);
    const pool = f.find(
      (x) =>
        (x.audit === 'downstream-wait' && /saturated/.test(x.title)) ||
        (x.audit === 'endpoint-bottleneck' && x.location?.endpoint === '/api/inventory/:id'),
    )!;
    const ahead = f.filter(
      (x) =>
        x.severity === pool.severity &&
        f.indexOf(x) < f.indexOf(pool) &&
        !['saturation-knee', 'throughput-plateau', 'endpoint-bottleneck', 'downstream-wait'].includes(x.audit) &&
        !x.invalidatesOthers,
    );
    assert.deepEqual(
      ahead.map((x) => x.title),
      [],
      `ranked before the pool (${pool.id} ${pool.title})\n${summary}`,
    );
    // Where the profile of the capacity phase saw the pool pinned, the saturation finding names it.
    const knee = f.find((x) => x.audit === 'saturation-knee' && /^Saturates/.test(x.title));
    if (knee && f.some((x) => x.audit === 'downstream-wait' && /saturated/.test(x.title)))
      assert.match(knee.title, /limited by the connection pool to http:\/\/127\.0\.0\.1:\d+/, summary);
    // The profiler's view: the CPU-heavy function is in the profile by name, and the time spent
    // waiting on the pool-bound downstream is a finding.
    const probes = targetProbesOf(record);
    assert.ok(probes?.cpuProfile, 'CPU profile of the baseline phase');
    // V8 may inline scoreRecommendations into its route handler, so look for the file (the CPU-heavy
    // handler module) among the hottest functions by self or total time, not only for the name.
    const hot = [...probes.cpuProfile.topSelf, ...probes.cpuProfile.topTotal];
    assert.ok(
      hot.some((h) => h.function === 'scoreRecommendations' || h.file.endsWith('handlers/recommendations.ts')),
      hot
        .slice(0, 12)
        .map((h) => `${h.function} ${h.file}:${h.line}`)
        .join(', '),
    );
    // The agent sees the inventory calls to the downstream. Whether they pass the audit's "half of
    // the request time" bar depends on how slow the CPU-heavy endpoints are on a loaded machine (on
    // a quiet one they take ~70 %): require the measurement, and the finding when the share is clear.
    const use = originsOf(probes.agent!.samples);
    const top = use.origins[0];
    assert.ok(top && top.calls > 0 && /^http:\/\/127\.0\.0\.1:\d+$/.test(top.origin), JSON.stringify(use.origins));
    // (0.2: on a machine busy with other work the CPU-heavy endpoints — and, since the move to
    // PostgreSQL, the orders page waiting on its scans — take a larger share; ~60 % when quiet.)
    assert.ok(top.share >= 0.2, `downstream share ${top.share}`);
    if (top.share >= 0.6)
      assert.ok(
        f.some((x) => x.audit === 'downstream-wait'),
        summary,
      );

    // The database's view: the per-order statement is the run's top statement by time, a
    // sequential scan of order_items, with an index on order_items(order_id) advised and a database
    // finding that names order_items; and the agent's N+1 group on the orders endpoint (10 per request).
    const db = databaseProbesOf(record);
    assert.ok(db, 'assess --db put probes.database in the record');
    assert.ok(!JSON.stringify(db).includes(new URL(database.url).password), 'the password is not in the record');
    assert.equal(
      db.statements[0]?.query,
      ITEMS_BY_ORDER_SQL,
      db.statements
        .slice(0, 3)
        .map((s) => s.query)
        .join(' | '),
    );
    assert.ok(db.statements[0]!.rows / db.statements[0]!.calls <= 6, 'a handful of rows per call');
    const advice = db.indexSuggestions.find((s) => s.table === 'order_items' && s.columns[0] === 'order_id');
    assert.ok(advice, JSON.stringify(db.indexSuggestions));
    assert.match(advice.createStatement, /CREATE INDEX .*ON .*order_items.* \(order_id\)/i);
    assert.ok(
      f.some((x) => x.audit === 'db-missing-index' && /order_items/.test(`${x.title} ${x.description} ${JSON.stringify(x.evidence)}`)),
      summary,
    );
    const nPlusOne = db.nPlusOne.find((g) => g.endpoint.endsWith('/api/customers/:id/orders') && g.statement === ITEMS_BY_ORDER_SQL);
    assert.ok(nPlusOne && nPlusOne.perRequestMean === 10, JSON.stringify(db.nPlusOne));
    // (The agent names routes "GET /api/…"; the other audits use the plan's request names.)
    assert.ok(
      f.some((x) => x.audit === 'db-n-plus-one' && x.location?.endpoint?.replace(/^GET /, '') === '/api/customers/:id/orders'),
      summary,
    );
  } finally {
    window.close();
    await svc.stop();
    await database.stop();
  }
});
