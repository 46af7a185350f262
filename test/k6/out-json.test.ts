// `--out json=FILE` for a k6 script writes k6's per-sample NDJSON: a Metric line declaring each metric
// before its first Point, then one Point per sample with data.time (RFC 3339), data.value and
// data.tags. Every sample is there, however many batches the workers sent them in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { startK6Server, type K6TestServer } from './k6-server.ts';

const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'k6-out-json-'));
let server: K6TestServer;

before(async () => {
  server = await startK6Server();
});
after(() => server.close());

interface Line {
  type: 'Metric' | 'Point';
  metric: string;
  data: Record<string, unknown> & { time?: string; value?: number; tags?: Record<string, string> | null };
}

async function checkOutJson(file: string): Promise<void> {
  const t0 = Date.now();
  const r = await runCli(
    [
      'run',
      join(SCRIPTS, 'out-json.js'),
      '-e',
      `BASE=${server.url}`,
      '--no-history',
      '-q',
      '--workers',
      '2',
      '--out',
      `json=${file}`,
      '--tag',
      'session_token=s3cr3t-value',
    ],
    {
      timeoutMs: 90_000,
    },
  );
  const t1 = Date.now();
  assert.equal(r.code, 0, r.stderr);
  const raw = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  assert.equal(text.includes('s3cr3t-value'), false, 'a secret-looking tag is redacted');
  const lines = text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  const declared = new Map<string, Line['data']>();
  const points = new Map<string, Line[]>();
  for (const l of lines) {
    assert.deepEqual(Object.keys(l).sort(), ['data', 'metric', 'type']);
    if (l.type === 'Metric') {
      assert.equal(declared.has(l.metric), false, `${l.metric} declared once`);
      declared.set(l.metric, l.data);
      continue;
    }
    assert.equal(l.type, 'Point');
    assert.ok(declared.has(l.metric), `${l.metric}: a Point before its Metric line`);
    const at = Date.parse(l.data.time!);
    assert.ok(at >= t0 && at <= t1, `time ${l.data.time} within the run`);
    assert.equal(typeof l.data.value, 'number');
    points.set(l.metric, [...(points.get(l.metric) ?? []), l]);
  }
  // 300 iterations, one request each: every sample of every kind is there.
  for (const m of [
    'http_reqs',
    'http_req_duration',
    'http_req_waiting',
    'http_req_failed',
    'checks',
    'iterations',
    'iteration_duration',
    'custom_wait',
  ])
    assert.equal(points.get(m)?.length, 300, m);
  assert.ok(points.get('http_reqs')!.every((p) => p.data.value === 1));
  assert.ok(points.get('checks')!.every((p) => p.data.value === 1 && p.data.tags!.check === 'ok' && p.data.tags!.group === '::g'));
  const req = points.get('http_req_duration')![0]!.data.tags!;
  assert.equal(req.method, 'GET');
  assert.equal(req.status, '200');
  assert.equal(req.name, 'fast');
  assert.equal(req.group, '::g');
  assert.equal(points.get('custom_wait')![0]!.data.tags!.kind, 'a');
  assert.deepEqual(declared.get('http_req_duration'), {
    type: 'trend',
    contains: 'time',
    tainted: null,
    thresholds: ['p(95)<5000'],
    submetrics: null,
  });
  assert.deepEqual(declared.get('checks'), { type: 'rate', contains: 'default', tainted: null, thresholds: [], submetrics: null });
  assert.equal(
    [...declared.keys()].some((m) => m.startsWith('k6_')),
    false,
    "speedguard's bookkeeping metrics are not written",
  );
}

test("k6's per-sample lines: Metric before Point, every sample, time/value/tags as k6 writes them", () =>
  checkOutJson(join(dir, 'out.json')));

test('json=FILE.gz writes the same lines gzipped, as k6 does', async () => {
  const file = join(dir, 'out.json.gz');
  await checkOutJson(file);
  assert.deepEqual([...readFileSync(file).subarray(0, 2)], [0x1f, 0x8b], 'a gzip file');
});
