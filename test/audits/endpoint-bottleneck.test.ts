// endpoint-bottleneck names the endpoint whose latency alone explodes at the breaking point (a
// private resource: pool, lock, downstream), or says all endpoints slow together (shared resource).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointBottleneck } from '../../src/audits/endpoint-bottleneck.ts';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/severity.ts';
import type { StressStep } from '../../src/record/assessment-record.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { fakeAssessment, fakePhase, fakeRun, type FakeSecond } from '../helpers/fake-records.ts';

/** One run holding several endpoints' series (fakeRun makes one endpoint per run). */
function mergeRuns(runs: RunRecord[]): RunRecord {
  const [first, ...rest] = runs;
  const out = structuredClone(first!);
  for (const r of rest) {
    out.totals.push(...r.totals.filter((t) => t.tags.name !== undefined));
    r.intervals.forEach((iv, i) => out.intervals[i]!.series.push(...iv.series.filter((s) => s.tags.name !== undefined)));
  }
  return out;
}

const step = (offeredRate: number, from: number, p95Ms: number, sloOk: boolean): StressStep => ({
  offeredRate,
  achievedRate: offeredRate,
  p50Ms: p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms,
  errorRate: 0,
  concurrency: 1,
  fromSecond: from,
  toSecond: from + 3,
  sloOk,
  droppedIterations: 0,
});

/** 4 s at a light rate, then 4 s at the breaking rate with the given per-endpoint latencies. */
function stressWith(latencies: Record<string, [light: number, broke: number]>) {
  const runs = Object.entries(latencies).map(([name, [l, b]]) => {
    const seconds: FakeSecond[] = [...Array(4)]
      .map(() => ({ requests: 50, latencyMs: (i: number) => l * (0.8 + (i % 5) * 0.1) }))
      .concat([...Array(4)].map(() => ({ requests: 50, latencyMs: (i: number) => b * (0.8 + (i % 5) * 0.1) })));
    return fakeRun({ seconds, name });
  });
  const run = mergeRuns(runs);
  return fakeAssessment([
    fakePhase('stress', run, {
      stress: {
        steps: [step(50, 0, 20, true), step(100, 4, 400, false)],
        stopReason: 'slo_breached',
        breakingRate: 100,
        maxSustainableRate: 50,
      },
    }),
  ]);
}

test('names the one endpoint whose latency explodes while the others hold', () => {
  const rec = stressWith({ '/api/inventory/:id': [50, 2000], '/api/products': [10, 12], '/health': [1, 1.2] });
  const [f, ...more] = endpointBottleneck.run({ record: rec, thresholds: DEFAULT_THRESHOLDS });
  assert.equal(more.length, 0);
  assert.ok(f);
  assert.equal(f.location?.endpoint, '/api/inventory/:id');
  assert.match(f.title, /GET \/api\/inventory\/:id limits capacity/);
  assert.match(f.rootCause, /pool/);
  // The expected load (100 req/s in the fake record) is above the sustainable 50 req/s: high.
  assert.equal(f.severity, 'high');
});

test('names the endpoint that gives out first even when another slows a little too (busy host), with lower confidence', () => {
  const alone = endpointBottleneck.run({
    record: stressWith({ '/api/inventory/:id': [50, 210], '/api/orders': [30, 40], '/health': [1, 1.2] }),
    thresholds: DEFAULT_THRESHOLDS,
  })[0]!;
  // inventory +160 ms, orders +60 ms (more than a quarter, less than half of it): still inventory.
  const [f] = endpointBottleneck.run({
    record: stressWith({ '/api/inventory/:id': [50, 210], '/api/orders': [30, 90], '/health': [1, 1.2] }),
    thresholds: DEFAULT_THRESHOLDS,
  });
  assert.ok(f);
  assert.equal(f.location?.endpoint, '/api/inventory/:id');
  assert.match(f.description, /the others slowed too/);
  assert.ok(f.confidence < alone.confidence, `${f.confidence} < ${alone.confidence}`);
  // Comparable growth (orders +120 ms, over half of inventory's): no single endpoint is named.
  const [g] = endpointBottleneck.run({
    record: stressWith({ '/api/inventory/:id': [50, 210], '/api/orders': [30, 150], '/health': [1, 1.2] }),
    thresholds: DEFAULT_THRESHOLDS,
  });
  assert.notEqual(g?.location?.endpoint, '/api/inventory/:id');
});

test('says "shared resource" when every endpoint slows down together', () => {
  const rec = stressWith({ '/a': [10, 300], '/b': [12, 350], '/c': [8, 280] });
  const [f] = endpointBottleneck.run({ record: rec, thresholds: DEFAULT_THRESHOLDS });
  assert.ok(f);
  assert.match(f.title, /Every endpoint slows down together/);
  assert.equal(f.location, null);
});

test('silent without a breaking point, with one endpoint, or when growth is noise', () => {
  const one = stressWith({ '/only': [10, 900] });
  assert.deepEqual(endpointBottleneck.run({ record: one, thresholds: DEFAULT_THRESHOLDS }), []);
  const calm = stressWith({ '/a': [10, 12], '/b': [11, 13] });
  assert.deepEqual(endpointBottleneck.run({ record: calm, thresholds: DEFAULT_THRESHOLDS }), []);
  const unbroken = stressWith({ '/a': [10, 900], '/b': [11, 12] });
  unbroken.phases[0]!.stress!.breakingRate = null;
  unbroken.phases[0]!.stress!.steps[1]!.sloOk = true;
  assert.deepEqual(endpointBottleneck.run({ record: unbroken, thresholds: DEFAULT_THRESHOLDS }), []);
});
