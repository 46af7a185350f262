// Records for the HTML report tests: a full assessment (all phases, a stress staircase shaped by a
// known USL curve, capacity, findings, inspection) and a hostile one whose target-controlled text
// carries script payloads.
import type { Finding } from '../../src/record/findings.ts';
import type { AssessmentRecord, CapacityModel, PhaseRecord, StressStep } from '../../src/record/assessment-record.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { fakeAssessment, fakePhase, fakeRun, steady, type FakeSecond } from '../helpers/fake-records.ts';

export const USL = { lambda: 50, sigma: 0.05, kappa: 0.002 };
const X = (n: number) => (USL.lambda * n) / (1 + USL.sigma * (n - 1) + USL.kappa * n * (n - 1));

/** Two runs of the same length as one run with two endpoints (their tag sets differ by name). */
export function mergeRuns(a: RunRecord, b: RunRecord): RunRecord {
  return {
    ...a,
    totals: [...a.totals, ...b.totals.filter((t) => t.tags.name !== undefined)],
    intervals: a.intervals.map((iv, i) => ({
      ...iv,
      series: [...iv.series, ...(b.intervals[i]?.series.filter((s) => s.tags.name !== undefined) ?? [])],
    })),
  };
}

/** Uniform latencies on [0.5R, 1.5R]: mean R, p50 ≈ R, p95 ≈ 1.45R, p99 ≈ 1.49R. */
const around = (r: number, n: number) => (i: number) => r * (0.5 + i / Math.max(1, n));

const STEP_SECONDS = 5;
/** Offered rate and the concurrency that produces it on the USL curve (the last step is past the peak). */
const STAIRS: Array<{ offered: number; n: number; queueMs?: number; failed?: number }> = [
  { offered: 50, n: 1 },
  { offered: 100, n: 2.25 },
  { offered: 200, n: 5 },
  { offered: 300, n: 9.4 },
  { offered: 350, n: 13.7 },
  { offered: 400, n: 30, queueMs: 260, failed: 8 },
];

export function stressPhase(): { phase: PhaseRecord; steps: StressStep[] } {
  const seconds: FakeSecond[] = [];
  const steps: StressStep[] = [];
  for (const s of STAIRS) {
    const x = Math.min(s.offered, X(s.n));
    const reqs = Math.round(x);
    const r = (s.n / x) * 1000;
    const from = seconds.length;
    seconds.push(...steady(STEP_SECONDS, reqs, around(r, reqs), { queueMs: s.queueMs ?? 0, failed: s.failed ?? 0 }));
    const q = s.queueMs ?? 0;
    steps.push({
      offeredRate: s.offered,
      achievedRate: x,
      p50Ms: r + q,
      p95Ms: r * 1.45 + q,
      p99Ms: r * 1.49 + q,
      errorRate: (s.failed ?? 0) / reqs,
      concurrency: s.n,
      fromSecond: from,
      toSecond: from + STEP_SECONDS,
      sloOk: r * 1.45 + q < 200 && !s.failed,
      droppedIterations: s.queueMs ? 40 : 0,
    });
  }
  const phase = fakePhase('stress', fakeRun({ seconds, name: 'http://127.0.0.1:3000/api/products' }), {
    description: 'stepwise 50 → 400 req/s, 5 s per step',
    offeredRate: 400,
    verdict: 'degraded',
    verdictReason: 'p95 broke the SLO at 400 req/s offered',
    stress: { steps, stopReason: 'slo_breached', breakingRate: 400, maxSustainableRate: 350 },
  });
  return { phase, steps };
}

export function capacityOf(steps: StressStep[]): CapacityModel {
  let peak = 0;
  let peakN = 0;
  for (let n = 0.5; n <= 100; n += 0.05) if (X(n) > peak) [peak, peakN] = [X(n), n];
  return {
    model: 'usl',
    ...USL,
    r2: 0.987,
    fitQuality: 'good',
    points: steps.map((s) => ({ concurrency: s.concurrency, throughput: s.achievedRate })),
    peakThroughputRps: peak,
    peakConcurrency: peakN,
    sustainableRps: 350,
    sustainableConcurrency: 13.7,
    kneeRps: 300,
    growth: { percentPerQuarter: 20, currentRps: 100, exceedsAt: '2027-08-14', targetRps: 1000, instancesNeeded: 3 },
  };
}

