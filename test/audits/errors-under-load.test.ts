import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsUnderLoad } from '../../src/audits/errors-under-load.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { API, ORDERS, ctx, healthyAssessment, multiRun, noisy } from './helpers.ts';

const baseline = (seconds: Parameters<typeof fakeRun>[0]['seconds'], name = API) =>
  fakeAssessment([fakePhase('baseline', fakeRun({ seconds, name }))]);

describe('errors-under-load', () => {
  it('> 5 % timeouts at the expected load is critical (ASSESSMENT-RULES.md §2), with the kind in the evidence', () => {
    const [f, ...rest] = errorsUnderLoad.run(ctx(baseline(steady(20, 100, 30, { failed: 10, errorKind: 'request_timeout' }))));
    assert.equal(rest.length, 0);
    assert.equal(f!.severity, 'critical');
    assert.equal(f!.type, 'application');
    assert.deepEqual(f!.location, { endpoint: API });
    assert.match(f!.title, /10 % of requests failed at the expected load \(mostly request_timeout\)/);
    assert.deepEqual(
      f!.evidence.find((e) => e.label === 'failed: request_timeout'),
      { label: 'failed: request_timeout', value: 200, unit: 'count', phase: 'baseline' },
    );
    assert.equal(f!.evidence.find((e) => e.label === 'failed requests')!.value, 10);
    assert.match(f!.rootCause, /^request_timeout \(200 of 200 failures\)/);
  });

  it('ranks smaller rates by the SLO: above it high, above 0.1 % medium, else low', () => {
    // 2000 requests per phase; the SLO allows 1 %.
    const sev = (failedPerSecond: number, seconds = 20) =>
      errorsUnderLoad.run(ctx(baseline([...steady(seconds - 1, 100, 30), { requests: 100, latencyMs: 30, failed: failedPerSecond }])))[0]
        ?.severity;
    assert.equal(sev(40), 'high'); // 2 % HTTP 500
    assert.equal(sev(5), 'medium'); // 0.25 %
    assert.equal(sev(1), 'low'); // 0.05 %
    assert.equal(sev(0), undefined);
  });

  it('names HTTP statuses and separates endpoints, worst phase first', () => {
    const rec = fakeAssessment([
      fakePhase(
        'baseline',
        multiRun([
          { seconds: steady(20, 60, noisy(1, 20)), name: API },
          { seconds: steady(20, 40, 50, { failed: 1 }), name: ORDERS },
        ]),
      ),
      fakePhase('sustained', fakeRun({ seconds: steady(20, 40, 50, { failed: 4 }), name: ORDERS })),
    ]);
    const [f, ...rest] = errorsUnderLoad.run(ctx(rec));
    assert.equal(rest.length, 0, 'the endpoint without errors is not reported');
    assert.deepEqual(f!.location, { endpoint: ORDERS });
    assert.equal(f!.severity, 'critical', '10 % in sustained');
    assert.match(f!.description, /sustained phase/);
    assert.match(f!.description, /Other expected-load phases: baseline 2\.5 %/);
    assert.ok(f!.evidence.some((e) => e.label === 'failed: HTTP 500' && e.phase === 'baseline'));
  });

  it('stays silent for a healthy service, for overload phases, and for requests cut off by the run', () => {
    assert.deepEqual(errorsUnderLoad.run(ctx(healthyAssessment())), []);
    const stress = fakeAssessment([
      fakePhase('stress', fakeRun({ seconds: steady(10, 100, 900, { failed: 50, errorKind: 'reset' }), name: API })),
    ]);
    assert.deepEqual(errorsUnderLoad.run(ctx(stress)), []);
    const aborted = baseline([...steady(19, 100, 30), { requests: 20, latencyMs: 30, failed: 20, errorKind: 'aborted' }]);
    assert.deepEqual(errorsUnderLoad.run(ctx(aborted)), []);
    const cut = baseline([...steady(19, 100, 30), { requests: 20, latencyMs: 30, failed: 20, errorKind: 'cut_at_stop' }]);
    assert.deepEqual(errorsUnderLoad.run(ctx(cut)), []);
  });
});
