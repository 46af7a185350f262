import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatorBound } from '../../src/audits/generator-bound.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment } from './helpers.ts';

describe('generator-bound', () => {
  it('a limited phase gives one P1 finding that invalidates the others, with the reasons and figures', () => {
    const reason = 'generator CPU at 97 % of a core (p95 over 40 worker-seconds; limit 90 %)';
    const limited = fakeRun({ seconds: steady(20, 100, 20), name: API, generator: { limited: true, reasons: [reason], cpuP95: 0.97, loopDelayP99MaxMs: 80 } });
    const rec = fakeAssessment([fakePhase('stress', fakeRun({ seconds: steady(10, 10, 5), name: API })), fakePhase('baseline', limited)]);
    const [f, ...rest] = generatorBound.run(ctx(rec));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'high');
    assert.equal(f!.invalidatesOthers, true);
    assert.equal(f!.component, 'load generator');
    assert.match(f!.title, /saturated in baseline:/);
    assert.ok(f!.evidence.some((e) => e.label === 'reason' && e.value === reason && e.phase === 'baseline'));
    assert.ok(f!.evidence.some((e) => e.label === 'generator CPU p95 (share of a core)' && e.value === 97));
    assert.ok(!f!.evidence.some((e) => e.phase === 'stress'), 'the healthy phase is not blamed');
  });

  it('stays silent when the generator kept up', () => {
    assert.deepEqual(generatorBound.run(ctx(healthyAssessment())), []);
  });
});
