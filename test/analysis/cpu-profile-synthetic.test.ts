// analyseCpuProfile on hand-built profiles: the time model (a sample lasts until the next one),
// self and total time with recursion, idle/GC/program shares, categories and the application
// frame behind native work, pruning of the flame tree, empty and malformed input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseCpuProfile, CpuProfileError } from '../../src/analysis/cpu-profile.ts';
import type { FlameNode } from '../../src/record/target-probes.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Frame {
  name: string;
  url?: string;
  line?: number;
  col?: number;
  kids?: Frame[];
  /** How many 1 ms samples land on this node (self). */
  hits?: number;
}

/**
 * A profile from a frame tree: node ids in depth-first order, `hits` samples of 1 ms each per
 * node, taken in that order; the first delta is relative to startTime, the last sample lasts until
 * endTime (1 ms later), so every sample is worth exactly 1 ms.
 */
function build(root: Frame, opts: { interleave?: boolean } = {}) {
  const nodes: Array<Record<string, unknown>> = [];
  const sampleIds: number[] = [];
  let next = 1;
  const visit = (f: Frame): number => {
    const id = next++;
    const node: Record<string, unknown> = {
      id,
      callFrame: {
        functionName: f.name,
        scriptId: '1',
        url: f.url ?? '',
        lineNumber: f.line ?? (f.url ? 0 : -1),
        columnNumber: f.col ?? (f.url ? 0 : -1),
      },
      hitCount: f.hits ?? 0,
      children: [] as number[],
    };
    nodes.push(node);
    for (let i = 0; i < (f.hits ?? 0); i++) sampleIds.push(id);
    node.children = (f.kids ?? []).map(visit);
    return id;
  };
  visit(root);
  if (opts.interleave) sampleIds.reverse();
  const startTime = 1_000_000;
  const timeDeltas = sampleIds.map((_, i) => (i === 0 ? 500 : 1000));
  const lastTs = startTime + 500 + 1000 * (sampleIds.length - 1);
  return { nodes, startTime, endTime: sampleIds.length ? lastTs + 1000 : startTime, samples: sampleIds, timeDeltas };
}

const U = 'file:///app/src/server.js';

/** Shares are rounded to 5 decimals in the record. */
function near(actual: number, expected: number) {
  assert.ok(Math.abs(actual - expected) < 1e-5, `${actual} ≈ ${expected}`);
}

function byName<T extends { function: string }>(rows: readonly T[], name: string): T {
  const r = rows.find((x) => x.function === name);
  assert.ok(r, `${name} in ${rows.map((x) => x.function).join(', ')}`);
  return r;
}

test('self and total time: total counts a recursive function once per sample; shares are of busy time', () => {
  // fib → fib → fib (recursion), plus other → fib; 2 ms idle.
  const p = build({
    name: '(root)',
    kids: [
      { name: '(idle)', hits: 2 },
      {
        name: 'main',
        url: U,
        line: 9,
        col: 4,
        hits: 1,
        kids: [
          {
            name: 'fib',
            url: U,
            line: 19,
            col: 2,
            hits: 2,
            kids: [{ name: 'fib', url: U, line: 19, col: 2, hits: 3, kids: [{ name: 'fib', url: U, line: 19, col: 2, hits: 4 }] }],
          },
          { name: 'other', url: U, line: 29, col: 0, hits: 1, kids: [{ name: 'fib', url: U, line: 19, col: 2, hits: 1 }] },
        ],
      },
    ],
  });
  const a = analyseCpuProfile(p, { path: 'x.cpuprofile', projectRoot: '/app' });
  assert.equal(a.samples, 14);
  const fib = byName(a.topSelf, 'fib');
  assert.equal(fib.selfMs, 10);
  assert.equal(fib.totalMs, 10, 'recursion counted once');
  near(fib.selfShare, 10 / 12);
  assert.equal(fib.file, 'src/server.js');
  assert.equal(fib.line, 20, '1-based');
  assert.equal(fib.column, 3);
  assert.equal(fib.category, 'user');
  assert.equal(fib.caller, undefined, 'user code has no caller');
  const main = byName(a.topTotal, 'main');
  assert.equal(main.selfMs, 1);
  assert.equal(main.totalMs, 12);
  assert.equal(main.totalShare, 1);
  assert.equal(byName(a.topTotal, 'other').totalMs, 2);
  assert.equal(a.topSelf[0]!.function, 'fib');
  near(a.idleShare, 2 / 14);
  assert.ok(!a.topSelf.some((h) => h.function === '(idle)' || h.function === '(root)'));
  assert.equal(a.topTotal[0]!.function, 'main');
});

