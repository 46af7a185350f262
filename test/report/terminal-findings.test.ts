import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTerminalFindings } from '../../src/report/terminal-findings.ts';
import { renderTerminalFindings as reExported } from '../../src/report/write-reports.ts';
import { emptyRecord, healthyRecord, hostileRecord, troubledRecord } from './fixtures.ts';

test('terminal: verdict, findings most severe first with P labels, evidence and recommendation', () => {
  const out = renderTerminalFindings(troubledRecord(), { colour: false }, [
    'PERFORMANCE/ANALYSIS/x.md',
    'PERFORMANCE/LOAD_TESTS/TEST-x.xml',
  ]);
  const lines = out.split('\n');
  assert.match(lines[0]!, /^ {2}ASSESSMENT: CRITICAL \(score 1\.\d\/10\) — http:\/\/127\.0\.0\.1:3000\/api$/);
  assert.equal(lines[1], '  4 finding(s): 1 P0, 1 P1, 1 P2, 1 P3');
  const labels = lines.filter((l) => /^ {2}\[(P\d|info)\]/.test(l)).map((l) => l.trim().slice(0, 15));
  assert.deepEqual(labels, ['[P0]   PERF-001', '[P1]   PERF-002', '[P2]   PERF-003', '[P3]   PERF-004', '[info] PERF-005']);
  const i = lines.findIndex((l) => l.includes('PERF-001'));
  assert.equal(lines[i + 1]!.trim(), 'p95 latency = 813 ms (baseline); error rate = 3.20 % (stress)');
  assert.equal(lines[i + 2]!.trim(), '→ Fix PERF-001 by caching the product list.');
  assert.match(out, /^ {4}✗ baseline {3}failed {4}p95 900 ms > 200 ms$/m);
  assert.match(out, /^ {4}! stress {5}degraded {2}broke at 250 req\/s$/m);
  assert.match(
    out,
    new RegExp(
      String.raw`^ {2}CAPACITY {2}150 req\/s at the SLO · USL σ=0\.031 κ=0\.00042 \(fit good, r²=0\.99\) · knee 140 req\/s · load` +
        String.raw` exceeds it on 2027-05-25 at 20 %\/quarter · 4 instance\(s\) for 600 req\/s$`,
      'm',
    ),
  );
  assert.match(out, /REPORTS\n {4}PERFORMANCE\/ANALYSIS\/x\.md\n {4}PERFORMANCE\/LOAD_TESTS\/TEST-x\.xml\n/);
  assert.doesNotMatch(out, /\x1b/);
  assert.equal(reExported, renderTerminalFindings);
});

test('terminal: healthy and empty records', () => {
  const healthy = renderTerminalFindings(healthyRecord(), { colour: false });
  assert.match(healthy, /ASSESSMENT: OPTIMAL/);
  assert.match(healthy, /no bottleneck found at the tested load/);
  assert.doesNotMatch(healthy, /REPORTS/);
  const empty = renderTerminalFindings(emptyRecord(), { colour: false });
  assert.match(empty, /^ {2}✗ ASSESSMENT FAILED: connection refused — partial results$/m);
  assert.doesNotMatch(empty, /CAPACITY/);
});

test('terminal: colours only when asked; hostile control characters never reach the terminal', () => {
  assert.match(renderTerminalFindings(troubledRecord(), { colour: true }), /\x1b\[31m/);
  const out = renderTerminalFindings(hostileRecord(), { colour: false }, ['a\x1b[2Jb']);
  assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  // Every line of the hostile finding stays one line: the newline in the title did not split it.
  assert.match(out, /\[P0\] {3}PERF-001 evil\|pipe [^\n]*# heading \| --- \|\[31mRED\[0m \$x\$ ~~s~~$/m);
});
