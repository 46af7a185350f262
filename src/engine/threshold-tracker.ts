// Follows every threshold of a plan through a run: whole-run thresholds are evaluated on the
// running totals each second (for abortOnFail) and at the end; `over W` thresholds keep a ring of
// the last W one-second aggregates of their selector and judge each full window as it completes.
import type { Plan, ThresholdSpec } from '../plan/types.ts';
import type { ThresholdOutcome } from '../record/run-record.ts';
import { Accumulator } from '../metrics/accumulator.ts';
import type { RunAggregate, TotalSeries } from './run-aggregate.ts';
import { tagsMatch } from '../metrics/tags.ts';
import { BUILTIN_METRICS } from '../metrics/catalog.ts';
import { declaredCustomMetrics } from '../metrics/declared-metrics.ts';
import {
  checkAggregationAllowed,
  evaluateThreshold,
  parseMetricSelector,
  parseThreshold,
  shouldAbort,
  UnknownMetricError,
  WindowedThreshold,
} from '../metrics/thresholds/index.ts';
import type { MetricSelector } from '../metrics/thresholds/index.ts';
import type { ParsedThreshold } from '../metrics/thresholds/types.ts';
import { hasNoData, judgeNoData } from '../metrics/thresholds/no-data.ts';
import type { MetricType } from '../metrics/types.ts';
import { suggest } from '../plan/suggest.ts';

export interface ThresholdTrackerOptions {
  /**
   * k6 semantics (an unchanged k6 script): a threshold whose metric got no data passes, as in k6, and
   * its outcome carries a note the summary prints as a warning. Default: the plan's `k6Semantics`.
   */
  k6Semantics?: boolean;
}

interface Tracked {
  selectorText: string;
  selector: MetricSelector;
  spec: ThresholdSpec;
  parsed: ParsedThreshold;
  window: WindowedThreshold | null;
  ring: Accumulator[];
  lastOk: boolean;
  lastActual: number;
  aborted: boolean;
}

/** Parse every threshold up front, so a typo fails the run before any load is sent. */
export function parsePlanThresholds(
  plan: Plan,
): Array<{ selectorText: string; selector: MetricSelector; spec: ThresholdSpec; parsed: ParsedThreshold }> {
  const out = [];
  for (const [selectorText, specs] of Object.entries(plan.thresholds)) {
    const selector = parseMetricSelector(selectorText);
    for (const spec of specs) out.push({ selectorText, selector, spec, parsed: parseThreshold(spec.expression) });
  }
  return out;
}

export class ThresholdTracker {
  private readonly items: Tracked[];
  /** Set when an abortOnFail threshold failed: the selector and expression. */
  abortReason: string | null = null;

  private readonly k6Semantics: boolean;

  constructor(plan: Plan, options: ThresholdTrackerOptions = {}) {
    this.k6Semantics = options.k6Semantics ?? plan.k6Semantics ?? false;
    this.items = parsePlanThresholds(plan).map((t) => ({
      ...t,
      window: t.parsed.windowMs === null ? null : new WindowedThreshold(t.parsed),
      ring: [],
      lastOk: true,
      lastActual: NaN,
      aborted: false,
    }));
  }

  get size(): number {
    return this.items.length;
  }

  /** Called once per merged interval. Returns true when the run must abort. */
  onInterval(index: number, interval: Map<string, TotalSeries>, agg: RunAggregate): boolean {
    const elapsedMs = (index + 1) * 1000;
    for (const t of this.items) {
      let ok = true;
      if (t.window) {
        const acc = selectFrom(interval.values(), t.selector, t.parsed);
        t.ring.push(acc);
        const seconds = t.window.windowMs / 1000;
        if (t.ring.length > seconds) t.ring.shift();
        const view = new Accumulator(acc.type);
        for (const a of t.ring) view.merge(a, false);
        view.spanSeconds = t.ring.length;
        ok = t.window.observe(elapsedMs, view).ok;
        if (t.window.failed) ok = false;
      } else {
        const acc = agg.select(t.selector.metric, t.selector.tags);
        if (acc) {
          acc.spanSeconds = elapsedMs / 1000;
          const r = evaluateThreshold(t.parsed, acc, 'running');
          ok = r.ok;
          t.lastActual = r.actual;
        }
      }
      t.lastOk = ok;
      if (!this.abortReason && shouldAbort(t.spec, elapsedMs, ok)) {
        t.aborted = true;
        this.abortReason = `threshold ${t.selectorText}: ${t.spec.expression} failed (abortOnFail)`;
      }
    }
    return this.abortReason !== null;
  }

