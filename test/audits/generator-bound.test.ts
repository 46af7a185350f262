import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatorBound } from '../../src/audits/generator-bound.ts';
import { runAudits } from '../../src/audits/index.ts';
import { saturationKnee } from '../../src/audits/saturation-knee.ts';
import { trustedStress } from '../../src/audits/support/generator.ts';
import { sustainableRateOf } from '../../src/audits/support/record.ts';
import { throughputPlateau } from '../../src/audits/throughput-plateau.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, assertComplete, ctx, healthyAssessment, healthyRun, staircase, stressPhase } from './helpers.ts';

describe('generator-bound', () => {
  it('a limited phase gives one measurement note (never P0/P1) that invalidates the others, with the reasons and figures', () => {
    const reason = 'generator CPU at 97 % of a core (p95 over 40 worker-seconds; limit 90 %)';
    const limited = fakeRun({
      seconds: steady(20, 100, 20),
      name: API,
      generator: { limited: true, reasons: [reason], cpuP95: 0.97, loopDelayP99MaxMs: 80 },
    });
    const rec = fakeAssessment([fakePhase('stress', fakeRun({ seconds: steady(10, 10, 5), name: API })), fakePhase('baseline', limited)]);
    const [f, ...rest] = generatorBound.run(ctx(rec));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'medium');
    assert.equal(f!.about, 'measurement');
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

/** A stress phase whose generator saturated from the step at `fromRate` on. */
function stressLimitedFrom(rates: number[], breakAt: number, fromRate: number) {
  const phase = stressPhase(staircase(rates, breakAt));
  const i0 = rates.indexOf(fromRate);
  for (const iv of phase.run.intervals) if (iv.index >= i0 * 5) iv.generator = { ...iv.generator, cpuMax: 0.99 };
  phase.run.generator = { ...phase.run.generator, limited: true, reasons: ['generator CPU at 99 % of a core'] };
  return phase;
}
const RATES = [25, 50, 100, 200, 400, 600, 800];

describe('generator-bound in the stress phase only', () => {
  it('saturated before the target broke: medium, capacity a lower bound, nothing invalidated', () => {
    const rec = fakeAssessment([stressLimitedFrom(RATES, 100_000, 600), fakePhase('baseline', healthyRun(20, 1))]);
    const [f] = generatorBound.run(ctx(rec));
    assert.equal(f!.severity, 'medium');
    assert.ok(!f!.invalidatesOthers);
    assert.match(f!.title, /saturated at 600 req\/s before the target broke: capacity is at least 400 req\/s/);
    assert.equal(trustedStress(rec)!.maxSustainableRate, 400);
    assert.equal(sustainableRateOf(rec), 400, 'the steps the generator limited are not capacity');
    const all = runAudits(rec);
    for (const x of all) assertComplete(x);
    assert.ok(
      all.some((x) => x.audit === 'no-bottleneck'),
      'the service is still healthy',
    );
    assert.match(all.find((x) => x.audit === 'no-bottleneck')!.description, /capacity at least 400 req\/s, at least 4× the expected/);
    assert.ok(!all.some((x) => x.severity === 'high' || x.severity === 'critical'));
  });

  it('saturated after the target broke: low', () => {
    const rec = fakeAssessment([stressLimitedFrom(RATES, 150, 400)]);
    const [f] = generatorBound.run(ctx(rec));
    assert.equal(f!.severity, 'low');
    assert.equal(f!.evidence.find((e) => e.label === "breaking point (below the generator's limit)")!.value, 200);
  });

  it('saturated from the first step, or below the expected rate: an invalidating measurement note, not P1', () => {
    const first = fakeAssessment([stressLimitedFrom(RATES, 100_000, 25)]);
    const low = fakeAssessment([stressLimitedFrom(RATES, 100_000, 100)]);
    low.config.expectedRate = 150;
    for (const rec of [first, low]) {
      const [f] = generatorBound.run(ctx(rec));
      assert.equal(f!.severity, 'medium');
      assert.equal(f!.about, 'measurement');
      assert.equal(f!.invalidatesOthers, true);
    }
  });

  it('a "break" where the generator saturated is not a measured break (medium, lower bound)', () => {
    const [f] = generatorBound.run(ctx(fakeAssessment([stressLimitedFrom(RATES, 300, 400)])));
    assert.equal(f!.severity, 'medium');
    assert.match(f!.title, /capacity is at least 200 req\/s/);
  });

  it('the staircase audits leave the generator-limited steps out', () => {
    // Past 400 req/s the generator could not send: achieved flat, latency up — not the target's doing.
    const phase = stressLimitedFrom(RATES, 100_000, 600);
    phase.stress!.steps = phase.stress!.steps.map((s) =>
      s.offeredRate >= 600 ? { ...s, achievedRate: 420, p95Ms: 800, sloOk: false } : s,
    );
    phase.stress!.breakingRate = 600;
    const rec = fakeAssessment([phase]);
    assert.equal(trustedStress(rec)!.breakingRate, null);
    assert.deepEqual(throughputPlateau.run(ctx(rec)), []);
    assert.deepEqual(saturationKnee.run(ctx(rec)), []);
    assert.equal(generatorBound.run(ctx(rec))[0]!.severity, 'medium', 'the "break" is at the generator\'s limit: unmeasured');
  });
});
