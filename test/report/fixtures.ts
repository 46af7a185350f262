// Assessment records for the renderer tests: built with the fake-record helpers (genuine histograms),
// with findings and capacity added by hand — renderers must take them as given.
import type { Comparison } from '../../src/record/comparison.ts';
import type { Finding } from '../../src/record/findings.ts';
import type { AssessmentRecord, CapacityModel, StressStep } from '../../src/record/assessment-record.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';

export function finding(id: string, severity: Finding['severity'], extra: Partial<Finding> = {}): Finding {
  return {
    id,
    audit: 'latency-slo',
    title: `Finding ${id}`,
    type: 'application',
    severity,
    confidence: 0.9,
    component: 'GET /api/products',
    description: `Description of ${id}.`,
    evidence: [
      { label: 'p95 latency', value: 812.5, unit: 'ms', phase: 'baseline' },
      { label: 'error rate', value: 3.2, unit: '%', phase: 'stress' },
    ],
    location: { endpoint: 'GET /api/products' },
    rootCause: `Root cause of ${id}.`,
    impact: { responseTimeIncrease: '+600 ms at p95', userExperience: 'slow pages' },
    recommendation: {
      approach: `Fix ${id} by caching the product list.`,
      expectedImprovement: 'p95 below 200 ms',
      effort: 'medium',
      testingRequired: 'Re-run speedguard assess',
      rollbackPlan: 'Revert the commit',
    },
    ...extra,
  };
}

function stressSteps(): StressStep[] {
  const rates = [50, 100, 150, 200, 250];
  return rates.map((r, i) => ({
    offeredRate: r,
    achievedRate: i < 4 ? r : 210,
    p50Ms: 10 + i * 5,
    p95Ms: 40 + i * 60,
    p99Ms: 60 + i * 90,
    errorRate: i < 4 ? 0 : 0.04,
    concurrency: (r * (12 + i * 6)) / 1000,
    fromSecond: i * 5 + 1,
    toSecond: i * 5 + 5,
    sloOk: i < 3,
    droppedIterations: i < 4 ? 0 : 12,
  }));
}

export function capacity(extra: Partial<CapacityModel> = {}): CapacityModel {
  return {
    model: 'usl',
    lambda: 95.5,
    sigma: 0.031,
    kappa: 0.00042,
    r2: 0.987,
    fitQuality: 'good',
    points: [
      { concurrency: 0.6, throughput: 50 },
      { concurrency: 1.7, throughput: 100 },
      { concurrency: 3.3, throughput: 150 },
      { concurrency: 5.3, throughput: 200 },
    ],
    peakThroughputRps: 231.4,
    peakConcurrency: 47.2,
    sustainableRps: 150,
    sustainableConcurrency: 3.3,
    kneeRps: 140,
    growth: null,
    ...extra,
  };
}

/** A healthy service: every phase passed, one info finding, a capacity model. */
export function healthyRecord(): AssessmentRecord {
  const baseline = fakePhase('baseline', fakeRun({ seconds: steady(10, 50, (i) => 10 + (i % 10)), vus: 8 }), {
    description: 'constant 50 req/s for 10 s',
    offeredRate: 50,
    verdictReason: 'p95 19 ms < 200 ms, no errors',
  });
  const stressRun = fakeRun({ seconds: [...steady(5, 50, 12), ...steady(5, 100, 20), ...steady(5, 150, 40)], vus: 20 });
  const stress = fakePhase('stress', stressRun, {
    description: 'staircase 50 → 150 req/s',
    offeredRate: 150,
    verdictReason: 'held 150 req/s within the SLO',
    stress: { steps: stressSteps().slice(0, 3), stopReason: 'max_rate', breakingRate: null, maxSustainableRate: 150 },
  });
  const spikeRun = fakeRun({ seconds: [...steady(5, 50, 12), ...steady(3, 250, 90), ...steady(5, 50, 14)] });
  const spike = fakePhase('spike', spikeRun, {
    description: '50 → 250 → 50 req/s',
    offeredRate: 250,
    spike: { baseRate: 50, spikeRate: 250, spikeFromSecond: 5, spikeToSecond: 8 },
  });
  const recovery = fakePhase('recovery', fakeRun({ seconds: [...steady(3, 200, 150), ...steady(7, 20, 12)] }), {
    description: 'drop from 200 to 20 req/s',
    recovery: { fromSecond: 3, limitMs: 30, baselineP95Ms: 19, recoveredAfterSeconds: 2 },
  });
  return fakeAssessment([baseline, stress, spike, recovery], {
    id: 'assess-healthy-0001',
    capacity: capacity(),
    findings: [finding('PERF-001', 'info', { title: 'No bottleneck at this load', audit: 'no-bottleneck', evidence: [], location: null })],
  });
}

