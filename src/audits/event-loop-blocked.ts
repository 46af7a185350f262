// Event loop blocked by synchronous work: the loop-delay histogram shows the loop stalling and the
// CPU profile shows synchronous fs / crypto / zlib / JSON / regexp work taking a large self share —
// while it runs no other request is served. Named by the user function that does it (the recorded
// caller of the native, else the nearest user function on the total-time list).
import { bandOf } from '../analysis/severity.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import {
  atLeast,
  busyBreakdown,
  callerOf,
  dominantInstead,
  isApplicationFrame,
  SYNC_CATEGORIES,
  subtreeText,
  eluOf,
  latencyOf,
  loadEvidence,
  locationOf,
  loopDelayOf,
  mainThreadLoad,
  primaryCpuCause,
  probeConfidence,
  siteOf,
  siteText,
  targetView,
} from './support/target.ts';

export const EVENT_LOOP_BLOCKED_ID = 'event-loop-blocked';
/** clinic doctor's rule: a median delay of 10 ms or a 100 ms stall is a blocked loop. */
export const DELAY_P99_MS = 10;
export const DELAY_MAX_MS = 100;
/** Sync work below this share of the busy time is not what blocks the loop. */
export const SYNC_SHARE_MIN = 0.1;
/**
 * By impact: every request that arrives during a stall waits for it, so the p99 delay is added to
 * the tail latency as is. 100 ms on the tail of every endpoint is a P1; 25 ms a P2; below, a tip.
 * A stall of a second or more (max) is a P0: requests time out behind it.
 */
export const DELAY_HIGH_MS = 100;
export const DELAY_MEDIUM_MS = 25;
export const STALL_CRITICAL_MS = 1000;

const WHAT: Record<string, string> = {
  'sync-fs': 'synchronous file-system calls',
  'sync-crypto': 'synchronous crypto',
  'sync-zlib': 'synchronous compression',
  json: 'large JSON.parse/stringify',
  regexp: 'expensive regular expressions',
};
const FIX: Record<string, string> = {
  'sync-fs': 'use the async fs API (fs.promises) or read the file once at start-up and cache it',
  'sync-crypto': 'use the async crypto API (crypto.pbkdf2 / scrypt with a callback run on the libuv pool) or a worker thread',
  'sync-zlib': 'use streaming / async zlib (zlib.gzip with a callback) or compress once and cache',
  json: 'shrink the payload, stream it (e.g. a streaming JSON parser/serialiser), or move the parsing to a worker thread',
  regexp: 'rewrite the regular expression to avoid backtracking, or bound the input length',
};

