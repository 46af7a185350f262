import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spikeTolerance } from '../../src/audits/spike-tolerance.ts';
import type { FakeSecond } from '../helpers/fake-records.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment, noisy, staircase, stressPhase } from './helpers.ts';

function spike(during: FakeSecond[], sustainable?: number) {
  const seconds = [...steady(5, 100, noisy(1, 20)), ...during, ...steady(6, 100, noisy(2, 22))];
  const phases = [
    fakePhase('spike', fakeRun({ seconds, name: API }), {
      offeredRate: 400,
      spike: { baseRate: 100, spikeRate: 400, spikeFromSecond: 5, spikeToSecond: 10 },
    }),
  ];
  if (sustainable !== undefined) phases.unshift(stressPhase(staircase([100, sustainable, sustainable * 2], sustainable)));
  return fakeAssessment(phases);
}

describe('spike-tolerance', () => {
  it('> 5 % failures during a spike the service could sustain is high, with before/during figures', () => {
    const [f, ...rest] = spikeTolerance.run(ctx(spike(steady(6, 400, 60, { failed: 80, errorKind: 'request_timeout' }), 800)));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'high');
    const get = (l: string) => f!.evidence.find((e) => e.label === l)?.value;
    assert.equal(get('failed during the spike'), 20);
    assert.equal(get('failed before the spike'), 0);
    assert.equal(get('failed during the spike: request_timeout'), 480);
    assert.equal(get('spike length'), 6);
    assert.match(f!.rootCause, /could sustain 400 req\/s in steady state but not as a sudden jump/);
  });

  it('capped at medium when the spike exceeded the measured capacity', () => {
    const [f] = spikeTolerance.run(ctx(spike(steady(6, 400, 60, { failed: 80, errorKind: 'request_timeout' }), 200)));
    assert.equal(f!.severity, 'medium');
    assert.match(f!.rootCause, /more than the service's capacity \(200 req\/s\)/);
  });

  it('latency growing ≥ 3× and over the SLO is medium; a milder breach low', () => {
    const [a] = spikeTolerance.run(ctx(spike(steady(6, 400, noisy(3, 500)))));
    assert.equal(a!.severity, 'medium');
    assert.ok((a!.evidence.find((e) => e.label === 'p95 during the spike')!.value as number) > 500);
    const rec = spike(steady(6, 400, 230));
    rec.phases[0]!.run = fakeRun({ seconds: [...steady(5, 100, 120), ...steady(6, 400, 230), ...steady(6, 100, 120)], name: API });
    assert.equal(spikeTolerance.run(ctx(rec))[0]!.severity, 'low');
  });

  it('stays silent when the spike is absorbed', () => {
    assert.deepEqual(spikeTolerance.run(ctx(spike(steady(6, 400, noisy(4, 30))))), []);
    assert.deepEqual(spikeTolerance.run(ctx(healthyAssessment())), []);
  });
});
