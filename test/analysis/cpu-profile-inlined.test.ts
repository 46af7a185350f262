// Inlined callees in a CPU profile: V8 books their time on the caller's frame, and a callee inlined for
// the whole window has no frame at all. Its lines' ticks must still name it — found from the script's
// syntax tree (function-ranges.ts), declared above or below its caller, nested or not; an unparseable
// script falls back to the nearest profiled function declared above.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseCpuProfile } from '../../src/analysis/cpu-profile.ts';
import { functionRanges, ownerOfLine } from '../../src/analysis/cpu-profile/function-ranges.ts';

/** The test/fixtures/profile/cpu-bound.mjs shape: computeScore (line 6) inlined into handle, inlined into the callback (line 19). */
const SERVER = [
  "import http from 'node:http';", // 1
  '', // 2
  '', // 3
  '', // 4
  '/** Burns CPU. */', // 5
  'export function computeScore(seed) {', // 6
  '  const until = performance.now() + 5;', // 7
  '  let x = seed;', // 8
  '  while (performance.now() < until) {', // 9
  '    for (let i = 0; i < 1000; i++) x = (x * 1103515245 + 12345) % 2147483648;', // 10
  '  }', // 11
  '  return x;', // 12
  '}', // 13
  '', // 14
  'function handle() {', // 15
  '  return { score: computeScore(Date.now() % 1000) };', // 16
  '}', // 17
  '', // 18
  'const server = http.createServer((req, res) => {', // 19
  '  Promise.resolve(handle(req)).then((body) => {', // 20
  '    res.end(JSON.stringify(body));', // 21
  '  });', // 22
  '});', // 23
  'server.listen(0);', // 24
  'function later(n) {', // 25: declared below its caller
  '  let s = 0;', // 26
  '  for (let i = 0; i < n; i++) s += i;', // 27
  '  return s;', // 28
  '}', // 29
].join('\n');

interface N {
  id: number;
  name: string;
  url?: string;
  line?: number;
  col?: number;
  hits: number;
  ticks?: Array<[number, number]>;
  kids?: number[];
}

/** A profile of the given nodes (id 1 is the root), each sampled `hits` times, 1 ms per sample. */
function profileOf(list: N[]) {
  const samples = list.flatMap((n) => Array.from({ length: n.hits }, () => n.id));
  return {
    nodes: list.map((n) => ({
      id: n.id,
      callFrame: {
        functionName: n.name,
        scriptId: '7',
        url: n.url ?? '',
        lineNumber: n.line === undefined ? -1 : n.line - 1,
        columnNumber: n.col ?? (n.url ? 0 : -1),
      },
      hitCount: n.hits,
      children: n.kids ?? [],
      ...(n.ticks ? { positionTicks: n.ticks.map(([line, ticks]) => ({ line, ticks })) } : {}),
    })),
    startTime: 0,
    endTime: samples.length * 1000,
    samples,
    timeDeltas: samples.map((_, i) => (i === 0 ? 0 : 1000)),
  };
}

function serverFile(t: { after(fn: () => void): void }, text = SERVER): { dir: string; url: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sg-inlined-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'server.mjs'), text);
  return { dir, url: pathToFileURL(join(dir, 'server.mjs')).href };
}

test('a callee inlined for the whole window, with no frame of its own, is named from its lines: computeScore, not the callback', (t) => {
  const { dir, url } = serverFile(t);
  // The callback's frame holds 90 samples whose ticks sit on computeScore's lines 9–10, 2 on its own
  // line 21, and a performance.now native below it; nowhere is there a computeScore or handle frame.
  const p = profileOf([
    { id: 1, name: '(root)', hits: 0, kids: [2, 5] },
    { id: 2, name: 'emit', url: 'node:events', line: 489, hits: 0, kids: [3] },
    {
      id: 3,
      name: '',
      url,
      line: 19,
      col: 34,
      hits: 92,
      ticks: [
        [9, 30],
        [10, 60],
        [21, 2],
      ],
      kids: [4],
    },
    { id: 4, name: 'now', hits: 4 },
    { id: 5, name: '(idle)', hits: 10 },
  ]);
  const a = analyseCpuProfile(p, { path: 'p', projectRoot: dir });
  const top = a.topSelf[0]!;
  assert.equal(top.function, 'computeScore');
  assert.equal(top.file, 'server.mjs');
  assert.equal(top.line, 6);
  assert.equal(top.hotLine, 10);
  assert.ok(Math.abs(top.selfShare - 90 / 96) < 1e-4, String(top.selfShare));
  const callback = a.topSelf.find((h) => h.function === '(anonymous)');
  assert.ok(callback && Math.abs(callback.selfShare - 2 / 96) < 1e-4, JSON.stringify(callback));
  assert.equal(a.dominant?.function, 'computeScore', JSON.stringify(a.dominant));
  // The flame graph draws the same split: computeScore below the callback, with the callback's 90 ms.
  const callbackFlame = a.flame!.children[0]!.children[0]!;
  assert.equal(callbackFlame.name, '(anonymous)');
  assert.equal(callbackFlame.value, 96);
  const inlined = callbackFlame.children.find((c) => c.name === 'computeScore');
  assert.ok(inlined, JSON.stringify(callbackFlame.children.map((c) => c.name)));
  assert.equal(inlined.value, 90);
  assert.equal(inlined.line, 6);
  assert.equal(inlined.category, 'user');
});

