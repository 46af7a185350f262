// k6's end-of-test data from a RunRecord: the object handleSummary(data) receives, and the
// --summary-export file (k6 src internal/js/summary.go and summary-wrapper.js; round-2.md §1).
import { createHash } from 'node:crypto';
import { parseMetricSelector } from '../metrics/thresholds/index.ts';
import type { RunRecord } from '../record/run-record.ts';
import { metricNames, selectMetric } from '../record/select.ts';
import { ABORT_METRIC, FAIL_METRIC } from './modules/execution.ts';

export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];
/** speedguard's own bookkeeping metrics that k6 does not have: left out of k6-shaped output. */
const HIDDEN = new Set([ABORT_METRIC, FAIL_METRIC]);

export interface K6Check {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}
export interface K6Group {
  name: string;
  path: string;
  id: string;
  groups: K6Group[];
  checks: K6Check[];
}
export interface K6Metric {
  type: 'counter' | 'gauge' | 'rate' | 'trend';
  contains: 'default' | 'time' | 'data';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}
export interface K6SummaryData {
  root_group: K6Group;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, K6Metric>;
  setup_data?: unknown;
}

const id = (path: string) => createHash('md5').update(path).digest('hex');

function trendStat(stat: string, a: NonNullable<ReturnType<typeof selectMetric>>): number {
  if (a.count === 0) return 0;
  if (stat === 'avg') return a.sum / a.count;
  if (stat === 'min') return a.min;
  if (stat === 'max') return a.max;
  if (stat === 'med') return a.percentile(50);
  if (stat === 'count') return a.count;
  const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
  return p ? a.percentile(Number(p[1])) : 0;
}

function values(record: RunRecord, metric: string, tags: Record<string, string>, trendStats: string[]): K6Metric | null {
  const a = selectMetric(record, metric, tags);
  if (!a) return null;
  const contains = record.totals.find((t) => t.metric === metric)?.contains ?? 'default';
  const seconds = Math.max(record.durationMs, 1) / 1000;
  switch (a.type) {
    case 'trend':
      return { type: 'trend', contains, values: Object.fromEntries(trendStats.map((s) => [s, trendStat(s, a)])) };
    case 'counter':
      return { type: 'counter', contains, values: { count: a.sum, rate: a.sum / seconds } };
    case 'rate':
      return { type: 'rate', contains, values: { rate: a.count ? a.sum / a.count : 0, passes: a.sum, fails: a.count - a.sum } };
    case 'gauge':
      return { type: 'gauge', contains, values: { value: a.sum, min: a.count ? a.min : 0, max: a.count ? a.max : 0 } };
  }
}

/** The group tree from the `checks` and `group_duration` series (tags group="::a::b", check). */
function rootGroup(record: RunRecord): K6Group {
  const root: K6Group = { name: '', path: '', id: id(''), groups: [], checks: [] };
  const groupAt = (path: string): K6Group => {
    let g = root;
    if (path === '') return g;
    const names = path.split('::').slice(1);
    let p = '';
    for (const name of names) {
      p += '::' + name;
      let next = g.groups.find((c) => c.name === name);
      if (!next) g.groups.push((next = { name, path: p, id: id(p), groups: [], checks: [] }));
      g = next;
    }
    return g;
  };
  for (const t of record.totals) {
    if (t.metric === 'group_duration' && t.tags.group) groupAt(t.tags.group);
    if (t.metric !== 'checks') continue;
    const g = groupAt(t.tags.group ?? '');
    const name = t.tags.check ?? '';
    let c = g.checks.find((x) => x.name === name);
    if (!c) g.checks.push((c = { name, path: `${g.path}::${name}`, id: id(`${g.path}::${name}`), passes: 0, fails: 0 }));
    c.passes += t.sum;
    c.fails += t.count - t.sum;
  }
  return root;
}

export function buildSummaryData(record: RunRecord, opts: { trendStats?: string[]; setupData?: unknown } = {}): K6SummaryData {
  const trendStats = opts.trendStats ?? DEFAULT_TREND_STATS;
  const metrics: Record<string, K6Metric> = {};
  for (const name of metricNames(record)) {
    if (HIDDEN.has(name)) continue;
    const v = values(record, name, {}, trendStats);
    if (v) metrics[name] = v;
  }
  for (const t of record.thresholds) {
    const sel = parseMetricSelector(t.selector);
    if (HIDDEN.has(sel.metric)) continue;
    metrics[t.selector] ??= values(record, sel.metric, sel.tags, trendStats) ?? emptyMetric(record, sel.metric, trendStats);
    (metrics[t.selector]!.thresholds ??= {})[t.expression] = { ok: t.ok };
  }
  const data: K6SummaryData = {
    root_group: rootGroup(record),
    options: { summaryTrendStats: trendStats, summaryTimeUnit: '', noColor: Boolean(process.env.NO_COLOR) },
    state: { isStdOutTTY: Boolean(process.stdout.isTTY), isStdErrTTY: Boolean(process.stderr.isTTY), testRunDurationMs: record.durationMs },
    metrics,
  };
  if (opts.setupData !== undefined) data.setup_data = opts.setupData;
  return data;
}

/** A metric a threshold names but nothing recorded (k6 still lists it, with zero values). */
function emptyMetric(record: RunRecord, metric: string, trendStats: string[]): K6Metric {
  const t = record.totals.find((x) => x.metric === metric);
  const type = t?.type ?? 'counter';
  const zero =
    type === 'trend'
      ? Object.fromEntries(trendStats.map((s) => [s, 0]))
      : type === 'rate'
        ? { rate: 0, passes: 0, fails: 0 }
        : type === 'gauge'
          ? { value: 0, min: 0, max: 0 }
          : { count: 0, rate: 0 };
  return { type, contains: t?.contains ?? 'default', values: zero };
}

/** k6's --summary-export: values flattened, rate → value, thresholds as booleans that are true when FAILED. */
export function buildK6SummaryExport(data: K6SummaryData): Record<string, unknown> {
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    const flat: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m.values)) flat[m.type === 'rate' && k === 'rate' ? 'value' : k] = v;
    if (m.thresholds) flat.thresholds = Object.fromEntries(Object.entries(m.thresholds).map(([e, r]) => [e, !r.ok]));
    metrics[name] = flat;
  }
  const group = (g: K6Group): Record<string, unknown> => ({
    name: g.name,
    path: g.path,
    id: g.id,
    groups: Object.fromEntries(g.groups.map((c) => [c.name, group(c)])),
    checks: Object.fromEntries(g.checks.map((c) => [c.name, c])),
  });
  return { root_group: group(data.root_group), metrics };
}
