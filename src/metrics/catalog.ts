// Built-in metrics: k6's names where k6 has one (README.md, What is measured), our own where it has none.
import type { MetricType } from './types.ts';

export interface MetricDef {
  name: string;
  type: MetricType;
  /** 'time' trends are recorded in µs and reported in ms; 'data' counters are bytes. */
  contains: 'time' | 'data' | 'default';
  description: string;
}

const defs: MetricDef[] = [
  { name: 'http_reqs', type: 'counter', contains: 'default', description: 'HTTP requests made' },
  {
    name: 'http_req_failed',
    type: 'rate',
    contains: 'default',
    description: 'share of requests that failed (transport error or unexpected status)',
  },
  { name: 'http_req_duration', type: 'trend', contains: 'time', description: 'service time: sending + waiting + receiving' },
  {
    name: 'http_req_latency',
    type: 'trend',
    contains: 'time',
    description: 'intended start → last byte: includes waiting for a VU, a connection, and the schedule (wrk2 method)',
  },
  { name: 'http_req_blocked', type: 'trend', contains: 'time', description: 'waiting for a free connection slot' },
  { name: 'http_req_connecting', type: 'trend', contains: 'time', description: 'TCP connect' },
  { name: 'http_req_tls_handshaking', type: 'trend', contains: 'time', description: 'TLS handshake' },
  { name: 'http_req_sending', type: 'trend', contains: 'time', description: 'writing the request' },
  { name: 'http_req_waiting', type: 'trend', contains: 'time', description: 'time to first byte' },
  { name: 'http_req_receiving', type: 'trend', contains: 'time', description: 'first byte → last byte' },
  { name: 'http_req_errors', type: 'counter', contains: 'default', description: 'failed requests, tagged by error kind' },
  { name: 'iteration_errors', type: 'counter', contains: 'default', description: 'iterations ended by an exception in the script' },
  { name: 'iterations', type: 'counter', contains: 'default', description: 'iterations completed' },
  {
    name: 'interrupted_iterations',
    type: 'counter',
    contains: 'default',
    description: 'iterations the stop cut short (graceful stop over, ramp-down, Ctrl-C): not in iterations, as k6 counts them apart',
  },
  { name: 'iteration_duration', type: 'trend', contains: 'time', description: 'time to run one iteration' },
  {
    name: 'iteration_schedule_delay',
    type: 'trend',
    contains: 'time',
    description: 'intended start → actual start of an iteration (generator or VU lag)',
  },
  {
    name: 'dropped_iterations',
    type: 'counter',
    contains: 'default',
    description: 'iterations not started: no free VU (maxVUs reached) or run stopped',
  },
  { name: 'group_duration', type: 'trend', contains: 'time', description: 'time to run a group' },
  { name: 'checks', type: 'rate', contains: 'default', description: 'share of successful checks' },
  { name: 'data_sent', type: 'counter', contains: 'data', description: 'bytes sent' },
  { name: 'data_received', type: 'counter', contains: 'data', description: 'bytes received' },
  { name: 'vus', type: 'gauge', contains: 'default', description: 'active VUs' },
  { name: 'vus_max', type: 'gauge', contains: 'default', description: 'allocated VUs' },
  { name: 'connections_opened', type: 'counter', contains: 'default', description: 'TCP connections opened (churn when ≫ VUs)' },
];

export const BUILTIN_METRICS: ReadonlyMap<string, MetricDef> = new Map(defs.map((d) => [d.name, d]));

/** Trends that summaries show first, in this order. */
export const HTTP_TIMING_TRENDS = [
  'http_req_duration',
  'http_req_latency',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
] as const;
