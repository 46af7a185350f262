// The async-wait audit on records: it speaks when the main thread is idle, the requests' time is
// mostly not its CPU, and the tracked operations' in-flight time (scaled by the tracked fraction)
// accounts for most of the requests' time; never on a busy main thread or waits that explain little.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asyncWait } from '../../../src/audits/async-wait.ts';
import { runAudits } from '../../../src/audits/index.ts';
import type { AsyncWaitSummary, TargetProbes } from '../../../src/record/target-probes.ts';
import { agentSamples, fakeTargetProbes, procSamples } from '../../helpers/fake-probes.ts';
import { profiled } from './helpers.ts';
import { DEFAULT_THRESHOLDS } from '../../../src/analysis/severity.ts';

const N = 20;
/** 40 requests/s of 250 ms each: 10 s of request time per second, main thread 5 % busy. */
function waitingTarget(o: { mainCpu?: number; inFlightShare?: number; tracked?: number; untracked?: number } = {}): TargetProbes {
  const requestMs = N * 40 * 250;
  const tracked = o.tracked ?? 400;
  const untracked = o.untracked ?? 1200;
  // What the tracked quarter of the operations were in flight: `inFlightShare` of the requests' time, scaled down.
  const inFlightMs = (requestMs * (o.inFlightShare ?? 0.95) * tracked) / (tracked + untracked);
  const asyncWaits: AsyncWaitSummary = {
    requestBusyMs: N * 1000,
    coveredMs: N * 600,
    acceptingShare: 1,
    tracked,
    ignored: 0,
    untracked,
    inFlightMs,
    sites: [
      {
        kind: 'FSREQPROMISE',
        function: 'loadReport',
        file: 'src/report.mjs',
        line: 14,
        inDependency: false,
        inFlightMs: inFlightMs * 0.92,
        share: 0.92,
        started: 300,
      },
      {
        kind: 'Timeout',
        function: 'backOff',
        file: 'src/retry.mjs',
        line: 7,
        inDependency: false,
        inFlightMs: inFlightMs * 0.08,
        share: 0.08,
        started: 100,
      },
    ],
  };
  return {
    ...fakeTargetProbes({
      agent: agentSamples(N, { elu: 0.05, requests: 40, requestMs: 250 }),
      proc: procSamples(N, { mainCpu: o.mainCpu ?? 5 }),
    }),
    asyncWaits,
  };
}
const judge = (t: TargetProbes, latencyMs = 250) =>
  asyncWait.run({ record: profiled(t, latencyMs, N, 40), thresholds: DEFAULT_THRESHOLDS });

describe('async-wait', () => {
  it('names the kind, the function and file:line of the top wait, with its share; medium over the SLO', () => {
    const [f, ...more] = judge(waitingTarget());
    assert.equal(more.length, 0);
    assert.ok(f);
    assert.equal(
      f.title,
      'Requests wait on asynchronous operations, not the CPU: 92 % of the in-flight time was an fs.promises call (FSREQPROMISE) ' +
        'started by loadReport (src/report.mjs:14)',
    );
    assert.equal(f.severity, 'medium');
    assert.deepEqual(f.location, { function: 'loadReport', file: 'src/report.mjs', line: 14 });
    assert.match(f.description, /Then 8(\.0)? % a timer \(setTimeout\) started by backOff \(src\/retry\.mjs:7\)\./);
    assert.match(f.recommendation.approach, /^Take the file read in loadReport \(src\/report\.mjs:14\) off the request path/);
  });

  it('within the SLO it is where the latency goes (info), and "not saturated" still speaks', () => {
    const [f] = judge(waitingTarget(), 18);
    assert.equal(f?.severity, 'info');
    const all = runAudits(profiled(waitingTarget(), 18, N, 40));
    assert.ok(
      all.some((x) => x.audit === 'not-saturated'),
      all.map((x) => x.audit).join(', '),
    );
  });

  it('over the SLO it replaces "slow while idle inside: waiting on something not instrumented"', () => {
    const all = runAudits(profiled(waitingTarget(), 250, N, 40));
    assert.ok(all.some((x) => x.audit === 'async-wait'));
    assert.ok(!all.some((x) => x.audit === 'not-saturated'), all.map((x) => `${x.audit}: ${x.title}`).join('\n'));
  });

  it("silent when the main thread computes, or when the waits explain little of the requests' time", () => {
    assert.deepEqual(judge(waitingTarget({ mainCpu: 80 })), []);
    assert.deepEqual(judge(waitingTarget({ inFlightShare: 0.2 })), []);
    const none = waitingTarget();
    delete none.asyncWaits;
    assert.deepEqual(judge(none), []);
  });
});
