// `speedguard demo` (and `npm start`): start the bundled demo shop (examples/demo: products, orders,
// customers on node:sqlite, with real bottlenecks) in its own process, assess it with its plan, stop
// it, and say where the reports are. The service never shares a thread with the load generator.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseSlo } from '../assess/options.ts';
import { loadPlanFile } from '../plan/load-file.ts';
import { assessPlan, finish } from './assess.ts';
import { EXIT } from './exit-codes.ts';
import { startTarget } from '../probes/target.ts';
import { startWindowProbes } from '../profile/window-probes.ts';

const SERVER = fileURLToPath(new URL('../../examples/demo/server.ts', import.meta.url));
const PLAN = fileURLToPath(new URL('../../examples/demo/plan.yaml', import.meta.url));

export interface DemoOptions {
  quick?: boolean;
  outDir: string;
  history?: string | false;
  json?: boolean;
  quiet?: boolean;
  workers?: number;
}

export function registerDemoCommand(program: Command, run: (fn: () => Promise<number>) => void): void {
  program.command('demo')
    .description('start the bundled demo shop (real bottlenecks), assess it, and write the reports (about 3 minutes)')
    .option('--quick', 'shorter phases (about a minute)')
    .option('--out-dir <dir>', 'where reports go', 'PERFORMANCE')
    .option('--history <path>', 'history database (default .speedguard/history.db)')
    .option('--no-history', 'do not store the assessment')
    .option('--json', 'print the AssessmentRecord as JSON on stdout')
    .option('-w, --workers <n>', 'worker threads', (v) => Number(v))
    .option('-q, --quiet', 'no progress lines')
    .action((o: DemoOptions) => run(() => demoCommand(o)));
}

export async function demoCommand(o: DemoOptions): Promise<number> {
  // Started like `speedguard profile` would: with the Node agent, so the assessment also sees the
  // service from inside (CPU profile, event loop, GC, downstream calls) during the baseline phase.
  const svc = await startTarget({ command: [process.execPath, SERVER] });
  const window = startWindowProbes(svc, { outDir: o.outDir, name: 'demo', log: o.quiet ? () => {} : (l) => process.stderr.write(l + '\n') });
  try {
    const target = `http://127.0.0.1:${svc.port}`;
    const plan = { ...(await loadPlanFile(PLAN, { target })), source: `${target} (speedguard demo: examples/demo)` };
    if (!o.quiet) process.stderr.write(`speedguard demo: the demo shop runs on ${target}; assessing it${o.quick ? ' (quick)' : ' (about 3 minutes)'} …\n`);
    const record = await assessPlan(plan, {
      expectedRate: null, slo: parseSlo([]), suite: ['baseline', 'stress', 'spike', 'sustained', 'recovery'],
      soakMs: o.quick ? 10_000 : 30_000, growthPercentPerQuarter: 20, targetRate: null,
    }, { quiet: o.quiet, workers: o.workers, quick: o.quick }, undefined, window);
    const code = await finish(record, { outDir: o.outDir, json: o.json, history: o.history });
    // Findings are the point of the demo, not a failure: only an interruption changes the exit code.
    return code === EXIT.INTERRUPTED ? code : EXIT.OK;
  } finally {
    window.close();
    await svc.stop();
  }
}
