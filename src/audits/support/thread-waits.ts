// Off-CPU time of the target's other threads (issue 12): a thread pool whose threads wait on a disk,
// a named pipe or a downstream, so the work handed to it queues while the main thread idles — Node's
// libuv pool ("libuv-worker": async fs, dns.lookup, crypto, zlib), a Python or C program's worker
// threads. Read from the per-group /proc samples (probes/proc/wait-sampler.ts). Only waits whose
// object says what the thread waits for count (analysis/off-cpu.ts holdsUp): a pool idle in futex
// waiting for work looks like a thread waiting on a lock, so futex waits are never claimed here.
import type { Evidence, Severity } from '../../record/findings.ts';
import type { MainThreadWaits, OffCpuWait, ThreadGroupWaits } from '../../record/proc-samples.ts';
import type { AuditContext, AuditFinding } from '../types.ts';
import { ms, pct, round } from '../../analysis/format.ts';
import { latencyOf, type TargetView } from './target.ts';
import { describeWait, kindOf, tracedCall } from './waits.ts';
import { heldWaits } from '../../analysis/off-cpu.ts';

/** Above this share nearly every thread of the group waits all the time. */
export const GROUP_BLOCKED_HIGH = 0.8;
/** The main thread on a CPU more than this is a limit of its own (the CPU audits judge it). */
const MAIN_BUSY = 0.5;

/**
 * A pool keeps its threads (as many seen as sampled at once); a server that starts a thread per
 * request or task (CPython's ThreadingHTTPServer) sees many more over the window than at once.
 */
const perTask = (g: ThreadGroupWaits) => g.threads > Math.ceil(g.meanThreads) + 1;

/** What the group is, for a reader: in a title (short) and in a sentence. */
function groupText(g: ThreadGroupWaits): { title: string; sentence: string } {
  const n = g.threads;
  const atOnce = round(g.meanThreads, 1);
  if (perTask(g))
    return {
      title: `Threads named ${g.name} (one per task: ${n} over the window, ${atOnce} at once)`,
      sentence: `the threads named ${g.name} (a new one per task: ${n} over the window, ${atOnce} alive at once on average)`,
    };
  const threads = `${n} ${g.name} thread${n > 1 ? 's' : ''}`;
  if (g.name === 'libuv-worker')
    return { title: threads, sentence: `the ${threads} (Node's threadpool: async fs, dns.lookup, crypto, zlib)` };
  return { title: threads, sentence: `the ${n} thread${n > 1 ? 's' : ''} named ${g.name}` };
}

/** What holds libuv's pool threads (threadpool-saturation says why its queue grows), or null. */
export function libuvHeldBy(v: TargetView): { wait: OffCpuWait; share: number } | null {
  const g = v.probes.waits?.threadGroups?.find((x) => x.name === 'libuv-worker');
  const held = g ? heldWaits(g) : null;
  return held ? { wait: held.waits[0]!, share: held.share } : null;
}

export function threadGroupFindings(ctx: AuditContext, v: TargetView, waits: MainThreadWaits, audit: string): AuditFinding[] {
  const out: AuditFinding[] = [];
  const lat = latencyOf(ctx.record, v);
  const over = lat !== null && lat.pSlo > lat.sloMs;
  for (const g of waits.threadGroups ?? []) {
    const held = heldWaits(g);
    if (!held) continue;
    const { waits: holding, share: blockedShare } = held;
    // A main thread busy on a CPU is the limit itself: the pool's waits are not what requests wait for.
    if (waits.runningShare > MAIN_BUSY) continue;
    const top = holding[0]!;
    const atOnce = round(blockedShare * g.meanThreads, 1);
    const severity: Severity = over
      ? blockedShare >= GROUP_BLOCKED_HIGH
        ? 'high'
        : 'medium'
      : blockedShare >= GROUP_BLOCKED_HIGH
        ? 'medium'
        : 'low';
    const evidence: Evidence[] = [
      { label: `${g.name} threads blocked (share of their samples)`, value: round(blockedShare * 100, 1), unit: '%', phase: v.phaseName },
      { label: `${g.name} threads waiting at once (mean)`, value: atOnce, unit: 'count', phase: v.phaseName },
      { label: `${g.name} threads seen`, value: g.threads, unit: 'count', phase: v.phaseName },
      ...holding
        .slice(0, 3)
        .map((w) => ({ label: `${g.name} waiting: ${describeWait(w)}`, value: round(w.share * 100, 1), unit: '%', phase: v.phaseName })),
      { label: 'main thread on a CPU or runnable', value: round(waits.runningShare * 100, 1), unit: '%', phase: v.phaseName },
      { label: `thread samples (every ${waits.intervalMs} ms, /proc)`, value: g.samples, unit: 'count', phase: v.phaseName },
    ];
    if (lat)
      evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });
    const who = groupText(g);
    const traced = tracedCall(v.probes.syscallTrace, { name: g.name }, top.syscall, v.phaseName);
    if (traced) evidence.push(...traced.evidence);
    const libuv = g.name === 'libuv-worker' && !perTask(g);
    out.push({
      audit,
      title: `${who.title} blocked ${pct(blockedShare)} of the time waiting on ${kindOf(top)}`,
      type: 'application',
      severity,
      confidence: round(Math.min(0.85, 0.55 + g.samples / 4000), 2),
      component: 'service',
      description:
        `Sampled every ${waits.intervalMs} ms over the window, ${who.sentence} ${g.threads > 1 ? 'were' : 'was'} blocked in a ` +
        `system call ${pct(blockedShare)} of the time — mostly ${describeWait(top)} (${pct(top.share)}): on average ${atOnce} ` +
        `of ${round(g.meanThreads, 1)} at once, while the main thread was on a CPU ${pct(waits.runningShare)} of the time` +
        (traced ? `; ${traced.clause}. ` : '. ') +
        (perTask(g) ? 'Each request waits as long as its thread does' : 'Work handed to these threads queues behind their waits') +
        `: the service is slow without being ` +
        `busy${lat ? `; p${lat.percentile} ${ms(lat.pSlo)}` : ''}.`,
      evidence,
      location: null,
      rootCause: `${libuv ? "Node's threadpool threads" : `The ${g.name} threads`} wait on ${kindOf(top)}, and requests wait for them.`,
      impact: {
        responseTimeIncrease: 'Requests that need these threads queue behind the waits: latency grows with load while CPU stays low.',
        throughputReduction: perTask(g)
          ? 'Each task holds a thread for the whole wait: threads (memory, scheduling) grow with the load.'
          : `Throughput is capped at about ${g.threads} wait${g.threads > 1 ? 's' : ''} at a time.`,
      },
      recommendation: {
        approach:
          `Make the wait on ${kindOf(top)} shorter or bounded (a timeout, a faster device or downstream, fewer and larger ` +
          `writes), or move it off the request path (a queue, a cache)` +
          (libuv
            ? `; every async fs, dns.lookup, crypto and zlib call of the process shares these ${g.threads} threads, so a larger ` +
              `UV_THREADPOOL_SIZE helps only when what they wait on can serve more at once.`
            : '.'),
        expectedImprovement: `Up to the ${pct(blockedShare)} of these threads' time spent waiting, back for the work queued behind it.`,
        effort: 'medium',
        testingRequired: 'Re-run speedguard profile at the same load: the blocked share of these threads must fall and latency with it.',
        rollbackPlan: 'Revert the change.',
      },
    });
  }
  return out;
}
