import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkAggregationAllowed } from '../../../src/metrics/thresholds/allowed.ts';
import { evaluateThreshold, type EvaluationPhase } from '../../../src/metrics/thresholds/evaluate.ts';
import { ThresholdAggregationError } from '../../../src/metrics/thresholds/errors.ts';
import { parseThreshold } from '../../../src/metrics/thresholds/parse.ts';
import type { Aggregation, ThresholdOp } from '../../../src/metrics/thresholds/types.ts';
import type { MetricType } from '../../../src/metrics/types.ts';
import { arrayView } from './array-view.ts';

const ALLOWED: Record<MetricType, string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value'],
};
const ALL = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value', 'p(N)'];
const TYPES: MetricType[] = ['trend', 'counter', 'rate', 'gauge'];

function run(expr: string, type: MetricType, samples: number[], phase: EvaluationPhase = 'final', span = 1) {
  return evaluateThreshold(parseThreshold(expr), arrayView(type, samples, span), phase);
}

describe('checkAggregationAllowed (k6 rules)', () => {
  for (const type of TYPES) {
    for (const agg of ALL) {
      const expr = `${agg === 'p(N)' ? 'p(90)' : agg}<1`;
      const allowed = ALLOWED[type].includes(agg);
      it(`${allowed ? 'allows' : 'refuses'} ${agg} on a ${type}`, () => {
        const call = () => checkAggregationAllowed(parseThreshold(expr), type, 'my_metric');
        if (allowed) {
          call();
          return;
        }
        assert.throws(call, (err: unknown) => {
          assert.ok(err instanceof ThresholdAggregationError);
          const shown = agg === 'p(N)' ? 'p(N)' : agg;
          assert.ok(err.message.includes(`threshold "${expr}" on my_metric (${type}): aggregation "${shown}"`), err.message);
          assert.ok(err.message.includes(`not available for ${type} metrics`), err.message);
          for (const ok of ALLOWED[type]) assert.ok(err.message.includes(ok), err.message);
          return true;
        });
      });
    }
  }

  it('words the example from the brief exactly', () => {
    assert.throws(() => checkAggregationAllowed(parseThreshold('rate<0.1'), 'trend', 'http_req_duration'), {
      message:
        'threshold "rate<0.1" on http_req_duration (trend): aggregation "rate" is not available for trend metrics; ' +
        'use avg, min, max, med or p(N)',
    });
  });

  it('evaluateThreshold refuses a wrong aggregation too', () => {
    assert.throws(() => run('value<1', 'trend', [1]), ThresholdAggregationError);
  });
});

describe('evaluateThreshold: examples', () => {
  const trend = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

  it('trend aggregations', () => {
    assert.deepEqual(run('avg<56', 'trend', trend), { ok: true, actual: 55, noData: false });
    assert.deepEqual(run('avg<55', 'trend', trend), { ok: false, actual: 55, noData: false });
    assert.deepEqual(run('min>=10', 'trend', trend), { ok: true, actual: 10, noData: false });
    assert.deepEqual(run('max>100', 'trend', trend), { ok: false, actual: 100, noData: false });
    assert.deepEqual(run('med==55', 'trend', trend), { ok: true, actual: 55, noData: false });
    assert.deepEqual(run('p(90)<=91', 'trend', trend), { ok: true, actual: 91, noData: false });
    assert.deepEqual(run('p(100)===100', 'trend', trend), { ok: true, actual: 100, noData: false });
    assert.deepEqual(run('p(0)!=10', 'trend', trend), { ok: false, actual: 10, noData: false });
  });

  it('counter count is the sum and rate is per second over the span', () => {
    assert.deepEqual(run('count>5', 'counter', [1, 1, 1, 3]), { ok: true, actual: 6, noData: false });
    assert.deepEqual(run('rate>=3', 'counter', [1, 1, 1, 3], 'final', 2), { ok: true, actual: 3, noData: false });
    assert.deepEqual(run('rate<3', 'counter', [1, 1, 1, 3], 'final', 2), { ok: false, actual: 3, noData: false });
  });

  it('rate metric rate is the share of non-zero samples', () => {
    assert.deepEqual(run('rate<0.5', 'rate', [1, 0, 0, 0]), { ok: true, actual: 0.25, noData: false });
    assert.deepEqual(run('rate>0.25', 'rate', [1, 0, 0, 0]), { ok: false, actual: 0.25, noData: false });
  });

  it('gauge value is the last value', () => {
    assert.deepEqual(run('value<10', 'gauge', [50, 3]), { ok: true, actual: 3, noData: false });
    assert.deepEqual(run('value>10', 'gauge', [3, 50]), { ok: true, actual: 50, noData: false });
  });

  it('every operator, on both sides of the limit', () => {
    const table: Array<[ThresholdOp, number, boolean]> = [
      ['<', 55, false],
      ['<', 56, true],
      ['<=', 55, true],
      ['<=', 54, false],
      ['>', 55, false],
      ['>', 54, true],
      ['>=', 55, true],
      ['>=', 56, false],
      ['==', 55, true],
      ['==', 54, false],
      ['===', 55, true],
      ['===', 56, false],
      ['!=', 55, false],
      ['!=', 54, true],
    ];
    for (const [op, value, ok] of table) {
      assert.equal(run(`avg${op}${value}`, 'trend', trend).ok, ok, `avg ${op} ${value}`);
    }
  });
});

