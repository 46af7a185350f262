import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendGithubSummary,
  renderComparisonGithubSummary,
  renderGithubSummary,
  renderRunGithubSummary,
} from '../../src/report/github-summary.ts';
import { comparisonExitCode, runExitCode } from '../../src/assess/gate.ts';
import { EXIT } from '../../src/errors.ts';
import type { RunRecord } from '../../src/record/run-record.ts';
import { fakeRun, steady } from '../helpers/fake-records.ts';
import { comparison, healthyRecord, hostileRecord, troubledRecord } from './fixtures.ts';

test('GitHub summary: verdict, key figures, findings table', () => {
  const md = renderGithubSummary(troubledRecord(), ['PERFORMANCE/ANALYSIS/x.md']);
  assert.match(md, /^### ❌ speedguard assess: CRITICAL \(score 1\.\d\/10\)$/m);
  assert.match(md, /^\| p95 \(baseline\) \| 900\.\dms \|$/m);
  assert.match(md, /^\| Capacity at the SLO \| 150 req\/s \|$/m);
  assert.match(
    md,
    new RegExp(
      String.raw`^\| PERF-001 \| P0 \| p95 far above the SLO \| GET \/api\/products \| p95 latency = 813 ms \(baseline\); error rate` +
        String.raw` = 3\.20 % \(stress\) \|$`,
      'm',
    ),
  );
  assert.match(md, /^Phases: baseline failed · stress degraded · sustained skipped$/m);
  assert.match(md, /^Reports: PERFORMANCE\/ANALYSIS\/x\.md$/m);
  assert.match(renderGithubSummary(healthyRecord()), /### ✅ speedguard assess: OPTIMAL/);
});

test('GitHub summary: hostile strings are inert', () => {
  const md = renderGithubSummary(hostileRecord());
  assert.doesNotMatch(md, /<[A-Za-z/]/);
  assert.doesNotMatch(md, /(?<!\\)\[link/);
  assert.doesNotMatch(md, /[\x00-\x08\x0b-\x1f]/);
  for (const row of md.split('\n').filter((l) => l.startsWith('| PERF'))) assert.equal(row.split(/(?<!\\)\|/).length, 7, row);
});

test('GitHub summary: appended when $GITHUB_STEP_SUMMARY is set, nothing otherwise', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-gh-'));
  try {
    const file = join(dir, 'summary.md');
    writeFileSync(file, 'previous step\n');
    assert.equal(appendGithubSummary(troubledRecord(), [], { GITHUB_STEP_SUMMARY: file }), file);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.startsWith('previous step\n### ❌ speedguard assess'));
    assert.equal(appendGithubSummary(troubledRecord(), [], {}), null);
    assert.equal(appendGithubSummary(troubledRecord(), [], { GITHUB_STEP_SUMMARY: '' }), null);
    assert.equal(readFileSync(file, 'utf8'), text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("GitHub summary of a run: ✅ exactly when the run's gate passes (exit 0), for every status and threshold outcome", () => {
  const base = fakeRun({ seconds: steady(3, 10, 5) });
  const threshold = { selector: 'http_req_duration', expression: 'p(95)<100', actual: 5, abortOnFail: false };
  for (const status of ['completed', 'interrupted', 'aborted_by_threshold', 'failed'] as const)
    for (const ok of [true, false]) {
      const run = { ...base, status, thresholds: [{ ...threshold, ok }] } as RunRecord;
      const icon = /^### (✅|❌) speedguard run/m.exec(renderRunGithubSummary(run))![1];
      assert.equal(icon === '✅', runExitCode(run) === EXIT.OK, `${status}, threshold ${ok ? 'passed' : 'failed'}`);
      assert.equal(icon === '✅', status === 'completed' && ok, `${status}, threshold ${ok ? 'passed' : 'failed'}`);
    }
});

test('GitHub summary of a comparison: ❌ exactly when the gate fails at --fail-on, and it says which', () => {
  const c = comparison(); // one critical regression
  assert.match(
    renderComparisonGithubSummary(c, 'high'),
    /^### ❌ speedguard compare: REGRESSED \(worst: critical, fails --fail-on high\)$/m,
  );
  const low = { ...c, worstSeverity: 'low' as const, metrics: c.metrics.map((m) => (m.severity ? { ...m, severity: 'low' as const } : m)) };
  assert.equal(comparisonExitCode(low, 'medium'), EXIT.OK);
  assert.match(
    renderComparisonGithubSummary(low, 'medium'),
    /^### ✅ speedguard compare: REGRESSED \(worst: low, below --fail-on medium\)$/m,
  );
});
