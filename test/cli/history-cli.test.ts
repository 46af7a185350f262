// `speedguard history` and `speedguard report`, driven through commander exactly as main.ts does
// (same error mapping), with output captured; plus a real-process test once main.ts registers them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerHistoryCommand } from '../../src/cli/history.ts';
import { registerReportCommand, type WriteReportsModule } from '../../src/cli/report.ts';
import { UsageError } from '../../src/errors.ts';
import { openHistory } from '../../src/history/store.ts';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Parses argv like main() does (main.ts is not imported: it pulls in every command): usage errors →
 *  2 with one line, internal errors → 1. */
async function cli(argv: string[], writeReports?: WriteReportsModule): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => void (stdout += t), err: (t: string) => void (stderr += t), colour: false };
  const program = new Command('speedguard')
    .exitOverride()
    .configureOutput({ writeErr: (s) => void (stderr += s), writeOut: (s) => void (stdout += s) });
  registerHistoryCommand(program, io);
  registerReportCommand(program, io, writeReports ? { loadWriteReports: async () => writeReports } : {});
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, stdout, stderr };
    if (e instanceof UsageError) return { code: 2, stdout, stderr: stderr + `speedguard: ${(e as Error).message}\n` };
    return { code: 1, stdout, stderr: stderr + `speedguard: internal error: ${(e as Error).message}\n` };
  }
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'sg-hcli-'));
  dirs.push(d);
  return d;
};

function seed(db: string): { runs: RunRecord[]; assessment: AssessmentRecord } {
  const h = openHistory(db);
  const runs = [
    { ...fakeRun({ seconds: steady(5, 100, 20), startedAt: '2026-11-25T09:00:00.000Z' }), id: 'aaaa1111-0000-4000-8000-000000000001' },
    {
      ...fakeRun({
        seconds: steady(5, 40, 300, { failed: 4 }),
        startedAt: '2026-11-25T09:10:00.000Z',
        name: 'http://127.0.0.1:9/\x1b[31mevil',
      }),
      id: 'aaaa2222-0000-4000-8000-000000000002',
      status: 'interrupted' as const,
    },
  ];
  const assessment = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(4, 150, 50) }))], {
    id: 'bbbb3333-0000-4000-8000-000000000003',
    startedAt: '2026-11-25T09:20:00.000Z',
    findings: [
      {
        id: 'PERF-001',
        audit: 'latency-slo',
        title: 'p95 over SLO',
        type: 'application',
        severity: 'high',
        confidence: 0.9,
        component: 'GET /api',
        description: 'd',
        evidence: [],
        location: null,
        rootCause: 'r',
        impact: {},
        recommendation: { approach: 'a', expectedImprovement: 'e', effort: 'low', testingRequired: 't', rollbackPlan: 'r' },
      },
    ],
  });
  for (const r of runs) h.save(r);
  h.save(assessment);
  h.close();
  return { runs, assessment };
}

