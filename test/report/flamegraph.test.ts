// The CPU profile in the reports: the icicle SVG (widths proportional to time, hostile function
// names escaped, a <title> per frame, no inline style), the top tables, its place in the HTML page
// (only when the record has a profile) and the "Profile" subsection of the Markdown analysis.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flameBoxes, flamegraphSection, flameSvg } from '../../src/report/html/sections/flamegraph.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderAnalysisMarkdown } from '../../src/report/markdown-analysis.ts';
import type { CpuHotspot, CpuProfileAnalysis, FlameNode } from '../../src/record/target-probes.ts';
import { analyseCpuProfile } from '../../src/analysis/cpu-profile.ts';
import { fakeAssessment, fakePhase, fakeRun, steady } from '../helpers/fake-records.ts';
import { fakeTargetProbes } from '../helpers/fake-probes.ts';

const HOSTILE = '<script>alert(1)</script>';
const HOSTILE_FILE = 'src/"><img src=x onerror=alert(1)>.js';

function flame(): FlameNode {
  return {
    name: '(root)',
    file: '',
    line: 0,
    value: 100,
    children: [
      {
        name: 'main',
        file: 'src/app.js',
        line: 3,
        value: 100,
        category: 'user',
        children: [
          { name: HOSTILE, file: HOSTILE_FILE, line: 7, value: 75, category: 'user', children: [] },
          { name: 'readFileSync', file: 'node:fs', line: 440, value: 20, category: 'sync-fs', children: [] },
          { name: '(other)', file: '', line: 0, value: 5, children: [] },
        ],
      },
    ],
  };
}

function hotspot(o: Partial<CpuHotspot>): CpuHotspot {
  return {
    function: 'f',
    file: 'src/app.js',
    line: 1,
    column: 1,
    selfMs: 1,
    selfShare: 0.01,
    totalMs: 1,
    totalShare: 0.01,
    category: 'user',
    ...o,
  };
}

function analysis(): CpuProfileAnalysis {
  return {
    path: 'profile/CPU.cpuprofile',
    durationMs: 10_000,
    samples: 9000,
    idleShare: 0.1,
    gcShare: 0.05,
    programShare: 0.01,
    topSelf: [
      hotspot({ function: HOSTILE, file: HOSTILE_FILE, line: 7, selfMs: 7500, selfShare: 0.75, totalMs: 7500, totalShare: 0.75 }),
      hotspot({
        function: 'read',
        file: '',
        line: 0,
        selfMs: 2000,
        selfShare: 0.2,
        totalMs: 2000,
        totalShare: 0.2,
        category: 'sync-fs',
        caller: { function: 'loadConfig', file: 'src/config.js', line: 12 },
      }),
    ],
    topTotal: [hotspot({ function: 'main', file: 'src/app.js', line: 3, selfMs: 0, selfShare: 0, totalMs: 10_000, totalShare: 1 })],
    flame: flame(),
  };
}

function withProfile(cpu: CpuProfileAnalysis | null) {
  const rec = fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(5, 100, 20) }))]);
  const probes = fakeTargetProbes({ cpuProfile: cpu });
  rec.probes = { ...rec.probes, target: probes };
  return rec;
}

test('icicle boxes: widths proportional to inclusive time, children inside their parent, one row per depth', () => {
  const { boxes, depth } = flameBoxes(flame());
  assert.equal(depth, 3);
  const w = (name: string) => boxes.find((b) => b.node.name === name)!;
  assert.equal(w('(root)').w, 1200);
  assert.equal(w('main').w, 1200);
  assert.equal(w(HOSTILE).w, 900);
  assert.equal(w('readFileSync').x, 900);
  assert.equal(w('readFileSync').w, 240);
  assert.equal(w('(other)').w, 60);
  // A damaged record whose children claim more than their parent stays inside it.
  const bad: FlameNode = {
    name: 'r',
    file: '',
    line: 0,
    value: 10,
    children: [{ name: 'a', file: '', line: 0, value: 8, children: [{ name: 'b', file: '', line: 0, value: 50, children: [] }] }],
  };
  const bb = flameBoxes(bad).boxes;
  assert.ok(bb.find((b) => b.node.name === 'b')!.w <= bb.find((b) => b.node.name === 'a')!.w);
  assert.deepEqual(flameBoxes({ name: 'r', file: '', line: 0, value: 0, children: [] }).boxes, []);
});

