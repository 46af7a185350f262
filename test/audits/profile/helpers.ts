// Records for the diagnosis audits: one 'baseline' phase (as speedguard profile records it) with
// target probes attached.
import type { AssessmentRecord } from '../../../src/record/assessment-record.ts';
import type { TargetProbes } from '../../../src/record/target-probes.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../../helpers/fake-records.ts';
import { agentSamples, cpuProfile, fakeTargetProbes, hotspot, procSamples } from '../../helpers/fake-probes.ts';
import { noisy } from '../helpers.ts';

export function profiled(
  target: TargetProbes | null,
  latencyMs: number | ((i: number) => number) = noisy(1, 18),
  seconds = 20,
  rate = 100,
): AssessmentRecord {
  const rec = fakeAssessment([
    fakePhase('baseline', fakeRun({ seconds: steady(seconds, rate, latencyMs), name: 'http://127.0.0.1:3000/api' }), { offeredRate: rate }),
  ]);
  if (target) rec.probes.target = target;
  return rec;
}

/** A service with room to spare: 20 % CPU, ELU 0.2, loop delay ~2 ms p99, latency ~18 ms. */
export function healthyTarget(n = 20): TargetProbes {
  return fakeTargetProbes({
    agent: agentSamples(n, { elu: 0.2, gc: { minor: 8 }, heapUsed: 40e6 }, (i) => ({ heapUsed: 40e6 + ((i * 7919) % 5) * 1e6 })),
    proc: procSamples(n, { mainCpu: 20 }),
    cpuProfile: cpuProfile(
      [
        hotspot('handle', { selfShare: 0.05, totalShare: 0.3 }),
        hotspot('writeHead', { file: 'node:_http_server', category: 'node-internal', selfShare: 0.04 }),
      ],
      { idleShare: 0.8 },
    ),
  });
}
