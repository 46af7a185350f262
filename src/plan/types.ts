// The typed, validated plan. Loaders (URL, YAML/JSON, script module) turn user input into this
// shape once, at the edge; everything inside the engine trusts it. All durations are milliseconds.

export type ExecutorName =
  | 'shared-iterations'
  | 'per-vu-iterations'
  | 'constant-vus'
  | 'ramping-vus'
  | 'constant-arrival-rate'
  | 'ramping-arrival-rate';

export interface Stage {
  durationMs: number;
  /** VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate) reached at the stage's end. */
  target: number;
}

interface ScenarioCommon {
  /** Offset from the test start. */
  startTimeMs: number;
  /** How long iterations still running at the scenario's end may finish before being interrupted. */
  gracefulStopMs: number;
  /** Script mode: the exported function to run (default: "default"). */
  exec: string;
  tags: Record<string, string>;
  env: Record<string, string>;
  /** Request-list mode (URL and YAML/JSON plans): the steps one iteration runs. Null in script mode. */
  flow: Step[] | null;
}

export interface SharedIterations extends ScenarioCommon {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface PerVuIterations extends ScenarioCommon {
  executor: 'per-vu-iterations';
  vus: number;
  iterations: number;
  maxDurationMs: number;
}
export interface ConstantVus extends ScenarioCommon {
  executor: 'constant-vus';
  vus: number;
  durationMs: number;
}
export interface RampingVus extends ScenarioCommon {
  executor: 'ramping-vus';
  startVUs: number;
  stages: Stage[];
  gracefulRampDownMs: number;
}
export interface ConstantArrivalRate extends ScenarioCommon {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnitMs: number;
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
}
export interface RampingArrivalRate extends ScenarioCommon {
  executor: 'ramping-arrival-rate';
  startRate: number;
  timeUnitMs: number;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs: number;
}

export type Scenario = SharedIterations | PerVuIterations | ConstantVus | RampingVus | ConstantArrivalRate | RampingArrivalRate;

/** Where a captured variable's value comes from in a response. */
export type CaptureSource =
  | { json: string } // dotted path into a JSON body: "data.items.0.id"
  | { header: string } // response header (case-insensitive)
  | { regex: string; group?: number };

/** Declarative checks on a response (plan mode); each becomes one `checks` sample. */
export interface CheckSpec {
  name: string;
  status?: number | number[];
  bodyIncludes?: string;
  headerPresent?: string;
  maxDurationMs?: number;
}

export interface RequestStep {
  kind: 'request';
  method: string;
  /** May contain ${var} placeholders filled from captures, feeders and env. */
  url: string;
  headers: Record<string, string>;
  body: string | null;
  /** The `name` tag (defaults to the URL with ids normalised). */
  name: string | null;
  tags: Record<string, string>;
  checks: CheckSpec[];
  capture: Record<string, CaptureSource>;
  /** Status codes counted as expected (expected_response tag); default 200–399. */
  expectedStatuses: number[] | null;
}
export interface SleepStep {
  kind: 'sleep';
  /** Fixed think time, or uniformly random between min and max. */
  minMs: number;
  maxMs: number;
}
export interface GroupStep {
  kind: 'group';
  name: string;
  steps: Step[];
}
export type Step = RequestStep | SleepStep | GroupStep;

/** Test data: rows handed to VUs ("per-vu": each VU walks its own cursor; "shared": one cursor). */
export interface FeederSpec {
  name: string;
  /** Absolute path of a CSV (header row) or JSON (array of objects) file. */
  path: string;
  mode: 'shared' | 'per-vu';
  /** sequential wraps around; random picks a row each time. */
  order: 'sequential' | 'random';
}

export interface ThresholdSpec {
  /** The expression as written, e.g. "p(95)<200" or "p(95)<300 over 30s". */
  expression: string;
  abortOnFail: boolean;
  delayAbortEvalMs: number;
  /** The metric may legitimately get no data: then the threshold passes instead of failing. */
  allowEmpty?: boolean;
}

export interface HttpSettings {
  timeoutMs: number;
  connectTimeoutMs: number;
  insecureSkipTLSVerify: boolean;
  discardResponseBodies: boolean;
  keepAlive: boolean;
  pipelining: number;
  maxBodyBytes: number;
  /** TLS protocol range, cipher suites and client certificates (absent: Node's defaults, no certificate). */
  tls?: TlsSettings;
  /** Host name (or name:port) → IP address (or address:port) connected to instead ("*.example.com" matches subdomains). */
  hosts?: Record<string, string>;
  /** How names are resolved (absent: the system resolver on every new connection). */
  dns?: DnsSettings;
  /** At most this many script requests per second, across all VUs and workers (k6's rps). */
  rps?: number;
}

export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface TlsSettings {
  minVersion?: TlsVersionName;
  maxVersion?: TlsVersionName;
  /** OpenSSL cipher suite names (TLS 1.2 and 1.3 suites). */
  ciphers?: string[];
  /** Client certificates (PEM), each sent to the servers of its domains (and their subdomains). */
  clientCertificates?: Array<{ domains: string[]; cert: string; key: string; passphrase?: string }>;
}

export interface DnsSettings {
  /** How long an answer is reused; null = for the whole run, 0 = never cached. */
  ttlMs: number | null;
  /** Which of several addresses a new connection uses. */
  select: 'first' | 'random' | 'roundRobin';
  /** Which address families are asked for, and in which order. */
  policy: 'preferIPv4' | 'preferIPv6' | 'onlyIPv4' | 'onlyIPv6' | 'any';
}

export interface Plan {
  /** Where the plan came from (URL, file path) — for messages and the record. */
  source: string;
  /** Script mode: absolute path of the module to import in every worker. */
  scriptPath: string | null;
  /** The plan's `target` base URL without trailing slash (the origin for URL plans); absent when
   *  not given. Request URLs in flows are already absolute; scripts may read it. */
  target?: string;
  scenarios: Record<string, Scenario>;
  /** Metric selector (e.g. "http_req_duration{name:login}") → threshold expressions. */
  thresholds: Record<string, ThresholdSpec[]>;
  http: HttpSettings;
  feeders: FeederSpec[];
  /** Tags added to every sample. */
  tags: Record<string, string>;
  /** Worker threads; 0 = one per core. */
  workers: number;
  /** Environment visible to the script (`__ENV` style) and to ${var} substitution. */
  env: Record<string, string>;
  /** Thresholds follow k6's semantics (an unchanged k6 script): one whose metric got no data passes,
   *  with a warning, instead of failing. */
  k6Semantics?: boolean;
  /** Probes to run beside the load (assess/profile): `postgres` = a PostgreSQL URL (like --db). */
  probes?: { postgres?: string };
  /** Module URLs each load worker imports before the script (loader hooks, e.g. for k6 scripts). */
  preload?: string[];
  /**
   * Each VU imports its own instance of the script module (`?vu=N`), so module-level state and
   * init code are per VU, as in k6. Default: one instance per worker, shared by its VUs.
   */
  scriptPerVu?: boolean;
  /** Time limits of setup() and teardown() in ms (k6's setupTimeout / teardownTimeout); none when absent. */
  lifecycleTimeouts?: { setupMs: number; teardownMs: number };
  /** An iteration that ends sooner waits out the rest (k6's minIterationDuration), in ms. */
  minIterationDurationMs?: number;
}
