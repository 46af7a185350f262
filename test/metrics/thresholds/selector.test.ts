import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatMetricSelector, parseMetricSelector } from '../../../src/metrics/thresholds/selector.ts';
import { MetricSelectorError } from '../../../src/metrics/thresholds/errors.ts';

describe('parseMetricSelector: examples', () => {
  it('reads a bare metric name', () => {
    assert.deepEqual(parseMetricSelector('http_req_duration'), { metric: 'http_req_duration', tags: {} });
    assert.deepEqual(parseMetricSelector('_x9'), { metric: '_x9', tags: {} });
  });

  it('reads one and several tags, with spaces after commas', () => {
    assert.deepEqual(parseMetricSelector('http_req_duration{name:login}'), {
      metric: 'http_req_duration',
      tags: { name: 'login' },
    });
    assert.deepEqual(parseMetricSelector('http_req_duration{method:GET,status:200}'), {
      metric: 'http_req_duration',
      tags: { method: 'GET', status: '200' },
    });
    assert.deepEqual(parseMetricSelector('http_req_duration{method:GET, status:200,  scenario : browse }'), {
      metric: 'http_req_duration',
      tags: { method: 'GET', status: '200', scenario: 'browse' },
    });
  });

  it('splits each pair on its first colon, so values may hold colons', () => {
    assert.deepEqual(parseMetricSelector('group_duration{group:::batch}'), {
      metric: 'group_duration',
      tags: { group: '::batch' },
    });
    assert.deepEqual(parseMetricSelector('http_reqs{url:http://127.0.0.1:8080/x}').tags, {
      url: 'http://127.0.0.1:8080/x',
    });
  });

  it('strips quotes around keys and values, as k6 does', () => {
    assert.deepEqual(parseMetricSelector(`checks{"check":'status is 200'}`).tags, { check: 'status is 200' });
  });

  it('takes the tag list up to the final "}", so values may hold braces', () => {
    assert.deepEqual(parseMetricSelector('http_req_duration{name:/users/{id}}').tags, { name: '/users/{id}' });
  });

  it('formatMetricSelector sorts tags so equal selectors render the same', () => {
    const a = parseMetricSelector('http_reqs{status:200, method:GET}');
    const b = parseMetricSelector('http_reqs{method:GET,status:200}');
    assert.equal(formatMetricSelector(a), 'http_reqs{method:GET,status:200}');
    assert.equal(formatMetricSelector(a), formatMetricSelector(b));
  });
});

describe('parseMetricSelector: errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /metric name is missing/],
    ['{name:x}', /metric name is missing/],
    ['1metric', /invalid metric name "1metric"/],
    ['http-req-duration', /invalid metric name "http-req-duration"/],
    ['http req', /invalid metric name "http req"/],
    [`m${'x'.repeat(128)}`, /at most 128 characters/],
    ['http_reqs{name:x', /missing "}"/],
    ['http_reqs{name:x}y', /missing "}"/],
    ['http_reqs}', /"}" without a matching "{"/],
    ['http_reqs{}', /empty tag list/],
    ['http_reqs{ }', /empty tag list/],
    ['http_reqs{name}', /tag "name" has no ":"/],
    ['http_reqs{name:x,}', /tag "" has no ":"/],
    ['http_reqs{:x}', /empty key/],
    ['http_reqs{name:}', /tag "name" has an empty value/],
    ['http_reqs{name:""}', /tag "name" has an empty value/],
    ['http_reqs{name:a,name:b}', /tag "name" is given twice/],
  ];
  for (const [sel, mentions] of cases) {
    it(`rejects ${JSON.stringify(sel.length > 30 ? `${sel.slice(0, 30)}…` : sel)}`, () => {
      assert.throws(
        () => parseMetricSelector(sel),
        (err: unknown) => {
          assert.ok(err instanceof MetricSelectorError);
          assert.match(err.message, mentions);
          assert.ok(err.message.startsWith(`metric selector ${JSON.stringify(sel)}: `), err.message);
          return true;
        },
      );
    });
  }
});

describe('parseMetricSelector: properties', () => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/);
  // Values: no commas, no surrounding spaces or quotes (those are trimmed by design), non-empty.
  const value = fc.stringMatching(/^[A-Za-z0-9:/._{}-]([A-Za-z0-9:/._{} -]{0,10}[A-Za-z0-9:/._{}-])?$/);
  const tags = fc.dictionary(name, value, { maxKeys: 4 });
  const sep = fc.constantFrom(',', ', ', ',  ', ' , ');

  it('parses what it formats, with any spacing after commas', () => {
    fc.assert(
      fc.property(name, tags, sep, (metric, t, s) => {
        const keys = Object.keys(t);
        const text = keys.length === 0 ? metric : `${metric}{${keys.map((k) => `${k}:${t[k]}`).join(s)}}`;
        assert.deepEqual(parseMetricSelector(text), { metric, tags: { ...t } });
        assert.deepEqual(parseMetricSelector(formatMetricSelector({ metric, tags: t })), { metric, tags: { ...t } });
      }),
      { numRuns: 1000 },
    );
  });

  it('random input either parses or throws MetricSelectorError', () => {
    const chars = fc.constantFrom(...'ab_1{}:, "\'-'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: chars, maxLength: 20 })), (text) => {
        try {
          const s = parseMetricSelector(text);
          assert.match(s.metric, /^[A-Za-z_][A-Za-z0-9_]*$/);
          for (const [k, v] of Object.entries(s.tags)) assert.ok(k !== '' && v !== '');
        } catch (err) {
          assert.ok(err instanceof MetricSelectorError, `unexpected ${String(err)}`);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
