// What the reports say about the profilers' cost (issue 12, "Disclose the observer effect"), from the
// record's figures alone: under an arrival rate (assess --profile's capacity phase, the demo) the
// latency and whether each side kept up with the rate offered, not a throughput "cost" the load set;
// and, for either model, no claim stronger than the reference supports (halves that disagree as much
// as the cost, one half only, too few requests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observerText } from '../../src/analysis/observer-effect.ts';
import type { ObserverEffect, ObserverStep } from '../../src/record/target-probes.ts';

const step = (rps: number, p50Ms: number, requests = 600): ObserverStep => ({
  durationMs: 4000,
  requests,
  rps,
  p50Ms,
  p95Ms: p50Ms * 2,
});

function open(profiled: ObserverStep, reference: ObserverStep, more: Partial<ObserverEffect> = {}): ObserverEffect {
  return {
    reference,
    profiled,
    throughputCost: Math.round((1 - profiled.rps / reference.rps) * 1e4) / 1e4,
    latencyCost: Math.round((profiled.p50Ms! / reference.p50Ms! - 1) * 1e4) / 1e4,
    samplingIntervalUs: 1000,
    model: 'open',
    profilerThreadCpuPercent: 1.8,
    offeredRate: 120,
    phase: 'capacity',
    referenceSpread: { rps: 0.01, p50: 0.02 },
    ...more,
  };
}

test('open model: the latency cost and whether both sides kept up with the rate offered', () => {
  const s = observerText(open(step(119, 5.4), step(120, 5)));
  assert.match(
    s,
    /^Profiling added 8\.0 % to the median latency \(p50 5\.40 ms vs 5\.00 ms, p95 10\.8 ms vs 10\.0 ms without the profilers; /,
  );
  assert.match(s, /4\.00 s at the same 120 req\/s around the capacity phase\)\./);
  assert.match(s, /It kept up with the 120 req\/s offered with the profilers \(119 req\/s completed\) and without them \(120\)\./);
  assert.match(s, /CPU profile sampled every 1000 µs \(its sampling thread used 1\.8 % of a core\)\./);
  // The arrival rate set the throughput: no throughput "cost" is claimed, no warning for a small latency cost.
  assert.doesNotMatch(s, /of the throughput|fell behind|noise|rough|findings name/);
});

test('open model: a service that fell behind only under the profilers is told so, with both shares of the offered rate', () => {
  const s = observerText(open(step(90, 40), step(119, 6)));
  assert.match(s, /^Profiling multiplied the median latency by 6\.7 \(/);
  assert.match(s, /Of the 120 req\/s offered it completed 90 \(75 %\) with the profilers and 119 \(99 %\) without them: /);
  assert.match(s, /without them: under the profilers it fell behind\./);
  assert.match(s, /The profilers took the headroom the service had at this rate/);
  // Behind on both sides: the service's own limit, not the profilers'.
  const both = observerText(open(step(90, 40), step(92, 38)));
  assert.match(both, /completed 90 \(75 %\) with the profilers and 92 \(77 %\) without them: it fell behind with and without them/);
  assert.doesNotMatch(both, /took the headroom/);
  // Between the two (a queue may be growing that a few seconds cannot show): the figures, no verdict —
  // and a latency cost that large is said to make the figures under the profiler not the service's own.
  const between = observerText(open(step(110, 150), step(116, 6.65)));
  assert.match(between, /Of the 120 req\/s offered it completed 110 \(92 %\) with the profilers and 116 \(97 %\) without them\. CPU/);
  assert.doesNotMatch(between, /kept up|fell behind/);
  assert.match(between, /that much above the service’s own \(at the capacity, a small extra cost is enough to build a queue\)/);
});

test('a cost no larger than the spread between the reference halves is called noise, and draws no warning', () => {
  // Lower under the profilers: noise, said as such, with no "cost".
  assert.match(
    observerText(open(step(120, 4.9), step(120, 5))),
    /^No measurable latency cost: the profiled phase's median latency was 2\.0 % lower than without the profilers \(p50 4\.90 ms vs /,
  );
  const s = observerText(open(step(120, 7), step(120, 5), { referenceSpread: { rps: 0.02, p50: 0.5 } }));
  assert.match(s, /^Profiling added 40 % to the median latency/);
  assert.match(s, /The reference's two halves differed by 50 % in p50 from each other, as much as the cost: within this machine's noise/);
  assert.doesNotMatch(s, /that much above/);
  // The same cost with halves that agree is real: the latencies under the profiler are said to be above the service's own.
  assert.match(observerText(open(step(120, 7), step(120, 5))), /The latencies measured under the profiler are that much above/);

  // `speedguard profile` under VUs: no phase, no offered rate.
  const closed: ObserverEffect = { ...open(step(85, 5), step(100, 5)), model: 'closed' };
  delete closed.phase;
  delete closed.offeredRate;
  assert.match(
    observerText({ ...closed, referenceSpread: { rps: 0.03, p50: 0 } }),
    /Profiling cost 15 % of the throughput.*that much below/,
  );
  const noisy = observerText({ ...closed, referenceSpread: { rps: 0.2, p50: 0 } });
  assert.match(noisy, /differed by 20 % in throughput from each other, as much as the cost: within this machine's noise, not measurable/);
  assert.doesNotMatch(noisy, /that much below/);
  // Faster under the profiler: the figures in one bracket, the noise said after them.
  const faster = observerText({ ...closed, profiled: step(120, 5), throughputCost: -0.2, referenceSpread: { rps: 0.03, p50: 0 } });
  assert.match(
    faster,
    new RegExp(
      String.raw`^The profiled window ran 20 % faster than the unprofiled reference \(120 vs 100 req/s[^)]*\); ` +
        String.raw`p50 [^:]*: noise, profiling cost no measurable throughput\.`,
    ),
  );
  assert.doesNotMatch(faster, /\) \(/);
});

test('a reference on one side only, or with few requests, is said to be rough', () => {
  assert.match(
    observerText(open(step(119, 5.4), step(120, 5), { referenceSpread: null })),
    /The reference ran on one side of the window only: its own noise is unknown/,
  );
  assert.match(observerText(open(step(19, 5.4, 40), step(20, 5, 40))), /The reference is short \(40 requests\): a rough figure\./);
});
