// The JSON assessment envelope of ASSESSMENT-RULES.md §5: one object per assessment, machine-readable twin of the
// Markdown evidence report. Its JSON Schema is schema/assessment-envelope.schema.json (shipped).
// Every number carries its unit in its name or in a sibling `unit`/`units` field.
//
// Choices made here (ASSESSMENT-RULES.md leaves them open):
// - assessment_type: "capacity_planning" when the user asked a capacity question (--growth or a
//   target rate) and a capacity model was fitted; otherwise "load_testing" (assess runs load tests).
// - performance_status and overall_score: the record's verdict (assess/verdict.ts decides it).
// - bottlenecks: findings of severity low and above (info findings, e.g. "no bottleneck at this
//   load", are not bottlenecks; they are in `observations`).
// - optimizations: one OPT-NNN per bottleneck, numbered in the same (most severe first) order.
// - load_testing.scenarios: phases that ran; skipped phases are listed in skipped_scenarios.
import type { Finding } from '../record/findings.ts';
import { ENVELOPE_SCHEMA, type AssessmentRecord } from '../record/assessment-record.ts';
import type { DatabaseFigures } from '../record/database-figures.ts';
import { VERSION } from '../version.ts';
import { targetProbesOf, type ObserverEffect } from '../record/target-probes.ts';
import { observerText } from '../analysis/observer-effect.ts';
import { DEFAULT_THRESHOLDS } from '../analysis/severity.ts';
import { capacityAtSlo } from '../analysis/capacity-figure.ts';
import { databaseFiguresOf, dbView, PGHERO_SLOW_CALLS, PGHERO_SLOW_MS } from '../analysis/database-figures.ts';
import { asRanked, priorityLabel, RESPOND_WITHIN_HOURS, SEVERITY_ORDER } from '../record/findings.ts';
import { comparisonOf, durationPercentile, phaseFigures, referencePhase, type PhaseFigures } from './phase-figures.ts';

export interface EnvelopeOptions {
  /** The task id of whoever asked for the assessment (default: the record id). */
  taskId?: string;
  /** Who sends the envelope (default "speedguard"). */
  from?: string;
}

type Json = Record<string, unknown>;

const nn = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : round(v));
function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v * 10) / 10 : Math.round(v * 1000) / 1000;
}

function bottleneck(f: Finding): Json {
  return {
    id: f.id,
    title: f.title,
    type: f.type,
    severity: f.severity,
    priority: priorityLabel(f.severity),
    confidence: round(f.confidence),
    component: f.component,
    description: f.description,
    location: {
      file: f.location?.file ?? null,
      line: f.location?.line ?? null,
      function: f.location?.function ?? null,
      endpoint: f.location?.endpoint ?? null,
    },
    impact: {
      response_time_increase: f.impact.responseTimeIncrease ?? null,
      throughput_reduction: f.impact.throughputReduction ?? null,
      user_experience: f.impact.userExperience ?? null,
      resource_waste: f.impact.resourceWaste ?? null,
    },
    root_cause: f.rootCause,
    evidence: f.evidence.map((e) => ({
      label: e.label,
      value: typeof e.value === 'number' && !Number.isFinite(e.value) ? null : e.value,
      unit: e.unit ?? null,
      phase: e.phase ?? null,
    })),
    invalidates_others: f.invalidatesOthers === true,
    optimization: {
      approach: f.recommendation.approach,
      expected_improvement: f.recommendation.expectedImprovement,
      implementation_effort: f.recommendation.effort,
      testing_required: f.recommendation.testingRequired,
      rollback_plan: f.recommendation.rollbackPlan,
    },
  };
}

function optimization(f: Finding, n: number): Json {
  return {
    id: `OPT-${String(n).padStart(3, '0')}`,
    finding_id: f.id,
    category: f.type,
    priority: priorityLabel(f.severity),
    title: f.title,
    description: f.recommendation.approach,
    implementation: {
      changes: [f.recommendation.approach],
      effort: f.recommendation.effort,
      // Findings carry effort and a rollback plan, not a risk rating: not invented here.
      risk: null,
      testing_strategy: f.recommendation.testingRequired,
      rollback_plan: f.recommendation.rollbackPlan,
    },
    expected_benefits: {
      description: f.recommendation.expectedImprovement,
      response_time: f.impact.responseTimeIncrease ?? null,
      throughput: f.impact.throughputReduction ?? null,
    },
  };
}

