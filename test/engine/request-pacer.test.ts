// http.rps: one cap on request starts per second for the whole run, shared by every worker
// thread through one slot in shared memory, for request-list plans as for scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/index.ts';
import { RequestPacer } from '../../src/engine/request-pacer.ts';
import { VirtualUser } from '../../src/engine/vu.ts';
import { createHttpClient } from '../../src/engine/http/client.ts';
import { startServer } from '../helpers/servers.ts';

test('slots are handed out one gap apart, in order of asking', async () => {
  const pacer = new RequestPacer(RequestPacer.memory(), 50);
  const vu = new VirtualUser(1, () => createHttpClient());
  const at: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 6 }, () => pacer.take(vu).then(() => at.push(performance.now() - t0))));
  // 50/s: the 6th start is 5 gaps (100 ms) after the first slot, which is no earlier than t0; timers
  // only fire late, never early. (Measured from t0, not from the first start: on a busy machine the
  // first start's callback can itself run late and shorten the span.)
  assert.ok(at.at(-1)! >= 95, `the 6th of 6 slots at 50/s came ${at.at(-1)!.toFixed(1)} ms after asking`);
  vu.client.close();
});

test('a YAML plan with http.rps: 4 VUs on 2 workers start at most rps requests a second in all', async () => {
  const arrivals: number[] = [];
  const srv = await startServer((_req, res) => {
    arrivals.push(performance.now());
    res.end('ok');
  });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'sg-rps-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      `
target: ${srv.url}
scenarios:
  paced: {executor: shared-iterations, vus: 4, iterations: 24}
http: {rps: 20}
flow:
  - request: {url: /}
`,
    );
    await run(join(dir, 'plan.yaml'), { workers: 2 });
    assert.equal(arrivals.length, 24);
    // Past the 4 requests that opened connections, 20 starts at 20/s span 19 × 50 ms at least
    // (a busy machine only adds); uncapped they take a few ms.
    const span = arrivals.at(-1)! - arrivals[4]!;
    assert.ok(span >= 800, `20 requests at 20/s arrived over ${span.toFixed(0)} ms`);
  } finally {
    await srv.close();
  }
});
