// `speedguard demo`'s sequence: a private PostgreSQL with the demo shop's data, then the bundled demo
// shop (examples/demo: real bottlenecks) in its own process on it, started with the Node agent as
// `speedguard profile` would start it, then the whole assessment of it with the shop's plan (the
// database through its URL), then both stopped in order. The service never shares a thread with the
// load generator. The command (cli/demo.ts) keeps its Ctrl-C handling and passes in how it assesses
// and how it finishes (reports, history, gate).
import { fileURLToPath } from 'node:url';
import { ALL_PHASES, parseSlo } from '../assess/options.ts';
import type { AssessmentRequest } from '../assess/open-assessment.ts';
import { ownModule, packageFile } from '../own-files.ts';
import { loadPlanFile } from '../plan/load-file.ts';
import type { Plan } from '../plan/types.ts';
import type { StartedTarget } from '../probes/target.ts';
import type { WindowProbes } from '../probes/window-probes.ts';
import type { AssessmentConfig, AssessmentRecord } from '../record/assessment-record.ts';
import { startDemoDatabase } from './demo-database.ts';
import { withProfiledTarget } from './profiled-target.ts';

// The demo is started as processes, never imported: the product does not depend on the example's code.
// The build has the demo shop as JavaScript (dist/examples/demo) and plan.yaml in the package's examples/demo.
const SERVER = fileURLToPath(ownModule('../../examples/demo/server.ts', import.meta.url));
const PLAN = fileURLToPath(packageFile('examples/demo/plan.yaml'));

/** What the demo asks of an assessment (the flags a user would give `assess`). */
export type DemoAssessOptions = Pick<AssessmentRequest, 'quick' | 'workers' | 'db' | 'allowWrites'> & { command: 'demo' };

export interface DemoSteps<T> {
  outDir: string;
  quick?: boolean | undefined;
  workers?: number | undefined;
  log(line: string): void;
  /** Asked before each step: true once the user asked to stop (what has not started is skipped). */
  stopping(): boolean;
  /** The service's process, as soon as it runs (a second Ctrl-C kills its group). */
  onStarted(svc: StartedTarget): void;
  /** Runs the assessment (the command's own Ctrl-C handling around it). */
  assess(plan: Plan, config: AssessmentConfig, o: DemoAssessOptions, window: WindowProbes): Promise<AssessmentRecord>;
  /** Reports, history and the exit code, while the service still runs (its profiles are listed). */
  finish(record: AssessmentRecord): Promise<T>;
}

/** The finish's answer, or null when a stop came before the assessment started. */
export async function runDemo<T>(s: DemoSteps<T>): Promise<T | null> {
  // The database first: the server needs it to start. Stopped last, whatever happens in between.
  const db = await startDemoDatabase();
  try {
    s.log(
      `speedguard demo: PostgreSQL ${db.version} with the demo shop's data on 127.0.0.1:${db.port} ` +
        `(started in ${(db.timings.startMs / 1000).toFixed(1)} s, seeded in ${(db.timings.seedMs / 1000).toFixed(1)} s; ${db.dir})`,
    );
    if (s.stopping()) return null;
    // Started like `speedguard profile` would: with the Node agent, so the assessment also sees the
    // service from inside (CPU profile, event loop, GC, downstream calls, queries) during the baseline phase.
    const demo = {
      command: [process.execPath, SERVER],
      env: { DATABASE_URL: db.url },
      outDir: s.outDir,
      name: 'demo',
      log: s.log,
      onStarted: s.onStarted,
    };
    return await withProfiledTarget(demo, async (target, window) => {
      if (s.stopping()) return null;
      const plan = { ...(await loadPlanFile(PLAN, { target })), source: `${target} (speedguard demo: examples/demo)` };
      s.log(`speedguard demo: the demo shop runs on ${target}; assessing it${s.quick ? ' (quick)' : ' (about 2 minutes)'} …`);
      const config: AssessmentConfig = {
        expectedRate: null,
        slo: parseSlo([]),
        suite: [...ALL_PHASES],
        soakMs: s.quick ? 10_000 : 30_000,
        growthPercentPerQuarter: 20,
        targetRate: null,
      };
      // The demo's database is its own throw-away cluster: index advice is measured for real
      // (CREATE INDEX in a transaction that is rolled back), as a user would with --allow-writes.
      const record = await s.assess(
        plan,
        config,
        { quick: s.quick, workers: s.workers, db: db.url, allowWrites: true, command: 'demo' },
        window,
      );
      return s.finish(record);
    });
  } finally {
    await db.stop();
  }
}
