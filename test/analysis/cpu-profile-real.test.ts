// analyseCpuProfile on what V8 really writes: a child Node process run with --cpu-prof, and
// locations mapped back through hand-made source maps (a file next to the script, and inline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseCpuProfile } from '../../src/analysis/cpu-profile.ts';

const FIXTURE = `// CPU profile fixture: a hot loop, then a big JSON.parse.
function hotLoop(ms) {
  // Bounded by this process's CPU time, not the clock: on a busy machine it still does ~ms of work.
  const start = process.cpuUsage();
  let x = 0;
  while (process.cpuUsage(start).user < ms * 1000) {
    for (let i = 0; i < 1000000; i++) x = (x * 31 + i) % 1000003;
  }
  return x;
}
const big = '[' + Array.from({ length: 200000 }, (_, i) => '{"i":' + i + ',"s":"value ' + i + '"}').join(',') + ']';
function parseBig(times) {
  let n = 0;
  for (let k = 0; k < times; k++) n += JSON.parse(big).length;
  return n;
}
function main() {
  console.log(hotLoop(1000), parseBig(6));
}
main();
`;

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i + 1;
}

test('a real --cpu-prof profile: hotLoop on top with its file and line, JSON.parse work named by parseBig', {
  timeout: 20_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-cpuprof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'fixture.mjs'), FIXTURE);
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'prof')}`, 'fixture.mjs'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
  const files = readdirSync(join(dir, 'prof')).filter((f) => f.endsWith('.cpuprofile'));
  assert.equal(files.length, 1);
  const path = join(dir, 'prof', files[0]!);
  const a = analyseCpuProfile(JSON.parse(readFileSync(path, 'utf8')), { path, projectRoot: dir });

  assert.ok(a.samples > 500, `${a.samples} samples`);
  assert.ok(a.durationMs > 1000, `${a.durationMs} ms`);
  const top = a.topSelf[0]!;
  assert.equal(top.function, 'hotLoop');
  assert.equal(top.file, 'fixture.mjs');
  assert.equal(top.line, lineOf(FIXTURE, 'function hotLoop'));
  assert.equal(top.category, 'user');
  // Samples are wall-clock: time the process waited for a core is charged to what ran before it.
  assert.ok(top.selfMs > 700 && top.selfMs < 3000, `hotLoop self ${top.selfMs} ms`);
  // The largest share, not a fixed one: with another process on the core, GC and idle samples grow.
  assert.ok(top.selfShare > 0.25, `share ${top.selfShare}`);

  // V8 gives JSON.parse no frame of its own: its time is parseBig's self time, on the JSON.parse
  // line, and the analysis says so.
  const parse = a.topSelf.find((h) => h.function === 'parseBig');
  assert.ok(parse, a.topSelf.map((h) => h.function).join(', '));
  assert.equal(parse.file, 'fixture.mjs');
  assert.equal(parse.line, lineOf(FIXTURE, 'function parseBig'));
  assert.equal(parse.category, 'json');
  assert.equal(parse.hotLine, lineOf(FIXTURE, 'JSON.parse(big)'));
  // If a JSON frame does exist (another engine version), it is attributed to parseBig by caller.
  const native = a.topSelf.find((h) => h.category === 'json' && h.file === '');
  if (native) assert.equal(native.caller?.function, 'parseBig');

  const main = a.topTotal.find((h) => h.function === 'main');
  assert.ok(main && main.totalMs >= top.selfMs + parse.selfMs - 1, 'main includes both');
  assert.ok(a.flame && a.flame.value > 1000);
  assert.ok(JSON.stringify(a.flame).includes('"hotLoop"'));
});

// Base64 VLQ, for hand-made source maps.
function vlq(n: number): string {
  const C = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let s = '';
  do {
    let d = v & 31;
    v >>>= 5;
    if (v > 0) d |= 32;
    s += C[d];
  } while (v > 0);
  return s;
}
const seg = (...xs: number[]) => xs.map(vlq).join('');

function profileFor(url: string) {
  return {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
      // Generated line 0, column 9 (0-based): the function starts on the first line of app.js.
      {
        id: 2,
        callFrame: { functionName: 'compute', scriptId: '5', url, lineNumber: 0, columnNumber: 9 },
        children: [],
        positionTicks: [
          { line: 2, ticks: 5 },
          { line: 1, ticks: 1 },
        ],
      },
    ],
    startTime: 0,
    endTime: 3000,
    samples: [2, 2, 2],
    timeDeltas: [0, 1000, 1000],
  };
}

// Generated line 0 → original.ts line 10 (0-based 9); generated line 1 → line 12.
const MAP = { version: 3, file: 'app.js', sources: ['../src/original.ts'], names: [], mappings: `${seg(0, 0, 9, 0)};${seg(0, 0, 2, 0)}` };
const JS = 'function compute(n) { let x = 0;\n  for (let i = 0; i < n; i++) x += i; return x; }\n';

test('compiled scripts with a source map next to them report the original .ts file and line', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-srcmap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'app.js'), `${JS}//# sourceMappingURL=app.js.map\n`);
  writeFileSync(join(dir, 'dist', 'app.js.map'), JSON.stringify(MAP));
  const a = analyseCpuProfile(profileFor(pathToFileURL(join(dir, 'dist', 'app.js')).href), { path: 'p', projectRoot: dir });
  const h = a.topSelf[0]!;
  assert.equal(h.function, 'compute');
  assert.equal(h.file, 'src/original.ts');
  assert.equal(h.line, 10);
  assert.equal(h.hotLine, 12, 'positionTicks line 2 of app.js maps to original line 12');
  assert.equal(a.flame!.children[0]!.file, 'src/original.ts');
  assert.equal(a.flame!.children[0]!.line, 10);
});