function scenario(p: PhaseFigures): Json {
  return {
    name: p.name,
    description: p.description,
    concurrent_users: p.vusMax,
    offered_rate: round(p.offeredRate),
    duration: round(p.durationS),
    result: p.verdict,
    result_reason: p.verdictReason,
    avg_response_time: nn(p.avgMs),
    p95_response_time: nn(p.p95Ms),
    p99_response_time: nn(p.p99Ms),
    throughput: round(p.rps),
    requests: p.requests,
    error_rate: round(p.errorRate),
    dropped_iterations: p.droppedIterations,
    units: {
      offered_rate: 'req/s',
      duration: 's',
      avg_response_time: 'ms',
      p95_response_time: 'ms',
      p99_response_time: 'ms',
      throughput: 'req/s',
      error_rate: 'ratio',
    },
  };
}

function capacityPlanning(record: AssessmentRecord): Json {
  const c = record.capacity;
  const current = capacityAtSlo(record);
  const g = c?.growth ?? null;
  const recs: string[] = [];
  if (g?.exceedsAt)
    recs.push(
      `At ${g.percentPerQuarter} % growth per quarter from ${round(g.currentRps)} req/s, load exceeds the measured capacity of ` +
        `${current === null ? '?' : round(current)} req/s on ${g.exceedsAt}: scale before then.`,
    );
  if (g?.instancesNeeded != null && g.targetRps != null)
    recs.push(
      `${g.instancesNeeded} instance(s) of this size serve the target of ${round(g.targetRps)} req/s ` +
        `(${current === null ? '?' : round(current)} req/s each at the SLO).`,
    );
  return {
    current_capacity: nn(current),
    current_capacity_unit: 'req/s',
    // true: the load generator gave out first; the service holds at least current_capacity.
    current_capacity_is_lower_bound: c?.lowerBound === true,
    max_concurrency: c ? nn(c.sustainableConcurrency) : null,
    knee: c ? nn(c.kneeRps) : null,
    knee_unit: 'req/s',
    model: c
      ? {
          name: 'Universal Scalability Law',
          lambda: c.lambda,
          sigma: c.sigma,
          kappa: c.kappa,
          r2: round(c.r2),
          fit_quality: c.fitQuality,
          peak_throughput: nn(c.peakThroughputRps),
          peak_throughput_unit: 'req/s',
          peak_concurrency: nn(c.peakConcurrency),
          points: c.points.map((p) => ({ concurrency: round(p.concurrency), throughput: round(p.throughput) })),
        }
      : null,
    projected_growth: g
      ? {
          percent_per_quarter: g.percentPerQuarter,
          current_load: round(g.currentRps),
          target_load: g.targetRps === null ? null : round(g.targetRps),
          unit: 'req/s',
        }
      : null,
    // Derived, not judged: scaling is needed when the growth projection crosses capacity within the
    // horizon, or the target load takes more than one instance.
    scaling_needed: g ? g.exceedsAt !== null || (g.instancesNeeded ?? 1) > 1 : null,
    scaling_needed_by: g?.exceedsAt ?? null,
    instances_needed: g?.instancesNeeded ?? null,
    infrastructure_recommendations: recs,
  };
}

function monitoring(record: AssessmentRecord): Json[] {
  return (record.alerts ?? []).map((r) => ({
    metric: r.metric,
    comparison: r.comparison,
    threshold: r.threshold,
    unit: r.unit,
    for_seconds: r.forSeconds,
    urgency: r.urgency,
    action: r.action,
  }));
}

