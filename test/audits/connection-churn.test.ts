import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectionChurn } from '../../src/audits/connection-churn.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ctx, healthyAssessment, inspection, stressPhase, staircase } from './helpers.ts';

describe('connection-churn', () => {
  it('a new connection per request (≫ VUs) is "no keep-alive", medium, with the server\'s Connection: close', () => {
    const run = fakeRun({ seconds: steady(20, 100, 20), name: API, vus: 10, connectionsOpened: 2000 });
    const rec = fakeAssessment([fakePhase('baseline', run)], { inspection: [inspection({ name: API, headers: { connection: 'close' } })] });
    const [f, ...rest] = connectionChurn.run(ctx(rec));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'medium');
    assert.match(f!.title, /No keep-alive: a new connection for every request/);
    assert.equal(f!.evidence.find((e) => e.label === 'connections opened')!.value, 2000);
    assert.equal(f!.evidence.find((e) => e.label === 'VUs (max)')!.value, 10);
    assert.match(f!.rootCause, /Connection: close/);
  });

  it('connections recycled every few requests is low', () => {
    const run = fakeRun({ seconds: steady(20, 100, 20), name: API, vus: 10, connectionsOpened: 400 });
    const [f] = connectionChurn.run(ctx(fakeAssessment([fakePhase('baseline', run)])));
    assert.equal(f!.severity, 'low');
    assert.match(f!.title, /one new connection every 5 requests/);
  });

  it('resets at the expected load are medium; only under deliberate overload low', () => {
    const atLoad = fakeAssessment([
      fakePhase('baseline', fakeRun({ seconds: steady(20, 100, 20, { failed: 1, errorKind: 'reset' }), name: API })),
    ]);
    const [f] = connectionChurn.run(ctx(atLoad));
    assert.equal(f!.severity, 'medium');
    assert.equal(f!.type, 'network');
    assert.deepEqual(f!.evidence[0], { label: 'failed: reset', value: 20, unit: 'count', phase: 'baseline' });
    const stress = stressPhase(staircase([100, 200], 150));
    stress.run = fakeRun({ seconds: steady(10, 100, 800, { failed: 30, errorKind: 'closed_early' }), name: API });
    const [g] = connectionChurn.run(ctx(fakeAssessment([stress])));
    assert.equal(g!.severity, 'low');
    assert.match(g!.description, /overloaded on purpose/);
  });

  it('refused connections get their own finding (infrastructure)', () => {
    const rec = fakeAssessment([
      fakePhase('sustained', fakeRun({ seconds: steady(20, 100, 20, { failed: 2, errorKind: 'connect_refused' }), name: API })),
    ]);
    const [f] = connectionChurn.run(ctx(rec));
    assert.match(f!.title, /40 requests failed to connect \(sustained\)/);
    assert.equal(f!.type, 'infrastructure');
    assert.match(f!.rootCause, /backlog/);
  });

  it('stays silent for a healthy keep-alive service', () => {
    assert.deepEqual(connectionChurn.run(ctx(healthyAssessment())), []);
  });
});
