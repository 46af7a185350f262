// Which endpoint gives out first. At the stress phase's breaking step, compare each endpoint's p95
// with its p95 at the lightest step. One endpoint taking most of the growth while the others
// barely move points at a resource only it uses — a connection pool, a lock, a downstream — since
// a shared resource (CPU, database) saturating slows every endpoint alike. Both cases are named.
import type { StressStep } from '../record/assessment-record.ts';
import type { Evidence } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, rate, round } from '../analysis/format.ts';
import { trustedStress } from './support/generator.ts';
import { endpointLabel, endpointsOf, expectedRateOf, latencyMetric, methodOf, sampleConfidence } from './support/record.ts';
import { windowStats } from './support/window.ts';

/** One endpoint carries at least this share of the summed p95 growth: it is "the" bottleneck. */
export const DOMINANT_SHARE = 0.6;
/**
 * …and no other endpoint grew by more than this share of its growth (in ms): they were not waiting
 * on the same resource. Absolute growth, not a ratio: a 1 ms health check becoming 3 ms on a busy
 * machine is "3×" but says nothing.
 */
export const OTHERS_GROWTH_SHARE = 0.25;
/**
 * Between OTHERS_GROWTH_SHARE and this, the dominant endpoint is still named (it grew at least twice
 * as much as any other), with lower confidence: the others slowing too means something they share
 * (typically the CPU of a busy host) was also near its limit.
 */
export const OTHERS_GROWTH_SHARE_LOOSE = 0.5;
/** Confidence factor for that case. */
export const SHARED_SLOWDOWN_CONFIDENCE = 0.7;
/** Growth below this (ms) is noise at these sample sizes, not a bottleneck. */
export const MIN_GROWTH_MS = 20;

interface EndpointGrowth {
  name: string;
  light: number;
  broke: number;
  growth: number;
  samples: number;
}

function growthOf(run: Parameters<typeof windowStats>[0], name: string, light: StressStep, broke: StressStep): EndpointGrowth | null {
  const metric = latencyMetric(run);
  const a = windowStats(run, metric, { from: light.fromSecond, to: light.toSecond, tags: { name } });
  const b = windowStats(run, metric, { from: broke.fromSecond, to: broke.toSecond, tags: { name } });
  if (a.samples === 0 || b.samples === 0) return null;
  const light95 = a.quantile(95);
  const broke95 = b.quantile(95);
  return { name, light: light95, broke: broke95, growth: broke95 - light95, samples: b.samples };
}

