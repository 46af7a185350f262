import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recoveryTime } from '../../src/audits/recovery-time.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment } from './helpers.ts';

/** 8 s of overload, then `after` seconds at the base rate (latency stays high when stuck). */
function recovery(recoveredAfterSeconds: number | null, after: number, stuckMs = 20) {
  const seconds = [...steady(8, 500, 800), ...steady(after, 100, stuckMs)];
  return fakeAssessment([
    fakePhase('recovery', fakeRun({ seconds, name: API }), {
      offeredRate: 500,
      recovery: { fromSecond: 8, limitMs: 40, baselineP95Ms: 25, recoveredAfterSeconds },
    }),
  ]);
}

describe('recovery-time', () => {
  it("slower than 30 s is medium; slower than ASSESSMENT-RULES.md §6's 5 minutes high", () => {
    const [m] = recoveryTime.run(ctx(recovery(45, 50)));
    assert.equal(m!.severity, 'medium');
    assert.match(m!.title, /Slow recovery: 45 s/);
    assert.equal(m!.evidence.find((e) => e.label === 'recovered after')!.value, 45);
    assert.equal(recoveryTime.run(ctx(recovery(400, 50)))[0]!.severity, 'high');
  });

  it('never recovered: high when observed ≥ 30 s, medium (less sure) in a shorter window', () => {
    const [h] = recoveryTime.run(ctx(recovery(null, 40, 600)));
    assert.equal(h!.severity, 'high');
    assert.match(h!.title, /No recovery within 40 s after the overload ended \(p95 still 600 ms, limit 40\.0 ms\)/);
    assert.equal(h!.evidence.find((e) => e.label === 'p95 in the last seconds observed')!.value, 600);
    const [m] = recoveryTime.run(ctx(recovery(null, 20, 600)));
    assert.equal(m!.severity, 'medium');
    assert.ok(m!.confidence < h!.confidence);
  });

  it('stays silent for a quick recovery and without a recovery phase', () => {
    assert.deepEqual(recoveryTime.run(ctx(recovery(10, 20))), []);
    assert.deepEqual(recoveryTime.run(ctx(healthyAssessment())), []);
    assert.deepEqual(recoveryTime.run(ctx(fakeAssessment([]))), []);
  });
});
