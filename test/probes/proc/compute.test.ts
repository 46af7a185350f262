import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leastSquaresSlope, sampleBetween, summarise, threadGroupName } from '../../../src/probes/proc/compute.ts';
import type { ProcSnapshot, ThreadSnapshot } from '../../../src/probes/proc/read.ts';

const PID = 100;

function snap(mono: number, over: Partial<ProcSnapshot> & { utime: number; stime: number; threads: ThreadSnapshot[] }): ProcSnapshot {
  return {
    mono,
    wall: 1_700_000_000_000 + mono,
    stat: { pid: PID, comm: 'node', state: 'S', utime: over.utime, stime: over.stime, numThreads: over.threads.length, starttime: 1 },
    threads: over.threads,
    status: over.status ?? {
      vmRssBytes: 50 * 2 ** 20,
      vmHwmBytes: 60 * 2 ** 20,
      threads: over.threads.length,
      voluntaryCtxtSwitches: 0,
      nonvoluntaryCtxtSwitches: 0,
    },
    io: over.io ?? null,
    openFds: over.openFds ?? 20,
    cpuStat: over.cpuStat ?? null,
    children: over.children ?? null,
  };
}
const th = (tid: number, comm: string, ticks: number, waitNs: number | null = 0, starttime = 1): ThreadSnapshot => ({
  tid,
  comm,
  starttime,
  ticks,
  waitNs,
});

test('threadGroupName folds numbered threads together', () => {
  assert.equal(threadGroupName('GC Thread#3'), 'GC Thread');
  assert.equal(threadGroupName('worker-12'), 'worker');
  assert.equal(threadGroupName('libuv-worker'), 'libuv-worker');
  assert.equal(threadGroupName('42'), '42');
  // An interpreter's threads carry its name and version (CPython names none of them).
  assert.equal(threadGroupName('python3.12'), 'python3.12');
});

test('sampleBetween: CPU % of one core, per thread group, deltas of switches, io, wait, throttling', () => {
  const a = snap(0, {
    utime: 1000,
    stime: 200,
    threads: [th(PID, 'MainThread', 1100, 1e6), th(101, 'libuv-worker', 50), th(102, 'libuv-worker', 50)],
    status: { vmRssBytes: 1, vmHwmBytes: 1, threads: 3, voluntaryCtxtSwitches: 10, nonvoluntaryCtxtSwitches: 5 },
    io: { rchar: 100, wchar: 100, readBytes: 0, writeBytes: 0 },
    cpuStat: { nrPeriods: 10, nrThrottled: 1, throttledUs: 1000 },
  });
  const b = snap(2000, {
    utime: 1150,
    stime: 250, // 200 ticks in 2 s at 100 Hz = 100 % of a core
    threads: [th(PID, 'MainThread', 1250, 5e6), th(101, 'libuv-worker', 70), th(102, 'libuv-worker', 60), th(103, 'V8Worker', 20, 0, 99)],
    status: { vmRssBytes: 2, vmHwmBytes: 3, threads: 4, voluntaryCtxtSwitches: 30, nonvoluntaryCtxtSwitches: 9 },
    io: { rchar: 1100, wchar: 600, readBytes: 4096, writeBytes: 0 },
    cpuStat: { nrPeriods: 30, nrThrottled: 6, throttledUs: 251_000 },
  });
  const s = sampleBetween(a, b, PID, 100);
  assert.equal(s.intervalMs, 2000);
  assert.equal(s.cpuPercent, 100);
  assert.equal(s.userPercent, 75);
  assert.equal(s.systemPercent, 25);
  assert.equal(s.mainThreadCpuPercent, 75);
  assert.deepEqual(s.threadGroups, [
    { name: 'main', threads: 1, cpuPercent: 75 },
    { name: 'libuv-worker', threads: 2, cpuPercent: 15 },
    { name: 'V8Worker', threads: 1, cpuPercent: 10 }, // new thread: all its ticks count
  ]);
  assert.equal(s.voluntaryCtxtSwitches, 20);
  assert.equal(s.nonvoluntaryCtxtSwitches, 4);
  assert.deepEqual(s.io, { readBytes: 4096, writeBytes: 0, rchar: 1000, wchar: 500 });
  assert.equal(s.runqueueWaitMs, 4);
  assert.deepEqual(s.throttling, { nrPeriods: 20, nrThrottled: 5, throttledMs: 250 });
  assert.equal(s.rssBytes, 2);
  assert.equal(s.hwmBytes, 3);
});

