import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plateauStep, throughputPlateau } from '../../src/audits/throughput-plateau.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment, staircase, stressPhase } from './helpers.ts';

describe('throughput-plateau', () => {
  it('finds where achieved stops following offered in the staircase; < 50 % of expected is high', () => {
    const steps = staircase([50, 100, 200, 300, 400, 600], 300);
    const rec = fakeAssessment([stressPhase(steps)]);
    rec.config.expectedRate = 1000;
    const [f, ...rest] = throughputPlateau.run(ctx(rec));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'high');
    assert.equal(f!.evidence.find((e) => e.label === 'peak achieved throughput')!.value, 306);
    assert.match(f!.title, /Throughput plateaus at 306 req\/s \(31 % of the expected 1000 req\/s\)/);
  });

  it('detects a flat plateau even without a 10 % shortfall', () => {
    const steps = staircase([100, 200, 300], 10_000).map((s, i) => ({ ...s, achievedRate: [100, 190, 195][i]! }));
    assert.equal(plateauStep(steps)?.offeredRate, 300, '195 < 0.9 × 300; 190 of 200 is still within 10 %');
    const flat = staircase([100, 125, 160], 10_000).map((s, i) => ({ ...s, achievedRate: [100, 120, 122][i]! }));
    assert.equal(plateauStep(flat)?.offeredRate, 160, 'offered +28 %, achieved +1.7 %');
  });

  it('an expected-load phase that completes less than offered: < 50 % high, else medium', () => {
    const sev = (perSecond: number) =>
      throughputPlateau.run(
        ctx(
          fakeAssessment([
            fakePhase('baseline', fakeRun({ seconds: steady(20, perSecond, 900, { dropped: 100 - perSecond }), name: API }), {
              offeredRate: 100,
            }),
          ]),
        ),
      )[0];
    const high = sev(40)!;
    assert.equal(high.severity, 'high');
    assert.equal(high.evidence.find((e) => e.label === 'achieved rate (median second)')!.value, 40);
    assert.equal(high.evidence.find((e) => e.label === 'dropped iterations')!.value, 19 * 60);
    assert.equal(sev(80)!.severity, 'medium');
    assert.equal(sev(95), undefined, 'within 10 % of offered');
  });

  it('stays silent (or info) for a healthy service', () => {
    const found = throughputPlateau.run(ctx(healthyAssessment()));
    assert.ok(
      found.every((f) => f.severity === 'info'),
      JSON.stringify(found.map((f) => f.severity)),
    );
    const noStress = healthyAssessment();
    noStress.phases = noStress.phases.filter((p) => p.name !== 'stress');
    assert.deepEqual(throughputPlateau.run(ctx(noStress)), []);
  });
});