/** A troubled service: P0…P3 findings, a failed baseline, errors, dropped iterations, a failed threshold. */
export function troubledRecord(): AssessmentRecord {
  const run = fakeRun({ seconds: steady(10, 40, (i) => (i % 20 === 0 ? 6000 : 900), { failed: 3, dropped: 2 }), vus: 30 });
  run.thresholds = [
    {
      selector: 'http_req_duration',
      expression: 'p(95)<200',
      ok: false,
      actual: 900.25,
      abortOnFail: false,
      firstBreachSeconds: 3,
      aborted: false,
    },
    {
      selector: 'http_req_failed',
      expression: 'rate<0.1',
      ok: true,
      actual: 0.075,
      abortOnFail: false,
      firstBreachSeconds: null,
      aborted: false,
    },
  ];
  const baseline = fakePhase('baseline', run, {
    verdict: 'failed',
    verdictReason: 'p95 900 ms > 200 ms',
    description: 'constant 40 req/s for 10 s',
    offeredRate: 40,
  });
  const stress = fakePhase(
    'stress',
    fakeRun({
      seconds: steady(25, 60, 300, { failed: 5, errorKind: 'reset' }),
      generator: { limited: true, reasons: ['CPU 98 % on worker 1'], cpuMax: 0.98 },
    }),
    {
      verdict: 'degraded',
      verdictReason: 'broke at 250 req/s',
      stress: { steps: stressSteps(), stopReason: 'slo_breached', breakingRate: 200, maxSustainableRate: 150 },
    },
  );
  const sustained = fakePhase('sustained', fakeRun({ seconds: [] }), { verdict: 'skipped', verdictReason: 'not in --suite' });
  return fakeAssessment([baseline, stress, sustained], {
    id: 'assess-troubled-0002',
    capacity: capacity({ growth: { percentPerQuarter: 20, currentRps: 100, exceedsAt: '2027-05-25', targetRps: 600, instancesNeeded: 4 } }),
    config: {
      expectedRate: 40,
      slo: { latencyPercentile: 95, latencyMs: 200, errorRate: 0.01, source: ['p95<200ms'] },
      suite: ['baseline', 'stress', 'sustained'],
      soakMs: 30_000,
      growthPercentPerQuarter: 20,
      targetRate: 600,
    },
    findings: [
      finding('PERF-003', 'medium', { confidence: 0.7 }),
      finding('PERF-001', 'critical', { title: 'p95 far above the SLO', type: 'application' }),
      finding('PERF-004', 'low', { type: 'network', title: 'No compression' }),
      finding('PERF-002', 'high', {
        type: 'database',
        title: 'Errors under load',
        location: { file: 'src/db.ts', line: 42, function: 'query' },
      }),
      finding('PERF-005', 'info', { title: 'Note' }),
    ],
  });
}

export const HOSTILE =
  'evil|pipe `tick` <script>alert(1)</script> *star* _under_ [link](javascript:alert(1)) ]]> & "q" \'a\'\n# heading\r\n| --- ' +
  '|\x1b[31mRED\x1b[0m\x07\x00 $x$ ~~s~~';

