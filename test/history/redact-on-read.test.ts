// Records stored before redaction went by rule may hold secrets: reading them back (report, compare,
// history) scrubs them too, and a run saved through saveToHistory never holds them at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistory } from '../../src/history/store.ts';
import { saveToHistory } from '../../src/history/save-to-history.ts';
import { fakeRun, steady } from '../helpers/fake-records.ts';

test('a secret in a stored record is redacted when read back, and never written by saveToHistory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-redact-read-'));
  const old = fakeRun({ seconds: steady(2, 10, 5) });
  old.plan = { ...old.plan, env: { DB: 'postgres://app:Zq0ldSecret99@db/shop' }, source: 'https://h/x?api_key=Zq0ldSecret98' };
  const store = openHistory(join(dir, 'h.db'));
  try {
    store.save(old); // as an older version would have stored it
    const back = JSON.stringify(store.get(old.id));
    assert.ok(!back.includes('Zq0ldSecret99') && !back.includes('Zq0ldSecret98'), back.slice(0, 300));
  } finally {
    store.close();
  }
  const fresh = fakeRun({ seconds: steady(2, 10, 5) });
  fresh.plan = { ...fresh.plan, env: { TOKEN: 'ZqFreshSecret1' } };
  saveToHistory(fresh, { history: join(dir, 'h2.db') });
  assert.ok(!readFileSync(join(dir, 'h2.db'), 'latin1').includes('ZqFreshSecret1'));
});
