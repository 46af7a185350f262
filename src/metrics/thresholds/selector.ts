// Metric selectors, the keys of `thresholds`: a metric name, optionally narrowed to a k6 sub-metric
// by tags: `http_req_duration{name:login}`, `http_req_duration{method:GET, status:200}`.
//
// As in k6 (metrics/metric.go): the tag list is what lies between the first "{" and a final "}"
// (so a value may itself hold braces, `name:/users/{id}`), pairs are split on ",", each pair on its
// FIRST ":" (so `group:::batch` is group = "::batch"), keys and values are trimmed of spaces and of
// surrounding quotes. Unlike k6 we refuse empty keys, repeated keys and pairs without ":".

import { MetricSelectorError } from './errors.ts';

export interface MetricSelector {
  metric: string;
  tags: Record<string, string>;
}

// k6 limits metric names to 128 characters.
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function parseMetricSelector(sel: string): MetricSelector {
  const open = sel.indexOf('{');
  if (open === -1 && sel.includes('}')) throw new MetricSelectorError(sel, '"}" without a matching "{"');
  const name = (open === -1 ? sel : sel.slice(0, open)).trim();
  if (name === '') throw new MetricSelectorError(sel, 'metric name is missing');
  if (!METRIC_NAME.test(name)) {
    throw new MetricSelectorError(
      sel,
      `invalid metric name "${name}": use letters, digits and "_", not starting with a digit, at most 128 characters`,
    );
  }
  if (open === -1) return { metric: name, tags: {} };
  if (!sel.trimEnd().endsWith('}')) {
    throw new MetricSelectorError(sel, 'missing "}" at the end of the tag list; expected metric{key:value,...}');
  }
  const body = sel.trimEnd().slice(open + 1, -1);
  if (body.trim() === '') throw new MetricSelectorError(sel, 'empty tag list "{}"; remove it or add key:value pairs');

  const tags: Record<string, string> = Object.create(null);
  for (const pair of body.split(',')) {
    const colon = pair.indexOf(':');
    if (colon === -1) {
      throw new MetricSelectorError(sel, `tag ${JSON.stringify(pair.trim())} has no ":"; expected key:value`);
    }
    const key = unquote(pair.slice(0, colon));
    const value = unquote(pair.slice(colon + 1));
    if (key === '') throw new MetricSelectorError(sel, `tag ${JSON.stringify(pair.trim())} has an empty key`);
    if (value === '') throw new MetricSelectorError(sel, `tag "${key}" has an empty value`);
    if (Object.hasOwn(tags, key)) throw new MetricSelectorError(sel, `tag "${key}" is given twice`);
    tags[key] = value;
  }
  // A plain object for callers (deepEqual, JSON); the null prototype only guarded `__proto__` keys above.
  return { metric: name, tags: Object.fromEntries(Object.entries(tags)) };
}

/** Canonical text of a selector: tags sorted by key, so equal selectors render equally. */
export function formatMetricSelector(s: MetricSelector): string {
  const keys = Object.keys(s.tags).sort();
  if (keys.length === 0) return s.metric;
  return `${s.metric}{${keys.map((k) => `${k}:${s.tags[k]}`).join(',')}}`;
}

function unquote(raw: string): string {
  const t = raw.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0]) return t.slice(1, -1);
  return t;
}
