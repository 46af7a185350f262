// CPU-bound on the main thread: the JS thread is (nearly) always on a core, so requests queue for
// it and latency grows with load. Severity is ASSESSMENT-RULES.md §2's CPU row applied to the main thread's sustained
// (median-second) CPU — one core is all a Node process's JavaScript gets. Named by the functions with
// the most self time in the CPU profile. When synchronous blocking work or GC explains the busy time,
// event-loop-blocked / gc-pressure own the finding instead (one cause, one finding).
import { bandOf } from '../analysis/severity.ts';
import type { Evidence } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, rate, round } from '../analysis/format.ts';
import { expectedGain } from './support/expected-gain.ts';
import { achievedRateOf } from './support/record.ts';
import {
  callerOf,
  dominantInstead,
  eluOf,
  latencyOf,
  loadEvidence,
  locationOf,
  mainThreadDemand,
  mainThreadLoad,
  primaryCpuCause,
  probeConfidence,
  siteOf,
  siteText,
  subtreeText,
  targetView,
  userHotspots,
} from './support/target.ts';

export const CPU_BOUND_ID = 'cpu-bound';
/**
 * A busy main thread with an idle loop is not CPU-bound on JavaScript (it is a worker thread or a
 * child): ELU must agree. 0.75 = the lower edge of the P2 CPU band (ASSESSMENT-RULES.md §2).
 */
export const ELU_BUSY = 0.75;
/** The demand path (starved host) needs the top JavaScript function to hold this share of the samples. */
export const DEMAND_MIN_TOP_SHARE = 0.2;
/** Latency whose last third is this much above its first counts as growing (queueing). */
export const LATENCY_GROWTH = 1.5;

