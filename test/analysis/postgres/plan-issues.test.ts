import { test } from 'node:test';
import assert from 'node:assert/strict';
import { misestimateBucket, planIssues } from '../../../src/analysis/postgres/plan-issues.ts';

const seq = (o: Record<string, unknown>) => ({
  'Node Type': 'Seq Scan',
  'Relation Name': 'order_items',
  Alias: 'order_items',
  'Plan Rows': 5,
  ...o,
});

test('seq scan removing many rows by filter (analyzed), with per-loop values × loops', () => {
  const [i] = planIssues([{ Plan: seq({ Filter: '(sku = $1)', 'Actual Rows': 4, 'Actual Loops': 1, 'Rows Removed by Filter': 41000 }) }]);
  assert.equal(i!.kind, 'seq-scan-filter');
  assert.equal(i!.relation, 'order_items');
  assert.equal(i!.detail, 'Seq Scan on order_items removed 41,000 rows by filter to return 4');
  assert.deepEqual(i!.figures, { rowsRemoved: 41000, rowsReturned: 4, loops: 1 });
  // 300 per loop × 10 loops = 3,000 removed for 20 returned
  const [l] = planIssues({
    'Node Type': 'Seq Scan',
    'Relation Name': 't',
    Filter: '(a = 1)',
    'Plan Rows': 2,
    'Actual Rows': 2,
    'Actual Loops': 10,
    'Rows Removed by Filter': 300,
  });
  assert.equal(l!.figures.rowsRemoved, 3000);
  // below the thresholds: 900 removed; or removed < 10 × returned
  assert.deepEqual(planIssues(seq({ Filter: 'x', 'Actual Rows': 4, 'Actual Loops': 1, 'Rows Removed by Filter': 900 })), []);
  assert.deepEqual(
    planIssues(seq({ Filter: 'x', 'Plan Rows': 500, 'Actual Rows': 500, 'Actual Loops': 1, 'Rows Removed by Filter': 4000 })),
    [],
  );
});

test('seq scan without ANALYZE: judged by estimated rows against the table size, only when known', () => {
  const plan = seq({ Filter: '(sku = $1)', 'Plan Rows': 5 });
  assert.deepEqual(planIssues(plan), []);
  const [i] = planIssues(plan, { tableRows: { order_items: 50000 } });
  assert.equal(i!.kind, 'seq-scan-filter');
  assert.match(i!.detail, /expected to read 50,000 rows to return 5 \(estimate: the planner's row count of the table\)/);
  assert.deepEqual(planIssues(seq({ Filter: 'x', 'Plan Rows': 20000 }), { tableRows: { order_items: 50000 } }), []);
});

test('misestimates: factor from per-loop rows × loops, bucketed, reported where they start', () => {
  const leaf = {
    'Node Type': 'Index Scan',
    'Relation Name': 't',
    'Index Name': 't_a_idx',
    'Plan Rows': 10,
    'Actual Rows': 1000,
    'Actual Loops': 1,
  };
  const plan = {
    'Node Type': 'Hash Join',
    'Plan Rows': 10,
    'Actual Rows': 1000,
    'Actual Loops': 1,
    Plans: [leaf, { 'Node Type': 'Hash', 'Plan Rows': 5, 'Actual Rows': 5, 'Actual Loops': 1 }],
  };
  const mis = planIssues(plan).filter((i) => i.kind === 'misestimate');
  assert.equal(mis.length, 1, "the join only inherits the scan's error");
  assert.equal(mis[0]!.factor, 100);
  assert.equal(mis[0]!.figures.bucket, 100);
  assert.equal(mis[0]!.detail, 'Index Scan using t_a_idx on t: planned 10 rows, got 1,000 (100× under-estimate)');
  // over-estimate, and zero rows counted as one
  const [o] = planIssues({ 'Node Type': 'Seq Scan', 'Relation Name': 't', 'Plan Rows': 50000, 'Actual Rows': 0, 'Actual Loops': 1 });
  assert.equal(o!.factor, 50000);
  assert.equal(o!.figures.bucket, 1000);
  assert.match(o!.detail, /over-estimate/);
  // loops: 0.5 rows per loop (PG 18 prints fractions) × 4000 loops vs 1 planned per loop
  const [f] = planIssues({ 'Node Type': 'Index Scan', 'Relation Name': 't', 'Plan Rows': 1, 'Actual Rows': 0.5, 'Actual Loops': 4000 });
  assert.equal(f, undefined, 'a factor of 2 is no issue');
  // small numbers are noise; nodes under a Limit stop early
  assert.deepEqual(planIssues({ 'Node Type': 'Seq Scan', 'Relation Name': 't', 'Plan Rows': 1, 'Actual Rows': 40, 'Actual Loops': 1 }), []);
  assert.deepEqual(
    planIssues({
      'Node Type': 'Limit',
      'Plan Rows': 10,
      'Actual Rows': 10,
      'Actual Loops': 1,
      Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 't', 'Plan Rows': 100000, 'Actual Rows': 10, 'Actual Loops': 1 }],
    }),
    [],
  );
  assert.deepEqual([9.9, 10, 99, 100, 5000].map(misestimateBucket), [0, 10, 10, 100, 1000]);
});

