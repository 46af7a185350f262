// The honest verdict when nothing inside the target is busy: with CPU, ELU and loop delay low and the
// latency within the SLO, the service is "not saturated at this load" (info). clinic calls low CPU an
// "I/O issue"; that is a guess. When latency misses the SLO although nothing inside is busy and no
// downstream or threadpool cause was measured, the wait is somewhere not instrumented — said with low
// confidence, not invented.
import { isLoopbackTarget } from './support/record.ts';
import { severityRank } from '../record/findings.ts';
import { bandOf } from '../analysis/severity.ts';
import type { Evidence } from '../record/findings.ts';
import type { AuditFinding, SummaryAudit, SummaryContext } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import { eluOf, latencyOf, loadEvidence, loopBusyOf, loopDelayOf, mainThreadLoad, MIN_SAMPLES, targetView } from './support/target.ts';
import { cpuBound } from './cpu-bound.ts';
import { asyncWait } from './async-wait.ts';
import { downstreamWait } from './downstream-wait.ts';
import { dbStatementWait } from './db-statement-wait.ts';
import { eventLoopBlocked } from './event-loop-blocked.ts';
import { gcPressure } from './gc-pressure.ts';
import { hostLimits, RUNQUEUE_MEDIUM } from './host-limits.ts';
import { memoryLeak } from './memory-leak.ts';
import { threadpoolSaturation } from './threadpool-saturation.ts';

/** Why a long loop delay on a starved host is not the loop's own doing. */
const STARVED_DELAY_NOTE = ' (timers late because the host made the target wait for a core, not because the loop was busy)';
export const NOT_SATURATED_ID = 'not-saturated';
/** Below half a core and half the loop busy there is room for about twice the load (before queueing bites). */
export const LOW_LOAD = 0.5;
/** Loop delay p99 under 10 ms: the loop answers promptly (clinic's threshold for a blocked loop). */
export const LOW_DELAY_MS = 10;
/** The loop-delay bar when the host starves the target of CPU (see summarise()). */
export const STARVED_DELAY_MS = 50;
/** The diagnoses whose findings explain the target's behaviour (then "not saturated" has nothing to add). */
const DIAGNOSES: ReadonlySet<string> = new Set(
  [cpuBound, eventLoopBlocked, gcPressure, memoryLeak, downstreamWait, dbStatementWait, asyncWait, threadpoolSaturation, hostLimits].map(
    (a) => a.id,
  ),
);

