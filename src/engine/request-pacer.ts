// A cap on requests per second for the whole run, across every VU of every worker thread (k6's
// `rps` option; plan `http.rps`). One 64-bit slot in shared memory holds the time (µs since the
// epoch) at which the next request may start; each request claims the next slot with a
// compare-and-swap and waits until its time. So the threads need no messages and the cap is
// exact whatever the split of VUs.
import { performance } from 'node:perf_hooks';
import type { VirtualUser } from './vu.ts';

export class RequestPacer {
  private readonly next: BigInt64Array;
  private readonly gapUs: bigint;

  /** `shared` comes from RequestPacer.memory(), handed to every worker. */
  constructor(shared: SharedArrayBuffer, perSecond: number) {
    this.next = new BigInt64Array(shared);
    this.gapUs = BigInt(Math.max(1, Math.round(1_000_000 / perSecond)));
  }

  static memory(): SharedArrayBuffer {
    return new SharedArrayBuffer(8);
  }

  /** Resolves when this request's slot comes (early if the VU is interrupted). */
  take(vu: VirtualUser): Promise<void> {
    // performance.now() has a per-thread origin: the epoch is the clock the threads share.
    const now = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
    for (;;) {
      const seen = Atomics.load(this.next, 0);
      const slot = seen > now ? seen : now;
      if (Atomics.compareExchange(this.next, 0, seen, slot + this.gapUs) === seen) {
        const waitMs = Number(slot - now) / 1000;
        return waitMs > 0 ? vu.sleep(waitMs) : Promise.resolve();
      }
    }
  }
}
