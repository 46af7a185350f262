import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IndexStats } from '../../../src/record/database-probes.ts';
import { coveringIndex, indexCandidates } from '../../../src/analysis/postgres/index-candidates.ts';
import { planIssues } from '../../../src/analysis/postgres/plan-issues.ts';

const index = (table: string, columns: string[], o: Partial<IndexStats> = {}): IndexStats => ({
  schema: 'public',
  table,
  index: `${table}_${columns.join('_')}_idx`,
  definition: '',
  columns,
  method: 'btree',
  unique: false,
  primary: false,
  valid: true,
  predicate: null,
  idxScan: 0,
  sizeBytes: 0,
  ...o,
});

const seqFilter = {
  'Node Type': 'Seq Scan',
  'Relation Name': 'orders',
  Alias: 'orders',
  'Plan Rows': 5,
  'Actual Rows': 5,
  'Actual Loops': 1,
  'Rows Removed by Filter': 49995,
  Filter: "((created_at > $3) AND (customer_id = $1) AND ((status)::text = $2) AND (note ~~ '%x%'::text))",
};

test('seq scan filter: equality columns first, then one range column, tied to the issue', () => {
  const issues = planIssues(seqFilter);
  const [c, ...rest] = indexCandidates(seqFilter, { issues });
  assert.deepEqual(rest, []);
  assert.deepEqual(c, {
    schema: null,
    table: 'orders',
    columns: ['customer_id', 'status', 'created_at'],
    equalityColumns: 2,
    reason: 'filter',
    detail: 'Seq Scan on orders removed 49,995 rows by filter to return 5',
    fromIssue: true,
  });
  assert.deepEqual(
    indexCandidates(seqFilter, { maxColumns: 1 }).map((x) => x.columns),
    [['customer_id']],
  );
  // no issue: still a candidate (HypoPG / a real index may judge it), but not one to suggest on shape alone
  assert.equal(indexCandidates(seqFilter)[0]!.fromIssue, false);
});

test('candidates an existing index already serves are dropped (equality columns in any order)', () => {
  assert.deepEqual(indexCandidates(seqFilter, { indexes: [index('orders', ['status', 'customer_id', 'created_at'])] }), []);
  assert.equal(indexCandidates(seqFilter, { indexes: [index('orders', ['customer_id'])] }).length, 1, 'a shorter index does not serve it');
  assert.equal(
    indexCandidates(seqFilter, { indexes: [index('orders', ['customer_id', 'status', 'created_at'], { valid: false })] }).length,
    1,
  );
  assert.equal(
    indexCandidates(seqFilter, { indexes: [index('orders', ['customer_id', 'status', 'created_at'], { predicate: '(x > 0)' })] }).length,
    1,
  );
  const c = { schema: 'public', table: 'orders', columns: ['a', 'b'], equalityColumns: 1 };
  assert.equal(coveringIndex(c, [index('orders', ['"a"', 'b', 'c'])])?.columns.join(), '"a",b,c');
  assert.equal(coveringIndex(c, [index('orders', ['b', 'a'])]), null, 'the range/sort tail keeps its order');
  assert.equal(coveringIndex(c, [index('orders', ['a', 'b'], { schema: 'other' })]), null);
});

test('top-N sort over a table: filter equality columns then the sort keys', () => {
  const plan = {
    'Node Type': 'Limit',
    'Plan Rows': 10,
    'Actual Rows': 10,
    'Actual Loops': 1,
    Plans: [
      {
        'Node Type': 'Sort',
        'Sort Key': ['created_at DESC'],
        'Plan Rows': 500,
        'Actual Rows': 10,
        'Actual Loops': 1,
        Plans: [
          {
            'Node Type': 'Seq Scan',
            'Relation Name': 'orders',
            Alias: 'orders',
            Filter: '(customer_id = $1)',
            'Plan Rows': 500,
            'Actual Rows': 500,
            'Actual Loops': 1,
            'Rows Removed by Filter': 49500,
          },
        ],
      },
    ],
  };
  const cands = indexCandidates(plan, { issues: planIssues(plan) });
  assert.deepEqual(cands.map((c) => [c.reason, c.columns, c.fromIssue]).sort(), [
    ['filter', ['customer_id'], true],
    ['sort', ['customer_id', 'created_at'], true],
  ]);
  // mixed directions: no sort candidate
  plan.Plans[0]!['Sort Key'] = ['created_at DESC', 'id'];
  assert.deepEqual(
    indexCandidates(plan).map((c) => c.reason),
    ['filter'],
  );
});

test('join keys: the inner table of a hash join read in full for few outer rows', () => {
  const plan = {
    'Node Type': 'Hash Join',
    'Hash Cond': '(oi.order_id = o.id)',
    'Plan Rows': 20,
    'Actual Rows': 20,
    'Actual Loops': 1,
    Plans: [
      {
        'Node Type': 'Index Scan',
        'Parent Relationship': 'Outer',
        'Relation Name': 'orders',
        Alias: 'o',
        'Index Name': 'orders_pkey',
        'Plan Rows': 4,
        'Actual Rows': 4,
        'Actual Loops': 1,
      },
      {
        'Node Type': 'Hash',
        'Parent Relationship': 'Inner',
        'Plan Rows': 200000,
        'Actual Rows': 200000,
        'Actual Loops': 1,
        Plans: [
          {
            'Node Type': 'Seq Scan',
            'Relation Name': 'order_items',
            Alias: 'oi',
            'Plan Rows': 200000,
            'Actual Rows': 200000,
            'Actual Loops': 1,
          },
        ],
      },
    ],
  };
  const [c] = indexCandidates(plan);
  assert.deepEqual([c!.table, c!.columns, c!.reason, c!.fromIssue], ['order_items', ['order_id'], 'join', true]);
  // many outer rows: a hash join is the right plan; no candidate
  plan.Plans[0]!['Actual Rows'] = 50000;
  assert.deepEqual(indexCandidates(plan), []);
});

test('an index scan that still filters: index condition columns then filter columns', () => {
  const plan = {
    'Node Type': 'Index Scan',
    'Relation Name': 'orders',
    Alias: 'orders',
    'Index Name': 'orders_customer_id_idx',
    'Index Cond': '(customer_id = 7)',
    Filter: "((status)::text = 'open'::text)",
    'Plan Rows': 2,
    'Actual Rows': 2,
    'Actual Loops': 1,
    'Rows Removed by Filter': 400,
  };
  const cands = indexCandidates(plan, { issues: planIssues(plan), indexes: [index('orders', ['customer_id'])] });
  assert.deepEqual(
    cands.map((c) => [c.reason, c.columns]),
    [['index-filter', ['customer_id', 'status']]],
  );
});
