// One contract for every command (README.md, Flags every command shares): --quiet everywhere, --json
// where it prints data, --history/--no-history where it reads or writes runs, --out-dir where it writes
// files, the same parsers for durations, ports, rates and worker counts, and the GitHub step summary.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/servers.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { saveToHistory } from '../../src/history/save-to-history.ts';
import { buildEnvelope } from '../../src/report/envelope.ts';

interface Contract {
  command: string;
  quiet: boolean;
  json: boolean;
  history: boolean;
  noHistory: boolean;
  outDir: boolean;
}

// prettier-ignore
const CONTRACT: Contract[] = [
  { command: 'run', quiet: true, json: true, history: true, noHistory: true, outDir: false },
  { command: 'assess', quiet: true, json: true, history: true, noHistory: true, outDir: true },
  { command: 'profile', quiet: true, json: true, history: true, noHistory: true, outDir: true },
  { command: 'db', quiet: true, json: true, history: true, noHistory: true, outDir: true },
  { command: 'demo', quiet: true, json: true, history: true, noHistory: true, outDir: true },
  { command: 'compare', quiet: true, json: true, history: true, noHistory: false, outDir: true },
  { command: 'report', quiet: true, json: false, history: true, noHistory: false, outDir: true },
  { command: 'history', quiet: true, json: true, history: true, noHistory: false, outDir: false },
  { command: 'convert', quiet: true, json: false, history: false, noHistory: false, outDir: false },
];

