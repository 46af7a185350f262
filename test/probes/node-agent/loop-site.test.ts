// loopingFrame: the first frame of an N+1's stack whose call lies in a loop of its own function —
// past a query helper to the handler's for loop, or to an items.map callback; null when none loops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopingFrame } from '../../../src/probes/node-agent/loop-site.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg-loop-site-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const db = write('db.mjs', 'export async function query(text, params) {\n  return (await pool.query(text, params)).rows;\n}\n');
const app = write(
  'app.ts',
  [
    'async function lines(ids: number[]): Promise<unknown[]> {',
    '  const out: unknown[] = [];',
    '  for (const id of await query("select 1", [])) {',
    '    out.push(await query("select $1", [id]));',
    '  }',
    '  return Promise.all(ids.map((id) => query("select $1", [id])));',
    '}',
  ].join('\n'),
);
const frame = (file: string, line: number, column: number, fn: string) => ({ file, line, column, function: fn });

test('a for-of body in the caller of a query helper is the loop; the helper and the iterable are not', () => {
  const helper = frame(db, 2, 23, 'query');
  assert.deepEqual(loopingFrame([helper, frame(app, 4, 20, 'lines')]), frame(app, 4, 20, 'lines'));
  // The for-of's iterable runs once.
  assert.equal(loopingFrame([helper, frame(app, 3, 28, 'lines')]), null);
});

test('a callback handed to .map is a loop; an unreadable file says no', () => {
  assert.deepEqual(loopingFrame([frame(app, 6, 38, '(anonymous)')]), frame(app, 6, 38, '(anonymous)'));
  assert.equal(loopingFrame([frame(join(dir, 'missing.js'), 1, 1, 'x')]), null);
});