test('flame SVG escapes hostile names and files, gives every frame a title and a category class, no inline style', () => {
  const svg = flameSvg(flame()).value;
  assert.ok(!svg.includes('<script'), 'no raw script tag');
  assert.ok(!svg.includes('<img'), 'no raw img tag');
  assert.ok(svg.includes('&lt;script&gt;'));
  assert.ok(!/\sstyle=/.test(svg));
  // Real tags (escaped text has no `<`): none carries an event handler.
  for (const tag of svg.match(/<[a-zA-Z][^>]*>/g) ?? []) assert.ok(!/\son[a-z]+=/.test(tag), tag);
  assert.equal((svg.match(/<rect /g) ?? []).length, 5);
  assert.equal((svg.match(/<title>/g) ?? []).length, 5);
  assert.match(
    svg,
    new RegExp(
      String.raw`<g class="fl-sync-fs"><rect x="900" y="36" width="240" height="17"><title>readFileSync \(node:fs:440\) — 20\.0ms,` +
        String.raw` 20\.0 % of busy time<\/title>`,
    ),
  );
  assert.match(svg, /class="fl-none"/, 'root and (other) have no category');
});

test('the section lists top self and total functions with file:line and the application caller', () => {
  const s = String(flamegraphSection(analysis()));
  assert.match(s, /<section id="profile">/);
  assert.ok(s.includes('<code>src/config.js:12</code>') || s.includes('src/config.js:12'));
  assert.match(s, /<code>loadConfig<\/code>/);
  assert.match(s, /<code>src\/app\.js:3<\/code>/);
  assert.match(s, /<code>\(native\)<\/code>/);
  assert.ok(!s.includes('<script') && !s.includes('<img'));
  assert.equal(flamegraphSection(null), '');
  // No flame (no busy samples): the tables still render, the chart says why it is missing.
  assert.match(String(flamegraphSection({ ...analysis(), flame: null })), /No busy samples/);
});

test('the observer effect is a plain decimal in its data attribute, even when tiny (a CI run rendered 1.2e-3)', () => {
  const step = { durationMs: 6000, requests: 600, rps: 100, p50Ms: 10, p95Ms: 20 };
  const observer = { reference: step, profiled: step, latencyCost: 0, samplingIntervalUs: 1000, model: 'closed' as const };
  for (const [cost, shown] of [
    [0.0012, '0.0012'],
    [-0.00004, '0'],
    [0.3456, '0.3456'],
  ] as const) {
    const s = String(flamegraphSection(analysis(), { ...observer, throughputCost: cost }));
    assert.match(s, new RegExp(`<dt>Observer effect</dt><dd data-observer-cost="${shown}">`));
  }
});

test('the HTML report shows the section (and its nav entry) only when the record has a CPU profile', () => {
  const page = renderHtmlReport(withProfile(analysis()));
  assert.match(page, /<section id="profile">/);
  assert.match(page, /href="#profile"/);
  assert.match(page, /<svg class="flame"/);
  assert.ok(!page.includes(HOSTILE), 'hostile name escaped in the whole page');
  const none = renderHtmlReport(withProfile(null));
  assert.ok(!none.includes('id="profile"'));
  assert.ok(!renderHtmlReport(fakeAssessment([fakePhase('baseline', fakeRun({ seconds: steady(5, 100, 20) }))])).includes('id="profile"'));
});

test('a real analysis renders end to end', () => {
  const U = 'file:///app/a.js';
  const p = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 3] },
      { id: 2, callFrame: { functionName: HOSTILE, scriptId: '1', url: U, lineNumber: 4, columnNumber: 0 }, children: [] },
      { id: 3, callFrame: { functionName: '(idle)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [] },
    ],
    startTime: 0,
    endTime: 4000,
    samples: [2, 2, 3, 2],
    timeDeltas: [0, 1000, 1000, 1000],
  };
  const page = renderHtmlReport(withProfile(analyseCpuProfile(p, { path: 'p.cpuprofile' })));
  assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.ok(!page.includes(HOSTILE));
});

test('Markdown analysis: a "Profile" subsection with top self and total functions, escaped', () => {
  const doc = renderAnalysisMarkdown(withProfile(analysis()));
  assert.match(doc, /^### Profile$/m);
  assert.ok(
    doc.indexOf('### Profile') > doc.indexOf('## Bottlenecks Found') &&
      doc.indexOf('### Profile') < doc.indexOf('## Optimizations Recommended'),
  );
  assert.match(doc, /\*\*Top functions by self time\*\*/);
  assert.match(doc, /\*\*Top functions by total time\*\*/);
  assert.match(doc, /\| read \| \(native\) \| 2\.00s \| 20\.00% \|/);
  assert.match(doc, /loadConfig src\/config\.js:12/);
  assert.match(doc, /\| main \| src\/app\.js:3 \|/);
  assert.ok(!doc.includes('<script>') && !doc.includes('<img'), 'hostile text escaped');
  assert.ok(doc.includes('&lt;script&gt;'));
  // Every table row keeps its 8 columns (nothing broke out of a cell).
  for (const row of doc.split('\n').filter((l) => l.startsWith('| ') && doc.includes('### Profile'))) {
    if (row.includes('Function') || /^\| (read|main|&lt;)/.test(row)) assert.equal(row.split(/(?<!\\)\|/).length - 2, 8, row);
  }
  assert.ok(!renderAnalysisMarkdown(withProfile(null)).includes('### Profile'));
});