test('the duration of a sample is the time until the next one (DevTools), the last until endTime', () => {
  const p = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 3] },
      { id: 2, callFrame: { functionName: 'a', scriptId: '1', url: U, lineNumber: 0, columnNumber: 0 }, children: [] },
      { id: 3, callFrame: { functionName: 'b', scriptId: '1', url: U, lineNumber: 5, columnNumber: 0 }, children: [] },
    ],
    startTime: 0,
    // a at 100 µs, b at 10 100 µs (a ran 10 ms before b was seen), a at 10 600, end at 11 600.
    samples: [2, 3, 2],
    timeDeltas: [100, 10_000, 500],
    endTime: 11_600,
  };
  const a = analyseCpuProfile(p, { path: 'p' });
  assert.equal(byName(a.topSelf, 'a').selfMs, 11);
  assert.equal(byName(a.topSelf, 'b').selfMs, 0.5);
  assert.equal(a.durationMs, 11.6);
  // Out-of-order samples (a negative delta) are sorted first, as DevTools does.
  const shuffled = { ...p, samples: [2, 3, 2], timeDeltas: [100, 10_500, -500], endTime: 11_600 };
  const b = analyseCpuProfile(shuffled, { path: 'p' });
  // Sorted: a@100, a@10100, b@10600 → a 10 ms + 0.5 ms, b until the end (1 ms).
  assert.equal(byName(b.topSelf, 'a').selfMs, 10.5);
  assert.equal(byName(b.topSelf, 'b').selfMs, 1);
});

test('GC and (program) shares are of the whole window; GC is a hotspot, (program) is not', () => {
  const p = build({
    name: '(root)',
    kids: [
      { name: '(idle)', hits: 5 },
      { name: '(garbage collector)', hits: 3 },
      { name: '(program)', hits: 1 },
      { name: 'work', url: U, hits: 1 },
    ],
  });
  const a = analyseCpuProfile(p, { path: 'p' });
  assert.equal(a.idleShare, 0.5);
  assert.equal(a.gcShare, 0.3);
  assert.equal(a.programShare, 0.1);
  const gc = byName(a.topSelf, '(garbage collector)');
  assert.equal(gc.category, 'gc');
  assert.equal(gc.selfShare, 0.6, 'of the 5 busy ms');
  assert.ok(!a.topSelf.some((h) => h.function === '(program)'));
});

