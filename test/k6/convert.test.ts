// `speedguard convert`: k6 scripts of the shapes k6 users write become native speedguard scripts that
// a strict tsc accepts (against speedguard's own types) and that give the same request counts, check
// results and thresholds as the k6 script run unchanged, against the same loopback server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { convertK6Script } from '../../src/k6/convert/convert.ts';
import { startK6Server, type K6TestServer } from './k6-server.ts';
import type { RunRecord } from '../../src/record/run-record.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPTS = join(REPO, 'test/k6/scripts/convert');
const dir = mkdtempSync(join(tmpdir(), 'k6-convert-'));
let server: K6TestServer;

before(async () => {
  server = await startK6Server();
});
after(() => server.close());

async function convert(name: string) {
  const out = join(dir, name.replace(/\.js$/, '.ts'));
  const r = await runCli(['convert', join(SCRIPTS, name), '-o', out]);
  return { ...r, out, code: r.code, text: r.code === 0 ? readFileSync(out, 'utf8') : '' };
}

async function run(script: string, extra: string[] = []) {
  const r = await runCli(['run', script, '-e', `BASE=${server.url}`, '--no-history', '-q', '--json', ...extra], { timeoutMs: 90_000 });
  return { code: r.code, stderr: r.stderr, record: r.code === 0 || r.code === 99 ? (JSON.parse(r.stdout) as RunRecord) : null };
}

/** What must be the same: counts per metric, passes/fails per check, threshold verdicts. */
function outcome(record: RunRecord) {
  const counts: Record<string, number> = {};
  const checks: Record<string, [number, number]> = {};
  for (const t of record.totals) {
    if (['http_reqs', 'iterations', 'items', 'ok_rate'].includes(t.metric)) counts[t.metric] = (counts[t.metric] ?? 0) + t.count;
    if (t.metric === 'checks') {
      const c = (checks[`${t.tags.group ?? ''}::${t.tags.check}`] ??= [0, 0]);
      c[0] += t.sum;
      c[1] += t.count - t.sum;
    }
  }
  const thresholds = Object.fromEntries(record.thresholds.map((t) => [`${t.selector}: ${t.expression}`, t.ok]));
  return { counts, checks, thresholds };
}

