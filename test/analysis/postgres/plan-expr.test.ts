import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predicatesOf, sortColumnsOf } from '../../../src/analysis/postgres/plan-expr.ts';

test('AND-ed comparisons with casts, parameters and flipped sides', () => {
  assert.deepEqual(predicatesOf("((customer_id = $1) AND ((status)::text = 'paid'::text) AND ($2 < created_at))"), [
    { column: { qualifier: null, name: 'customer_id' }, cmp: '=', other: { kind: 'value', param: 1 } },
    { column: { qualifier: null, name: 'status' }, cmp: '=', other: { kind: 'value', param: null } },
    { column: { qualifier: null, name: 'created_at' }, cmp: '>', other: { kind: 'value', param: 2 } },
  ]);
});

test('= ANY is "in", IS NULL, quoted and qualified columns, joins', () => {
  assert.deepEqual(predicatesOf("(sku = ANY ('{a,b}'::text[]))"), [
    { column: { qualifier: null, name: 'sku' }, cmp: 'in', other: { kind: 'value', param: null } },
  ]);
  assert.deepEqual(predicatesOf('(deleted_at IS NULL)'), [
    { column: { qualifier: null, name: 'deleted_at' }, cmp: 'is null', other: { kind: 'value', param: null } },
  ]);
  assert.deepEqual(predicatesOf('("Order Date" >= (now() - \'7 days\'::interval))'), [
    { column: { qualifier: null, name: 'Order Date' }, cmp: '>=', other: { kind: 'value', param: null } },
  ]);
  assert.deepEqual(predicatesOf('(oi.order_id = o.id)'), [
    { column: { qualifier: 'oi', name: 'order_id' }, cmp: '=', other: { kind: 'column', col: { qualifier: 'o', name: 'id' } } },
  ]);
  assert.deepEqual(predicatesOf('(created_at > ($1)::timestamp with time zone)')[0]!.other, { kind: 'value', param: 1 });
});

test('what an index cannot serve yields nothing', () => {
  assert.deepEqual(predicatesOf('((a = 1) OR (b = 2))'), []);
  assert.deepEqual(predicatesOf("((email)::text ~~ '%x%'::text)"), []);
  assert.deepEqual(predicatesOf('(a <> 1)'), []);
  assert.deepEqual(predicatesOf('(lower((email)::text) = $1)'), []);
  assert.deepEqual(predicatesOf('((a + 1) = $1)'), []);
  assert.deepEqual(predicatesOf(null), []);
  // an OR inside one conjunct drops only that conjunct
  assert.deepEqual(
    predicatesOf('((a = 1) AND ((b = 2) OR (c = 3)))').map((p) => p.column.name),
    ['a'],
  );
});

test('sort keys', () => {
  assert.deepEqual(sortColumnsOf(['created_at DESC', 'o.id']), [
    { col: { qualifier: null, name: 'created_at' }, desc: true },
    { col: { qualifier: 'o', name: 'id' }, desc: false },
  ]);
  assert.equal(sortColumnsOf(['lower((email)::text)']), null);
  assert.deepEqual(sortColumnsOf(['total NULLS FIRST']), [{ col: { qualifier: null, name: 'total' }, desc: false }]);
});
