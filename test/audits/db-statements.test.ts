// db-slow-queries, db-missing-index and db-plan-issues on fake DatabaseProbes: each fires on its
// case with ASSESSMENT-RULES.md §2's DB bands, respects overridden thresholds, and hands a statement an index
// explains to db-missing-index (one cause, one finding).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/severity.ts';
import { dbSlowQueries } from '../../src/audits/db-slow-queries.ts';
import { dbMissingIndex } from '../../src/audits/db-missing-index.ts';
import { dbPlanIssues } from '../../src/audits/db-plan-issues.ts';
import type { SeverityThresholds } from '../../src/record/findings.ts';
import { fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import {
  dbRecord,
  dbWindow,
  healthyLoadProbes,
  healthyProbes,
  issue,
  plan,
  stmt,
  suggestion,
  table,
  withShares,
} from '../helpers/fake-db-probes.ts';
import { ctx } from './helpers.ts';

const SLOW = 'SELECT * FROM orders WHERE status = $1';

function withStatements(extra: ReturnType<typeof stmt>[], over = {}) {
  const base = healthyProbes();
  return healthyProbes({ statements: withShares([...base.statements, ...extra]), ...over });
}

describe('db-slow-queries', () => {
  test('maps the mean time per call onto ASSESSMENT-RULES.md §2 bands (> 500 ms medium, > 1 s high, > 2 s critical)', () => {
    for (const [mean, sev] of [
      [600, 'medium'],
      [1500, 'high'],
      [2500, 'critical'],
    ] as const) {
      const r = dbRecord(withStatements([stmt({ query: SLOW, calls: 500, meanExecMs: mean })]));
      const f = dbSlowQueries.run(ctx(r));
      assert.equal(f.length, 1, String(mean));
      assert.equal(f[0]!.severity, sev, String(mean));
      assert.equal(f[0]!.type, 'database');
      const labels = f[0]!.evidence.map((e) => e.label);
      for (const l of [
        'calls',
        'mean time per call',
        'total time',
        "share of all statements' time",
        'rows per call',
        'shared-buffer hit ratio',
      ])
        assert.ok(labels.includes(l), l);
      assert.equal(f[0]!.evidence.find((e) => e.label === 'calls')!.value, 500);
    }
  });

  test("pgHero's bar (≥ 100 calls at ≥ 20 ms) is low; fewer calls or faster is nothing", () => {
    assert.equal(dbSlowQueries.run(ctx(dbRecord(withStatements([stmt({ query: SLOW, calls: 150, meanExecMs: 25 })]))))[0]?.severity, 'low');
    assert.deepEqual(dbSlowQueries.run(ctx(dbRecord(withStatements([stmt({ query: SLOW, calls: 99, meanExecMs: 25 })])))), []);
    assert.deepEqual(dbSlowQueries.run(ctx(dbRecord(withStatements([stmt({ query: SLOW, calls: 5000, meanExecMs: 19 })])))), []);
  });

  test('a one-off in a snapshot (few calls) and a report (many rows per call) are one band milder; utility statements are ignored', () => {
    assert.equal(
      dbSlowQueries.run(ctx(dbRecord(withStatements([stmt({ query: SLOW, calls: 3, meanExecMs: 2500 })]))))[0]?.severity,
      'high',
    );
    assert.equal(
      dbSlowQueries.run(ctx(dbRecord(withStatements([stmt({ query: SLOW, calls: 500, meanExecMs: 1500, rows: 500 * 5000 })]))))[0]
        ?.severity,
      'medium',
    );
    assert.deepEqual(
      dbSlowQueries.run(ctx(dbRecord(withStatements([stmt({ query: 'CREATE INDEX i ON orders (status)', calls: 1, meanExecMs: 9000 })])))),
      [],
    );
  });

  test('respects overridden thresholds', () => {
    const strict: SeverityThresholds = { ...DEFAULT_THRESHOLDS, dbQueryMs: { p0: 200, p1: 100, p2: 50 } };
    const r = dbRecord(withStatements([stmt({ query: SLOW, calls: 500, meanExecMs: 150 })]));
    assert.equal(dbSlowQueries.run(ctx(r))[0]?.severity, 'low'); // default: pgHero bar only
    assert.equal(dbSlowQueries.run({ record: r, thresholds: strict })[0]?.severity, 'high');
  });

  test('under load, a fast statement taking most of the database time per request is reported (low)', () => {
    const hot = stmt({ query: 'SELECT price FROM prices WHERE sku = $1', calls: 200_000, meanExecMs: 2 });
    const base = healthyLoadProbes();
    const statements = withShares([...base.statements, hot]);
    const p = { ...base, statements, windows: [dbWindow({ statements, httpRequests: 10_000 })] };
    const f = dbSlowQueries.run(ctx(dbRecord(p, [fakePhase('baseline', fakeRun({ seconds: steady(10, 1000, 20) }))])));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'low');
    assert.match(f[0]!.title, /of the database's time under load/);
    assert.equal(f[0]!.evidence.find((e) => e.label === 'time in this statement per HTTP request')!.value, 40);
  });

  test('leaves a statement that a measured index explains to db-missing-index', () => {
    const s = stmt({ query: SLOW, calls: 500, meanExecMs: 1500 });
    const p = withStatements([s], {
      indexSuggestions: [suggestion({ queryIds: [s.queryId], method: 'measured', msBefore: 1500, msAfter: 2 })],
    });
    assert.deepEqual(dbSlowQueries.run(ctx(dbRecord(p))), []);
    const mi = dbMissingIndex.run(ctx(dbRecord(p)));
    assert.equal(mi.length, 1);
    assert.equal(mi[0]!.severity, 'high');
  });
});

describe('db-missing-index', () => {
  test('from a HypoPG suggestion: the CREATE INDEX CONCURRENTLY statement, the gain and how it was judged', () => {
    const s = stmt({ query: 'SELECT * FROM orders WHERE customer_id = $1', calls: 800, meanExecMs: 45 });
    const sg = suggestion({ queryIds: [s.queryId] });
    const f = dbMissingIndex.run(ctx(dbRecord(withStatements([s], { indexSuggestions: [sg] }))));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'medium'); // slow by pgHero's bar
    assert.equal(f[0]!.confidence, 0.75);
    assert.match(f[0]!.recommendation.approach, /^CREATE INDEX CONCURRENTLY ON public\.orders \(customer_id\)/);
    assert.match(f[0]!.recommendation.expectedImprovement, /HypoPG planner estimate, not a measured time/);
    assert.equal(f[0]!.evidence.find((e) => e.label === 'how the gain was judged')!.value, 'hypopg');
    assert.equal(f[0]!.evidence.find((e) => e.label === 'cost removed')!.value, 99.6);
  });

  test('confidence follows the method: measured > hypopg > heuristic; a heuristic never exceeds medium', () => {
    const s = stmt({ query: SLOW, calls: 800, meanExecMs: 3000 });
    const run = (m: 'measured' | 'hypopg' | 'heuristic') =>
      dbMissingIndex.run(
        ctx(
          dbRecord(
            withStatements([s], {
              indexSuggestions: [
                suggestion({ queryIds: [s.queryId], method: m, ...(m === 'measured' ? { msBefore: 3000, msAfter: 1 } : {}) }),
              ],
            }),
          ),
        ),
      )[0]!;
    assert.deepEqual([run('measured').confidence, run('hypopg').confidence, run('heuristic').confidence], [0.9, 0.75, 0.5]);
    assert.equal(run('measured').severity, 'critical');
    assert.equal(run('heuristic').severity, 'medium');
    assert.match(run('measured').recommendation.expectedImprovement, /measured with EXPLAIN ANALYZE before\/after/);
  });

  test("the plan's row count and the live rows are told apart (41,326 and 82,652 for one table, unexplained)", () => {
    const s = stmt({ query: 'SELECT * FROM orders WHERE customer_id = $1', calls: 800, meanExecMs: 45 });
    const seq = issue({
      kind: 'seq-scan-filter',
      relation: 'orders',
      detail: "Seq Scan on orders is expected to read 41,326 rows to return 2 (estimate: the planner's row count of the table)",
      figures: { tableRows: 41_326, estimatedRows: 2 },
    });
    const probes = (live: number) =>
      withStatements([s], {
        indexSuggestions: [suggestion({ queryIds: [s.queryId] })],
        plans: [plan(s, { issues: [seq] })],
        tables: [table({ table: 'orders', nLiveTup: live })],
      });
    const [f] = dbMissingIndex.run(ctx(dbRecord(probes(82_652))));
    assert.equal(f!.evidence.find((e) => e.label === 'plan')!.value, seq.detail);
    assert.equal(
      f!.evidence.find((e) => /^orders: live rows \(counted by the statistics, not the planner's estimate\)$/.test(e.label))!.value,
      82_652,
    );
    assert.match(
      f!.description,
      new RegExp(
        "holds 82,652 live rows .* The plan's 41,326 rows are the planner's estimate from the last ANALYZE, 82,652 the live" +
          String.raw` rows now: the statistics are stale \(ANALYZE orders refreshes them\)\.`,
      ),
    );
    // Close enough: no staleness note.
    const [g] = dbMissingIndex.run(ctx(dbRecord(probes(42_000))));
    assert.doesNotMatch(g!.description, /stale/);
  });

  test('a suggestion that gains little (< 30 %) is not reported', () => {
    const p = withStatements([], { indexSuggestions: [suggestion({ costBefore: 100, costAfter: 90 })] });
    assert.deepEqual(dbMissingIndex.run(ctx(dbRecord(p))), []);
  });

  test('from a plan: a seq scan removing rows by filter, without a suggestion (lower confidence)', () => {
    const s = stmt({ query: SLOW, calls: 40, meanExecMs: 30 });
    const p = withStatements([s], {
      plans: [
        plan(s, {
          issues: [
            issue({
              kind: 'seq-scan-filter',
              relation: 'orders',
              detail: 'Seq Scan on orders removed 199,990 rows by filter to return 10',
              figures: { rowsRemoved: 199_990, rowsReturned: 10, loops: 1 },
            }),
          ],
        }),
      ],
    });
    const f = dbMissingIndex.run(ctx(dbRecord(p)));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.confidence, 0.45);
    assert.equal(f[0]!.severity, 'low');
    assert.match(f[0]!.title, /Sequential scan filtering orders/);
    assert.equal(f[0]!.evidence.find((e) => /rows removed/.test(e.label))!.value, 199_990);
  });

  test("pgHero's table rule: ≥ 10,000 live rows read mostly by seq scans; small tables and indexed tables are fine", () => {
    const p = healthyProbes({
      tables: [
        table({ table: 'events', nLiveTup: 50_000, seqScan: 400, idxScan: 100, seqTupRead: 20_000_000 }),
        table({ table: 'tiny', nLiveTup: 9_999, seqScan: 400, idxScan: 0 }),
        table({ table: 'indexed', nLiveTup: 90_000, seqScan: 4, idxScan: 10_000 }),
      ],
    });
    const f = dbMissingIndex.run(ctx(dbRecord(p)));
    assert.deepEqual(
      f.map((x) => x.title),
      ['events is read by sequential scans (80 % of scans, 50,000 rows)'],
    );
    assert.equal(f[0]!.severity, 'low');
  });

  test('under load, a big table seq-scanned per request is medium', () => {
    const p = healthyLoadProbes();
    p.tables = [table({ table: 'events', nLiveTup: 50_000 })];
    p.windows[0]!.tableScans = [{ schema: 'public', table: 'events', seqScan: 4000, idxScan: 10, seqTupRead: 200_000_000 }];
    const f = dbMissingIndex.run(ctx(dbRecord(p, [fakePhase('baseline', fakeRun({ seconds: steady(10, 100, 20) }))])));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'medium');
  });
});

