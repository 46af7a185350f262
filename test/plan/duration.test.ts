import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DurationError, formatDuration, parseDuration, parseSize } from '../../src/plan/duration.ts';

test('parses the k6 duration forms to milliseconds', () => {
  const cases: Array<[string | number, number]> = [
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['2h', 7_200_000],
    ['1.5s', 1500],
    ['0.3s', 300],
    ['.5s', 500],
    ['1d', 86_400_000],
    ['1h2m3s4ms', 3_723_004],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1500ns', 0.0015],
    ['0s', 0],
    [' 10s ', 10_000],
    [250, 250], // bare numbers are milliseconds, as in k6
    ['250', 250],
    [0, 0],
    [12.5, 12.5],
  ];
  for (const [input, expected] of cases) assert.equal(parseDuration(input), expected, `parseDuration(${JSON.stringify(input)})`);
});

test('rejects malformed and negative durations with a clear message', () => {
  for (const bad of ['30 s', '30sec', '1m30', 's', '', '-5s', 'abc', '1.2.3s', '10S']) {
    assert.throws(
      () => parseDuration(bad),
      (error: unknown) =>
        error instanceof DurationError && error.message.includes(JSON.stringify(bad)) && error.message.includes('"30s", "1m30s", "500ms"'),
      `parseDuration(${JSON.stringify(bad)})`,
    );
  }
  assert.throws(() => parseDuration(-1), /invalid duration -1/);
  assert.throws(() => parseDuration(Number.NaN), /invalid duration NaN/);
  assert.throws(() => parseDuration(Infinity), DurationError);
  assert.match(
    (() => {
      try {
        parseDuration('-5s');
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })(),
    /negative durations are not allowed/,
  );
});

test('formats durations', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(250), '250ms');
  assert.equal(formatDuration(1500), '1.5s');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(3_600_000), '1h');
  assert.equal(formatDuration(5_025_500), '1h23m45.5s');
});

test('property: rendering ms as XhYmZs and parsing it back gives the same ms', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 400 * 3_600_000 }), (ms) => {
      const hours = Math.floor(ms / 3_600_000);
      const minutes = Math.floor((ms % 3_600_000) / 60_000);
      const seconds = (ms % 60_000) / 1000;
      const text = `${hours}h${minutes}m${seconds}s`;
      assert.equal(parseDuration(text), ms, text);
      assert.equal(parseDuration(formatDuration(ms)), ms, formatDuration(ms));
    }),
    { numRuns: 2000 },
  );
});

test('property: a sum of random parts parses to the sum', () => {
  const unit = fc.constantFrom(['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), unit), { minLength: 1, maxLength: 6 }), (parts) => {
      const text = parts.map(([n, [u]]) => `${n}${u}`).join('');
      const expected = parts.reduce((sum, [n, [, factor]]) => sum + n * factor, 0);
      assert.equal(parseDuration(text), expected, text);
    }),
    { numRuns: 1000 },
  );
});

test('parses sizes with binary multiples', () => {
  const cases: Array<[string | number, number]> = [
    ['100MB', 100 * 1024 * 1024],
    ['64KB', 65_536],
    ['64kb', 65_536],
    ['64KiB', 65_536],
    ['1.5M', 1_572_864],
    ['2GB', 2 * 1024 ** 3],
    ['512B', 512],
    ['512', 512],
    [4096, 4096],
    ['10 MB', 10 * 1024 * 1024],
  ];
  for (const [input, expected] of cases) assert.equal(parseSize(input), expected, `parseSize(${JSON.stringify(input)})`);
  for (const bad of ['MB', '-1MB', '10XB', '1e3', '']) {
    assert.throws(() => parseSize(bad), /invalid size .*"100MB", "64KB"/, bad);
  }
  assert.throws(() => parseSize(-1), /invalid size -1/);
});
