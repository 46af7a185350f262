// Baselines and regressions (ASSESSMENT-RULES.md §4): a current run against a baseline, metric by metric, each in
// the direction that is worse for it. A change counts only when it is both larger than its threshold
// and statistically significant; the comparison shows the confidence either way.
//
// Method, per metric:
// - the whole-run statistic of each record (p95 from the merged HDR histogram, requests / duration,
//   failed / judged requests) gives the change reported;
// - the per-second values of the complete seconds (that second's p95, req/s, error rate) are the
//   observations for a two-sided Mann–Whitney U test: significant when p < alpha;
// - a block bootstrap over seconds (seconds — or blocks of consecutive seconds past MAX_BLOCKS —
//   resampled with replacement, the whole-run statistic recomputed from them) gives the confidence
//   interval of the relative change. Percentiles of resampled seconds come from their per-second
//   summaries (see IntervalMixture), so the interval is re-anchored multiplicatively on the exact
//   whole-run change.
import { InputError } from '../errors.ts';
import {
  COMPARISON_SCHEMA,
  type Comparison,
  type ComparedRecord,
  type MetricComparison,
  type RegressionSeverity,
  type RegressionThresholds,
} from '../record/comparison.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { RunRecord } from '../record/run-record.ts';
import { selectMetric } from '../record/select.ts';
import { targetProbesOf } from '../record/target-probes.ts';
import { targetResourceSeries } from './target-resources.ts';
import { blocksOf, completeSeconds, IntervalMixture, indexes, MAX_BLOCKS, weightsOf, type SecondFigures } from './compare-samples.ts';
import { bootstrapCI, mannWhitneyU, mean, relativeChange } from './stats.ts';
import { signedPercent } from './format.ts';

/** Least to most severe. */
export const REGRESSION_SEVERITIES: readonly RegressionSeverity[] = ['low', 'medium', 'high', 'critical'];

/** Bad options or records that cannot be compared: the CLI reports the message and exits 2. */
export class CompareError extends InputError {
  override name = 'CompareError';
}

export const DEFAULT_REGRESSION_THRESHOLDS: Readonly<RegressionThresholds> = {
  responseTime: 0.15,
  throughput: 0.1,
  errorRate: 0.05,
  errorRateMinIncrease: 0.001,
  cpu: 0.25,
  memory: 0.2,
};

/**
 * Resource usage of the target per second, as a probe records it under `run.probes.resources`:
 * `{ cpu?: number[] (share of one core per second), memoryBytes?: number[] (RSS per second) }`.
 */
export interface ResourceSeries {
  cpu?: number[];
  memoryBytes?: number[];
}

export interface CompareOptions {
  thresholds?: Partial<RegressionThresholds>;
  /** Significance level of the Mann–Whitney test (default 0.05). */
  alpha?: number;
  /** Coverage of the bootstrap intervals (default 0.95). */
  confidence?: number;
  /** Bootstrap resamples per metric (default 2000). */
  iterations?: number;
  /** Bootstrap seed: the same records and seed give the same intervals (default 1). */
  seed?: number;
  /** The response-time metric (default http_req_duration; http_req_latency includes queueing). */
  latencyMetric?: string;
  /** Response-time percentiles compared, among 50, 90, 95, 99 (default [50, 95, 99]). */
  percentiles?: number[];
  /**
   * Leading seconds of each run left out (connection set-up, JIT warm-up, ramp-up), as wrk2 leaves
   * out its calibration. Default 0: the whole-run figures are then exact (from the run's histograms);
   * with a warm-up they come from the remaining seconds' summaries (percentiles approximate).
   */
  warmupSeconds?: number;
  /** Where a run's resource samples are (default: run.probes.resources, else the assessment's target probes; see ResourceSeries). */
  readResources?: (run: RunRecord, record: RunRecord | AssessmentRecord) => ResourceSeries | null;
}

/** ASSESSMENT-RULES.md §4: > 3× the threshold critical, > 2× high, > 1.5× medium, else low. */
export function severityForOvershoot(timesThreshold: number): RegressionSeverity {
  if (timesThreshold > 3) return 'critical';
  if (timesThreshold > 2) return 'high';
  if (timesThreshold > 1.5) return 'medium';
  return 'low';
}

