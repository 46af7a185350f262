// The user-facing plan shape (YAML/JSON file, or a script's `export const options`), as described
// by schema/plan.schema.json. Script authors can type their options with it:
//   import type { PlanOptions } from 'speedguard';  export const options: PlanOptions = { … };
// normalise.ts turns it into the typed Plan of types.ts.

export type DurationInput = string | number;
export type SizeInput = string | number;
export type ScalarMap = Record<string, string | number | boolean>;

export interface UserStage {
  duration: DurationInput;
  target: number;
}

interface UserScenarioCommon {
  startTime?: DurationInput;
  gracefulStop?: DurationInput;
  exec?: string;
  tags?: ScalarMap;
  env?: ScalarMap;
  flow?: UserStep[];
}

export type UserScenario = UserScenarioCommon &
  (
    | { executor: 'shared-iterations' | 'per-vu-iterations'; vus?: number; iterations?: number; maxDuration?: DurationInput }
    | { executor: 'constant-vus'; vus?: number; duration: DurationInput }
    | { executor: 'ramping-vus'; startVUs?: number; stages: UserStage[]; gracefulRampDown?: DurationInput }
    | {
        executor: 'constant-arrival-rate';
        rate: number;
        timeUnit?: DurationInput;
        duration: DurationInput;
        preAllocatedVUs?: number;
        maxVUs?: number;
      }
    | {
        executor: 'ramping-arrival-rate';
        startRate?: number;
        timeUnit?: DurationInput;
        stages: UserStage[];
        preAllocatedVUs?: number;
        maxVUs?: number;
      }
  );

export interface UserCheck {
  name?: string;
  status?: number | number[];
  bodyIncludes?: string;
  headerPresent?: string;
  maxDuration?: DurationInput;
}

export type UserCapture = { json: string } | { header: string } | { regex: string; group?: number };

export interface UserRequest {
  method?: string;
  url: string;
  name?: string;
  headers?: ScalarMap;
  body?: string;
  json?: unknown;
  tags?: ScalarMap;
  checks?: UserCheck[];
  capture?: Record<string, UserCapture>;
  expectedStatuses?: number[];
}

export type UserStep =
  | { request: UserRequest }
  | { sleep: DurationInput | [DurationInput, DurationInput] }
  | { group: { name: string; steps: UserStep[] } };

export type UserThreshold = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: DurationInput; allowEmpty?: boolean };

export interface UserHttp {
  timeout?: DurationInput;
  connectTimeout?: DurationInput;
  insecureSkipTLSVerify?: boolean;
  discardResponseBodies?: boolean;
  keepAlive?: boolean;
  pipelining?: number;
  maxBodySize?: SizeInput;
  tls?: {
    minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
    maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
    ciphers?: string[];
    clientCertificates?: Array<{ domains: string[]; cert: string; key: string; passphrase?: string }>;
  };
  hosts?: Record<string, string>;
  rps?: number;
  dns?: {
    ttl?: DurationInput | 'inf';
    select?: 'first' | 'random' | 'roundRobin';
    policy?: 'preferIPv4' | 'preferIPv6' | 'onlyIPv4' | 'onlyIPv6' | 'any';
  };
}

export type UserFeeder = string | { path: string; mode?: 'shared' | 'per-vu'; order?: 'sequential' | 'random' };

export interface PlanOptions {
  $schema?: string;
  target?: string;
  vus?: number;
  duration?: DurationInput;
  iterations?: number;
  stages?: UserStage[];
  rate?: number;
  scenarios?: Record<string, UserScenario>;
  flow?: UserStep[];
  thresholds?: Record<string, UserThreshold[]>;
  http?: UserHttp;
  data?: Record<string, UserFeeder>;
  tags?: ScalarMap;
  workers?: number;
  env?: ScalarMap;
  probes?: { postgres?: string };
}
