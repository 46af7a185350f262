// Every figure a report shows in more than one place comes from one field of the record: these tests
// read it back out of each section (terminal, Markdown, envelope, HTML, findings, compare) and
// compare it with the record, so two sections can no longer disagree (knee 190 vs null, CPU
// "not measured" beside 96.8 %, …).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAssessment } from '../../src/assess/build-record.ts';
import { compareRecords } from '../../src/analysis/compare.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { buildEnvelope } from '../../src/report/envelope.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderAnalysisMarkdown } from '../../src/report/markdown-analysis.ts';
import { renderTerminalFindings } from '../../src/report/terminal-findings.ts';
import { renderLoadTestMarkdown } from '../../src/report/markdown-load-test.ts';
import { selectMetric } from '../../src/record/select.ts';
import { fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { fakeTargetProbes, procSamples, T0 } from '../helpers/fake-probes.ts';
import { capacity, healthyRecord } from './fixtures.ts';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/severity.ts';
import { databaseTerminalLines } from '../../src/report/terminal-database.ts';
import { colours } from '../../src/report/format.ts';
import { healthyProbes, stmt, withShares } from '../helpers/fake-db-probes.ts';
import { alertRules } from '../../src/assess/alert-rules.ts';
import { renderGithubSummary } from '../../src/report/github-summary.ts';
import { summarise } from '../../src/history/summary.ts';
import { phaseSeries } from '../../src/analysis/per-second-series.ts';
import { windowStats } from '../../src/audits/support/window.ts';
import { fmtDuration } from '../../src/report/format.ts';
import { endpointRows } from '../../src/report/html/sections/endpoints.ts';
import { endpointFigures } from '../../src/report/phase-figures.ts';

type Node = Record<string, any>;

/** A profile as `speedguard profile` builds it: one baseline phase and /proc samples of the target. */
function profiledRecord(mainCpu: number, rss: number): AssessmentRecord {
  const run = fakeRun({ seconds: steady(20, 100, 18) });
  return buildAssessment({
    command: 'profile',
    target: 'http://127.0.0.1:3000/api',
    status: 'completed',
    statusReason: null,
    startedAt: T0,
    endedAt: T0 + 20_000,
    config: {
      expectedRate: 100,
      slo: { latencyPercentile: 95, latencyMs: 200, errorRate: 0.01, source: [] },
      suite: ['baseline'],
      soakMs: 0,
      growthPercentPerQuarter: null,
      targetRate: null,
    },
    phases: [fakePhase('baseline', run, { offeredRate: 100 })],
    probes: { target: fakeTargetProbes({ proc: procSamples(20, { mainCpu, rss }) }) },
  });
}

test('knee: the terminal CAPACITY line, the Markdown table, the envelope and the HTML tile all show record.capacity.kneeRps', () => {
  const rec = healthyRecord();
  rec.capacity = capacity({ kneeRps: 137 });
  assert.match(renderTerminalFindings(rec, { colour: false }), /CAPACITY .*knee 137 req\/s/);
  assert.match(renderAnalysisMarkdown(rec), /\| Knee \(throughput stops growing linearly\) \| 137 req\/s \|/);
  assert.equal((buildEnvelope(rec) as Node).capacity_planning.knee, 137);
  assert.match(renderHtmlReport(rec), /<div class="k">Knee<\/div><div class="v">137 req\/s<\/div>/);
  // No other figure is called a knee anywhere in the text reports.
  const knees = [...renderAnalysisMarkdown(rec).matchAll(/knee[^\n]*?(\d+(?:\.\d+)?) req\/s/gi)].map((m) => Number(m[1]));
  assert.deepEqual([...new Set(knees)], [137]);
});

test("target resources: a profile's CPU and memory are the record's figures in the Markdown, the envelope and compare", () => {
  // main thread 80 % + V8 workers 5 % = 85 % of one core every second; RSS 150 MB.
  const rec = profiledRecord(80, 150e6);
  const res = rec.resources!;
  assert.equal(res.cpuAvgPercent, 85);
  assert.equal(res.cpuPeakPercent, 85);
  assert.equal(res.mainThreadMedianPercent, 80);
  assert.equal(res.rssPeakBytes, 150e6);

  const mdDoc = renderAnalysisMarkdown(rec);
  assert.match(mdDoc, /\| CPU \(target\) \| 85\.0 % of one core \(mean\), peak 85\.0 %; main thread 80\.0 % \(median\) \|/);
  assert.match(mdDoc, /\| Memory \(target\) \| 150\.0 MB RSS \(peak\) \|/);
  assert.doesNotMatch(mdDoc, /not measured \|/);

  const ru = (buildEnvelope(rec) as Node).metrics.resource_utilization;
  assert.equal(ru.cpu_average, res.cpuAvgPercent);
  assert.equal(ru.cpu_peak, res.cpuPeakPercent);
  assert.equal(ru.memory_usage, res.rssPeakBytes);

  // compare reads the same samples: CPU is compared, not "not measured in either run".
  const cmp = compareRecords(rec, profiledRecord(160, 150e6), { iterations: 200 });
  const cpu = cmp.metrics.find((m) => m.id === 'cpu')!;
  assert.notEqual(cpu.verdict, 'skipped', cpu.reason ?? '');
  assert.ok(Math.abs(cpu.baseline! - res.cpuAvgPercent! / 100) < 1e-9, `${cpu.baseline}`);
  assert.ok(Math.abs(cpu.current! - 1.65) < 1e-9, `${cpu.current}`);
  assert.equal(cpu.verdict, 'regression');
  assert.ok(!cmp.notes.some((n) => /CPU \(mean\): not measured/.test(n)), cmp.notes.join('\n'));
});

test('target resources: an unprofiled assessment says "not measured" everywhere, never 0', () => {
  const rec = healthyRecord();
  assert.match(renderAnalysisMarkdown(rec), /\| CPU \(target\) \| not measured \|/);
  const ru = (buildEnvelope(rec) as Node).metrics.resource_utilization;
  assert.equal(ru.cpu_average, null);
  assert.equal(ru.memory_usage, null);
});

test('expected load: "derived from the stress phase" only when a stress phase ran and derived it', () => {
  assert.match(renderAnalysisMarkdown(profiledRecord(20, 100e6)), /\| Expected load \| 100 req\/s \|/);
  const noRate = profiledRecord(20, 100e6);
  noRate.config.expectedRate = null;
  assert.match(renderAnalysisMarkdown(noRate), /\| Expected load \| not given \|/);
  const derived = healthyRecord();
  derived.config.expectedRate = null;
  derived.probes.effectiveExpectedRate = 75;
  assert.match(renderAnalysisMarkdown(derived), /\| Expected load \| not given: 75\.0 req\/s used \(derived from the stress phase\) \|/);
});

test("database figures: computed once with the audits' thresholds, stored in the record, and only drawn by every report", () => {
  const base = healthyProbes();
  // 300 ms per call: slow under a 250 ms bar, not under the default 500 ms one.
  const probes = healthyProbes({
    statements: withShares([...base.statements, stmt({ query: 'SELECT * FROM events WHERE kind = $1', calls: 40, meanExecMs: 300 })]),
  });
  const thresholds = { ...DEFAULT_THRESHOLDS, dbQueryMs: { p0: 1000, p1: 500, p2: 250 } };
  const rec = buildAssessment({
    command: 'db',
    target: probes.url,
    status: 'completed',
    statusReason: null,
    startedAt: T0,
    endedAt: T0 + 1000,
    config: {
      expectedRate: null,
      slo: { latencyPercentile: 95, latencyMs: 200, errorRate: 0.01, source: [] },
      suite: [],
      soakMs: 0,
      growthPercentPerQuarter: null,
      targetRate: null,
    },
    probes: { database: probes },
    thresholds,
  });
  const f = rec.databaseFigures!;
  assert.equal(f.slowQueries, 1, 'counted with the thresholds the audits used');
  assert.equal(f.slowBarMs, 250);
  // Renderers draw the stored figures: change them and every section follows.
  rec.databaseFigures = { ...f, slowQueries: 7, queryTimeAvgMs: 12.5, cacheHitRatio: 0.875, cacheSource: 'stored', cacheBlocks: 80 };
  const db = (buildEnvelope(rec) as Node).metrics.database_performance;
  assert.equal(db.slow_queries, 7);
  assert.equal(db.query_time_avg, 12.5);
  assert.equal(db.cache_hit_ratio, 0.875);
  assert.match(db.basis, /mean > 250 ms/);
  const mdDoc = renderAnalysisMarkdown(rec);
  assert.match(mdDoc, /\| Slow statements \| 7 \|/);
  assert.match(mdDoc, /\| Mean query time \| 12\.5\s?ms \|/);
  assert.match(mdDoc, /\| Cache hit ratio \| 87\.50\s?% \(stored, 80 blocks\) \|/);
  assert.match(databaseTerminalLines(rec, colours(false)).join('\n'), /mean 12\.5ms · cache hit 87\.50%/);
  const page = renderHtmlReport(rec);
  assert.match(page, /<dt>Slow statements<\/dt><dd>7<\/dd>/);
  assert.match(page, /<dt>Mean query time<\/dt><dd>12\.5\s?ms<\/dd>/);
});

test('requests and p95 per phase: Markdown Results, the load-test report, the HTML phase table and the envelope read one figure', () => {
  const rec = healthyRecord();
  const analysis = renderAnalysisMarkdown(rec);
  const loadTest = renderLoadTestMarkdown(rec);
  const page = renderHtmlReport(rec);
  const scenarios = (buildEnvelope(rec) as Node).load_testing.scenarios as Node[];
  for (const p of rec.phases) {
    const requests = selectMetric(p.run, 'http_reqs')!.sum;
    const p95 = selectMetric(p.run, 'http_req_duration')!.percentile(95);
    assert.match(analysis, new RegExp(`^\\| ${p.name} \\| [^|]+ \\| [^|]+ \\| ${requests} \\|`, 'm'), `${p.name}: Results`);
    assert.match(loadTest, new RegExp(`^\\| ${p.name} \\| ${requests} \\|`, 'm'), `${p.name}: Results per phase`);
    const row = new RegExp(`<tr data-phase="${p.name}">.*?</tr>`).exec(page)![0];
    assert.match(row, new RegExp(`data-field="requests">${requests}<`), `${p.name}: HTML phase table`);
    const fmt = (v: number) => (v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : null);
    if (fmt(p95))
      assert.match(
        row,
        new RegExp(`data-field="p95">${fmt(p95)!.replace('.', '\\.')}\\s?ms<`),
        `${p.name}: HTML p95 = the Markdown's response time`,
      );
    const env = scenarios.find((x) => x.name === p.name)!;
    assert.equal(env.requests, requests, `${p.name}: envelope`);
  }
});

test('capacity at the SLO: terminal, Markdown, envelope, HTML tile, GitHub summary and history agree; the scale alert is at 80 %', () => {
  const rec = healthyRecord();
  rec.capacity = capacity({ sustainableRps: 142 });
  rec.alerts = alertRules(rec);
  assert.match(renderTerminalFindings(rec, { colour: false }), /CAPACITY .*142 req\/s at the SLO/);
  assert.match(renderAnalysisMarkdown(rec), /\| Sustainable throughput at the SLO \| 142 req\/s \|/);
  assert.equal((buildEnvelope(rec) as Node).capacity_planning.current_capacity, 142);
  assert.match(renderHtmlReport(rec), /<div class="k">Sustainable at the SLO<\/div><div class="v">142 req\/s<\/div>/);
  assert.match(renderGithubSummary(rec), /\| Capacity at the SLO \| 142 req\/s \|/);
  assert.equal(summarise(rec as never).sustainableRps, 142);
  const scale = (buildEnvelope(rec) as Node).monitoring_recommendations.find((a: Node) => a.urgency === 'scale');
  assert.equal(scale.threshold, 113.6);
  // Without a capacity model every place falls back to the stress phase's highest passing rate, alike.
  rec.capacity = null;
  rec.alerts = alertRules(rec);
  assert.equal((buildEnvelope(rec) as Node).capacity_planning.current_capacity, 150);
  assert.match(renderGithubSummary(rec), /\| Capacity at the SLO \| 150 req\/s \|/);
  assert.equal(summarise(rec as never).sustainableRps, 150);
  assert.equal((buildEnvelope(rec) as Node).monitoring_recommendations.find((a: Node) => a.urgency === 'scale').threshold, 120);
});

test('alerts are decided when the record is built and only rendered: the envelope shows record.alerts as stored', () => {
  const rec = profiledRecord(0.3, 80e6);
  assert.deepEqual(
    rec.alerts!.map((a) => [a.metric, a.urgency, a.threshold, a.forSeconds]),
    [
      ['http_req_duration p95', 'warn', 200, 120],
      ['http_req_failed rate', 'page', 0.01, 120],
    ],
  );
  rec.alerts = [{ ...rec.alerts![0]!, threshold: 321 }];
  assert.deepEqual(
    (buildEnvelope(rec) as Node).monitoring_recommendations.map((a: Node) => a.threshold),
    [321],
  );
});

test("per-second figures: the Markdown spike table, the HTML charts, the audits' windows and the peak throughput read one series", () => {
  // The spike's last second (spikeToSecond) is its slowest: a table that left it out of "during"
  // (or a chart that ended the spike a second early) would show a lower worst second than the chart.
  const spikeRun = fakeRun({
    seconds: [
      ...steady(5, 50, 12),
      ...steady(3, 250, (i) => 60 + (i % 40)),
      { requests: 300, latencyMs: (i) => 150 + (i % 90) },
      ...steady(5, 50, 14),
    ],
  });
  const rec = healthyRecord();
  const i = rec.phases.findIndex((p) => p.name === 'spike');
  rec.phases[i] = fakePhase('spike', spikeRun, {
    offeredRate: 300,
    spike: { baseRate: 50, spikeRate: 300, spikeFromSecond: 5, spikeToSecond: 8 },
  });
  const series = phaseSeries(spikeRun);
  const during = series.second.map((s, k) => (s >= 5 && s <= 8 ? series.p95[k]! : -Infinity));
  const worst = Math.max(...during);
  assert.equal(series.second[during.indexOf(worst)], 8, 'the slowest second is the last of the spike');
  const md = renderLoadTestMarkdown(rec);
  assert.match(md, new RegExp(`\\| p95 during \\(worst second\\) \\| ${fmtDuration(worst).replace('.', '\\.')} \\|`));
  assert.match(md, /\| Spike window \| 5 s – 9 s \|/);
  assert.match(md, /\| Throughput during \(best second\) \| 300 req\/s \|/);
  // The audits' per-second percentile is the chart's, second by second.
  for (const [k, second] of series.second.entries()) {
    const audit = windowStats(spikeRun, 'http_req_latency', { from: second, to: second }).quantile(95);
    assert.equal(audit, series.p95[k], `second ${second}`);
  }
  // The peak throughput the envelope states is the highest point of the charts' throughput line.
  const peak = Math.max(...rec.phases.flatMap((p) => phaseSeries(p.run).rps));
  assert.equal((buildEnvelope(rec) as Node).metrics.throughput.peak_measured, Math.round(peak * 10) / 10);
});

test("endpoints: the HTML endpoint table's rows are the Markdown Requests table's figures (one per method and request name)", () => {
  const rec = healthyRecord();
  const baseline = rec.phases.find((p) => p.name === 'baseline')!;
  const rows = endpointRows(baseline.run);
  assert.ok(rows.length > 0);
  assert.deepEqual(
    rows.map(({ statuses: _, ...figures }) => figures),
    endpointFigures(baseline.run).sort((a, b) => b.requests - a.requests),
  );
  const md = renderLoadTestMarkdown(rec);
  for (const r of rows) {
    const p95 = fmtDuration(r.p95Ms!).replace('.', '\\.');
    assert.match(md, new RegExp(`^\\| baseline \\| ${r.method} \\| [^|]+ \\| ${r.requests} \\| [^|]+ \\| [^|]+ \\| ${p95} \\|`, 'm'));
    assert.match(r.statuses, new RegExp(`^200 × ${r.requests}$`));
  }
});