describe('evaluateThreshold: metrics without samples (k6 semantics)', () => {
  it('while running, an empty metric passes with no data', () => {
    for (const [expr, type] of [
      ['p(95)<1', 'trend'],
      ['count>0', 'counter'],
      ['rate>0.9', 'rate'],
      ['value>1', 'gauge'],
    ] as const) {
      const r = run(expr, type, [], 'running');
      assert.equal(r.ok, true, expr);
      assert.equal(r.noData, true, expr);
      assert.ok(Number.isNaN(r.actual));
    }
  });

  it('at the end, empty trend/counter/gauge values are 0 (k6 sinks start at 0)', () => {
    assert.deepEqual(run('p(95)<200', 'trend', []), { ok: true, actual: 0, noData: false });
    assert.deepEqual(run('avg>0', 'trend', []), { ok: false, actual: 0, noData: false });
    assert.deepEqual(run('max<1', 'trend', []), { ok: true, actual: 0, noData: false });
    assert.deepEqual(run('count>0', 'counter', []), { ok: false, actual: 0, noData: false });
    assert.deepEqual(run('rate>0', 'counter', [], 'final', 10), { ok: false, actual: 0, noData: false });
    assert.deepEqual(run('value>0', 'gauge', []), { ok: false, actual: 0, noData: false });
  });

  it('at the end, an empty rate metric has no value and passes, as in k6', () => {
    const r = run('rate>0.99', 'rate', []);
    assert.equal(r.ok, true);
    assert.equal(r.noData, true);
  });

  it('a non-empty metric is judged the same in both phases', () => {
    assert.deepEqual(run('p(95)<1', 'trend', [5], 'running'), run('p(95)<1', 'trend', [5], 'final'));
  });
});

// ---- property: evaluate agrees with a direct computation over the raw samples ----

function percentileOf(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  return s[lo]! + (s[Math.ceil(rank)]! - s[lo]!) * (rank - lo);
}

/** Direct k6 semantics from raw samples; null = passes for lack of data. */
function direct(agg: Aggregation, type: MetricType, samples: number[], span: number, phase: EvaluationPhase): number | null {
  const n = samples.length;
  if (n === 0 && (phase === 'running' || type === 'rate')) return null;
  let total = 0;
  for (const v of samples) total += v;
  if (n === 0) return agg.kind === 'rate' ? 0 / span : 0;
  switch (agg.kind) {
    case 'avg':
      return total / n;
    case 'min':
      return Math.min(...samples);
    case 'max':
      return Math.max(...samples);
    case 'med':
      return percentileOf(samples, 50);
    case 'p':
      return percentileOf(samples, agg.p);
    case 'count':
      return total;
    case 'rate':
      return type === 'counter' ? total / span : samples.filter((v) => v !== 0).length / n;
    case 'value':
      return samples[n - 1]!;
  }
}

function holds(actual: number, op: ThresholdOp, value: number): boolean {
  if (op === '<') return actual < value;
  if (op === '<=') return actual <= value;
  if (op === '>') return actual > value;
  if (op === '>=') return actual >= value;
  if (op === '!=') return actual !== value;
  return actual === value;
}

const aggFor: Record<MetricType, fc.Arbitrary<Aggregation>> = {
  trend: fc.oneof(
    fc.constantFrom<Aggregation>({ kind: 'avg' }, { kind: 'min' }, { kind: 'max' }, { kind: 'med' }),
    fc.double({ min: 0, max: 100, noNaN: true }).map((p) => ({ kind: 'p' as const, p })),
  ),
  counter: fc.constantFrom<Aggregation>({ kind: 'count' }, { kind: 'rate' }),
  rate: fc.constant<Aggregation>({ kind: 'rate' }),
  gauge: fc.constant<Aggregation>({ kind: 'value' }),
};

// Counter samples are positive: an AggregateView holds a counter's sum, not its sample count.
const samplesFor: Record<MetricType, fc.Arbitrary<number[]>> = {
  trend: fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { maxLength: 60 }),
  counter: fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { maxLength: 60 }),
  rate: fc.array(fc.constantFrom(0, 1, 0, 1, 2, -1), { maxLength: 60 }),
  gauge: fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 60 }),
};

const scenario = fc.constantFrom(...TYPES).chain((type) =>
  fc.record({
    type: fc.constant(type),
    agg: aggFor[type],
    samples: samplesFor[type],
    span: fc.integer({ min: 1, max: 3600 }),
    phase: fc.constantFrom<EvaluationPhase>('running', 'final'),
    op: fc.constantFrom<ThresholdOp>('<', '<=', '>', '>=', '==', '===', '!='),
    // Sometimes the limit is exactly the actual value, so the equality edges are exercised.
    limit: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }),
  }),
);

describe('evaluateThreshold: properties', () => {
  it('agrees with a direct computation over random samples', () => {
    fc.assert(
      fc.property(scenario, ({ type, agg, samples, span, phase, op, limit }) => {
        const expected = direct(agg, type, samples, span, phase);
        const value = limit ?? (expected !== null && Number.isFinite(expected) ? expected : 0);
        const parsed = { source: 'generated', aggregation: agg, op, value, windowMs: null };
        const r = evaluateThreshold(parsed, arrayView(type, samples, span), phase);
        if (expected === null) {
          assert.deepEqual(r, { ok: true, actual: Number.NaN, noData: true });
        } else {
          assert.equal(r.noData, false);
          assert.equal(r.actual, expected);
          assert.equal(r.ok, holds(expected, op, value));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
