import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderAnalysisMarkdown } from '../../src/report/markdown-analysis.ts';
import { renderLoadTestMarkdown } from '../../src/report/markdown-load-test.ts';
import { comparison, emptyRecord, healthyRecord, hostileRecord, troubledRecord } from './fixtures.ts';

const lines = (s: string) => s.split('\n');
const headings = (s: string) => lines(s).filter((l) => /^#{1,6} /.test(l));

/** Cells of a table row, split on pipes not escaped by a backslash. */
function cells(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|\s*$/, '')
    .split(/(?<!\\)\|/);
}

/** Every table keeps its column count on every row (no value broke out of its cell). */
function assertTablesIntact(doc: string): void {
  const ls = lines(doc);
  for (let i = 0; i < ls.length; i++) {
    if (!ls[i]!.startsWith('|') || (i > 0 && ls[i - 1]!.startsWith('|'))) continue;
    const width = cells(ls[i]!).length;
    for (let j = i; j < ls.length && ls[j]!.startsWith('|'); j++) assert.equal(cells(ls[j]!).length, width, `row ${j + 1}: ${ls[j]}`);
  }
}

/** Nothing from the hostile record turned into markup. */
function assertInert(doc: string): void {
  assert.doesNotMatch(doc, /<[A-Za-z/!?]/, 'raw HTML');
  assert.doesNotMatch(doc, /[\x00-\x08\x0b-\x1f\x7f]/, 'control character');
  assert.doesNotMatch(doc, /(?<!\\)\[link/, 'link');
  assert.doesNotMatch(doc, /(?<!\\)`tick/, 'code span');
  assert.doesNotMatch(doc, /(?<!\\)\*star/, 'emphasis');
  assert.doesNotMatch(doc, /(?<!\\)_under/, 'emphasis');
  assert.doesNotMatch(doc, /(?<!\\)\$x/, 'math');
  assert.doesNotMatch(doc, /^\s*#+ heading/m, 'heading injected');
  assert.doesNotMatch(doc, /^\s*\| --- \|[^\n]*RED/m, 'table injected');
  assert.match(doc, /evil\\\|pipe \\`tick\\` &lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the text is still there, escaped');
  assertTablesIntact(doc);
}

test('analysis report: ASSESSMENT-RULES.md §5 sections in order, then capacity', () => {
  const doc = renderAnalysisMarkdown(troubledRecord());
  assert.deepEqual(
    headings(doc).filter((h) => h.startsWith('## ')),
    [
      '## Baseline Metrics',
      '## Bottlenecks Found',
      '## Optimizations Recommended',
      '## Results',
      '## Capacity',
      '## About this assessment',
    ],
  );
  assert.match(doc, /^# Performance analysis: http:\/\/127\.0\.0\.1:3000\/api$/m);
  assert.match(doc, /^\*\*Status: CRITICAL\*\* · score 1\.\d\/10 · 4 bottleneck\(s\) · baseline failed, stress degraded$/m);
  assertTablesIntact(doc);
});

test('analysis report: baseline metrics from the baseline phase', () => {
  const doc = renderAnalysisMarkdown(troubledRecord());
  assert.match(doc, /^\| Response time p95 \| 900\.\dms \| < 200 ms \(SLO\) \|$/m);
  assert.match(doc, /^\| Response time p99 \| 6\.00s \|/m);
  assert.match(doc, /^\| Throughput \| 40\.0 req\/s \| 40\.0 req\/s expected \|$/m);
  assert.match(doc, /^\| Error rate \| 7\.50% \(30 of 400\) \| < 1\.00% \(SLO\) \|$/m);
  assert.match(doc, /^\| CPU \(target\) \| not measured \|/m);
});

test('analysis report: bottlenecks numbered most severe first, with severity, evidence table, location, root cause', () => {
  const doc = renderAnalysisMarkdown(troubledRecord());
  const numbered = headings(doc).filter((h) => /^### \d+\. /.test(h));
  assert.deepEqual(numbered, [
    '### 1. PERF-001: p95 far above the SLO',
    '### 2. PERF-002: Errors under load',
    '### 3. PERF-003: Finding PERF-003',
    '### 4. PERF-004: No compression',
  ]);
  assert.match(doc, /- \*\*Severity:\*\* P0 critical · \*\*Confidence:\*\* 90 % · \*\*Type:\*\* application/);
  assert.match(doc, /- \*\*Location:\*\* src\/db\.ts:42, function query/);
  assert.match(doc, /- \*\*Root cause:\*\* Root cause of PERF-002\./);
  assert.match(doc, /^\| p95 latency \| 813 ms \| baseline \|$/m);
  assert.match(doc, /### Observations \(no action needed\)\n\n- PERF-005 Note: Description of PERF-005\./);
  assert.match(doc, /^### OPT-001: p95 far above the SLO \(PERF-001, P0\)$/m);
  assert.match(doc, /^- \*\*Rollback:\*\* Revert the commit$/m);
});

test('analysis report: results per phase with verdicts, capacity with USL figures and the growth date', () => {
  const doc = renderAnalysisMarkdown(troubledRecord());
  assert.match(
    doc,
    /^\| baseline \| 40\.0 req\/s \| 10 s \| 400 \| 40\.0 req\/s \| 900\.\dms \| 900\.\dms \| 6\.00s \| 7\.50% \| failed \|$/m,
  );
  assert.match(doc, /^- \*\*sustained\*\*: skipped: not in --suite$/m);
  assert.match(doc, /^\| σ \(contention\) \| 0\.0310 \|$/m);
  assert.match(doc, /^\| κ \(coherency\) \| 0\.000420 \|$/m);
  assert.match(doc, /^\| Sustainable throughput at the SLO \| 150 req\/s \|$/m);
  assert.match(doc, /^\| Knee \(throughput stops growing linearly\) \| 140 req\/s \|$/m);
  assert.match(doc, /load exceeds the sustainable capacity on \*\*2027-05-25\*\*/);
  assert.match(doc, /4 instance\(s\) of this size/);
});

test('analysis report: healthy service says there is no bottleneck; empty one says nothing ran', () => {
  const healthy = renderAnalysisMarkdown(healthyRecord());
  assert.match(healthy, /## Bottlenecks Found\n\nNo bottleneck found at the tested load\./);
  assert.match(healthy, /\*\*Status: OPTIMAL\*\*/);
  const empty = renderAnalysisMarkdown(emptyRecord());
  assert.match(empty, /> \*\*Assessment failed:\*\* connection refused\. The figures below are partial\./);
  assert.match(empty, /No phase completed any request/);
  assert.match(empty, /No capacity model/);
  assert.match(empty, /## Results\n\nNo phase ran\./);
  assert.doesNotMatch(empty, /Response time p95/);
});

test('analysis report: hostile target strings are inert', () => {
  const doc = renderAnalysisMarkdown(hostileRecord());
  assertInert(doc);
  assert.match(doc, /^> \*\*Assessment interrupted:\*\* evil/m);
});

test('load-test report: scenarios, per-phase metrics, errors, thresholds, stress staircase, generator', () => {
  const doc = renderLoadTestMarkdown(troubledRecord(), { title: 'TEST-20261125-100000' });
  assert.match(doc, /^# Load test TEST-20261125-100000$/m);
  assert.deepEqual(
    headings(doc).filter((h) => h.startsWith('## ')),
    ['## Scenarios', '## Results per phase', '## Stress staircase', '## Load generator health'],
  );
  assert.match(doc, /^\| 3 \| sustained \| sustained \(fake\) \| 100 req\/s \| - \| - \| skipped \| not in --suite \|$/m);
  assert.match(
    doc,
    new RegExp(
      String.raw`^\| baseline \| 400 \| 40\.0 req\/s \| 40\.0 req\/s \| 900\.\dms \| 900\.\dms \| 6\.00s \| 6\.00s \| 900\.\dms \|` +
        String.raw` 7\.50% \(30\) \| 20 \|$`,
      'm',
    ),
  );
  assert.match(doc, /\*\*baseline:\*\* 20 iteration\(s\) were dropped/);
  assert.match(doc, /^\| baseline \| HTTP 500 \| 30 \|$/m);
  assert.match(doc, /^\| stress \| reset \| 125 \|$/m);
  assert.match(doc, /^\| baseline \| http_req_duration \| p\(95\)&lt;200 \| 900\.25 \| \*\*failed\*\* \|$/m);
  assert.match(
    doc,
    /^\| 5 \| 250 req\/s \| 210 req\/s \| 30\.0ms \| 280\.0ms \| 420\.0ms \| 4\.00% \| 9\.0 \| 12 \| \*\*breached\*\* \|$/m,
  );
  assert.match(doc, /- \*\*Stopped because:\*\* the SLO was breached/);
  assert.match(doc, /- \*\*Breaking point:\*\* 200 req\/s/);
  assert.match(doc, /^\| stress \| 1 \| 98\.00% \| 30\.00% \| 2\.00ms \| 500\.0µs \| 10 \| \*\*yes\*\* \|$/m);
  assert.match(doc, /^- CPU 98 % on worker 1$/m);
  assertTablesIntact(doc);
});

test('load-test report: spike and recovery figures', () => {
  const doc = renderLoadTestMarkdown(healthyRecord());
  assert.match(doc, /^\| Spike rate \| 250 req\/s \(5\.0×\) \|$/m);
  assert.match(doc, /^\| p95 before \(median of seconds\) \| 12\.0ms \|$/m);
  assert.match(doc, /^\| p95 during \(worst second\) \| 90\.0ms \|$/m);
  assert.match(doc, /^\| p95 after \(median of seconds\) \| 14\.0ms \|$/m);
  assert.match(doc, /^\| Throughput during \(best second\) \| 250 req\/s \|$/m);
  assert.match(doc, /^\| Recovered after \| 2 s \|$/m);
  assert.match(doc, /^\| Highest rate that met the SLO|^- \*\*Highest rate that met the SLO:\*\* 150 req\/s$/m);
});

test('load-test report: hostile target strings are inert', () => {
  const doc = renderLoadTestMarkdown(hostileRecord());
  assertInert(doc);
  // The hostile error kind and request name are in their tables, escaped.
  assert.match(doc, /^\| baseline \| evil\\\|pipe/m);
  assert.match(doc, /^\| baseline \| GET \| http:\/\/127\.0\.0\.1:3000\/evil\\\|pipe/m);
});

test('analysis report: a stored comparison is shown under Results with change, interval, p and verdict', () => {
  const record = troubledRecord();
  assert.doesNotMatch(renderAnalysisMarkdown(record), /Compared with the baseline run/);
  record.comparison = comparison();
  const doc = renderAnalysisMarkdown(record);
  const results = doc.slice(doc.indexOf('## Results'), doc.indexOf('## Capacity'));
  assert.match(
    results,
    new RegExp(
      String.raw`### Compared with the baseline run\n\nBaseline assess-before-0009 \(2026-11-24T10:00:00\.000Z, baseline phase\):` +
        String.raw` \*\*regressed\*\*, 1 regression\(s\), 0 improvement\(s\)`,
    ),
  );
  assert.match(
    results,
    new RegExp(
      String.raw`^\| response time p95 \| 180\.0ms \| 900\.1ms \| \+400\.1 % \| \+350\.0 % … \+440\.0 % \(95 %\) \| < 0\.001 \|` +
        String.raw` \*\*regression \(critical\)\*\* \|$`,
      'm',
    ),
  );
  assert.match(
    results,
    /^\| throughput \| 41\.0 req\/s \| 40\.0 req\/s \| −2\.4 % \| −5\.0 % … unbounded \(95 %\) \| 0\.400 \| unchanged \|$/m,
  );
  assert.match(results, /^- CPU &lt;not measured&gt; in either run$/m);
  assertTablesIntact(doc);
});
