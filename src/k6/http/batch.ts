// http.batch's parallelism, as k6 bounds it: at most `batch` requests of one call in flight (k6
// default 20) and at most `batchPerHost` to one host (default 6; 0 means no bound for either).
// Each request to a host takes a numbered slot, and the slot is the VU's connection to that host
// it uses: a VU keeps one connection per host, and a batch opens up to batchPerHost of them.
import { scriptOptions } from '../modules/runtime.ts';

export interface BatchJob<T> {
  /** The host the request goes to (protocol, name, port): what batchPerHost counts. */
  host: string;
  run(connection: number): Promise<T>;
}

function bound(value: unknown, fallback: number): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : fallback;
  return n <= 0 ? Infinity : n;
}

export function batchLimits(): { total: number; perHost: number } {
  const o = scriptOptions();
  return { total: bound(o.batch, 20), perHost: bound(o.batchPerHost, 6) };
}

/** Runs the jobs in order as slots free up; answers in the jobs' order. The first failure rejects. */
export function runBatch<T>(jobs: Array<BatchJob<T>>, limits = batchLimits()): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  if (jobs.length === 0) return Promise.resolve(results);
  const busy = new Map<string, boolean[]>();
  const waiting = jobs.map((_, i) => i);
  let inFlight = 0;
  let left = jobs.length;
  return new Promise<T[]>((resolve, reject) => {
    let failed = false;
    const freeSlot = (host: string): number => {
      let slots = busy.get(host);
      if (!slots) busy.set(host, (slots = []));
      const i = slots.indexOf(false);
      if (i !== -1) return i;
      return slots.length < limits.perHost ? slots.length : -1;
    };
    const pump = () => {
      for (let k = 0; k < waiting.length && inFlight < limits.total; ) {
        const index = waiting[k]!;
        const job = jobs[index]!;
        const slot = freeSlot(job.host);
        if (slot === -1) {
          k++;
          continue;
        }
        waiting.splice(k, 1);
        busy.get(job.host)![slot] = true;
        inFlight++;
        job.run(slot).then(
          (value) => {
            results[index] = value;
            busy.get(job.host)![slot] = false;
            inFlight--;
            if (--left === 0) resolve(results);
            else if (!failed) pump();
          },
          (err: unknown) => {
            failed = true;
            reject(err);
          },
        );
      }
    };
    pump();
  });
}