  /** Final verdicts over the whole run. */
  finish(agg: RunAggregate, runMs: number): ThresholdOutcome[] {
    return this.items.map((t) => {
      const acc = agg.select(t.selector.metric, t.selector.tags) ?? emptyFor(t.parsed);
      acc.spanSeconds = Math.max(runMs, 1) / 1000;
      let ok: boolean;
      let actual: number;
      let firstBreach: number | null = null;
      const anyTagged =
        Object.keys(t.selector.tags).length === 0 || [...agg.totals.values()].some((s) => tagsMatch(s.tags, t.selector.tags));
      if (hasNoData(acc.type as MetricType, acc.count, anyTagged)) {
        const verdict = judgeNoData(t.selectorText, anyTagged, { allowEmpty: t.spec.allowEmpty === true, k6Semantics: this.k6Semantics });
        return {
          selector: t.selectorText,
          expression: t.spec.expression,
          ok: verdict.ok,
          actual: null,
          abortOnFail: t.spec.abortOnFail,
          firstBreachSeconds: null,
          aborted: t.aborted,
          noData: true,
          note: verdict.note,
        };
      }
      if (t.window) {
        t.window.finish(runMs, acc);
        ok = !t.window.failed;
        actual = t.window.worstActual ?? NaN;
        firstBreach = t.window.firstBreachMs === null ? null : t.window.firstBreachMs / 1000;
      } else {
        const r = evaluateThreshold(t.parsed, acc, 'final');
        ok = r.ok;
        actual = r.actual;
      }
      return {
        selector: t.selectorText,
        expression: t.spec.expression,
        ok,
        actual: Number.isFinite(actual) ? actual : null,
        abortOnFail: t.spec.abortOnFail,
        firstBreachSeconds: firstBreach,
        aborted: t.aborted,
      };
    });
  }
}

function selectFrom(series: Iterable<TotalSeries>, sel: MetricSelector, parsed: ParsedThreshold): Accumulator {
  let acc: Accumulator | null = null;
  for (const s of series) {
    if (s.metric !== sel.metric || !tagsMatch(s.tags, sel.tags)) continue;
    if (!acc) acc = new Accumulator(s.acc.type);
    acc.merge(s.acc, s.acc.type === 'gauge');
  }
  return acc ?? emptyFor(parsed);
}

/** An empty aggregate of the type the aggregation implies (a metric that never got a sample). */
function emptyFor(parsed: ParsedThreshold): Accumulator {
  const k = parsed.aggregation.kind;
  return new Accumulator(k === 'rate' ? 'rate' : k === 'count' ? 'counter' : k === 'value' ? 'gauge' : 'trend');
}

/** Thresholds on a metric no run produces, or whose aggregation does not fit it (p(95) of a counter…): bad input before any load. */
export function checkPlanThresholds(plan: Plan): void {
  const known = knownMetrics(plan);
  for (const t of parsePlanThresholds(plan)) {
    const metric = t.selector.metric;
    const type = known.get(metric);
    // A typo (http_req_durashun) would otherwise never get data, and never fail.
    if (type === undefined) throw new UnknownMetricError(metric, t.selectorText, suggest(metric, known.keys()));
    checkAggregationAllowed(t.parsed, type, metric);
  }
}

/** The metric names a plan's run can produce: the built-in ones, plus a script's custom metrics
 *  (created by its init code when the plan loader imported it). */
export function knownMetrics(plan: Plan): Map<string, MetricType> {
  const known = new Map<string, MetricType>();
  for (const [name, def] of BUILTIN_METRICS) known.set(name, def.type);
  if (plan.scriptPath) for (const [name, type] of declaredCustomMetrics()) if (!known.has(name)) known.set(name, type);
  return known;
}
