// k6's `options` → speedguard's plan options. Most names are the same (vus, duration, iterations,
// stages, scenarios, thresholds, tags); HTTP settings move under `http`; the rest is read by the
// k6 modules at run time (maxRedirects, userAgent) or by the summary (summaryTrendStats).
import type { PlanOptions, UserScenario, UserThreshold } from '../plan/user-types.ts';
import { ABORT_METRIC } from './modules/execution.ts';
import { mapNetworkOption } from './options-network.ts';
import { mapTlsOption } from './options-tls.ts';

const SCENARIO_KEYS = new Set([
  'executor',
  'startTime',
  'gracefulStop',
  'exec',
  'env',
  'tags',
  'vus',
  'iterations',
  'maxDuration',
  'duration',
  'startVUs',
  'stages',
  'gracefulRampDown',
  'rate',
  'timeUnit',
  'preAllocatedVUs',
  'maxVUs',
  'startRate',
]);
/** Read elsewhere (k6 modules, summary): not plan options. */
const RUNTIME_KEYS = new Set([
  'batch',
  'batchPerHost',
  'maxRedirects',
  'userAgent',
  'summaryTrendStats',
  'summaryTimeUnit',
  'noCookiesReset',
  'systemTags',
  'ext',
  'cloud',
  'noUsageReport',
  // k6/http/request.ts
  'throw',
  // run-options.ts
  'setupTimeout',
  'teardownTimeout',
  'minIterationDuration',
]);
/** k6 options speedguard does not implement (said once, then ignored), for reference. */
export const IGNORED_KEYS = new Set([
  'blockHostnames',
  'blacklistIPs',
  'localIPs',
  'httpDebug',
  'paused',
  'linger',
  'executionSegment',
  'executionSegmentSequence',
]);

/** A hidden threshold that stops the run when a script calls exec.test.abort(). */
export const ABORT_THRESHOLD: UserThreshold = { threshold: 'count<1', abortOnFail: true };

export function mapK6Options(k6: object, warn: (line: string) => void = (l) => process.stderr.write(`speedguard: ${l}\n`)): PlanOptions {
  const o = k6 as Record<string, unknown>;
  const out: PlanOptions = {};
  const http: NonNullable<PlanOptions['http']> = { discardResponseBodies: o.discardResponseBodies === true };
  const ignored: string[] = [];
  const tls: NonNullable<typeof http.tls> = {};
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    if (mapTlsOption(key, value, tls) || mapNetworkOption(key, value, http, warn)) continue;
    switch (key) {
      case 'vus':
      case 'duration':
      case 'iterations':
      case 'stages':
      case 'tags':
        (out as Record<string, unknown>)[key] = value;
        break;
      case 'thresholds':
        out.thresholds = value as PlanOptions['thresholds'];
        break;
      case 'scenarios':
        out.scenarios = scenarios(value as Record<string, Record<string, unknown>>, warn);
        break;
      case 'insecureSkipTLSVerify':
        http.insecureSkipTLSVerify = Boolean(value);
        break;
      case 'noConnectionReuse':
      case 'noVUConnectionReuse':
        if (value) http.keepAlive = false;
        break;
      case 'discardResponseBodies':
        break;
      default:
        // Unknown names too: k6 ignores them, and a typo should not pass unseen.
        if (!RUNTIME_KEYS.has(key)) ignored.push(key);
    }
  }
  if (ignored.length > 0) warn(`k6 option(s) not supported by speedguard, ignored: ${ignored.join(', ')}`);
  if (Object.keys(tls).length > 0) http.tls = tls;
  // k6 resolves with its own defaults when the script says nothing (answers kept 5 minutes, a
  // random address, IPv4 first): the same here, rather than Node's resolver on each connection.
  http.dns ??= {};
  out.http = http;
  out.thresholds = { ...out.thresholds, [ABORT_METRIC]: [ABORT_THRESHOLD] };
  return out;
}

/**
 * The scenario that uses k6's externally-controlled executor, if any. That executor is driven at run
 * time through k6's REST API (k6 scale, pause, resume), which speedguard does not have.
 */
export function externallyControlledScenario(k6: object): string | null {
  const defined = (k6 as { scenarios?: Record<string, { executor?: unknown } | null> }).scenarios ?? {};
  return Object.keys(defined).find((name) => defined[name]?.executor === 'externally-controlled') ?? null;
}

function scenarios(input: Record<string, Record<string, unknown>>, warn: (line: string) => void): Record<string, UserScenario> {
  const out: Record<string, UserScenario> = {};
  for (const [name, s] of Object.entries(input ?? {})) {
    const kept: Record<string, unknown> = {};
    const dropped: string[] = [];
    for (const [k, v] of Object.entries(s ?? {})) {
      if (SCENARIO_KEYS.has(k)) kept[k] = v;
      else dropped.push(k);
    }
    if (dropped.length > 0) warn(`scenario "${name}": option(s) not supported by speedguard, ignored: ${dropped.join(', ')}`);
    out[name] = kept as unknown as UserScenario;
  }
  return out;
}
