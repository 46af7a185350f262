import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencySlo } from '../../src/audits/latency-slo.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ORDERS, ctx, healthyAssessment, multiRun, noisy, stressPhase, staircase } from './helpers.ts';

const ev = (f: { evidence: Array<{ label: string; value: number | string; phase?: string }> }, label: RegExp) =>
  f.evidence.find((e) => label.test(e.label));

describe('latency-slo', () => {
  it('fires per endpoint, in the ASSESSMENT-RULES.md §2 band of its p95 (2–5 s → high)', () => {
    const run = multiRun([
      { seconds: steady(20, 60, noisy(1, 20)), name: API },
      { seconds: steady(20, 40, noisy(2, 1500)), name: ORDERS },
    ]);
    const [f, ...rest] = latencySlo.run(ctx(fakeAssessment([fakePhase('baseline', run)])));
    assert.equal(rest.length, 0, 'the fast endpoint is not reported');
    assert.equal(f!.severity, 'high');
    assert.deepEqual(f!.location, { endpoint: ORDERS });
    assert.match(f!.title, /GET \/api\/orders: p95 2\.\d+ s breaches the 200 ms SLO/);
    const p95 = ev(f!, /^p95 latency/)!;
    assert.equal(p95.phase, 'baseline');
    assert.ok((p95.value as number) > 2000 && (p95.value as number) < 5000, `p95 ${p95.value}`);
    assert.ok(ev(f!, /all endpoints/), 'overall p95 given as context');
    assert.ok(f!.recommendation.expectedImprovement.length > 0);
  });

  it('a clear SLO breach below the bands is medium, a marginal one low', () => {
    const sev = (ms: number) =>
      latencySlo.run(ctx(fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(20, 50, ms), name: API }))])))[0]?.severity;
    assert.equal(sev(300), 'medium');
    assert.equal(sev(220), 'low');
    assert.equal(sev(1500), 'medium');
    assert.equal(sev(6000), 'critical');
    assert.equal(sev(150), undefined);
  });

  it('judges the SLO percentile the user chose (p99) and reports the worst expected-load phase', () => {
    // 2 % of requests at 350 ms: p95 fine, p99 over a 300 ms limit.
    const lat = (i: number) => (i < 1 ? 350 : 30);
    const rec = fakeAssessment([
      fakePhase('baseline', fakeRun({ seconds: steady(20, 50, 30), name: API })),
      fakePhase('sustained', fakeRun({ seconds: steady(30, 50, lat), name: API })),
    ]);
    rec.config.slo = { latencyPercentile: 99, latencyMs: 300, errorRate: 0.01, source: ['p99<300ms'] };
    const [f] = latencySlo.run(ctx(rec));
    assert.ok(f);
    assert.equal(ev(f, /^p99 latency/)!.phase, 'sustained');
    assert.equal(f.severity, 'low', '350 vs 300 ms: within 1.25 × the limit → marginal');
    assert.match(f.title, /p99 350 ms breaches the 300 ms SLO/);
  });

  it('stays silent for a healthy service, for the warm-up second, and for stress steps past the breaking point', () => {
    assert.deepEqual(latencySlo.run(ctx(healthyAssessment())), []);
    const warm = fakeRun({ seconds: [{ requests: 50, latencyMs: 3000 }, ...steady(19, 50, 20)], name: API });
    assert.deepEqual(latencySlo.run(ctx(fakeAssessment([fakePhase('baseline', warm)]))), []);
    const stress = stressPhase(staircase([100, 200, 400], 200));
    stress.run = fakeRun({ seconds: steady(15, 100, 3000), name: API });
    assert.deepEqual(latencySlo.run(ctx(fakeAssessment([stress]))), []);
  });

  it('does not judge a p95 from too few samples', () => {
    const run = fakeRun({ seconds: steady(5, 2, 4000), name: API });
    assert.deepEqual(latencySlo.run(ctx(fakeAssessment([fakePhase('baseline', run)]))), []);
  });
});
