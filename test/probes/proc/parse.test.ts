import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  ProcParseError,
  parseAuxvClockTicks,
  parseCfsQuota,
  parseCgroupFile,
  parseCpuMax,
  parseCpuStat,
  parseIo,
  parseSchedstat,
  parseStat,
  parseStatus,
} from '../../../src/probes/proc/parse.ts';
import * as F from './fixtures.ts';

test('parseStat reads pid, comm, state, utime, stime, threads, starttime', () => {
  assert.deepEqual(parseStat(F.STAT_BASH), { pid: 1220, comm: 'bash', state: 'S', utime: 0, stime: 1, numThreads: 1, starttime: 406349 });
  assert.deepEqual(parseStat(F.STAT_NODE_MAIN), {
    pid: 2688,
    comm: 'MainThread',
    state: 'R',
    utime: 1,
    stime: 1,
    numThreads: 7,
    starttime: 419967,
  });
  assert.equal(parseStat(F.STAT_V8_WORKER).comm, 'V8Worker');
});

test('parseStat splits at the last ")" so a comm with spaces and parentheses survives', () => {
  const s = parseStat(F.STAT_NASTY_COMM);
  assert.equal(s.comm, 'a) (b c)');
  assert.equal(s.utime, 250);
  assert.equal(s.stime, 75);
  assert.equal(s.numThreads, 3);
  assert.equal(s.starttime, 555);
});

test('parseStat rejects truncated or comm-less text with a ProcParseError naming the file', () => {
  assert.throws(
    () => parseStat('1220 bash S 1', '/proc/1220/stat'),
    (e: unknown) => e instanceof ProcParseError && /\/proc\/1220\/stat/.test(e.message),
  );
  assert.throws(() => parseStat('1220 (bash) S 1 2 3'), ProcParseError);
  assert.throws(() => parseStat(F.STAT_BASH.replace(' 0 1 19 6 ', ' x 1 19 6 ')), /field 14/);
});

test('property: any comm (spaces, parens, digits, unicode) round-trips and the counters stay put', () => {
  const comm = fc.string({
    minLength: 0,
    maxLength: 15,
    unit: fc.constantFrom('a', 'Z', ' ', '(', ')', '1', '#', '-', ':', 'é', '\t', '\n'),
  });
  const counter = fc.integer({ min: 0, max: 2 ** 40 });
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4_194_304 }),
      comm,
      counter,
      counter,
      fc.integer({ min: 1, max: 5000 }),
      counter,
      (pid, name, utime, stime, threads, start) => {
        const fields = [
          'S',
          '1',
          String(pid),
          String(pid),
          '0',
          '-1',
          '4194560',
          '10',
          '0',
          '0',
          '0',
          String(utime),
          String(stime),
          '0',
          '0',
          '20',
          '0',
          String(threads),
          '0',
          String(start),
          '1000',
          '12',
          '0',
        ];
        const s = parseStat(`${pid} (${name}) ${fields.join(' ')}\n`);
        assert.deepEqual(s, { pid, comm: name, state: 'S', utime, stime, numThreads: threads, starttime: start });
      },
    ),
    { numRuns: 500 },
  );
});

test('parseStatus converts kB to bytes and reads context switches; a zombie has null RSS', () => {
  assert.deepEqual(parseStatus(F.STATUS_BASH), {
    vmRssBytes: 4020 * 1024,
    vmHwmBytes: 4020 * 1024,
    threads: 1,
    voluntaryCtxtSwitches: 37,
    nonvoluntaryCtxtSwitches: 10,
  });
  const z = parseStatus(F.STATUS_ZOMBIE);
  assert.equal(z.vmRssBytes, null);
  assert.equal(z.voluntaryCtxtSwitches, 120);
});

test('parseIo reads the four byte counters and rejects a file missing one', () => {
  assert.deepEqual(parseIo(F.IO_BASH), { rchar: 1901890, wchar: 85581, readBytes: 126976, writeBytes: 135168 });
  assert.throws(() => parseIo('rchar: 1\nwchar: 2\n', '/proc/9/io'), /\/proc\/9\/io: missing or bad "read_bytes"/);
});

test('parseSchedstat reads run time, run-queue wait and timeslices', () => {
  assert.deepEqual(parseSchedstat(F.SCHEDSTAT_NODE_THREAD), { runNs: 22273, waitNs: 3786863, timeslices: 1 });
  assert.throws(() => parseSchedstat('12 x'), ProcParseError);
});

test('parseCgroupFile finds the v2 path and the v1 hierarchy holding cpu', () => {
  assert.deepEqual(parseCgroupFile(F.CGROUP_HYBRID), { v2: '/', v1Cpu: '/' });
  assert.deepEqual(parseCgroupFile(F.CGROUP_V2), { v2: '/system.slice/api.service', v1Cpu: null });
  assert.deepEqual(parseCgroupFile(F.CGROUP_V1_COMBINED), { v2: null, v1Cpu: '/docker/abc123' });
});

test('parseCpuStat: v2 µs, v1 ns, and null without throttling counters', () => {
  assert.deepEqual(parseCpuStat(F.CPU_STAT_V2), { nrPeriods: 5000, nrThrottled: 1250, throttledUs: 8123456 });
  assert.deepEqual(parseCpuStat(F.CPU_STAT_V1), { nrPeriods: 0, nrThrottled: 0, throttledUs: 0 });
  assert.deepEqual(parseCpuStat('nr_periods 10\nnr_throttled 2\nthrottled_time 5000000\n'), {
    nrPeriods: 10,
    nrThrottled: 2,
    throttledUs: 5000,
  });
  assert.equal(parseCpuStat(F.CPU_STAT_UNIFIED_NO_CPU), null);
});

test('cpu quota: v2 cpu.max and v1 cfs quota in cores, unlimited → null', () => {
  assert.equal(parseCpuMax('max 100000\n'), null);
  assert.equal(parseCpuMax('150000 100000\n'), 1.5);
  assert.throws(() => parseCpuMax('lots'), /cpu.max: expected/);
  assert.equal(parseCfsQuota('-1\n', '100000\n'), null);
  assert.equal(parseCfsQuota('50000\n', '100000\n'), 0.5);
});

test('parseAuxvClockTicks finds AT_CLKTCK in a built vector and in our own /proc/self/auxv', () => {
  const words = [6n, 4096n, 17n, 250n, 0n, 0n]; // AT_PAGESZ, AT_CLKTCK, AT_NULL
  const buf = new Uint8Array(words.length * 8);
  const view = new DataView(buf.buffer);
  words.forEach((w, i) => view.setBigUint64(i * 8, w, true));
  assert.equal(parseAuxvClockTicks(buf), 250);
  assert.equal(parseAuxvClockTicks(buf.subarray(0, 16)), null);
  if (process.platform === 'linux' && process.arch === 'x64') {
    assert.equal(parseAuxvClockTicks(readFileSync('/proc/self/auxv')), 100);
  }
});
