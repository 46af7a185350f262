// `speedguard demo` (and `npm start`): flags, then profile/demo.ts runs the demo shop and its database
// and assesses them; this command adds its Ctrl-C handling, the shared finish (reports, history, the
// printed findings) and the demo's exit code.
import type { Command } from 'commander';
import { assessPlan } from './assess.ts';
import { finish } from './finish-assessment.ts';
import { EXIT } from '../errors.ts';
import { runDemo } from '../profile/demo.ts';
import { addRecordOutputOptions, positiveInt, type RecordOutputCliOptions } from './option-parsers.ts';
import { checkHistoryPath, checkOutputDir } from './output-paths.ts';
import { onStopSignals } from './signals.ts';

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
    const code = await runDemo({
      outDir: o.outDir,
      quick: o.quick,
      workers: o.workers,
      log,
      stopping: () => signals > 0,
      onStarted: (svc) => {
        serverGroup = svc.child?.pid ?? null;
      },
      assess: (plan, config, a, window) => {
        assessing = true;
        return assessPlan(plan, config, { ...a, quiet: o.quiet }, undefined, window).finally(() => (assessing = false));
      },
      finish: (record) => finish(record, { outDir: o.outDir, json: o.json, history: o.history }),
    });
    if (code === null) return EXIT.INTERRUPTED;
    // Findings are the point of the demo, not a failure: only an interruption changes the exit code.
    return code === EXIT.INTERRUPTED || code === EXIT.RUNTIME ? code : EXIT.OK;
  } finally {
    offSignals();
  }
}
