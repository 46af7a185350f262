// libuv threadpool saturation: async fs, dns.lookup, crypto (pbkdf2, scrypt, randomBytes) and zlib
// run on UV_THREADPOOL_SIZE threads (4 by default). Two signals: queued fs/dns requests above the
// pool size (process.getActiveResourcesInfo() lists FSReqCallback, FSReqPromise, GetAddrInfoReqWrap —
// crypto and zlib jobs are not listed), and every libuv-worker thread busy on a core (/proc), which
// is how CPU-heavy crypto/zlib shows — but only when the pool has cores to itself: with the cores
// shared (a load generator on the same host) four busy threads never reach 80 % each. The third and
// most direct signal is the agent's threadpool probe: a tiny crypto job submitted every ~200 ms whose
// wait for a pool thread (minus the event-loop delay) is the queue wait itself.
// Only a cause while the main thread itself is not the limit.
import { bandOf } from '../analysis/severity.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { libuvHeldBy } from './support/thread-waits.ts';
import { kindOf } from './support/waits.ts';
import { pct, round } from '../analysis/format.ts';
import { median } from './support/record.ts';
import {
  atLeast,
  callerOf,
  latencyOf,
  loadEvidence,
  locationOf,
  mainThreadLoad,
  eluOf,
  MIN_SAMPLES,
  probeConfidence,
  siteOf,
  siteText,
  targetView,
  userHotspots,
  type Site,
  type TargetView,
} from './support/target.ts';

export const THREADPOOL_SATURATION_ID = 'threadpool-saturation';
/** libuv's default UV_THREADPOOL_SIZE. */
export const DEFAULT_POOL_SIZE = 4;
/** Resource types that are requests queued for (or running on) the threadpool. */
export const POOL_REQUEST_TYPES: readonly RegExp[] = [
  /^FSReq/,
  /^GetAddrInfoReqWrap$/,
  /^GetNameInfoReqWrap$/,
  /Crypto|PBKDF2|Scrypt|Zlib/i,
];
/** The condition must hold in most seconds: a sustained queue, not one burst. */
export const MOST = 0.6;
/** A pool thread using this much of a core is busy all the time (CPU-heavy pool work). */
export const WORKER_BUSY = 0.8;
/** The main thread above this (the P2 CPU edge, ASSESSMENT-RULES.md §2) is a limit of its own: cpu-bound owns it. */
export const MAIN_LOW = 0.75;
/** The agent's probe job waiting this long (ms, beyond the event-loop delay) means it queued behind pool work. */
export const PROBE_WAIT_MS = 10;

/** Per agent sample: how long the probe job waited for a pool thread (ms), or null without a probe. */
export function probeWaits(v: TargetView): number[] {
  const out: number[] = [];
  for (const s of v.agent) {
    const p = s.threadpoolProbe;
    if (!p) continue;
    const waited = Math.max(p.count > 0 ? p.meanMs : 0, p.pendingMs);
    out.push(Math.max(0, waited - s.loopDelay.p99));
  }
  return out;
}

function poolSizeOf(v: TargetView): { size: number; source: string } {
  const hello = v.probes.agent?.hello as { uvThreadpoolSize?: number } | null | undefined;
  if (hello?.uvThreadpoolSize && hello.uvThreadpoolSize > 0) return { size: hello.uvThreadpoolSize, source: 'UV_THREADPOOL_SIZE' };
  const g = v.summary?.threadGroups.find((t) => t.name === 'libuv-worker');
  if (g && g.maxThreads > 0) return { size: g.maxThreads, source: 'libuv-worker threads seen' };
  return { size: DEFAULT_POOL_SIZE, source: 'libuv default' };
}

/** The user function issuing the pool work: the caller of the node:fs/crypto/dns/zlib frame, else the top user function. */
function issuer(v: TargetView): { site: Site; inferred: boolean } | null {
  const p = v.profile;
  if (!p) return null;
  const pool = [...p.topSelf, ...p.topTotal].find(
    (h) => /^node:(internal\/)?(fs|crypto|dns|zlib)/.test(h.file) || /pbkdf2|scrypt|readFile|lookup|gzip|deflate/i.test(h.function),
  );
  if (pool) {
    const c = callerOf(pool, p);
    if (c) return c;
  }
  const top = userHotspots(p, 'total')[0];
  return top ? { site: siteOf(top), inferred: true } : null;
}

