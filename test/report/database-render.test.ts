// The database parts of the reports: the Markdown "## Database" section, the HTML section, the
// terminal block and the envelope's database_performance — with a record whose query texts are
// hostile (markup, backticks, control characters), and a database record with no phases at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import schema from '../../schema/assessment-envelope.schema.json' with { type: 'json' };
import { runAudits } from '../../src/audits/index.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { buildEnvelope } from '../../src/report/envelope.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderJUnit } from '../../src/report/junit.ts';
import { renderAnalysisMarkdown } from '../../src/report/markdown-analysis.ts';
import { fenced } from '../../src/report/markdown-database.ts';
import { renderLoadTestMarkdown } from '../../src/report/markdown-load-test.ts';
import { renderTerminalFindings } from '../../src/report/terminal-findings.ts';
import { fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import {
  dbRecord,
  healthyLoadProbes,
  healthyProbes,
  issue,
  nPlusOne,
  plan,
  stmt,
  suggestion,
  withShares,
} from '../helpers/fake-db-probes.ts';

const HOSTILE_SQL =
  "SELECT '</script><img src=x onerror=alert(1)>' AS x, `tick` | pipe FROM evil WHERE a = $1 \x1b[31mRED\x1b[0m ``` *star*";
const validate = new Ajv({ allowUnionTypes: true, allErrors: true }).compile(schema);

function troubledDb(): AssessmentRecord {
  const slow = stmt({ query: 'SELECT * FROM orders WHERE status = $1', calls: 400, meanExecMs: 1400, sharedBlksRead: 900_000 });
  const evil = stmt({ query: HOSTILE_SQL, calls: 300, meanExecMs: 60 });
  const base = healthyProbes();
  const statements = withShares([...base.statements, slow, evil]);
  const probes = healthyProbes({
    statements,
    plans: [
      plan(evil, { issues: [issue({ kind: 'misestimate', relation: 'evil', factor: 2000, detail: `${HOSTILE_SQL} planned 1 got 2000` })] }),
    ],
    indexSuggestions: [
      suggestion({
        table: 'orders',
        columns: ['status'],
        queryIds: [slow.queryId],
        method: 'measured',
        msBefore: 1400,
        msAfter: 0.8,
        createStatement: 'CREATE INDEX CONCURRENTLY ON public.orders (status)',
        expectedImprovement: '1.40 s → 0.80 ms per call',
      }),
    ],
    nPlusOne: [nPlusOne({ statement: HOSTILE_SQL })],
  });
  const r = dbRecord(probes);
  r.findings = runAudits(r);
  return r;
}

test('Markdown: a Database section with top statements, plans, index suggestions and N+1; hostile SQL is inert', () => {
  const r = troubledDb();
  const doc = renderAnalysisMarkdown(r);
  assert.match(doc, /^## Database$/m);
  assert.match(doc, /^### Top statements by total time$/m);
  assert.match(doc, /^\| Statement \| Calls \| Mean \| Total \| Share \| Rows\/call \| Hit ratio \|$/m);
  assert.match(doc, /^\| SELECT \\\* FROM orders WHERE status = \\\$1 \| 400 \| 1\.40s \| 9m20\.0s \| 94\.90% \| 1 \| 0\.13% \|$/m);
  assert.match(doc, /^### Plans of the top statements$/m);
  assert.match(doc, /^### Index suggestions$/m);
  assert.match(doc, /^```sql\nCREATE INDEX CONCURRENTLY ON public\.orders \(status\);\n```$/m);
  assert.match(doc, /^\| Execution time \| 1\.40s \| 800\.0µs \|$/m);
  assert.match(doc, /^### Repeated statements per request \(N\+1\)$/m);
  assert.match(doc, /No load was run \(a database analysis\)/);
  // The hostile text is there, escaped: no raw HTML, no control characters, no code span, tables intact.
  assert.doesNotMatch(doc, /<[A-Za-z/!?]/);
  assert.doesNotMatch(doc, /[\x00-\x08\x0b-\x1f\x7f]/);
  assert.match(doc, /SELECT '&lt;\/script&gt;&lt;img src=x onerror=alert\(1\)&gt;' AS x, \\`tick\\` \\\| pipe/);
  for (const line of doc.split('\n').filter((l) => l.startsWith('| SELECT') || l.startsWith('| GET'))) {
    assert.equal(line.split(/(?<!\\)\|/).length, 9, line); // 7 cells each, no pipe from the query text breaks out
  }
});

test('fenced(): the fence is longer than any backtick run inside, control characters removed', () => {
  assert.deepEqual(fenced('a ``` b \x1b[1m'), ['````sql', 'a ``` b [1m', '````']);
  assert.deepEqual(fenced('plain'), ['```sql', 'plain', '```']);
});

test('HTML: a Database section (and its nav link) with every query escaped', () => {
  const page = renderHtmlReport(troubledDb());
  assert.match(page, /<section id="database"><h2>Database<\/h2>/);
  assert.match(page, /<a href="#database">Database<\/a>/);
  assert.match(page, /<table class="db-statements">/);
  assert.ok(page.includes('CREATE INDEX CONCURRENTLY ON public.orders (status);'));
  assert.ok(!page.includes('</script><img'), 'raw hostile markup');
  assert.ok(page.includes('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;'));
  assert.doesNotMatch(page, /<img\b/i);
  assert.deepEqual(
    [...page.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]),
    ['<script type="application/json" id="speedguard-report-data">'],
  );
  for (const m of page.matchAll(/\shref="([^"]*)"/g)) assert.match(m[1]!, /^(#[a-z0-9-]+|data:,)$/);
  for (const tag of page.matchAll(/<[a-zA-Z][^>]*>/g)) assert.doesNotMatch(tag[0], /\s(on[a-z]+|src|style)\s*=/i, tag[0]);
  // The embedded data block still parses and holds the text unchanged.
  const block = /<script type="application\/json" id="speedguard-report-data">([\s\S]*?)<\/script>/.exec(page)!;
  assert.ok(JSON.stringify(JSON.parse(block[1]!)).includes('onerror=alert(1)'));
});

test('terminal: the DATABASE block and the database findings, no control characters from the database', () => {
  const text = renderTerminalFindings(troubledDb(), { colour: false });
  assert.match(text, /^ {2}DATABASE {2}shop on PostgreSQL 18\.4 · since the last stats reset · 6 statement\(s\)/m);
  assert.match(text, /index {2}CREATE INDEX CONCURRENTLY ON public\.orders \(status\);/);
  assert.match(text, /\[P1\] +PERF-\d{3} Missing index on orders \(status\)/);
  assert.match(text, /no problem found|finding\(s\)/);
  assert.doesNotMatch(text, /\x1b/);
});

test('envelope: database_performance filled, database bottlenecks typed "database", valid against the schema', () => {
  const env = buildEnvelope(troubledDb()) as {
    metrics: { database_performance: Record<string, unknown> };
    bottlenecks: Array<{ type: string; title: string }>;
  };
  assert.ok(validate(env), JSON.stringify(validate.errors));
  const d = env.metrics.database_performance;
  assert.equal(d.mode, 'snapshot');
  assert.equal(d.database, 'shop');
  assert.equal(d.slow_queries, 2);
  assert.equal(d.cache_hit_ratio, 0.9995);
  assert.equal(d.query_time_p95, 0.4); // call-weighted p95 of statement means: 95 % of the calls are ≤ 0.4 ms statements
  assert.equal(typeof d.query_time_avg, 'number');
  assert.equal(d.connection_pool, null); // no activity sampled
  assert.ok(env.bottlenecks.length > 0);
  assert.ok(
    env.bottlenecks.every((b) => b.type === 'database'),
    JSON.stringify(env.bottlenecks.map((b) => b.type)),
  );
});

test('envelope under load: connection use from the windows, hit ratio of the load; without probes all null', () => {
  const p = healthyLoadProbes();
  const r = dbRecord(p, [fakePhase('baseline', fakeRun({ seconds: steady(10, 100, 20) }))]);
  const env = buildEnvelope(r) as { metrics: { database_performance: Record<string, unknown> } };
  assert.ok(validate(env), JSON.stringify(validate.errors));
  assert.equal(env.metrics.database_performance.connection_pool, 0.12);
  assert.equal(env.metrics.database_performance.mode, 'load');
  const plain = buildEnvelope({ ...r, probes: {} }) as { metrics: { database_performance: Record<string, unknown> } };
  assert.deepEqual(Object.values(plain.metrics.database_performance).slice(0, 5), [null, null, null, null, null]);
  assert.ok(validate(plain));
});

test('a database record with no phases renders in every format', () => {
  const r = troubledDb();
  assert.doesNotThrow(() => renderLoadTestMarkdown(r, { title: 'TEST-x' }));
  assert.doesNotThrow(() => renderJUnit(r, {}));
  assert.match(renderHtmlReport(dbRecord(healthyProbes())), /<section id="database">/);
});