export function severityRank(s: RegressionSeverity): number {
  return REGRESSION_SEVERITIES.indexOf(s);
}

/** Regressions at or above `failOn` (the gate of `compare --fail-on` and `assess --baseline`). */
export function regressionsAtOrAbove(c: Comparison, failOn: RegressionSeverity): MetricComparison[] {
  return c.metrics.filter((m) => m.verdict === 'regression' && m.severity !== null && severityRank(m.severity) >= severityRank(failOn));
}

/** The run a record stands for: a run itself, or an assessment's baseline phase (else its first). */
export function comparedRun(record: RunRecord | AssessmentRecord): { run: RunRecord; ref: ComparedRecord } {
  if (record.kind === 'run') {
    return {
      run: record,
      ref: {
        id: record.id,
        kind: 'run',
        target: record.plan.source,
        startedAt: record.startedAt,
        status: record.status,
        phase: null,
        durationMs: record.durationMs,
      },
    };
  }
  if (record.kind !== 'assess' || !Array.isArray(record.phases))
    throw new CompareError(`record ${String((record as { id?: unknown }).id)}: neither a run nor an assessment`);
  const phase = record.phases.find((p) => p.name === 'baseline') ?? record.phases[0];
  if (!phase) throw new CompareError(`assessment ${record.id} has no phase to compare`);
  return {
    run: phase.run,
    ref: {
      id: record.id,
      kind: 'assess',
      target: record.target,
      startedAt: record.startedAt,
      status: record.status,
      phase: phase.name,
      durationMs: phase.run.durationMs,
    },
  };
}

/**
 * A run's own resource series, else — for an assessment or a profile — the target's /proc samples of
 * its measured window (the same samples the record's CPU and memory figures come from; "not measured
 * in either run" was said of profiled runs that had them).
 */
function defaultResources(run: RunRecord, record: RunRecord | AssessmentRecord): ResourceSeries | null {
  const r = run.probes?.resources as ResourceSeries | undefined;
  if (!r || typeof r !== 'object') return record.kind === 'assess' ? targetResourceSeries(targetProbesOf(record)) : null;
  const ok = (xs: unknown): xs is number[] =>
    Array.isArray(xs) && xs.length > 0 && xs.every((x) => typeof x === 'number' && Number.isFinite(x));
  const out: ResourceSeries = {};
  if (ok(r.cpu)) out.cpu = r.cpu;
  if (ok(r.memoryBytes)) out.memoryBytes = r.memoryBytes;
  return out.cpu || out.memoryBytes ? out : null;
}

function trimResources(r: ResourceSeries | null, warmupSeconds: number): ResourceSeries | null {
  if (!r || warmupSeconds === 0) return r;
  const out: ResourceSeries = {};
  if (r.cpu && r.cpu.length > warmupSeconds) out.cpu = r.cpu.slice(warmupSeconds);
  if (r.memoryBytes && r.memoryBytes.length > warmupSeconds) out.memoryBytes = r.memoryBytes.slice(warmupSeconds);
  return out.cpu || out.memoryBytes ? out : null;
}

/** One record's side of the comparison. */
interface Side {
  run: RunRecord;
  seconds: SecondFigures[];
  resources: ResourceSeries | null;
}

/**
 * How to measure one metric on both sides at once: the bootstrap resamples index lists over the
 * baseline's observations (0..nA−1) followed by the current's (nA..nA+nB−1), so one statistic
 * function serves both samples.
 */
interface MetricPlan {
  id: string;
  label: string;
  unit: MetricComparison['unit'];
  worseWhen: 'up' | 'down';
  threshold: number;
  minAbsoluteChange?: number;
  whole: [number | null, number | null];
  perSecond: [number[], number[]];
  /** Observations per side for the bootstrap, and the statistic of a resampled index list. */
  blocks: [number, number];
  blockStat: (idx: readonly number[]) => number;
}

