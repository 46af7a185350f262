// The generator self-check must say when the generator, not the target, limited a run — and must
// not cry wolf on a light run. A target in the same thread that busy-waits blocks the generator's
// own event loop, which is exactly the failure mode to detect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRun } from '../../src/engine/coordinator.ts';
import { renderSummary } from '../../src/report/summary-text.ts';
import { get, plan, scenario } from '../helpers/plan.ts';
import { startServer } from '../helpers/servers.ts';

test('a blocked generator event loop is reported, with figures, first in the summary', async () => {
  const srv = await startServer((_q, res) => {
    const until = Date.now() + 80; // blocks this thread, which is also the generator's
    while (Date.now() < until);
    res.end('x');
  });
  try {
    const p = plan({
      s: scenario({ executor: 'constant-arrival-rate', rate: 20, timeUnitMs: 1000, durationMs: 1500, preAllocatedVUs: 5, maxVUs: 50 }, [
        get(srv.url),
      ]),
    });
    const rec = await startRun(p, { inProcess: true }).result;
    assert.equal(rec.generator.limited, true);
    assert.ok(rec.generator.loopDelayP99MaxMs > 50, `loop delay ${rec.generator.loopDelayP99MaxMs}`);
    assert.ok(rec.generator.reasons.some((r) => /event-loop delay/.test(r)));
    const text = renderSummary(rec, { colour: false });
    assert.ok(text.indexOf('LOAD GENERATOR LIMITED') < text.indexOf('http_reqs'));
  } finally {
    await srv.close();
  }
});

test('a light run against a separate-thread target is not flagged', async () => {
  const srv = await startServer();
  try {
    const p = plan(
      {
        s: scenario({ executor: 'constant-arrival-rate', rate: 50, timeUnitMs: 1000, durationMs: 1500, preAllocatedVUs: 5, maxVUs: 50 }, [
          get(srv.url),
        ]),
      },
      { workers: 1 },
    );
    // workers: 1 with inProcess false still runs in-process; force a thread with 2 workers.
    const rec = await startRun({ ...p, workers: 2 }).result;
    assert.equal(rec.generator.limited, false, rec.generator.reasons.join('; '));
    assert.ok(rec.generator.cpuMax < 0.9);
  } finally {
    await srv.close();
  }
});
