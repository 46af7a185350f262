// When perf cannot run, the recording says why in one line (the /proc probes go on without it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPerfRecord } from '../../../src/probes/perf/record.ts';

test('no perf binary: "perf could not start" with the install hint', async () => {
  const r = await startPerfRecord(process.pid, { perfPath: '/nonexistent/perf' }).stop();
  assert.ok('error' in r);
  assert.match(r.error, /^perf could not start: .*ENOENT.*apt-get install linux-perf/);
});

test("perf that fails (a pid that does not exist): the exit and perf's own first line", async () => {
  const r = await startPerfRecord(2 ** 22 + 11, { perfPath: process.execPath }).stop();
  assert.ok('error' in r);
  assert.match(r.error, /^perf record failed \((exit \d+|exit SIGINT)\)/);
});
