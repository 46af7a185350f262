// A phase whose load generator, not the target, limited the run (run.generator.limited): its
// latencies include the generator's own delays and its throughput is the generator's ceiling.
// The finding invalidates the others (runAudits lowers their confidence and says so). P1: not a
// defect of the target, but every conclusion of the assessment rests on the measurement.
import type { Audit, AuditContext, AuditFinding, Evidence } from './types.ts';
import { round } from './support/format.ts';

export const generatorBound: Audit = {
  id: 'generator-bound',
  title: 'Load generator saturated',
  run({ record }: AuditContext): AuditFinding[] {
    const limited = record.phases.filter((p) => p.verdict !== 'skipped' && p.run.generator.limited);
    if (limited.length === 0) return [];
    const evidence: Evidence[] = [];
    for (const p of limited) {
      const g = p.run.generator;
      evidence.push(
        { label: 'generator CPU p95 (share of a core)', value: round(g.cpuP95 * 100, 0), unit: '%', phase: p.name },
        { label: 'event-loop delay p99 (max)', value: round(g.loopDelayP99MaxMs, 1), unit: 'ms', phase: p.name },
        { label: 'iteration schedule delay p99', value: round(g.scheduleDelayP99Ms, 1), unit: 'ms', phase: p.name },
        { label: 'worker threads', value: g.workers, unit: 'count', phase: p.name },
      );
      for (const r of g.reasons) evidence.push({ label: 'reason', value: r, phase: p.name });
    }
    const reasons = limited.flatMap((p) => p.run.generator.reasons.map((r) => `${p.name}: ${r}`));
    const cpus = record.environment.cpus;
    return [{
      audit: 'generator-bound',
      title: `The load generator was saturated in ${limited.map((p) => p.name).join(', ')}: those figures measure speedguard, not the target`,
      type: 'infrastructure',
      severity: 'high',
      confidence: 0.9,
      component: 'load generator',
      description: `speedguard's self-check found the generator limiting the run: ${reasons.join('; ')}. ` +
        'Latencies then include time the generator took to send and read, and throughput is capped by it.',
      evidence,
      location: null,
      rootCause: `The generating machine (${cpus} CPUs, ${limited[0]!.run.generator.workers} worker threads) could not produce the offered rate on schedule — often because the target runs on the same cores, or the rate needs more worker threads.`,
      impact: {
        userExperience: 'None directly; the assessment\'s other findings may be wrong in either direction for the affected phases.',
      },
      recommendation: {
        approach: 'Run the generator on separate cores or another machine (taskset / a second host), raise --workers, or lower the maximum rate (--max-rate); then re-run the assessment.',
        expectedImprovement: 'Trustworthy latency and throughput figures: the generator check passes in every phase.',
        effort: 'low',
        testingRequired: 'Re-run and check the generator verdict is not "limited" in any phase.',
        rollbackPlan: 'Nothing changes in the target.',
      },
      invalidatesOthers: true,
    }];
  },
};