test('nested loop with many inner loops', () => {
  const plan = {
    'Node Type': 'Nested Loop',
    'Plan Rows': 5000,
    'Actual Rows': 5000,
    'Actual Loops': 1,
    Plans: [
      {
        'Node Type': 'Seq Scan',
        'Parent Relationship': 'Outer',
        'Relation Name': 'orders',
        'Plan Rows': 5000,
        'Actual Rows': 5000,
        'Actual Loops': 1,
      },
      {
        'Node Type': 'Index Scan',
        'Parent Relationship': 'Inner',
        'Relation Name': 'customers',
        'Index Name': 'customers_pkey',
        'Plan Rows': 1,
        'Actual Rows': 1,
        'Actual Loops': 5000,
        'Actual Total Time': 0.02,
      },
    ],
  };
  const [n] = planIssues(plan).filter((i) => i.kind === 'nested-loop');
  assert.equal(n!.figures.innerLoops, 5000);
  assert.equal(n!.figures.innerMs, 100);
  assert.match(n!.detail, /ran its inner side \(Index Scan using customers_pkey on customers\) 5,000 times, 100 ms in total/);
  plan.Plans[1]!['Actual Loops'] = 999;
  assert.deepEqual(
    planIssues(plan).filter((i) => i.kind === 'nested-loop'),
    [],
  );
});

test('nested loop: many cheap index lookups are not an issue; a rescanned table is', () => {
  const inner: Record<string, unknown> = {
    'Node Type': 'Index Scan',
    'Parent Relationship': 'Inner',
    'Relation Name': 'categories',
    'Index Name': 'categories_pkey',
    'Plan Rows': 1,
    'Actual Rows': 1,
    'Actual Loops': 2000,
    'Actual Total Time': 0.002,
  };
  const plan = {
    'Node Type': 'Nested Loop',
    'Plan Rows': 2000,
    'Actual Rows': 2000,
    'Actual Loops': 1,
    Plans: [
      {
        'Node Type': 'Seq Scan',
        'Parent Relationship': 'Outer',
        'Relation Name': 'products',
        'Plan Rows': 2000,
        'Actual Rows': 2000,
        'Actual Loops': 1,
      },
      inner,
    ],
  };
  assert.deepEqual(
    planIssues(plan).filter((i) => i.kind === 'nested-loop'),
    [],
    '4 ms of index lookups',
  );
  inner['Node Type'] = 'Seq Scan';
  delete inner['Index Name'];
  assert.equal(planIssues(plan).filter((i) => i.kind === 'nested-loop').length, 1, 'a table scanned 2,000 times');
  // Estimates (generic plans): only a rescanned inner side is flagged.
  const est = {
    'Node Type': 'Nested Loop',
    'Plan Rows': 5000,
    Plans: [
      { 'Node Type': 'Seq Scan', 'Parent Relationship': 'Outer', 'Relation Name': 'a', 'Plan Rows': 5000 },
      { 'Node Type': 'Memoize', 'Parent Relationship': 'Inner', 'Plan Rows': 1 },
    ],
  };
  assert.deepEqual(
    planIssues(est).filter((i) => i.kind === 'nested-loop'),
    [],
  );
});

