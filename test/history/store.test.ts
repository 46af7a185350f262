// The history store: round trips, references (id, prefix, latest~N, kind), listing, schema and
// migrations, bad files, large records, and saveToHistory's never-lose-the-run behaviour.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { saveToHistory } from '../../src/history/save-to-history.ts';
import { DEFAULT_HISTORY_PATH, HistoryError, SCHEMA_VERSION, openHistory } from '../../src/history/store.ts';
import { MIGRATIONS } from '../../src/history/schema.ts';
import type { Finding } from '../../src/record/findings.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'sg-history-'));
  dirs.push(d);
  return d;
};

function run(id: string, startedAt = '2026-11-25T10:00:00.000Z', status: RunRecord['status'] = 'completed'): RunRecord {
  return { ...fakeRun({ seconds: steady(4, 50, 20, { failed: 1 }), startedAt }), id, status };
}

function finding(severity: Finding['severity']): Finding {
  return {
    id: 'PERF-001',
    audit: 'fake',
    title: 't',
    type: 'application',
    severity,
    confidence: 0.9,
    component: 'service',
    description: 'd',
    evidence: [],
    location: null,
    rootCause: 'r',
    impact: {},
    recommendation: { approach: 'a', expectedImprovement: 'e', effort: 'low', testingRequired: 't', rollbackPlan: 'r' },
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HistoryError, `expected a HistoryError, got ${String(e)}`);
    return e.code;
  }
  assert.fail('expected an error');
}

test('records round-trip whole; the parent folder is created', () => {
  const path = join(tmp(), 'deep', 'er', 'history.db');
  const h = openHistory(path);
  const r = run('11111111-aaaa');
  const a = fakeAssessment([fakePhase('baseline', run('22222222-bbbb'))], { id: '33333333-cccc', findings: [finding('high')] });
  h.save(r);
  h.save(a);
  assert.deepEqual(h.get(r.id), JSON.parse(JSON.stringify(r)));
  assert.deepEqual(h.get(a.id), JSON.parse(JSON.stringify(a)));
  assert.equal(h.count(), 2);
  h.close();
  assert.ok(existsSync(path));
  const again = openHistory(path);
  assert.equal(again.get('33333333').kind, 'assess');
  again.close();
});

test('refs: full id, unique prefix ≥ 6, latest, latest~N, kind filter, clear errors', () => {
  const h = openHistory(join(tmp(), 'h.db'));
  h.save(run('abcdef01-0000', '2026-11-25T10:00:00.000Z'));
  h.save(run('abcdef02-0000', '2026-11-25T10:01:00.000Z'));
  h.save(fakeAssessment([], { id: '99999999-assess', startedAt: '2026-11-25T10:02:00.000Z' }));
  h.save(run('12345678-0000', '2026-11-25T10:03:00.000Z'));

  assert.equal(h.get('12345678-0000').id, '12345678-0000');
  assert.equal(h.get('abcdef01').id, 'abcdef01-0000');
  assert.equal(h.get('latest').id, '12345678-0000');
  assert.equal(h.get('latest~0').id, '12345678-0000');
  assert.equal(h.get('latest~1').id, '99999999-assess');
  assert.equal(h.get('latest~').id, '99999999-assess', 'latest~ means latest~1, as in git');
  assert.equal(h.get('latest~3').id, 'abcdef01-0000');
  assert.equal(h.get('latest~1', 'run').id, 'abcdef02-0000');
  assert.equal(h.get('latest', 'assess').id, '99999999-assess');
  assert.equal(h.resolve('latest~2').id, 'abcdef02-0000');

  assert.equal(
    codeOf(() => h.get('abcdef')),
    'ambiguous',
  );
  assert.throws(() => h.get('abcdef'), /abcdef01-0000.*abcdef02-0000|abcdef02-0000.*abcdef01-0000/);
  assert.equal(
    codeOf(() => h.get('abcde')),
    'bad_ref',
  );
  assert.throws(() => h.get('abc'), /at least 6 characters/);
  assert.equal(
    codeOf(() => h.get('latest~4')),
    'not_found',
  );
  assert.throws(() => h.get('latest~9'), /holds only 4 runs/);
  assert.equal(
    codeOf(() => h.get('latest~1', 'assess')),
    'not_found',
  );
  assert.equal(
    codeOf(() => h.get('ffffffff')),
    'not_found',
  );
  assert.throws(() => h.get('ffffffff'), /no run "ffffffff" in history/);
  assert.equal(
    codeOf(() => h.get('99999999', 'run')),
    'not_found',
  );
  assert.equal(
    codeOf(() => h.get('latest~x')),
    'bad_ref',
  );
  assert.equal(
    codeOf(() => h.get('')),
    'bad_ref',
  );
  h.close();
});

