import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { droppedIterations } from '../../src/audits/dropped-iterations.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment, staircase, stressPhase } from './helpers.ts';

describe('dropped-iterations', () => {
  it('an expected-load phase that dropped > 1 % is medium, with the VUs it would have needed', () => {
    const run = fakeRun({ seconds: steady(20, 95, 200, { dropped: 5 }), name: API, vus: 10 });
    const [f, ...rest] = droppedIterations.run(ctx(fakeAssessment([fakePhase('baseline', run)])));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'medium');
    const get = (l: string) => f!.evidence.find((e) => e.label === l)?.value;
    assert.equal(get('dropped iterations'), 100);
    assert.equal(get('dropped share'), 5);
    assert.equal(get('VUs needed (rate × mean latency)'), 20);
    assert.match(f!.title, /baseline: 100 iterations dropped \(5\.0 % of the planned load was never sent\)/);
  });

  it('drops in an overload phase (spike) or below 1 % are low; a limited generator is named', () => {
    const spike = fakeRun({ seconds: steady(10, 90, 300, { dropped: 10 }), name: API });
    assert.equal(droppedIterations.run(ctx(fakeAssessment([fakePhase('spike', spike)])))[0]!.severity, 'low');
    const few = fakeRun({
      seconds: [...steady(19, 100, 20), { requests: 100, latencyMs: 20, dropped: 3 }],
      name: API,
      generator: { limited: true, reasons: ['x'] },
    });
    const [f] = droppedIterations.run(ctx(fakeAssessment([fakePhase('sustained', few)])));
    assert.equal(f!.severity, 'low');
    assert.equal(f!.component, 'load generator');
  });

  it('stays silent without drops, for the stress staircase, and for closed-model executors', () => {
    assert.deepEqual(droppedIterations.run(ctx(healthyAssessment())), []);
    const stress = stressPhase(staircase([100, 200], 150));
    stress.run = fakeRun({ seconds: steady(10, 100, 800, { dropped: 50 }), name: API });
    assert.deepEqual(droppedIterations.run(ctx(fakeAssessment([stress]))), []);
    const closed = fakeRun({ seconds: steady(10, 100, 20, { dropped: 5 }), name: API });
    closed.plan = { ...closed.plan, scenarios: { default: { executor: 'constant-vus' } as never } };
    assert.deepEqual(droppedIterations.run(ctx(fakeAssessment([fakePhase('baseline', closed)]))), []);
  });
});