export function findings(): Finding[] {
  const base = {
    confidence: 0.9,
    impact: { responseTimeIncrease: '+180 ms at p95 above 350 req/s', userExperience: 'slow product pages at peak' },
    recommendation: {
      approach: 'Cache the product list for 30 s and add an index on products.category_id.',
      expectedImprovement: 'p95 −60 % at 400 req/s',
      effort: 'low' as const,
      testingRequired: 'repeat the stress phase',
      rollbackPlan: 'remove the cache header',
    },
  };
  return [
    {
      ...base,
      id: 'PERF-001',
      audit: 'latency-slo',
      title: 'p95 latency breaks the SLO above 350 req/s',
      type: 'application',
      severity: 'high',
      component: 'GET /api/products',
      description: 'At 400 req/s offered, p95 latency reached 339 ms against an SLO of 200 ms.',
      evidence: [
        { label: 'p95 at 400 req/s', value: 339.3, unit: 'ms', phase: 'stress' },
        { label: 'SLO', value: 200, unit: 'ms' },
        { label: 'achieved', value: 357.6, unit: 'req/s', phase: 'stress' },
      ],
      location: { endpoint: 'GET /api/products', file: 'src/routes/products.ts', line: 42, function: 'listProducts' },
      rootCause: 'Requests queue once the service passes its knee (~300 req/s): contention σ = 0.05, coherency κ = 0.002.',
    },
    {
      ...base,
      id: 'PERF-002',
      audit: 'http-caching',
      title: 'Cacheable GET without Cache-Control, ETag or Last-Modified',
      type: 'network',
      severity: 'medium',
      confidence: 0.8,
      component: 'GET /api/products',
      description: 'Every client re-downloads the full product list.',
      evidence: [
        { label: 'response size', value: 48200, unit: 'bytes' },
        { label: 'Cache-Control', value: '(none)' },
      ],
      location: { endpoint: 'GET /api/products' },
      rootCause: 'No caching headers are set by the route handler.',
    },
    {
      ...base,
      id: 'PERF-003',
      audit: 'tail-latency',
      title: 'Periodic stalls every ~10 s',
      type: 'application',
      severity: 'low',
      confidence: 0.6,
      component: 'service',
      description: 'p99 jumps to 6× p50 once every 10 seconds.',
      evidence: [{ label: 'p99 / p50', value: 6.1, unit: '×', phase: 'baseline' }],
      location: null,
      rootCause: 'Likely garbage collection pauses or a timer doing synchronous work.',
    },
  ];
}

function baselineRun(): RunRecord {
  const stall = (sec: number, n: number) => (i: number) => (sec % 10 === 9 && i > n * 0.9 ? 140 : 14 + (i % 17));
  const seconds = (name: string, n: number) =>
    fakeRun({ name, seconds: Array.from({ length: 30 }, (_, sec) => ({ requests: n, latencyMs: stall(sec, n) })) });
  return mergeRuns(seconds('http://127.0.0.1:3000/api/products', 70), seconds('http://127.0.0.1:3000/api/orders', 30));
}

