// Every sample, for outputs that want each one rather than per-second aggregates (k6's
// `--out json=`). A worker batches its samples as small JSON texts — `{"time":…,"value":…,"tags":…}`,
// the tags serialised once per series — and hands each full batch to `post`; the main thread writes
// a batch as it arrives. Memory is bounded by one batch per worker (FLUSH_AT samples).
import { performance } from 'node:perf_hooks';
import type { MetricDef } from '../metrics/catalog.ts';
import type { Series } from '../metrics/registry.ts';
import { redactText } from '../record/redact.ts';

export interface SampleBatch {
  /** Metrics this worker had not sent before (their first samples are in this batch). */
  metrics: Array<Pick<MetricDef, 'name' | 'type' | 'contains'>>;
  /** names[i] is the metric of data[i]. */
  names: string[];
  /** One JSON object per sample: {"time":"<RFC 3339>","value":n,"tags":{…}|null}, tags redacted. */
  data: string[];
}

const FLUSH_AT = 2048;

export class SampleBuffer {
  private readonly post: (batch: SampleBatch) => void;
  private readonly tagsJson = new WeakMap<Series, string>();
  private readonly seen = new Set<string>();
  private batch: SampleBatch = { metrics: [], names: [], data: [] };
  private lastMs = -1;
  private lastTime = '';

  constructor(post: (batch: SampleBatch) => void) {
    this.post = post;
  }

  add(series: Series, def: MetricDef, value: number): void {
    let tags = this.tagsJson.get(series);
    if (tags === undefined) {
      // Redacted here, once per series: tags are the only text in a sample (redact.ts costs tens of
      // µs per line, far too much to run on every sample).
      tags = Object.keys(series.tags).length > 0 ? redactText(JSON.stringify(series.tags)) : 'null';
      this.tagsJson.set(series, tags);
    }
    if (!this.seen.has(def.name)) {
      this.seen.add(def.name);
      this.batch.metrics.push({ name: def.name, type: def.type, contains: def.contains });
    }
    // The samples of one response are added in the same millisecond: its text is made once.
    const ms = Math.floor(performance.timeOrigin + performance.now());
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastTime = new Date(ms).toISOString();
    }
    const time = this.lastTime;
    this.batch.names.push(series.metric);
    this.batch.data.push(`{"time":"${time}","value":${Number.isFinite(value) ? value : null},"tags":${tags}}`);
    if (this.batch.data.length >= FLUSH_AT) this.flush();
  }

  /** Hands over what is batched (each interval, and before the worker reports done). */
  flush(): void {
    if (this.batch.data.length === 0 && this.batch.metrics.length === 0) return;
    const b = this.batch;
    this.batch = { metrics: [], names: [], data: [] };
    this.post(b);
  }
}
