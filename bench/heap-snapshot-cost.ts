// What a heap snapshot costs: the target's pause (v8.writeHeapSnapshot through the agent, measured in
// the target), the file size, and speedguard's time to read two snapshots and diff them, for heaps
// of a few sizes. The target runs on core 0, speedguard on core 1.
//   ./node_modules/.bin/node bench/heap-snapshot-cost.ts [--sizes 16,64,128,256] [--rounds 3]
// Results: BENCHMARKS.md ("Heap snapshots"). The snapshots' bounds in src/profile/heap-snapshots.ts
// (512 MB of heap, the middle one only when the first paused ≤ 500 ms) come from these figures.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { diffHeapSnapshots } from '../src/analysis/heap-snapshot/diff.ts';
import { readHeapSnapshot } from '../src/analysis/heap-snapshot/parse.ts';
import { startAgentCollector } from '../src/probes/node-agent/collector.ts';
import { fmt, machine, median, table } from './lib/report.ts';
import { NODE, REPO } from './lib/tools.ts';

const { values: args } = parseArgs({
  options: { sizes: { type: 'string', default: '16,64,128,256' }, rounds: { type: 'string', default: '3' } },
});
const sizes = args.sizes!.split(',').map(Number);
const rounds = Number(args.rounds);
const rows: string[][] = [];
for (const mb of sizes) {
  const pauses: number[] = [];
  const files: number[] = [];
  const reads: number[] = [];
  const heaps: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const agent = await startAgentCollector({ commandTimeoutMs: 600_000 });
    const dir = mkdtempSync(join(tmpdir(), 'sg-bench-heap-'));
    const child = spawn('taskset', ['-c', '0', NODE, join(REPO, 'bench/fixtures/heap-filler.mjs')], {
      env: { ...process.env, ...agent.env, FILL_MB: String(mb) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const hello = await agent.waitForHello(120_000);
      const a = await agent.takeHeapSnapshot(join(dir, 'a.heapsnapshot'), 4 * 1024 ** 3);
      await fetch(`http://127.0.0.1:${hello.port}/grow`).then((x) => x.text());
      const b = await agent.takeHeapSnapshot(join(dir, 'b.heapsnapshot'), 4 * 1024 ** 3);
      pauses.push(a.pauseMs, b.pauseMs);
      files.push(a.bytes / 1024 / 1024);
      heaps.push(a.heapUsedBytes / 1024 / 1024);
      const t0 = performance.now();
      diffHeapSnapshots(readHeapSnapshot(a.path), readHeapSnapshot(b.path));
      reads.push(performance.now() - t0);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await agent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.error(
    `${mb} MB: pauses ${pauses.map((x) => Math.round(x)).join(', ')} ms, read+diff ${reads.map((x) => Math.round(x)).join(', ')} ms`,
  );
  rows.push([`${mb} MB filled`, fmt(median(heaps), 0), fmt(median(pauses), 0), fmt(median(files), 0), fmt(median(reads), 0)]);
}
const m = await machine();
console.log(
  `heap snapshot cost — ${m.date}, ${m.nproc} cores (${m.cpu}), Node ${m.node}; target on core 0, speedguard on core 1 (taskset); ` +
    `medians of ${rounds} rounds`,
);
console.log(table(['heap', 'heap used MB', 'target pause ms', 'file MB', 'read + diff of two ms'], rows));