test('inline data: source maps and sourceRoot are honoured; no map keeps the generated location', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-srcmap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const inline = { ...MAP, sourceRoot: '../lib/', sources: ['original.ts'] };
  mkdirSync(join(dir, 'out'));
  writeFileSync(
    join(dir, 'out', 'app.js'),
    `${JS}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(inline)).toString('base64')}\n`,
  );
  const a = analyseCpuProfile(profileFor(pathToFileURL(join(dir, 'out', 'app.js')).href), { path: 'p', projectRoot: dir });
  assert.equal(a.topSelf[0]!.file, 'lib/original.ts');
  assert.equal(a.topSelf[0]!.line, 10);

  // A native-type-stripped .ts target (no map): the URL already names the .ts file and line.
  writeFileSync(join(dir, 'plain.ts'), JS);
  const b = analyseCpuProfile(profileFor(pathToFileURL(join(dir, 'plain.ts')).href), { path: 'p', projectRoot: dir });
  assert.equal(b.topSelf[0]!.file, 'plain.ts');
  assert.equal(b.topSelf[0]!.line, 1);
  assert.equal(b.topSelf[0]!.column, 10);
  assert.equal(b.topSelf[0]!.hotLine, 2);

  // A broken map or a missing script never fails the analysis.
  writeFileSync(join(dir, 'broken.js'), `${JS}//# sourceMappingURL=broken.js.map\n`);
  writeFileSync(join(dir, 'broken.js.map'), '{ not json');
  const c = analyseCpuProfile(profileFor(pathToFileURL(join(dir, 'broken.js')).href), { path: 'p', projectRoot: dir });
  assert.equal(c.topSelf[0]!.file, 'broken.js');
  const d = analyseCpuProfile(profileFor('file:///nonexistent/dir/x.js'), { path: 'p', projectRoot: dir });
  assert.equal(d.topSelf[0]!.file, '/nonexistent/dir/x.js');
  assert.equal(d.topSelf[0]!.line, 1);
});

test('a bundle\'s hot line is mapped only to the function\'s own source line, else dropped ("hot line 13258" in a 272-line file)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-srcmap-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'dist'));
  // Generated line 0: compute (original.ts line 10), then at column 20 code of vendor.ts line 13258 —
  // a bundled line. Generated line 1: vendor.ts line 13260 only.
  const map = {
    version: 3,
    file: 'app.js',
    sources: ['../src/original.ts', '../src/vendor.ts'],
    names: [],
    mappings: `${seg(0, 0, 9, 0)},${seg(20, 1, 13248, 0)};${seg(0, 0, 2, 0)}`,
  };
  writeFileSync(join(dir, 'dist', 'app.js'), `${JS}//# sourceMappingURL=app.js.map\n`);
  writeFileSync(join(dir, 'dist', 'app.js.map'), JSON.stringify(map));
  const url = pathToFileURL(join(dir, 'dist', 'app.js')).href;
  const hotOn = (line: number) => {
    const p = profileFor(url);
    p.nodes[1]!.positionTicks = [{ line, ticks: 5 }];
    return analyseCpuProfile(p, { path: 'p', projectRoot: dir }).topSelf[0]!;
  };
  const mixed = hotOn(1);
  assert.equal(mixed.file, 'src/original.ts');
  assert.equal(mixed.line, 10);
  assert.equal(mixed.hotLine, undefined, 'a line holding code of two files has no single original line');
  const other = hotOn(2);
  assert.equal(other.hotLine, undefined, "a line of another file is not a line of the function's file");
});