test('a callee declared below its caller, and a named function nested in the frame, get their own lines', (t) => {
  const { dir, url } = serverFile(t);
  const p = profileOf([
    { id: 1, name: '(root)', hits: 0, kids: [2] },
    {
      id: 2,
      name: '',
      url,
      line: 19,
      col: 34,
      hits: 50,
      ticks: [
        [27, 40],
        [19, 10],
      ],
    },
  ]);
  const a = analyseCpuProfile(p, { path: 'p', projectRoot: dir });
  assert.equal(a.topSelf[0]!.function, 'later');
  assert.equal(a.topSelf[0]!.line, 25);
  assert.ok(Math.abs(a.topSelf[0]!.selfShare - 0.8) < 1e-4);

  // Nested: lines strictly inside `inner` are its code; its first and last lines may be outer's too.
  const ranges = functionRanges(
    ['function outer(items) {', '  function inner(x) {', '    return x * 2;', '  }', '  return items.map(inner);', '}'].join('\n'),
    'a.mjs',
  )!;
  const outer = ranges.find((r) => r.name === 'outer')!;
  assert.equal(ownerOfLine(ranges, outer, 3)?.name, 'inner');
  assert.equal(ownerOfLine(ranges, outer, 2), null);
  assert.equal(ownerOfLine(ranges, outer, 5), null);

  // A class field's initialiser runs in the constructor, outside its lines: not an inlined callee of
  // the factory that encloses the class.
  const classy = functionRanges(
    [
      'function factory() {',
      '  class Store {',
      '    rows = new Array(64).fill(0);',
      '    constructor() {',
      '      this.n = 1;',
      '    }',
      '  }',
      '  return new Store();',
      '}',
    ].join('\n'),
    'b.mjs',
  )!;
  const ctor = classy.find((r) => r.name === 'constructor')!;
  assert.equal(ownerOfLine(classy, ctor, 3), null);
});

test('V8 names: variables, properties, methods, assignments and class fields; TypeScript is parsed after stripping', () => {
  const src = [
    'const arrow = () => 1;',
    'const o = { prop: function () {}, method() {} };',
    'exports.viaExports = function () {};',
    'class K { m() {} static s() {} field = () => 2; #p() {} }',
    'setTimeout(() => {}, 1);',
  ].join('\n');
  const names = functionRanges(src, 'a.cjs')!.map((r) => `${r.name}@${r.startLine}`);
  assert.deepEqual(names.sort(), ['#p@4', '@5', 'arrow@1', 'exports.viaExports@3', 'field@4', 'm@4', 'method@2', 'prop@2', 's@4']);
  const ts = functionRanges('export function typed(a: number, b: string): number {\n  return a;\n}\n', 'x.ts');
  assert.deepEqual(
    ts?.map((r) => [r.name, r.startLine, r.endLine]),
    [['typed', 1, 3]],
  );
  assert.equal(functionRanges('function (', 'broken.js'), null);
});

test('an unparseable script keeps the older rule: ticks above the frame go to the profiled function declared nearest above', (t) => {
  const { dir, url } = serverFile(t, `${SERVER}\n@@ not javascript @@\n`);
  const p = profileOf([
    { id: 1, name: '(root)', hits: 0, kids: [2, 3] },
    { id: 2, name: 'computeScore', url, line: 6, col: 7, hits: 1 },
    {
      id: 3,
      name: '',
      url,
      line: 19,
      col: 34,
      hits: 40,
      ticks: [
        [10, 30],
        [27, 10],
      ],
    },
  ]);
  const a = analyseCpuProfile(p, { path: 'p', projectRoot: dir });
  assert.equal(a.topSelf[0]!.function, 'computeScore');
  assert.ok(Math.abs(a.topSelf[0]!.selfShare - 31 / 41) < 1e-4, String(a.topSelf[0]!.selfShare));
  // Line 27 is below the callback: without a syntax tree it stays the callback's.
  assert.ok(Math.abs(byName(a.topSelf, '(anonymous)') - 10 / 41) < 1e-4);
});

function byName(rows: ReadonlyArray<{ function: string; selfShare: number }>, name: string): number {
  const r = rows.find((x) => x.function === name);
  assert.ok(r, name);
  return r.selfShare;
}
