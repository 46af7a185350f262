// The whole engine against real loopback servers: executors start what k6 would start, counts add
// up across worker threads, the open model records late starts and drops, thresholds decide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRun } from '../../src/engine/coordinator.ts';
import { selectMetric } from '../../src/record/select.ts';
import { get, plan, scenario } from '../helpers/plan.ts';
import { startServer } from '../helpers/servers.ts';

const count = (rec: Parameters<typeof selectMetric>[0], m: string, tags = {}) => selectMetric(rec, m, tags)?.sum ?? 0;

test('shared-iterations runs exactly the pool, split over 2 worker threads', async () => {
  const srv = await startServer();
  try {
    const p = plan(
      { s: scenario({ executor: 'shared-iterations', vus: 5, iterations: 101, maxDurationMs: 10_000 }, [get(srv.url + '/a')]) },
      { workers: 2 },
    );
    const rec = await startRun(p).result;
    assert.equal(rec.environment.workers, 2);
    assert.equal(count(rec, 'iterations'), 101);
    assert.equal(count(rec, 'http_reqs'), 101);
    assert.equal(srv.requests, 101);
    assert.equal(rec.status, 'completed');
  } finally {
    await srv.close();
  }
});

test('per-vu-iterations: every VU runs its own count; keep-alive reuses one connection per VU', async () => {
  const srv = await startServer();
  try {
    const p = plan({
      s: scenario({ executor: 'per-vu-iterations', vus: 3, iterations: 7, maxDurationMs: 10_000 }, [
        get(srv.url + '/a'),
        get(srv.url + '/b'),
      ]),
    });
    const rec = await startRun(p, { inProcess: true }).result;
    assert.equal(count(rec, 'iterations'), 21);
    assert.equal(count(rec, 'http_reqs'), 42);
    assert.equal(rec.connectionsOpened, 3);
    // Two request kinds → two name tags.
    assert.equal(count(rec, 'http_reqs', { name: srv.url + '/a' }), 21);
  } finally {
    await srv.close();
  }
});

test('constant-arrival-rate starts rate × duration iterations exactly (2 workers), latency ≥ service time', async () => {
  const srv = await startServer();
  try {
    const p = plan(
      {
        s: scenario(
          { executor: 'constant-arrival-rate', rate: 200, timeUnitMs: 1000, durationMs: 1500, preAllocatedVUs: 10, maxVUs: 100 },
          [get(srv.url)],
        ),
      },
      { workers: 2 },
    );
    const rec = await startRun(p).result;
    assert.equal(count(rec, 'iterations') + count(rec, 'dropped_iterations'), 300);
    assert.equal(count(rec, 'dropped_iterations'), 0);
    const dur = selectMetric(rec, 'http_req_duration')!;
    const lat = selectMetric(rec, 'http_req_latency')!;
    assert.ok(lat.sum >= dur.sum, `latency sum ${lat.sum} < duration sum ${dur.sum}`);
    assert.equal(lat.count, 300);
  } finally {
    await srv.close();
  }
});

test('open model: a slow target with few VUs gets dropped iterations counted, never silently skipped', async () => {
  const srv = await startServer((_q, res) => setTimeout(() => res.end('slow'), 300));
  try {
    const p = plan({
      s: scenario({ executor: 'constant-arrival-rate', rate: 50, timeUnitMs: 1000, durationMs: 1000, preAllocatedVUs: 2, maxVUs: 5 }, [
        get(srv.url),
      ]),
    });
    const rec = await startRun(p, { inProcess: true }).result;
    const started = count(rec, 'iterations');
    const dropped = count(rec, 'dropped_iterations');
    assert.equal(started + dropped, 50);
    // 5 VUs × (1000 ms / 300 ms) ≈ 15–20 starts; the rest must be counted as dropped.
    assert.ok(dropped >= 25, `dropped ${dropped}`);
    assert.ok(started <= 25, `started ${started}`);
  } finally {
    await srv.close();
  }
});

test('constant-vus closed model: iterations happen back to back for the duration', async () => {
  const srv = await startServer((_q, res) => setTimeout(() => res.end('x'), 20));
  try {
    const p = plan({ s: scenario({ executor: 'constant-vus', vus: 4, durationMs: 1000 }, [get(srv.url)]) });
    const rec = await startRun(p, { inProcess: true }).result;
    const n = count(rec, 'iterations');
    // 4 VUs × ~1000/20 ms each; allow generous room for a loaded machine.
    assert.ok(n > 40 && n <= 4 * 52, `iterations ${n}`);
    assert.equal(selectMetric(rec, 'vus_max')!.max, 4);
  } finally {
    await srv.close();
  }
});

