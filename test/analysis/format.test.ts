// The figures in prose: one formatter for shares and signed changes, so the same change reads the same in
// the terminal comparison, the Markdown and the GitHub step summary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percent, signedPercent } from '../../src/analysis/format.ts';
import { fmtShare } from '../../src/report/optimization-md.ts';
import { limitText } from '../../src/analysis/compare.ts';

test('percent: fixed digits for tables and limits', () => {
  assert.equal(percent(0.075), '7.50 %');
  assert.equal(percent(0.2, 0), '20 %');
  assert.equal(percent(0.00012, 4), '0.0120 %');
});

test('signedPercent: a true minus, a plus, ±0 when it rounds to nothing, infinities', () => {
  assert.equal(signedPercent(-0.024), '−2.4 %');
  assert.equal(signedPercent(4.001), '+400.1 %');
  assert.equal(signedPercent(-0.0004), '±0.0 %');
  assert.equal(signedPercent(0), '±0.0 %');
  assert.equal(signedPercent(0.12345, 2), '+12.35 %');
  assert.equal(signedPercent(Number.POSITIVE_INFINITY), '+∞');
  // The terminal's comparison table says the same.
  assert.equal(fmtShare(-0.024), signedPercent(-0.024));
  assert.equal(fmtShare(null), '–');
  assert.equal(limitText({ worseWhen: 'down', threshold: 0.1 }), '−10 %');
});
