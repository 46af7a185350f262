// `perf trace -s` summaries (as perf 6.1 prints them) → per-thread-group system-call totals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePerfTraceSummary } from '../../src/analysis/perf-trace.ts';
import { threadGroupName } from '../../src/probes/proc/compute.ts';

const SUMMARY = `
 Summary of events:

 MainThread (13913), 111246 events, 99.1%

   syscall            calls  errors  total       min       avg       max       stddev
                                     (msec)    (msec)    (msec)    (msec)        (%)
   --------------- --------  ------ -------- --------- --------- ---------     ------
   epoll_pwait         9015      0   857.284     0.000     0.095    22.475      8.19%
   writev             23020      0   488.531     0.015     0.021     0.076      0.19%


 libuv-worker (13920), 300 events, 0.2%

   syscall            calls  errors  total       min       avg       max       stddev
                                     (msec)    (msec)    (msec)    (msec)        (%)
   --------------- --------  ------ -------- --------- --------- ---------     ------
   write                 40      0   880.000     1.000    22.000    81.400     12.02%
   futex                 10      1     5.000     0.010     0.500     2.000      2.00%


 libuv-worker (13921), 280 events, 0.2%

   syscall            calls  errors  total       min       avg       max       stddev
                                     (msec)    (msec)    (msec)    (msec)        (%)
   --------------- --------  ------ -------- --------- --------- ---------     ------
   write                 38      0   900.500     1.000    23.700    60.000     12.02%
`;

test('threads grouped by name, the main thread apart, calls summed with the longest kept', () => {
  const groups = parsePerfTraceSummary(SUMMARY, { pid: 13913, groupName: threadGroupName });
  assert.deepEqual(
    groups.map((g) => [g.name, g.main, g.threads]),
    [
      ['MainThread', true, 1],
      ['libuv-worker', false, 2],
    ],
  );
  assert.deepEqual(groups[1]!.syscalls[0], { name: 'write', calls: 78, errors: 0, totalMs: 1780.5, maxMs: 81.4 });
  assert.deepEqual(
    groups[0]!.syscalls.map((c) => c.name),
    ['epoll_pwait', 'writev'],
  );
});

test('no summary (perf refused, or traced nothing): no groups', () => {
  assert.deepEqual(parsePerfTraceSummary('\n Summary of events:\n\n', { pid: 1, groupName: threadGroupName }), []);
  assert.deepEqual(parsePerfTraceSummary('', { pid: 1, groupName: threadGroupName }), []);
});
