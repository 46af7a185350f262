// Where a Node service waits (issue 12, off-CPU time, "for Node the async operations in flight from
// the agent"): the main thread is mostly idle, yet requests take far longer than their CPU — they
// await something. The agent's async-wait tracker (probes/node-agent/async-waits.ts) names it: the
// asynchronous operations in flight while requests were, by kind and by the call site in the
// service that started them, weighted by time (probes.target.asyncWaits, summed over the window).
// Beside off-cpu-wait, not inside it: that one reads a thread blocked in a system call (/proc), which
// an idle event loop never is; this one reads the awaits the loop is idle for.
import { bandOf } from '../analysis/severity.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { AsyncWaitSite } from '../record/target-probes.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import { atLeast, latencyOf, loopBusyOf, mainThreadLoad, MIN_SAMPLES, probeConfidence, siteText, targetView } from './support/target.ts';

export const ASYNC_WAIT_ID = 'async-wait';
/** The main thread busy at least this share is computing, not waiting (not-saturated's LOW_LOAD too). */
export const BUSY_MAX = 0.5;
/** Requests spent at least this share of their time off the main thread: they wait more than they compute. */
export const WAITING_MIN = 0.5;
/**
 * The operations' in-flight time is at least this share of the requests' time: the waits explain the
 * latency. Estimated from the sampled subset: tracked in-flight time ÷ the tracked fraction of the
 * operations (the subset is chosen without regard to kind or site, so it scales).
 */
export const AWAITED_MIN = 0.5;

/** What an async_hooks resource type is, in words (the type kept in brackets: it is what async_hooks and a debugger call it). */
export function kindText(kind: string): string {
  const named: Record<string, string> = {
    FSREQPROMISE: 'an fs.promises call',
    FSREQCALLBACK: 'an fs callback call',
    FILEHANDLECLOSEREQ: 'a file close',
    Timeout: 'a timer (setTimeout)',
    HTTPCLIENTREQUEST: 'an outgoing HTTP request',
    QueuedRequest: 'an outgoing HTTP request waiting for a free socket of its http.Agent',
    TCPCONNECTWRAP: 'a TCP connect',
    PIPECONNECTWRAP: 'a pipe connect',
    GETADDRINFOREQWRAP: 'a DNS lookup',
    GETNAMEINFOREQWRAP: 'a reverse DNS lookup',
    QUERYWRAP: 'a DNS query',
    PROCESSWRAP: 'a child process',
    ZLIB: 'a zlib job',
  };
  const words = named[kind] ?? (/REQUEST$|JOB$/.test(kind) ? 'a job on the libuv thread pool' : null);
  return words ? (kind === 'Timeout' ? words : `${words} (${kind})`) : kind;
}

const where = (s: AsyncWaitSite) => siteText({ function: s.function, file: s.file, line: s.line });

function advice(s: AsyncWaitSite): string {
  const at = where(s);
  if (s.kind.startsWith('FS') || s.kind.startsWith('FILEHANDLE'))
    return (
      `Take the file read in ${at} off the request path or make it fast: read it once and keep it in memory (refresh it on ` +
      `change), move it to a local disk, or serve a cached copy; a slow or remote file system also holds a libuv pool thread ` +
      `per read (UV_THREADPOOL_SIZE).`
    );
  if (s.kind === 'Timeout')
    return (
      `Remove or shorten the timer awaited in ${at} (a deliberate delay, a retry back-off, a poll interval): ` + `each request sits it out.`
    );
  if (s.kind === 'QueuedRequest')
    return (
      `The http.Agent used in ${at} has all its sockets busy (maxSockets): raise maxSockets to what the downstream can take, ` +
      `or make fewer calls (cache, batch).`
    );
  if (s.kind === 'HTTPCLIENTREQUEST' || s.kind.endsWith('CONNECTWRAP'))
    return `Make fewer or faster calls from ${at}: cache the answers, batch them, call in parallel, keep connections alive.`;
  if (/ADDRINFO|NAMEINFO|QUERYWRAP/.test(s.kind))
    return `Cache the DNS answers used in ${at} (or connect by address): each request waits for a lookup.`;
  return `Shorten or remove the wait started in ${at}, cache what it produces, or run it once off the request path.`;
}

