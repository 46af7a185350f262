// `speedguard assess` as a user runs it: reports written where ASSESSMENT-RULES.md §1 says, the envelope valid
// against its schema, the run stored, and --baseline gating a regression with exit 99.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { startChildService } from '../helpers/child-service.ts';
import { runCli } from '../helpers/cli.ts';

const LIMITED = fileURLToPath(new URL('../fixtures/services/limited.ts', import.meta.url));
const SCHEMA = JSON.parse(readFileSync(new URL('../../schema/assessment-envelope.schema.json', import.meta.url), 'utf8'));

const cli = (args: string[]) => runCli(args);

test('assess writes the reports, stores the record, and gates regressions against a baseline', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-assess-'));
  const history = join(dir, 'history.db');
  const common = [
    '--expected-rate',
    '30',
    '--suite',
    'baseline',
    '--quick',
    '--workers',
    '1',
    '--history',
    history,
    '--out-dir',
    join(dir, 'out'),
  ];
  const fast = await startChildService(LIMITED, { SERVICE_MS: '2' });
  try {
    const first = await cli(['assess', fast.url + '/api', ...common]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /baseline: passed/);
    assert.match(first.stdout, /REPORTS/);
    const analysis = readdirSync(join(dir, 'out', 'ANALYSIS'));
    const loadTests = readdirSync(join(dir, 'out', 'LOAD_TESTS'));
    for (const ext of ['md', 'json', 'html'])
      assert.ok(
        analysis.some((f) => f.endsWith('.' + ext)),
        `ANALYSIS/*.${ext}: ${analysis}`,
      );
    for (const ext of ['md', 'json', 'xml'])
      assert.ok(
        loadTests.some((f) => /^TEST-\d{8}-\d{6}\./.test(f) && f.endsWith('.' + ext)),
        `LOAD_TESTS/TEST-*.${ext}: ${loadTests}`,
      );
    const envelope = JSON.parse(readFileSync(join(dir, 'out', 'ANALYSIS', analysis.find((f) => f.endsWith('.json'))!), 'utf8')) as {
      metrics: { throughput: { current: unknown } };
    };
    const validate = new Ajv({ strict: false }).compile(SCHEMA);
    assert.ok(validate(envelope), JSON.stringify(validate.errors));
    assert.equal(typeof envelope.metrics.throughput.current, 'number');

    const same = await cli(['assess', fast.url + '/api', ...common, '--baseline', 'latest']);
    assert.equal(same.code, 0, same.stdout + same.stderr);
    const hist = await cli(['history', '--history', history, '--json']);
    assert.equal(JSON.parse(hist.stdout).length, 2);
  } finally {
    await fast.stop();
  }
  // The same endpoint, now 25 ms slower per request: a significant, large regression.
  const slow = await startChildService(LIMITED, { SERVICE_MS: '27' });
  try {
    const worse = await cli(['assess', slow.url + '/api', ...common, '--baseline', 'latest~1', '--fail-on', 'medium']);
    assert.equal(worse.code, 99, worse.stdout + worse.stderr);
  } finally {
    await slow.stop();
  }
});
