// Waiting on a downstream: the share of the incoming requests' time spent in outgoing HTTP calls, per
// origin (agent httpOut vs httpIn), and connection-pool saturation — in-flight calls pinned at a small
// constant (the pool size) for most of the window while incoming requests pile up. The pool size to
// use comes from Little's law: sockets needed = call rate × time per call.
import type { AgentSample } from '../record/agent-samples.ts';
import { bandOf } from '../analysis/severity.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import { median } from './support/record.ts';
import { atLeast, latencyOf, MIN_SAMPLES, probeConfidence, targetView } from './support/target.ts';

export const DOWNSTREAM_WAIT_ID = 'downstream-wait';
/** A downstream taking half the incoming request time is the dominant part of latency. */
export const SHARE_DOMINANT = 0.5;
/** In-flight pinned at the same value in this share of samples is a plateau (a limit, not chance). */
export const PLATEAU_SHARE = 0.7;
/** Pools of more sockets than this are not "small": a plateau there is the load, not a limit. */
export const MAX_POOL_GUESS = 64;
/** Size pools for 70 % utilisation: queueing explodes as a pool nears 100 % busy. */
export const TARGET_UTILISATION = 0.7;

export interface OriginUse {
  origin: string;
  calls: number;
  totalMs: number;
  errors: number;
  share: number;
  meanMs: number;
  plateau: number | null;
}

/**
 * The value the per-second maximum of calls in flight is pinned at — the same in PLATEAU_SHARE of the
 * `samples` seconds and never exceeded — when it is small enough to be a pool's size; else null.
 */
export function inFlightPlateau(perSecondMax: readonly number[], samples: number): number | null {
  const counts = new Map<number, number>();
  for (const x of perSecondMax) counts.set(x, (counts.get(x) ?? 0) + 1);
  const [mode, n] = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0] ?? [0, 0];
  return mode > 0 && mode <= MAX_POOL_GUESS && n >= PLATEAU_SHARE * samples && mode === Math.max(...perSecondMax) ? mode : null;
}

/** Per origin: calls, time, share of the incoming time, and the in-flight plateau if any. */
export function originsOf(samples: readonly AgentSample[]): {
  origins: OriginUse[];
  incomingMs: number;
  incomingCount: number;
  incomingInFlightMedian: number;
} {
  let incomingMs = 0;
  let incomingCount = 0;
  const per = new Map<string, { calls: number; totalMs: number; errors: number; inflight: number[] }>();
  for (const s of samples) {
    for (const st of Object.values(s.httpIn.byMethodStatus)) {
      incomingMs += st.totalMs;
      incomingCount += st.count;
    }
    for (const [origin, o] of Object.entries(s.httpOut)) {
      const e = per.get(origin) ?? { calls: 0, totalMs: 0, errors: 0, inflight: [] };
      e.calls += o.count;
      e.totalMs += o.totalMs;
      e.errors += o.errors;
      e.inflight.push(o.inFlightMax);
      per.set(origin, e);
    }
  }
  const origins = [...per]
    .map(([origin, e]) => {
      const plateau = inFlightPlateau(e.inflight, samples.length);
      return {
        origin,
        calls: e.calls,
        totalMs: e.totalMs,
        errors: e.errors,
        share: incomingMs > 0 ? e.totalMs / incomingMs : 0,
        meanMs: e.calls ? e.totalMs / e.calls : 0,
        plateau,
      };
    })
    .sort((a, b) => b.share - a.share);
  return { origins, incomingMs, incomingCount, incomingInFlightMedian: median(samples.map((s) => s.httpIn.inFlightMax)) };
}

