// The observer effect (issue 12: "profiled throughput was 35–43 % below unprofiled"): every
// `speedguard profile` run with the agent measures what the profilers cost — the same load without
// them, half before and half after the window — and reports it beside the figures in the record,
// the terminal, the Markdown and the HTML report. Ratios and kinds only: the machine is shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import { renderTerminalFindings } from '../../src/report/terminal-findings.ts';
import { renderAnalysisMarkdown } from '../../src/report/markdown-analysis.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { profileFixtureService } from '../helpers/profile.ts';

test('profile measures the profilers’ cost against an unprofiled reference at the same load and reports it', async () => {
  const r = await profileFixtureService('cpu-bound.mjs', { vus: 6, duration: 12000 });
  const p = targetProbesOf(r)!;
  const o = p.observer;
  assert.ok(o, 'the record holds the observer effect');
  assert.equal(o.model, 'closed');
  assert.equal(o.samplingIntervalUs, 1000);
  // Both halves of the reference ran (3 s each around a 12 s window) and served requests.
  assert.ok(o.reference.durationMs >= 5500 && o.reference.requests > 20, JSON.stringify(o.reference));
  assert.ok(o.profiled.requests > o.reference.requests, JSON.stringify(o.profiled));
  assert.ok(o.reference.rps > 0 && o.profiled.rps > 0);
  // Sane: a share of the throughput, not a measurement error (the profilers cannot take it all or double it).
  assert.ok(Number.isFinite(o.throughputCost) && o.throughputCost > -1 && o.throughputCost < 0.9, `cost ${o.throughputCost}`);
  assert.ok(o.latencyCost !== null && Number.isFinite(o.latencyCost), `latency cost ${o.latencyCost}`);
  assert.ok(
    typeof o.profilerThreadCpuPercent === 'number' && o.profilerThreadCpuPercent >= 0 && o.profilerThreadCpuPercent < 100,
    `profiler thread ${o.profilerThreadCpuPercent}`,
  );
  const said = /Profiling cost|profiled window ran .* faster|no measurable throughput/;
  const terminal = renderTerminalFindings(r, { colour: false });
  assert.match(terminal, /observer effect: /);
  assert.match(terminal, said);
  assert.match(terminal, new RegExp(`${o.profiled.rps} vs ${o.reference.rps} req/s without the profilers`));
  const markdown = renderAnalysisMarkdown(r);
  assert.match(markdown, /\*\*Observer effect\.\*\* /);
  assert.match(markdown, /sampled every 1000 µs/);
  const html = renderHtmlReport(r);
  assert.match(html, /<dt>Observer effect<\/dt><dd data-observer-cost="[-\d.]+">/);
  console.log(
    `observer effect: ${terminal
      .split('\n')
      .find((l) => l.includes('observer effect'))!
      .trim()}`,
  );
});
