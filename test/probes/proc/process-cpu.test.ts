// processCpuMs: a process's utime + stime from /proc/PID/stat, the figure perf's own cost is read
// from (probes/perf/trace.ts, bench/perf-cost.ts, bench/lib/cpu-load.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processCpuMs } from '../../../src/probes/proc/read.ts';

test('processCpuMs grows with the CPU this process burns, and is null for a process that is gone', {
  skip: process.platform !== 'linux',
}, () => {
  const before = processCpuMs(process.pid)!;
  assert.ok(before > 0, String(before));
  const end = process.cpuUsage().user + 200_000; // 200 ms of user CPU
  while (process.cpuUsage().user < end);
  const after = processCpuMs(process.pid)!;
  // Ticks are 10 ms: 200 ms of work shows as at least 150 ms.
  assert.ok(after - before >= 150, `${before} → ${after}`);
  assert.equal(processCpuMs(2 ** 22 + 11), null);
  assert.equal(processCpuMs(process.pid, 1000)! < after, true, 'ticks per second scale the figure');
});
