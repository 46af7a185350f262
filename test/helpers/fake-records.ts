// Synthetic but well-formed records for testing audits, analyses and renderers without running load.
// They go through the real aggregation code (RunAggregate), so histograms and intervals are genuine.
import { alertRules } from '../../src/assess/alert-rules.ts';
import { Accumulator } from '../../src/metrics/accumulator.ts';
import { RunAggregate } from '../../src/engine/run-aggregate.ts';
import type { IntervalSnapshot, SeriesSnapshot } from '../../src/metrics/registry.ts';
import type { GeneratorHealth } from '../../src/engine/worker-engine.ts';
import { RUN_RECORD_SCHEMA, type GeneratorVerdict, type RunRecord } from '../../src/record/run-record.ts';
import { ASSESSMENT_SCHEMA, type AssessmentRecord, type PhaseRecord } from '../../src/record/assessment-record.ts';
import { HTTP } from './plan.ts';
import { decideVerdict } from '../../src/assess/verdict.ts';

export interface FakeSecond {
  /** Completed requests in this second. */
  requests: number;
  /** Service time of every request (ms), or a function of the request's index in the second. */
  latencyMs: number | ((i: number) => number);
  /** How many of the requests failed, and how (default: HTTP 500). */
  failed?: number;
  errorKind?: string;
  /** Iterations dropped in this second. */
  dropped?: number;
  /** Extra wait before the request started (schedule lag), ms — adds to http_req_latency only. */
  queueMs?: number;
}

export interface FakeRunOptions {
  seconds: FakeSecond[];
  /** Request name tag (default "http://127.0.0.1:3000/api"). */
  name?: string;
  method?: string;
  scenario?: string;
  bytesPerResponse?: number;
  connectionsOpened?: number;
  vus?: number;
  generator?: Partial<GeneratorVerdict>;
  /** Per-second generator CPU share (0..1), default 0.3. */
  generatorCpu?: number;
  startedAt?: string;
}

const health = (cpu: number): GeneratorHealth => ({
  loopDelayP99Ms: 2,
  loopDelayMaxMs: 5,
  cpu,
  elu: cpu,
  heapUsedBytes: 20e6,
  rssBytes: 60e6,
});

function series(metric: string, tags: Record<string, string>, acc: Accumulator): SeriesSnapshot {
  return { metric, tags, data: acc.toData() };
}

