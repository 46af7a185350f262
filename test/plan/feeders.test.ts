import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createCursor, createFeederPool, loadFeeder, partitionRows, type FeederCursor } from '../../src/plan/feeders.ts';
import { PlanError } from '../../src/plan/errors.ts';

const data = new URL('../fixtures/data/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'sg-feeder-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};

test('CSV with a header row (quoted fields, BOM, blank lines)', async () => {
  assert.deepEqual(await loadFeeder({ name: 'users', path: join(data, 'users.csv') }), [
    { id: '1', email: 'ada@example.test', password: 's3cret' },
    { id: '2', email: 'bob@example.test', password: 'pa,ss' },
    { id: '3', email: 'cy@example.test', password: 'x' },
  ]);
  const bom = file('bom.csv', '\uFEFFa,b\r\n1,2\r\n\r\n3,4\r\n');
  assert.deepEqual(await loadFeeder({ name: 'x', path: bom }), [
    { a: '1', b: '2' },
    { a: '3', b: '4' },
  ]);
  const tsv = file('t.tsv', 'a\tb\n1\t2,3\n');
  assert.deepEqual(await loadFeeder({ name: 't', path: tsv }), [{ a: '1', b: '2,3' }]);
});

test('JSON array of objects; values become strings', async () => {
  assert.deepEqual(await loadFeeder({ name: 'products', path: join(data, 'products.json') }), [
    { sku: 'A-1', price: '10', tags: '["new"]' },
    { sku: 'B-2', price: '12.5', discontinued: '' },
  ]);
});

test('feeder errors name the file and the problem', async () => {
  const reject = (path: string, pattern: RegExp) =>
    assert.rejects(loadFeeder({ name: 'f', path }), (error: unknown) => error instanceof PlanError && pattern.test(error.message));
  await reject(join(tmp, 'missing.csv'), /missing\.csv: data\.f: file not found$/);
  await reject(file('ragged.csv', 'a,b\n1,2\n3\n'), /ragged\.csv:3:1: data\.f: invalid CSV: /);
  await reject(file('empty.csv', 'a,b\n'), /empty\.csv: data\.f: has no data rows$/);
  await reject(file('obj.json', '{"a":1}'), /obj\.json: data\.f: must hold a JSON array of objects$/);
  await reject(file('nums.json', '[1,2]'), /nums\.json: data\.f: item 0 is not an object/);
  await reject(file('broken.json', '[{'), /broken\.json: data\.f: invalid JSON: /);
  await reject(file('x.xml', '<a/>'), /x\.xml: data\.f: unsupported feeder file type "\.xml"/);
});

const rows = [{ n: '0' }, { n: '1' }, { n: '2' }];
const take = (cursor: FeederCursor, count: number) => Array.from({ length: count }, () => cursor.next().n).join('');

test('sequential cursors wrap around; random cursors pick with the given random source', () => {
  assert.equal(take(createCursor(rows, 'sequential'), 7), '0120120');
  assert.equal(take(createCursor(rows, 'sequential', 2), 4), '2012');
  const randoms = [0, 0.99, 0.5, 0.34];
  let i = 0;
  assert.equal(
    take(
      createCursor(rows, 'random', 0, () => randoms[i++]!),
      4,
    ),
    '0211',
  );
  assert.throws(() => createCursor([], 'sequential'), RangeError);
});

test('pools: shared mode hands every VU the same cursor; per-vu starts VU n at row n-1', () => {
  const shared = createFeederPool(rows, { mode: 'shared', order: 'sequential' });
  assert.equal(shared.cursorFor(1), shared.cursorFor(2));
  assert.equal([shared.cursorFor(1).next().n, shared.cursorFor(2).next().n, shared.cursorFor(1).next().n].join(''), '012');
  const perVu = createFeederPool(rows, { mode: 'per-vu', order: 'sequential' });
  assert.equal(take(perVu.cursorFor(1), 2), '01');
  assert.equal(take(perVu.cursorFor(2), 2), '12');
  assert.equal(take(perVu.cursorFor(1), 1), '2'); // the same VU keeps its position
  assert.equal(take(perVu.cursorFor(5), 1), '1');
});

test('property: partitionRows splits rows across workers without loss or overlap', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 16 }), (count, workers) => {
      const all = Array.from({ length: count }, (_, i) => ({ i: String(i) }));
      const parts = Array.from({ length: workers }, (_, w) => partitionRows(all, w, workers));
      if (count < workers) {
        for (const part of parts) assert.deepEqual(part, all);
        return;
      }
      const seen = parts
        .flat()
        .map((r) => Number(r.i))
        .sort((a, b) => a - b);
      assert.deepEqual(
        seen,
        all.map((_, i) => i),
      );
    }),
    { numRuns: 300 },
  );
});
