// db-cache-hit-ratio, db-connections, db-n-plus-one and db-stat-statements-missing on fake probes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/severity.ts';
import { dbCacheHitRatio } from '../../src/audits/db-cache-hit-ratio.ts';
import { dbConnections } from '../../src/audits/db-connections.ts';
import { dbNPlusOne } from '../../src/audits/db-n-plus-one.ts';
import { dbStatStatementsMissing } from '../../src/audits/db-stat-statements-missing.ts';
import { fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { activity, dbRecord, healthyLoadProbes, healthyProbes, inferred, nPlusOne } from '../helpers/fake-db-probes.ts';
import { multiRun } from './helpers.ts';
import { ctx } from './helpers.ts';

const phaseAt = (latencyMs: number, name: 'baseline' | 'peak' = 'baseline') =>
  fakePhase(name, fakeRun({ seconds: steady(10, 100, latencyMs) }));

describe('db-cache-hit-ratio', () => {
  const at = (tables: number, heapBlocks = 2_000_000) =>
    dbRecord(
      healthyProbes({
        cacheHitRatio: {
          tables,
          indexes: 0.9999,
          blocks: { heapHit: heapBlocks * tables, heapRead: heapBlocks * (1 - tables), idxHit: 1e6, idxRead: 10 },
        },
      }),
    );

  test("below ASSESSMENT-RULES.md §2's 80 % medium, below pgHero's 99 % low, above nothing", () => {
    assert.equal(dbCacheHitRatio.run(ctx(at(0.7)))[0]?.severity, 'medium');
    assert.equal(dbCacheHitRatio.run(ctx(at(0.95)))[0]?.severity, 'low');
    assert.deepEqual(dbCacheHitRatio.run(ctx(at(0.995))), []);
  });

  test('not judged on too few blocks; the SPEC band is overridable', () => {
    assert.deepEqual(dbCacheHitRatio.run(ctx(at(0.5, 5000))), []);
    const t = { ...DEFAULT_THRESHOLDS, cacheHitRate: { p2: 0.96 } };
    assert.equal(dbCacheHitRatio.run({ record: at(0.95), thresholds: t })[0]?.severity, 'medium');
  });

  test('under load, the ratio of the statements the load ran', () => {
    const p = healthyLoadProbes();
    p.windows[0]!.totals = { ...p.windows[0]!.totals, sharedBlksHit: 90_000, sharedBlksRead: 10_000, hitRatio: 0.9 };
    const f = dbCacheHitRatio.run(ctx(dbRecord(p, [phaseAt(20)])));
    assert.equal(f[0]?.severity, 'low');
    assert.equal(f[0]!.evidence[0]!.value, 90);
    assert.equal(f[0]!.evidence[0]!.phase, 'baseline');
  });
});

describe('db-connections', () => {
  const withActivity = (a: Parameters<typeof activity>[0], phases = [phaseAt(20)]) => {
    const p = healthyLoadProbes();
    p.windows[0]!.activity = activity(a);
    return dbRecord(p, phases);
  };

  test('connections near max_connections: ≥ 80 % medium, ≥ 95 % high', () => {
    assert.equal(dbConnections.run(ctx(withActivity({ total: { max: 85, mean: 80 } })))[0]?.severity, 'medium');
    assert.equal(dbConnections.run(ctx(withActivity({ total: { max: 97, mean: 90 } })))[0]?.severity, 'high');
  });

  test('idle in transaction and lock waits', () => {
    const idle = dbConnections.run(ctx(withActivity({ idleInTransaction: { max: 2, mean: 1 } })));
    assert.deepEqual(
      idle.map((f) => f.severity),
      ['low'],
    );
    assert.match(idle[0]!.title, /idle in transaction/);
    const locks = dbConnections.run(ctx(withActivity({ waitingOnLocks: { max: 4, mean: 2 }, waitEvents: { 'Lock:transactionid': 30 } })));
    assert.deepEqual(
      locks.map((f) => f.severity),
      ['medium'],
    );
    assert.match(locks[0]!.rootCause, /same rows/);
  });

  test('pool saturation: all the pool active in nearly every sample while latency is over the SLO', () => {
    const pinned = { total: { max: 11, mean: 11 }, active: { max: 10, mean: 9.6 }, idle: { max: 1, mean: 1 } };
    const f = dbConnections.run(ctx(withActivity(pinned, [phaseAt(400)])));
    assert.equal(f.length, 1);
    assert.match(f[0]!.title, /pool saturated at 10 connections/);
    assert.equal(f[0]!.severity, 'medium');
    // The same plateau within the SLO: no finding.
    assert.deepEqual(dbConnections.run(ctx(withActivity(pinned, [phaseAt(20)]))), []);
  });

  test('pool saturation: the same plateau in two phases while p95 climbs', () => {
    const p = healthyLoadProbes();
    const pinned = activity({ total: { max: 11, mean: 11 }, active: { max: 10, mean: 9.6 } });
    p.windows = [
      { ...p.windows[0]!, phase: 'baseline', activity: pinned },
      { ...p.windows[0]!, phase: 'peak', activity: pinned },
    ];
    const r = dbRecord(p, [phaseAt(50), phaseAt(150, 'peak')]);
    const f = dbConnections.run(ctx(r));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.evidence.find((e) => /growth/.test(e.label))!.value, 3);
  });
});

