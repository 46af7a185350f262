// The target's resource use over the measured window, as one set of figures: the report's
// "CPU (target)" row, the envelope's resource_utilization and `compare`'s CPU/memory all read these,
// so a profiled report can no longer say "not measured" beside evidence of the target's CPU.

/** Figures from /proc over the measured window; null fields were not measured. */
export interface TargetResources {
  /** Where they come from (the probe). */
  source: 'proc';
  /** /proc samples in the window. */
  samples: number;
  /** Process CPU (all threads), % of ONE core: a process using 2 cores reads 200. */
  cpuAvgPercent: number | null;
  cpuPeakPercent: number | null;
  /** The JS thread's CPU, median sample, % of one core (what the CPU audits judge). */
  mainThreadMedianPercent: number | null;
  /** Resident memory: the window's peak and mean. */
  rssPeakBytes: number | null;
  rssAvgBytes: number | null;
  /** Disk reads + writes per second (/proc/<pid>/io), null when unreadable. */
  diskBytesPerSec: number | null;
}