export const threadpoolSaturation: Audit = {
  id: THREADPOOL_SATURATION_ID,
  effect: 'objective',
  judgesResource: true,
  title: 'libuv threadpool saturated',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    if (!v) return [];
    const load = mainThreadLoad(v);
    if (load && load.value >= MAIN_LOW) return [];
    const { size, source } = poolSizeOf(v);

    const depth = v.agent.map((s) =>
      Object.entries(s.activeResources).reduce((n, [type, c]) => n + (POOL_REQUEST_TYPES.some((r) => r.test(type)) ? c : 0), 0),
    );
    const queuedShare = depth.length >= MIN_SAMPLES ? depth.filter((d) => d > size).length / depth.length : 0;
    const busy = v.proc.map((s) => s.threadGroups.find((g) => g.name === 'libuv-worker')).filter((g) => g !== undefined);
    const busyShare =
      busy.length >= MIN_SAMPLES
        ? busy.filter((g) => g.threads >= size && g.cpuPercent / 100 >= WORKER_BUSY * size).length / v.proc.length
        : 0;
    const waits = probeWaits(v);
    const probeShare = waits.length >= MIN_SAMPLES ? waits.filter((w) => w >= PROBE_WAIT_MS).length / waits.length : 0;
    const queued = queuedShare >= MOST;
    const allBusy = busyShare >= MOST;
    const probeQueued = probeShare >= MOST;
    if (!queued && !allBusy && !probeQueued) return [];

    const lat = latencyOf(ctx.record, v);
    let severity: Severity = 'medium';
    if (lat && lat.pSlo > lat.sloMs) severity = atLeast('high', bandOf(lat.p95, ctx.thresholds.apiP95Ms));
    const who = issuer(v);
    // The pool's threads blocked on something (a disk, a pipe, a downstream): more threads or less
    // CPU work per call is not the fix; what they wait on is (off-cpu-wait names it too).
    const held = libuvHeldBy(v);
    const workerCpu = busy.length ? median(busy.map((g) => g.cpuPercent)) : null;

    const evidence: Evidence[] = [{ label: `threadpool size (${source})`, value: size, unit: 'count', phase: v.phaseName }];
    if (depth.length) {
      evidence.push({ label: 'fs/dns requests pending (median second)', value: median(depth), unit: 'count', phase: v.phaseName });
      evidence.push({
        label: 'seconds with more pending than the pool has threads',
        value: round(queuedShare * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
    }
    if (workerCpu !== null) {
      evidence.push({
        label: 'libuv-worker threads CPU (median second, % of one core)',
        value: round(workerCpu, 1),
        unit: '%',
        phase: v.phaseName,
      });
      evidence.push({ label: 'seconds with every pool thread busy', value: round(busyShare * 100, 1), unit: '%', phase: v.phaseName });
    }
    if (waits.length) {
      evidence.push({
        label: 'threadpool probe: wait for a pool thread (median second)',
        value: round(median(waits), 1),
        unit: 'ms',
        phase: v.phaseName,
      });
      evidence.push({
        label: `seconds with the probe waiting ≥ ${PROBE_WAIT_MS} ms`,
        value: round(probeShare * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
    }
    evidence.push(...loadEvidence(v, load, eluOf(v)));
    if (who) evidence.push({ label: `issued by${who.inferred ? ' (inferred)' : ''}`, value: siteText(who.site), phase: v.phaseName });
    if (lat)
      evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });

    const why =
      probeQueued && !allBusy && !queued
        ? `a tiny job the agent submitted to the pool every 200 ms waited a median ${round(median(waits), 0)} ms for a free thread (≥ ` +
          `${PROBE_WAIT_MS} ms in ${pct(probeShare)} of the ` +
          `seconds)${workerCpu !== null ? `, with the pool threads using ${round(workerCpu, 0)} % of one core` : ''}`
        : allBusy
          ? `all ${size} pool threads were on a core in ${pct(busyShare)} of the seconds (CPU-heavy pool work: crypto, zlib)`
          : `more fs/dns requests were pending than the ${size} threads in ${pct(queuedShare)} of the seconds (median ${median(depth)})`;
    return [
      {
        audit: THREADPOOL_SATURATION_ID,
        title: `libuv threadpool saturated (${size} threads)${who ? `: work issued by ${who.site.function}` : ''}`,
        type: 'application',
        severity,
        confidence: round(probeConfidence(Math.max(depth.length, busy.length, waits.length)) - (who?.inferred ? 0.1 : 0), 2),
        component: 'service',
        description:
          `The main thread had capacity to spare${load ? ` (${pct(load.value)} busy)` : ''}, but ${why}: async work waits in ` +
          `libuv's queue, and requests wait for ` +
          `it.${who ? ` The work comes from ${siteText(who.site)}${who.inferred ? ' (inferred from the profile)' : ''}.` : ''}` +
          (held
            ? ` The pool's threads were not computing: they were blocked ${pct(held.share)} of the time waiting on ${kindOf(held.wait)}.`
            : ''),
        evidence,
        location: locationOf(who?.site ?? null),
        rootCause: held
          ? `The ${size} pool threads are held by waits on ${kindOf(held.wait)}: the pool work queues behind them.`
          : `More concurrent threadpool work (fs, dns.lookup, crypto, zlib) than UV_THREADPOOL_SIZE=${size} threads can run.`,
        impact: {
          responseTimeIncrease:
            'Each request waits for a pool thread behind the queued work; latency grows with concurrency although CPU looks idle.',
        },
        recommendation: {
          approach: held
            ? `Make the wait on ${kindOf(held.wait)} in ${who?.site.function ?? 'the code that issues it'} shorter or bounded, or ` +
              `take it off the request path (a queue, a buffer that batches writes); more threads (UV_THREADPOOL_SIZE) help only when ` +
              `what they wait on can serve more at once.`
            : `Reduce the pool work per request in ${who?.site.function ?? 'the code that issues it'} (fewer/cheaper crypto or fs ` +
              `calls, cache results, dns caching or IP addresses); raise UV_THREADPOOL_SIZE (set in the environment before start, e.g. ` +
              `to the number of cores × 2 for CPU work, up to 1024) if the host has idle cores.`,
          expectedImprovement: allBusy
            ? 'With the CPU-heavy work halved or more threads on idle cores, pool throughput scales with the threads added until the ' +
              'cores are busy.'
            : 'The queue wait drops out of the latency: requests take their own fs/dns time only.',
          effort: 'low',
          testingRequired:
            'Re-run speedguard profile at the same load: pending requests must stay at or below the pool size and latency must fall.',
          rollbackPlan: 'Restore UV_THREADPOOL_SIZE / the previous code.',
        },
      },
    ];
  },
};
