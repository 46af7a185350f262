// `speedguard demo` (and `npm start`): start a private PostgreSQL with the demo shop's data, the bundled
// demo shop (examples/demo: products, orders, customers, with real bottlenecks) in its own process on
// it, assess both with the shop's plan (the database through its URL), stop them, and say where the
// reports are. The service never shares a thread with the load generator.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseSlo } from '../assess/options.ts';
import { loadPlanFile } from '../plan/load-file.ts';
import { assessPlan } from './assess.ts';
import { finish } from './finish-assessment.ts';
import { EXIT } from '../errors.ts';
import type { StartedTarget } from '../probes/target.ts';
import { startDemoDatabase } from '../profile/demo-database.ts';
import { withProfiledTarget } from '../profile/profiled-target.ts';
import { addRecordOutputOptions, positiveInt, type RecordOutputCliOptions } from './option-parsers.ts';
import { ownModule, packageFile } from '../own-files.ts';
import { checkHistoryPath, checkOutputDir } from './output-paths.ts';
import { onStopSignals } from './signals.ts';

// The demo is started as processes, never imported: the product does not depend on the example's code.
// The build has the demo shop as JavaScript (dist/examples/demo) and plan.yaml in the package's examples/demo.
const SERVER = fileURLToPath(ownModule('../../examples/demo/server.ts', import.meta.url));
const PLAN = fileURLToPath(packageFile('examples/demo/plan.yaml'));

export interface DemoOptions extends RecordOutputCliOptions {
  quick?: boolean;
  workers?: number;
}

export function registerDemoCommand(program: Command, run: (fn: () => Promise<number>) => void): void {
  const cmd = program
    .command('demo')
    .option('--quick', 'shorter phases (about a minute)')
    .option('-w, --workers <n>', 'worker threads', positiveInt('--workers'));
  addRecordOutputOptions(cmd, { outDir: 'where reports go', record: 'the AssessmentRecord' }).action((o: DemoOptions) =>
    run(() => demoCommand(o)),
  );
}

export async function demoCommand(o: DemoOptions): Promise<number> {
  checkOutputDir(o.outDir, '--out-dir');
  checkHistoryPath(o.history);
  const log = o.quiet ? () => {} : (l: string) => process.stderr.write(l + '\n');
  // Ctrl-C outside the assessment (which handles its own): the first skips what has not started yet
  // and stops what has, in order; a second exits at once, killing the server's process group first
  // (the database's watchdog then stops and removes the database).
  let signals = 0;
  let assessing = false;
  let serverGroup: number | null = null;
  const onSignal = () => {
    if (++signals < 2 || assessing) return;
    if (serverGroup !== null)
      try {
        process.kill(-serverGroup, 'SIGKILL');
      } catch {
        /* gone */
      }
    process.exit(EXIT.INTERRUPTED);
  };
  const offSignals = onStopSignals(onSignal);
  try {
    // The database first: the server needs it to start. Stopped last, whatever happens in between.
    const db = await startDemoDatabase();
    try {
      log(
        `speedguard demo: PostgreSQL ${db.version} with the demo shop's data on 127.0.0.1:${db.port} ` +
          `(started in ${(db.timings.startMs / 1000).toFixed(1)} s, seeded in ${(db.timings.seedMs / 1000).toFixed(1)} s; ${db.dir})`,
      );
      if (signals > 0) return EXIT.INTERRUPTED;
      // Started like `speedguard profile` would: with the Node agent, so the assessment also sees the
      // service from inside (CPU profile, event loop, GC, downstream calls, queries) during the baseline phase.
      const demo = {
        command: [process.execPath, SERVER],
        env: { DATABASE_URL: db.url },
        outDir: o.outDir,
        name: 'demo',
        log,
        onStarted: (svc: StartedTarget) => {
          serverGroup = svc.child?.pid ?? null;
        },
      };
      return await withProfiledTarget(demo, async (target, window) => {
        if (signals > 0) return EXIT.INTERRUPTED;
        const plan = { ...(await loadPlanFile(PLAN, { target })), source: `${target} (speedguard demo: examples/demo)` };
        log(`speedguard demo: the demo shop runs on ${target}; assessing it${o.quick ? ' (quick)' : ' (about 2 minutes)'} …`);
        assessing = true;
        const record = await assessPlan(
          plan,
          {
            expectedRate: null,
            slo: parseSlo([]),
            suite: ['baseline', 'stress', 'spike', 'sustained', 'recovery'],
            soakMs: o.quick ? 10_000 : 30_000,
            growthPercentPerQuarter: 20,
            targetRate: null,
            // The demo's database is its own throw-away cluster: index advice is measured for real
            // (CREATE INDEX in a transaction that is rolled back), as a user would with --allow-writes.
          },
          { quiet: o.quiet, workers: o.workers, quick: o.quick, db: db.url, allowWrites: true, command: 'demo' },
          undefined,
          window,
        ).finally(() => (assessing = false));
        const code = await finish(record, { outDir: o.outDir, json: o.json, history: o.history });
        // Findings are the point of the demo, not a failure: only an interruption changes the exit code.
        return code === EXIT.INTERRUPTED || code === EXIT.RUNTIME ? code : EXIT.OK;
      });
    } finally {
      await db.stop();
    }
  } finally {
    offSignals();
  }
}