test('property: every prefix ≥ 6 resolves to its id exactly when no other id shares it', () => {
  const idArb = fc.stringMatching(/^[0-9a-c]{6,12}$/);
  fc.assert(
    fc.property(fc.uniqueArray(idArb, { minLength: 1, maxLength: 8 }), (ids) => {
      const h = openHistory(join(tmp(), 'p.db'));
      try {
        ids.forEach((id, i) => h.save(run(id, new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString())));
        for (const id of ids) {
          for (let n = 6; n <= id.length; n++) {
            const prefix = id.slice(0, n);
            const sharing = ids.filter((o) => o.startsWith(prefix));
            if (sharing.length === 1 || prefix === id) assert.equal(h.get(prefix).id, id);
            else
              assert.equal(
                codeOf(() => h.get(prefix)),
                'ambiguous',
              );
          }
        }
        assert.equal(h.get('latest').id, ids.at(-1));
        assert.equal(h.get(`latest~${ids.length - 1}`).id, ids[0]);
      } finally {
        h.close();
      }
    }),
    { numRuns: 25 },
  );
});

test('list: newest first, limit, kind filter, key figures in the summary', () => {
  const h = openHistory(join(tmp(), 'h.db'));
  h.save(run('aaaaaaaa-1', '2026-11-25T10:00:00.000Z'));
  h.save(run('bbbbbbbb-2', '2026-11-25T12:00:00.000Z', 'interrupted'));
  const a = fakeAssessment([fakePhase('stress', run('x-stress')), fakePhase('baseline', fakeRun({ seconds: steady(10, 200, 100) }))], {
    id: 'cccccccc-3',
    startedAt: '2026-11-25T11:00:00.000Z',
    findings: [finding('critical'), finding('medium'), finding('medium'), finding('info')],
  });
  h.save(a);
  assert.deepEqual(
    h.list().map((e) => e.id),
    ['bbbbbbbb-2', 'cccccccc-3', 'aaaaaaaa-1'],
  );
  assert.deepEqual(
    h.list(2).map((e) => e.id),
    ['bbbbbbbb-2', 'cccccccc-3'],
  );
  assert.deepEqual(
    h.list(undefined, 'run').map((e) => e.id),
    ['bbbbbbbb-2', 'aaaaaaaa-1'],
  );
  assert.deepEqual(h.list(0), []);

  const [r] = h.list(1);
  assert.equal(r!.status, 'interrupted');
  assert.equal(r!.kind, 'run');
  assert.equal(r!.summary.requests, 200);
  assert.equal(r!.summary.rps, 50);
  assert.equal(r!.summary.errorRate, 4 / 200);
  assert.ok(Math.abs(r!.summary.p95Ms! - 20) < 0.5, `p95 ${r!.summary.p95Ms}`);
  assert.equal(r!.summary.findings, null);
  assert.ok(r!.sizeBytes > 1000);

  const e = h.resolve('cccccccc');
  assert.equal(e.target, a.target);
  // An assessment's figures come from its baseline phase, not its first one.
  assert.equal(e.summary.rps, 200);
  assert.ok(Math.abs(e.summary.p95Ms! - 100) < 1);
  assert.deepEqual(e.summary.findings, { critical: 1, high: 0, medium: 2, low: 0, info: 1 });
  h.close();
});

