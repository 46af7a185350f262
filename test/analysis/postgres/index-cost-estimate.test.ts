// The index cost estimate used when neither HypoPG nor --allow-writes is available, against figures
// PostgreSQL 15 itself gave: invoices (48,000 rows, 310 pages, account_id correlation 0.01), a
// generic plan's Seq Scan returning 60 rows (cost 860.16 under an Aggregate); with a real index on
// account_id the planner chose a bitmap heap scan, Aggregate cost 147.84.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexScanCost, planCostWithIndex } from '../../../src/analysis/postgres/index-cost-estimate.ts';

const DEFAULTS = { randomPageCost: 4, seqPageCost: 1, cpuTupleCost: 0.01, cpuIndexTupleCost: 0.005, cpuOperatorCost: 0.0025 };
const INVOICES = { rows: 48_000, pages: 310, correlation: 0.01 };
const plan = {
  'Node Type': 'Aggregate',
  'Total Cost': 860.16,
  'Plan Rows': 1,
  Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'invoices', 'Total Cost': 860, 'Plan Rows': 60, Filter: '(account_id = $1)' }],
};

test('within a factor of 1.5 of what the planner said with the real index', () => {
  const after = planCostWithIndex(plan, 'invoices', INVOICES, DEFAULTS)!;
  assert.ok(after > 147.84 / 1.5 && after < 147.84 * 1.5, `estimated ${after}`);
});

test('a correlated column is cheaper to fetch than an uncorrelated one; more rows cost more', () => {
  assert.ok(indexScanCost(60, { ...INVOICES, correlation: 1 }, DEFAULTS) < indexScanCost(60, INVOICES, DEFAULTS));
  assert.ok(indexScanCost(600, INVOICES, DEFAULTS) > indexScanCost(60, INVOICES, DEFAULTS));
});

test('no estimate for a scan on the inner side of a nested loop, or for another table', () => {
  const loop = {
    'Node Type': 'Nested Loop',
    'Total Cost': 9000,
    Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 'accounts', 'Total Cost': 10, 'Plan Rows': 8 }, plan.Plans[0]],
  };
  assert.equal(planCostWithIndex(loop, 'invoices', INVOICES, DEFAULTS), null);
  assert.equal(planCostWithIndex(plan, 'orders', INVOICES, DEFAULTS), null);
});