test('categories, and natives attributed to the application function above them', () => {
  const p = build({
    name: '(root)',
    kids: [
      {
        name: 'handler',
        url: 'file:///app/src/h.js',
        line: 3,
        kids: [
          {
            name: 'readFileSync',
            url: 'node:fs',
            line: 440,
            hits: 1,
            kids: [{ name: 'tryReadSync', url: 'node:fs', line: 420, kids: [{ name: 'read', hits: 7 }] }],
          },
          { name: 'pbkdf2Sync', url: 'node:internal/crypto/pbkdf2', line: 60, hits: 6 },
          { name: 'update', url: 'node:internal/crypto/hash', line: 140, hits: 2 },
          {
            name: 'syncBufferWrapper',
            url: 'node:zlib',
            line: 800,
            kids: [{ name: 'processChunkSync', url: 'node:zlib', line: 410, hits: 5 }],
          },
          { name: 'parse', hits: 4 },
          { name: 'RegExp: (a+)+b', hits: 3 },
          { name: 'emit', url: 'node:events', line: 10, hits: 1 },
          { name: 'someNative', hits: 1 },
          { name: 'compile', url: 'file:///app/node_modules/tpl/index.js', line: 7, hits: 2, kids: [{ name: 'stringify', hits: 2 }] },
        ],
      },
    ],
  });
  const a = analyseCpuProfile(p, { path: 'p', projectRoot: '/app', topN: 50 });
  const cat = (n: string) => byName(a.topTotal, n).category;
  assert.equal(cat('read'), 'sync-fs', 'a native under readFileSync is sync fs work');
  assert.equal(cat('readFileSync'), 'sync-fs');
  assert.equal(cat('pbkdf2Sync'), 'sync-crypto');
  assert.equal(cat('update'), 'sync-crypto');
  assert.equal(cat('processChunkSync'), 'sync-zlib');
  assert.equal(cat('parse'), 'json');
  assert.equal(cat('RegExp: (a+)+b'), 'regexp');
  assert.equal(cat('emit'), 'node-internal');
  assert.equal(cat('someNative'), 'native');
  assert.equal(cat('compile'), 'dependency');
  assert.equal(cat('handler'), 'user');
  for (const n of ['read', 'readFileSync', 'pbkdf2Sync', 'parse', 'RegExp: (a+)+b', 'processChunkSync']) {
    assert.deepEqual(byName(a.topTotal, n).caller, { function: 'handler', file: 'src/h.js', line: 4 }, n);
  }
  // JSON inside a dependency called by the application: the application function is named.
  assert.deepEqual(byName(a.topTotal, 'stringify').caller, { function: 'handler', file: 'src/h.js', line: 4 });
  assert.equal(byName(a.topTotal, 'read').file, '', 'natives have no file');
  assert.equal(byName(a.topTotal, 'read').line, 0);
  assert.equal(byName(a.topTotal, 'readFileSync').file, 'node:fs');
});

test('a native with only Node internals and a dependency above it names the dependency frame', () => {
  const p = build({
    name: '(root)',
    kids: [
      {
        name: 'onData',
        url: 'node:internal/streams',
        kids: [{ name: 'lib', url: 'file:///x/node_modules/a/i.js', kids: [{ name: 'parse', hits: 2 }] }],
      },
    ],
  });
  const a = analyseCpuProfile(p, { path: 'p', projectRoot: '/elsewhere' });
  assert.deepEqual(byName(a.topSelf, 'parse').caller, { function: 'lib', file: '/x/node_modules/a/i.js', line: 1 });
});

function flatten(n: FlameNode, depth = 0, out: Array<[FlameNode, number]> = []): Array<[FlameNode, number]> {
  out.push([n, depth]);
  for (const c of n.children) flatten(c, depth + 1, out);
  return out;
}

test('flame tree: merged by function per path, inclusive values, small children folded into (other), idle left out', () => {
  // 1000 ms in big, 2 ms in each of 3 tiny functions (0.2 % each < 0.5 %), 4 ms idle.
  const tiny = (i: number): Frame => ({ name: `tiny${i}`, url: U, line: 100 + i, hits: 2 });
  const p = build({
    name: '(root)',
    kids: [
      { name: '(idle)', hits: 4 },
      { name: 'main', url: U, kids: [{ name: 'big', url: U, line: 5, hits: 1000 }, tiny(1), tiny(2), tiny(3)] },
      // The same function under the root through a second profile node: merged with the first.
      { name: 'main', url: U, kids: [{ name: 'big', url: U, line: 5, hits: 10 }] },
    ],
  });
  const a = analyseCpuProfile(p, { path: 'p' });
  const f = a.flame!;
  assert.equal(f.name, '(root)');
  assert.equal(f.value, 1016, 'busy time only');
  assert.equal(f.children.length, 1);
  const main = f.children[0]!;
  assert.equal(main.name, 'main');
  assert.equal(main.value, 1016);
  assert.deepEqual(
    main.children.map((c) => [c.name, c.value]),
    [
      ['big', 1010],
      ['(other)', 6],
    ],
  );
  assert.equal(main.children[0]!.line, 6);
  assert.equal(main.children[0]!.category, 'user');
  // Children never exceed their parent.
  for (const [n] of flatten(f)) assert.ok(n.children.reduce((s, c) => s + c.value, 0) <= n.value + 1e-9);
});

