// off-cpu-wait on the target's other threads, from hand-made wait samples: what counts as a thread
// held up (a file, a named pipe, a downstream) and what does not (a pool idle in futex, a client's
// keep-alive connection, a busy main thread).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { offCpuWait } from '../../../src/audits/off-cpu-wait.ts';
import type { MainThreadWaits, OffCpuWait, SyscallTrace, ThreadGroupWaits } from '../../../src/record/proc-samples.ts';
import { fakeTargetProbes, procSamples } from '../../helpers/fake-probes.ts';
import { assertComplete, ctx } from '../helpers.ts';
import { profiled } from './helpers.ts';

const wait = (syscall: string, wchan: string, object: string | null, share: number): OffCpuWait => ({
  syscall,
  wchan,
  object,
  samples: Math.round(share * 1000),
  share,
});

function group(name: string, waits: OffCpuWait[], threads = 4, meanThreads = 4): ThreadGroupWaits {
  return { name, threads, meanThreads, samples: 1000, runningShare: 0.02, diskShare: 0, waits };
}

function record(groups: ThreadGroupWaits[], mainRunning = 0.1, latencyMs = 300, syscallTrace?: SyscallTrace) {
  const waits: MainThreadWaits = {
    intervalMs: 20,
    samples: 250,
    runningShare: mainRunning,
    diskShare: 0,
    waits: [wait('epoll_pwait', 'do_epoll_wait', null, 1 - mainRunning)],
    threadGroups: groups,
  };
  const probes = { ...fakeTargetProbes({ proc: procSamples(20, { mainCpu: 10 }) }), waits, ...(syscallTrace ? { syscallTrace } : {}) };
  return profiled(probes, latencyMs);
}

const run = (r: ReturnType<typeof record>) => offCpuWait.run(ctx(r));

describe('off-cpu-wait: other threads', () => {
  it('names a pool held by fsync on a file, with the file, how many threads wait at once, and the latency', () => {
    const [f, ...more] = run(record([group('libuv-worker', [wait('fsync', 'jbd2_log_wait_commit', '/var/data/ledger.db', 0.9)])]));
    assert.ok(f);
    assertComplete({ ...f, id: 'f1' });
    assert.equal(more.length, 0);
    assert.equal(f.title, '4 libuv-worker threads blocked 90 % of the time waiting on the disk (/var/data/ledger.db)');
    assert.match(f.description, /on average 3\.6 of 4 at once, while the main thread was on a CPU 10 % of the time/);
    assert.match(f.recommendation.approach, /UV_THREADPOOL_SIZE helps only when/);
  });

  it('a pool idle in futex (waiting for work), sleeps and a client keep-alive connection are not held up', () => {
    const idle = [
      group('libuv-worker', [wait('futex', 'futex_do_wait', null, 0.98)]),
      group('ticker', [wait('clock_nanosleep', 'hrtimer_nanosleep', null, 0.99)], 1, 1),
      group('python3.12', [wait('recvfrom', 'wait_woken', 'client 127.0.0.1:51234', 0.95)], 8, 8),
      group('reader', [wait('read', 'anon_pipe_read', 'pipe', 0.99)], 1, 1),
    ];
    assert.deepEqual(run(record(idle)), []);
  });

  it('silent when the main thread is busy on a CPU (it is the limit), or with too few samples', () => {
    const held = group('worker', [wait('recvfrom', 'wait_woken', 'tcp 10.0.0.5:5432', 0.9)]);
    assert.deepEqual(run(record([held], 0.8)), []);
    assert.deepEqual(run(record([{ ...held, samples: 20 }])), []);
  });

  it('a thread per task: named by how many were alive at once, not as a fixed pool', () => {
    const [f] = run(record([group('python3.12', [wait('recvfrom', 'wait_woken', 'tcp 127.0.0.1:9000', 0.8)], 300, 5.2)]));
    assert.ok(f);
    assert.match(f.title, /^Threads named python3\.12 \(one per task: 300 over the window, 5\.2 at once\) blocked 80 % of the time/);
    assert.match(f.title, /waiting on a downstream over TCP \(127\.0\.0\.1:9000\)$/);
  });

  it("adds perf trace's per-call durations of the same call by the same group, when a slice was traced", () => {
    const trace: SyscallTrace = {
      startedAtEpochMs: 0,
      durationMs: 1000,
      perfCpuMs: 40,
      groups: [
        { name: 'node', main: true, threads: 1, syscalls: [{ name: 'fsync', calls: 3, errors: 0, totalMs: 3, maxMs: 1 }] },
        { name: 'libuv-worker', main: false, threads: 4, syscalls: [{ name: 'fsync', calls: 120, errors: 0, totalMs: 3600, maxMs: 95 }] },
      ],
    };
    const held = group('libuv-worker', [wait('fsync', 'jbd2_log_wait_commit', '/var/data/ledger.db', 0.9)]);
    const [f] = run(record([held], 0.1, 300, trace));
    assert.match(f!.description, /over 1 s of the window, perf trace counted 120 fsync calls, 30 ms each on average \(longest 95 ms\)/);
    assert.ok(f!.evidence.some((e) => e.label === 'perf trace: fsync mean duration' && e.value === 30));
  });
});