/** Everything the target controls carries markup, line breaks, control and XML-invalid characters. */
export function hostileRecord(): AssessmentRecord {
  const name = `http://127.0.0.1:3000/${HOSTILE}`;
  const run = fakeRun({ name, seconds: steady(5, 20, 30, { failed: 2, errorKind: HOSTILE }) });
  run.thresholds = [
    {
      selector: `http_req_duration{name:${HOSTILE}}`,
      expression: 'p(95)<1',
      ok: false,
      actual: 30,
      abortOnFail: false,
      firstBreachSeconds: 1,
      aborted: false,
    },
  ];
  run.generator = { ...run.generator, limited: true, reasons: [HOSTILE] };
  const baseline = fakePhase('baseline', run, { description: HOSTILE, verdict: 'failed', verdictReason: HOSTILE });
  return fakeAssessment([baseline], {
    id: 'assess-hostile-0003',
    target: name,
    targetName: '../../etc/passwd <x>',
    status: 'interrupted',
    statusReason: HOSTILE,
    config: {
      expectedRate: null,
      slo: { latencyPercentile: 95, latencyMs: 200, errorRate: 0.01, source: [HOSTILE] },
      suite: ['baseline'],
      soakMs: 1000,
      growthPercentPerQuarter: null,
      targetRate: null,
    },
    findings: [
      finding('PERF-001', 'critical', {
        title: HOSTILE,
        component: HOSTILE,
        description: HOSTILE,
        rootCause: HOSTILE,
        evidence: [{ label: HOSTILE, value: HOSTILE, unit: HOSTILE }],
        location: { endpoint: HOSTILE, file: HOSTILE, function: HOSTILE },
        impact: { userExperience: HOSTILE },
        recommendation: { approach: HOSTILE, expectedImprovement: HOSTILE, effort: 'low', testingRequired: HOSTILE, rollbackPlan: HOSTILE },
      }),
    ],
  });
}

/** Nothing ran: every phase skipped, the assessment failed early. */
export function emptyRecord(): AssessmentRecord {
  return fakeAssessment([fakePhase('baseline', fakeRun({ seconds: [] }), { verdict: 'skipped', verdictReason: 'target unreachable' })], {
    id: 'assess-empty-0004',
    status: 'failed',
    statusReason: 'connection refused',
    config: {
      expectedRate: null,
      slo: { latencyPercentile: 99, latencyMs: 500, errorRate: 0.001, source: [] },
      suite: ['baseline'],
      soakMs: 1000,
      growthPercentPerQuarter: null,
      targetRate: null,
    },
  });
}

export const ALL_RECORDS = { healthy: healthyRecord, troubled: troubledRecord, hostile: hostileRecord, empty: emptyRecord };

/** A comparison as compare.ts stores it in record.comparison (built by hand: renderers only read it). */
export function comparison(): Comparison {
  const ref = (id: string) => ({
    id,
    kind: 'assess' as const,
    target: 'http://127.0.0.1:3000/api',
    startedAt: '2026-11-24T10:00:00.000Z',
    status: 'completed',
    phase: 'baseline',
    durationMs: 10_000,
  });
  return {
    schema: 'speedguard.comparison/1',
    baseline: ref('assess-before-0009'),
    current: ref('assess-troubled-0002'),
    settings: {
      alpha: 0.05,
      confidence: 0.95,
      iterations: 1000,
      seed: 1,
      latencyMetric: 'http_req_duration',
      warmupSeconds: 0,
      thresholds: { responseTime: 0.15, throughput: 0.1, errorRate: 0.05, errorRateMinIncrease: 0.001, cpu: 0.25, memory: 0.2 },
    },
    metrics: [
      {
        id: 'latency_p95',
        label: 'response time p95',
        unit: 'ms',
        worseWhen: 'up',
        baseline: 180,
        current: 900.1,
        change: 4.0006,
        threshold: 0.15,
        pValue: 0.00002,
        test: 'mann-whitney-exact',
        significant: true,
        ci: { low: 3.5, high: 4.4, confidence: 0.95 },
        samples: { baseline: 10, current: 10 },
        verdict: 'regression',
        severity: 'critical',
        reason: 'up 400 %',
      },
      {
        id: 'throughput',
        label: 'throughput',
        unit: 'req/s',
        worseWhen: 'down',
        baseline: 41,
        current: 40,
        change: -0.0244,
        threshold: 0.1,
        pValue: 0.4,
        test: 'mann-whitney-exact',
        significant: false,
        ci: { low: -0.05, high: null, confidence: 0.95 },
        samples: { baseline: 10, current: 10 },
        verdict: 'unchanged',
        severity: null,
        reason: 'within noise',
      },
    ],
    regressions: 1,
    improvements: 0,
    worstSeverity: 'critical',
    verdict: 'regressed',
    notes: ['CPU <not measured> in either run'],
  };
}
