// Heap snapshots over the measured window, for a leak's retainer: one just before the load, one in
// the middle of it, one just after, written by the target (the agent's v8.writeHeapSnapshot) and
// diffed here (analysis/heap-snapshot). A snapshot pauses the target for its whole duration and
// needs memory in proportion to the heap, so:
// - the first and the last are taken outside the load (they pause nothing that is measured);
// - the middle one only when the first paused the target ≤ MIDDLE_MAX_PAUSE_MS (it lands in the
//   measured window: its pause shows in the loop delay of that second) and the heap grew;
// - the last (and the diff) only when the heap grew since the first — no growth, no leak to explain;
// - none when the heap is larger than MAX_HEAP_BYTES (the agent refuses) or the last one would pause
//   the target too long (scaled from the first), and none read above MAX_FILE_BYTES.
// Every pause is measured in the target and recorded. The files are deleted after the diff.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffHeapSnapshots } from '../analysis/heap-snapshot/diff.ts';
import { readHeapSnapshot, type HeapSnapshot } from '../analysis/heap-snapshot/parse.ts';
import type { AgentCollector } from './node-agent/collector.ts';
import type { HeapSnapshotDiff, HeapSnapshotTaken } from '../record/target-probes.ts';

/**
 * Measured (bench/heap-snapshot-cost.ts, BENCHMARKS.md) on a shared 2-core machine: a snapshot
 * paused the target 1.2–4 s for a 20 MB heap of small objects and 7.5–31 s for 106 MB, and reading
 * and diffing two took speedguard 3–24 s; a leak of large objects (16 KB Buffers, 14 MB of heap and
 * 260–500 MB external) paused it 0.6–3.8 s. Hence the bounds: no snapshot above 256 MB of heap, none
 * whose pause, scaled from the first one by the heap's growth, would pass the agent's 30 s answer
 * time, and no diff of files above 400 MB.
 */
export const MAX_HEAP_BYTES = 256 * 1024 * 1024;
export const MAX_FILE_BYTES = 400 * 1024 * 1024;
export const MAX_PREDICTED_PAUSE_MS = 25_000;
export const MIDDLE_MAX_PAUSE_MS = 500;
/** Growth of heap + external memory since the first snapshot that is worth explaining. */
export const MIN_GROWTH_BYTES = 5 * 1024 * 1024;
export const MIN_GROWTH_SHARE = 0.1;

export interface HeapSnapshots {
  /** Before the load: the first snapshot. */
  begin(windowMs: number | null): Promise<void>;
  /** After the load: the last one, then the diff. */
  end(): Promise<void>;
  result(): HeapSnapshotDiff | null;
  close(): void;
}

export function startHeapSnapshots(agent: AgentCollector, o: { log(line: string): void; projectRoot: string }): HeapSnapshots {
  // Made when the first snapshot is taken: an interrupted run before that leaves nothing behind.
  let dir: string | null = null;
  const taken: Array<HeapSnapshotTaken & { path: string }> = [];
  const skipped: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let middle: Promise<void> | undefined;
  let out: HeapSnapshotDiff | null = null;

  const take = async (at: HeapSnapshotTaken['at']): Promise<boolean> => {
    dir ??= mkdtempSync(join(tmpdir(), 'sg-heap-'));
    const path = join(dir, `${at}.heapsnapshot`);
    try {
      const w = await agent.takeHeapSnapshot(path, MAX_HEAP_BYTES);
      taken.push({
        at,
        epochMs: Date.now(),
        pauseMs: Math.round(w.pauseMs * 10) / 10,
        bytes: w.bytes,
        heapUsedBytes: w.heapUsedBytes,
        externalBytes: w.externalBytes,
        nodes: 0,
        path,
      });
      return true;
    } catch (e) {
      skipped.push(`${at}: ${(e as Error).message}`);
      return false;
    }
  };
  /** Heap + external now (the agent's last sample) against the first snapshot's. */
  const grown = (): { grew: boolean; bytes: number } => {
    const first = taken[0];
    const last = agent.samples[agent.samples.length - 1];
    if (!first || !last) return { grew: false, bytes: 0 };
    const before = first.heapUsedBytes + first.externalBytes;
    const now = last.memory.heapUsed + last.memory.external;
    return { grew: now - before >= Math.max(MIN_GROWTH_BYTES, MIN_GROWTH_SHARE * before), bytes: now - before };
  };

  return {
    async begin(windowMs) {
      if (!(await take('start'))) return;
      const first = taken[0]!;
      if (windowMs === null || windowMs <= 0) return;
      if (first.pauseMs > MIDDLE_MAX_PAUSE_MS) {
        skipped.push(
          `middle: the first snapshot paused the target ${Math.round(first.pauseMs)} ms (> ${MIDDLE_MAX_PAUSE_MS} ms): none taken ` +
            `during the load`,
        );
        return;
      }
      timer = setTimeout(() => {
        if (grown().grew) middle = take('middle').then(() => {});
        else skipped.push('middle: the heap had not grown');
      }, windowMs / 2);
      timer.unref();
    },
    async end() {
      clearTimeout(timer);
      await middle;
      if (taken.length === 0) return;
      const g = grown();
      const first = taken[0]!;
      const heapNow = agent.samples[agent.samples.length - 1]?.memory.heapUsed ?? first.heapUsedBytes;
      const predicted = first.pauseMs * Math.max(1, heapNow / Math.max(first.heapUsedBytes, 1));
      if (!g.grew) {
        skipped.push(`end: heap and external memory grew ${Math.round(g.bytes / 1024 / 1024)} MB only: no snapshot diff`);
      } else if (predicted > MAX_PREDICTED_PAUSE_MS) {
        skipped.push(
          `end: it would pause the target about ${Math.round(predicted / 1000)} s (the first took ${Math.round(first.pauseMs)} ms at ` +
            `${Math.round(first.heapUsedBytes / 1024 / 1024)} MB of heap, now ${Math.round(heapNow / 1024 / 1024)} MB)`,
        );
      } else {
        await take('end');
      }
      const t0 = Date.now();
      const readable = taken.filter((t) => {
        if (statSync(t.path).size <= MAX_FILE_BYTES) return true;
        skipped.push(`${t.at}: ${t.bytes} bytes is more than ${MAX_FILE_BYTES} to read`);
        return false;
      });
      let retainers: HeapSnapshotDiff['retainers'] = [];
      let classes: HeapSnapshotDiff['classes'] = [];
      if (readable.length >= 2 && readable[readable.length - 1]!.at === 'end') {
        try {
          const snaps: HeapSnapshot[] = readable.map((t) => readHeapSnapshot(t.path));
          readable.forEach((t, i) => {
            t.nodes = snaps[i]!.nodeCount;
          });
          ({ retainers, classes } = diffHeapSnapshots(snaps[0]!, snaps[snaps.length - 1]!, snaps.slice(1, -1), {
            projectRoot: o.projectRoot,
          }));
          o.log(`heap snapshots: ${readable.length} read and diffed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        } catch (e) {
          skipped.push(`diff: ${(e as Error).message}`);
        }
      }
      const last = taken[taken.length - 1]!;
      out = {
        snapshots: taken.map(({ path: _p, ...t }) => t),
        skipped,
        elapsedMs: last.epochMs - first.epochMs,
        retainers,
        classes,
      };
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    result: () => out,
    close() {
      clearTimeout(timer);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