test('flame tree: depth capped at 60, deeper time kept in the frame at the cap', () => {
  let leaf: Frame = { name: 'f70', url: U, line: 70, hits: 3 };
  for (let i = 69; i >= 1; i--) leaf = { name: `f${i}`, url: U, line: i, kids: [leaf] };
  const a = analyseCpuProfile(build({ name: '(root)', kids: [leaf] }), { path: 'p' });
  const all = flatten(a.flame!);
  const deepest = Math.max(...all.map(([, d]) => d));
  assert.equal(deepest, 60);
  const atCap = all.find(([, d]) => d === 60)![0];
  assert.equal(atCap.name, 'f60');
  assert.equal(atCap.value, 3);
  // The hotspot lists still see the real leaf.
  assert.equal(a.topSelf[0]!.function, 'f70');
});

test('empty profile: no samples, no flame, zero shares', () => {
  const a = analyseCpuProfile(build({ name: '(root)', kids: [{ name: 'main', url: U }] }), { path: 'p' });
  assert.equal(a.samples, 0);
  assert.equal(a.flame, null);
  assert.deepEqual(a.topSelf, []);
  assert.deepEqual(a.topTotal, []);
  assert.equal(a.idleShare, 0);
  // Only idle samples: nothing busy to draw.
  const idle = analyseCpuProfile(build({ name: '(root)', kids: [{ name: '(idle)', hits: 5 }] }), { path: 'p' });
  assert.equal(idle.flame, null);
  assert.equal(idle.idleShare, 1);
});

test('topN limits both lists', () => {
  const kids: Frame[] = Array.from({ length: 30 }, (_, i) => ({ name: `fn${i}`, url: U, line: i, hits: i + 1 }));
  const a = analyseCpuProfile(build({ name: '(root)', kids }), { path: 'p', topN: 5 });
  assert.deepEqual(
    a.topSelf.map((h) => h.function),
    ['fn29', 'fn28', 'fn27', 'fn26', 'fn25'],
  );
  assert.equal(a.topTotal.length, 5);
  assert.equal(analyseCpuProfile(build({ name: '(root)', kids }), { path: 'p' }).topSelf.length, 20, 'default 20');
});

test('malformed profiles are rejected with a message naming the file and the problem', () => {
  const bad: Array<[unknown, RegExp]> = [
    [null, /expected a JSON object/],
    [{ nodes: [] }, /"nodes" must be a non-empty array/],
    [{ nodes: [{ id: 1 }] }, /nodes\[0\]\.callFrame/],
    [{ nodes: [{ id: 1, callFrame: {}, children: [9] }], samples: [], timeDeltas: [], startTime: 0, endTime: 0 }, /child 9/],
    [{ nodes: [{ id: 1, callFrame: {} }], samples: [1, 1], timeDeltas: [1], startTime: 0, endTime: 0 }, /differ in length/],
    [{ nodes: [{ id: 1, callFrame: {} }], samples: [2], timeDeltas: [1], startTime: 0, endTime: 0 }, /samples\[0\] refers to node 2/],
    [{ nodes: [{ id: 1, callFrame: {} }], samples: [], timeDeltas: [] }, /startTime/],
  ];
  for (const [p, re] of bad) {
    assert.throws(
      () => analyseCpuProfile(p, { path: 'run/x.cpuprofile' }),
      (e: Error) => e instanceof CpuProfileError && /^run\/x\.cpuprofile: /.test(e.message) && re.test(e.message),
      String(re),
    );
  }
});

