// Builders for audit tests on top of test/helpers/fake-records.ts: several endpoints in one run,
// seeded noise, and a realistic healthy assessment (every phase, inspection, capacity).
import assert from 'node:assert/strict';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/severity.ts';
import type { Finding } from '../../src/record/findings.ts';
import type { AuditContext } from '../../src/audits/types.ts';
import type { AssessmentRecord, CapacityModel, HttpInspection, PhaseRecord, StressStep } from '../../src/record/assessment-record.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { fakeAssessment, fakePhase, fakeRun, steady, type FakeRunOptions } from '../helpers/fake-records.ts';

export const ctx = (record: AssessmentRecord): AuditContext => ({ record, thresholds: DEFAULT_THRESHOLDS });

/** mulberry32: a small seeded PRNG, so "noisy" records are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Realistic service latency: log-normal around `medianMs` (σ 0.35 → p99 ≈ 2.3× median), plus a
 * rare slow request (1 in 200 at 3–4× the median) — a small tail, as healthy services have.
 */
export function noisy(seed: number, medianMs: number): (i: number) => number {
  const r = rng(seed);
  return () => {
    const u1 = Math.max(r(), 1e-12);
    const u2 = r();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const base = medianMs * Math.exp(0.35 * z);
    return r() < 0.005 ? base * (3 + r()) : base;
  };
}

/** Several endpoints in one run: each a fakeRun, their series side by side (as the engine records them). */
export function multiRun(parts: FakeRunOptions[], extra: Partial<RunRecord> = {}): RunRecord {
  const runs = parts.map((p) => fakeRun(p));
  const base = runs[0]!;
  const intervals = base.intervals.map((iv) => ({
    ...iv,
    series: runs.flatMap((r) => r.intervals.find((x) => x.index === iv.index)?.series ?? []),
  }));
  return {
    ...base,
    totals: runs.flatMap((r) => r.totals),
    intervals,
    connectionsOpened: runs.reduce((s, r) => s + r.connectionsOpened, 0),
    ...extra,
  };
}

export const API = 'http://127.0.0.1:3000/api/products';
export const ORDERS = 'http://127.0.0.1:3000/api/orders';

export function inspection(over: Partial<HttpInspection> & { name: string }): HttpInspection {
  return {
    method: 'GET',
    url: over.name,
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=60',
      etag: 'W/"abc"',
      'content-encoding': 'gzip',
    },
    transferBytes: 800,
    bodyBytes: 3200,
    encoding: 'gzip',
    error: null,
    ...over,
  };
}

/** A stress staircase with a hockey-stick latency curve breaking past `breakAt` req/s. */
export function staircase(rates: number[], breakAt: number, p95AtLow = 20): StressStep[] {
  return rates.map((r, i) => {
    const over = r > breakAt;
    const p95 = over ? 900 : p95AtLow * (1 + (r / breakAt) ** 4);
    const achieved = over ? breakAt * 1.02 : r;
    return {
      offeredRate: r,
      achievedRate: achieved,
      p50Ms: p95 / 2,
      p95Ms: p95,
      p99Ms: p95 * 1.5,
      errorRate: over ? 0.002 : 0,
      concurrency: achieved * (p95 / 2 / 1000),
      fromSecond: i * 5 + 1,
      toSecond: i * 5 + 4,
      sloOk: !over,
      droppedIterations: 0,
    };
  });
}

export function stressPhase(steps: StressStep[], extra: Partial<PhaseRecord> = {}): PhaseRecord {
  const bad = steps.find((s) => !s.sloOk) ?? null;
  const ok = steps.filter((s) => s.sloOk);
  const seconds = steps.flatMap((s, i) => steady(5, Math.round(s.achievedRate), noisy(100 + i, s.p50Ms)));
  return fakePhase('stress', fakeRun({ seconds, name: API, vus: 50 }), {
    offeredRate: steps[steps.length - 1]!.offeredRate,
    stress: {
      steps,
      stopReason: bad ? 'slo_breached' : 'max_rate',
      breakingRate: bad?.offeredRate ?? null,
      maxSustainableRate: ok.length ? Math.max(...ok.map((s) => s.offeredRate)) : null,
    },
    ...extra,
  });
}

