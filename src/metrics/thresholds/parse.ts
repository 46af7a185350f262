// Threshold expressions, k6 grammar plus a sliding window:
//
//   threshold   := ws* aggregation ws* op ws* number (ws* "over" ws* duration)? ws*
//   aggregation := "avg" | "min" | "max" | "med" | "count" | "rate" | "value" | "p" ws* "(" ws* number ws* ")"
//   op          := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="
//   number      := [+-]? (digits ("." digits?)? | "." digits) ([eE] [+-]? digits)?
//
// k6 (metrics/thresholds_parser.go) splits on the operator, trims spaces and reads both sides with
// strconv.ParseFloat, so every expression k6 accepts is accepted here. We are a little more lenient
// (spaces inside `p( 95 )`) and stricter where k6 is surprising: percentiles must lie in [0, 100],
// Inf/NaN/hex numbers are refused, and values must be finite.

import { scanDuration } from './duration.ts';
import { ThresholdSyntaxError } from './errors.ts';
import type { Aggregation, AggregationKind, ParsedThreshold, ThresholdOp } from './types.ts';

const KEYWORDS: ReadonlySet<string> = new Set<AggregationKind>(['avg', 'min', 'max', 'med', 'count', 'rate', 'value']);
// Longest first, so `<=` is not read as `<` followed by `=`.
const OPS: readonly ThresholdOp[] = ['===', '==', '!=', '<=', '>=', '<', '>'];
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const WS = /\s/;

const OP_LIST = '<, <=, >, >=, ==, ===, !=';
const AGG_LIST = 'avg, min, max, med, count, rate, value or p(N)';

/** Parses one threshold expression; throws ThresholdSyntaxError naming the problem and its position. */
export function parseThreshold(expr: string): ParsedThreshold {
  return new Scanner(expr).threshold();
}

/** Renders a parsed threshold in canonical form (`p(95)<300 over 30s`); parsing it gives the same threshold. */
export function formatThreshold(t: Omit<ParsedThreshold, 'source'>): string {
  const agg = t.aggregation.kind === 'p' ? `p(${t.aggregation.p})` : t.aggregation.kind;
  const window = t.windowMs === null ? '' : ` over ${formatWindow(t.windowMs)}`;
  return `${agg}${t.op}${t.value}${window}`;
}

function formatWindow(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

class Scanner {
  readonly src: string;
  i = 0;

  constructor(src: string) {
    this.src = src;
  }

  threshold(): ParsedThreshold {
    if (typeof this.src !== 'string') {
      throw new ThresholdSyntaxError(String(this.src), 'expression must be a string', 1);
    }
    this.skipWs();
    if (this.atEnd()) this.fail('expression is empty', this.i, 'expected e.g. "p(95)<200" or "rate<0.01"');
    const aggregation = this.aggregation();
    this.skipWs();
    const op = this.op();
    this.skipWs();
    const value = this.number('a number after the operator', true);
    this.skipWs();
    const windowMs = this.window();
    this.skipWs();
    if (!this.atEnd()) this.fail(`unexpected ${this.quoteRest()}`, this.i, 'expected the end or "over <duration>"');
    return { source: this.src, aggregation, op, value, windowMs };
  }

  aggregation(): Aggregation {
    const start = this.i;
    const word = this.match(WORD);
    if (word === null) this.fail(`expected an aggregation (${AGG_LIST}), found ${this.quoteChar()}`);
    if (KEYWORDS.has(word)) return { kind: word as AggregationKind };
    if (word !== 'p') {
      const hint = /^p\d/.test(word)
        ? 'percentiles are written p(95)'
        : KEYWORDS.has(word.toLowerCase()) || word === 'P'
          ? `aggregations are lowercase: ${AGG_LIST}`
          : `expected ${AGG_LIST}`;
      this.fail(`unknown aggregation "${word}"`, start, hint);
    }
    this.skipWs();
    if (!this.eat('(')) this.fail('expected "(" after "p"', this.i, 'percentiles are written p(95)');
    this.skipWs();
    const pStart = this.i;
    const p = this.number('a percentile number such as 95 or 99.9', false);
    if (p < 0 || p > 100) this.fail(`percentile ${p} is outside 0..100`, pStart);
    this.skipWs();
    if (!this.eat(')')) this.fail('expected ")" after percentile');
    return { kind: 'p', p };
  }

  op(): ThresholdOp {
    for (const op of OPS) {
      if (this.src.startsWith(op, this.i)) {
        this.i += op.length;
        return op;
      }
    }
    if (this.src[this.i] === '=') this.fail('"=" is not an operator', this.i, 'use == for equality');
    this.fail(`expected an operator (${OP_LIST}), found ${this.quoteChar()}`);
  }

  number(what: string, isValue: boolean): number {
    const start = this.i;
    const text = this.match(NUMBER);
    if (text === null) this.fail(`expected ${what}, found ${this.quoteChar()}`);
    const n = Number(text);
    if (!Number.isFinite(n)) this.fail(`number ${text} is out of range`, start);
    // A unit glued to the value (`p(95)<300ms`) is a common slip: thresholds compare plain numbers.
    if (isValue && /[A-Za-z]/.test(this.src[this.i] ?? '') && !this.src.startsWith('over', this.i)) {
      this.fail(`unexpected ${this.quoteRest()} after ${text}`, this.i, 'values are plain numbers (trend values are in ms)');
    }
    return n;
  }

  window(): number | null {
    if (!this.src.startsWith('over', this.i)) return null;
    this.i += 'over'.length;
    this.skipWs();
    const start = this.i;
    const d = scanDuration(this.src, this.i);
    if (!d.ok) this.fail(d.problem, d.at, d.hint);
    this.i = d.end;
    if (d.ms < 1000 || d.ms % 1000 !== 0) {
      const text = this.src.slice(start, d.end);
      const problem = d.ms < 1000 ? `window ${text} is shorter than 1s` : `window ${text} is not a whole number of seconds`;
      this.fail(problem, start, 'windows advance in 1-second steps');
    }
    return d.ms;
  }

  match(re: RegExp): string | null {
    re.lastIndex = this.i;
    const m = re.exec(this.src);
    if (m === null) return null;
    this.i += m[0].length;
    return m[0];
  }

  eat(ch: string): boolean {
    if (this.src[this.i] !== ch) return false;
    this.i++;
    return true;
  }

  skipWs(): void {
    while (this.i < this.src.length && WS.test(this.src[this.i]!)) this.i++;
  }

  atEnd(): boolean {
    return this.i >= this.src.length;
  }

  quoteChar(): string {
    return this.atEnd() ? 'the end of the expression' : JSON.stringify(this.src[this.i]);
  }

  quoteRest(): string {
    const rest = this.src.slice(this.i);
    return JSON.stringify(rest.length > 20 ? `${rest.slice(0, 20)}…` : rest);
  }

  fail(problem: string, at: number = this.i, hint?: string): never {
    throw new ThresholdSyntaxError(this.src, problem, at + 1, hint);
  }
}
