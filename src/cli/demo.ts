// `speedguard demo` (and `npm start`): start the bundled demo shop (examples/demo: products, orders,
// customers on node:sqlite, with real bottlenecks) in its own process, assess it with its plan, stop
// it, and say where the reports are. The service never shares a thread with the load generator.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseSlo } from '../assess/options.ts';
import { loadPlanFile } from '../plan/load-file.ts';
import { assessPlan, finish } from './assess.ts';
import { EXIT } from './exit-codes.ts';

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

async function startDemoService(): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening (\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the demo service exited early (code ${code})`)));
  });
  return {
    port,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export async function demoCommand(o: DemoOptions): Promise<number> {
  const svc = await startDemoService();
  try {
    const target = `http://127.0.0.1:${svc.port}`;
    const plan = { ...(await loadPlanFile(PLAN, { target })), source: `${target} (speedguard demo: examples/demo)` };
    if (!o.quiet) process.stderr.write(`speedguard demo: the demo shop runs on ${target}; assessing it${o.quick ? ' (quick)' : ' (about 3 minutes)'} …\n`);
    const record = await assessPlan(plan, {
      expectedRate: null, slo: parseSlo([]), suite: ['baseline', 'stress', 'spike', 'sustained', 'recovery'],
      soakMs: o.quick ? 10_000 : 30_000, growthPercentPerQuarter: 20, targetRate: null,
    }, { quiet: o.quiet, workers: o.workers, quick: o.quick });
    const code = await finish(record, { outDir: o.outDir, json: o.json, history: o.history });
    // Findings are the point of the demo, not a failure: only an interruption changes the exit code.
    return code === EXIT.INTERRUPTED ? code : EXIT.OK;
  } finally {
    await svc.stop();
  }
}
