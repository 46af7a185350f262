// One function per load generator: run it pinned to the generator core and reduce its own report
// to the same few figures. Each figure is what that tool itself reports; nothing is re-measured.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AUTOCANNON_JS } from './peers.ts';
import { machineBusySeconds, processCpuSeconds, timeVCpuSeconds } from './cpu-load.ts';
import { runPinned, type PinnedRun } from './proc.ts';
import { ensureBuilt, speedguardBuilt } from './built.ts';

export const REPO = resolve(import.meta.dirname, '..', '..');
/** The repo's pinned Node 24, used for speedguard and autocannon alike. */
export const NODE = process.execPath;

export interface Measurement {
  tool: string;
  /** Completed requests per second over the run, as the tool reports it. */
  rps: number;
  p50Ms?: number;
  p90Ms?: number;
  p99Ms?: number;
  maxRssBytes?: number;
  /** Socket errors, timeouts and non-2xx responses the tool counted. */
  errors: number;
  /** Anything that makes the figure suspect (generator limited, timed out, …). */
  warnings: string[];
  /** CPU used during the run by processes that are neither the target nor the generator, in cores. */
  foreignCores: number;
  /** Tool-specific extras (speedguard's service-time percentiles, …). */
  extra: Record<string, number>;
  /**
   * CPU (user + system, from /usr/bin/time -v) per completed request, in µs, start-up included.
   * On a machine shared with other work this is steadier than req/s: a generator that gets less
   * of its core sends less, but each request still costs about the same CPU.
   */
  cpuPerRequestUs?: number;
}

function cpuPerRequest(r: PinnedRun, requests: number): number | undefined {
  const cpu = timeVCpuSeconds(r.timeReport);
  return requests > 0 && cpu > 0 ? (cpu / requests) * 1e6 : undefined;
}

export interface GeneratorRunOptions {
  url: string;
  cpu: number;
  connections: number;
  durationS: number;
  /** Open model: requests per second (autocannon -R, speedguard --rate, wrk2 -R). */
  rate?: number;
  raiseNofile?: boolean;
  /** The target's processes, to tell its CPU from other people's. */
  targetPids?: () => number[];
  /** Extra args for node (speedguard only), e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeArgs?: string[];
  /** Run speedguard from this checkout instead of this repository (a before/after comparison). */
  repo?: string;
}

/** Runs the generator pinned and bounded, and measures the foreign CPU load during the run. */
async function pinned(o: GeneratorRunOptions, argv: string[], cwd?: string): Promise<PinnedRun & { foreignCores: number }> {
  const targetCpu = () => (o.targetPids?.() ?? []).reduce((a, p) => a + processCpuSeconds(p), 0);
  const b0 = machineBusySeconds();
  const t0 = targetCpu();
  const r = await runPinned(argv, { cpu: o.cpu, timeoutMs: (o.durationS + 60) * 1000, raiseNofile: o.raiseNofile, measureRss: true, cwd });
  const foreign = machineBusySeconds() - b0 - (targetCpu() - t0) - timeVCpuSeconds(r.timeReport);
  return { ...r, foreignCores: Math.max(0, foreign) / (r.wallMs / 1000) };
}

function noisy(r: { timedOut: boolean; foreignCores: number }): string[] {
  return [...(r.timedOut ? ['timed out'] : []), ...(r.foreignCores > 0.15 ? [`foreign CPU load ${r.foreignCores.toFixed(2)} cores`] : [])];
}

function failed(tool: string, r: PinnedRun): Error {
  return new Error(`${tool} exited ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.slice(-800)}`);
}

// ── wrk / wrk2 ────────────────────────────────────────────────────────────────────────────────

const WRK_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function wrkDurationMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`wrk latency "${text}" has no known unit`);
  return Number(m[1]) * WRK_UNITS[m[2]!]!;
}

