// history/resolve-refs.ts: the refs compare and assess --baseline take — a history ref, a record's
// JSON file, or an assessment's envelope (its record read from the history); errors name the ref.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../src/errors.ts';
import { resolveRefs } from '../../src/history/resolve-refs.ts';
import { saveToHistory } from '../../src/history/save-to-history.ts';
import { buildEnvelope } from '../../src/report/envelope.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';

test('a history ref, a record file and an envelope file resolve to their records; errors name the ref', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-refs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'history.db');
  const run = fakeRun({ seconds: steady(3, 10, 5) });
  const assessment = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(3, 10, 6) }))]);
  saveToHistory(run, { history: db });
  saveToHistory(assessment, { history: db });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  writeFileSync(join(dir, 'envelope.json'), JSON.stringify(buildEnvelope(assessment)));

  const [a, b, c] = resolveRefs(
    [
      { ref: run.id, what: 'baseline' },
      { ref: join(dir, 'run.json'), what: 'current' },
      { ref: join(dir, 'envelope.json'), what: '--baseline' },
    ],
    db,
  );
  assert.equal(a!.id, run.id);
  assert.equal(b!.id, run.id);
  assert.equal(c!.id, assessment.id);
  assert.equal(c!.kind, 'assess');

  assert.throws(
    () => resolveRefs([{ ref: 'nosuch', what: '--baseline' }], db),
    (e: unknown) => e instanceof UsageError && /^--baseline "nosuch": /.test(e.message),
  );
  assert.throws(
    () => resolveRefs([{ ref: 'latest', what: 'baseline' }], join(dir, 'missing.db')),
    (e: unknown) => e instanceof UsageError && /^baseline "latest": /.test(e.message),
  );
});
