import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseThreshold } from '../../../src/metrics/thresholds/parse.ts';
import { shouldAbort, WindowedThreshold } from '../../../src/metrics/thresholds/window.ts';
import type { ThresholdSpec } from '../../../src/plan/types.ts';
import type { MetricType } from '../../../src/metrics/types.ts';
import { arrayView } from './array-view.ts';

/** Feeds per-second sample batches the way the engine does: at the end of second i, the last W seconds merged. */
function feed(w: WindowedThreshold, seconds: number[][], type: MetricType = 'trend') {
  const wSec = w.windowMs / 1000;
  const steps = seconds.map((_, i) => {
    const windowSamples = seconds.slice(Math.max(0, i + 1 - wSec), i + 1).flat();
    return w.observe((i + 1) * 1000, arrayView(type, windowSamples, Math.min(wSec, i + 1)));
  });
  const end = w.finish(seconds.length * 1000, arrayView(type, seconds.flat(), seconds.length));
  return { steps, end };
}

describe('WindowedThreshold', () => {
  it('judges only full windows', () => {
    const w = new WindowedThreshold(parseThreshold('max<100 over 3s'));
    // A spike in second 1 is inside the first full window (seconds 1–3) and fails it.
    const { steps } = feed(w, [[500], [1], [1], [1]]);
    assert.deepEqual(
      steps.map((s) => s.evaluated),
      [false, false, true, true],
    );
    assert.deepEqual(
      steps.map((s) => s.ok),
      [true, true, false, true],
    );
    assert.equal(w.failed, true);
    assert.equal(w.firstBreachMs, 3000);
    assert.equal(w.worstActual, 500);
  });

  it('a partial window at the start is not judged when later full windows exist', () => {
    const w = new WindowedThreshold(parseThreshold('avg<100 over 2s'));
    // Second 1 alone averages 150 (would fail); the full windows average 95, 40 and 40 (all pass).
    feed(w, [[150], [40], [40], [40]]);
    assert.equal(w.failed, false);
    assert.equal(w.firstBreachMs, null);
    assert.equal(w.worstActual, 95);
    assert.equal(w.state().windowsEvaluated, 3);
  });

  it('stays failed after a breach, records the first breach and the worst window', () => {
    const w = new WindowedThreshold(parseThreshold('p(95)<300 over 2s'));
    const { steps } = feed(w, [[100], [100], [400], [100], [900], [100], [100], [100]]);
    assert.equal(w.failed, true);
    assert.equal(w.firstBreachMs, 3000);
    assert.ok(steps.at(-1)!.ok, 'the last window passes');
    const s = w.state();
    assert.equal(s.worstAtMs, 5000);
    assert.equal(s.worstActual, 100 + 0.95 * 800);
    assert.equal(s.judgedWholeRun, false);
  });

  it('for > thresholds the worst window is the lowest', () => {
    const w = new WindowedThreshold(parseThreshold('count>=5 over 1s'));
    feed(w, [[5], [3], [7], [2], [9]], 'counter');
    assert.equal(w.failed, true);
    assert.equal(w.firstBreachMs, 2000);
    assert.equal(w.worstActual, 2);
  });

  it('judges a silent full window like the end of a test: counts are 0, rates have no data', () => {
    const counter = new WindowedThreshold(parseThreshold('count>0 over 2s'));
    feed(counter, [[1], [1], [], [], [1]], 'counter');
    assert.equal(counter.failed, true);
    assert.equal(counter.firstBreachMs, 4000);

    const rate = new WindowedThreshold(parseThreshold('rate>0.9 over 2s'));
    feed(rate, [[1], [1], [], [], [1]], 'rate');
    assert.equal(rate.failed, false);
  });

  it('a run shorter than the window is judged once, whole, at the end', () => {
    const w = new WindowedThreshold(parseThreshold('p(95)<300 over 30s'));
    const { steps, end } = feed(w, [[100], [500], [500]]);
    assert.ok(steps.every((s) => !s.evaluated));
    assert.equal(end.evaluated, true);
    assert.equal(end.ok, false);
    assert.equal(w.failed, true);
    assert.equal(w.firstBreachMs, 3000);
    assert.equal(w.state().judgedWholeRun, true);
  });

  it('finish does nothing once full windows were judged', () => {
    const w = new WindowedThreshold(parseThreshold('max<10 over 1s'));
    w.observe(1000, arrayView('trend', [1]));
    const end = w.finish(1500, arrayView('trend', [1, 50]));
    assert.equal(end.evaluated, false);
    assert.equal(w.failed, false);
  });

  it('refuses thresholds without a window and time going backwards', () => {
    assert.throws(() => new WindowedThreshold(parseThreshold('p(95)<300')), /has no "over <duration>" window/);
    const w = new WindowedThreshold(parseThreshold('max<10 over 1s'));
    w.observe(2000, arrayView('trend', [1]));
    assert.throws(() => w.observe(2000, arrayView('trend', [1])), RangeError);
    assert.throws(() => w.observe(Number.NaN, arrayView('trend', [1])), RangeError);
  });

  it('property: fails exactly when some full window breaches', () => {
    const run = fc.record({
      wSec: fc.integer({ min: 1, max: 5 }),
      limit: fc.integer({ min: 0, max: 1000 }),
      seconds: fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 6 }), { maxLength: 15 }),
    });
    fc.assert(
      fc.property(run, ({ wSec, limit, seconds }) => {
        const w = new WindowedThreshold(parseThreshold(`max<${limit} over ${wSec}s`));
        feed(w, seconds);
        // Direct: windows ending at seconds wSec..n; max of an empty window counts as 0 (k6 end-of-test rule).
        const maxOf = (xs: number[]) => (xs.length === 0 ? 0 : Math.max(...xs));
        let firstBreach: number | null = null;
        if (seconds.length < wSec) {
          if (!(maxOf(seconds.flat()) < limit)) firstBreach = seconds.length * 1000;
        } else {
          for (let end = wSec; end <= seconds.length && firstBreach === null; end++) {
            if (!(maxOf(seconds.slice(end - wSec, end).flat()) < limit)) firstBreach = end * 1000;
          }
        }
        assert.equal(w.failed, firstBreach !== null);
        assert.equal(w.firstBreachMs, firstBreach);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('shouldAbort (k6 abortOnFail / delayAbortEval)', () => {
  const spec = (abortOnFail: boolean, delayAbortEvalMs: number): ThresholdSpec => ({
    expression: 'p(95)<200',
    abortOnFail,
    delayAbortEvalMs,
  });

  it('never aborts on a passing threshold or without abortOnFail', () => {
    assert.equal(shouldAbort(spec(true, 0), 60_000, true), false);
    assert.equal(shouldAbort(spec(false, 0), 60_000, false), false);
  });

  it('aborts at once without a delay', () => {
    assert.equal(shouldAbort(spec(true, 0), 0, false), true);
    assert.equal(shouldAbort(spec(true, 0), 1500, false), true);
  });

  it('waits until the delay is strictly exceeded', () => {
    assert.equal(shouldAbort(spec(true, 10_000), 9_999, false), false);
    assert.equal(shouldAbort(spec(true, 10_000), 10_000, false), false);
    assert.equal(shouldAbort(spec(true, 10_000), 10_001, false), true);
  });
});
