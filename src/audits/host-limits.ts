// Host limits: the process wanted a CPU and did not get one — its cgroup's quota throttled it
// (cpu.stat throttled time) or its threads waited on the run queue (schedstat: other processes on the
// same cores). Then the host, not the code, sets the latency, and profiling the code will not help.
import { isLoopbackTarget } from './support/record.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { pct, round } from '../analysis/format.ts';
import { latencyOf, probeConfidence, targetView } from './support/target.ts';

export const HOST_LIMITS_ID = 'host-limits';
/**
 * By impact: throttled time is time the threads could not run at all. A tenth of the wall time
 * stalled in quota periods shows as 100 ms-scale latency spikes (P2); a quarter, P1.
 */
export const THROTTLED_MEDIUM = 0.1;
export const THROTTLED_HIGH = 0.25;
/** Run-queue wait summed over threads, per wall second: 0.2 s per second of waiting for a core is P2, 0.5 P1. */
export const RUNQUEUE_MEDIUM = 0.2;
export const RUNQUEUE_HIGH = 0.5;

export const hostLimits: Audit = {
  id: HOST_LIMITS_ID,
  effect: 'objective',
  judgesResource: true,
  title: 'Host limits (CPU throttling or starvation)',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    const s = v?.summary;
    if (!v || !s) return [];
    const throttled = s.throttling?.throttledShare ?? 0;
    const runq = s.runqueueWaitShare ?? 0;
    const sev = (x: number, m: number, h: number): Severity | null => (x >= h ? 'high' : x >= m ? 'medium' : null);
    const tSev = sev(throttled, THROTTLED_MEDIUM, THROTTLED_HIGH);
    const rSev = sev(runq, RUNQUEUE_MEDIUM, RUNQUEUE_HIGH);
    if (!tSev && !rSev) return [];
    const severity: Severity = tSev === 'high' || rSev === 'high' ? 'high' : 'medium';
    const lat = latencyOf(ctx.record, v);
    const quota = s.cgroup?.quotaCores ?? null;

    const evidence: Evidence[] = [];
    if (s.throttling) {
      evidence.push({
        label: 'cgroup CPU throttled time, share of wall time',
        value: round(throttled * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
      evidence.push({ label: 'throttled periods', value: s.throttling.nrThrottled, unit: 'count', phase: v.phaseName });
    }
    if (quota !== null) evidence.push({ label: 'cgroup CPU quota', value: round(quota, 2), unit: 'cores', phase: v.phaseName });
    if (s.runqueueWaitShare !== null)
      evidence.push({
        label: 'run-queue wait per second of wall time (all threads)',
        value: round(runq, 3),
        unit: 's',
        phase: v.phaseName,
      });
    if (s.cpu)
      evidence.push({ label: 'process CPU (average, % of one core)', value: round(s.cpu.avgPercent, 1), unit: '%', phase: v.phaseName });
    if (s.ctxtSwitches)
      evidence.push({
        label: 'involuntary context switches per second',
        value: round(s.ctxtSwitches.nonvoluntaryPerSec, 0),
        unit: 'count',
        phase: v.phaseName,
      });
    if (lat)
      evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });

    const isThrottle = (tSev !== null && throttled >= runq) || rSev === null;
    // A loopback target shares the host with speedguard's own load generator: part of the run-queue
    // wait is the generator's doing, so starvation alone is not a high finding about the target's host.
    const colocated = isLoopbackTarget(ctx.record);
    const finalSeverity: Severity = colocated && !isThrottle ? 'medium' : severity;
    return [
      {
        audit: HOST_LIMITS_ID,
        title: isThrottle
          ? `CPU throttled by the container quota ${pct(throttled)} of the time`
          : `CPU starvation: threads waited for a core ${round(runq, 2)} s per second`,
        type: 'infrastructure',
        severity: finalSeverity,
        confidence: round(probeConfidence(s.samples) * (colocated && !isThrottle ? 0.7 : 1), 2),
        component: 'host',
        description: isThrottle
          ? `The target's cgroup${quota !== null ? ` (quota ${round(quota, 2)} cores)` : ''} was throttled ${pct(throttled)} of the ` +
            `wall time: the process used up its CPU quota and was stopped until the next period. Latency here is set by the ` +
            `container's limit, not by the code.`
          : `The target's threads spent ${round(runq, 2)} s per second runnable but waiting for a CPU: other processes (or the load ` +
            `generator) compete for the same cores. Latency here is set by the host.` +
            (colocated
              ? " The target is on this host, so speedguard's own load generator is one of the competitors: pin them to different " +
                'cores (taskset) for clean figures.'
              : ''),
        evidence,
        location: null,
        rootCause: isThrottle
          ? 'The CPU quota (cpu.max / Kubernetes limits.cpu) is below what the service uses at this load.'
          : 'More runnable threads than cores on the host (noisy neighbours, the load generator on the same cores, too many workers).',
        impact: {
          responseTimeIncrease:
            'Requests stall whenever the process is descheduled: tail latency spikes of up to a quota period (100 ms by default) each.',
        },
        recommendation: {
          approach: isThrottle
            ? 'Raise the CPU limit (or remove it and keep a request), or reduce the threads that burn quota (UV_THREADPOOL_SIZE, ' +
              'worker counts); measure again before optimising code.'
            : 'Run the target on dedicated cores (taskset / CPU pinning, a separate host from the load generator), or reduce the other ' +
              'load on the host.',
          expectedImprovement: 'The throttling/run-queue stalls disappear from the tail latency; code-level findings become measurable.',
          effort: 'low',
          testingRequired: 'Re-run on the resized or isolated host: throttled share and run-queue wait near 0.',
          rollbackPlan: 'Restore the previous limits.',
        },
      },
    ];
  },
};