describe('db-plan-issues', () => {
  const s = stmt({ query: 'SELECT * FROM a JOIN b USING (id) WHERE a.x = $1 AND a.y = $2', calls: 50, meanExecMs: 5 });
  const run = (issues: ReturnType<typeof issue>[], stat = s, mode: 'analyze' | 'generic' = 'analyze') =>
    dbPlanIssues.run(ctx(dbRecord(withStatements([stat], { plans: [plan(stat, { issues, mode })] }))));

  test('misestimates by bucket: 1000× medium, 100× low, 10× nothing on a fast statement but low on a slow one', () => {
    const mis = (factor: number) =>
      issue({ kind: 'misestimate', nodeType: 'Index Scan', relation: 'a', factor, detail: `planned 10 rows, got ${10 * factor}` });
    assert.equal(run([mis(1500)])[0]!.severity, 'medium');
    assert.equal(run([mis(150)])[0]!.severity, 'low');
    assert.deepEqual(run([mis(15)]), []);
    assert.equal(run([mis(15)], stmt({ ...s, calls: 500, meanExecMs: 40 }))[0]!.severity, 'low');
    assert.match(run([mis(1500)])[0]!.recommendation.approach, /ANALYZE a .*CREATE STATISTICS/);
  });

  test('a spill recommends work_mem sized from the spill; a nested loop with many loops names the join key', () => {
    const spill = run([
      issue({ kind: 'spill', nodeType: 'Sort', relation: null, detail: 'Sort spilled to disk', figures: { tempWrittenBlocks: 2560 } }),
    ])[0]!;
    assert.equal(spill.severity, 'low');
    assert.match(spill.recommendation.approach, /SET LOCAL work_mem = '30MB'/);
    const loop = run([
      issue({
        kind: 'nested-loop',
        nodeType: 'Nested Loop',
        relation: null,
        detail: 'Nested Loop ran its inner side 200,000 times',
        figures: { innerLoops: 200_000 },
      }),
    ])[0]!;
    assert.equal(loop.severity, 'medium');
    assert.match(loop.recommendation.approach, /200,000 times: index the inner side's join key/);
  });

  test('seq-scan-filter issues are left to db-missing-index; estimates have lower confidence', () => {
    assert.deepEqual(run([issue({ kind: 'seq-scan-filter', relation: 'a' })]), []);
    const f = run([issue({ kind: 'heavy-buffers', relation: 'a' })], s, 'generic')[0]!;
    assert.equal(f.confidence, 0.55);
  });

  test("never above medium even on a slow statement (the time bands are db-slow-queries')", () => {
    const slow = stmt({ ...s, calls: 5000, meanExecMs: 3000 });
    const f = run([issue({ kind: 'misestimate', relation: 'a', factor: 5000 })], slow)[0]!;
    assert.equal(f.severity, 'medium');
  });
});
