// `speedguard profile [load options] -- <command that starts the service>`: measure the target from
// inside under load and name the bottleneck (issue 4).
import { stopOnSignals } from './signals.ts';
import { checkHistoryPath, checkOutputDir } from './output-paths.ts';
import type { Command } from 'commander';
import { parseSlo } from '../assess/options.ts';
import { loadSeverityConfig } from '../analysis/severity.ts';
import { checkProfileLimits, startProfile } from '../profile/run-profile.ts';
import { parseDuration } from '../plan/duration.ts';
import { finish } from './finish-assessment.ts';
import { UsageError } from '../errors.ts';
import { toUrlFlags, type RunCliOptions } from './run.ts';
import {
  addGateOptions,
  addRecordOutputOptions,
  collect,
  durationFlag,
  portNumber,
  positiveInt,
  rateNumber,
  type GateCliOptions,
  type RecordOutputCliOptions,
} from './option-parsers.ts';

export interface ProfileCliOptions
  extends Pick<RunCliOptions, 'vus' | 'duration' | 'rate' | 'method' | 'header' | 'body' | 'env' | 'workers' | 'timeout'>,
    RecordOutputCliOptions,
    GateCliOptions {
  path: string;
  port?: number;
  warmup: string;
  slo: string[];
  samplingInterval?: number;
  pid?: number;
  db?: string;
  allowWrites?: boolean;
  /** false with --no-limits (plan/limits.ts). */
  limits?: boolean;
}

export function registerProfileCommand(program: Command, run: (fn: () => Promise<number>) => void): void {
  const cmd = program
    .command('profile')
    .argument('[command...]', 'the command that starts the service, after "--" (or --pid)')
    .option('-u, --vus <n>', 'virtual users (closed model; default 20 when no --rate)', positiveInt('--vus'))
    .option('-r, --rate <n>', 'arrival rate in requests/s (open model)', rateNumber('--rate'))
    .option('-d, --duration <time>', 'measured window (default 15s)', durationFlag('--duration'))
    .option('--path <path>', 'request path on the service', '/')
    .option('--port <n>', 'the port the service listens on (default: detected by the agent)', portNumber('--port'))
    .option('--pid <n>', 'attach to a running process of any language (/proc probes only; needs --port)', positiveInt('--pid'))
    .option('--warmup <time>', 'load before the measured window (not measured)', durationFlag('--warmup'), '3s')
    .option('--slo <expr>', 'e.g. "p95<200ms", "errors<1%" (repeatable)', collect, [])
    .option('-m, --method <method>', 'HTTP method')
    .option('-H, --header <header>', '"Name: value" (repeatable)', collect, [])
    .option('--body <text>', 'request body')
    .option('-w, --workers <n>', 'load generator worker threads', positiveInt('--workers'))
    .option('--timeout <time>', 'request timeout', durationFlag('--timeout'))
    .option('--sampling-interval <µs>', 'CPU profile sampling interval in µs (default 1000)', positiveInt('--sampling-interval'))
    .option(
      '--db <postgres-url>',
      'analyse this PostgreSQL database over the measured window: statements, plans, index advice, N+1 per request',
    )
    .option('--allow-writes', 'with --db: measure suggested indexes for real (CREATE INDEX inside a transaction that is rolled back)')
    .option('--no-limits', 'lift the safety limits on VUs (10,000 per worker), rate (100,000/s per worker) and durations (7 days)');
  addGateOptions(cmd);
  addRecordOutputOptions(cmd, { outDir: 'where reports and the .cpuprofile go', record: 'the record' })
    .addHelpText(
      'after',
      `
Examples:
  speedguard profile -- node server.js
  speedguard profile --rate 300 -d 20s --path /api/products -- npm start
  speedguard profile --port 8080 -- ./start.sh          (a non-Node service: /proc probes only)
  speedguard profile --pid 4242 --port 8080             (a running process: /proc probes only)
  speedguard profile --db "$DATABASE_URL" -- node server.js   (+ the queries each request runs)

The target's .cpuprofile is saved beside the reports (open it in Chrome DevTools).`,
    )
    .action((command: string[], o: ProfileCliOptions) => run(() => profileCommand(command, o)));
}

export async function profileCommand(command: string[], o: ProfileCliOptions): Promise<number> {
  if (o.pid === undefined && command.length === 0)
    throw new UsageError(
      'profile: give the command that starts the service after "--" (e.g. speedguard profile -- node server.js), or --pid N --port P',
    );
  if (o.pid !== undefined && command.length > 0) throw new UsageError('profile: give either a command after "--" or --pid, not both');
  checkOutputDir(o.outDir, '--out-dir');
  checkHistoryPath(o.history);
  const slo = parseSlo(o.slo);
  const warmupMs = parseDuration(o.warmup);
  const thresholds = o.config ? loadSeverityConfig(o.config) : undefined;
  const flags = toUrlFlags(o);
  const log = o.quiet ? () => {} : (line: string) => process.stderr.write(line + '\n');
  // Before the service is started, let alone loaded.
  checkProfileLimits({ flags, warmupMs, path: o.path, ...(o.workers ? { workers: o.workers } : {}) }, o.limits !== false);
  const handle = startProfile({
    command,
    path: o.path,
    flags,
    warmupMs,
    outDir: o.outDir,
    slo,
    log,
    ...(o.port ? { port: o.port } : {}),
    ...(o.pid !== undefined ? { pid: o.pid } : {}),
    ...(o.workers ? { workers: o.workers } : {}),
    ...(thresholds ? { thresholds } : {}),
    ...(o.samplingInterval ? { samplingIntervalUs: o.samplingInterval } : {}),
    ...(o.db ? { db: o.db, allowWrites: Boolean(o.allowWrites) } : {}),
  });
  const record = await stopOnSignals(handle, () => 'stopping — the load ends, the target is stopped; what was measured is reported');
  return finish(record, { outDir: o.outDir, json: o.json, history: o.history, failOn: o.failOn });
}
