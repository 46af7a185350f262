// The capacity a CPU fix buys, calibrated from what was measured (issue 12: an estimate of 1.4× where
// the obvious fix measured 2.9×). Amdahl's law on the share of the main thread's on-CPU time that the
// fix removes:
// - the share is the hot function's INCLUSIVE time (its own work and what it calls: a fix of the
//   function removes both), not its self time; a function that is the whole request (≥ WHOLE_REQUEST
//   of the busy time: a handler) gives only its self time, since fixing it leaves what it calls;
// - the profile's busy time is wall time: on a host where the thread waits for a core, the wait is
//   charged to the frame it resumes in, and a loopback socket write (writev) wakes the client and
//   yields the core, so those frames absorb the waits (measured: writev 17–27 % of a CPU-bound
//   fixture's busy samples while the main thread ran 0.39 of a core for 0.96 of the time busy). The
//   waits — busy share minus the main thread's measured CPU (/proc) — are taken out of those frames;
// - the throughput follows from the measured rate: the main thread's CPU per request now, and the
//   rate a core would serve with and without that work.
import type { CpuHotspot, CpuProfileAnalysis } from '../../record/target-probes.ts';

/** A function with this share of the busy time is the request itself (a handler), not a hot spot. */
export const WHOLE_REQUEST = 0.9;
/** Natives that enter the kernel on a socket and wake its peer: where a starved thread's waits land. */
export const SOCKET_NATIVES: ReadonlySet<string> = new Set([
  'writev',
  'writeBuffer',
  'writeUtf8String',
  'writeLatin1String',
  'writeAsciiString',
  'writeUcs2String',
  'shutdown',
]);
/** Amdahl's share is capped here: removing "all" of a thread's work is no finite estimate. */
const MAX_SHARE = 0.95;

export interface ExpectedGain {
  /** Share of the main thread's on-CPU time the fix removes (0..1). */
  share: number;
  /** Whether that is the function's inclusive time (else its self time). */
  inclusive: boolean;
  /** 1 / (1 − share). */
  factor: number;
  /** Run-queue waits taken out of the socket frames (share of the window), 0 on a quiet host. */
  waitsRemoved: number;
  /** Requests per second one core serves at the measured CPU per request, now and after the fix (null without both figures). */
  coreRps: { now: number; after: number; cpuMsPerRequest: number } | null;
}

/**
 * `hot`: the function the finding names; `mainThreadCpu`: its measured CPU (share of one core, /proc),
 * null when not measured; `achievedRps`: the measured throughput of the profiled phase.
 */
export function expectedGain(
  hot: CpuHotspot,
  profile: CpuProfileAnalysis,
  mainThreadCpu: number | null,
  achievedRps: number | null,
): ExpectedGain {
  const inclusive = hot.totalShare < WHOLE_REQUEST;
  const ofBusy = inclusive ? hot.totalShare : hot.selfShare;
  const busy = Math.max(1e-9, 1 - profile.idleShare);
  const socket = profile.topSelf
    .filter((h) => h.category === 'native' && SOCKET_NATIVES.has(h.function))
    .reduce((s, h) => s + h.selfShare, 0);
  const waits = mainThreadCpu !== null ? Math.max(0, busy - mainThreadCpu) : 0;
  const waitsRemoved = Math.min(waits, socket * busy);
  const share = Math.min(MAX_SHARE, (ofBusy * busy) / Math.max(busy - waitsRemoved, 1e-9));
  const factor = 1 / (1 - share);
  const coreRps =
    mainThreadCpu !== null && mainThreadCpu > 0 && achievedRps !== null && achievedRps > 0
      ? {
          now: achievedRps / mainThreadCpu,
          after: (achievedRps / mainThreadCpu) * factor,
          cpuMsPerRequest: (1000 * mainThreadCpu) / achievedRps,
        }
      : null;
  return { share, inclusive, factor, waitsRemoved, coreRps };
}