export function fullRecord(): AssessmentRecord {
  const { phase: stress, steps } = stressPhase();
  const spikeSeconds: FakeSecond[] = [
    ...steady(10, 100, around(20, 100)),
    ...steady(5, 380, around(90, 380), { failed: 12 }),
    ...steady(10, 100, around(24, 100)),
  ];
  const recovery: FakeSecond[] = [
    ...steady(10, 360, around(60, 360), { queueMs: 80 }),
    ...Array.from({ length: 15 }, (_, k) => ({ requests: 100, latencyMs: around(20 + 120 * Math.exp(-k / 2), 100) })),
  ];
  const phases = [
    fakePhase('baseline', baselineRun(), {
      description: 'constant 100 req/s for 30 s',
      offeredRate: 100,
      verdict: 'passed',
      verdictReason: 'p95 31 ms < 200 ms, no errors',
    }),
    stress,
    fakePhase('spike', fakeRun({ seconds: spikeSeconds }), {
      description: '100 → 380 req/s for 5 s → 100 req/s',
      offeredRate: 380,
      verdict: 'degraded',
      verdictReason: '3.2 % errors during the spike',
      spike: { baseRate: 100, spikeRate: 380, spikeFromSecond: 10, spikeToSecond: 15 },
    }),
    fakePhase('sustained', fakeRun({ seconds: steady(40, 100, (i) => 16 + (i % 11)) }), {
      description: 'constant 100 req/s for 40 s',
      offeredRate: 100,
      verdict: 'passed',
      verdictReason: 'stable',
    }),
    fakePhase('recovery', fakeRun({ seconds: recovery }), {
      description: '360 req/s for 10 s, then 100 req/s',
      offeredRate: 360,
      verdict: 'passed',
      verdictReason: 'recovered in 4 s',
      recovery: { fromSecond: 10, limitMs: 45, baselineP95Ms: 31, recoveredAfterSeconds: 4 },
    }),
  ];
  return fakeAssessment(phases, {
    id: 'assess-7f3a9c21',
    capacity: capacityOf(steps),
    findings: findings(),
    inspection: [
      {
        method: 'GET',
        url: 'http://127.0.0.1:3000/api/products',
        name: 'http://127.0.0.1:3000/api/products',
        status: 200,
        headers: { 'content-type': 'application/json', connection: 'keep-alive' },
        transferBytes: 48200,
        bodyBytes: 48200,
        encoding: null,
        error: null,
      },
      {
        method: 'GET',
        url: 'http://127.0.0.1:3000/api/orders',
        name: 'http://127.0.0.1:3000/api/orders',
        status: 200,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'cache-control': 'max-age=60', etag: 'W/"a1"' },
        transferBytes: 2100,
        bodyBytes: 9800,
        encoding: 'gzip',
        error: null,
      },
    ],
    durationMs: 155_000,
  });
}

export const PAYLOADS = [
  '<script>window.__pwned=1</script>',
  '"><img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=1</script>',
  'javascript:window.__pwned=1',
  "'><svg onload=window.__pwned=1>",
  '<!-- </style><script>window.__pwned=1</script>',
  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
  '<img src=x onerror=alert(1)>',
] as const;

/** Replaces every tag value in a run (names, statuses, error kinds) by `f(value)`. */
function retag(run: RunRecord, f: (k: string, v: string) => string): RunRecord {
  const map = (tags: Record<string, string>) =>
    Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, k === 'expected_response' || k === 'scenario' ? v : f(k, v)]));
  return {
    ...run,
    totals: run.totals.map((t) => ({ ...t, tags: map(t.tags) })),
    intervals: run.intervals.map((iv) => ({ ...iv, series: iv.series.map((s) => ({ ...s, tags: map(s.tags) })) })),
  };
}

/** A record whose target-controlled text is hostile everywhere the report shows text. */
export function hostileRecord(): AssessmentRecord {
  const [p0, p1, p2, p3, p4, p5, p6, p7] = PAYLOADS;
  const r = fullRecord();
  const base = r.phases[0]!;
  base.run = retag(
    fakeRun({
      name: `http://127.0.0.1:3000/${p1}`,
      seconds: steady(10, 50, 20, {}).concat(steady(5, 50, 30, { failed: 5, errorKind: p5 })),
    }),
    (k, v) => (k === 'status' && v === '0' ? p6 : k === 'method' ? p4 : v),
  );
  base.description = p0;
  base.verdictReason = p2;
  base.run.generator = { ...base.run.generator, limited: true, reasons: [p7] };
  r.target = `javascript:alert(1)//${p0}`;
  r.targetName = p2;
  r.status = 'interrupted';
  r.statusReason = p1;
  r.environment = { ...r.environment, node: p3, platform: p4 };
  r.inspection = [
    {
      method: p4,
      url: `http://127.0.0.1:3000/${p0}`,
      name: p2,
      status: 200,
      headers: { 'x-evil': p1, [p2]: p3, 'set-cookie': p7 },
      transferBytes: 1,
      bodyBytes: 1,
      encoding: p6,
      error: p5,
    },
  ];
  r.findings = r.findings.map((f, i) => ({
    ...f,
    title: PAYLOADS[i % PAYLOADS.length]!,
    type: p4 as Finding['type'],
    description: p2,
    component: p1,
    evidence: [
      { label: p0, value: p1, unit: p4 },
      { label: p3, value: 12, unit: p2 },
    ],
    location: { endpoint: p3, file: p1, line: 1, function: p0 },
    rootCause: p6,
    impact: { userExperience: p7 },
    recommendation: { ...f.recommendation, approach: p5, rollbackPlan: p2 },
  }));
  r.findings[0]!.invalidatesOthers = true;
  return r;
}
