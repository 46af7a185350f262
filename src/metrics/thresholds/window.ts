// Sliding-window thresholds (`p(95)<300 over 30s`, our extension to k6) and the abortOnFail rule.
//
// The caller feeds one view per 1-second interval: the metric merged over the W seconds ending at that
// interval. The threshold fails — for good — if ANY full window breaches it. Rules:
// - Only full windows count: those ending at least W after the start (elapsedMs >= windowMs). The first
//   seconds of a run would otherwise be judged on a handful of samples.
// - A full window is a finished measurement, so it is judged like k6 judges the end of a test
//   ('final' phase): an empty window gives trend aggregations and counter counts of 0
//   (`count>0 over 10s` fails on a silent window), an empty rate metric passes.
// - A run shorter than W has no full window: `finish` then evaluates once on the whole run.

import type { ThresholdSpec } from '../../plan/types.ts';
import type { AggregateView } from '../types.ts';
import { evaluateThreshold, type ThresholdResult } from './evaluate.ts';
import type { ParsedThreshold } from './types.ts';

export interface WindowStep extends ThresholdResult {
  /** False when nothing was judged (window not yet full, or finish() after full windows). */
  evaluated: boolean;
}

/** Plain, serialisable state for the run record and reports. */
export interface WindowedThresholdState {
  source: string;
  windowMs: number;
  failed: boolean;
  windowsEvaluated: number;
  /** End (ms since start) of the first breaching window. */
  firstBreachMs: number | null;
  /** The value of the window furthest past (or, if none breached, closest to) the limit. */
  worstActual: number | null;
  worstAtMs: number | null;
  /** True when the run was shorter than the window and was judged whole. */
  judgedWholeRun: boolean;
}

const NOT_EVALUATED: WindowStep = { evaluated: false, ok: true, actual: Number.NaN, noData: false };

export class WindowedThreshold {
  readonly parsed: ParsedThreshold;
  readonly windowMs: number;
  #failed = false;
  #evaluated = 0;
  #firstBreachMs: number | null = null;
  #worstActual: number | null = null;
  #worstAtMs: number | null = null;
  #worstScore = Number.NEGATIVE_INFINITY;
  #judgedWholeRun = false;
  #lastElapsedMs = Number.NEGATIVE_INFINITY;

  constructor(parsed: ParsedThreshold) {
    if (parsed.windowMs === null) {
      throw new TypeError(`threshold ${JSON.stringify(parsed.source)} has no "over <duration>" window`);
    }
    this.parsed = parsed;
    this.windowMs = parsed.windowMs;
  }

  /** `view` covers the window ending at `elapsedMs` (ms since the test start, end of the interval). */
  observe(elapsedMs: number, view: AggregateView): WindowStep {
    if (!Number.isFinite(elapsedMs) || elapsedMs <= this.#lastElapsedMs) {
      throw new RangeError(
        `window of ${JSON.stringify(this.parsed.source)} fed at ${elapsedMs} ms after ${this.#lastElapsedMs} ms; ` +
          'intervals must be fed in increasing time',
      );
    }
    this.#lastElapsedMs = elapsedMs;
    if (elapsedMs < this.windowMs) return NOT_EVALUATED;
    return this.#judge(elapsedMs, view);
  }

  /** Call once at the end with the whole run; judges it only if no full window was ever seen. */
  finish(runMs: number, runView: AggregateView): WindowStep {
    if (this.#evaluated > 0) return NOT_EVALUATED;
    this.#judgedWholeRun = true;
    return this.#judge(runMs, runView);
  }

  get failed(): boolean {
    return this.#failed;
  }

  get firstBreachMs(): number | null {
    return this.#firstBreachMs;
  }

  get worstActual(): number | null {
    return this.#worstActual;
  }

  state(): WindowedThresholdState {
    return {
      source: this.parsed.source,
      windowMs: this.windowMs,
      failed: this.#failed,
      windowsEvaluated: this.#evaluated,
      firstBreachMs: this.#firstBreachMs,
      worstActual: this.#worstActual,
      worstAtMs: this.#worstAtMs,
      judgedWholeRun: this.#judgedWholeRun,
    };
  }

  #judge(atMs: number, view: AggregateView): WindowStep {
    const result = evaluateThreshold(this.parsed, view, 'final');
    this.#evaluated++;
    if (!result.ok) {
      this.#failed = true;
      this.#firstBreachMs ??= atMs;
    }
    if (!result.noData) {
      const score = badness(this.parsed, result.actual);
      if (score > this.#worstScore || this.#worstActual === null) {
        this.#worstScore = score;
        this.#worstActual = result.actual;
        this.#worstAtMs = atMs;
      }
    }
    return { evaluated: true, ...result };
  }
}

// How far past the limit a value is (positive = breach, larger = worse), to pick the worst window.
function badness(t: ParsedThreshold, actual: number): number {
  if (Number.isNaN(actual)) return t.op === '!=' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  switch (t.op) {
    case '<':
    case '<=':
      return actual - t.value;
    case '>':
    case '>=':
      return t.value - actual;
    case '==':
    case '===':
      return Math.abs(actual - t.value);
    case '!=':
      return -Math.abs(actual - t.value);
  }
}

/**
 * k6's abortOnFail rule (metrics/thresholds.go runAll): a failing threshold with abortOnFail stops the
 * test, unless delayAbortEval is set and not yet strictly exceeded by the time spent in the test.
 * delayAbortEvalMs 0 means "not set".
 */
export function shouldAbort(spec: ThresholdSpec, elapsedMs: number, ok: boolean): boolean {
  if (ok || !spec.abortOnFail) return false;
  return spec.delayAbortEvalMs <= 0 || elapsedMs > spec.delayAbortEvalMs;
}