/** A metric's regression limit as the reports print it: "+10 %" (worse when it rises) or "−10 %". */
export function limitText(p: { worseWhen: 'up' | 'down'; threshold: number }): string {
  return `${p.worseWhen === 'up' ? '+' : '−'}${(p.threshold * 100).toFixed(0)} %`;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export function compareRecords(
  baselineRecord: RunRecord | AssessmentRecord,
  currentRecord: RunRecord | AssessmentRecord,
  opts: CompareOptions = {},
): Comparison {
  const settings = resolveSettings(opts);
  const base = comparedRun(baselineRecord);
  const cur = comparedRun(currentRecord);
  const readResources = opts.readResources ?? defaultResources;
  const pairs: Array<[RunRecord, RunRecord | AssessmentRecord]> = [
    [base.run, baselineRecord],
    [cur.run, currentRecord],
  ];
  const sides: [Side, Side] = pairs.map(([run, record]) => ({
    run,
    seconds: completeSeconds(run, settings.latencyMetric, settings.warmupSeconds),
    resources: trimResources(readResources(run, record), settings.warmupSeconds),
  })) as [Side, Side];
  const notes = caveats(sides, base.ref, cur.ref);
  if (settings.warmupSeconds > 0) {
    notes.push(
      `The first ${settings.warmupSeconds} s of each run are left out as warm-up; the figures come from the remaining seconds ` +
        `(percentiles from per-second summaries, approximate).`,
    );
  }

  const plans: MetricPlan[] = [];
  for (const p of opts.percentiles ?? [50, 95, 99]) plans.push(latencyPlan(sides, p, settings));
  plans.push(throughputPlan(sides, settings.thresholds.throughput, settings.warmupSeconds > 0));
  plans.push(errorRatePlan(sides, settings.thresholds, settings.warmupSeconds > 0));
  plans.push(...resourcePlans(sides, settings.thresholds, notes));

  const metrics = plans.map((p) => evaluate(p, settings));
  for (const m of metrics) if (m.verdict === 'skipped') notes.push(`${m.label}: ${m.reason}`);
  const regressions = metrics.filter((m) => m.verdict === 'regression');
  const improvements = metrics.filter((m) => m.verdict === 'improvement');
  let worst: RegressionSeverity | null = null;
  for (const m of regressions) if (worst === null || severityRank(m.severity!) > severityRank(worst)) worst = m.severity;
  return {
    schema: COMPARISON_SCHEMA,
    baseline: base.ref,
    current: cur.ref,
    settings,
    metrics,
    regressions: regressions.length,
    improvements: improvements.length,
    worstSeverity: worst,
    verdict: regressions.length ? 'regressed' : improvements.length ? 'improved' : 'unchanged',
    notes,
  };
}

function resolveSettings(opts: CompareOptions): Comparison['settings'] {
  const thresholds = { ...DEFAULT_REGRESSION_THRESHOLDS, ...opts.thresholds };
  for (const [k, v] of Object.entries(thresholds)) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))
      throw new CompareError(`regression threshold ${k}: expected a number > 0 (a share: 0.15 = 15 %), got ${JSON.stringify(v)}`);
  }
  const alpha = opts.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new CompareError(`alpha: expected a number between 0 and 1, got ${alpha}`);
  const confidence = opts.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new CompareError(`confidence: expected a number between 0 and 1, got ${confidence}`);
  const iterations = opts.iterations ?? 2000;
  if (!Number.isInteger(iterations) || iterations < 1) throw new CompareError(`iterations: expected a whole number ≥ 1, got ${iterations}`);
  for (const p of opts.percentiles ?? []) {
    if (![50, 90, 95, 99].includes(p)) throw new CompareError(`percentile ${p}: only 50, 90, 95 and 99 are kept per second`);
  }
  const warmupSeconds = opts.warmupSeconds ?? 0;
  if (!Number.isInteger(warmupSeconds) || warmupSeconds < 0)
    throw new CompareError(`warm-up: expected a whole number of seconds ≥ 0, got ${warmupSeconds}`);
  return {
    alpha,
    confidence,
    iterations,
    seed: opts.seed ?? 1,
    latencyMetric: opts.latencyMetric ?? 'http_req_duration',
    warmupSeconds,
    thresholds,
  };
}