test('sampleBetween: a reused tid (new start time) is a new thread; unreadable io stays null', () => {
  const a = snap(0, { utime: 0, stime: 0, threads: [th(PID, 'x', 0), th(7, 'w', 500, 0, 1)] });
  const b = snap(1000, { utime: 10, stime: 0, threads: [th(PID, 'x', 0), th(7, 'w', 10, 0, 2)] });
  const s = sampleBetween(a, b, PID, 100);
  assert.deepEqual(
    s.threadGroups.find((g) => g.name === 'w'),
    { name: 'w', threads: 1, cpuPercent: 10 },
  );
  assert.equal(s.io, null);
  assert.equal(s.throttling, null);
});

test('leastSquaresSlope fits a line and needs two distinct x', () => {
  assert.equal(
    leastSquaresSlope([
      [0, 1],
      [1, 3],
      [2, 5],
    ]),
    2,
  );
  assert.equal(leastSquaresSlope([[1, 1]]), null);
  assert.equal(
    leastSquaresSlope([
      [1, 1],
      [1, 2],
    ]),
    null,
  );
});

test('summarise: time-weighted CPU, main-thread share, RSS slope in MiB/min, rates and shares', () => {
  const MiB = 2 ** 20;
  const base = { userPercent: 0, systemPercent: 0, numThreads: 2, hwmBytes: null, openFds: 10, children: null } as const;
  const samples = [
    {
      ...base,
      t: 0,
      intervalMs: 1000,
      cpuPercent: 100,
      mainThreadCpuPercent: 90,
      threadGroups: [
        { name: 'main', threads: 1, cpuPercent: 90 },
        { name: 'V8Worker', threads: 1, cpuPercent: 10 },
      ],
      rssBytes: 100 * MiB,
      voluntaryCtxtSwitches: 10,
      nonvoluntaryCtxtSwitches: 2,
      io: { readBytes: 0, writeBytes: 1000, rchar: 0, wchar: 0 },
      runqueueWaitMs: 100,
      throttling: { nrPeriods: 10, nrThrottled: 5, throttledMs: 200 },
    },
    {
      ...base,
      t: 30_000,
      intervalMs: 3000,
      cpuPercent: 20,
      mainThreadCpuPercent: 10,
      threadGroups: [
        { name: 'main', threads: 1, cpuPercent: 10 },
        { name: 'V8Worker', threads: 1, cpuPercent: 10 },
      ],
      rssBytes: 110 * MiB,
      voluntaryCtxtSwitches: 30,
      nonvoluntaryCtxtSwitches: 6,
      io: null,
      runqueueWaitMs: 0,
      throttling: { nrPeriods: 10, nrThrottled: 0, throttledMs: 0 },
    },
  ];
  const s = summarise(samples, { pid: 1, exited: false, clockTicksPerSecond: 100, cgroup: null });
  assert.equal(s.cpu!.avgPercent, 40); // (100·1 + 20·3) / 4
  assert.equal(s.cpu!.peakPercent, 100);
  assert.equal(s.mainThreadShare, 0.75); // (90 + 30) / (90+10 + 30+30)
  assert.equal(s.rss!.slopeMBPerMin, 20); // 10 MiB in half a minute
  assert.equal(s.rss!.peakBytes, 110 * MiB);
  assert.deepEqual(s.ctxtSwitches, { voluntaryPerSec: 10, nonvoluntaryPerSec: 2 });
  assert.deepEqual(s.io, { readBytesPerSec: 0, writeBytesPerSec: 1000, rcharPerSec: 0, wcharPerSec: 0 });
  assert.equal(s.runqueueWaitShare, 0.025);
  assert.deepEqual(s.throttling, { throttledShare: 0.05, nrThrottled: 5, throttledPeriodShare: 0.25 });
  assert.deepEqual(
    s.threadGroups.map((g) => g.name),
    ['main', 'V8Worker'],
  );
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'summary is plain JSON');
});

test('summarise with no samples gives nulls, not NaN', () => {
  const s = summarise([], { pid: 1, exited: true, clockTicksPerSecond: 100, cgroup: null });
  assert.equal(s.cpu, null);
  assert.equal(s.rss, null);
  assert.equal(s.mainThreadShare, null);
  assert.equal(s.exited, true);
  assert.doesNotMatch(JSON.stringify(s), /NaN|Infinity/);
});