export const cpuBound: Audit = {
  id: CPU_BOUND_ID,
  effect: 'objective',
  judgesResource: true,
  title: 'CPU-bound on the main thread',
  run(ctx: AuditContext): AuditFinding[] {
    const v = targetView(ctx.record);
    if (!v) return [];
    const load = mainThreadLoad(v);
    const elu = eluOf(v);
    if (!load) return [];
    // On a starved host the thread gets less CPU than it wants: judge by its demand when the event
    // loop says it was busy AND the profile shows one JavaScript function doing a real part of the
    // work (host-limits reports the starvation itself). Without that, a starved host running GC
    // threads or a thread pool would make any busy loop look CPU-bound.
    const topUser = userHotspots(v.profile, 'self')[0];
    // Without the Node agent (another language: no ELU) a perf profile whose top function holds a
    // real share of the samples says the same: the thread wants the CPU for that code.
    const loopBusy = elu !== null ? elu >= ELU_BUSY : !v.probes.agent?.hello && v.profile !== null;
    const demand = loopBusy && (topUser?.selfShare ?? 0) >= DEMAND_MIN_TOP_SHARE ? mainThreadDemand(v) : null;
    const severity = bandOf(Math.max(load.value, demand ?? 0), ctx.thresholds.cpu);
    if (!severity || (elu !== null && elu < ELU_BUSY)) return [];
    if (primaryCpuCause(v) !== 'js') return [];

    const top = userHotspots(v.profile, 'self').slice(0, 3);
    // With no user function in the profile the heaviest native is named through its caller.
    const native = !top.length ? (v.profile?.topSelf.find((h) => h.category !== 'gc') ?? null) : null;
    const nativeCaller = native ? callerOf(native, v.profile) : null;
    const leafSite = top[0] ? siteOf(top[0]) : (nativeCaller?.site ?? (native ? siteOf(native) : null));
    // CPU spread over several functions under one (issue 12's dominant subtree) is named by that one.
    const dominant = leafSite ? dominantInstead(v, leafSite, top[0]?.selfShare ?? native?.selfShare ?? 0) : null;
    const site = dominant ? siteOf(dominant) : leafSite;
    const lat = latencyOf(ctx.record, v);
    const growing = lat?.growth != null && lat.growth >= LATENCY_GROWTH;

    const evidence: Evidence[] = loadEvidence(v, load, elu);
    for (const h of top)
      evidence.push({ label: `self time ${siteText(siteOf(h))}`, value: round(h.selfShare * 100, 1), unit: '%', phase: v.phaseName });
    if (native)
      evidence.push({
        label: `self time ${siteText(siteOf(native))}`,
        value: round(native.selfShare * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
    if (lat)
      evidence.push({ label: `p${lat.percentile} latency (SLO ${lat.sloMs} ms)`, value: round(lat.pSlo), unit: 'ms', phase: v.phaseName });
    if (lat?.growth != null)
      evidence.push({
        label: 'p95 latency, last third / first third of the window',
        value: round(lat.growth, 2),
        unit: '×',
        phase: v.phaseName,
      });

    const topShare = dominant?.totalShare ?? top[0]?.selfShare ?? native?.selfShare ?? 0;
    if (dominant)
      evidence.push({
        label: `inclusive time under ${siteText(site!)}`,
        value: round(dominant.totalShare * 100, 1),
        unit: '%',
        phase: v.phaseName,
      });
    // Calibrated from the profile's shares and the measured throughput (support/expected-gain.ts).
    const phaseRps = v.phase ? achievedRateOf(v.phase) : NaN;
    const gain =
      top[0] && v.profile
        ? expectedGain(top[0], v.profile, load.source === 'proc' ? load.value : null, Number.isFinite(phaseRps) ? phaseRps : null)
        : null;
    if (gain)
      evidence.push({
        label:
          `expected capacity gain if ${top[0]!.function}${gain.inclusive ? ' and what it calls' : ''} stop costing CPU (Amdahl on ` +
          `${pct(gain.share)} of the main thread's CPU)`,
        value: round(gain.factor, 2),
        unit: '×',
        phase: v.phaseName,
      });
    const named = site ? siteText(site) : 'no single function (the profile is missing or flat)';
    const leafNamed = leafSite ? siteText(leafSite) : named;
    const samples = Math.max(v.proc.length, v.agent.length);
    const confidence = round(Math.min(0.95, probeConfidence(samples) + (site ? 0.05 : -0.15) + (growing ? 0.05 : 0)), 2);
    const eluText = elu !== null ? ` (event-loop utilisation ${pct(elu)})` : '';
    const growthText = growing ? `, growing ${round(lat!.growth!, 1)}× over the window` : '';
    const latText = lat ? `, p${lat.percentile} latency ${ms(lat.pSlo)}${growthText}` : '';
    const thenText =
      top.length > 1
        ? `; then ${top
            .slice(1)
            .map((h) => `${siteText(siteOf(h))} ${pct(h.selfShare)}`)
            .join(', ')}`
        : '';
    const subtree = dominant
      ? ` ${pct(dominant.totalShare)} of the busy time (inclusive) is under ${subtreeText(dominant)}, ` +
        'more than any single function in it: that subtree is the work to make cheaper.'
      : '';
    const waits =
      gain && gain.waitsRemoved > 0
        ? ` (waits for a core charged to socket writes, ${pct(gain.waitsRemoved)} of the window, left out)`
        : '';
    const perCore = gain?.coreRps
      ? `, from about ${rate(gain.coreRps.now)} to ${rate(gain.coreRps.after)} per core ` +
        `(measured: ${round(gain.coreRps.cpuMsPerRequest, 2)} ms of main-thread CPU per request at ${rate(phaseRps)})`
      : '';
    return [
      {
        audit: CPU_BOUND_ID,
        title: site
          ? `CPU-bound on the main thread: ${site.function} takes ${pct(topShare)} of the CPU${dominant ? ' (inclusive)' : ''}`
          : 'CPU-bound on the main thread',
        type: 'application',
        severity,
        confidence,
        component: 'service',
        description:
          `The ${v.probes.agent?.hello ? 'JavaScript' : 'main'} thread was busy ${pct(load.value)} of the time${eluText}${latText}: ` +
          `requests wait for the one thread ` +
          `that runs them. The top self-time function is ${leafNamed}${thenText}.${subtree}`,
        evidence,
        location: locationOf(site),
        rootCause:
          `CPU work${v.probes.agent?.hello ? ' in JavaScript' : ''} on the request path saturates the single main thread` +
          `${site ? `, most of it in ${named}` : ''}.`,
        impact: {
          responseTimeIncrease: 'Every request queues behind the others for the main thread: latency grows with load.',
          throughputReduction: 'Throughput is capped at what one core can compute.',
        },
        recommendation: {
          approach: v.probes.agent?.hello
            ? `Make ${site?.function ?? 'the hot functions'} cheaper (algorithm, caching its result, avoiding repeated work per ` +
              `request) or move it off the main thread (worker_threads pool such as piscina). Several processes (cluster, more ` +
              `replicas) use more cores only when the service keeps no state in its memory that requests share (sessions, caches, ` +
              `counters, in-memory stores): move such state out (Redis, the database) first — nothing measured here says whether it ` +
              `does.`
            : // Not a Node process (stacks from perf): no Node-specific advice.
              `Make ${site?.function ?? 'the hot functions'} cheaper (algorithm, caching its result, avoiding repeated work per ` +
              `request), or spread the work over more threads or processes (more replicas) to use more cores.`,
          expectedImprovement: gain
            ? `${top[0]!.function}${gain.inclusive ? ' and what it calls' : ''} take${gain.inclusive ? '' : 's'} ` +
              `${pct(gain.share)} of the main thread's CPU${waits}: making ${gain.inclusive ? 'that work' : 'its own work'} free ` +
              `raises the rate at which the main thread saturates ≈${round(gain.factor, 1)}× (Amdahl's law)${perCore}, ` +
              `and removes the queueing delay at this load.`
            : `Removing ${pct(topShare)} of the main thread's work raises the throughput at which it saturates by up to ` +
              `${round(1 / Math.max(1 - topShare, 0.05), 1)}× and removes the queueing delay at this load.`,
          effort: 'medium',
          testingRequired:
            "Re-run speedguard profile at the same load: main-thread CPU and the function's self share must fall, latency must flatten.",
          rollbackPlan: 'Revert the change; the behaviour of the function must be covered by its unit tests before and after.',
        },
      },
    ];
  },
};
