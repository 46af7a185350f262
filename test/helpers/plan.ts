// Building typed plans in tests without going through a loader.
import type { HttpSettings, Plan, RequestStep, Scenario } from '../../src/plan/types.ts';

export const HTTP: HttpSettings = {
  timeoutMs: 5000,
  connectTimeoutMs: 2000,
  insecureSkipTLSVerify: false,
  discardResponseBodies: true,
  keepAlive: true,
  pipelining: 1,
  maxBodyBytes: 100 * 1024 * 1024,
};

export function get(url: string, extra: Partial<RequestStep> = {}): RequestStep {
  return {
    kind: 'request',
    method: 'GET',
    url,
    headers: {},
    body: null,
    name: null,
    tags: {},
    checks: [],
    capture: {},
    expectedStatuses: null,
    ...extra,
  };
}

type ScenarioInput = Omit<Scenario, 'startTimeMs' | 'gracefulStopMs' | 'exec' | 'tags' | 'env' | 'flow'> & Partial<Scenario>;

export function scenario(s: ScenarioInput, flow: RequestStep[]): Scenario {
  return { startTimeMs: 0, gracefulStopMs: 2000, exec: 'default', tags: {}, env: {}, flow, ...s } as Scenario;
}

export function plan(scenarios: Record<string, Scenario>, extra: Partial<Plan> = {}): Plan {
  return { source: 'test', scriptPath: null, scenarios, thresholds: {}, http: HTTP, feeders: [], tags: {}, workers: 1, env: {}, ...extra };
}