export const asyncWait: Audit = {
  id: ASYNC_WAIT_ID,
  effect: 'objective',
  judgesResource: true,
  title: 'Requests wait on asynchronous operations',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    const w = v?.probes.asyncWaits;
    if (!v || !w || typeof w !== 'object' || v.agent.length < MIN_SAMPLES || w.inFlightMs <= 0 || !w.sites.length) return [];
    // Computing, not waiting: cpu-bound and event-loop-blocked say where.
    const load = mainThreadLoad(v);
    const loop = loopBusyOf(v);
    const busy = Math.max(load?.value ?? 0, loop?.value ?? 0);
    if (!load || busy >= BUSY_MAX) return [];
    // How much of the requests' time was not the main thread's work: 1 − its CPU over the time requests took.
    let requestMs = 0;
    let windowMs = 0;
    for (const s of v.agent) {
      windowMs += s.intervalMs;
      for (const d of Object.values(s.httpIn.byMethodStatus)) requestMs += d.totalMs;
    }
    if (requestMs <= 0) return [];
    const waiting = Math.max(0, 1 - (load.value * windowMs) / requestMs);
    // The sampled fraction: every candidate started while the tracker took operations had the same
    // chance, whatever its site turned out to be; it took them acceptingShare of the time.
    const sampled = w.tracked + (w.ignored ?? 0);
    const trackedFraction = (sampled / Math.max(1, sampled + w.untracked)) * Math.max(w.acceptingShare ?? 1, 1e-3);
    const awaited = Math.min(1, w.inFlightMs / Math.max(trackedFraction, 1e-9) / requestMs);
    if (waiting < WAITING_MIN || awaited < AWAITED_MIN) return [];

    const top = w.sites[0]!;
    const lat = latencyOf(ctx.record, v);
    const over = lat !== null && lat.pSlo > lat.sloMs;
    // Within the SLO this is where the latency goes, not a problem (like downstream-wait's dominant share).
    const severity: Severity = over ? atLeast('medium', bandOf(lat.p95, ctx.thresholds.apiP95Ms)) : 'info';
    const others = w.sites.slice(1, 4).filter((s) => s.share >= 0.01);
    const evidence: Evidence[] = [
      {
        label: `in-flight time of ${top.kind} started in ${where(top)} (share of the tracked operations')`,
        value: round(top.share * 100, 1),
        unit: '%',
        phase: v.phaseName,
      },
      ...others.map((s) => ({
        label: `in-flight time of ${s.kind} started in ${where(s)}`,
        value: round(s.share * 100, 1),
        unit: '%' as const,
        phase: v.phaseName,
      })),
      {
        label: "operations' in-flight time over the requests' time (estimated from the tracked share)",
        value: round(awaited * 100, 1),
        unit: '%',
        phase: v.phaseName,
      },
      { label: "requests' time not spent on the main thread's CPU", value: round(waiting * 100, 1), unit: '%', phase: v.phaseName },
      { label: 'main thread busy', value: round(busy * 100, 1), unit: '%', phase: v.phaseName },
      { label: 'operations tracked (call site taken; a sampled subset)', value: w.tracked, unit: 'count', phase: v.phaseName },
      { label: 'operations not tracked (over the stack budget)', value: w.untracked, unit: 'count', phase: v.phaseName },
    ];
    if (lat)
      evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });
    const rest = others.length
      ? ` Then ${others.map((s) => `${pct(s.share)} ${kindText(s.kind)} started by ${where(s)}`).join('; ')}.`
      : '';
    return [
      {
        audit: ASYNC_WAIT_ID,
        title:
          `Requests wait on asynchronous operations, not the CPU: ${pct(top.share)} of the in-flight time was ` +
          `${kindText(top.kind)} started by ${where(top)}`,
        type: 'application',
        severity,
        // Shares estimated from a sampled subset: a little below the directly measured findings (downstream-wait's).
        confidence: round(probeConfidence(v.agent.length) - 0.05 - (w.tracked < 50 ? 0.1 : 0), 2),
        component: 'service',
        description:
          `The main thread was ${pct(busy)} busy, yet requests spent ${pct(waiting)} of their time off it: they await ` +
          `something. The agent followed ${w.tracked} asynchronous operations started by the service (a sampled subset, ` +
          `${w.untracked} more not followed); scaled up, their in-flight time is ${pct(awaited)} of the requests' time. ` +
          `By in-flight time, ${pct(top.share)} was ${kindText(top.kind)} started by ${where(top)} (${top.started} followed).` +
          rest +
          (lat ? ` p${lat.percentile} ${ms(lat.pSlo)} (SLO ${ms(lat.sloMs)}).` : ''),
        evidence,
        location: { function: top.function, file: top.file, line: top.line },
        rootCause: `Requests wait for ${kindText(top.kind)} started by ${where(top)} while the CPU stays idle.`,
        impact: {
          responseTimeIncrease:
            `About ${pct(waiting * top.share)} of the response time is that wait${over ? ', over the SLO' : ''}; adding CPU or ` +
            `processes does not shorten it.`,
        },
        recommendation: {
          approach: advice(top),
          expectedImprovement: `Up to ${pct(waiting * top.share)} off the response time for each wait removed or cached.`,
          effort: 'medium',
          testingRequired:
            `Re-run speedguard profile at the same load: the share of ${top.kind} in ${where(top)} ` + `and the latency must fall.`,
          rollbackPlan: 'Revert the change.',
        },
      },
    ];
  },
};