test('saving the same id again replaces the record, keeps one row', () => {
  const h = openHistory(join(tmp(), 'h.db'));
  h.save(run('dddddddd-1'));
  h.save({ ...run('dddddddd-1'), status: 'failed' });
  assert.equal(h.count(), 1);
  assert.equal(h.get('dddddddd').status, 'failed');
  assert.equal(h.list()[0]!.status, 'failed');
  h.close();
});

test('schema: WAL, user_version, schema_version log; reopening does not migrate again', () => {
  const path = join(tmp(), 'h.db');
  openHistory(path).close();
  openHistory(path).close();
  const db = new DatabaseSync(path);
  assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
  assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, SCHEMA_VERSION);
  const log = db.prepare('SELECT version FROM schema_version').all() as Array<{ version: number }>;
  assert.deepEqual(
    log.map((r) => r.version),
    [1, 2],
  );
  db.close();
});

test('each record keeps the command that made it: history listed profile runs as KIND assess', () => {
  const path = join(tmp(), 'h.db');
  const store = openHistory(path);
  const profile = { ...fakeAssessment([]), id: 'prof-0000001', command: 'profile' as const, startedAt: '2026-11-25T10:02:00.000Z' };
  const demo = { ...fakeAssessment([]), id: 'demo-0000001', command: 'demo' as const, startedAt: '2026-11-25T10:01:00.000Z' };
  store.save(profile);
  store.save(demo);
  store.save(run('run-00000001'));
  assert.deepEqual(
    store.list().map((e) => [e.id, e.kind, e.command]),
    [
      ['prof-0000001', 'assess', 'profile'],
      ['demo-0000001', 'assess', 'demo'],
      ['run-00000001', 'run', 'run'],
    ],
  );
  store.close();
});

test('a version-1 database opens: its records get their command from the stored JSON', () => {
  const path = join(tmp(), 'old.db');
  const db = new DatabaseSync(path);
  db.exec(MIGRATIONS[0]!.sql);
  db.exec('PRAGMA user_version = 1');
  const insert = db.prepare(
    `INSERT INTO records (id, kind, target, started_at, status, saved_at, size_bytes, record) VALUES (?, ?, 't', ?, 'completed', ?, 1, ?)`,
  );
  const at = '2026-11-25T10:00:00.000Z';
  // A profile from before records carried `command` (recognised by probes.profile), one with it, a plain assessment, a run.
  insert.run(
    'old-profile1',
    'assess',
    '2026-11-25T10:03:00.000Z',
    at,
    JSON.stringify({ ...fakeAssessment([]), id: 'old-profile1', probes: { profile: { command: ['node', 's.js'] } } }),
  );
  insert.run(
    'old-db000001',
    'assess',
    '2026-11-25T10:02:00.000Z',
    at,
    JSON.stringify({ ...fakeAssessment([]), id: 'old-db000001', command: 'db' }),
  );
  insert.run('old-assess01', 'assess', '2026-11-25T10:01:00.000Z', at, JSON.stringify({ ...fakeAssessment([]), id: 'old-assess01' }));
  insert.run('old-run00001', 'run', at, at, JSON.stringify(run('old-run00001')));
  db.close();
  const store = openHistory(path);
  assert.deepEqual(
    store.list().map((e) => [e.id, e.command]),
    [
      ['old-profile1', 'profile'],
      ['old-db000001', 'db'],
      ['old-assess01', 'assess'],
      ['old-run00001', 'run'],
    ],
  );
  assert.equal(store.get('old-profile1').id, 'old-profile1', 'the old records still read back whole');
  store.close();
});