test('the contract table names every command speedguard --help lists, and no other', async () => {
  // A new command must be added to CONTRACT (and so pass the tests below) before this passes.
  const r = await runCli(['--help']);
  assert.equal(r.code, 0, r.stderr);
  const commands = r.stdout.slice(r.stdout.indexOf('Commands:')).split(/\n\s*\n/)[0]!;
  const listed = [...commands.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((name) => name !== 'help');
  assert.ok(listed.length >= 9, `commands found in --help: ${listed.join(', ')}`);
  assert.deepEqual(CONTRACT.map((c) => c.command).sort(), listed.sort());
});

for (const c of CONTRACT) {
  test(`${c.command}: the common flags it must take are in its help`, async () => {
    const r = await runCli([c.command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    const has = (flag: string) => new RegExp(`(^|[\\s,])${flag.replace(/-/g, '\\-')}[\\s,<]`, 'm').test(r.stdout);
    assert.ok(has('-q') && has('--quiet'), `${c.command} --quiet/-q`);
    assert.equal(has('--json'), c.json, `${c.command} --json`);
    assert.equal(has('--history'), c.history, `${c.command} --history`);
    assert.equal(has('--no-history'), c.noHistory, `${c.command} --no-history`);
    assert.equal(has('--out-dir'), c.outDir, `${c.command} --out-dir`);
  });
}

// Values that the shared parsers refuse, per command that has the option: exit 2, one line naming it.
const BAD_VALUES: Array<{ args: string[]; message: RegExp }> = [
  { args: ['run', 'http://127.0.0.1:9/', '-d', '30'], message: /--duration: "30" has no unit; write it with one, e\.g\. "30s"/ },
  { args: ['run', 'http://127.0.0.1:9/', '--timeout', '5'], message: /--timeout: "5" has no unit/ },
  { args: ['run', 'http://127.0.0.1:9/', '-w', 'abc'], message: /--workers: expected a whole number > 0/ },
  { args: ['run', 'http://127.0.0.1:9/', '--rate', 'fast'], message: /--rate: expected a number > 0/ },
  { args: ['assess', 'http://127.0.0.1:9/', '-w', '0'], message: /--workers: expected a whole number > 0/ },
  { args: ['assess', '--profile', '--port', 'abc', '--', 'node', 'x.js'], message: /--port: expected a port number 1–65535, got "abc"/ },
  { args: ['assess', 'http://127.0.0.1:9/', '--soak', '30'], message: /--soak: "30" has no unit/ },
  { args: ['profile', '--port', '70000', '--', 'node', 'x.js'], message: /--port: expected a port number/ },
  { args: ['profile', '-d', '15', '--', 'node', 'x.js'], message: /--duration: "15" has no unit/ },
  { args: ['profile', '--rate', 'x', '--', 'node', 'x.js'], message: /--rate: expected a number > 0/ },
  { args: ['demo', '-w', 'two'], message: /--workers: expected a whole number > 0/ },
  { args: ['compare', 'a.json', 'b.json', '--warmup', '2'], message: /--warmup: "2" has no unit/ },
  { args: ['history', '--limit', '-1'], message: /--limit: expected a whole number/ },
];

for (const b of BAD_VALUES) {
  test(`${b.args.join(' ')}: refused with exit 2 and one line`, async () => {
    const r = await runCli(b.args, { timeoutMs: 20_000 });
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, b.message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '');
  });
}

test('a rate with a fraction is a rate for profile as it is for run', async () => {
  // The parser accepts it; the command then fails on its missing service, not on the flag.
  const r = await runCli(['profile', '--rate', '2.5', '--pid', '999999', '--port', '1']);
  assert.doesNotMatch(r.stderr, /--rate/);
});

test('run and compare write the GitHub step summary; compare --quiet prints nothing', async () => {
  const srv = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'sg-flags-'));
  const summary = join(dir, 'step-summary.md');
  writeFileSync(summary, '');
  const env = { GITHUB_STEP_SUMMARY: summary };
  try {
    const a = await runCli(['run', srv.url, '-u', '1', '-d', '1s', '--no-history', '--json', '--threshold', 'http_req_failed:rate<0.5'], {
      env,
    });
    assert.equal(a.code, 0, a.stderr);
    writeFileSync(join(dir, 'a.json'), a.stdout);
    const text = readFileSync(summary, 'utf8');
    assert.match(text, /### ✅ speedguard run: COMPLETED/);
    assert.match(text, /\| http_req_failed \| rate&lt;0\.5 \| 0 \| ✓ \|/); // Markdown-escaped: GitHub shows "<"

    const b = await runCli(['run', srv.url, '-u', '1', '-d', '1s', '--no-history', '--json'], { env });
    writeFileSync(join(dir, 'b.json'), b.stdout);
    const c = await runCli(['compare', join(dir, 'a.json'), join(dir, 'b.json'), '--quiet', '--out-dir', dir], { env });
    assert.ok(c.code === 0 || c.code === 99, c.stderr);
    assert.equal(c.stdout, '', 'quiet');
    assert.match(readFileSync(summary, 'utf8'), /### (✅|❌) speedguard compare: (UNCHANGED|IMPROVED|REGRESSED)/);
  } finally {
    await srv.close();
  }
});

test('a plain run renders as Markdown, HTML and JUnit; compare takes the ANALYSIS/*.json an assessment wrote', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-formats-'));
  const db = join(dir, 'history.db');
  const run = fakeRun({ seconds: steady(10, 50, 20) });
  const assessment = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(10, 50, 25) }))]);
  saveToHistory(run, { history: db });
  saveToHistory(assessment, { history: db });

  for (const [format, file] of [
    ['md', /ANALYSIS\/.*\.md/],
    ['html', /ANALYSIS\/.*\.html/],
    ['junit', /\.xml/],
  ] as const) {
    const r = await runCli(['report', run.id, '--history', db, '--format', format, '--out-dir', join(dir, 'out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, file, `${format} written`);
  }

  const envelope = join(dir, 'envelope.json');
  writeFileSync(envelope, JSON.stringify(buildEnvelope(assessment)));
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  const c = await runCli(['compare', envelope, join(dir, 'run.json'), '--history', db, '--out-dir', dir, '--json']);
  assert.ok(c.code === 0 || c.code === 99, c.stderr);
  assert.equal(JSON.parse(c.stdout).baseline.id, assessment.id);
  // An envelope whose record is not in the history says so, naming the file.
  const other = await runCli(['compare', envelope, join(dir, 'run.json'), '--history', join(dir, 'empty.db'), '--out-dir', dir]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /envelope\.json \(an assessment envelope; its record\)/);
});
