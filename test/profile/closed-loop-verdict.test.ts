// Issue 12, calibration: severity per the matrix, not per the alarm. `profile` with its default load (20
// closed-loop VUs, no --rate) on a service that serialises its requests missed the SLO and ended
// "CRITICAL … the baseline phase failed". Under a closed loop with no expected load the latency is set by
// the VUs chosen (Little's law: latency ≈ VUs / throughput): it says "at 20 concurrent users the service
// answers in X", not that production misses its SLO (ASSESSMENT-RULES.md §2, §3). With --rate beyond the
// service's capacity the expected load is missed: P0/P1 and CRITICAL again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROFILE_LOAD } from '../../src/profile/run-profile.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { describeFindings, profileFixtureService } from '../helpers/profile.ts';

const severe = (s: string) => s === 'critical' || s === 'high';
const VUS = DEFAULT_PROFILE_LOAD.vus!;
const explain = (r: AssessmentRecord) =>
  `${r.verdict.status}: ${r.verdict.headline}\n${r.phases.map((p) => `${p.name} ${p.verdict}: ${p.verdictReason}`).join('\n')}\n` +
  describeFindings(r);

test("profile's default closed loop, serialised service: SLO missed at 20 users (Little's law); no P0/P1, not CRITICAL", async (t) => {
  assert.equal(VUS, 20);
  // serialised.mjs: 120 ms per request, one at a time → 20 VUs wait ≈ 2.4 s (P1 by the latency band alone).
  const r = await profileFixtureService('serialised.mjs', { vus: VUS, duration: 6000 });
  const phase = r.phases[0]!;
  t.diagnostic(explain(r));
  assert.equal(phase.verdict, 'failed', explain(r));
  assert.match(phase.verdictReason, /at 20 concurrent users \(a closed loop: .*\) the service answered in .* on average at/);
  assert.match(phase.verdictReason, /by Little's law latency ≈ users \/ throughput = 20 \/ [\d.]+ req\/s ≈ /);
  assert.match(
    phase.verdictReason,
    /so the number of users chosen sets it: 20 users get 200 ms only from 100 req\/s, and at [\d.]+ req\/s/,
  );
  assert.match(phase.verdictReason, /the SLO holds with about [\d.]+ requests? in flight\. .*give --rate/);
  assert.ok(!r.findings.some((f) => severe(f.severity)), explain(r));
  assert.notEqual(r.verdict.status, 'critical', explain(r));
  assert.doesNotMatch(r.verdict.headline, /block the deployment/);
  assert.match(r.verdict.headline, /the baseline phase missed the SLO at 20 concurrent users \(a closed loop with no expected rate/);
  const slo = r.findings.find((f) => f.audit === 'latency-slo');
  assert.ok(slo, explain(r));
  assert.match(slo.title, /^GET \/: p95 [\d.]+ s misses the 200 ms SLO at 20 concurrent users \(closed loop\)$/, slo.title);
  assert.equal(slo.severity, 'medium', explain(r));
  assert.match(slo.description, /It is the latency of this concurrency, not of a production load: at 20 concurrent users/);
  assert.match(slo.recommendation.approach, /^Judge the SLO at an expected load: speedguard profile --rate/);
  assert.match(slo.description, /Severity P2, not P[01] \(ASSESSMENT-RULES\.md §2\): the load was a closed-loop one with no expected rate/);
});

test('the same service with --rate beyond its capacity: the expected load is missed, P0/P1 and CRITICAL', async (t) => {
  // Capacity ≈ 1000 / 120 ≈ 8 req/s; 20 req/s queues without bound.
  const r = await profileFixtureService('serialised.mjs', { rate: 20, duration: 6000 });
  t.diagnostic(explain(r));
  assert.equal(r.phases[0]!.verdict, 'failed', explain(r));
  assert.doesNotMatch(r.phases[0]!.verdictReason, /Little's law/);
  assert.ok(
    r.findings.some((f) => severe(f.severity)),
    explain(r),
  );
  assert.equal(r.verdict.status, 'critical', explain(r));
  const slo = r.findings.find((f) => f.audit === 'latency-slo');
  assert.ok(slo && severe(slo.severity), explain(r));
  assert.match(slo.title, /breaches the 200 ms SLO at the expected load$/);
  assert.doesNotMatch(slo.description, /Severity P2, not/);
});

test("a healthy service under profile's default closed loop: no P0/P1", async (t) => {
  const r = await profileFixtureService('healthy.mjs', { vus: VUS, duration: 4000 });
  t.diagnostic(explain(r));
  assert.ok(!r.findings.some((f) => severe(f.severity)), explain(r));
  assert.ok(r.verdict.status === 'optimal' || r.verdict.status === 'acceptable', explain(r));
});