function latencyPlan(sides: [Side, Side], p: number, s: Comparison['settings']): MetricPlan {
  const q = p / 100;
  const withLatency = sides.map((side) => side.seconds.filter((f) => f.latency.length > 0)) as [SecondFigures[], SecondFigures[]];
  const whole = sides.map((side, i) => {
    if (s.warmupSeconds > 0) {
      const v = new IntervalMixture([withLatency[i]!.flatMap((f) => f.latency)]).quantile(q, [1]);
      return Number.isNaN(v) ? null : v;
    }
    const acc = selectMetric(side.run, s.latencyMetric);
    return acc && acc.count > 0 ? acc.percentile(p) : null;
  }) as [number | null, number | null];
  const perSecond = withLatency.map((secs) => secs.map((f) => new IntervalMixture([f.latency]).quantile(q, [1]))) as [number[], number[]];
  const blocks = withLatency.map((secs) => blocksOf(secs)) as [SecondFigures[], SecondFigures[]];
  const mixture = new IntervalMixture([...blocks[0], ...blocks[1]].map((f) => f.latency));
  const n = blocks[0].length + blocks[1].length;
  return {
    id: `latency_p${p}`,
    label: `response time p${p}`,
    unit: 'ms',
    worseWhen: 'up',
    threshold: s.thresholds.responseTime,
    whole,
    perSecond,
    blocks: [blocks[0].length, blocks[1].length],
    blockStat: (idx) => mixture.quantile(q, weightsOf(idx, n)),
  };
}

function throughputPlan(sides: [Side, Side], threshold: number, fromSeconds: boolean): MetricPlan {
  const whole = sides.map((side) => {
    if (fromSeconds) {
      const t = side.seconds.reduce((n, f) => n + f.seconds, 0);
      return t > 0 ? side.seconds.reduce((n, f) => n + f.requests, 0) / t : null;
    }
    const reqs = selectMetric(side.run, 'http_reqs');
    return reqs ? reqs.sum / (Math.max(side.run.durationMs, 1) / 1000) : null;
  }) as [number | null, number | null];
  const blocks = sides.map((side) => blocksOf(side.seconds)) as [SecondFigures[], SecondFigures[]];
  const all = [...blocks[0], ...blocks[1]];
  return {
    id: 'throughput',
    label: 'throughput',
    unit: 'req/s',
    worseWhen: 'down',
    threshold,
    whole,
    perSecond: sides.map((side) => side.seconds.map((f) => f.requests / f.seconds)) as [number[], number[]],
    blocks: [blocks[0].length, blocks[1].length],
    blockStat: ratioOfSums(
      all,
      (f) => f.requests,
      (f) => f.seconds,
    ),
  };
}

/** A resample's statistic that is a ratio of totals (requests per second, failed per judged): Σ num / Σ den over its blocks. */
function ratioOfSums<T>(all: readonly T[], num: (x: T) => number, den: (x: T) => number): (idx: readonly number[]) => number {
  return (idx) => {
    let n = 0;
    let d = 0;
    for (const i of idx) {
      n += num(all[i]!);
      d += den(all[i]!);
    }
    return n / d;
  };
}

function errorRatePlan(sides: [Side, Side], t: RegressionThresholds, fromSeconds: boolean): MetricPlan {
  const whole = sides.map((side) => {
    if (fromSeconds) {
      const n = side.seconds.reduce((x, f) => x + f.judged, 0);
      return n > 0 ? side.seconds.reduce((x, f) => x + f.failed, 0) / n : null;
    }
    const f = selectMetric(side.run, 'http_req_failed');
    return f && f.count > 0 ? f.sum / f.count : null;
  }) as [number | null, number | null];
  const judged = sides.map((side) => side.seconds.filter((f) => f.judged > 0)) as [SecondFigures[], SecondFigures[]];
  const blocks = judged.map((secs) => blocksOf(secs)) as [SecondFigures[], SecondFigures[]];
  const all = [...blocks[0], ...blocks[1]];
  return {
    id: 'error_rate',
    label: 'error rate',
    unit: 'ratio',
    worseWhen: 'up',
    threshold: t.errorRate,
    minAbsoluteChange: t.errorRateMinIncrease,
    whole,
    perSecond: judged.map((secs) => secs.map((f) => f.failed / f.judged)) as [number[], number[]],
    blocks: [blocks[0].length, blocks[1].length],
    blockStat: ratioOfSums(
      all,
      (f) => f.failed,
      (f) => f.judged,
    ),
  };
}