export function parseWrk(stdout: string): Pick<Measurement, 'rps' | 'p50Ms' | 'p90Ms' | 'p99Ms' | 'errors'> {
  const rps = /Requests\/sec:\s*([\d.]+)/.exec(stdout);
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${stdout}`);
  const pct = (p: string): number | undefined => {
    // wrk prints "50%" ; wrk2 prints "50.000%" in its detailed table — both start the line.
    const m = new RegExp(`^\\s*${p.replace('.', '\\.')}(?:\\.0+)?%\\s+([\\d.]+(?:us|ms|s|m|h))\\s*$`, 'm').exec(stdout);
    return m ? wrkDurationMs(m[1]!) : undefined;
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const errors = (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0);
  return { rps: Number(rps[1]), p50Ms: pct('50'), p90Ms: pct('90'), p99Ms: pct('99'), errors };
}

export async function runWrk(o: GeneratorRunOptions, binary = 'wrk'): Promise<Measurement> {
  const args = [binary, '-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--latency'];
  if (o.rate !== undefined) args.push(`-R${o.rate}`);
  const r = await pinned(o, [...args, o.url]);
  if (r.code !== 0) throw failed(binary, r);
  const parsed = parseWrk(r.stdout);
  const total = /(\d+) requests in/.exec(r.stdout);
  return {
    tool: binary,
    ...parsed,
    maxRssBytes: r.maxRssBytes,
    warnings: noisy(r),
    foreignCores: r.foreignCores,
    extra: {},
    cpuPerRequestUs: total ? cpuPerRequest(r, Number(total[1])) : undefined,
  };
}

// ── autocannon ────────────────────────────────────────────────────────────────────────────────

interface AutocannonJson {
  duration: number;
  start: string;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number; average: number };
  latency: { p50: number; p90: number; p99: number; totalCount: number };
}

/**
 * ignoreCO: autocannon -C, i.e. record only the measured latencies. Without it autocannon "corrects" for
 * coordinated omission at a fixed rate with HdrHistogram's expected interval, but passes
 * Math.ceil(1 / rate) (seconds, per connection, so 1) where the histogram holds ms: every slow
 * response is back-filled with one synthetic sample per millisecond (autocannon 9.0.0, lib/run.js).
 */
export async function runAutocannon(o: GeneratorRunOptions, ignoreCO = false): Promise<Measurement> {
  const args = [NODE, AUTOCANNON_JS, '-c', String(o.connections), '-w', '0', '-d', String(o.durationS), '-j'];
  if (o.rate !== undefined) args.push('-R', String(o.rate));
  if (ignoreCO) args.push('-C');
  const r = await pinned(o, [...args, o.url]);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.code !== 0 || !line) throw failed('autocannon', r);
  const j = JSON.parse(line) as AutocannonJson;
  return {
    tool: ignoreCO ? 'autocannon -C' : 'autocannon',
    // total ÷ elapsed, like wrk's Requests/sec (autocannon's own "average" is a mean of 1-s samples).
    rps: j.requests.total / j.duration,
    p50Ms: j.latency.p50,
    p90Ms: j.latency.p90,
    p99Ms: j.latency.p99,
    errors: j.errors + j.timeouts + j.non2xx,
    maxRssBytes: r.maxRssBytes,
    warnings: noisy(r),
    foreignCores: r.foreignCores,
    cpuPerRequestUs: cpuPerRequest(r, j.requests.total),
    // latencySamples ≫ requests.total reveals the synthetic samples of the CO correction.
    extra: {
      reqAverage: j.requests.average,
      latencySamples: j.latency.totalCount,
      requests: j.requests.total,
      startedAtMs: Date.parse(j.start),
    },
  };
}

// ── speedguard ────────────────────────────────────────────────────────────────────────────────

type Trend = { count: number; rate?: number; avg: number; med: number; 'p(90)': number; 'p(99)': number };
interface SummaryExport {
  metrics: Record<string, Trend & { fails?: number; passes?: number }>;
  speedguard: {
    status: string;
    started_at: string;
    dropped_iterations?: number;
    generator: { limited: boolean; reasons: string[]; cpuP95: number; rssMaxBytes: number };
  };
}

/** The exact speedguard command line a benchmark runs (also printed for BENCHMARKS.md). */
export function speedguardArgv(o: GeneratorRunOptions, summaryFile: string): string[] {
  const load = o.rate !== undefined ? ['--rate', String(o.rate)] : ['-u', String(o.connections)];
  return [
    ...speedguardBuilt(o.repo ?? REPO, o.nodeArgs),
    'run',
    o.url,
    ...load,
    '-d',
    `${o.durationS}s`,
    '--workers',
    '1',
    '--quiet',
    '--no-history',
    '--summary-export',
    summaryFile,
  ];
}

export async function runSpeedguard(o: GeneratorRunOptions): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-summary-'));
  try {
    const file = join(dir, 'summary.json');
    await ensureBuilt(o.repo ?? REPO);
    const r = await pinned(o, speedguardArgv(o, file), o.repo ?? REPO);
    // 99 = a threshold failed; the run itself is still valid.
    if (r.code !== 0 && r.code !== 99) throw failed('speedguard', r);
    const s = JSON.parse(readFileSync(file, 'utf8')) as SummaryExport;
    const m = s.metrics;
    const reqs = m['http_reqs']!;
    const lat = m['http_req_latency'] ?? m['http_req_duration']!;
    const dur = m['http_req_duration']!;
    const g = s.speedguard.generator;
    const warnings = [
      ...noisy(r),
      ...(g.limited ? [`generator limited: ${g.reasons.join('; ')}`] : []),
      ...(s.speedguard.status !== 'completed' ? [`status ${s.speedguard.status}`] : []),
    ];
    return {
      tool: o.repo !== undefined ? 'speedguard-before' : 'speedguard',
      rps: reqs.rate ?? 0,
      p50Ms: lat.med,
      p90Ms: lat['p(90)'],
      p99Ms: lat['p(99)'],
      errors: m['http_req_failed']?.passes ?? 0,
      maxRssBytes: r.maxRssBytes,
      warnings,
      foreignCores: r.foreignCores,
      cpuPerRequestUs: cpuPerRequest(r, reqs.count),
      extra: {
        durationP50Ms: dur.med,
        durationP90Ms: dur['p(90)'],
        durationP99Ms: dur['p(99)'],
        selfReportedRssMaxBytes: g.rssMaxBytes,
        cpuP95: g.cpuP95,
        dropped: s.speedguard.dropped_iterations ?? 0,
        startedAtMs: Date.parse(s.speedguard.started_at),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