/** The user's tsc, strict, in an ESM project, with 'speedguard' resolved to the package's types. */
function typecheck(files: string[]): { status: number | null; output: string } {
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const compilerOptions = {
    target: 'es2024',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    types: ['node'],
    typeRoots: [join(REPO, 'node_modules/@types')],
    paths: { speedguard: [join(REPO, 'src/index.ts')] },
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
  const r = spawnSync(join(REPO, 'node_modules/.bin/tsc'), ['-p', dir], { encoding: 'utf8', cwd: dir });
  return { status: r.status, output: r.stdout + r.stderr };
}

test('two scenarios, groups, checks, custom metrics, helpers, forEach, setup/teardown: converted, type-checked, same results', async () => {
  const c = await convert('shop.js');
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.text, /^import \{ check, Counter, group, http, type Options, Rate, sleep, Trend \} from 'speedguard';$/m);
  assert.match(c.text, /export async function buy\(data: any\)/);
  assert.match(c.text, /export async function teardown\(data: SetupData\)/);
  assert.match(c.text, /await inOrder\(\['a', 'b'\], 'forEach', async \(kind: any\) =>/);
  // The one option with no native equivalent is named with its line, on stderr and in the output.
  assert.equal(
    c.stderr,
    `speedguard: ${join(SCRIPTS, 'shop.js')}:15: k6 option userAgent has no native speedguard equivalent and was left out: ` +
      `userAgent: 'shop-test/1.0'\n`,
  );
  assert.match(c.text, /\/\/ speedguard convert: k6 option userAgent/);
  const tsc = typecheck(['shop.ts']);
  assert.equal(tsc.status, 0, tsc.output);

  const [k6, native] = [await run(join(SCRIPTS, 'shop.js')), await run(c.out)];
  assert.equal(k6.code, 0, k6.stderr);
  assert.equal(native.code, 0, native.stderr);
  const expected = outcome(k6.record!);
  assert.equal(expected.counts.http_reqs, 28, 'per browse iteration 3 requests × 6, per buy iteration 5 × 2');
  assert.equal(Object.keys(expected.checks).length, 8);
  assert.deepEqual(outcome(native.record!), expected);
  assert.equal(server.teardowns.length >= 2, true, 'both teardowns posted the setup data');
  assert.deepEqual(JSON.parse(server.teardowns.at(-1)!), JSON.parse(server.teardowns.at(-2)!));
});

test('stages, thresholds, a failing check, __VU/__ITER and a SharedArray read with open(): same results', async () => {
  const c = await convert('stages.js');
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stderr, '');
  assert.match(c.text, /stages: \[/);
  assert.match(c.text, /http: \{ discardResponseBodies: false \}/, "k6 keeps bodies; speedguard's default does not");
  assert.match(c.text, /readFileSync\(new URL\(".*\/test\/k6\/scripts\/data\/users\.json", import\.meta\.url\), 'utf8'\)/);
  const tsc = typecheck(['stages.ts']);
  assert.equal(tsc.status, 0, tsc.output);
  // The same fixed work for both (the flags replace the stages), so the counts can be compared.
  const flags = ['-u', '2', '-i', '6'];
  const [k6, native] = [await run(join(SCRIPTS, 'stages.js'), flags), await run(c.out, flags)];
  assert.equal(k6.code, 0, k6.stderr);
  assert.equal(native.code, 0, native.stderr);
  const expected = outcome(k6.record!);
  assert.deepEqual(expected.counts, { http_reqs: 12, iterations: 6 });
  assert.deepEqual(expected.checks['::missing is 200'], [0, 6]);
  assert.deepEqual(outcome(native.record!), expected);
});

test('what has no native equivalent is named with its line on stderr and marked in the output', async () => {
  const c = await convert('k6-only.js');
  assert.equal(c.code, 0, c.stderr);
  const lines = [...c.stderr.matchAll(/k6-only\.js:(\d+): (.*)/g)].map((m) => [Number(m[1]), m[2]!.split(' ').slice(0, 2).join(' ')]);
  assert.deepEqual(lines, [
    [3, 'randomSeed from'],
    [6, 'k6 option'],
    [10, 'http.cookieJar() has'],
    [11, 'request param'],
    [12, 'response.cookies is'],
    [13, 'exec.test.abort has'],
    [16, 'handleSummary() is'],
  ]);
  assert.equal(c.text.match(/\/\/ speedguard convert: /g)?.length, 7);
  assert.match(c.text, /^\/\/ export function handleSummary\(data: any\) \{$/m, 'handleSummary is kept, commented out');
});

test('an externally-controlled scenario is named: it has no shape to convert', async () => {
  const c = await runCli(['convert', join(REPO, 'test/k6/scripts/externally-controlled.js'), '-o', join(dir, 'ec.ts')]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /externally-controlled\.js:2: the externally-controlled executor is driven through k6's REST API/);
});

test('bad input: a native script or a missing file exits 2 with one line', async () => {
  const native = await runCli(['convert', join(REPO, 'test/fixtures/scripts/basic.ts')]);
  assert.equal(native.code, 2);
  assert.match(native.stderr, /^speedguard: .*basic\.ts: not a k6 script: it imports nothing from k6\n$/);
  const missing = await runCli(['convert', join(dir, 'nope.js')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.js: file not found/);
});

test("every k6 test script that converts without a note passes the user's strict tsc (and a real bug is caught)", async () => {
  const dirAll = join(dir, 'all');
  mkdirSync(dirAll);
  const converted: string[] = [];
  for (const f of readdirSync(join(REPO, 'test/k6/scripts')).filter((n) => n.endsWith('.js'))) {
    const out = join(dirAll, f.replace(/\.js$/, '.ts'));
    let result: ReturnType<typeof convertK6Script>;
    try {
      result = convertK6Script(join(REPO, 'test/k6/scripts', f), out);
    } catch {
      continue; // syntax-error.js (the CLI's exit 2 is tested above)
    }
    if (result.notes.length > 0) continue;
    writeFileSync(out, result.code);
    converted.push(join('all', f.replace(/\.js$/, '.ts')));
  }
  assert.ok(converted.length >= 10, `converted without notes: ${converted.join(', ')}`);
  const tsc = typecheck(converted);
  // promise-check.js hands check() the promise of http.asyncRequest(): in TypeScript that is an error.
  assert.deepEqual(
    tsc.output
      .trim()
      .split('\n')
      .filter((l) => /^all\//.test(l)),
    ["all/promise-check.ts(7,40): error TS2339: Property 'status' does not exist on type 'Promise<Response>'."],
    tsc.output,
  );
});
