// Recovery after overload: phase.recovery.recoveredAfterSeconds — the time from the end of the
// overload until the per-second p95 was back within its limit and stayed there.
//
// ASSESSMENT-RULES.md §6 passes a recovery under 5 minutes; beyond that is high (P1). We also flag a recovery
// slower than 30 s as medium: a service that needs half a minute to drain after every burst is
// degraded for all users each time — the 5 minutes of ASSESSMENT-RULES.md §6 are a pass mark for a long test, not a goal.
// Never recovered within the observed window: high when the window was at least 30 s (it already
// failed our mark, and possibly the 5-minute one); medium when the window was too short to tell slow from never.
import type { Evidence, Severity } from '../record/findings.ts';
import { measuresGenerator } from './support/generator.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, round } from '../analysis/format.ts';
import { latencyMetric } from './support/record.ts';
import { perSecond } from './support/window.ts';

/** ASSESSMENT-RULES.md §6: recovery passes when under 5 minutes. */
export const RECOVERY_PASS_SECONDS = 300;
/** Our stricter mark for "slow": half a minute of degraded service after every burst. */
export const RECOVERY_SLOW_SECONDS = 30;

export const recoveryTime: Audit = {
  id: 'recovery-time',
  effect: 'objective',
  title: 'Recovery after overload',
  run({ record }: AuditContext): AuditFinding[] {
    const phase = record.phases.find(
      (p) => p.name === 'recovery' && p.recovery && p.verdict !== 'skipped' && !measuresGenerator(p, record.config.slo),
    );
    if (!phase) return [];
    const rec = phase.recovery!;
    const run = phase.run;
    const last = run.intervals.length ? run.intervals[run.intervals.length - 1]!.index : rec.fromSecond;
    const observed = Math.max(0, last - rec.fromSecond + 1);
    const after = rec.recoveredAfterSeconds;
    let severity: Severity;
    if (after === null) severity = observed >= RECOVERY_SLOW_SECONDS ? 'high' : 'medium';
    else if (after > RECOVERY_PASS_SECONDS) severity = 'high';
    else if (after > RECOVERY_SLOW_SECONDS) severity = 'medium';
    else return [];

    const seconds = perSecond(run, latencyMetric(run), { from: rec.fromSecond });
    const lastSeconds = seconds.slice(-3);
    const tailP95 = lastSeconds.length ? Math.max(...lastSeconds.map((s) => s.p95)) : NaN;
    const tailFailed = lastSeconds.reduce((s, x) => s + x.failed, 0);
    const overloadRate = phase.offeredRate;
    const evidence: Evidence[] = [
      { label: 'overload rate', value: overloadRate, unit: 'req/s', phase: 'recovery' },
      { label: 'load dropped at', value: rec.fromSecond, unit: 's', phase: 'recovery' },
      { label: 'baseline p95', value: round(rec.baselineP95Ms), unit: 'ms', phase: 'recovery' },
      { label: 'recovered when p95 ≤', value: round(rec.limitMs), unit: 'ms', phase: 'recovery' },
      after === null
        ? { label: 'recovered after', value: `not within the ${observed} s observed`, phase: 'recovery' }
        : { label: 'recovered after', value: after, unit: 's', phase: 'recovery' },
      { label: 'ASSESSMENT-RULES.md §6 pass mark', value: RECOVERY_PASS_SECONDS, unit: 's' },
    ];
    if (after === null && Number.isFinite(tailP95)) {
      evidence.push({ label: 'p95 in the last seconds observed', value: round(tailP95), unit: 'ms', phase: 'recovery' });
      evidence.push({ label: 'failed requests in the last seconds observed', value: tailFailed, unit: 'count', phase: 'recovery' });
    }
    return [
      {
        audit: 'recovery-time',
        title:
          after === null
            ? `No recovery within ${observed} s after the overload ended (p95 still ${ms(tailP95)}, limit ${ms(rec.limitMs)})`
            : `Slow recovery: ${after} s after the overload until latency was back to normal`,
        type: 'application',
        severity,
        // Never-recovered in a short window cannot tell "slow" from "stuck".
        confidence: after !== null ? 0.8 : observed >= RECOVERY_SLOW_SECONDS ? 0.7 : 0.5,
        component: 'service',
        description:
          `After ${overloadRate} req/s of overload the load went back to the expected rate at second ${rec.fromSecond}. ` +
          (after === null
            ? `For the ${observed} s observed, p95 did not stay within ${ms(rec.limitMs)} (baseline ${ms(rec.baselineP95Ms)}).`
            : `p95 took ${after} s to return within ${ms(rec.limitMs)} (baseline ${ms(rec.baselineP95Ms)}).`),
        evidence,
        location: null,
        rootCause:
          'The service keeps paying for the overload after it ends: a backlog of queued work (unbounded queues, requests the clients ' +
          'already gave up on), retry storms, or state degraded by the overload (exhausted pools, evicted caches, a process ' +
          'restarting).',
        impact: {
          userExperience:
            after === null
              ? 'Every user sees degraded responses long after a burst is over.'
              : `Every user sees degraded responses for ${after} s after each burst.`,
        },
        recommendation: {
          approach:
            'Bound queues and give queued work a deadline (drop requests whose client has already timed out), cap retries with ' +
            'backoff and jitter, and make sure pools and caches survive overload.',
          expectedImprovement:
            `Recovery within ${RECOVERY_SLOW_SECONDS} s (ASSESSMENT-RULES.md §6 requires < ` + `${RECOVERY_PASS_SECONDS / 60} min).`,
          effort: 'medium',
          testingRequired: 'Re-run the recovery phase (speedguard assess --suite recovery) and compare the time to recover.',
          rollbackPlan: 'Queue bounds and deadlines are configuration: restore the previous values.',
        },
      },
    ];
  },
};