function resourcePlans(sides: [Side, Side], t: RegressionThresholds, notes: string[]): MetricPlan[] {
  const out: MetricPlan[] = [];
  const kinds = [
    { key: 'cpu', id: 'cpu', label: 'CPU (mean)', unit: 'cores', threshold: t.cpu },
    { key: 'memoryBytes', id: 'memory', label: 'memory (mean)', unit: 'bytes', threshold: t.memory },
  ] as const;
  for (const k of kinds) {
    const a = sides[0].resources?.[k.key];
    const b = sides[1].resources?.[k.key];
    if (!a || !b) {
      const which = !a && !b ? 'either run' : !a ? 'the baseline' : 'the current run';
      notes.push(`${k.label}: not measured in ${which} (no resource probe data): not compared.`);
      continue;
    }
    // Blocks of consecutive samples as for the other metrics: [sum, count] each.
    const block = (xs: number[]) => {
      const size = Math.ceil(xs.length / MAX_BLOCKS);
      const out: Array<[number, number]> = [];
      for (let i = 0; i < xs.length; i += size) {
        const part = xs.slice(i, i + size);
        out.push([part.reduce((x, y) => x + y, 0), part.length]);
      }
      return out;
    };
    const ba = block(a);
    const bb = block(b);
    const all = [...ba, ...bb];
    out.push({
      id: k.id,
      label: k.label,
      unit: k.unit,
      worseWhen: 'up',
      threshold: k.threshold,
      whole: [mean(a), mean(b)],
      perSecond: [a, b],
      blocks: [ba.length, bb.length],
      blockStat: ratioOfSums(
        all,
        (x) => x[0],
        (x) => x[1],
      ),
    });
  }
  return out;
}

function evaluate(p: MetricPlan, s: Comparison['settings']): MetricComparison {
  const [b, c] = p.whole;
  const row: MetricComparison = {
    id: p.id,
    label: p.label,
    unit: p.unit,
    worseWhen: p.worseWhen,
    baseline: b,
    current: c,
    change: null,
    threshold: p.threshold,
    pValue: null,
    test: null,
    significant: false,
    ci: null,
    samples: { baseline: p.perSecond[0].length, current: p.perSecond[1].length },
    verdict: 'skipped',
    severity: null,
    reason: '',
  };
  if (b === null || c === null) {
    row.reason = `no data in ${b === null && c === null ? 'either run' : b === null ? 'the baseline' : 'the current run'}.`;
    return row;
  }
  const change = relativeChange(b, c);
  if (!Number.isFinite(change) && p.minAbsoluteChange === undefined) {
    row.reason = 'the baseline value is 0: no relative change to judge.';
    return row;
  }
  row.change = finiteOrNull(change);

  if (row.samples.baseline > 0 && row.samples.current > 0) {
    const mw = mannWhitneyU(p.perSecond[0], p.perSecond[1]);
    row.pValue = mw.p;
    row.test = mw.method === 'exact' ? 'mann-whitney-exact' : 'mann-whitney-normal';
    row.significant = mw.p < s.alpha;
  }
  // From a baseline of 0 the relative change is infinite: there is no interval to give.
  if (p.blocks[0] > 0 && p.blocks[1] > 0 && Number.isFinite(change)) row.ci = interval(p, change, s);

  const worse = p.worseWhen === 'up' ? change > 0 : change < 0;
  const size = Math.abs(change);
  const absolute = Math.abs(c - b);
  const pastThreshold = size > p.threshold && (p.minAbsoluteChange === undefined || absolute > p.minAbsoluteChange);
  const changeText = Number.isFinite(change) ? signedPercent(change) : 'from 0';
  const limit = limitText(p);
  const pText =
    row.pValue === null
      ? 'no per-second data to test'
      : `p ${row.pValue < 0.0001 ? '< 0.0001' : `= ${fmtP(row.pValue)}`}, ${row.significant ? '' : 'not '}significant at α = ${s.alpha}`;
  if (!pastThreshold) {
    row.verdict = 'unchanged';
    const floorNote =
      size > p.threshold && p.minAbsoluteChange !== undefined
        ? ` (absolute change ${(absolute * 100).toFixed(3)} pp ≤ the ${(p.minAbsoluteChange * 100).toFixed(2)} pp floor)`
        : '';
    row.reason =
      `${changeText} is within the ${limit} ` + `threshold${floorNote}${row.significant ? ` (a real but small change: ${pText})` : ''}.`;
  } else if (!row.significant) {
    row.verdict = 'inconclusive';
    row.reason =
      `${changeText} is past the ${limit} threshold, but ${pText} ` +
      `(${row.samples.baseline} vs ${row.samples.current} seconds): not distinguishable from noise.`;
  } else if (worse) {
    const times = size / p.threshold;
    row.verdict = 'regression';
    row.severity = severityForOvershoot(times);
    row.reason =
      `${changeText}, ${Number.isFinite(times) ? `${times.toFixed(1)}×` : 'far past'} ` +
      `the ${limit} threshold (${pText}): ${row.severity}.`;
  } else {
    row.verdict = 'improvement';
    row.reason = `${changeText}, better than the ${limit} threshold in the good direction (${pText}).`;
  }
  return row;
}

