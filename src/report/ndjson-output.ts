// --out json=FILE: one NDJSON line per metric series per 1-second interval, written as the run goes,
// so a crash or kill still leaves every finished interval on disk.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { IntervalProgress } from '../engine/coordinator.ts';
import { redactText } from '../record/redact.ts';

export class NdjsonOutput {
  private readonly stream: WriteStream;
  private readonly startEpochMs: number;
  /** The first write error (missing directory, full disk): kept, so a failed export never crashes
   *  the run with an unhandled 'error' event; close() hands it to the caller. */
  private error: Error | null = null;

  constructor(path: string, startEpochMs: number) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (e) => {
      this.error ??= e;
    });
    this.startEpochMs = startEpochMs;
  }

  onInterval(p: IntervalProgress): void {
    const time = new Date(this.startEpochMs + p.index * 1000).toISOString();
    let chunk = '';
    for (const s of p.interval.values()) {
      const a = s.acc;
      const line: Record<string, unknown> = {
        type: 'Point',
        metric: s.metric,
        metric_type: a.type,
        time,
        interval: p.index,
        tags: s.tags,
        count: a.count,
        sum: a.sum,
      };
      if (a.count) {
        line.min = a.min;
        line.max = a.max;
      }
      if (a.hist) {
        line.avg = a.count ? a.sum / a.count : 0;
        line.med = a.percentile(50);
        line['p(90)'] = a.percentile(90);
        line['p(95)'] = a.percentile(95);
        line['p(99)'] = a.percentile(99);
      }
      chunk += JSON.stringify(line) + '\n';
    }
    if (this.error === null && !this.stream.destroyed) this.stream.write(redactText(chunk));
  }

  /** Resolves with the write error, if any (never rejects: the run's result matters more). */
  close(): Promise<Error | null> {
    if (this.stream.destroyed) return Promise.resolve(this.error);
    // 'close' comes after 'finish' or after 'error' (the end() callback can run before 'error' is emitted).
    return new Promise((resolve) => {
      this.stream.once('close', () => resolve(this.error));
      this.stream.end();
    });
  }
}
