// `speedguard assess <url|plan>`: the performance engineer's assessment — phases, capacity,
// findings, reports, history, and a regression verdict against a baseline.
import { stopOnSignals } from './signals.ts';
import { checkHistoryPath, checkOutputDir } from './output-paths.ts';
import { resolveRefs } from '../history/resolve-refs.ts';
import type { Command } from 'commander';
import { loadSeverityConfig } from '../analysis/severity.ts';
import { openAssessment, type AssessmentRequest } from '../assess/open-assessment.ts';
import { parseGrowth, parseSlo, parseSuite, profiledSuite } from '../assess/options.ts';
import type { GateSeverity, SeverityThresholds } from '../record/findings.ts';
import { parseDuration } from '../plan/duration.ts';
import { loadPlan } from '../plan/index.ts';
import type { Plan } from '../plan/types.ts';
import type { AssessmentCommand, AssessmentRecord } from '../record/assessment-record.ts';
import { UsageError } from '../errors.ts';
import type { WindowProbes } from '../probes/window-probes.ts';
import { withProfiledTarget } from '../profile/profiled-target.ts';
import { targetName } from '../assess/build-record.ts';
import { loadPlanFile } from '../plan/load-file.ts';
import { checkPlanThresholds } from '../engine/threshold-tracker.ts';
import { historyOption, toUrlFlags, type RunCliOptions } from './run.ts';
import { addRecordOutputOptions, collect, durationFlag, failOnOption, portNumber, positiveInt, positiveNumber } from './option-parsers.ts';
import { finish } from './finish-assessment.ts';
import { installScriptHooks } from '../engine/script-loader/hooks.ts';
import { rememberPlanSecrets } from '../record/redact-messages.ts';
import { checkAssessLimits, type AssessLimitOptions } from '../assess/limits.ts';
import { requestsPerIteration } from '../assess/phase-runner.ts';

export interface AssessCliOptions
  extends Pick<RunCliOptions, 'method' | 'header' | 'body' | 'env' | 'workers' | 'insecure' | 'timeout' | 'quiet' | 'json' | 'history'> {
  expectedRate?: number;
  slo: string[];
  suite?: string;
  soak?: string;
  growth?: string;
  targetRate?: number;
  outDir: string;
  baseline?: string;
  failOn?: GateSeverity;
  config?: string;
  maxRate?: number;
  quick?: boolean;
  profile?: boolean;
  path: string;
  port?: number;
  threshold: string[];
  /** PostgreSQL URL: snapshot pg_stat_statements around each measured phase and analyse the difference. */
  db?: string;
  /** With db: measure index candidates for real inside rolled-back transactions. */
  allowWrites?: boolean;
  /** false with --no-limits (plan/limits.ts, assess/limits.ts). */
  limits?: boolean;
}

const positive = positiveNumber;

export function registerAssessCommand(program: Command, run: (fn: () => Promise<number>) => void, passthrough: string[] = []): void {
  const cmd = program
    .command('assess')
    .argument('[target]', 'URL or plan (with --profile: optional, the started service is the target)')
    .argument('[command...]', 'with --profile: the command that starts the service, after "--"')
    .option(
      '--expected-rate <req/s>',
      'the expected load (default: half the sustainable maximum found by the stress phase)',
      positive('--expected-rate'),
    )
    .option('--slo <expr>', 'service-level objective, e.g. "p95<200ms", "p99<1s", "errors<1%" (repeatable)', collect, [])
    .option(
      '--suite <phases>',
      'phases to run: baseline,stress,spike,sustained,recovery (the default), and peak (10× the expected rate, only when named)',
    )
    .option('--soak <time>', 'length of the sustained phase (default 30s; 10s with --quick)', durationFlag('--soak'))
    .option('--quick', 'shorter phases (about a minute): a smoke check, not a full assessment')
    .option(
      '--profile',
      'start the service given after "--" with the Node agent and measure it from inside at its capacity (and what profiling cost)',
    )
    .option('--path <path>', 'with --profile and no target: the request path on the started service', '/')
    .option('--port <n>', 'with --profile: the port the service listens on (default: detected)', portNumber('--port'))
    .option(
      '--db <postgres-url>',
      'analyse this PostgreSQL database under the load: pg_stat_statements before/after each phase, plans, index advice, N+1',
    )
    .option('--allow-writes', 'with --db: measure suggested indexes for real (CREATE INDEX inside a transaction that is rolled back)')
    .option('--growth <rate>', 'traffic growth for capacity planning, e.g. "20%/quarter"')
    .option('--target-rate <req/s>', 'a future load to size instances for', positive('--target-rate'))
    .option('--max-rate <req/s>', 'highest rate the stress phase may offer', positive('--max-rate'))
    .option(
      '--baseline <run>',
      'compare with a run: a history ref (id, latest, latest~N) or a record or envelope .json file; gate on regressions',
    )
    .addOption(failOnOption('exit 99 on a regression (and, when given, a finding) at or above this severity'))
    .option('--config <file>', 'severity thresholds overriding ASSESSMENT-RULES.md §2 defaults (JSON or YAML)')
    .option('-m, --method <method>', 'HTTP method (URL mode)')
    .option('-H, --header <header>', '"Name: value" (repeatable, URL mode)', collect, [])
    .option('--body <text>', 'request body (URL mode)')
    .option('-e, --env <NAME=value>', 'variable for templates and scripts (repeatable)', collect, [])
    .option('-w, --workers <n>', 'worker threads (default: one per core)', positiveInt('--workers'))
    .option('-k, --insecure', 'skip TLS certificate verification (local self-signed targets)')
    .option('--timeout <time>', 'request timeout', durationFlag('--timeout'))
    .option('--no-limits', "lift the safety limits on the phases' rates (100,000 iterations/s per worker) and --soak (7 days)");
  addRecordOutputOptions(cmd, { outDir: 'where reports go', record: 'the AssessmentRecord' })
    .addHelpText(
      'after',
      `
Examples:
  speedguard assess http://127.0.0.1:3000/api --slo 'p95<200ms' --slo 'errors<1%'
  speedguard assess plan.yaml --expected-rate 500 --growth 20%/quarter --target-rate 2000
  speedguard assess http://127.0.0.1:3000/api --baseline latest --fail-on medium
  speedguard assess plan.yaml --db "postgres://app@127.0.0.1:5432/shop"

Exit codes: 0 ok · 1 runtime failure · 2 bad input · 99 regression (or finding) at/above --fail-on · 130 interrupted`,
    )
    .action((target: string | undefined, _rest: string[], o: AssessCliOptions) => {
      // Operands after "--" are the service's command, never the target.
      const t = target !== undefined && passthrough.length > 0 && target === passthrough[0] ? undefined : target;
      run(() => (o.profile ? assessProfiledCommand(t, passthrough, o) : assessCommand(requireTarget(t), o)));
    });
}

