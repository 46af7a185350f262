// Issue 12, calibration: assess --profile profiles where the capacity is decided — a `capacity` phase at
// the highest rate the stress phase sustained, not the half-load baseline — and the finding that
// explains the breaking point names the resource that limits it, from that profile. The finding about
// that resource ranks first within its severity; what profiling cost there is measured and reported
// (the observer effect). Real services (test/fixtures/profile), quick phases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { assessProfiledFixture, capacitySummary } from '../helpers/profile.ts';
import { limitingResource } from '../../src/audits/support/limiting.ts';
import { renderTerminalFindings } from '../../src/report/terminal-findings.ts';
import { renderAnalysisMarkdown } from '../../src/report/markdown-analysis.ts';
import { renderHtmlReport } from '../../src/report/html.ts';

const assessProfiled = (fixture: string) => assessProfiledFixture(fixture);
const summary = capacitySummary;

/** The profile's window lies inside the capacity phase's run (not the baseline's). */
function assertProfiledAtCapacity(r: AssessmentRecord): void {
  const stress = r.phases.find((p) => p.name === 'stress')?.stress;
  const capacity = r.phases.find((p) => p.name === 'capacity');
  assert.ok(stress && capacity, summary(r));
  // The highest sustained rate, kept under the generator's ceiling like every later phase (suite.ts).
  const wanted = stress.maxSustainableRate ?? stress.steps[0]!.offeredRate;
  assert.ok(capacity.offeredRate <= wanted && capacity.offeredRate >= Math.floor(0.8 * wanted), summary(r));
  const baseline = r.phases.find((p) => p.name === 'baseline')!;
  assert.ok(capacity.offeredRate > baseline.offeredRate, summary(r));
  const w = targetProbesOf(r)!.window!;
  assert.ok(w.fromEpochMs >= Date.parse(capacity.run.startedAt) - 2000, 'window starts with the capacity phase');
  assert.ok(w.toEpochMs <= Date.parse(baseline.run.startedAt), 'window ends before the baseline');
}

/**
 * Issue 12, "Disclose the observer effect": the capacity phase is profiled between two short halves of
 * the same arrival rate without the profilers; the record (read back from its JSON, as `speedguard
 * report` does) holds what profiling cost there, and every report says it beside the profile.
 * Ratios and kinds only, no timings: the machine is shared.
 */
function assertObserverAtCapacity(r: AssessmentRecord, t: { diagnostic(m: string): void }): void {
  const stored = JSON.parse(JSON.stringify(r)) as AssessmentRecord;
  const o = targetProbesOf(stored)?.observer;
  const capacity = stored.phases.find((p) => p.name === 'capacity')!;
  assert.ok(o, `the record holds the observer effect of the capacity phase\n${summary(r)}`);
  assert.equal(o.model, 'open');
  assert.equal(o.phase, 'capacity');
  assert.equal(o.offeredRate, capacity.offeredRate);
  assert.equal(o.samplingIntervalUs, 1000);
  // Both halves ran (their spread is known) and served requests; the profiled side is the capacity phase's run.
  assert.ok(o.referenceSpread && Number.isFinite(o.referenceSpread.rps), JSON.stringify(o));
  assert.ok(o.reference.requests > 0 && o.profiled.requests > 0, JSON.stringify(o));
  // Sane under an arrival rate: neither side completed more than it was offered (steady seconds, some slack
  // for a second that caught up), nor nothing; the latency cost is a ratio, not a measurement error.
  for (const side of [o.reference, o.profiled]) assert.ok(side.rps > 0 && side.rps <= 1.5 * capacity.offeredRate, JSON.stringify(o));
  assert.ok(Number.isFinite(o.throughputCost) && o.throughputCost > -1 && o.throughputCost < 1, JSON.stringify(o));
  assert.ok(o.latencyCost !== null && Number.isFinite(o.latencyCost) && o.latencyCost > -1, JSON.stringify(o));
  assert.ok(typeof o.profilerThreadCpuPercent === 'number' && o.profilerThreadCpuPercent < 100, JSON.stringify(o));

  // Under an arrival rate the latency and keeping up are what is said; never a throughput cost.
  const said = new RegExp(
    '(Profiling added .* to the median latency|Profiling multiplied the median latency by [\\d.]+|' +
      'No measurable latency cost: .* lower than without the profilers|Profiling added no measurable latency) ' +
      String.raw`\(p50 .* vs .*` +
      String.raw`at the same ${capacity.offeredRate} req/s around the capacity phase\)\. ` +
      '(It kept up with|Of the [\\d.]+ req/s offered it completed) ',
  );
  const terminal = renderTerminalFindings(stored, { colour: false });
  const line = terminal.split('\n').find((l) => l.includes('observer effect: '));
  assert.ok(line, terminal);
  assert.match(line, said);
  assert.doesNotMatch(line, /of the throughput/);
  assert.match(renderAnalysisMarkdown(stored), /\*\*Observer effect\.\*\* .*around the capacity phase/);
  const html = renderHtmlReport(stored);
  assert.match(html, /<dt>Observer effect<\/dt><dd data-observer-cost="[-\d.]+">[^<]*around the capacity phase/);
  t.diagnostic(line.trim());
}

