// How long each phase runs. The defaults keep a whole assessment near 3 minutes (issue 3); `quick`
// (--quick, and tests) trades resolution for time: fine for smoke checks, too short for soak effects.
export interface PhaseTiming {
  /** Seconds per stress step; the first `settleSeconds` of each step are not measured. */
  stepSeconds: number;
  settleSeconds: number;
  baselineSeconds: number;
  spike: { beforeSeconds: number; spikeSeconds: number; afterSeconds: number; factor: number };
  /** Overload, then the expected load until p95 is back for `stableSeconds` in a row (or `afterSeconds` pass). */
  recovery: { overloadSeconds: number; afterSeconds: number; stableSeconds: number };
}

export const DEFAULT_TIMING: PhaseTiming = {
  stepSeconds: 5,
  settleSeconds: 1,
  baselineSeconds: 20,
  spike: { beforeSeconds: 5, spikeSeconds: 6, afterSeconds: 6, factor: 4 },
  recovery: { overloadSeconds: 8, afterSeconds: 20, stableSeconds: 3 },
};

export const QUICK_TIMING: PhaseTiming = {
  stepSeconds: 3,
  settleSeconds: 1,
  baselineSeconds: 5,
  spike: { beforeSeconds: 2, spikeSeconds: 3, afterSeconds: 3, factor: 4 },
  recovery: { overloadSeconds: 3, afterSeconds: 12, stableSeconds: 2 },
};
