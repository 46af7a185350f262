// The HTML report's chart maths: scales, ticks, path generation (empty, one point, gaps), the
// USL curve, and the escaping helpers (the per-second series: test/analysis/per-second-series.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fmtSeconds, fmtTick, linearScale, niceDomain, tickStep } from '../../src/report/html/scale.ts';
import { coord, linePath, renderChart, type ChartSpec } from '../../src/report/html/svg-chart.ts';
import { uslCurve, uslThroughput } from '../../src/report/html/usl-curve.ts';
import { esc, html, jsonForScript } from '../../src/report/html/safe.ts';

test('linearScale maps the domain onto the range (inverted y too); a degenerate domain maps to the middle', () => {
  const s = linearScale([0, 100], [50, 450]);
  assert.equal(s(0), 50);
  assert.equal(s(50), 250);
  assert.equal(s(100), 450);
  const y = linearScale([0, 10], [200, 20]);
  assert.equal(y(0), 200);
  assert.equal(y(10), 20);
  assert.equal(linearScale([5, 5], [0, 100])(5), 50);
});

test('niceDomain rounds outwards to 1-2-5 steps without floating-point noise', () => {
  assert.deepEqual(niceDomain(0, 97, 5), { domain: [0, 100], ticks: [0, 20, 40, 60, 80, 100] });
  assert.deepEqual(niceDomain(0, 0.3, 3).ticks, [0, 0.1, 0.2, 0.3]);
  assert.deepEqual(niceDomain(0, 0), { domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
  // One value: room on both sides, a positive axis stays non-negative.
  const one = niceDomain(40, 40);
  assert.ok(one.domain[0] <= 20 && one.domain[0] >= 0 && one.domain[1] >= 60, JSON.stringify(one));
  assert.deepEqual(niceDomain(NaN, 5).domain, [0, 1]);
  assert.equal(tickStep(0, 1000, 5), 200);
  assert.equal(tickStep(0, 9, 5), 2);
  assert.equal(tickStep(0, 7, 5), 1);
});

const normal = (v: number) => v === 0 || Math.abs(v) > 1e-300;

test('niceDomain: ticks cover the data, are evenly spaced and few (property)', () => {
  fc.assert(
    // Subnormal numbers excluded: min / step underflows to ±0 there, which no chart can show anyway.
    fc.property(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter(normal),
      fc.double({ min: 0, max: 1e6, noNaN: true }).filter(normal),
      fc.integer({ min: 2, max: 8 }),
      (lo, span, count) => {
        const { domain, ticks } = niceDomain(lo, lo + span, count);
        assert.ok(domain[0] <= lo && domain[1] >= lo + span);
        assert.ok(ticks.length >= 2 && ticks.length <= count * 3 + 3, `${ticks.length} ticks for ${count}`);
        assert.ok(Math.abs(ticks[0]! - domain[0]) <= Math.abs(ticks[1]! - ticks[0]!) * 0.01);
        const step = ticks[1]! - ticks[0]!;
        for (let i = 2; i < ticks.length; i++)
          assert.ok(Math.abs(ticks[i]! - ticks[i - 1]! - step) <= Math.abs(step) * 0.02, `uneven ticks ${ticks}`);
      },
    ),
  );
});

test('tick labels', () => {
  assert.equal(fmtTick(1500), '1.5k');
  assert.equal(fmtTick(2_000_000), '2M');
  assert.equal(fmtTick(0.25), '0.25');
  assert.equal(fmtSeconds(45), '45s');
  assert.equal(fmtSeconds(90), '1m30s');
  assert.equal(fmtSeconds(120), '2m');
});

const sx = linearScale([0, 10], [0, 100]);
const sy = linearScale([0, 10], [100, 0]);

test('linePath: empty series, one point, gaps and non-finite values', () => {
  assert.deepEqual(linePath([], sx, sy), { d: '', vertices: 0, isolated: [] });
  assert.deepEqual(linePath([{ x: 1, y: null }], sx, sy), { d: '', vertices: 0, isolated: [] });
  const one = linePath([{ x: 5, y: 5 }], sx, sy);
  assert.equal(one.d, 'M50 50');
  assert.equal(one.vertices, 1);
  assert.deepEqual(one.isolated, [[50, 50]]);
  const gap = linePath(
    [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
      { x: 2, y: null },
      { x: 3, y: NaN },
      { x: 4, y: 4 },
      { x: 5, y: 5 },
      { x: 6, y: Infinity },
      { x: 7, y: 7 },
    ],
    sx,
    sy,
  );
  assert.equal(gap.d, 'M0 100L10 90M40 60L50 50M70 30');
  assert.equal(gap.vertices, 5);
  assert.deepEqual(gap.isolated, [[70, 30]]);
  assert.equal(coord(1.26), '1.3');
  assert.equal(coord(-0.04), '0');
});

function spec(extra: Partial<ChartSpec>): ChartSpec {
  return { id: 't', title: 'T', xLabel: 'x', yLabel: 'y', series: [], ...extra };
}

function attr(svg: string, re: RegExp): string[] {
  return [...svg.matchAll(re)].map((m) => m[1]!);
}

test('renderChart: no data gives an empty frame, not a broken path', () => {
  const s = renderChart(spec({ series: [{ key: 'a', label: 'A', colour: 'c-blue', points: [] }] })).value;
  assert.match(s, /data-empty="true"/);
  assert.match(s, />no data</);
  assert.doesNotMatch(s, /<path/);
  assert.doesNotMatch(s, /NaN|Infinity|undefined/);
});

test('renderChart: one point is drawn as a dot, and every finite point is counted', () => {
  const s = renderChart(spec({ series: [{ key: 'a', label: 'A', colour: 'c-blue', points: [{ x: 3, y: 7 }] }] })).value;
  assert.match(s, /data-empty="false"/);
  assert.match(s, /data-series="a" data-points="1"/);
  assert.equal((s.match(/<circle/g) ?? []).length, 1);
  assert.doesNotMatch(s, /NaN|Infinity/);
  const many = renderChart(
    spec({
      series: [{ key: 'b', label: 'B', colour: 'c-red', kind: 'linepoints', points: [0, 1, 2, 3, 4, 5].map((x) => ({ x, y: x * x })) }],
    }),
  ).value;
  assert.deepEqual(attr(many, /data-series="b" data-points="(\d+)"/g), ['6', '6']);
  assert.equal((many.match(/<circle/g) ?? []).length, 6);
});

test('renderChart: points land inside the plot area; y starts at zero; far-off limit lines are listed, not drawn', () => {
  const s = renderChart(
    spec({
      width: 400,
      height: 200,
      series: [
        {
          key: 'a',
          label: 'A',
          colour: 'c-blue',
          kind: 'points',
          points: [
            { x: 10, y: 5 },
            { x: 20, y: 10 },
          ],
        },
      ],
      hLines: [
        { value: 12, label: 'near', colour: 'c-red' },
        { value: 1000, label: 'far', colour: 'c-red' },
      ],
    }),
  ).value;
  const cx = attr(s, /<circle cx="([\d.]+)"/g).map(Number);
  const cy = attr(s, /<circle cx="[\d.]+" cy="([\d.]+)"/g).map(Number);
  for (const x of cx) assert.ok(x >= 54 && x <= 388, `cx ${x}`);
  for (const y of cy) assert.ok(y >= 16 && y <= 164, `cy ${y}`);
  assert.ok(cy[1]! < cy[0]!, 'larger values are higher up');
  assert.match(s, /data-marker="near"/);
  assert.doesNotMatch(s, /data-marker="far"/);
  assert.match(s, /far \(above the chart\)/);
  // y axis from 0: the lowest grid label is 0.
  assert.match(s, /text-anchor="end">0<\/text>/);
});

test('renderChart escapes every label and sanitises its id', () => {
  const evil = '<script>x()</script>"\'';
  const s = renderChart(
    spec({
      id: 'a"><b',
      title: evil,
      xLabel: evil,
      yLabel: evil,
      series: [{ key: evil, label: evil, colour: 'c-blue', kind: 'points', points: [{ x: 1, y: 1, title: evil }] }],
      vLines: [{ value: 1, label: evil, colour: 'c-red' }],
    }),
  ).value;
  assert.doesNotMatch(s, /<script|<b|x\(\)<\//);
  assert.match(s, /data-chart="a---b"/);
  assert.match(s, /&lt;script&gt;x\(\)&lt;\/script&gt;&quot;&#39;/);
});

test('USL curve: X(1) = λ, the peak is at N* = √((1−σ)/κ), latency by Little’s law', () => {
  const m = { lambda: 50, sigma: 0.05, kappa: 0.002 };
  assert.equal(uslThroughput(m.lambda, m.sigma, m.kappa, 1), 50);
  const curve = uslCurve(m, 40, 400);
  const peak = curve.reduce((a, b) => (b.throughput > a.throughput ? b : a));
  assert.ok(Math.abs(peak.concurrency - Math.sqrt((1 - m.sigma) / m.kappa)) < 0.2, `N* ${peak.concurrency}`);
  for (const c of curve) assert.ok(Math.abs(c.latencyMs - (c.concurrency / c.throughput) * 1000) < 1e-9);
  assert.deepEqual(uslCurve({ lambda: 0, sigma: 0, kappa: 0 }, 10), []);
  assert.deepEqual(uslCurve({ lambda: Number.NaN, sigma: 0, kappa: 0 }, 10), []);
  assert.deepEqual(uslCurve(m, 0), []);
});

test('html template escapes interpolations; esc round-trips (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = html`<p title="${s}">${s}</p>`.value;
      const inner = out.slice('<p title="'.length, -'</p>'.length);
      assert.doesNotMatch(inner.replace('">', ''), /[<>"']/);
      const unescaped = esc(s)
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
      assert.equal(unescaped, s);
    }),
  );
  assert.equal(html`${['<a>', html`<b>${'<c>'}</b>`, null, undefined, false, 0]}`.value, '&lt;a&gt;<b>&lt;c&gt;</b>0');
});

test('jsonForScript cannot close its script element and parses back to the same data (property)', () => {
  const tricky = fc.constantFrom('</script>', '</SCRIPT >', '<!--', '-->', '<script>', '\u2028', '\u2029', '&', ']]>');
  const str = fc.array(fc.oneof(fc.string({ unit: 'binary' }), tricky), { maxLength: 6 }).map((a) => a.join(''));
  fc.assert(
    fc.property(fc.dictionary(str, fc.oneof(str, fc.integer(), fc.array(str, { maxLength: 3 }))), (data) => {
      const out = jsonForScript(data);
      assert.doesNotMatch(out, /[<>&\u2028\u2029]/);
      assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(data)));
    }),
  );
  assert.equal(jsonForScript(undefined), 'null');
});

test('USL curve at low rates: below one request in the system, X = λN and the mean latency is 1/λ (it dipped below)', () => {
  const m = { lambda: 50, sigma: 0.3, kappa: 0.01 };
  const curve = uslCurve(m, 4, 80);
  const floor = 1000 / m.lambda;
  for (const c of curve) assert.ok(c.latencyMs >= floor - 1e-9, `N ${c.concurrency}: ${c.latencyMs} ms < 1/λ = ${floor} ms`);
  const low = curve.filter((c) => c.concurrency <= 1);
  assert.ok(low.length > 5);
  for (const c of low) assert.ok(Math.abs(c.latencyMs - floor) < 1e-9);
  // Latency never falls as the rate rises.
  for (let i = 1; i < curve.length; i++) assert.ok(curve[i]!.latencyMs >= curve[i - 1]!.latencyMs - 1e-9);
});
