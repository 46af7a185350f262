// The target's resource figures (record/target-resources.ts) from the probes' /proc samples of the
// measured window. Computed once when the record is built (assess/build-record.ts); `compare` reads the
// per-sample series of records that have no stored figures.
import { median } from './stats.ts';
import type { ProcSample } from '../record/proc-samples.ts';
import type { TargetProbes } from '../record/target-probes.ts';
import type { TargetResources } from '../record/target-resources.ts';

/**
 * The /proc samples of the measured window. A sample closes an interval at `t`: it belongs to the
 * window when the middle of its interval lies inside it (the last one is often taken just after).
 */
export function windowProcSamples(probes: TargetProbes | null): ProcSample[] {
  const samples = probes?.proc?.samples ?? [];
  const w = probes?.window;
  if (!w) return samples;
  return samples.filter((s) => s.t - s.intervalMs / 2 >= w.fromEpochMs && s.t - s.intervalMs / 2 <= w.toEpochMs);
}

export function targetResources(probes: TargetProbes | null): TargetResources | null {
  const samples = windowProcSamples(probes);
  if (samples.length === 0) return null;
  const nums = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null && Number.isFinite(x));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const cpu = nums(samples.map((s) => s.cpuPercent));
  const main = nums(samples.map((s) => s.mainThreadCpuPercent));
  const rss = nums(samples.map((s) => s.rssBytes));
  const withIo = samples.filter((s) => s.io !== null && s.intervalMs > 0);
  const ioBytes = withIo.reduce((t, s) => t + s.io!.readBytes + s.io!.writeBytes, 0);
  const ioMs = withIo.reduce((t, s) => t + s.intervalMs, 0);
  return {
    source: 'proc',
    samples: samples.length,
    cpuAvgPercent: mean(cpu),
    cpuPeakPercent: cpu.length ? Math.max(...cpu) : null,
    mainThreadMedianPercent: main.length ? median(main) : null,
    rssPeakBytes: rss.length ? Math.max(...rss) : null,
    rssAvgBytes: mean(rss),
    diskBytesPerSec: ioMs > 0 ? (ioBytes * 1000) / ioMs : null,
  };
}

/** The per-sample series `compare` tests: CPU as a share of one core, RSS in bytes. */
export function targetResourceSeries(probes: TargetProbes | null): { cpu?: number[]; memoryBytes?: number[] } | null {
  const samples = windowProcSamples(probes);
  const cpu = samples.map((s) => s.cpuPercent / 100).filter(Number.isFinite);
  const memoryBytes = samples.map((s) => s.rssBytes).filter((x): x is number => x !== null && Number.isFinite(x));
  const out: { cpu?: number[]; memoryBytes?: number[] } = {};
  if (cpu.length) out.cpu = cpu;
  if (memoryBytes.length) out.memoryBytes = memoryBytes;
  return out.cpu || out.memoryBytes ? out : null;
}