export const eventLoopBlocked: Audit = {
  id: EVENT_LOOP_BLOCKED_ID,
  effect: 'objective',
  judgesResource: true,
  title: 'Event loop blocked by synchronous work',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    if (!v || !v.profile) return [];
    const delay = loopDelayOf(v);
    if (!delay || (delay.p99 < DELAY_P99_MS && delay.max < DELAY_MAX_MS)) return [];
    const b = busyBreakdown(v);
    if (b.sync < SYNC_SHARE_MIN || !b.syncHotspots.length) return [];

    const worst = b.syncHotspots[0]!;
    // JSON work runs inside the user function itself (no frame of its own): that function is named.
    const own = isApplicationFrame(worst);
    const caller = own ? null : callerOf(worst, v.profile);
    const leafSite = caller?.site ?? siteOf(worst);
    // Work spread over several calls under one function (a library's save: open, write, rename) is
    // named by that subtree, with its inclusive share, rather than by one of its leaves.
    const dominant = dominantInstead(v, leafSite, worst.selfShare);
    const site = dominant ? siteOf(dominant) : leafSite;
    const kind = (dominant && dominant.kinds.find((k) => SYNC_CATEGORIES.has(k.category))?.category) || worst.category;
    let severity: Severity =
      delay.max >= STALL_CRITICAL_MS ? 'critical' : delay.p99 >= DELAY_HIGH_MS ? 'high' : delay.p99 >= DELAY_MEDIUM_MS ? 'medium' : 'low';
    // When sync work is what saturates the main thread, the CPU band applies to it too.
    const load = mainThreadLoad(v);
    if (load && primaryCpuCause(v) === 'sync') severity = atLeast(severity, bandOf(load.value, ctx.thresholds.cpu));
    const elu = eluOf(v);
    const lat = latencyOf(ctx.record, v);
    const kinds = [...new Set(b.syncHotspots.map((h) => h.category))];
    const what = kinds.map((k) => WHAT[k] ?? k).join(', ');

    const evidence: Evidence[] = [
      { label: 'event-loop delay p99 (median second)', value: round(delay.p99), unit: 'ms', phase: v.phaseName },
      { label: 'event-loop delay max', value: round(delay.max), unit: 'ms', phase: v.phaseName },
      { label: 'synchronous work, share of the busy CPU time', value: round(b.sync * 100, 1), unit: '%', phase: v.phaseName },
      ...b.syncHotspots.slice(0, 3).map((h) => ({
        label: `self time ${siteText(siteOf(h))} (${h.category})`,
        value: round(h.selfShare * 100, 1),
        unit: '%',
        phase: v.phaseName,
      })),
      ...loadEvidence(v, load, elu),
    ];
    if (dominant)
      evidence.push({
        label: `inclusive time under ${siteText(site)}`,
        value: round(dominant.totalShare * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
    if (caller)
      evidence.push({
        label: `called from${caller.inferred ? ' (inferred from total time)' : ''}`,
        value: siteText(caller.site),
        phase: v.phaseName,
      });
    if (lat)
      evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });

    const samples = v.agent.length;
    const confidence = round(
      Math.min(0.95, probeConfidence(samples) + (own || (caller && !caller.inferred) ? 0.1 : 0) - (own || caller ? 0 : 0.1)),
      2,
    );
    return [
      {
        audit: EVENT_LOOP_BLOCKED_ID,
        title:
          `Event loop blocked by ${WHAT[kind] ?? kind} in ` +
          `${site.function}${dominant ? ` (${pct(dominant.totalShare)} of the busy time under it)` : ''}`,
        type: 'application',
        severity,
        confidence,
        component: 'service',
        description:
          `The event loop stalled (delay p99 ${ms(delay.p99)}, worst ${ms(delay.max)}) while ${what} took ${pct(b.sync)} of ` +
          `the main thread's busy time — ${siteText(siteOf(worst))} ` +
          (`${pct(worst.selfShare)}` +
            (caller
              ? `, called from ` +
                `${siteText(caller.site)}${caller.inferred ? ' (inferred: the nearest user function whose total time covers it)' : ''}`
              : '') +
            `.` +
            (dominant
              ? ` ${pct(dominant.totalShare)} of the busy time (inclusive) is under ${subtreeText(dominant)}: that subtree, not one ` +
                `function in it, is the work to remove.`
              : '') +
            ` `) +
          `While it runs, no other request is read, answered or timed.`,
        evidence,
        location: locationOf(site),
        rootCause:
          `${dominant ? subtreeText(dominant) : site.function} does ${WHAT[kind] ?? kind} on the request path, blocking the ` +
          `single event loop for every concurrent request.`,
        impact: {
          responseTimeIncrease:
            `Each stall adds up to ${ms(delay.max)} to every request in flight; p99 delay ${ms(delay.p99)} lands on ` +
            `the tail of all endpoints.`,
          throughputReduction: 'The loop does nothing else while blocked: throughput is capped by the blocking time per request.',
        },
        recommendation: {
          approach:
            dominant?.category === 'dependency' && dominant.caller
              ? `${site.function} is a dependency's code, called from ${dominant.caller.function}: call it less often or off the ` +
                `request path (batch the writes, a worker thread), configure it to ${FIX[kind] ?? 'work asynchronously'}, or replace ` +
                `it.`
              : `In ${site.function}: ${FIX[kind] ?? 'move the work off the event loop'}.`,
          expectedImprovement:
            `Up to ${pct(b.sync)} of the main thread's busy time freed and the loop delay back near 0 ms (under ` +
            `${DELAY_P99_MS} ms p99), so tail latency loses the ${ms(delay.p99)} stalls.`,
          effort: kind === 'sync-fs' && dominant?.category !== 'dependency' ? 'low' : 'medium',
          testingRequired:
            'Re-run speedguard profile at the same load: loop-delay p99 must fall under 10 ms and the sync function must leave the ' +
            'top of the profile.',
          rollbackPlan: 'Revert the change; async versions return the same data, so behaviour tests must stay green.',
        },
      },
    ];
  },
};
