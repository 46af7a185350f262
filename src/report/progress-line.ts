// The live progress line `speedguard run` draws on stderr (TTY only): elapsed/total, VUs, req/s, p95,
// errors of the interval the engine just closed. Live only: these figures are not in the record.
import type { IntervalProgress } from '../engine/coordinator.ts';
import { Accumulator } from '../metrics/accumulator.ts';
import { fmtDuration } from './format.ts';

export class ProgressLine {
  private readonly out: NodeJS.WriteStream;
  private lastLen = 0;

  constructor(out: NodeJS.WriteStream) {
    this.out = out;
  }

  update(p: IntervalProgress): void {
    let reqs = 0;
    let failed = 0;
    let vus = 0;
    const duration = new Accumulator('trend');
    for (const s of p.interval.values()) {
      if (s.metric === 'http_reqs') reqs += s.acc.sum;
      else if (s.metric === 'http_req_failed') failed += s.acc.sum;
      else if (s.metric === 'vus') vus = s.acc.sum;
      else if (s.metric === 'http_req_duration') duration.merge(s.acc);
    }
    const total = Math.max(p.plannedMs, 1);
    const frac = Math.min(1, p.elapsedMs / total);
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled ? '>' : '') + ' '.repeat(width - filled);
    const line =
      `[${bar}] ${fmtDuration(p.elapsedMs)}/${fmtDuration(total)}  VUs ${vus}  ${reqs.toFixed(0)} req/s  p95 ` +
      `${fmtDuration(duration.percentile(95))}  errors ${reqs ? ((failed / reqs) * 100).toFixed(2) : '0.00'}%`;
    this.out.write('\r' + line + ' '.repeat(Math.max(0, this.lastLen - line.length)));
    this.lastLen = line.length;
  }

  clear(): void {
    if (this.lastLen) this.out.write('\r' + ' '.repeat(this.lastLen) + '\r');
    this.lastLen = 0;
  }
}