test('a database from a newer speedguard, a non-database file, a missing file: clear errors', () => {
  const dir = tmp();
  const newer = join(dir, 'newer.db');
  openHistory(newer).close();
  const db = new DatabaseSync(newer);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.equal(
    codeOf(() => openHistory(newer)),
    'newer_schema',
  );
  assert.throws(() => openHistory(newer), /newer than this speedguard knows/);

  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'this is not sqlite, just some text long enough to have a header '.repeat(20));
  assert.equal(
    codeOf(() => openHistory(junk)),
    'not_a_database',
  );
  assert.throws(() => openHistory(junk), /junk\.db is not a speedguard history database/);

  const missing = join(dir, 'nope', 'h.db');
  assert.equal(
    codeOf(() => openHistory(missing, { create: false })),
    'missing_database',
  );
  assert.throws(() => openHistory(missing, { create: false }), /no history database at .*nope/);
  assert.equal(existsSync(join(dir, 'nope')), false, 'create:false creates nothing');
});

test('records that are not records are refused, naming the field', () => {
  const h = openHistory(join(tmp(), 'h.db'));
  assert.throws(() => h.save({ ...run('eeeeeeee'), id: 'abc' }), /field id/);
  assert.throws(() => h.save({ ...run('eeeeeeee'), kind: 'other' } as unknown as RunRecord), /field kind/);
  assert.throws(() => h.save({ ...run('eeeeeeee'), startedAt: 'yesterday' }), /field startedAt/);
  assert.equal(h.count(), 0);
  h.close();
});

test('a 6 MB record is stored and read back intact', () => {
  const h = openHistory(join(tmp(), 'h.db'));
  const big = run('ffffffff-big');
  big.probes = { blob: 'x'.repeat(6_000_000), nested: Array.from({ length: 20_000 }, (_, i) => ({ i, v: i * 1.5 })) };
  h.save(big);
  const back = h.get('ffffffff') as RunRecord;
  assert.equal((back.probes.blob as string).length, 6_000_000);
  assert.deepEqual(back.probes.nested, big.probes.nested);
  assert.ok(h.list()[0]!.sizeBytes > 6_000_000);
  h.close();
});

test('saveToHistory: default path under the current directory, --no-history, failures only warn', () => {
  const dir = tmp();
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const r = run('77777777-default');
    const written = saveToHistory(r, {});
    assert.equal(written, join(process.cwd(), DEFAULT_HISTORY_PATH));
    const h = openHistory(join(dir, '.speedguard', 'history.db'), { create: false });
    assert.equal(h.get('latest').id, r.id);
    h.close();

    assert.equal(saveToHistory(run('88888888-off'), { history: false }), null);

    const custom = join(dir, 'custom', 'h.db');
    assert.equal(saveToHistory(run('88888888-custom'), { history: custom }), custom);

    // A history path under a regular file cannot be created: the run is not lost, a warning is printed.
    writeFileSync(join(dir, 'file'), 'x');
    const warnings: string[] = [];
    assert.equal(saveToHistory(run('99999999-fail'), { history: join(dir, 'file', 'h.db'), warn: (l) => warnings.push(l) }), null);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^speedguard: warning: this run was not stored in the history \(.*file.h\.db\): /);

    mkdirSync(join(dir, 'adir.db'));
    const w2: string[] = [];
    assert.equal(saveToHistory(fakeAssessment([]), { history: join(dir, 'adir.db'), warn: (l) => w2.push(l) }), null);
    assert.match(w2[0]!, /this assessment was not stored/);
  } finally {
    process.chdir(cwd);
  }
});

test('a prefix shared by a run and an assessment is ambiguous, unless the kind decides', () => {
  const h = openHistory(join(tmp(), 'h.db'));
  h.save(run('c0ffee11-run'));
  h.save(fakeAssessment([], { id: 'c0ffee22-assess' }));
  assert.equal(
    codeOf(() => h.get('c0ffee')),
    'ambiguous',
  );
  assert.equal(h.get('c0ffee', 'run').id, 'c0ffee11-run');
  assert.equal(h.get('c0ffee', 'assess').id, 'c0ffee22-assess');
  assert.throws(() => h.get('c0ffee11-run', 'assess'), /c0ffee11-run is a run record, not assess/);
  assert.equal(h.shortId('c0ffee11-run'), 'c0ffee11');
  assert.equal(h.shortId('c0ffee11-run', 6), 'c0ffee1');
  h.close();
});
