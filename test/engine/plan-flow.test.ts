// A YAML plan end to end: feeder rows and captured values fill ${} templates, groups tag their
// requests, checks count, and dynamic URLs collapse into one name series.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, selectMetric } from '../../src/index.ts';
import { startServer } from '../helpers/servers.ts';

test('YAML plan: feeders, captures, groups, checks and think time', async () => {
  const seen: string[] = [];
  const srv = await startServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers['x-user'] ?? ''}`);
    if (req.url === '/login') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ session: { id: 'S' + seen.length } }));
    }
    res.end('ok');
  });
  const dir = mkdtempSync(join(tmpdir(), 'sg-plan-'));
  writeFileSync(join(dir, 'users.csv'), 'name,item\nann,101\nbob,202\n');
  writeFileSync(
    join(dir, 'plan.yaml'),
    `
target: ${srv.url}
scenarios:
  shop:
    executor: per-vu-iterations
    vus: 2
    iterations: 2
data:
  users: {path: users.csv, mode: per-vu}
flow:
  - request:
      method: POST
      url: /login
      headers: {x-user: "\${users.name}"}
      capture: {sid: {json: session.id}}
      checks: [{name: logged in, status: 200}]
  - group:
      name: browse
      steps:
        - request: {url: "/items/\${users.item}?s=\${sid}"}
        - sleep: 10ms
`,
  );
  try {
    const rec = await run(join(dir, 'plan.yaml'), { workers: 1 });
    assert.equal(rec.status, 'completed');
    assert.equal(selectMetric(rec, 'iterations')!.sum, 4);
    assert.equal(selectMetric(rec, 'checks')!.sum, 4);
    const items = seen.filter((s) => s.startsWith('GET /items/'));
    assert.equal(items.length, 4);
    // Per-VU cursors: VU 1 starts at ann (101), VU 2 at bob (202); the session id was captured.
    assert.ok(
      items.some((s) => /^GET \/items\/101\?s=S\d+ $/.test(s)),
      items.join('|'),
    );
    assert.ok(
      items.some((s) => /^GET \/items\/202\?s=S\d+ $/.test(s)),
      items.join('|'),
    );
    assert.ok(seen.some((s) => s === 'POST /login ann'));
    // Ids in URLs are normalised: one series for /items/:id inside the group.
    const inGroup = rec.totals.filter((t) => t.metric === 'http_reqs' && t.tags.group === '::browse');
    assert.equal(inGroup.length, 1);
    assert.match(inGroup[0]!.tags.name!, /\/items\/:id\?s$/);
  } finally {
    await srv.close();
  }
});