/**
 * The finding that explains the breaking point (saturation-knee) names the resource. On a machine busy
 * enough that the load generator gave out during the stress phase, the staircase is not trusted and no
 * such finding is made (generator-bound says so); the limiting resource is still read from the profile.
 */
function kneeNaming(r: AssessmentRecord, t: { diagnostic(m: string): void }, name: RegExp): void {
  const knee = r.findings.find((f) => f.audit === 'saturation-knee' && /^Saturates/.test(f.title));
  if (!knee) {
    assert.ok(
      r.findings.some((f) => f.audit === 'generator-bound'),
      `no saturation finding although the generator held\n${summary(r)}`,
    );
    return;
  }
  t.diagnostic(`${knee.title} | ${knee.rootCause}`);
  assert.match(knee.title, name, summary(r));
}

/**
 * On a host so busy that the load generator could not hold the capacity phase's rate, the profile
 * measured a lighter load than the capacity (generator-bound names the phase): nothing to judge.
 */
function generatorGaveOutAtCapacity(r: AssessmentRecord, t: { diagnostic(m: string): void }): boolean {
  const note = r.findings.find((f) => f.audit === 'generator-bound' && /\bcapacity\b/.test(f.title));
  if (note) t.diagnostic(`not judged: ${note.title}`);
  return note !== undefined;
}

/** The finding about the limiting resource is first among its severity (after the capacity findings and notes). */
function rankedFirst(r: AssessmentRecord, limit: AssessmentRecord['findings'][number]): void {
  const same = r.findings.filter(
    (f) =>
      f.severity === limit.severity &&
      !['saturation-knee', 'throughput-plateau', 'endpoint-bottleneck'].includes(f.audit) &&
      !f.invalidatesOthers,
  );
  assert.equal(same[0], limit, summary(r));
}

test('a pool-bound service: profiled at its capacity, the breaking point is explained by the pool, ranked first', async (t) => {
  const r = await assessProfiled('downstream.mjs');
  assertProfiledAtCapacity(r);
  assertObserverAtCapacity(r, t);
  if (generatorGaveOutAtCapacity(r, t)) return;
  // At the highest sustained rate the 2-socket pool is either pinned with requests waiting (a busy
  // host) or just short of it, the calls taking nearly all the request time (a quiet one): both name it.
  const limit = limitingResource(r);
  assert.ok(limit?.kind === 'pool' || limit?.kind === 'downstream', summary(r));
  assert.match(
    limit.text,
    /^(the connection pool to|calls to) http:\/\/127\.0\.0\.1:\d+ \((2 sockets busy in most seconds|\d+ % of the request time)/,
    limit.text,
  );
  kneeNaming(r, t, /limited by (the connection pool to|calls to) http:\/\/127\.0\.0\.1:\d+/);
  const pool = r.findings.find((f) => f.audit === 'downstream-wait' && f.component === limit.component);
  assert.ok(pool, summary(r));
  assert.ok(
    pool.evidence.every((e) => e.phase === undefined || e.phase === 'capacity'),
    JSON.stringify(pool.evidence),
  );
  rankedFirst(r, pool);
  // A resource at its limit at a rate above the expected load, while the objective holds there: a capacity fact.
  if (r.phases.find((p) => p.name === 'baseline')?.verdict === 'passed')
    assert.ok(!['critical', 'high'].includes(pool.severity), summary(r));
});

test('a CPU-bound service: the breaking point is explained by the main thread and the function holding it', async (t) => {
  const r = await assessProfiled('cpu-bound.mjs');
  assertProfiledAtCapacity(r);
  assertObserverAtCapacity(r, t);
  if (generatorGaveOutAtCapacity(r, t)) return;
  const limit = limitingResource(r);
  assert.equal(limit?.kind, 'cpu', summary(r));
  assert.equal(limit.location?.function, 'computeScore', summary(r));
  assert.match(limit.location?.file ?? '', /cpu-bound\.mjs$/);
  kneeNaming(r, t, /limited by the main thread's CPU/);
  const knee = r.findings.find((f) => f.audit === 'saturation-knee' && /^Saturates/.test(f.title));
  if (knee) assert.equal(knee.location?.function, 'computeScore', summary(r));
  const cpu = r.findings.find((f) => f.audit === 'cpu-bound');
  assert.ok(cpu, summary(r));
  rankedFirst(r, cpu);
});
