// k6's `--out json=FILE` for k6 scripts: one line per sample, as k6 writes it —
//   {"type":"Metric","data":{"type":"trend","contains":"time","tainted":null,"thresholds":[…],"submetrics":null},
//    "metric":"http_req_duration"}
//   {"type":"Point","data":{"time":"2026-…Z","value":12.3,"tags":{…}},"metric":"http_req_duration"}
// A metric's Metric line comes before its first Point. Batches from the workers are written as they
// arrive with synchronous writes, so nothing queues up here: memory stays one batch per worker.
// A FILE ending in .gz is gzip, as in k6: each batch (up to 2,048 samples) is one gzip member, and
// concatenated members are one valid gzip file (RFC 1952 §2.2) that gunzip and zcat read whole.
// (Native runs keep speedguard's own NDJSON: one line per series per second, report/ndjson-output.ts.)
import { closeSync, openSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { SampleBatch } from '../engine/sample-stream.ts';
import { parseMetricSelector } from '../metrics/thresholds/index.ts';
import type { Plan } from '../plan/types.ts';
import { ABORT_METRIC, FAIL_METRIC } from './modules/execution.ts';

/** speedguard's bookkeeping metrics for k6 scripts: not k6 metrics, never written. */
const HIDDEN = new Set([ABORT_METRIC, FAIL_METRIC]);

export class K6JsonOutput {
  private readonly fd: number;
  private readonly gzip: boolean;
  private readonly declared = new Set<string>();
  private readonly thresholds = new Map<string, string[]>();
  /** The first write error (full disk): kept for close(), so a failed export never stops the run. */
  private error: Error | null = null;

  constructor(path: string, plan: Pick<Plan, 'thresholds'>) {
    this.fd = openSync(path, 'w');
    this.gzip = path.endsWith('.gz');
    for (const [selector, specs] of Object.entries(plan.thresholds)) {
      const { metric, tags } = parseMetricSelector(selector);
      if (Object.keys(tags).length > 0) continue; // k6 lists sub-metric thresholds under the sub-metric
      this.thresholds.set(metric, [...(this.thresholds.get(metric) ?? []), ...specs.map((s) => s.expression)]);
    }
  }

  write(batch: SampleBatch): void {
    if (this.error) return;
    let chunk = '';
    for (const m of batch.metrics) {
      if (HIDDEN.has(m.name) || this.declared.has(m.name)) continue;
      this.declared.add(m.name);
      const data = { type: m.type, contains: m.contains, tainted: null, thresholds: this.thresholds.get(m.name) ?? [], submetrics: null };
      chunk += `{"type":"Metric","data":${JSON.stringify(data)},"metric":${JSON.stringify(m.name)}}\n`;
    }
    for (let i = 0; i < batch.data.length; i++) {
      const name = batch.names[i]!;
      if (HIDDEN.has(name)) continue;
      chunk += `{"type":"Point","data":${batch.data[i]},"metric":${JSON.stringify(name)}}\n`;
    }
    try {
      // Tags come redacted from the workers (engine/sample-stream.ts); the rest is names and numbers.
      if (!chunk) return;
      if (this.gzip) writeSync(this.fd, gzipSync(chunk));
      else writeSync(this.fd, chunk);
    } catch (e) {
      this.error = e as Error;
    }
  }

  /** Closes the file; the first write error, if any. */
  close(): Error | null {
    try {
      closeSync(this.fd);
    } catch (e) {
      this.error ??= e as Error;
    }
    return this.error;
  }
}