test('spills: external sort, hash batches, temp blocks counted on the node that wrote them', () => {
  const sort = {
    'Node Type': 'Sort',
    'Sort Method': 'external merge',
    'Sort Space Used': 2360,
    'Sort Space Type': 'Disk',
    'Temp Written Blocks': 295,
    'Plan Rows': 50000,
    'Actual Rows': 50000,
    'Actual Loops': 1,
    Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 't', 'Plan Rows': 50000, 'Actual Rows': 50000, 'Actual Loops': 1 }],
  };
  const parent = {
    'Node Type': 'Limit',
    'Temp Written Blocks': 295,
    'Plan Rows': 50000,
    'Actual Rows': 50000,
    'Actual Loops': 1,
    Plans: [sort],
  };
  const spills = planIssues(parent).filter((i) => i.kind === 'spill');
  assert.equal(spills.length, 1);
  assert.equal(spills[0]!.nodeType, 'Sort');
  assert.deepEqual(spills[0]!.figures, { sortDiskKb: 2360, tempWrittenBlocks: 295 });
  const [h] = planIssues({
    'Node Type': 'Hash',
    'Hash Batches': 8,
    'Original Hash Batches': 1,
    'Plan Rows': 1,
    'Actual Rows': 1,
    'Actual Loops': 1,
  });
  assert.equal(h!.kind, 'spill');
  assert.match(h!.detail, /8 hash batches/);
  assert.deepEqual(
    planIssues({
      'Node Type': 'Sort',
      'Sort Method': 'quicksort',
      'Sort Space Type': 'Memory',
      'Plan Rows': 1,
      'Actual Rows': 1,
      'Actual Loops': 1,
    }),
    [],
  );
});

test('index scans that still filter, heap fetches, heavy buffers for few rows', () => {
  const [f] = planIssues({
    'Node Type': 'Index Scan',
    'Relation Name': 'orders',
    'Index Name': 'orders_customer_idx',
    'Plan Rows': 3,
    'Actual Rows': 3,
    'Actual Loops': 1,
    'Rows Removed by Filter': 250,
  });
  assert.equal(f!.kind, 'index-filter');
  assert.equal(f!.figures.rowsRemoved, 250);
  const [h] = planIssues({
    'Node Type': 'Index Only Scan',
    'Relation Name': 'orders',
    'Index Name': 'i',
    'Plan Rows': 100,
    'Actual Rows': 100,
    'Actual Loops': 1,
    'Heap Fetches': 80,
  });
  assert.equal(h!.kind, 'heap-fetches');
  assert.deepEqual(
    planIssues({
      'Node Type': 'Index Only Scan',
      'Relation Name': 'orders',
      'Index Name': 'i',
      'Plan Rows': 100,
      'Actual Rows': 100,
      'Actual Loops': 1,
      'Heap Fetches': 0,
    }),
    [],
  );
  const [b] = planIssues({
    'Node Type': 'Bitmap Heap Scan',
    'Relation Name': 'events',
    'Plan Rows': 2,
    'Actual Rows': 2,
    'Actual Loops': 1,
    'Shared Hit Blocks': 900,
    'Shared Read Blocks': 2100,
    Plans: [
      { 'Node Type': 'Bitmap Index Scan', 'Index Name': 'e', 'Plan Rows': 2, 'Actual Rows': 2, 'Actual Loops': 1, 'Shared Hit Blocks': 10 },
    ],
  });
  assert.equal(b!.kind, 'heavy-buffers');
  assert.equal(b!.figures.blocks, 2990);
});

test('plans without ANALYZE get no actual-only issues; garbage gets none', () => {
  assert.deepEqual(planIssues({ 'Node Type': 'Sort', 'Sort Method': 'external merge', 'Plan Rows': 1 }), []);
  assert.deepEqual(planIssues(null), []);
  assert.deepEqual(planIssues({ nope: 1 }), []);
  assert.deepEqual(planIssues([{ Plan: 'x' }]), []);
});
