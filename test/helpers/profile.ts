// Runs `speedguard profile` (startProfile) on a fixture service of test/fixtures/profile, one load
// generator worker, 1 s of warm-up, the default SLO; and lists a record's findings for messages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProfile, type ProfileOptions } from '../../src/profile/run-profile.ts';
import { parseSlo } from '../../src/assess/options.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';

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
