// Samples any process (any language) from Linux /proc at a fixed interval: CPU by thread group,
// RSS, context switches, I/O, fds, run-queue wait and cgroup throttling. Reads are async and cheap
// (a dozen small files per thread-light process per interval); the timer is unref'd so the probe
// never keeps the tool alive. When the process exits the sampler stops itself and marks `exited`.
//
// Not Linux → no /proc: stop() returns { supported: false } at once. The Node agent (issue 4 §2)
// covers those platforms from inside the process.
//
// CPU % is of ONE core: utime+stime are in clock ticks (USER_HZ); we read USER_HZ from
// /proc/self/auxv (AT_CLKTCK) and fall back to 100. Granularity is 1 tick (10 ms at 100 Hz), so a
// 1-s interval resolves 1 %. Run-queue wait is summed over threads (task/<tid>/schedstat;
// /proc/<pid>/schedstat alone is only the main thread). Throttling counts the whole cgroup, which
// in a container is usually the service's.
import { readClockTicks, readSnapshot, resolveCgroup, type ProcSnapshot } from './read.ts';
import { sampleBetween, summarise } from './compute.ts';
import type { CgroupInfo, ProcSample, ProcSummary } from '../../record/proc-samples.ts';
import type { ProcSampler, ProcSamplerOptions } from './types.ts';

export class ProcSamplerOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProcSamplerOptionError';
  }
}

export function startProcSampler(pid: number, options: ProcSamplerOptions = {}): ProcSampler {
  const intervalMs = options.intervalMs ?? 1000;
  if (!Number.isInteger(pid) || pid <= 0) throw new ProcSamplerOptionError(`startProcSampler: pid must be a positive integer, got ${pid}`);
  if (!Number.isFinite(intervalMs) || intervalMs < 10)
    throw new ProcSamplerOptionError(`startProcSampler: intervalMs must be ≥ 10, got ${intervalMs}`);
  const includeChildren = options.includeChildren ?? false;
  const samples: ProcSample[] = [];

  if (process.platform !== 'linux') {
    const summary: ProcSummary = {
      supported: false,
      pid,
      platform: process.platform,
      reason: 'process sampling reads Linux /proc; use the in-process Node agent on this platform',
    };
    return { samples, stop: () => summary, stopped: Promise.resolve(summary) };
  }

  let running = true;
  let exited = false;
  let timer: NodeJS.Timeout | undefined;
  let previous: ProcSnapshot | null = null;
  let ticksPerSecond = 100;
  let cgroup: CgroupInfo | null = null;
  let summary: ProcSummary | null = null;
  let resolveStopped!: (s: ProcSummary) => void;
  const stopped = new Promise<ProcSummary>((r) => {
    resolveStopped = r;
  });

  const finish = (): ProcSummary => {
    if (summary !== null) return summary;
    running = false;
    clearTimeout(timer);
    summary = summarise(samples, { pid, exited, clockTicksPerSecond: ticksPerSecond, cgroup });
    resolveStopped(summary);
    return summary;
  };

  const schedule = (): void => {
    // setTimeout after each read, not setInterval: a slow read never overlaps the next.
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  };

  const tick = async (): Promise<void> => {
    let snap: ProcSnapshot | null;
    try {
      snap = await readSnapshot(pid, cgroup, includeChildren);
    } catch {
      // A torn read (a file changing under us) skips this interval; the next one retries.
      if (running) schedule();
      return;
    }
    if (!running) return;
    if (snap === null) {
      exited = true;
      finish();
      return;
    }
    if (previous !== null) {
      const sample = sampleBetween(previous, snap, pid, ticksPerSecond);
      samples.push(sample);
      options.onSample?.(sample);
    }
    previous = snap;
    schedule();
  };

  void (async () => {
    [ticksPerSecond, cgroup] = await Promise.all([readClockTicks(), resolveCgroup(pid)]);
    if (running) await tick();
  })();

  return { samples, stop: finish, stopped };
}
