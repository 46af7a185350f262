// HDR histograms for Trend metrics: values in µs, 1 µs – 1 h, 3 significant digits (as wrk2 does),
// so a run of any length uses constant memory and two histograms merge exactly.
// The histogram class is imported on its own, not the package's index: the index decodes the
// package's bundled WebAssembly and loads pako at import, 60–90 ms of CPU before `run` could send its
// first request (BENCHMARKS.md, cold start) and ~8 MB of memory, for a build we never use. The
// compressed encoding (the JavaScript one, which compresses with node:zlib) is loaded on first use,
// at the end of a run or when a record is read.
import { createRequire } from 'node:module';
import int32 from 'hdr-histogram-js/dist/Int32Histogram.js';
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';

type Encoding = typeof import('hdr-histogram-js/dist/JsHistogram.encoding.js');
let encodingModule: Encoding | undefined;
/** Loading it also gives JsHistogram its encodeIntoCompressedBase64 method and JsHistogram.decode. */
const encoding = (): Encoding =>
  (encodingModule ??= createRequire(import.meta.url)('hdr-histogram-js/dist/JsHistogram.encoding.js') as Encoding);

export const LOWEST_US = 1;
export const HIGHEST_US = 3_600_000_000;
export const SIGNIFICANT_DIGITS = 3;

export type Histogram = JsHistogram;

export function newHistogram(): Histogram {
  // Starts small (10 s) and grows on demand up to the 1 h cap: most runs never see multi-second
  // latencies, and the counts array is what dominates memory.
  // What hdr.build({ bitBucketSize: 32, autoResize: true, … }) makes, without the package index.
  const h = new int32.default(LOWEST_US, 10_000_000, SIGNIFICANT_DIGITS);
  h.autoResize = true;
  return h;
}

/** Record a duration given in ms, clamped to the histogram's range. */
export function recordMs(h: Histogram, ms: number): void {
  let us = Math.round(ms * 1000);
  if (us < 0) us = 0;
  else if (us > HIGHEST_US) us = HIGHEST_US;
  h.recordValue(us);
}

/**
 * Record values[0..n) given in ms, as recordMs would one by one. Runs of equal µs values (common:
 * phases that are 0 on a reused connection) become one update with a count.
 */
export function recordBatchMs(h: Histogram, values: Float64Array, n: number): void {
  let run = -1;
  let runCount = 0;
  for (let i = 0; i < n; i++) {
    let us = Math.round(values[i]! * 1000);
    if (us < 0) us = 0;
    else if (us > HIGHEST_US) us = HIGHEST_US;
    if (us === run) {
      runCount++;
      continue;
    }
    if (runCount > 0) record(h, run, runCount);
    run = us;
    runCount = 1;
  }
  if (runCount > 0) record(h, run, runCount);
}

function record(h: Histogram, us: number, count: number): void {
  if (count === 1) h.recordValue(us);
  else h.recordValueWithCount(us, count);
}

/**
 * Sparse, JSON-friendly form: [value, count, value, count, …] over non-empty buckets. Used to ship
 * interval histograms from workers to the main thread every second; cheaper than the standard
 * compressed encoding (no deflate) and exact, because each value maps back to its own bucket.
 */
export function toSparse(h: Histogram): number[] {
  const out: number[] = [];
  if (h.totalCount === 0) return out;
  const max = h.countsArrayIndex(h.maxValue);
  for (let i = 0; i <= max; i++) {
    const c = h.getCountAtIndex(i);
    if (c !== 0) out.push(h.valueFromIndex(i), c);
  }
  return out;
}

/**
 * into += from, visiting only from's occupied range of buckets. JsHistogram.add walks the whole
 * counts array (15k+ entries) per call, and the run aggregate merges every trend series every
 * second: with one worker thread that ran on the generator's core (a tenth of it at 6k req/s).
 */
export function addHistogram(into: Histogram, from: Histogram): void {
  if (from.totalCount === 0) return;
  const zeros = from.getCountAtIndex(0);
  if (zeros !== 0) into.recordValueWithCount(0, zeros);
  const last = from.countsArrayIndex(from.maxValue);
  for (let i = Math.max(1, from.countsArrayIndex(from.minNonZeroValue)); i <= last; i++) {
    const c = from.getCountAtIndex(i);
    if (c !== 0) into.recordValueWithCount(from.valueFromIndex(i), c);
  }
}

export function addSparse(h: Histogram, sparse: readonly number[]): void {
  for (let i = 0; i < sparse.length; i += 2) h.recordValueWithCount(sparse[i]!, sparse[i + 1]!);
}

/** Standard HdrHistogram compressed base64 (readable by every HdrHistogram implementation). */
export function encodeHistogram(h: Histogram): string {
  encoding();
  return h.encodeIntoCompressedBase64();
}

export function decodeHistogram(s: string): Histogram {
  // What the index's decodeFromCompressedBase64(s, 32) does, without the index.
  const decoded = encoding().doDecode(encoding().decompress(Buffer.from(s.trim(), 'base64')), 32) as Histogram;
  // Decoded histograms keep their encoded range; allow later merges of larger values.
  decoded.autoResize = true;
  return decoded;
}

/** Value at percentile p (0..100), in ms. */
export function percentileMs(h: Histogram, p: number): number {
  if (h.totalCount === 0) return 0;
  return h.getValueAtPercentile(p) / 1000;
}
