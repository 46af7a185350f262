// `speedguard compare` as a user runs it, on synthetic records saved as JSON files: the gate
// (--fail-on), bad refs (exit 2, one line), improvements, and a report that escapes the target.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/analysis/stats.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { fakeRun, type FakeSecond } from '../helpers/fake-records.ts';

const BIN = fileURLToPath(new URL('../../bin/speedguard.js', import.meta.url));

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`speedguard ${args.join(' ')} did not finish; stderr: ${stderr}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function seconds(n: number, baseMs: number, seed = 1): FakeSecond[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const values = Array.from({ length: 100 }, () => baseMs * (0.8 + 0.4 * random()));
    return { requests: 100, latencyMs: (i: number) => values[i]! };
  });
}

const dir = mkdtempSync(join(tmpdir(), 'sg-compare-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const save = (name: string, rec: RunRecord) => {
  writeFileSync(join(dir, name), JSON.stringify(rec));
  return name;
};
const base = save('base.json', fakeRun({ seconds: seconds(10, 100) }));

test('--fail-on: a medium regression fails the default gate, not --fail-on high', async () => {
  const slower = save('slower.json', fakeRun({ seconds: seconds(10, 125) })); // +25 % = 1.67× the threshold
  const gate = await cli(['compare', base, slower], dir);
  assert.equal(gate.code, 99, gate.stdout + gate.stderr);
  assert.match(gate.stdout, /regression \(medium\)/);
  assert.match(gate.stdout, /REGRESSED: 3 regressions, worst medium \(fails --fail-on medium\)/);
  const lenient = await cli(['compare', base, slower, '--fail-on', 'high'], dir);
  assert.equal(lenient.code, 0, lenient.stdout + lenient.stderr);
  assert.match(lenient.stdout, /below --fail-on high/);
  const strict = await cli(['compare', base, slower, '--fail-on', 'low'], dir);
  assert.equal(strict.code, 99);
});

test('an improvement exits 0 and says so', async () => {
  const faster = save('faster.json', fakeRun({ seconds: seconds(10, 60, 2) }));
  const r = await cli(['compare', base, faster], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /IMPROVED/);
  assert.match(r.stdout, /response time p95 .* improvement/);
});

test('bad refs and options: one line naming the problem, exit 2, no stack trace', async () => {
  writeFileSync(join(dir, 'broken.json'), '{"schema": ');
  writeFileSync(join(dir, 'other.json'), '{"schema": "k6.summary"}');
  const cases: Array<[string[], RegExp]> = [
    [['compare', 'missing.json', base], /baseline missing\.json: cannot read the file \(ENOENT\)/],
    [['compare', base, 'broken.json'], /current broken\.json: not valid JSON/],
    [['compare', base, 'other.json'], /current other\.json: not a speedguard run or assessment record/],
    [['compare', 'latest', base, '--history', join(dir, 'nope.db')], /baseline "latest"/],
    [['compare', base, base, '--fail-on', 'severe'], /severe/],
    [['compare', base], /missing required argument/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(args, dir);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('the OPT report escapes what came from the target', async () => {
  const hostile = fakeRun({ seconds: seconds(10, 130, 3) });
  hostile.plan = { ...hostile.plan, source: 'http://x/<script>alert(1)</script>|[a](javascript:b)\n# injected' };
  hostile.id = 'evil/../../id<img src=x>';
  const r = await cli(['compare', base, save('hostile.json', hostile), '--out-dir', 'hostile-out'], dir);
  assert.equal(r.code, 99, r.stderr);
  const files = readdirSync(join(dir, 'hostile-out', 'OPTIMIZATIONS'));
  assert.equal(files.length, 2, files.join(', '));
  assert.ok(
    files.every((f) => /^OPT-[A-Za-z0-9-]+\.(md|json)$/.test(f)),
    files.join(', '),
  );
  const md = readFileSync(join(dir, 'hostile-out', 'OPTIMIZATIONS', files.find((f) => f.endsWith('.md'))!), 'utf8');
  assert.doesNotMatch(md, /<script|<img/);
  assert.doesNotMatch(md, /^# injected/m);
  assert.doesNotMatch(md, /(?<!\\)\]\(javascript:/); // an escaped \[a\](…) is text, not a link
  assert.match(md, /&lt;script&gt;/);
  // The before/after table keeps its shape: every row has the header's number of cells.
  const rows = md.split('\n').filter((l) => l.startsWith('| '));
  const cells = (l: string) => l.split(/(?<!\\)\|/).length;
  assert.ok(rows.length >= 6);
  assert.ok(
    rows.every((l) => cells(l) === cells(rows[0]!)),
    rows.join('\n'),
  );
  // The terminal output carries no control characters from the record either.
  assert.doesNotMatch(r.stdout, /\x1b/);
});