export const endpointBottleneck: Audit = {
  id: 'endpoint-bottleneck',
  effect: 'capacity',
  title: 'Endpoint that limits capacity',
  run({ record }: AuditContext): AuditFinding[] {
    const stress = trustedStress(record);
    if (!stress || stress.breakingRate === null) return [];
    const steps = stress.steps;
    const light = steps[0]!;
    const broke = steps.find((s) => s.offeredRate === stress.breakingRate)!;
    if (broke === light) return [];
    const run = stress.phase.run;
    const endpoints = endpointsOf(run);
    if (endpoints.length < 2) return []; // one endpoint: saturation-knee already says it all
    const growth = endpoints.map((n) => growthOf(run, n, light, broke)).filter((g): g is EndpointGrowth => g !== null);
    const total = growth.reduce((s, g) => s + Math.max(0, g.growth), 0);
    if (growth.length < 2 || total < MIN_GROWTH_MS) return [];
    growth.sort((a, b) => b.growth - a.growth);
    const top = growth[0]!;
    const rest = growth.slice(1);
    const share = Math.max(0, top.growth) / total;
    const othersFactor = Math.max(...rest.map((g) => (g.light > 0 ? g.broke / g.light : 1)));
    const nextGrowth = Math.max(0, rest[0]!.growth);
    const comparable = growth.filter((g) => g.growth >= OTHERS_GROWTH_SHARE * top.growth).length;
    const expected = expectedRateOf(record);
    const evidence: Evidence[] = growth.slice(0, 6).map((g) => ({
      label: `${endpointLabel(g.name, methodOf(run, g.name))}: p95 at ${rate(light.offeredRate)} → at ${rate(broke.offeredRate)}`,
      value: `${ms(g.light)} → ${ms(g.broke)}`,
      phase: 'stress' as const,
    }));
    evidence.push({ label: 'share of the p95 growth', value: round(share * 100, 1), unit: '%', phase: 'stress' });
    const severity =
      expected && !expected.discovered && stress.maxSustainableRate !== null && stress.maxSustainableRate < expected.rate
        ? 'high'
        : 'medium';
    const recommendationCommon = {
      testingRequired:
        'Re-run the stress phase: the breaking point must move up and this endpoint must no longer dominate the latency growth.',
      rollbackPlan: 'Pool sizes, timeouts and concurrency limits are configuration: restore the previous values.',
    };

    if (share >= DOMINANT_SHARE && nextGrowth <= OTHERS_GROWTH_SHARE_LOOSE * top.growth) {
      const label = endpointLabel(top.name, methodOf(run, top.name));
      const alone = nextGrowth <= OTHERS_GROWTH_SHARE * top.growth;
      return [
        {
          audit: 'endpoint-bottleneck',
          title:
            `${label} limits capacity: its p95 goes from ${ms(top.light)} to ${ms(top.broke)} at ${rate(broke.offeredRate)} while ` +
            `no other endpoint grows by more than ${ms(nextGrowth)}`,
          type: 'application',
          severity,
          confidence: round(Math.min(0.85, sampleConfidence(top.samples)) * (alone ? 1 : SHARED_SLOWDOWN_CONFIDENCE), 2),
          component: label,
          description:
            `At the breaking point of the stress phase (${rate(broke.offeredRate)} offered) ${label} accounts for ` +
            `${round(share * 100, 0)} % of the growth in p95 latency across endpoints; ` +
            `the next one grew by ${ms(nextGrowth)} (at most ${round(othersFactor, 1)}× its light-load p95). ` +
            (alone
              ? 'The service as a whole is not saturated; this endpoint is.'
              : 'This endpoint gives out first, but the others slowed too: something they share (often the CPU of a busy host) was ' +
                'also near its limit, so the next limit is close behind.'),
          evidence,
          location: { endpoint: top.name },
          rootCause:
            'Only this endpoint queues, so it waits on a resource the others do not use: a small connection pool to a downstream or ' +
            'database, a lock or a serial section, or a slow dependency. ' +
            'A saturated CPU or a shared database would slow every endpoint alike.',
          impact: {
            responseTimeIncrease: `${label}: p95 ${ms(top.light)} → ${ms(top.broke)} at ${rate(broke.offeredRate)}.`,
            throughputReduction:
              `The whole service breaks at ${rate(broke.offeredRate)} because of this ` +
              `endpoint${stress.maxSustainableRate ? ` (sustainable up to ${rate(stress.maxSustainableRate)})` : ''}.`,
          },
          recommendation: {
            approach:
              `Find what ${label} waits for (pool queue length, lock wait, downstream latency) and size or remove it: raise the ` +
              `pool size to the concurrency it needs (Little's law: rate × downstream latency), cache or batch the downstream call, or ` +
              `give it its own timeout and fallback so it cannot hold the others' capacity.`,
            expectedImprovement:
              `Capacity rises toward what the other endpoints sustain; ${label}'s p95 back near ${ms(top.light)} ` +
              `below the new breaking point.`,
            effort: 'medium',
            ...recommendationCommon,
          },
        },
      ];
    }
    if (share < DOMINANT_SHARE && comparable >= 2) {
      return [
        {
          audit: 'endpoint-bottleneck',
          title: `Every endpoint slows down together at ${rate(broke.offeredRate)}: a shared resource saturates`,
          type: 'infrastructure',
          severity,
          confidence: 0.6,
          component: 'service',
          description:
            `At ${rate(broke.offeredRate)} the p95 of ${growth.length} endpoints grew together (the largest ` +
            `${round(share * 100, 0)} % of the total growth), so they queue on something they all use.`,
          evidence,
          location: null,
          rootCause:
            'A resource shared by every request is at its limit: the CPU (one Node.js event loop), the database, or a shared pool.',
          impact: { throughputReduction: `The service breaks at ${rate(broke.offeredRate)}.` },
          recommendation: {
            approach:
              'Profile the service under this load (speedguard profile) to see whether CPU, the database or a pool is at 100 %; ' +
              'scale that resource (more processes or instances for CPU, indexes and pool size for the database).',
            expectedImprovement: 'Capacity grows with the saturated resource.',
            effort: 'medium',
            ...recommendationCommon,
          },
        },
      ];
    }
    return [];
  },
};
