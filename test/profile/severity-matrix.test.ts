// Issue 12, calibration: severity per ASSESSMENT-RULES.md §2's matrix, not per the alarm. `profile` with
// its default load (20 closed-loop VUs) on a CPU-bound service whose responses stay within the SLO said
// "CRITICAL — block the deployment": the CPU band alone (main thread > 95 %) made a P0. A saturated
// CPU at a load nobody asked for is a capacity fact (P2). Given an expected load (--rate) that the
// service misses, the band applies again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROFILE_LOAD } from '../../src/profile/run-profile.ts';
import { parseDuration } from '../../src/plan/duration.ts';
import { FINDING_AUDITS } from '../../src/audits/index.ts';
import { describeFindings, profileFixtureService } from '../helpers/profile.ts';

const severe = (s: string) => s === 'critical' || s === 'high';
const RESOURCE_AUDITS = new Set(FINDING_AUDITS.filter((a) => a.judgesResource).map((a) => a.id));

test("profile's default closed-loop load on a CPU-bound service that meets its SLO: no P0/P1, the CPU is a P2 capacity fact", async (t) => {
  const load = { vus: DEFAULT_PROFILE_LOAD.vus!, duration: parseDuration(DEFAULT_PROFILE_LOAD.duration!) };
  assert.equal(load.vus, 20);
  const r = await profileFixtureService('cpu-bound.mjs', load);
  const phase = r.phases[0]!;
  const cpu = r.findings.find((f) => f.audit === 'cpu-bound');
  assert.ok(cpu, describeFindings(r));
  t.diagnostic(`${cpu.severity} ${cpu.title} | ${cpu.description.replace(/^.*(Severity P2.*)$/, '$1')}`);
  // The resource findings never exceed P2 at a closed-loop load, whatever the latency did.
  for (const f of r.findings) if (RESOURCE_AUDITS.has(f.audit)) assert.ok(!severe(f.severity), describeFindings(r));
  assert.equal(cpu.severity, 'medium', describeFindings(r));
  // When the profiled load met the objective, nothing at all is P0/P1 and the verdict blocks nothing.
  if (phase.verdict === 'passed') {
    assert.ok(!r.findings.some((f) => severe(f.severity)), describeFindings(r));
    assert.ok(r.verdict.status === 'acceptable' || r.verdict.status === 'optimal', `${r.verdict.status}: ${r.verdict.headline}`);
  }
});

test('an expected load (--rate) the CPU-bound service cannot hold: the CPU band applies (P0/P1)', async () => {
  // computeScore costs 5 ms of CPU: one core serves at most ~200 req/s; 400 req/s is missed.
  const r = await profileFixtureService('cpu-bound.mjs', { rate: 400, duration: 6000 });
  assert.notEqual(r.phases[0]!.verdict, 'passed', r.phases[0]!.verdictReason);
  const cpu = r.findings.find((f) => f.audit === 'cpu-bound');
  assert.ok(cpu, describeFindings(r));
  assert.ok(severe(cpu.severity), describeFindings(r));
  assert.doesNotMatch(cpu.description, /Severity P2, not/);
});
