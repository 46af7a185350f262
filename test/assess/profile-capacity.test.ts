// Issue 12, calibration: assess --profile profiles where the capacity is decided — a `capacity` phase at
// the highest rate the stress phase sustained, not the half-load baseline — and the finding that
// explains the breaking point names the resource that limits it, from that profile. The finding about
// that resource ranks first within its severity. Real services (test/fixtures/profile), quick phases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assessPlan } from '../../src/cli/assess.ts';
import { parseSlo } from '../../src/assess/options.ts';
import { planFromUrl } from '../../src/plan/load-url.ts';
import { startTarget } from '../../src/probes/target.ts';
import { startWindowProbes } from '../../src/probes/window-probes.ts';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { profileFixture } from '../helpers/profile.ts';

async function assessProfiled(fixture: string): Promise<AssessmentRecord> {
  const svc = await startTarget({ command: [process.execPath, profileFixture(fixture)] });
  const window = startWindowProbes(svc, { outDir: mkdtempSync(join(tmpdir(), 'sg-capacity-')), name: fixture, log: () => {} });
  try {
    const plan = planFromUrl(`http://127.0.0.1:${svc.port}/`);
    return await assessPlan(
      plan,
      {
        expectedRate: null,
        slo: parseSlo([]),
        suite: ['stress', 'baseline'],
        soakMs: 5000,
        growthPercentPerQuarter: null,
        targetRate: null,
      },
      { quiet: true, quick: true, workers: 1 },
      undefined,
      window,
    );
  } finally {
    window.close();
    await svc.stop();
  }
}

const summary = (r: AssessmentRecord) =>
  r.findings.map((f) => `${f.id} ${f.severity} ${f.audit} ${f.component} — ${f.title}`).join('\n') +
  `\nphases: ${r.phases.map((p) => `${p.name} ${p.offeredRate} req/s ${p.verdict}`).join(', ')}` +
  `\nstress: ${r.phases
    .find((p) => p.name === 'stress')
    ?.stress?.steps.map((s) => `${s.offeredRate}→${Math.round(s.achievedRate)} p95 ${Math.round(s.p95Ms)}`)
    .join(', ')}`;

/** The profile's window lies inside the capacity phase's run (not the baseline's). */
function assertProfiledAtCapacity(r: AssessmentRecord): void {
  const stress = r.phases.find((p) => p.name === 'stress')?.stress;
  const capacity = r.phases.find((p) => p.name === 'capacity');
  assert.ok(stress && capacity, summary(r));
  assert.equal(capacity.offeredRate, stress.maxSustainableRate ?? stress.steps[0]!.offeredRate, summary(r));
  const baseline = r.phases.find((p) => p.name === 'baseline')!;
  assert.ok(capacity.offeredRate > baseline.offeredRate, summary(r));
  const w = targetProbesOf(r)!.window!;
  assert.ok(w.fromEpochMs >= Date.parse(capacity.run.startedAt) - 2000, 'window starts with the capacity phase');
  assert.ok(w.toEpochMs <= Date.parse(baseline.run.startedAt), 'window ends before the baseline');
}

test('a pool-bound service: profiled at its capacity, the breaking point is explained by the pool, ranked first', async (t) => {
  const r = await assessProfiled('downstream.mjs');
  assertProfiledAtCapacity(r);
  const knee = r.findings.find((f) => f.audit === 'saturation-knee');
  assert.ok(knee, summary(r));
  t.diagnostic(`${knee.title} | ${knee.rootCause}`);
  assert.match(knee.title, /limited by the connection pool to http:\/\/127\.0\.0\.1:\d+/, summary(r));
  assert.match(
    knee.rootCause,
    /the resource at its limit was the connection pool to http:\/\/127\.0\.0\.1:\d+ \(2 sockets/,
    knee.rootCause,
  );
  const pool = r.findings.find((f) => f.audit === 'downstream-wait' && /saturated at 2 sockets/.test(f.title));
  assert.ok(pool, summary(r));
  assert.ok(
    pool.evidence.every((e) => e.phase === undefined || e.phase === 'capacity'),
    JSON.stringify(pool.evidence),
  );
  // First among the findings of its severity (what sets the capacity ranks before the rest).
  const same = r.findings.filter((f) => f.severity === pool.severity && f.audit !== 'saturation-knee' && f.audit !== 'throughput-plateau');
  assert.ok(same[0] === pool || same[0]?.audit === 'endpoint-bottleneck' || same[0]?.invalidatesOthers, summary(r));
  // A pool at its limit at a rate above the expected load, while the objective holds there: a capacity fact.
  if (r.phases.find((p) => p.name === 'baseline')?.verdict === 'passed') assert.equal(pool.severity, 'medium', summary(r));
});

test('a CPU-bound service: the breaking point is explained by the main thread and the function holding it', async (t) => {
  const r = await assessProfiled('cpu-bound.mjs');
  assertProfiledAtCapacity(r);
  const knee = r.findings.find((f) => f.audit === 'saturation-knee');
  assert.ok(knee, summary(r));
  t.diagnostic(`${knee.title} | ${knee.rootCause}`);
  assert.match(knee.title, /limited by the main thread's CPU/, summary(r));
  assert.equal(knee.location?.function, 'computeScore', summary(r));
  assert.match(knee.location?.file ?? '', /cpu-bound\.mjs$/);
});
