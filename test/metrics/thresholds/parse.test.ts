import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatThreshold, parseThreshold } from '../../../src/metrics/thresholds/parse.ts';
import { ThresholdSyntaxError } from '../../../src/metrics/thresholds/errors.ts';
import type { Aggregation, ParsedThreshold, ThresholdOp } from '../../../src/metrics/thresholds/types.ts';

const OPS: ThresholdOp[] = ['<', '<=', '>', '>=', '==', '===', '!='];
const KINDS = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value'] as const;

function parsed(source: string, aggregation: Aggregation, op: ThresholdOp, value: number, windowMs: number | null = null): ParsedThreshold {
  return { source, aggregation, op, value, windowMs };
}

function syntaxError(expr: string): ThresholdSyntaxError {
  try {
    parseThreshold(expr);
  } catch (err) {
    assert.ok(err instanceof ThresholdSyntaxError, `expected ThresholdSyntaxError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(expr)} to be rejected`);
}

describe('parseThreshold: examples', () => {
  it('reads every keyword aggregation with every operator', () => {
    for (const kind of KINDS) {
      for (const op of OPS) {
        assert.deepEqual(parseThreshold(`${kind}${op}42`), parsed(`${kind}${op}42`, { kind }, op, 42));
      }
    }
  });

  it('reads percentiles, including decimals and the bounds 0 and 100', () => {
    assert.deepEqual(parseThreshold('p(95)<200'), parsed('p(95)<200', { kind: 'p', p: 95 }, '<', 200));
    assert.deepEqual(parseThreshold('p(99.9)<=1000').aggregation, { kind: 'p', p: 99.9 });
    assert.deepEqual(parseThreshold('p(99.99)<1').aggregation, { kind: 'p', p: 99.99 });
    assert.deepEqual(parseThreshold('p(0)>1').aggregation, { kind: 'p', p: 0 });
    assert.deepEqual(parseThreshold('p(100)>1').aggregation, { kind: 'p', p: 100 });
  });

  it('reads values with decimals, signs and exponents', () => {
    assert.equal(parseThreshold('rate<0.01').value, 0.01);
    assert.equal(parseThreshold('avg>-5').value, -5);
    assert.equal(parseThreshold('avg>=-5').value, -5);
    assert.equal(parseThreshold('avg<+5').value, 5);
    assert.equal(parseThreshold('avg<.5').value, 0.5);
    assert.equal(parseThreshold('avg<5.').value, 5);
    assert.equal(parseThreshold('count>1e3').value, 1000);
    assert.equal(parseThreshold('count>2.5E-2').value, 0.025);
  });

  it('allows whitespace around and inside tokens, as k6 does around the operator', () => {
    const t = parseThreshold('  p( 95 ) <   200  ');
    assert.deepEqual(t, parsed('  p( 95 ) <   200  ', { kind: 'p', p: 95 }, '<', 200));
    assert.equal(parseThreshold('\tavg\t<=\t3\n').op, '<=');
  });

  it('keeps == and === apart as written', () => {
    assert.equal(parseThreshold('value==1').op, '==');
    assert.equal(parseThreshold('value===1').op, '===');
  });

  it('reads the `over <duration>` window in ms, s, m, h and combinations', () => {
    assert.equal(parseThreshold('p(95)<300 over 30s').windowMs, 30_000);
    assert.equal(parseThreshold('p(95)<300 over 5000ms').windowMs, 5_000);
    assert.equal(parseThreshold('p(95)<300 over 5m').windowMs, 300_000);
    assert.equal(parseThreshold('p(95)<300 over 1h').windowMs, 3_600_000);
    assert.equal(parseThreshold('p(95)<300 over 1m30s').windowMs, 90_000);
    assert.equal(parseThreshold('p(95)<300 over 1h2m3s').windowMs, 3_723_000);
    assert.equal(parseThreshold('p(95)<300 over 1.5m').windowMs, 90_000);
    assert.equal(parseThreshold('rate<0.01   over   10s  ').windowMs, 10_000);
    assert.equal(parseThreshold('p(95)<300').windowMs, null);
  });

  it('formatThreshold renders a canonical form that parses back', () => {
    const t = parseThreshold(' p( 99.9 ) <=  1e3 over 1m30s');
    assert.equal(formatThreshold(t), 'p(99.9)<=1000 over 90s');
    assert.deepEqual({ ...parseThreshold(formatThreshold(t)), source: t.source }, t);
  });
});

describe('parseThreshold: error messages', () => {
  const cases: Array<[expr: string, mentions: RegExp, position: number]> = [
    ['p(95<200', /expected "\)" after percentile at position 5/, 5],
    ['', /expression is empty/, 1],
    ['   ', /expression is empty/, 4],
    ['avg', /expected an operator .* found the end/, 4],
    ['avg 200', /expected an operator .* found "2"/, 5],
    ['avg <', /expected a number after the operator, found the end/, 6],
    ['avg < abc', /expected a number after the operator, found "a"/, 7],
    ['average<2', /unknown aggregation "average"/, 1],
    ['P(95)<2', /unknown aggregation "P".*lowercase/, 1],
    ['p95<2', /unknown aggregation "p95".*p\(95\)/, 1],
    ['p 95<2', /expected "\(" after "p"/, 3],
    ['p()<2', /expected a percentile number/, 3],
    ['p(101)<2', /percentile 101 is outside 0\.\.100/, 3],
    ['p(-1)<2', /percentile -1 is outside 0\.\.100/, 3],
    ['avg = 5', /"=" is not an operator.*use ==/, 5],
    ['avg=<5', /"=" is not an operator/, 4],
    ['avg =< 5', /"=" is not an operator/, 5],
    ['avg<1e999', /number 1e999 is out of range/, 5],
    ['p(95)<300ms', /unexpected "ms" after 300.*plain numbers/, 10],
    ['avg<5 foo', /unexpected "foo"/, 7],
    ['avg<5 over', /expected a duration/, 11],
    ['avg<5 over 30', /missing unit after "30"/, 14],
    ['avg<5 over 30x', /missing unit after "30"/, 14],
    ['avg<5 over 1.5s', /window 1\.5s is not a whole number of seconds/, 12],
    ['avg<5 over 500ms', /window 500ms is shorter than 1s/, 12],
    ['avg<5 over 0s', /window 0s is shorter than 1s/, 12],
    ['avg<5 over 30s extra', /unexpected "extra"/, 16],
    ['avg<5 && max<9', /unexpected "&& max<9"/, 7],
  ];
  for (const [expr, mentions, position] of cases) {
    it(`rejects ${JSON.stringify(expr)}`, () => {
      const err = syntaxError(expr);
      assert.match(err.message, mentions);
      assert.ok(err.message.startsWith(`threshold ${JSON.stringify(expr)}: `), err.message);
      assert.equal(err.position, position, err.message);
      assert.equal(err.expression, expr);
      assert.ok(!err.message.includes('\n'), 'one line');
    });
  }
});

// ---- property tests ----

const ws = fc.array(fc.constantFrom(' ', '\t', '\n', '\u00a0'), { maxLength: 3 }).map((a) => a.join(''));
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
const percentile = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.double({ min: 0, max: 100, noNaN: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.constantFrom(99.9, 99.99, 99.999),
);
const aggregation: fc.Arbitrary<Aggregation> = fc.oneof(
  fc.constantFrom(...KINDS).map((kind) => ({ kind })),
  percentile.map((p) => ({ kind: 'p' as const, p })),
);
const windowMs = fc.option(
  fc.integer({ min: 1, max: 200_000 }).map((s) => s * 1000),
  { nil: null },
);

/** A number in one of the spellings the grammar allows, all denoting exactly `n`. */
function numberText(n: number): fc.Arbitrary<string> {
  const forms = [fc.constant(String(n)), fc.constant(n.toExponential())];
  if (n > 0) forms.push(fc.constant(`+${n}`));
  if (Number.isInteger(n) && Math.abs(n) < 1e15) forms.push(fc.constant(`${n}.0`), fc.constant(`${n}.`));
  return fc.oneof(...forms);
}

function durationText(ms: number): fc.Arbitrary<string> {
  const s = ms / 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const hms = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec ? `${sec}s` : ''}`;
  const forms = [fc.constant(`${s}s`), fc.constant(`${ms}ms`), fc.constant(hms)];
  if (s % 60 === 0) forms.push(fc.constant(`${s / 60}m`));
  return fc.oneof(...forms);
}

const rendered = fc.record({ aggregation, op: fc.constantFrom(...OPS), value: finite, windowMs }).chain((x) => {
  const agg =
    x.aggregation.kind === 'p'
      ? fc.tuple(ws, ws, numberText(x.aggregation.p), ws).map(([a, b, p, c]) => `p${a}(${b}${p}${c})`)
      : fc.constant(x.aggregation.kind);
  const win = x.windowMs === null ? fc.constant('') : fc.tuple(ws, ws, durationText(x.windowMs)).map(([a, b, d]) => `${a}over${b}${d}`);
  return fc
    .tuple(ws, agg, ws, ws, numberText(x.value), win, ws)
    .map(([w0, a, w1, w2, v, o, w3]) => ({ x, text: `${w0}${a}${w1}${x.op}${w2}${v}${o}${w3}` }));
});

describe('parseThreshold: properties', () => {
  it('parse(render(x)) equals x for random valid thresholds and whitespace', () => {
    fc.assert(
      fc.property(rendered, ({ x, text }) => {
        assert.deepEqual(parseThreshold(text), { source: text, ...x });
      }),
      { numRuns: 2000 },
    );
  });

  it('formatThreshold(x) parses back to x', () => {
    fc.assert(
      fc.property(fc.record({ aggregation, op: fc.constantFrom(...OPS), value: finite, windowMs }), (x) => {
        const text = formatThreshold(x);
        assert.deepEqual(parseThreshold(text), { source: text, ...x });
      }),
      { numRuns: 1000 },
    );
  });

  const grammarish = fc
    .array(
      fc.constantFrom(
        ...'pavgminxedcoutrlv()<>=!.+-0123456789eE \tsmh{}'.split(''),
        'avg',
        'p(',
        'over',
        '<=',
        '==',
        '===',
        '1m',
        '30s',
        'ms',
      ),
      { maxLength: 24 },
    )
    .map((a) => a.join(''));

  it('random input either parses to a sane result or throws ThresholdSyntaxError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), grammarish), (text) => {
        let t: ParsedThreshold;
        try {
          t = parseThreshold(text);
        } catch (err) {
          assert.ok(err instanceof ThresholdSyntaxError, `unexpected ${String(err)}`);
          assert.ok(err.position >= 1 && err.position <= text.length + 1, err.message);
          assert.ok(err.message.startsWith(`threshold ${JSON.stringify(text)}: `));
          return;
        }
        assert.equal(t.source, text);
        assert.ok(Number.isFinite(t.value));
        assert.ok(OPS.includes(t.op));
        if (t.aggregation.kind === 'p') assert.ok(t.aggregation.p >= 0 && t.aggregation.p <= 100);
        if (t.windowMs !== null) assert.ok(t.windowMs >= 1000 && t.windowMs % 1000 === 0);
      }),
      { numRuns: 5000 },
    );
  });
});