test('history: table newest first with short ids, key figures, findings; control characters neutralised', async () => {
  const db = join(tmp(), 'h.db');
  seed(db);
  const r = await cli(['history', '--history', db]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID\s+WHEN\s+KIND\s+STATUS\s+DURATION\s+TARGET\s+REQ\/S\s+P95\s+ERRORS\s+CAPACITY\s+FINDINGS$/);
  assert.equal(lines.length, 4);
  assert.match(
    lines[1]!,
    new RegExp(
      String.raw`^bbbb3333\s+2026-11-2\d` +
        String.raw` \d\d:\d\d\s+assess\s+completed\s+3m0\.0s\s+http:\/\/127\.0\.0\.1:3000\/api\s+150\s+50\.\dms\s+0\.00%\s+-\s+1×P1$`,
    ),
  );
  assert.match(
    lines[2]!,
    /^aaaa2222\s.*\brun\s+interrupted\s+5\.00s\s+http:\/\/127\.0\.0\.1:9\/\[31mevil\s+40\s+30\d\.\dms\s+10\.00%\s+-\s+-$/,
  );
  assert.match(lines[3]!, /^aaaa1111\s.*\brun\s+completed\s.*\s100\s+20\.\dms\s+0\.00%/);
  assert.doesNotMatch(r.stdout, /\x1b/, 'no escape sequence from a stored target reaches the terminal');

  const limited = await cli(['history', '--history', db, '--limit', '1', '--kind', 'run']);
  assert.equal(limited.code, 0);
  assert.match(limited.stdout, /aaaa2222/);
  assert.doesNotMatch(limited.stdout, /aaaa1111|bbbb3333/);
  assert.match(limited.stdout, /1 older runs \(kind run\) not shown/);

  const json = await cli(['history', '--history', db, '--json', '--limit', '0']);
  const entries = JSON.parse(json.stdout);
  assert.deepEqual(
    entries.map((e: { id: string }) => e.id),
    ['bbbb3333-0000-4000-8000-000000000003', 'aaaa2222-0000-4000-8000-000000000002', 'aaaa1111-0000-4000-8000-000000000001'],
  );
  assert.equal(entries[0].summary.findings.high, 1);
  assert.equal(entries[2].summary.rps, 100);
});

test('history: empty database, missing database, bad flags', async () => {
  const dir = tmp();
  const empty = join(dir, 'empty.db');
  openHistory(empty).close();
  const r = await cli(['history', '--history', empty]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^No runs in .*empty\.db yet\.\n$/);

  const missing = await cli(['history', '--history', join(dir, 'none.db')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^speedguard: no history database at .*none\.db .*--history PATH/);
  assert.equal(existsSync(join(dir, 'none.db')), false);

  assert.equal((await cli(['history', '--history', empty, '--limit', 'x'])).code, 2);
  const kind = await cli(['history', '--history', empty, '--kind', 'other']);
  assert.equal(kind.code, 2);
  assert.match(kind.stderr, /--kind/);
});

test('report on runs: summary, json, summary-export, all; from the stored record alone', async () => {
  const dir = tmp();
  const db = join(dir, 'h.db');
  const { runs } = seed(db);

  const summary = await cli(['report', 'aaaa1111', '--history', db]);
  assert.equal(summary.code, 0, summary.stderr);
  assert.match(summary.stdout, /http_req_duration/);
  assert.match(summary.stdout, /http_reqs \.+: 500 /);

  const json = await cli(['report', 'latest~1', '--history', db, '--format', 'json']);
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(runs[1])));

  const kindRef = await cli(['report', 'latest', '--kind', 'run', '--history', db, '--format', 'summary-export']);
  const exp = JSON.parse(kindRef.stdout);
  assert.equal(exp.metrics.http_reqs.count, 200);
  assert.equal(exp.speedguard.status, 'interrupted');

  const out = join(dir, 'out');
  const all = await cli(['report', 'aaaa1111-0000-4000-8000-000000000001', '--history', db, '--format', 'all', '--out-dir', out]);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['RUN-aaaa1111.json', 'RUN-aaaa1111.summary.json']);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'RUN-aaaa1111.json'), 'utf8')), JSON.parse(JSON.stringify(runs[0])));
  assert.equal(JSON.parse(readFileSync(join(out, 'RUN-aaaa1111.summary.json'), 'utf8')).metrics.http_reqs.count, 500);
  assert.match(all.stdout, /http_req_duration[\s\S]*Files:\n {2}.*RUN-aaaa1111\.json\n {2}.*RUN-aaaa1111\.summary\.json\n$/);
});

test('report: unknown, ambiguous, too-short refs, wrong format, missing database → one line, exit 2', async () => {
  const dir = tmp();
  const db = join(dir, 'h.db');
  seed(db);
  const cases: Array<[string[], RegExp]> = [
    [['report', 'ffffff', '--history', db], /no run "ffffff" in history/],
    [['report', 'aaaa', '--history', db], /too short: give at least 6 characters/],
    [['report', 'latest~7', '--history', db], /holds only 3 runs/],
    [['report', 'latest~1', '--kind', 'assess', '--history', db], /holds only 1 assessment/],
    // A run renders in every format (md, html and junit as a one-phase assessment); an assessment has no k6 summary export.
    [
      ['report', 'latest', '--kind', 'assess', '--format', 'summary-export', '--history', db],
      /--format summary-export does not apply to assessment \w+ \(formats for assessments: summary, json, md, html, junit, all\)/,
    ],
    [['report', 'latest', '--format', 'pdf', '--history', db], /--format|pdf/],
    [['report', 'latest', '--history', join(dir, 'none.db')], /no history database at/],
  ];
  for (const [argv, re] of cases) {
    const r = await cli(argv);
    assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, re, argv.join(' '));
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
  // Two ids sharing a 6-character prefix: the error lists both.
  const h = openHistory(db);
  h.save({ ...fakeRun({ seconds: steady(1, 1, 1) }), id: 'aaaa11zz-other' });
  h.close();
  const amb = await cli(['report', 'aaaa11', '--history', db]);
  assert.equal(amb.code, 2);
  assert.match(amb.stderr, /ambiguous: 2 runs start with it: .*aaaa11.*aaaa11/);
});