export function buildEnvelope(record: AssessmentRecord, opts: EnvelopeOptions = {}): Json {
  const findings = asRanked(record.findings);
  const bottlenecks = findings.filter((f) => f.severity !== 'info');
  const observations = findings.filter((f) => f.severity === 'info');
  const { status, score } = record.verdict;
  const phases = record.phases.filter((p) => p.verdict !== 'skipped').map(phaseFigures);
  const ref = referencePhase(record);
  const base = ref ? phaseFigures(ref) : null;
  const slo = record.config.slo;
  const sloValue = ref ? durationPercentile(ref.run, slo.latencyPercentile) : null;
  const res = record.resources ?? null;
  const cap = capacityPlanning(record);
  const capacityRps = cap.current_capacity as number | null;
  const counts = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length]));

  const assessment =
    record.status === 'completed'
      ? 'Assessment'
      : `Assessment ${record.status.toUpperCase()} (${record.statusReason ?? 'no reason recorded'})`;
  const summaryParts = [
    `${assessment} of ${record.target}: ${status}, score ${score}/10.`,
    bottlenecks.length
      ? `${bottlenecks.length} bottleneck(s): ${bottlenecks
          .slice(0, 3)
          .map((f) => `${f.id} ${f.title} (${priorityLabel(f.severity)})`)
          .join('; ')}${bottlenecks.length > 3 ? '; …' : ''}.`
      : 'No bottleneck found at the tested load.',
    phases.length ? `Phases: ${phases.map((p) => `${p.name} ${p.verdict}`).join(', ')}.` : 'No phase ran.',
  ];
  if (capacityRps !== null) summaryParts.push(`Capacity at the SLO: ${round(capacityRps)} req/s.`);

  return {
    schema: ENVELOPE_SCHEMA,
    from: opts.from ?? 'speedguard',
    generator: { name: 'speedguard', version: VERSION },
    task_id: opts.taskId ?? record.id,
    assessment_id: record.id,
    assessment_type:
      record.capacity && (record.config.growthPercentPerQuarter !== null || record.config.targetRate !== null)
        ? 'capacity_planning'
        : 'load_testing',
    target: record.target,
    run_status: record.status,
    run_status_reason: record.statusReason,
    started_at: record.startedAt,
    ended_at: record.endedAt,
    duration_s: round(record.durationMs / 1000),
    performance_status: status,
    overall_score: score,
    summary: summaryParts.join(' '),
    findings_by_severity: counts,
    slo: { latency_percentile: slo.latencyPercentile, latency_ms: slo.latencyMs, error_rate: slo.errorRate, source: slo.source },
    metrics: {
      response_time: {
        unit: 'ms',
        phase: base?.name ?? null,
        percentile: slo.latencyPercentile,
        current: nn(sloValue),
        target: slo.latencyMs,
        p50: nn(base?.p50Ms),
        p95: nn(base?.p95Ms),
        p99: nn(base?.p99Ms),
        avg: nn(base?.avgMs),
      },
      throughput: {
        unit: 'req/s',
        phase: base?.name ?? null,
        current: base ? round(base.rps) : null,
        target: record.config.expectedRate === null ? null : round(record.config.expectedRate),
        peak_capacity: capacityRps,
        peak_measured: phases.length ? round(Math.max(...phases.map((p) => p.peakRps))) : null,
      },
      error_rate: { unit: 'ratio', phase: base?.name ?? null, current: base ? round(base.errorRate) : null, target: slo.errorRate },
      // The record's figures (profiled runs); null means "not measured", never 0.
      resource_utilization: {
        cpu_average: nn(res?.cpuAvgPercent),
        cpu_peak: nn(res?.cpuPeakPercent),
        memory_usage: nn(res?.rssPeakBytes),
        disk_io: nn(res?.diskBytesPerSec),
        network_io: null,
        units: {
          cpu_average: 'percent of one core',
          cpu_peak: 'percent of one core',
          memory_usage: 'bytes (peak RSS)',
          disk_io: 'bytes/s',
          network_io: 'bytes/s',
        },
      },
      database_performance: databasePerformance(record),
    },
    bottlenecks: bottlenecks.map(bottleneck),
    observations: observations.map((f) => ({ id: f.id, title: f.title, component: f.component, description: f.description })),
    optimizations: bottlenecks.map((f, i) => optimization(f, i + 1)),
    load_testing: {
      scenarios: phases.map(scenario),
      skipped_scenarios: record.phases.filter((p) => p.verdict === 'skipped').map((p) => ({ name: p.name, reason: p.verdictReason })),
      recommendations: bottlenecks.map((f) => `${f.id}: ${f.recommendation.approach}`),
    },
    monitoring_recommendations: monitoring(record),
    capacity_planning: cap,
    next_actions: bottlenecks.map((f) => ({
      priority: priorityLabel(f.severity),
      finding_id: f.id,
      action: f.recommendation.approach,
      respond_within_hours: RESPOND_WITHIN_HOURS[f.severity],
      blocks_deployment: f.severity === 'critical',
    })),
    observer_effect: observerEffect(record),
    regression_check: regressionCheck(record),
    performance_budget: {
      response_time: { percentile: slo.latencyPercentile, limit: slo.latencyMs, actual: nn(sloValue), unit: 'ms' },
      error_rate: { limit: slo.errorRate, actual: base ? round(base.errorRate) : null, unit: 'ratio' },
      throughput: {
        target: record.config.expectedRate === null ? null : round(record.config.expectedRate),
        actual: base ? round(base.rps) : null,
        unit: 'req/s',
      },
    },
  };
}

