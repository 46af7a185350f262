// The HTML report as a string: self-contained (nothing it could fetch), the CSP, the content
// (findings in severity order, phase charts, stress curve with knee and USL fit), escaping of
// hostile records, and robustness to records with missing or damaged parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renderHtmlReport, REPORT_CSP } from '../../src/report/html.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { fullRecord, hostileRecord, PAYLOADS } from './html-fixtures.ts';

const full = renderHtmlReport(fullRecord());

/** The page's real tags: escaped text has no `<`, and attribute values have no `>`. */
function tags(page: string): string[] {
  return [...page.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0]);
}

function dataBlock(page: string): unknown {
  const m = /<script type="application\/json" id="speedguard-report-data">([\s\S]*?)<\/script>/.exec(page);
  assert.ok(m, 'embedded data block');
  return JSON.parse(m[1]!);
}

test('the page carries a strict CSP whose style hash matches its only stylesheet', () => {
  assert.ok(full.startsWith('<!DOCTYPE html>'));
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(full);
  assert.ok(meta);
  assert.equal(meta[1], REPORT_CSP);
  assert.match(REPORT_CSP, /^default-src 'none'; /);
  assert.match(REPORT_CSP, /script-src 'none'/);
  assert.match(REPORT_CSP, /img-src data:/);
  const styles = [...full.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  assert.equal(styles.length, 1);
  const hash = createHash('sha256').update(styles[0]![1]!, 'utf8').digest('base64');
  assert.ok(REPORT_CSP.includes(`style-src 'sha256-${hash}'`), 'style hash in the CSP');
  // The CSP meta comes before anything that could load or run.
  assert.ok(full.indexOf('Content-Security-Policy') < full.indexOf('<style>'));
});

test('nothing in the page could be fetched or run: no src, no external href, no inline handlers or styles', () => {
  for (const tag of tags(full)) {
    assert.doesNotMatch(tag, /\ssrc\s*=/i, tag);
    assert.doesNotMatch(tag, /\sstyle\s*=/i, `inline style attributes are refused by the CSP: ${tag}`);
    assert.doesNotMatch(tag, /\son[a-z]+\s*=/i, tag);
  }
  assert.doesNotMatch(full, /@import|url\((?!#)/i);
  for (const m of full.matchAll(/\shref="([^"]*)"/g)) assert.match(m[1]!, /^(#[a-z0-9-]+|data:,)$/, `href ${m[1]}`);
  const scripts = [...full.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, ['<script type="application/json" id="speedguard-report-data">']);
  assert.doesNotMatch(full, /NaN|Infinity|undefined|\[object Object\]/);
});

test('findings come most severe first, with badge, evidence, location, root cause and recommendation', () => {
  const r = fullRecord();
  r.findings = [...r.findings].reverse();
  const page = renderHtmlReport(r);
  const order = [...page.matchAll(/data-finding="([^"]+)" data-severity="([a-z]+)"/g)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(order, ['PERF-001:high', 'PERF-002:medium', 'PERF-003:low']);
  assert.match(page, /<span class="badge sev-high">P1 high<\/span>/);
  assert.match(page, /<td>p95 at 400 req\/s<\/td><td class="n">339\.3ms<\/td><td>stress<\/td>/);
  assert.match(page, /<code>src\/routes\/products\.ts:42<\/code> in <code>listProducts<\/code>/);
  assert.match(page, /Root cause<\/h4><p>Requests queue once/);
  assert.match(page, /<dt>Rollback<\/dt><dd>remove the cache header<\/dd>/);
  assert.match(page, /data-verdict="degraded"/);
});

test('every phase gets throughput, latency and error charts over time, with one point per interval', () => {
  const r = fullRecord();
  for (const [i, p] of r.phases.entries()) {
    const id = `p${i}-${p.name}`;
    for (const kind of ['throughput', 'latency', 'errors']) assert.ok(full.includes(`data-chart="${id}-${kind}"`), `${id}-${kind}`);
    const n = p.run.intervals.length;
    const chart = full.slice(
      full.indexOf(`data-chart="${id}-throughput"`),
      full.indexOf('</figure>', full.indexOf(`data-chart="${id}-throughput"`)),
    );
    assert.ok(chart.includes(`data-series="rps" data-points="${n}"`), `${id}: ${n} throughput points`);
    const lat = full.slice(
      full.indexOf(`data-chart="${id}-latency"`),
      full.indexOf('</figure>', full.indexOf(`data-chart="${id}-latency"`)),
    );
    for (const s of ['p50', 'p95', 'p99']) assert.ok(lat.includes(`data-series="${s}" data-points="${n}"`), `${id} ${s}`);
    assert.ok(lat.includes('data-marker="SLO p95 &lt; 200.0ms"') || lat.includes('SLO p95 &lt; 200.0ms (above the chart)'));
  }
  const rows = full.match(/<tr data-phase="/g) ?? [];
  assert.equal(rows.length, r.phases.length * 2, 'verdict table + generator table');
  assert.match(full, /data-marker="recovered \(\+4s\)"/);
  assert.match(full, /spike 380 req\/s/);
});

test('the stress phase gets its latency–throughput curve with the knee, and the USL fit', () => {
  const r = fullRecord();
  const steps = r.phases.find((p) => p.stress)!.stress!.steps.length;
  const lt = full.slice(
    full.indexOf('data-chart="capacity-latency-throughput"'),
    full.indexOf('</figure>', full.indexOf('data-chart="capacity-latency-throughput"')),
  );
  for (const s of ['p50', 'p95', 'p99'])
    assert.equal((lt.match(new RegExp(`data-series="${s}" data-points="${steps}"`, 'g')) ?? []).length, 2, `${s}: path and dots`);
  assert.match(lt, /data-marker="knee 300 req\/s"/);
  assert.match(lt, /data-series="usl" data-points="\d{2,}"/);
  const usl = full.slice(full.indexOf('data-chart="capacity-usl"'), full.indexOf('</figure>', full.indexOf('data-chart="capacity-usl"')));
  assert.match(usl, new RegExp(`data-series="measured" data-points="${steps}"`));
  assert.match(usl, /data-series="usl" data-points="81"/);
  assert.match(usl, /data-marker="peak 370 req\/s"/);
  assert.match(full, /<dt>σ \(contention\)<\/dt><dd>0\.05<\/dd>/);
  assert.match(full, /<dt>Load exceeds capacity<\/dt><dd>2027-08-14<\/dd>/);
  assert.equal((full.match(/<tr data-step="/g) ?? []).length, steps);
});

test('the embedded data round-trips', () => {
  const data = dataBlock(full) as { id: string; verdict: string; findings: Array<{ id: string }>; capacity: { lambda: number } };
  assert.equal(data.id, 'assess-7f3a9c21');
  assert.equal(data.verdict, 'degraded');
  assert.deepEqual(
    data.findings.map((f) => f.id),
    ['PERF-001', 'PERF-002', 'PERF-003'],
  );
  assert.equal(data.capacity.lambda, 50);
});

test('a hostile record: every payload is escaped (no raw markup from the record), and the data block still parses', () => {
  const page = renderHtmlReport(hostileRecord());
  for (const p of PAYLOADS) if (/[<>"]/.test(p)) assert.ok(!page.includes(p), `raw payload in page: ${p}`);
  assert.ok(page.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'));
  assert.ok(page.includes('&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;'));
  for (const tag of tags(page)) assert.doesNotMatch(tag, /\s(on[a-z]+|src|srcdoc|style)\s*=/i, tag);
  assert.doesNotMatch(page, /<(img|iframe|object|embed)\b/i);
  for (const svg of page.matchAll(/<svg\b[^>]*>/gi)) assert.match(svg[0], /^<svg viewBox="0 0 \d+ \d+" role="img"/);
  for (const m of page.matchAll(/\shref="([^"]*)"/g)) assert.match(m[1]!, /^(#[a-z0-9-]+|data:,)$/);
  assert.deepEqual(
    [...page.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]),
    ['<script type="application/json" id="speedguard-report-data">'],
  );
  const data = dataBlock(page) as { target: string; findings: Array<{ title: string }> };
  assert.equal(data.target, `javascript:alert(1)//${PAYLOADS[0]}`);
  assert.equal(data.findings[0]!.title, PAYLOADS[0]);
  // Values inside class names come from fixed lists, never from the record.
  for (const m of page.matchAll(/\sclass="([^"]*)"/g)) assert.match(m[1]!, /^[a-z0-9 -]+$/, `class ${m[1]}`);
});

test('minimal and damaged records still render', () => {
  const empty = renderHtmlReport(fakeAssessment([]));
  assert.match(empty, /No phase ran/);
  assert.match(empty, /No findings were recorded/);
  assert.match(empty, /data-verdict="optimal"/);
  const run = fakeRun({ seconds: steady(3, 10, 5) });
  for (const t of run.totals) if (t.histogram) t.histogram = '!!not-base64!!';
  run.intervals[1]!.series = [];
  const r = fakeAssessment([fakePhase('baseline', run)], {
    capacity: {
      model: 'usl',
      lambda: Number.NaN,
      sigma: 0,
      kappa: 0,
      r2: 0,
      fitQuality: 'poor',
      points: [],
      peakThroughputRps: null,
      peakConcurrency: null,
      sustainableRps: null,
      kneeRps: null,
      growth: null,
    },
  });
  (r as unknown as { findings: unknown }).findings = [
    { id: 'PERF-001', severity: 'bogus', title: 'x', evidence: null, recommendation: null },
  ];
  const page = renderHtmlReport(r);
  assert.match(page, /data-severity="info"/);
  assert.match(page, /data-chart="p0-baseline-latency"/);
  assert.match(page, /none in range/, 'a USL fit without a maximum (κ = 0) says so');
  assert.doesNotMatch(page, /NaN|\[object Object\]/);
});