test('report on an assessment: writeAssessmentReports into --out-dir, terminal findings, single formats filtered', async () => {
  const dir = tmp();
  const db = join(dir, 'h.db');
  const { assessment } = seed(db);
  const calls: Array<{ id: string; outDir: string; opts: unknown }> = [];
  const fake: WriteReportsModule = {
    async writeAssessmentReports(record, outDir, opts) {
      calls.push({ id: record.id, outDir, opts });
      const files = [
        'ANALYSIS/t-1.md',
        'ANALYSIS/t-1.json',
        'ANALYSIS/t-1.html',
        'LOAD_TESTS/TEST-1.md',
        'LOAD_TESTS/TEST-1.json',
        'LOAD_TESTS/TEST-1.xml',
      ].map((f) => join(outDir, f));
      for (const f of files) {
        await mkdir(join(f, '..'), { recursive: true });
        await writeFile(f, `${record.id} ${f.slice(-4)}`);
      }
      return Object.assign(files, { skipped: [], githubSummary: null });
    },
    renderTerminalFindings: (record, _opts, files = []) =>
      `FINDINGS ${record.findings.map((f) => `${f.id} ${f.severity}`).join(', ')}\n${files.map((f) => `  ${f}\n`).join('')}`,
  };

  const out = join(dir, 'reports');
  const all = await cli(['report', 'latest', '--kind', 'assess', '--history', db, '--out-dir', out, '--junit-min-severity', 'high'], fake);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(calls[0], { id: assessment.id, outDir: out, opts: { junitMinSeverity: 'high' } });
  assert.match(all.stdout, /^FINDINGS PERF-001 high\n( {2}.*reports.*\n){6}$/);
  assert.deepEqual(readdirSync(join(out, 'LOAD_TESTS')).sort(), ['TEST-1.json', 'TEST-1.md', 'TEST-1.xml']);

  const htmlOut = join(dir, 'html-only');
  const html = await cli(['report', 'bbbb3333', '--history', db, '--format', 'html', '--out-dir', htmlOut], fake);
  assert.equal(html.code, 0, html.stderr);
  assert.deepEqual(readdirSync(htmlOut), ['ANALYSIS']);
  assert.deepEqual(readdirSync(join(htmlOut, 'ANALYSIS')), ['t-1.html']);
  assert.equal(readFileSync(join(htmlOut, 'ANALYSIS', 't-1.html'), 'utf8'), `${assessment.id} html`);
  assert.match(html.stdout, /^FINDINGS PERF-001 high\n {2}.*html-only.ANALYSIS.t-1\.html\n$/);
  assert.deepEqual(calls[1]!.opts, { env: {} }, 'a single re-rendered format appends no GitHub step summary');

  const junitOut = join(dir, 'junit-only');
  await cli(['report', 'bbbb3333', '--history', db, '--format', 'junit', '--out-dir', junitOut], fake);
  assert.deepEqual(readdirSync(junitOut), ['LOAD_TESTS']);
  assert.deepEqual(readdirSync(join(junitOut, 'LOAD_TESTS')), ['TEST-1.xml']);

  const summary = await cli(['report', 'bbbb3333', '--history', db, '--format', 'summary'], fake);
  assert.equal(summary.stdout, 'FINDINGS PERF-001 high\n');

  const json = await cli(['report', 'bbbb3333', '--history', db, '--format', 'json']);
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(JSON.stringify(assessment)));

  const bad = await cli(['report', 'bbbb3333', '--history', db, '--format', 'summary-export'], fake);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /formats for assessments: summary, json, md, html, junit, all/);
});

const WRITE_REPORTS = fileURLToPath(new URL('../../src/report/write-reports.ts', import.meta.url));
test('report on an assessment with the real report writer', {
  skip: !existsSync(WRITE_REPORTS) && 'src/report/write-reports.ts does not exist yet',
}, async () => {
  const dir = tmp();
  const db = join(dir, 'h.db');
  const { assessment } = seed(db);
  const out = join(dir, 'PERFORMANCE');
  const r = await cli(['report', 'latest', '--history', db, '--out-dir', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /PERF-001/);
  assert.ok(existsSync(join(out, 'ANALYSIS')) && existsSync(join(out, 'LOAD_TESTS')));
  const analysis = readdirSync(join(out, 'ANALYSIS'));
  assert.ok(analysis.some((f) => f.endsWith('.md')) && analysis.some((f) => f.endsWith('.json')), analysis.join(', '));
  const record = readdirSync(join(out, 'LOAD_TESTS')).find((f) => f.endsWith('.json'))!;
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'LOAD_TESTS', record), 'utf8')).id, assessment.id);
  for (const f of analysis) assert.ok(r.stdout.includes(f), `${f} listed on the terminal`);

  const mdOnly = join(dir, 'md-only');
  const md = await cli(['report', 'bbbb3333', '--history', db, '--format', 'md', '--out-dir', mdOnly]);
  assert.equal(md.code, 0, md.stderr);
  const files = [...readdirSync(join(mdOnly, 'ANALYSIS')), ...readdirSync(join(mdOnly, 'LOAD_TESTS'))];
  assert.equal(files.length, 2);
  assert.ok(
    files.every((f) => f.endsWith('.md')),
    files.join(', '),
  );
});

const BIN = fileURLToPath(new URL('../../bin/speedguard.js', import.meta.url));

function spawnCli(args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`speedguard ${args.join(' ')} did not finish`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

test('real process: history and report against the default .speedguard/history.db of the working directory', async () => {
  const dir = tmp();
  seed(join(dir, '.speedguard', 'history.db'));
  const h = await spawnCli(['history'], dir);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /^ID\s+WHEN/);
  assert.match(h.stdout, /bbbb3333[\s\S]*aaaa2222[\s\S]*aaaa1111/);
  const r = await spawnCli(['report', 'latest~2'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /http_req_duration/);
  const bad = await spawnCli(['report', 'zzzzzzzz'], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^speedguard: no run "zzzzzzzz" in history/);
  const none = await spawnCli(['history'], tmp());
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no history database at/);
});