export const notSaturated: SummaryAudit = {
  id: NOT_SATURATED_ID,
  effect: 'hygiene',
  title: 'Not saturated at this load',
  summarise(ctx: SummaryContext): AuditFinding[] {
    const v = targetView(ctx.record);
    if (!v) return [];
    const load = mainThreadLoad(v);
    const elu = eluOf(v);
    // Not the raw ELU: a running CPU profiler inflates it (support/target.ts loopBusyOf).
    const loop = loopBusyOf(v);
    const delay = loopDelayOf(v);
    const lat = latencyOf(ctx.record, v);
    if (!load || !lat || Math.max(v.agent.length, v.proc.length) < MIN_SAMPLES) return [];
    // On a host where the target waits for a core (its run-queue wait ≥ RUNQUEUE_MEDIUM s per second,
    // host-limits reports it) a mostly idle loop still fires its timers late: that delay is the
    // host's, not the loop's own work, so it is held to STARVED_DELAY_MS instead.
    const starved = (v.summary?.runqueueWaitShare ?? 0) >= RUNQUEUE_MEDIUM;
    const delayBar = starved ? STARVED_DELAY_MS : LOW_DELAY_MS;
    if (load.value >= LOW_LOAD || (loop !== null && loop.value >= LOW_LOAD) || (delay !== null && delay.p99 >= delayBar)) return [];
    // Another diagnosis explains something: not this audit's place to say "nothing".
    // Run-queue waits caused by sharing the host with speedguard's own generator (a loopback target)
    // say nothing about whether the target is saturated.
    const colocated = isLoopbackTarget(ctx.record);
    const explains = (f: { audit: string; title: string; severity: Parameters<typeof severityRank>[0] }) =>
      severityRank(f.severity) <= severityRank('low') && !(colocated && f.audit === hostLimits.id && f.title.startsWith('CPU starvation'));
    if (ctx.failedAudits.some((id) => DIAGNOSES.has(id)) || ctx.findings.some((f) => DIAGNOSES.has(f.audit) && explains(f))) return [];

    const evidence: Evidence[] = [...loadEvidence(v, load, elu)];
    if (loop?.source === 'profile')
      evidence.push({
        label: 'event loop busy (non-idle CPU-profile samples; the ELU above is inflated by the profiler)',
        value: round(loop.value * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
    if (delay) evidence.push({ label: 'event-loop delay p99 (median second)', value: round(delay.p99), unit: 'ms', phase: v.phaseName });
    evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });
    const busy = Math.max(load.value, loop?.value ?? 0);
    const rateNow = v.phase?.offeredRate ?? 0;

    if (lat.pSlo <= lat.sloMs) {
      const headroom = busy > 0 ? 1 / busy : null;
      if (headroom !== null && rateNow > 0)
        evidence.push({
          label: 'rate at which the main thread would be fully busy (linear estimate)',
          value: round(rateNow * headroom, 0),
          unit: 'req/s',
          phase: v.phaseName,
        });
      return [
        {
          audit: NOT_SATURATED_ID,
          title: `Not saturated at this load: main thread ${pct(busy)} busy, p${lat.percentile} ${ms(lat.pSlo)}`,
          type: 'application',
          severity: 'info',
          confidence: 0.8,
          component: 'service',
          description:
            `Nothing inside the target was near a limit: main thread ${pct(load.value)} ` +
            (`busy` +
              (loop !== null
                ? `, event loop ${pct(loop.value)} ` +
                  `busy${loop.source === 'profile' ? " (by the CPU profile's samples: the profiler inflates the ELU reading)" : ''}`
                : '') +
              (delay ? `, loop delay p99 ` + `${ms(delay.p99)}${starved && delay.p99 >= LOW_DELAY_MS ? STARVED_DELAY_NOTE : ''}` : '') +
              `, `) +
            `and latency within the SLO. Low CPU here means spare capacity, not an I/O ` +
            (`problem.` +
              (headroom !== null && rateNow > 0
                ? ` Linearly, the main thread would be full near ${round(rateNow * headroom, 0)} req/s (an upper bound: queueing ` +
                  `starts before).`
                : '')),
          evidence,
          location: null,
          rootCause: 'None at this load.',
          impact: { userExperience: 'Responses within the SLO at this load.' },
          recommendation: {
            approach: 'Profile at a higher rate (or run speedguard assess for the stress staircase) to find where it saturates.',
            expectedImprovement: 'None needed at this load.',
            effort: 'low',
            testingRequired: 'Not applicable.',
            rollbackPlan: 'Not applicable.',
          },
        },
      ];
    }

    return [
      {
        audit: NOT_SATURATED_ID,
        title: `Slow while idle inside: waiting on something not instrumented (p${lat.percentile} ${ms(lat.pSlo)})`,
        type: 'application',
        severity: bandOf(lat.p95, ctx.thresholds.apiP95Ms) ?? 'medium',
        // Nothing measured points at the cause: this says where it is not.
        confidence: 0.35,
        component: 'service',
        description:
          `Latency misses the SLO (p${lat.percentile} ${ms(lat.pSlo)} > ${ms(lat.sloMs)}) while the target's main thread is ` +
          `${pct(load.value)} ` +
          `busy${loop !== null ? `, event loop ${pct(loop.value)} busy` : ''}${delay ? `, loop delay p99 ${ms(delay.p99)}` : ''}, and ` +
          `no outgoing HTTP call, threadpool queue or host limit explains it. The requests wait on something the probes do not see: a ` +
          `database or other non-HTTP client (its own pool), a lock or queue in the code, timers (deliberate delays, retries with ` +
          `back-off), or the network in front of the service.`,
        evidence,
        location: null,
        rootCause:
          'Unknown: the wait happens outside what speedguard instruments (not CPU, not the event loop, not HTTP downstreams, not the ' +
          'libuv pool).',
        impact: { responseTimeIncrease: `p${lat.percentile} ${ms(lat.pSlo)} against an SLO of ${ms(lat.sloMs)}.` },
        recommendation: {
          approach:
            'Trace a slow request end to end (OpenTelemetry spans around database calls, queues and locks), check ' +
            'database/connection-pool metrics, and look for deliberate waits (setTimeout, retries).',
          expectedImprovement: 'Finding the wait names the real bottleneck; this finding disappears once it is instrumented.',
          effort: 'medium',
          testingRequired: 'Re-profile with the extra instrumentation at the same load.',
          rollbackPlan: 'Not applicable.',
        },
      },
    ];
  },
};
