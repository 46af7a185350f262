// Off-CPU time (issue 12): the main thread neither computes nor idles but waits — on a lock, a slow
// disk, a downstream without an agent, a sleep — while requests queue behind it. Read from the
// window's /proc samples of the main thread (probes/proc/wait-sampler.ts; any language), so it is
// named by what it waits in: the system call, the kernel function and the object (a TCP peer, a
// file). A Node target's CPU profile adds the function: V8's sampler keeps sampling a thread blocked
// in a system call, so the JavaScript function on top during the wait is the one that waits.
// Waits in the event loop's own idle call (epoll_wait, poll/select of a selector loop, accept) are
// idle time, not this. Not seen: a wait that goes through poll/select itself (CPython's sockets
// with a timeout poll before recv) — /proc does not say which descriptors a poll watches.
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import { latencyOf, locationOf, siteOf, siteText, targetView, userHotspots, type Site, type TargetView } from './support/target.ts';
import type { MainThreadWaits } from '../record/proc-samples.ts';
import { describeWait as describe, kindOf, tracedCall } from './support/waits.ts';
import { BLOCKED_SHARE_MIN, blockingWaits } from '../analysis/off-cpu.ts';
import { threadGroupFindings } from './support/thread-waits.ts';

export const OFF_CPU_WAIT_ID = 'off-cpu-wait';
/** Above this share the thread is blocked most of the time: a cap on throughput whatever the SLO says. */
export const BLOCKED_SHARE_HIGH = 0.5;
/** Fewer samples than this (20 ms apart) say nothing about the window. */
export const MIN_WAIT_SAMPLES = 50;

export const offCpuWait: Audit = {
  id: OFF_CPU_WAIT_ID,
  effect: 'objective',
  title: 'Threads blocked waiting (off CPU)',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    const waits = v?.probes.waits;
    if (!v || !waits || typeof waits !== 'object' || waits.samples < MIN_WAIT_SAMPLES) return [];
    return [...mainThreadFindings(ctx, v, waits), ...threadGroupFindings(ctx, v, waits, OFF_CPU_WAIT_ID)];
  },
};

function mainThreadFindings(ctx: AuditContext, v: TargetView, waits: MainThreadWaits): AuditFinding[] {
  const blocking = blockingWaits(waits);
  const blockedShare = blocking.reduce((s, w) => s + w.share, 0);
  if (blockedShare < BLOCKED_SHARE_MIN || !blocking.length) return [];
  const top = blocking[0]!;
  const lat = latencyOf(ctx.record, v);
  const over = lat !== null && lat.pSlo > lat.sloMs;
  // The function that waits: on a Node target the CPU profile sampled the blocked thread, so its
  // top user function by self time holds about the blocked share (at least half of it).
  const fn = v.probes.agent?.hello ? userHotspots(v.profile, 'self')[0] : undefined;
  const site: Site | null = fn && fn.selfShare * Math.max(0, 1 - (v.profile?.idleShare ?? 0)) >= blockedShare / 2 ? siteOf(fn) : null;
  const severity: Severity = over
    ? blockedShare >= BLOCKED_SHARE_HIGH
      ? 'high'
      : 'medium'
    : blockedShare >= BLOCKED_SHARE_HIGH
      ? 'medium'
      : 'low';
  const evidence: Evidence[] = [
    {
      label: 'main thread blocked in a system call (share of the samples)',
      value: round(blockedShare * 100, 1),
      unit: '%',
      phase: v.phaseName,
    },
    { label: 'main thread on a CPU or runnable', value: round(waits.runningShare * 100, 1), unit: '%', phase: v.phaseName },
    ...blocking
      .slice(0, 3)
      .map((w) => ({ label: `waiting: ${describe(w)}`, value: round(w.share * 100, 1), unit: '%', phase: v.phaseName })),
    { label: 'samples (every 20 ms, /proc)', value: waits.samples, unit: 'count', phase: v.phaseName },
  ];
  if (waits.diskShare > 0)
    evidence.push({
      label: 'uninterruptible sleep (D: disk I/O)',
      value: round(waits.diskShare * 100, 1),
      unit: '%',
      phase: v.phaseName,
    });
  if (lat)
    evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });
  const where = site ? ` in ${site.function}` : '';
  const traced = tracedCall(v.probes.syscallTrace, { main: true }, top.syscall, v.phaseName);
  if (traced) evidence.push(...traced.evidence);
  return [
    {
      audit: OFF_CPU_WAIT_ID,
      title: `Main thread blocked ${pct(blockedShare)} of the time waiting on ${kindOf(top)}${where}`,
      type: 'application',
      severity,
      confidence: round(Math.min(0.9, 0.6 + waits.samples / 2000 + (site ? 0.1 : 0)), 2),
      component: 'service',
      description:
        `Sampled every ${waits.intervalMs} ms over the window, the main thread was on a CPU ${pct(waits.runningShare)} of ` +
        `the time and blocked in a system call ${pct(blockedShare)} of it — mostly ${describe(top)} ` +
        (`(${pct(top.share)})` +
          (site ? `, from ${siteText(site)} (the function on the stack while it waited, from the CPU profile)` : '') +
          `. `) +
        (traced ? `${traced.clause[0]!.toUpperCase()}${traced.clause.slice(1)}. ` : '') +
        `While it waits it serves no other request: the service is slow without being ` +
        `busy${lat ? `; p${lat.percentile} ${ms(lat.pSlo)}` : ''}.`,
      evidence,
      location: locationOf(site),
      rootCause: `The request path waits synchronously on ${kindOf(top)}${where}, holding the only thread that serves requests.`,
      impact: {
        responseTimeIncrease: 'Every request queues behind the wait of the one before it: latency grows with load while CPU stays low.',
        throughputReduction:
          `Throughput is capped at about one request per wait: ${pct(blockedShare)} of the thread's time goes to ` + `waiting.`,
      },
      recommendation: {
        approach:
          top.syscall === 'futex'
            ? `Do not hold the request thread on a lock${where}: shorten what runs under the lock, use an asynchronous lock or queue ` +
              `(Atomics.waitAsync, a promise-based mutex), or move the work that needs it off the request path.`
            : `Make the wait${where} asynchronous (non-blocking I/O, a worker pool, a timeout), or remove it from the request path ` +
              `(cache the result, batch the calls).`,
        expectedImprovement:
          `Up to ${pct(blockedShare)} of the main thread's time back for serving requests; latency stops growing ` +
          `with the queue behind the wait.`,
        effort: 'medium',
        testingRequired: 'Re-run speedguard profile at the same load: the blocked share must fall and latency with it.',
        rollbackPlan: 'Revert the change.',
      },
    },
  ];
}
