// The database audits on a healthy, well-indexed database: no finding at all (snapshot and load),
// so never a P0/P1; silent without database probes; registered before no-bottleneck.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDITS, FINDING_AUDITS, runAudits } from '../../src/audits/index.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { dbRecord, healthyLoadProbes, healthyProbes } from '../helpers/fake-db-probes.ts';
import { ctx } from './helpers.ts';

const DB_AUDITS = FINDING_AUDITS.filter((a) => a.id.startsWith('db-'));

describe('database audits', () => {
  test('are registered (eleven of them) and no-bottleneck stays last', () => {
    assert.deepEqual(DB_AUDITS.map((a) => a.id).sort(), [
      'db-cache-hit-ratio',
      'db-connections',
      'db-duplicate-index',
      'db-invalid-index',
      'db-missing-index',
      'db-n-plus-one',
      'db-plan-issues',
      'db-slow-queries',
      'db-stat-statements-missing',
      'db-statement-wait',
      'db-unused-index',
    ]);
    assert.equal(AUDITS[AUDITS.length - 1]!.id, 'no-bottleneck');
  });

  test('are silent on a record without database probes', () => {
    const r = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(10, 100, 20) }))]);
    for (const a of DB_AUDITS) assert.deepEqual(a.run(ctx(r)), [], a.id);
  });

  test('find nothing on a healthy, well-indexed database (snapshot, no phases)', () => {
    const r = dbRecord(healthyProbes());
    for (const a of DB_AUDITS)
      assert.deepEqual(
        a.run(ctx(r)).map((f) => f.title),
        [],
        a.id,
      );
    assert.deepEqual(runAudits(r), []);
  });

  test('find nothing under load on a healthy database, and no-bottleneck still speaks', () => {
    const r = dbRecord(healthyLoadProbes(), [fakePhase('baseline', fakeRun({ seconds: steady(10, 100, 20) }))]);
    for (const a of DB_AUDITS)
      assert.deepEqual(
        a.run(ctx(r)).map((f) => f.title),
        [],
        a.id,
      );
    const all = runAudits(r);
    assert.ok(!all.some((f) => f.severity === 'critical' || f.severity === 'high'), JSON.stringify(all.map((f) => f.title)));
    assert.ok(all.some((f) => f.audit === 'no-bottleneck'));
  });

  test('a database finding at medium takes "no bottleneck" away', () => {
    const p = healthyLoadProbes();
    p.windows[0]!.activity!.idleInTransaction = { max: 6, mean: 5 };
    const r = dbRecord(p, [fakePhase('baseline', fakeRun({ seconds: steady(10, 100, 20) }))]);
    const all = runAudits(r);
    assert.ok(all.some((f) => f.audit === 'db-connections' && f.severity === 'medium'));
    assert.ok(!all.some((f) => f.audit === 'no-bottleneck'));
  });

  test('never crash on a stored record with missing arrays (robust to older records)', () => {
    const p = healthyProbes() as unknown as Record<string, unknown>;
    delete p.plans;
    delete p.indexSuggestions;
    delete p.nPlusOne;
    delete p.windows;
    delete p.indexes;
    delete p.tables;
    const r = dbRecord(p as never);
    for (const a of DB_AUDITS) assert.doesNotThrow(() => a.run(ctx(r)), a.id);
  });
});