describe('db-n-plus-one', () => {
  test('from the agent: endpoint, statement, count per request, share, location; severity from share and SLO', () => {
    const run = multiRun([{ seconds: steady(10, 50, 400), name: 'http://127.0.0.1:3000/api/customers/7/orders' }]);
    const r = dbRecord(healthyLoadProbes({ nPlusOne: [nPlusOne()] }), [fakePhase('baseline', run)]);
    const f = dbNPlusOne.run(ctx(r));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'high'); // over the SLO and ≥ 50 % of the request: the reason it misses it
    assert.deepEqual(f[0]!.location, {
      endpoint: 'GET /api/customers/:id/orders',
      file: '/app/src/orders.js',
      line: 42,
      function: 'loadItems',
    });
    assert.match(f[0]!.recommendation.approach, /JOIN.*= ANY\(\$1\).*DataLoader/);
    assert.equal(f[0]!.evidence.find((e) => /endpoint p95/.test(e.label))!.value, 400);
    assert.equal(f[0]!.confidence, 0.9);
  });

  test('within the SLO: medium when it is most of the request or the count is huge, else low', () => {
    const fast = [fakePhase('baseline', multiRun([{ seconds: steady(10, 50, 30), name: 'http://127.0.0.1:3000/api/customers/7/orders' }]))];
    assert.equal(dbNPlusOne.run(ctx(dbRecord(healthyLoadProbes({ nPlusOne: [nPlusOne()] }), fast)))[0]!.severity, 'medium');
    assert.equal(
      dbNPlusOne.run(ctx(dbRecord(healthyLoadProbes({ nPlusOne: [nPlusOne({ shareOfRequest: 0.3 })] }), fast)))[0]!.severity,
      'low',
    );
    assert.equal(
      dbNPlusOne.run(ctx(dbRecord(healthyLoadProbes({ nPlusOne: [nPlusOne({ shareOfRequest: 0.3, perRequestMax: 120 })] }), fast)))[0]!
        .severity,
      'medium',
    );
  });

  test('the fallback from pg_stat_statements counts: lower confidence, endpoint only when one endpoint was loaded', () => {
    const p = healthyLoadProbes();
    p.windows[0]!.inferredRepetition = [inferred()];
    const one = dbNPlusOne.run(ctx(dbRecord(p, [phaseAt(20)])));
    assert.equal(one.length, 1);
    assert.equal(one[0]!.confidence, 0.55);
    assert.deepEqual(one[0]!.location, { endpoint: 'GET /api' });
    const two = [
      fakePhase(
        'baseline',
        multiRun([
          { seconds: steady(10, 50, 20), name: 'http://h/a' },
          { seconds: steady(10, 50, 20), name: 'http://h/b' },
        ]),
      ),
    ];
    const f = dbNPlusOne.run(ctx(dbRecord(p, two)));
    assert.equal(f[0]!.confidence, 0.4);
    assert.equal(f[0]!.location, null);
  });

  test('the fallback is dropped when the agent saw the same statement', () => {
    const p = healthyLoadProbes({ nPlusOne: [nPlusOne()] });
    p.windows[0]!.inferredRepetition = [inferred()];
    assert.equal(dbNPlusOne.run(ctx(dbRecord(p, [phaseAt(20)]))).length, 1);
  });
});

describe('db-stat-statements-missing', () => {
  test('says exactly how to enable it', () => {
    const how = 'Add pg_stat_statements to shared_preload_libraries and restart, then CREATE EXTENSION pg_stat_statements;';
    const p = healthyProbes({ statements: [] });
    p.server = { ...p.server, pgStatStatements: { available: false, howToEnable: how } };
    const f = dbStatStatementsMissing.run(ctx(dbRecord(p)));
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'low');
    assert.equal(f[0]!.recommendation.approach, how);
    assert.equal(f[0]!.evidence[0]!.value, how);
    assert.deepEqual(dbStatStatementsMissing.run(ctx(dbRecord(healthyProbes()))), []);
  });
});