export const downstreamWait: Audit = {
  id: DOWNSTREAM_WAIT_ID,
  effect: 'objective',
  judgesResource: true,
  title: 'Waiting on a downstream service',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    if (!v || v.agent.length < MIN_SAMPLES) return [];
    const use = originsOf(v.agent);
    if (use.incomingMs <= 0) return [];
    const lat = latencyOf(ctx.record, v);
    const seconds = v.agent.reduce((s, x) => s + x.intervalMs, 0) / 1000;
    const arrivals = v.agent.reduce((s, x) => s + x.httpIn.started, 0) / Math.max(seconds, 1e-9);
    const out: AuditFinding[] = [];
    for (const o of use.origins) {
      // Saturated: pinned at the pool size while more requests than that were in flight.
      const saturated = o.plateau !== null && use.incomingInFlightMedian > o.plateau;
      if (o.share < SHARE_DOMINANT && !saturated) continue;
      let severity: Severity = saturated ? 'high' : 'medium';
      if (lat && lat.pSlo > lat.sloMs) severity = atLeast(severity, bandOf(lat.p95, ctx.thresholds.apiP95Ms));
      else if (!saturated) severity = 'low'; // dominant but within the SLO: where latency goes, not a problem yet

      const callsPerRequest = use.incomingCount ? o.calls / use.incomingCount : 1;
      const callRate = o.calls / Math.max(seconds, 1e-9);
      // With the pool pinned, each socket serves one call at a time: time per call on a socket = pool / rate.
      const serviceMs = saturated ? (o.plateau! / Math.max(callRate, 1e-9)) * 1000 : o.meanMs;
      const offeredCallRate = Math.max(arrivals, v.phase?.offeredRate ?? 0) * callsPerRequest;
      const pool = Math.max(1, Math.ceil((offeredCallRate * serviceMs) / 1000 / TARGET_UTILISATION));

      const evidence: Evidence[] = [
        { label: `share of incoming request time in calls to ${o.origin}`, value: round(o.share * 100, 1), unit: '%', phase: v.phaseName },
        { label: 'calls per second', value: round(callRate, 1), unit: 'req/s', phase: v.phaseName },
        { label: 'mean call time (incl. waiting for a socket)', value: round(o.meanMs), unit: 'ms', phase: v.phaseName },
        { label: 'calls per incoming request', value: round(callsPerRequest, 2), unit: 'count', phase: v.phaseName },
      ];
      if (o.plateau !== null)
        evidence.push({ label: 'in-flight calls plateau (most samples)', value: o.plateau, unit: 'count', phase: v.phaseName });
      evidence.push({
        label: 'incoming requests in flight (median of per-second max)',
        value: round(use.incomingInFlightMedian, 1),
        unit: 'count',
        phase: v.phaseName,
      });
      if (o.errors) evidence.push({ label: 'failed calls', value: o.errors, unit: 'count', phase: v.phaseName });
      if (lat)
        evidence.push({
          label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`,
          value: round(lat.pSlo),
          unit: 'ms',
          phase: v.phaseName,
        });

      out.push({
        audit: DOWNSTREAM_WAIT_ID,
        title: saturated
          ? `Connection pool to ${o.origin} saturated at ${o.plateau} sockets`
          : `${pct(o.share)} of request time is spent waiting on ${o.origin}`,
        type: 'network',
        severity,
        confidence: round(probeConfidence(v.agent.length) - (saturated ? 0 : 0.05), 2),
        component: o.origin,
        description: saturated
          ? `Calls to ${o.origin} stayed at ${o.plateau} in flight in most seconds while ${round(use.incomingInFlightMedian, 0)} ` +
            `incoming requests were in flight: the client's connection pool (http.Agent maxSockets / undici connections) is the limit. ` +
            `Calls average ${ms(o.meanMs)} including the wait for a socket (≈ ${ms(serviceMs)} each on the wire), ${pct(o.share)} of ` +
            `the incoming request time.`
          : `Outgoing calls to ${o.origin} (${round(callsPerRequest, 2)} per request, mean ${ms(o.meanMs)}) account for ` +
            `${pct(o.share)} of the time incoming requests take: latency is mostly the downstream's.`,
        evidence,
        location: { endpoint: o.origin },
        rootCause: saturated
          ? `A pool of ${o.plateau} connections serves ${round(offeredCallRate, 0)} calls/s of ≈ ${ms(serviceMs)}: by Little's law it ` +
            `needs ≈ ${round((offeredCallRate * serviceMs) / 1000, 1)} busy sockets, so calls queue for a socket and requests queue ` +
            `behind them.`
          : `The service waits on ${o.origin} for most of each request.`,
        impact: {
          responseTimeIncrease:
            `${pct(Math.min(o.share, 1))} of the response time is downstream ` +
            `time${saturated ? ', growing with load as calls queue for a socket' : ''}.`,
        },
        recommendation: {
          approach: saturated
            ? `Raise the pool to ${o.origin} to about ${pool} sockets (Little's law: ${round(offeredCallRate, 0)} calls/s × ` +
              `${ms(serviceMs)} ÷ ${TARGET_UTILISATION} target utilisation), e.g. new http.Agent({ keepAlive: true, maxSockets: ` +
              `${pool} }) or undici's connections; check the downstream can take that concurrency.`
            : `Make fewer or cheaper calls to ${o.origin}: cache responses, batch, call in parallel rather than in sequence, or speed ` +
              `the downstream up.`,
          expectedImprovement: saturated
            ? `The socket wait disappears: calls take ≈ ${ms(serviceMs)} instead of ${ms(o.meanMs)}, and throughput is no longer ` +
              `capped at ${round(((o.plateau! / Math.max(serviceMs, 1e-9)) * 1000) / Math.max(callsPerRequest, 1e-9), 0)} req/s.`
            : `Up to ${pct(Math.min(o.share, 1))} off the response time for each call avoided or cached.`,
          effort: saturated ? 'low' : 'medium',
          testingRequired:
            'Re-run speedguard profile at the same load: in-flight calls must no longer plateau and latency must fall; watch the ' +
            "downstream's own latency.",
          rollbackPlan: 'Restore the previous pool size.',
        },
      });
    }
    return out;
  },
};