test('ramping-vus follows the stages and scenarios honour startTime', async () => {
  const srv = await startServer();
  try {
    const p = plan({
      ramp: scenario(
        {
          executor: 'ramping-vus',
          startVUs: 0,
          stages: [
            { durationMs: 600, target: 6 },
            { durationMs: 600, target: 0 },
          ],
          gracefulRampDownMs: 500,
        },
        [get(srv.url + '/r')],
      ),
      late: scenario({ executor: 'shared-iterations', vus: 1, iterations: 3, maxDurationMs: 5000, startTimeMs: 1200 }, [
        get(srv.url + '/l'),
      ]),
    });
    const rec = await startRun(p, { inProcess: true }).result;
    // vus_max adds up the scenarios: 6 ramping + 1 late.
    assert.equal(selectMetric(rec, 'vus_max')!.max, 7);
    assert.equal(count(rec, 'iterations', { scenario: 'late' }), 3);
    // The late scenario starts at 1.2 s: its requests are all in interval 1, none in interval 0.
    const first = rec.intervals.find((i) => i.series.some((s) => s.metric === 'http_reqs' && s.tags.scenario === 'late'));
    assert.equal(first?.index, 1);
    assert.ok(!rec.intervals[0]!.series.some((s) => s.metric === 'http_reqs' && s.tags.scenario === 'late'));
  } finally {
    await srv.close();
  }
});

test('failing status and connection refused are counted by kind; checks feed the checks rate', async () => {
  let n = 0;
  const srv = await startServer((_q, res) => {
    res.statusCode = n++ % 2 ? 500 : 200;
    res.end('x');
  });
  const refused = await startServer();
  const deadUrl = refused.url;
  await refused.close();
  try {
    const p = plan({
      s: scenario({ executor: 'shared-iterations', vus: 1, iterations: 10, maxDurationMs: 10_000 }, [
        get(srv.url, { checks: [{ name: 'is 200', status: 200 }] }),
        get(deadUrl + '/gone'),
      ]),
    });
    const rec = await startRun(p, { inProcess: true }).result;
    const failed = selectMetric(rec, 'http_req_failed')!;
    assert.equal(failed.count, 20);
    assert.equal(failed.sum, 15); // 5 × HTTP 500 + 10 × refused
    assert.equal(count(rec, 'http_req_errors', { error: 'connect_refused' }), 10);
    assert.equal(count(rec, 'http_req_errors', { status: '500' }), 5);
    const checks = selectMetric(rec, 'checks')!;
    assert.equal(checks.count, 10);
    assert.equal(checks.sum, 5);
  } finally {
    await srv.close();
  }
});

test('thresholds: failing ones are reported with their value; abortOnFail stops the run early', async () => {
  const srv = await startServer((_q, res) => setTimeout(() => res.end('x'), 30));
  try {
    const p = plan(
      { s: scenario({ executor: 'constant-vus', vus: 2, durationMs: 6000 }, [get(srv.url)]) },
      {
        thresholds: {
          http_req_duration: [
            { expression: 'p(95)<5', abortOnFail: true, delayAbortEvalMs: 0 },
            { expression: 'max<100000', abortOnFail: false, delayAbortEvalMs: 0 },
          ],
        },
      },
    );
    const t0 = Date.now();
    const rec = await startRun(p, { inProcess: true, stopGraceMs: 500 }).result;
    assert.ok(Date.now() - t0 < 4500, 'abortOnFail should stop well before 6 s');
    assert.equal(rec.status, 'aborted_by_threshold');
    const [p95, max] = rec.thresholds;
    assert.equal(p95!.ok, false);
    assert.ok(p95!.actual! >= 25, `p95 ${p95!.actual}`);
    assert.equal(p95!.aborted, true);
    assert.equal(max!.ok, true);
  } finally {
    await srv.close();
  }
});

test('a windowed threshold fails when one window breaches although the whole run passes', async () => {
  let i = 0;
  // Slow for the second half-second only: the whole-run p(50) stays fast.
  const t0 = Date.now();
  const srv = await startServer((_q, res) => {
    i++;
    const slow = Date.now() - t0 > 1000 && Date.now() - t0 < 2000;
    setTimeout(() => res.end('x'), slow ? 40 : 0);
  });
  try {
    const p = plan(
      {
        s: scenario({ executor: 'constant-arrival-rate', rate: 100, timeUnitMs: 1000, durationMs: 4000, preAllocatedVUs: 10, maxVUs: 50 }, [
          get(srv.url),
        ]),
      },
      {
        thresholds: {
          http_req_duration: [
            { expression: 'p(50)<20', abortOnFail: false, delayAbortEvalMs: 0 },
            { expression: 'p(50)<20 over 1s', abortOnFail: false, delayAbortEvalMs: 0 },
          ],
        },
      },
    );
    const rec = await startRun(p, { inProcess: true }).result;
    assert.ok(i > 300);
    assert.equal(rec.thresholds[0]!.ok, true);
    assert.equal(rec.thresholds[1]!.ok, false);
    assert.ok(rec.thresholds[1]!.firstBreachSeconds! >= 1);
  } finally {
    await srv.close();
  }
});

test('stop() ends a run early with status interrupted and keeps what was measured', async () => {
  const srv = await startServer();
  try {
    const p = plan({ s: scenario({ executor: 'constant-vus', vus: 2, durationMs: 30_000 }, [get(srv.url)]) });
    const h = startRun(p, { inProcess: true, stopGraceMs: 500 });
    setTimeout(() => h.stop('test'), 1200);
    const rec = await h.result;
    assert.equal(rec.status, 'interrupted');
    assert.ok(rec.durationMs < 5000);
    assert.ok(count(rec, 'http_reqs') > 0);
    assert.equal(count(rec, 'http_reqs'), srv.requests);
  } finally {
    await srv.close();
  }
});
