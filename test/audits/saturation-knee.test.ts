import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KNEE_LABEL, latencyRiseStep, retrogradeStep, saturationKnee } from '../../src/audits/saturation-knee.ts';
import { fakeAssessment } from '../helpers/fake-records.ts';
import { capacity, ctx, healthyAssessment, staircase, stressPhase } from './helpers.ts';

const RATES = [25, 50, 100, 150, 200, 300, 400, 600];
const value = (f: { evidence: Array<{ label: string; value: number | string }> }, label: string) =>
  f.evidence.find((e) => e.label === label)?.value;

describe('saturation-knee', () => {
  it('sustainable rate below 50 % of the expected rate is high (ASSESSMENT-RULES.md §2), with the breaking point', () => {
    const rec = fakeAssessment([stressPhase(staircase(RATES, 300))], {
      capacity: capacity({ sustainableRps: 300, sigma: 0.12, kappa: 0 }),
    });
    rec.config.expectedRate = 1000;
    const [f, ...rest] = saturationKnee.run(ctx(rec));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'high');
    assert.equal(value(f!, 'breaking point: offered rate'), 400);
    assert.equal(value(f!, 'maximum sustainable rate (SLO met)'), 300);
    assert.equal(value(f!, 'sustainable / expected'), 30);
    assert.match(f!.title, /Saturates at 400 req\/s: sustainable up to 300 req\/s \(30 % of the expected 1000 req\/s\)/);
    assert.match(f!.rootCause, /one request at a time \(σ 0\.12\)/);
  });

  it('speaks of coherency (locks, crosstalk) only when measured throughput fell past its best step (issue 12)', () => {
    // A fit with κ > 0 on a staircase whose throughput only flattens: no claim of crosstalk.
    const flat = staircase(RATES, 300);
    const rec = fakeAssessment([stressPhase(flat)], { capacity: capacity({ sustainableRps: 300, sigma: 0.01, kappa: 0.002 }) });
    const [f] = saturationKnee.run(ctx(rec));
    assert.doesNotMatch(f!.rootCause, /coherency|crosstalk|locks|fell with load/, f!.rootCause);
    // The same fit where a heavier step completed 30 % less than the best one: now it is measured.
    const fell = staircase(RATES, 300).map((s) => (s.offeredRate === 600 ? { ...s, achievedRate: 214 } : s));
    const rec2 = fakeAssessment([stressPhase(fell)], { capacity: capacity({ sustainableRps: 300, sigma: 0.01, kappa: 0.002 }) });
    const [g] = saturationKnee.run(ctx(rec2));
    assert.match(
      g!.rootCause,
      /Throughput fell with load: 306 req\/s at 400 req\/s offered, 214 req\/s at 600 req\/s; the USL fit's coherency term/,
      g!.rootCause,
    );
    assert.equal(retrogradeStep(flat), null);
  });

  it('below the expected rate is medium, little headroom low, ample headroom info', () => {
    const sev = (expected: number) => {
      const rec = fakeAssessment([stressPhase(staircase(RATES, 300))]);
      rec.config.expectedRate = expected;
      return saturationKnee.run(ctx(rec))[0]?.severity;
    };
    assert.equal(sev(400), 'medium');
    assert.equal(sev(200), 'low');
    assert.equal(sev(100), 'info');
  });

  it('stays info when the expected rate was derived from the stress phase itself', () => {
    const rec = fakeAssessment([stressPhase(staircase(RATES, 300))], { probes: { effectiveExpectedRate: 150 } });
    rec.config.expectedRate = null;
    const [f] = saturationKnee.run(ctx(rec));
    assert.equal(f!.severity, 'info');
    assert.equal(value(f!, 'expected rate (derived: none given)'), 150);
  });

  it('stays silent when the staircase neither broke nor slowed down', () => {
    const rec = fakeAssessment([stressPhase(staircase(RATES, 100_000))]);
    assert.deepEqual(saturationKnee.run(ctx(rec)), []);
    assert.deepEqual(saturationKnee.run(ctx(fakeAssessment([]))), []);
  });

  it('the healthy assessment gets at most info', () => {
    for (const f of saturationKnee.run(ctx(healthyAssessment()))) assert.equal(f.severity, 'info');
  });

  it('latencyRiseStep: the first step whose p95 doubled (and grew ≥ 10 ms)', () => {
    const steps = staircase(RATES, 300);
    // p95 20 ms at 25 req/s; 40 ms at 300 (just under 2×); 900 ms at 400.
    assert.equal(latencyRiseStep(steps)?.offeredRate, 400);
    const early = steps.map((s) => (s.offeredRate === 150 ? { ...s, p95Ms: 45 } : s));
    assert.equal(latencyRiseStep(early)?.offeredRate, 150);
    const flat = steps.map((s) => ({ ...s, p95Ms: 2 + s.offeredRate / 1000 }));
    assert.equal(latencyRiseStep(flat), null, '2 ms → 2.6 ms is no knee');
  });

  it('"knee" is one figure: the record\'s capacity.kneeRps; the p95-doubled step is named "latency starts rising at"', () => {
    // The staircase's p95 doubles at 400 req/s while the capacity model's knee is 212.5 req/s: two
    // figures that a report used to both call "knee" (190 vs null, 84 vs 38 on the demo).
    const rec = fakeAssessment([stressPhase(staircase(RATES, 300))], { capacity: capacity({ sustainableRps: 300, kneeRps: 212.5 }) });
    const [f] = saturationKnee.run(ctx(rec));
    const knees = f!.evidence.filter((e) => /knee/i.test(e.label));
    assert.deepEqual(
      knees.map((e) => [e.label, e.value]),
      [[KNEE_LABEL, 212.5]],
    );
    assert.equal(value(f!, 'latency starts rising at: offered rate (p95 doubled)'), 400);
    // Without a capacity model there is no knee anywhere in the finding.
    const noModel = fakeAssessment([stressPhase(staircase(RATES, 300))]);
    const [g] = saturationKnee.run(ctx(noModel));
    assert.equal(noModel.capacity, null);
    assert.deepEqual(
      g!.evidence.filter((e) => /knee/i.test(e.label)),
      [],
    );
    assert.doesNotMatch(g!.description + g!.title, /knee/i);
  });
});
