// Attribution to the code a user owns (issue 12, calibration): `speedguard profile` on fixture
// services of their own, each asserting the function the finding names.
// - N+1: the handler's loop, not the query() helper it calls (fixtures/profile/n-plus-one-wrapper/).
// - See-through instrumentation: the agent's driver hooks on the hot path are never charged time or
//   named (fixtures/profile/sql-through-hooks.mjs).
// Real PostgreSQL (embedded, test/helpers/postgres.ts) and real load.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { targetProbesOf, type FlameNode } from '../../src/record/target-probes.ts';
import { databaseProbesOf } from '../../src/record/database-probes.ts';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { describeFindings, profileFixture, profileFixtureService } from '../helpers/profile.ts';

let pgServer: TestPostgres;
let dbUrl: string;

before(async () => {
  pgServer = await startTestPostgres();
  dbUrl = await pgServer.createDatabase('sg_attribution');
  const c = await pgServer.client('sg_attribution');
  await c.query(`
    CREATE TABLE sg_invoices (id serial PRIMARY KEY, account_id int NOT NULL, total int NOT NULL);
    CREATE TABLE sg_invoice_lines (id serial PRIMARY KEY, invoice_id int NOT NULL, sku text NOT NULL, amount int NOT NULL);
    INSERT INTO sg_invoices (account_id, total) SELECT a, i FROM generate_series(1, 20) a, generate_series(1, 8) i;
    INSERT INTO sg_invoice_lines (invoice_id, sku, amount) SELECT v.id, 'sku-' || k, k FROM sg_invoices v, generate_series(1, 3) k;
    CREATE INDEX ON sg_invoices (account_id);
    CREATE INDEX ON sg_invoice_lines (invoice_id);
    ANALYZE;`);
  process.env.DATABASE_URL = dbUrl;
});
after(async () => {
  delete process.env.DATABASE_URL;
  await pgServer?.stop();
});

const lineOf = (file: string, marker: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(marker)) + 1;

test('N+1 through a query() helper: the finding points at the handler loop, the helper is named as the way through', async () => {
  const r = await profileFixtureService('n-plus-one-wrapper/server.mjs', { vus: 4, duration: 4000 }, { path: '/invoices/3', db: dbUrl });
  const group = databaseProbesOf(r)?.nPlusOne?.find((g) => /sg_invoice_lines/.test(g.statement));
  assert.ok(group, describeFindings(r));
  const f = r.findings.find((x) => x.audit === 'db-n-plus-one' && /GET \/invoices/.test(x.title));
  assert.ok(f, describeFindings(r));
  const server = profileFixture('n-plus-one-wrapper/server.mjs');
  assert.equal(f.location?.function, 'invoicesWithLines', JSON.stringify(f.location));
  assert.match(f.location?.file ?? '', /n-plus-one-wrapper\/server\.mjs$/);
  assert.equal(f.location?.line, lineOf(server, '// N+1: the loop'));
  assert.equal(group.location?.via?.function, 'query', 'the helper is the way through, not the location');
  assert.match(f.description, /from invoicesWithLines \(.*server\.mjs:\d+\) through query \(.*db\.mjs:\d+\)/);
  console.log(`N+1 finding: ${f.title} — ${f.description}`);
});

function flameFiles(n: FlameNode | null, out: string[] = []): string[] {
  if (!n) return out;
  out.push(n.file);
  for (const c of n.children) flameFiles(c, out);
  return out;
}

test('see-through instrumentation: the agent hooks on the hot path are never charged time or named', async () => {
  const r = await profileFixtureService('sql-through-hooks.mjs', { vus: 6, duration: 4000 });
  const p = targetProbesOf(r)!;
  assert.ok(p.agent?.hello, 'the agent is attached');
  assert.ok(
    p.agent.samples.some((s) => s.sql?.drivers.includes('pg')),
    'the pg driver is instrumented',
  );
  const profile = p.cpuProfile!;
  assert.ok(profile.samples > 100, `samples: ${profile.samples}`);
  // The hot path did go through the hooks: the saved .cpuprofile (V8's own) has their frames.
  const raw = JSON.parse(readFileSync(profile.path, 'utf8')) as { nodes: Array<{ callFrame: { url: string } }> };
  assert.ok(
    raw.nodes.some((n) => /sg-agent-[^/]+\/sql-hooks\.mjs$/.test(n.callFrame.url)),
    'the driver hooks are on the profiled stacks',
  );
  const agentFile = /sg-agent-|probes\/node-agent\//;
  for (const h of [...profile.topSelf, ...profile.topTotal]) {
    assert.doesNotMatch(h.file, agentFile, `hotspot ${h.function} is an agent frame`);
    assert.doesNotMatch(h.caller?.file ?? '', agentFile, `${h.function} is charged to an agent frame`);
  }
  assert.deepEqual(
    flameFiles(profile.flame).filter((f) => agentFile.test(f)),
    [],
  );
  for (const f of r.findings) assert.doesNotMatch(f.location?.file ?? '', agentFile, `${f.audit} names an agent file`);
  console.log(
    `top self: ${profile.topSelf
      .slice(0, 4)
      .map((h) => `${h.function} ${h.file}${h.caller ? ` ← ${h.caller.function}` : ''}`)
      .join(' | ')}`,
  );
});

test('dominant subtree: a POST route whose time is spread over a library save is named by that subtree, not by a leaf', async () => {
  const r = await profileFixtureService(
    'post-store/server.mjs',
    { vus: 4, duration: 4000 },
    {
      flags: { vus: 4, duration: 4000, method: 'POST', body: '{"sku":"a-1","qty":2}', headers: ['content-type: application/json'] },
    },
  );
  const profile = targetProbesOf(r)!.cpuProfile!;
  const d = profile.dominant;
  assert.ok(d, `no dominant subtree; top total: ${profile.topTotal.map((h) => `${h.function} ${h.totalShare}`).join(', ')}`);
  assert.equal(d.function, 'persist');
  assert.equal(d.category, 'dependency');
  assert.match(d.file, /node_modules\/tiny-store\/index\.mjs$/);
  assert.ok(d.totalShare >= 0.5, `inclusive share ${d.totalShare}`);
  assert.equal(d.caller?.function, 'createOrder');
  // No single leaf under it is as large: the top self-time function holds less than the subtree.
  assert.ok(profile.topSelf[0]!.selfShare < d.totalShare, `${profile.topSelf[0]!.function} ${profile.topSelf[0]!.selfShare}`);
  const f = r.findings.find((x) => x.audit === 'event-loop-blocked' || x.audit === 'cpu-bound');
  assert.ok(f, describeFindings(r));
  assert.equal(f.location?.function, 'persist', describeFindings(r));
  assert.match(f.location?.file ?? '', /tiny-store\/index\.mjs$/);
  assert.match(f.title, /in persist \(\d+ % of the busy time under it\)|persist takes \d+ % of the CPU \(inclusive\)/);
  assert.match(f.description, /of the busy time \(inclusive\) is under persist \(.*\), called from createOrder/);
  console.log(`dominant finding: ${f.title} — ${f.description} — ${f.recommendation.approach}`);
});