export function fakeRun(o: FakeRunOptions): RunRecord {
  const name = o.name ?? 'http://127.0.0.1:3000/api';
  const scenario = o.scenario ?? 'default';
  const method = o.method ?? 'GET';
  const agg = new RunAggregate();
  o.seconds.forEach((s, index) => {
    const ok = { scenario, name, method, group: '', status: '200', expected_response: 'true' };
    const bad = {
      ...ok,
      status: o.seconds[index]!.errorKind ? '0' : '500',
      expected_response: 'false',
      ...(s.errorKind ? { error: s.errorKind } : {}),
    };
    const make = () => ({
      reqs: new Accumulator('counter'),
      failed: new Accumulator('rate'),
      dur: new Accumulator('trend'),
      lat: new Accumulator('trend'),
      errors: new Accumulator('counter'),
    });
    const good = make();
    const fail = make();
    const nFail = s.failed ?? 0;
    for (let i = 0; i < s.requests; i++) {
      const isFail = i < nFail;
      const b = isFail ? fail : good;
      const ms = typeof s.latencyMs === 'function' ? s.latencyMs(i) : s.latencyMs;
      b.reqs.add(1);
      b.failed.add(isFail ? 1 : 0);
      b.dur.add(ms);
      b.lat.add(ms + (s.queueMs ?? 0));
      if (isFail) b.errors.add(1);
    }
    const list: SeriesSnapshot[] = [];
    for (const [b, tags] of [
      [good, ok],
      [fail, bad],
    ] as const) {
      if (b.reqs.count === 0) continue;
      list.push(
        series('http_reqs', tags, b.reqs),
        series('http_req_failed', tags, b.failed),
        series('http_req_duration', tags, b.dur),
        series('http_req_latency', tags, b.lat),
      );
      if (b.errors.count) list.push(series('http_req_errors', tags, b.errors));
    }
    const iters = new Accumulator('counter');
    if (s.requests) iters.add(s.requests);
    list.push(series('iterations', { scenario, group: '' }, iters));
    if (s.dropped) {
      const d = new Accumulator('counter');
      d.add(s.dropped);
      list.push(series('dropped_iterations', { scenario }, d));
    }
    const bytes = new Accumulator('counter');
    if (s.requests) bytes.add(s.requests * (o.bytesPerResponse ?? 500));
    list.push(series('data_received', { scenario }, bytes));
    const vus = new Accumulator('gauge');
    vus.add(o.vus ?? 10);
    list.push(series('vus', {}, vus), series('vus_max', {}, vus));
    const snapshot: IntervalSnapshot = { index, series: list };
    agg.addInterval(index, [{ snapshot, health: health(o.generatorCpu ?? 0.3) }]);
  });
  const startedAt = o.startedAt ?? '2026-11-25T10:00:00.000Z';
  const durationMs = o.seconds.length * 1000;
  return {
    schema: RUN_RECORD_SCHEMA,
    id: `fake-${Math.random().toString(36).slice(2, 10)}`,
    kind: 'run',
    status: 'completed',
    statusReason: null,
    startedAt,
    endedAt: new Date(Date.parse(startedAt) + durationMs).toISOString(),
    durationMs,
    plan: { source: name, scriptPath: null, scenarios: {}, thresholds: {}, http: HTTP, feeders: [], tags: {}, workers: 1, env: {} },
    environment: { speedguard: '0.1.0', node: 'v24.0.0', platform: 'linux', arch: 'x64', cpus: 2, workers: 1 },
    totals: agg.toTotals(),
    intervals: agg.intervals,
    thresholds: [],
    generator: {
      limited: false,
      reasons: [],
      workers: 1,
      cpuMax: 0.3,
      cpuP95: 0.3,
      loopDelayP99MaxMs: 2,
      scheduleDelayP99Ms: 0.5,
      heapUsedMaxBytes: 20e6,
      rssMaxBytes: 60e6,
      ...o.generator,
    },
    connectionsOpened: o.connectionsOpened ?? o.vus ?? 10,
    tagOverflow: [],
    probes: {},
  };
}

/** n seconds of steady traffic. */
export function steady(
  n: number,
  requests: number,
  latencyMs: number | ((i: number) => number),
  extra: Partial<FakeSecond> = {},
): FakeSecond[] {
  return Array.from({ length: n }, () => ({ requests, latencyMs, ...extra }));
}

export function fakePhase(name: PhaseRecord['name'], run: RunRecord, extra: Partial<PhaseRecord> = {}): PhaseRecord {
  return { name, description: `${name} (fake)`, offeredRate: 100, run, verdict: 'passed', verdictReason: 'fake', ...extra };
}

/** A stored assessment; its verdict is decided from its findings and phases unless `extra` gives one. */
export function fakeAssessment(phases: PhaseRecord[], extra: Partial<AssessmentRecord> = {}): AssessmentRecord {
  const record: AssessmentRecord = {
    schema: ASSESSMENT_SCHEMA,
    id: `fake-assess-${Math.random().toString(36).slice(2, 10)}`,
    kind: 'assess',
    target: 'http://127.0.0.1:3000/api',
    targetName: '127.0.0.1-3000-api',
    status: 'completed',
    statusReason: null,
    startedAt: '2026-11-25T10:00:00.000Z',
    endedAt: '2026-11-25T10:03:00.000Z',
    durationMs: 180_000,
    config: {
      expectedRate: 100,
      slo: { latencyPercentile: 95, latencyMs: 200, errorRate: 0.01, source: ['p95<200ms', 'errors<1%'] },
      suite: phases.map((p) => p.name),
      soakMs: 30_000,
      growthPercentPerQuarter: null,
      targetRate: null,
    },
    environment: { speedguard: '0.1.0', node: 'v24.0.0', platform: 'linux', arch: 'x64', cpus: 2, workers: 1 },
    phases,
    inspection: [],
    capacity: null,
    findings: [],
    verdict: { status: 'optimal', score: 10, headline: '', unreliable: false },
    comparison: null,
    probes: {},
    ...extra,
  };
  if (!extra.verdict) record.verdict = decideVerdict(record);
  // Decided when a record is built, like the verdict (assess/build-record.ts).
  if (!extra.alerts) record.alerts = alertRules(record);
  return record;
}
