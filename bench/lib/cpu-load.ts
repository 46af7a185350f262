// Other people's work shares this 2-core machine. These helpers measure how much CPU went to
// processes that are not part of the benchmark, so a noisy round can be seen (and waited out).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { processCpuMs } from '../../src/probes/proc/read.ts';

const HZ = 100; // USER_HZ: /proc/stat and /proc/<pid>/stat count in 1/100 s on Linux

/** Seconds of CPU the whole machine has been busy (all cores, since boot). */
export function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) / HZ;
}

/** utime+stime of a process and its threads, in seconds (0 if it is gone). */
export function processCpuSeconds(pid: number): number {
  return (processCpuMs(pid, HZ) ?? 0) / 1000;
}

/** The CPU time /usr/bin/time -v printed for the process it ran, in seconds. */
export function timeVCpuSeconds(stderr: string): number {
  const u = /User time \(seconds\):\s*([\d.]+)/.exec(stderr);
  const s = /System time \(seconds\):\s*([\d.]+)/.exec(stderr);
  return (u ? Number(u[1]) : 0) + (s ? Number(s[1]) : 0);
}

/**
 * Waits (bounded) until the machine has been nearly idle for one second, apart from `ownPids`.
 * Returns the foreign load seen last, in cores.
 */
export async function waitForQuiet(ownPids: () => number[], maxWaitMs = 60_000, idleCores = 0.15): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let foreign = Infinity;
  while (Date.now() < deadline) {
    const b0 = machineBusySeconds();
    const o0 = ownPids().reduce((a, p) => a + processCpuSeconds(p), 0);
    await sleep(1000);
    const b1 = machineBusySeconds();
    const o1 = ownPids().reduce((a, p) => a + processCpuSeconds(p), 0);
    foreign = Math.max(0, b1 - b0 - (o1 - o0));
    if (foreign <= idleCores) return foreign;
  }
  return foreign;
}

/** Foreign load above which a run is repeated (in cores; the machine has 2). */
export const NOISY_CORES = 0.25;

/**
 * Runs `run` on a quiet machine: waits up to 3 min for quiet, and repeats a run during which other
 * processes used more than NOISY_CORES (at most `attempts` times; the last attempt is kept, flagged).
 */
export async function runWhenQuiet<T extends { foreignCores: number }>(
  run: () => Promise<T>,
  ownPids: () => number[],
  attempts = 3,
): Promise<T> {
  // --no-wait (BENCH_NO_WAIT=1): on a machine that is never quiet, run at once and keep the
  // foreign-load flag on each figure instead of waiting minutes per run.
  if (process.env.BENCH_NO_WAIT === '1') return run();
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    await waitForQuiet(ownPids, 180_000);
    last = await run();
    if (last.foreignCores <= NOISY_CORES) return last;
    console.error(
      `    (foreign CPU load ${last.foreignCores.toFixed(2)} cores during the run: ${i + 1 < attempts ? 'repeating it' : 'kept, flagged'})`,
    );
  }
  return last!;
}

/** Stops the target if the benchmark is interrupted, then exits 130. */
export function stopOnSignal(stop: () => Promise<void>): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void stop().finally(() => process.exit(130));
    });
  }
}
