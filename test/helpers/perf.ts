// Shared by the Linux-perf profile tests (a C server attached with --pid, a Python 3.12 service under
// -X perf): why perf cannot run here, a short profile of the target under load, and the hottest user
// function of what perf saw.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSlo } from '../../src/assess/options.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { targetProbesOf, type CpuHotspot } from '../../src/record/target-probes.ts';
import { startProfile } from '../../src/profile/run-profile.ts';

/** Why perf cannot record on this machine (not installed, or not allowed), or null when it can. */
export function perfCannotRecord(): string | null {
  const perf = spawnSync('perf', ['record', '-e', 'cpu-clock', '-o', '/dev/null', '--', 'true'], { encoding: 'utf8' });
  if (perf.error || perf.status !== 0) return `perf cannot record here: ${perf.error?.message ?? perf.stderr.trim().split('\n')[0]}`;
  return null;
}

/** `speedguard profile` of a target (started by it, or attached with pid) under 4 closed-loop VUs for 5 s (or `flags`). */
export async function profileWithPerf(
  target: { command: string[]; pid?: number; port: number },
  flags: { vus: number; duration: number } = { vus: 4, duration: 5000 },
): Promise<AssessmentRecord> {
  return startProfile({
    command: target.command,
    ...(target.pid !== undefined ? { pid: target.pid } : {}),
    port: target.port,
    path: '/',
    flags,
    warmupMs: 500,
    outDir: mkdtempSync(join(tmpdir(), 'sg-perf-')),
    slo: parseSlo([]),
    workers: 1,
    log: () => {},
  }).result;
}

/** The user function with the most self time in perf's profile, after checking perf produced one. */
export function topUserFunction(r: AssessmentRecord, minSamples: number): CpuHotspot {
  const p = targetProbesOf(r)!;
  assert.equal(p.perfError, undefined, p.perfError);
  assert.ok(p.cpuProfile && p.cpuProfile.samples > minSamples, `perf samples: ${p.cpuProfile?.samples}`);
  const top = p.cpuProfile.topSelf.find((h) => h.category === 'user');
  assert.ok(top, JSON.stringify(p.cpuProfile.topSelf.slice(0, 5)));
  return top;
}