function requireTarget(t: string | undefined): string {
  if (!t) throw new UsageError('assess: give a URL or a plan (or --profile -- <command that starts the service>)');
  return t;
}

/** assess --profile [plan] -- <command>: start the service with the agent, assess it, measure it from inside. */
export async function assessProfiledCommand(target: string | undefined, command: string[], o: AssessCliOptions): Promise<number> {
  if (command.length === 0)
    throw new UsageError(
      '--profile needs the command that starts the service after "--", e.g. speedguard assess --profile -- node server.js',
    );
  checkOutputDir(o.outDir, '--out-dir');
  checkHistoryPath(o.history);
  // Without a plan the iteration is one request: the phases' rates are checked before the service starts.
  if (target === undefined || /^https?:/i.test(target)) checkAssessLimits(assessConfig(o), limitOptions(o, 1));
  const log = o.quiet ? () => {} : (line: string) => process.stderr.write(line + '\n');
  return withProfiledTarget(
    { command, ...(o.port ? { port: o.port } : {}), outDir: o.outDir, name: (origin) => targetName(origin + o.path), log },
    (origin, window) => {
      const url = target ?? origin + (o.path.startsWith('/') ? o.path : '/' + o.path);
      return assessCommand(url, o, { window, targetOrigin: target && !/^https?:/i.test(target) ? origin : undefined });
    },
  );
}

export async function assessCommand(
  target: string,
  o: AssessCliOptions,
  extra: { window?: WindowProbes; targetOrigin?: string | undefined } = {},
): Promise<number> {
  checkOutputDir(o.outDir, '--out-dir');
  checkHistoryPath(o.history);
  const config = assessConfig(o);
  if (extra.window) config.suite = profiledSuite(config.suite);
  const thresholds = o.config ? loadSeverityConfig(o.config) : undefined;
  // The plan's thresholds come from the plan: --threshold is run's.
  const flags = toUrlFlags({ ...o, threshold: [] });
  installScriptHooks();
  const plan = extra.targetOrigin ? await loadPlanFile(target, { target: extra.targetOrigin }) : await loadPlan(target, flags);
  rememberPlanSecrets(plan);
  checkPlanThresholds(plan);
  checkAssessLimits(config, limitOptions(o, requestsPerIteration(plan)));
  // Resolve the baseline before spending minutes on load: a typo'd ref fails at once.
  const baseline = o.baseline ? loadBaseline(o.baseline, historyOption(o.history)) : null;
  const record = await assessPlan(plan, config, { ...o, baseline }, thresholds, extra.window);
  return finish(record, o);
}

/** The assessment's settings from the flags (bad ones are exit 2 naming the flag). */
function assessConfig(o: AssessCliOptions): AssessmentRecord['config'] {
  return {
    expectedRate: o.expectedRate ?? null,
    slo: parseSlo(o.slo),
    suite: parseSuite(o.suite),
    soakMs: parseDuration(o.soak ?? (o.quick ? '10s' : '30s')),
    growthPercentPerQuarter: o.growth ? parseGrowth(o.growth) : null,
    targetRate: o.targetRate ?? null,
  };
}

function limitOptions(o: AssessCliOptions, perIteration: number): AssessLimitOptions {
  return { maxRate: o.maxRate, workers: o.workers, enforce: o.limits !== false, requestsPerIteration: perIteration };
}

function loadBaseline(ref: string, history: string | false | undefined) {
  if (history === false) throw new UsageError('--baseline needs the history database; drop --no-history');
  // A file or a history ref, as compare takes it; a missing database or an unknown ref is exit 2.
  return resolveRefs([{ ref, what: '--baseline' }], history)[0]!;
}

export async function assessPlan(
  plan: Plan,
  config: AssessmentRecord['config'],
  o: Pick<AssessCliOptions, 'quiet' | 'workers' | 'maxRate' | 'quick' | 'db' | 'allowWrites'> & {
    command?: AssessmentCommand;
    baseline?: AssessmentRequest['baseline'];
  },
  thresholds?: SeverityThresholds,
  window?: WindowProbes,
): Promise<AssessmentRecord> {
  const log = o.quiet ? () => {} : (line: string) => process.stderr.write(line + '\n');
  const handle = await openAssessment(plan, {
    config,
    log,
    command: o.command,
    workers: o.workers,
    maxRate: o.maxRate,
    quick: o.quick,
    window,
    thresholds,
    db: o.db,
    allowWrites: o.allowWrites,
    baseline: o.baseline,
  });
  return stopOnSignals(handle, () => 'stopping the assessment — the current phase ends, the others are skipped; reports are still written');
}
