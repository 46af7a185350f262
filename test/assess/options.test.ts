// assess options: SLO expressions, growth, phase lists — and clear errors for bad ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGrowth, parseSlo, parseSuite } from '../../src/assess/options.ts';
import { staircase } from '../../src/assess/phases/stress.ts';
import { recoveryLimit } from '../../src/assess/phases/recovery.ts';
import { targetName } from '../../src/assess/build-record.ts';

test('SLO expressions', () => {
  assert.deepEqual(parseSlo([]), { latencyPercentile: 95, latencyMs: 200, errorRate: 0.01, source: ['p95<200ms', 'errors<1%'] });
  const s = parseSlo(['p99<1.5s', 'errors<0.1%']);
  assert.equal(s.latencyPercentile, 99);
  assert.equal(s.latencyMs, 1500);
  assert.equal(s.errorRate, 0.001);
  assert.equal(parseSlo(['p(99.9)<300']).latencyPercentile, 99.9);
  assert.equal(parseSlo(['error_rate<0.02']).errorRate, 0.02);
  assert.throws(() => parseSlo(['p95>200ms']), /--slo "p95>200ms": expected/);
  assert.throws(() => parseSlo(['errors<150%']), /between 0 and 1/);
});

test('growth per quarter from other periods', () => {
  assert.equal(parseGrowth('20%/quarter'), 20);
  assert.equal(parseGrowth('20%'), 20);
  assert.ok(Math.abs(parseGrowth('10%/month') - 33.1) < 1e-9);
  assert.ok(Math.abs(parseGrowth('46.41%/year') - 10) < 1e-3);
  assert.throws(() => parseGrowth('fast'), /--growth "fast"/);
});

test('phase lists', () => {
  assert.deepEqual(parseSuite('baseline, stress'), ['baseline', 'stress']);
  assert.equal(parseSuite(undefined).length, 5);
  assert.throws(() => parseSuite('baseline,soak'), /unknown phase "soak"/);
});

test('stress staircase: multiples of the expected rate, or ×1.5 from 25 req/s, capped', () => {
  assert.deepEqual(staircase(100, 1000), [25, 50, 100, 150, 200, 300, 400, 600, 800]);
  assert.deepEqual(staircase(null, 200), [25, 38, 56, 84, 127, 190]);
  assert.deepEqual(staircase(2, 1e9).slice(0, 3), [1, 2, 3]);
});

test('recovery limit: relative to baseline, never above the SLO', () => {
  assert.equal(recoveryLimit(10, 200), 20);
  assert.equal(recoveryLimit(100, 200), 150);
  assert.equal(recoveryLimit(180, 200), 200);
});

test('target names are file-name safe', () => {
  assert.equal(targetName('http://127.0.0.1:3000/api/products?x=1'), '127.0.0.1-3000-api-products');
  assert.equal(targetName('/home/u/plans/shop.yaml'), 'shop');
  assert.equal(targetName('http://h/<script>'), 'h-80-3Cscript-3E');
});
