// Every report lists findings as the audits ranked them (issue 12: "ranking follows what limits the
// service"): most severe first, then by their ids, which runAudits gives in ranked order (capacity,
// then objective, then hygiene, then confidence). Re-ranking by confidence in a renderer had put a
// confident hygiene finding above the pool that sets the capacity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asRanked } from '../../src/record/findings.ts';
import { renderTerminalFindings } from '../../src/report/terminal-findings.ts';
import { renderAnalysisMarkdown } from '../../src/report/markdown-analysis.ts';
import { renderGithubSummary } from '../../src/report/github-summary.ts';
import { renderJUnit } from '../../src/report/junit.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { finding, troubledRecord } from './fixtures.ts';

function ranked() {
  const r = troubledRecord();
  r.findings = [
    finding('PERF-001', 'medium', { title: 'Pool to the payments API saturated', confidence: 0.5 }),
    finding('PERF-002', 'medium', { title: 'Uncompressed JSON responses', confidence: 0.95 }),
    finding('PERF-003', 'low', { title: 'No cache headers', confidence: 0.99 }),
    // Appended after the ranking (ids are not always in severity order): severity still comes first.
    finding('PERF-004', 'critical', { title: 'Errors at the expected load', confidence: 0.6 }),
  ];
  return r;
}

const ORDER = ['Errors at the expected load', 'Pool to the payments API saturated', 'Uncompressed JSON responses', 'No cache headers'];

function positions(text: string): number[] {
  return ORDER.map((t) => {
    const i = text.indexOf(t);
    assert.ok(i >= 0, `"${t}" is in the report`);
    return i;
  });
}

test('asRanked: severity first, then the ranked ids, never confidence', () => {
  assert.deepEqual(
    asRanked(ranked().findings).map((f) => f.title),
    ORDER,
  );
});

test('terminal, Markdown, GitHub summary, JUnit and HTML list the findings in ranked order', () => {
  const r = ranked();
  for (const [name, text] of [
    ['terminal', renderTerminalFindings(r, { colour: false })],
    ['markdown', renderAnalysisMarkdown(r)],
    ['github', renderGithubSummary(r)],
    ['junit', renderJUnit(r, { minSeverity: 'low' })],
    ['html', renderHtmlReport(r)],
  ] as const) {
    const at = positions(text);
    assert.deepEqual(
      [...at].sort((a, b) => a - b),
      at,
      `${name}: ${ORDER.join(' < ')}`,
    );
  }
});