test(
  "JSON.parse shown as a stale native (utf8Slice) directly under the helper is the helper's JSON work; the real decode under " +
    'toString stays native',
  () => {
    // V8 reports the last API callback while a frameless JSON.parse runs: the parse of
    // `JSON.parse(fs.readFileSync(f))` appears as `utf8Slice` right under the helper.
    const dir = mkdtempSync(join(tmpdir(), 'sg-json-stale-'));
    const file = join(dir, 'server.mjs');
    writeFileSync(
      file,
      [
        "import fs from 'node:fs';",
        'const loadCatalog = (f) => JSON.parse(fs.readFileSync(f));',
        'export const handler = (req, res) => { res.end(String(loadCatalog(req.url).items.length)); };',
        'export const sizeOf = (b) => b.utf8Slice(0, 10);',
      ].join('\n'),
    );
    const url = pathToFileURL(file).href;
    const p = build({
      name: '(root)',
      kids: [
        {
          name: '',
          url,
          line: 2,
          hits: 1,
          kids: [
            {
              name: 'loadCatalog',
              url,
              line: 1,
              col: 20,
              hits: 2,
              kids: [
                { name: 'utf8Slice', hits: 80 },
                { name: 'toString', url: 'node:buffer', line: 900, kids: [{ name: 'utf8Slice', hits: 10 }] },
              ],
            },
            // A user function that calls the native by name keeps it as a native.
            { name: 'sizeOf', url, line: 3, kids: [{ name: 'utf8Slice', hits: 5 }] },
          ],
        },
      ],
    });
    const withTicks = p.nodes.map((n) => {
      const cf = n.callFrame as { functionName: string };
      return cf.functionName === 'loadCatalog'
        ? { ...n, positionTicks: [{ line: 2, ticks: 2 }] }
        : cf.functionName === 'sizeOf'
          ? { ...n, positionTicks: [{ line: 4, ticks: 1 }] }
          : n;
    });
    const a = analyseCpuProfile({ ...p, nodes: withTicks }, { path: 'p', projectRoot: dir, topN: 50 });
    const helper = byName(a.topSelf, 'loadCatalog');
    assert.equal(helper.category, 'json');
    near(helper.selfShare, 82 / 98);
    assert.equal(helper.hotLine, 2);
    const native = byName(a.topSelf, 'utf8Slice');
    near(native.selfShare, 15 / 98);
    assert.equal(native.category, 'native');
  },
);

test('dominant subtree: a library function whose natives together outweigh any leaf; a dispatcher of several handlers is none', () => {
  const LIB = 'file:///app/node_modules/tiny-store/index.js';
  // handler (2 ms JSON self) → persist (library) → open 3, write 3, rename 3 (natives under it).
  const p = build({
    name: '(root)',
    kids: [
      {
        name: 'handler',
        url: U,
        line: 4,
        hits: 2,
        kids: [
          {
            name: 'persist',
            url: LIB,
            line: 9,
            kids: [
              { name: 'open', hits: 3 },
              { name: 'writeBuffer', hits: 3 },
              { name: 'rename', hits: 3 },
            ],
          },
        ],
      },
    ],
  });
  const a = analyseCpuProfile(p, { path: 'p', projectRoot: '/app' });
  assert.equal(a.dominant?.function, 'persist');
  assert.equal(a.dominant?.category, 'dependency');
  near(a.dominant!.totalShare, 9 / 11);
  near(a.dominant!.ownShare, 9 / 11);
  assert.equal(a.dominant?.caller?.function, 'handler');
  // A router whose time is three handlers' (none half of it) dispatches: no dominant subtree.
  const handler = (name: string) => ({ name, url: U, line: 20, hits: 3 });
  const q = build({
    name: '(root)',
    kids: [
      {
        name: 'route',
        url: 'file:///app/node_modules/router/index.js',
        line: 1,
        hits: 1,
        kids: [handler('listOrders'), handler('getOrder'), handler('addOrder')],
      },
    ],
  });
  assert.equal(analyseCpuProfile(q, { path: 'q', projectRoot: '/app' }).dominant, null);
});

test('see-through: speedguard agent frames are removed, their time and callees go to their caller', () => {
  const HOOKS = 'file:///tmp/sg-agent-Ab12/sql-hooks.mjs';
  const p = build({
    name: '(root)',
    kids: [
      {
        name: 'handler',
        url: U,
        line: 3,
        hits: 1,
        kids: [{ name: 'query', url: HOOKS, line: 60, hits: 2, kids: [{ name: 'writev', hits: 4 }] }],
      },
    ],
  });
  const a = analyseCpuProfile(p, { path: 'p', projectRoot: '/app' });
  assert.ok(![...a.topSelf, ...a.topTotal].some((h) => h.file.includes('sg-agent')), 'no agent frame listed');
  near(byName(a.topSelf, 'handler').selfShare, 3 / 7);
  assert.equal(byName(a.topSelf, 'writev').caller?.function, 'handler');
});
