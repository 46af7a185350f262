// Issue 11 §1: a threshold whose metric got no data fails with a reason (k6 would pass it), unless it
// opts out (allowEmpty) or the run follows k6 semantics; unknown metric names are bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRun } from '../../src/engine/coordinator.ts';
import { checkPlanThresholds } from '../../src/engine/threshold-tracker.ts';
import { declareCustomMetric } from '../../src/metrics/declared-metrics.ts';
import { ThresholdTracker } from '../../src/engine/threshold-tracker.ts';
import { RunAggregate } from '../../src/engine/run-aggregate.ts';
import { optionsFromFlags } from '../../src/plan/overrides.ts';
import type { ThresholdSpec } from '../../src/plan/types.ts';
import { get, plan, scenario } from '../helpers/plan.ts';
import { startServer } from '../helpers/servers.ts';

const spec = (expression: string, extra: Partial<ThresholdSpec> = {}): ThresholdSpec => ({
  expression,
  abortOnFail: false,
  delayAbortEvalMs: 0,
  ...extra,
});
const onePlan = (thresholds: Record<string, ThresholdSpec[]>, extra = {}) =>
  plan(
    { s: scenario({ executor: 'shared-iterations', vus: 1, iterations: 1, maxDurationMs: 1000 }, [get('http://127.0.0.1:1/')]) },
    { thresholds, ...extra },
  );

test('empty trend and rate metrics fail with "no data"; an empty counter is a real 0', () => {
  const p = onePlan({
    http_req_duration: [spec('p(95)<200')],
    http_req_failed: [spec('rate<0.01')],
    dropped_iterations: [spec('count<1')],
    checks: [spec('rate>0.9', { allowEmpty: true })],
  });
  const out = new ThresholdTracker(p).finish(new RunAggregate(), 1000);
  assert.deepEqual(
    out.map((t) => t.ok),
    [false, false, true, true],
  );
  assert.equal(out[0]!.note, 'no data: http_req_duration got no samples');
  assert.equal(out[0]!.noData, true);
  assert.match(out[3]!.note!, /allowEmpty/);
  assert.equal(out[2]!.actual, 0);
});

test('k6 semantics: empty thresholds pass, with a note the summary shows as a warning', () => {
  const p = onePlan({ http_req_duration: [spec('p(95)<200')] });
  const [k6] = new ThresholdTracker(p, { k6Semantics: true }).finish(new RunAggregate(), 1000);
  assert.equal(k6!.ok, true);
  assert.match(k6!.note!, /passes as in k6/);
  const [fromPlan] = new ThresholdTracker({ ...p, k6Semantics: true }).finish(new RunAggregate(), 1000);
  assert.equal(fromPlan!.ok, true);
});

test('unknown metric names are refused with a suggestion; custom metrics of a script are known', () => {
  assert.throws(
    () => checkPlanThresholds(onePlan({ http_req_durashun: [spec('p(95)<200')] })),
    (e: Error) => e.name === 'UnknownMetricError' && /unknown metric "http_req_durashun", did you mean "http_req_duration"/.test(e.message),
  );
  assert.throws(() => checkPlanThresholds(onePlan({ 'zzz{name:a}': [spec('count<1')] })), /unknown metric "zzz"/);
  declareCustomMetric('login_time', 'trend');
  // A request plan cannot produce custom metrics; a script plan can.
  assert.throws(() => checkPlanThresholds(onePlan({ login_time: [spec('p(95)<200')] })), /unknown metric/);
  checkPlanThresholds(onePlan({ login_time: [spec('p(95)<200')] }, { scriptPath: '/x.ts' }));
  assert.throws(() => checkPlanThresholds(onePlan({ login_time: [spec('rate<1')] }, { scriptPath: '/x.ts' })), /aggregation "rate"/);
});

test('CLI form: METRIC:EXPR,allowEmpty and ,abortOnFail; unknown options are named', () => {
  const o = optionsFromFlags({
    thresholds: ['checks:rate>0.9,allowEmpty', 'http_req_duration:p(95)<200, abortOnFail', 'http_reqs:count>1'],
  });
  assert.deepEqual(o.thresholds, {
    checks: [{ threshold: 'rate>0.9', allowEmpty: true }],
    http_req_duration: [{ threshold: 'p(95)<200', abortOnFail: true }],
    http_reqs: ['count>1'],
  });
  assert.throws(() => optionsFromFlags({ thresholds: ['checks:rate>0.9,allowEmtpy'] }), /unknown threshold option "allowEmtpy"/);
});

test('a tag value that matches nothing is "no data", also on a counter', async () => {
  const srv = await startServer();
  try {
    const p = plan(
      { s: scenario({ executor: 'shared-iterations', vus: 1, iterations: 3, maxDurationMs: 5000 }, [get(srv.url, { name: 'login' })]) },
      {
        thresholds: {
          'http_req_duration{name:login}': [spec('p(95)<5000')],
          'http_req_duration{name:lgoin}': [spec('p(95)<5000')],
          'http_reqs{name:lgoin}': [spec('count<10')],
          'http_req_errors{name:login}': [spec('count<1')],
        },
      },
    );
    const rec = await startRun(p, { inProcess: true }).result;
    assert.deepEqual(
      rec.thresholds.map((t) => t.ok),
      [true, false, false, true],
    );
    assert.match(rec.thresholds[1]!.note!, /no sample in the run has the tags of http_req_duration\{name:lgoin\}/);
    assert.equal(rec.thresholds[3]!.actual, 0, 'an error counter that stayed at 0 is a measurement');
  } finally {
    await srv.close();
  }
});