/** What the profilers cost the profiled run (issue 12), beside the figures measured under them; null when nothing was profiled. */
function observerEffect(record: AssessmentRecord): Json | null {
  const o: ObserverEffect | null | undefined = record.probes && typeof record.probes === 'object' ? targetProbesOf(record)?.observer : null;
  if (!o || typeof o !== 'object') return null;
  const step = (x: ObserverEffect['profiled']) => ({
    duration_ms: round(x.durationMs),
    requests: x.requests,
    rps: round(x.rps),
    p50_ms: nn(x.p50Ms),
  });
  return {
    model: o.model,
    phase: o.phase ?? null,
    sampling_interval_us: o.samplingIntervalUs,
    throughput_cost: round(o.throughputCost),
    latency_cost: nn(o.latencyCost),
    profiler_thread_cpu_percent: nn(o.profilerThreadCpuPercent),
    profiled: step(o.profiled),
    reference: step(o.reference),
    summary: observerText(o),
  };
}

/**
 * The database figures (speedguard db, assess --db, profile --db); all null without database probes.
 * pg_stat_statements keeps sums per statement, not a distribution of calls: query_time_p95 is the
 * 95th percentile of per-statement mean times weighted by calls (said in `basis`).
 */
/** How the database figures were measured, one clause per figure. */
function databaseBasis(f: DatabaseFigures): string {
  const load = f.mode === 'load';
  return [
    load ? 'pg_stat_statements differences over the measured windows' : 'cumulative pg_stat_statements since the last statistics reset',
    'query_time_p95 = 95th percentile of per-statement mean times weighted by calls',
    `slow_queries = statements with mean > ${f.slowBarMs ?? DEFAULT_THRESHOLDS.dbQueryMs.p2} ms ` +
      `or (≥ ${PGHERO_SLOW_CALLS} calls and mean ≥ ${PGHERO_SLOW_MS} ms)`,
    'connection_pool = peak connections / max_connections',
    `cache_hit_ratio = shared-buffer hits / (hits + reads)${load ? ' of the statements run under the load' : ' of the tables'}.`,
  ].join('; ');
}

function databasePerformance(record: AssessmentRecord): Json {
  const units = { query_time_avg: 'ms', query_time_p95: 'ms', slow_queries: 'count', connection_pool: 'ratio', cache_hit_ratio: 'ratio' };
  const v = dbView(record);
  const f = databaseFiguresOf(record);
  if (!v || !f)
    return { query_time_avg: null, query_time_p95: null, slow_queries: null, connection_pool: null, cache_hit_ratio: null, units };
  return {
    query_time_avg: nn(f.queryTimeAvgMs),
    query_time_p95: nn(f.queryTimeP95Ms),
    slow_queries: f.slowQueries,
    connection_pool: nn(f.connectionUse),
    cache_hit_ratio: f.cacheHitRatio === null ? null : Math.round(f.cacheHitRatio * 10_000) / 10_000,
    units,
    mode: f.mode,
    database: v.database,
    basis: databaseBasis(f),
  };
}

/** With --baseline: the comparison's outcome in brief (the full comparison is in the record). */
function regressionCheck(record: AssessmentRecord): Json | null {
  const c = comparisonOf(record.comparison);
  if (!c) return null;
  return {
    baseline_id: c.baseline.id,
    verdict: c.verdict,
    regressions: c.regressions,
    improvements: c.improvements,
    worst_severity: c.worstSeverity,
    metrics: c.metrics.map((m) => ({
      id: m.id,
      unit: m.unit,
      baseline: nn(m.baseline),
      current: nn(m.current),
      change_ratio: nn(m.change),
      p_value: m.pValue,
      significant: m.significant,
      verdict: m.verdict,
      severity: m.severity,
    })),
  };
}