export function capacity(over: Partial<CapacityModel> = {}): CapacityModel {
  return {
    model: 'usl',
    lambda: 110,
    sigma: 0.02,
    kappa: 0.00001,
    r2: 0.97,
    fitQuality: 'good',
    points: [],
    peakThroughputRps: null,
    peakConcurrency: null,
    sustainableRps: 800,
    kneeRps: 700,
    growth: null,
    ...over,
  };
}

/** Two endpoints at `rate` req/s in total, noisy latencies (medians m and 2m), no errors, keep-alive. */
export function healthyRun(seconds: number, seed: number, rate = 100, medianMs = 18): RunRecord {
  return multiRun([
    { seconds: steady(seconds, Math.round(rate * 0.6), noisy(seed, medianMs)), name: API, vus: 20 },
    { seconds: steady(seconds, Math.round(rate * 0.4), noisy(seed + 1, medianMs * 2)), name: ORDERS, vus: 20 },
  ]);
}

/** A healthy service through every phase of the suite, as assess would record it. */
export function healthyAssessment(): AssessmentRecord {
  const spikeSeconds = [...steady(5, 100, noisy(7, 20)), ...steady(6, 400, noisy(8, 28)), ...steady(6, 100, noisy(9, 20))];
  const recoverySeconds = [...steady(8, 1000, noisy(10, 60)), ...steady(2, 100, noisy(11, 40)), ...steady(4, 100, noisy(12, 20))];
  return fakeAssessment(
    [
      stressPhase(staircase([25, 50, 100, 150, 200, 300, 400, 600, 800, 1200], 800)),
      fakePhase('baseline', healthyRun(20, 1)),
      fakePhase('spike', fakeRun({ seconds: spikeSeconds, name: API, vus: 60 }), {
        offeredRate: 400,
        spike: { baseRate: 100, spikeRate: 400, spikeFromSecond: 5, spikeToSecond: 10 },
      }),
      fakePhase('sustained', healthyRun(30, 3)),
      fakePhase('recovery', fakeRun({ seconds: recoverySeconds, name: API, vus: 150 }), {
        offeredRate: 1000,
        recovery: { fromSecond: 8, limitMs: 40, baselineP95Ms: 30, recoveredAfterSeconds: 2 },
      }),
    ],
    {
      inspection: [
        inspection({ name: API }),
        inspection({
          name: ORDERS,
          headers: { 'content-type': 'application/json', 'cache-control': 'private, no-store' },
          encoding: null,
          transferBytes: 600,
          bodyBytes: 600,
        }),
      ],
      capacity: capacity(),
    },
  );
}

/** Every field of a finding filled, numbers finite, no "NaN"/"undefined" in its texts. */
export function assertComplete(f: Finding): void {
  const msg = `${f.id} ${f.audit}`;
  for (const k of ['id', 'audit', 'title', 'type', 'severity', 'component', 'description', 'rootCause'] as const) {
    assert.ok(typeof f[k] === 'string' && f[k].length > 0, `${msg}: ${k}`);
  }
  assert.ok(f.confidence > 0 && f.confidence <= 1, `${msg}: confidence ${f.confidence}`);
  assert.ok(f.evidence.length > 0, `${msg}: evidence`);
  for (const e of f.evidence) {
    assert.ok(e.label.length > 0, `${msg}: evidence label`);
    assert.ok(typeof e.value === 'string' ? e.value.length > 0 : Number.isFinite(e.value), `${msg}: evidence ${e.label} = ${e.value}`);
  }
  if (f.audit !== 'no-bottleneck' && f.audit !== 'generator-bound') {
    assert.ok(
      f.evidence.some((e) => e.phase !== undefined) || f.location?.endpoint,
      `${msg}: evidence names a phase or the finding an endpoint`,
    );
  }
  assert.ok(
    Object.values(f.impact).some((v) => typeof v === 'string' && v.length > 0),
    `${msg}: impact`,
  );
  const r = f.recommendation;
  for (const k of ['approach', 'expectedImprovement', 'testingRequired', 'rollbackPlan'] as const)
    assert.ok(r[k].length > 0, `${msg}: recommendation.${k}`);
  assert.ok(['low', 'medium', 'high'].includes(r.effort), `${msg}: effort`);
  assert.ok(['database', 'application', 'frontend', 'network', 'infrastructure'].includes(f.type), `${msg}: type`);
  assert.ok(!/NaN|undefined|Infinity/.test(JSON.stringify(f)), `${msg}: no NaN/undefined in texts: ${JSON.stringify(f)}`);
}