function interval(p: MetricPlan, exactChange: number, s: Comparison['settings']): MetricComparison['ci'] {
  const [nA, nB] = p.blocks;
  const a = indexes(nA);
  const b = indexes(nB).map((i) => i + nA);
  const boot = bootstrapCI(a, b, p.blockStat, { iterations: s.iterations, confidence: s.confidence, seed: s.seed });
  let { low, high } = boot;
  // Re-anchor on the exact whole-run change (ratio scale): the resampled statistic is computed from
  // per-second summaries and may sit a little off the exact histogram value.
  const k = (1 + exactChange) / (1 + boot.estimate);
  if (Number.isFinite(k) && k > 0) {
    low = (1 + low) * k - 1;
    high = (1 + high) * k - 1;
  }
  low = Math.min(low, exactChange);
  high = Math.max(high, exactChange);
  return { low: finiteOrNull(low), high: finiteOrNull(high), confidence: s.confidence };
}

/** A p-value for people: 4 decimals below 0.01, "<0.0001" below that. */
export function fmtP(p: number): string {
  if (p < 0.0001) return '<0.0001';
  return p < 0.01 ? p.toFixed(4) : p.toFixed(3);
}

/** Why a comparison may not be like for like. */
function caveats(sides: [Side, Side], a: ComparedRecord, b: ComparedRecord): string[] {
  const notes: string[] = [];
  const [x, y] = sides;
  if (x.run.plan.source !== y.run.plan.source || JSON.stringify(x.run.plan.scenarios) !== JSON.stringify(y.run.plan.scenarios)) {
    notes.push(
      'The two runs did not use the same plan (target or scenarios differ): ' +
        'part of any difference may come from the load, not the service.',
    );
  }
  if (a.phase !== b.phase && a.phase !== null && b.phase !== null) notes.push(`Comparing different phases: ${a.phase} with ${b.phase}.`);
  for (const [name, side] of [
    ['baseline', x],
    ['current run', y],
  ] as const) {
    if (side.run.generator?.limited)
      notes.push(`The load generator limited the ${name}: its latency and throughput describe the generator, not the target.`);
    if (side.run.status !== 'completed')
      notes.push(`The ${name} did not complete (${side.run.status}${side.run.statusReason ? `: ${side.run.statusReason}` : ''}).`);
    if (side.seconds.length < 4) {
      notes.push(
        `The ${name} has ${side.seconds.length} complete second${side.seconds.length === 1 ? '' : 's'}: ` +
          `too few for the per-second test to call a difference significant (4 or more per run are needed) — run longer for a verdict.`,
      );
    }
  }
  const ex = x.run.environment;
  const ey = y.run.environment;
  if (ex && ey && (ex.cpus !== ey.cpus || ex.node !== ey.node || ex.speedguard !== ey.speedguard)) {
    notes.push(
      `Different environments: ${ex.cpus} vs ${ey.cpus} CPUs, Node ${ex.node} vs ${ey.node}, ` +
        `speedguard ${ex.speedguard} vs ${ey.speedguard}.`,
    );
  }
  return notes;
}
