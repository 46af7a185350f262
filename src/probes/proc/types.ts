// Process-level probe data for any pid, read from Linux /proc. Everything here is plain JSON
// (numbers, strings, null, arrays): samples and summaries go into the RunRecord as they are.

import type { ProcSample, ProcSummary } from '../../record/proc-samples.ts';

export interface ProcSamplerOptions {
  intervalMs?: number;
  /** Also sum CPU and RSS of descendants (for `npm start` / shell wrappers). */
  includeChildren?: boolean;
  /** Called with each new sample (live progress, or a test awaiting N samples). */
  onSample?: (sample: ProcSample) => void;
}

export interface ProcSampler {
  /** Filled as the sampler runs (live array). */
  samples: ProcSample[];
  /** Stop sampling and summarise what was collected so far. Idempotent. */
  stop(): ProcSummary;
  /** Resolves when sampling ends, by stop() or because the process exited. */
  stopped: Promise<ProcSummary>;
}
