// Runs `speedguard profile` (startProfile) on a fixture service of test/fixtures/profile, one load
// generator worker, 1 s of warm-up, the default SLO; `assess --profile` on one (quick stress and baseline,
// the capacity phase profiled); and lists a record's findings for messages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProfile, type ProfileOptions } from '../../src/profile/run-profile.ts';
import { parseSlo } from '../../src/assess/options.ts';
import type { AssessmentRecord, PhaseName } from '../../src/record/assessment-record.ts';
import { assessPlan } from '../../src/cli/assess.ts';
import { planFromUrl } from '../../src/plan/load-url.ts';
import { startTarget } from '../../src/probes/target.ts';
import { startWindowProbes } from '../../src/probes/window-probes.ts';

export const profileFixture = (name: string) => fileURLToPath(new URL(`../fixtures/profile/${name}`, import.meta.url));

export async function profileFixtureService(
  name: string,
  flags: { vus?: number; rate?: number; duration: number } = { vus: 10, duration: 6000 },
  more: Partial<ProfileOptions> = {},
): Promise<AssessmentRecord> {
  return startProfile({
    command: [process.execPath, profileFixture(name)],
    path: '/',
    flags,
    warmupMs: 1000,
    outDir: mkdtempSync(join(tmpdir(), 'sg-profile-')),
    slo: parseSlo([]),
    workers: 1,
    log: () => {},
    ...more,
  }).result;
}

export const describeFindings = (r: AssessmentRecord) =>
  r.findings.map((f) => `${f.severity} ${f.audit} ${f.location?.function ?? ''} — ${f.title}`).join('\n');

/** The assessment options of a quick `assess --profile`: stress then baseline, default SLO, no expected rate. */
export function quickStressAndBaseline() {
  return {
    expectedRate: null,
    slo: parseSlo([]),
    suite: ['stress', 'baseline'] as PhaseName[],
    soakMs: 5000,
    growthPercentPerQuarter: null,
    targetRate: null,
  };
}

/** `assess --profile` on a fixture: quick stress and baseline phases, the capacity phase profiled, one worker (and --db `db`). */
export async function assessProfiledFixture(fixture: string, env: Record<string, string> = {}, db?: string): Promise<AssessmentRecord> {
  const svc = await startTarget({ command: [process.execPath, profileFixture(fixture)], env });
  const window = startWindowProbes(svc, { outDir: mkdtempSync(join(tmpdir(), 'sg-capacity-')), name: fixture, log: () => {} });
  try {
    return await assessPlan(
      planFromUrl(`http://127.0.0.1:${svc.port}/`),
      quickStressAndBaseline(),
      { quiet: true, quick: true, workers: 1, ...(db ? { db } : {}) },
      undefined,
      window,
    );
  } finally {
    window.close();
    await svc.stop();
  }
}

/** Findings, phases and stress steps of an assessment, for messages. */
export const capacitySummary = (r: AssessmentRecord) =>
  r.findings.map((f) => `${f.id} ${f.severity} ${f.audit} ${f.component} — ${f.title}`).join('\n') +
  `\nphases: ${r.phases.map((p) => `${p.name} ${p.offeredRate} req/s ${p.verdict}`).join(', ')}` +
  `\nstress: ${r.phases
    .find((p) => p.name === 'stress')
    ?.stress?.steps.map((s) => `${s.offeredRate}→${Math.round(s.achievedRate)} p95 ${Math.round(s.p95Ms)}`)
    .join(', ')}`;
