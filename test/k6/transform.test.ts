// The k6 transform, judged by behaviour: k6-style modules are transformed, their k6 imports pointed
// at small stand-ins that take real time (so an un-awaited call shows as out-of-order or missing
// work), run, and the order of requests and the values the script computed are compared with what
// k6's blocking semantics give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { transformK6Source } from '../../src/k6/transform/transform.ts';
import { RUNTIME_SPECIFIER } from '../../src/k6/transform/rewrite.ts';

const RUNTIME_URL = new URL('../../src/k6/modules/runtime.ts', import.meta.url).href;

// Stand-ins: every request takes a timer tick and logs its start and end; group awaits its callback.
const STUB_HTTP = `
const log = (globalThis.__log ??= []);
async function send(method, url, body) {
  log.push('start ' + method + ' ' + url);
  await new Promise((r) => setTimeout(r, 1));
  log.push('end ' + method + ' ' + url);
  if (url.includes('fail')) throw new Error('request failed: ' + url);
  return { status: 200, url, body: String(body ?? ''), json: () => ({ url }) };
}
const http = {
  get: (u) => send('GET', u), post: (u, b) => send('POST', u, b), del: (u) => send('DELETE', u),
  request: (m, u, b) => send(m, u, b), batch: (l) => Promise.all(l.map((u) => send('GET', u))),
};
export default http;
export const { get, post, request, batch } = http;
`;
const STUB_K6 = `
const log = (globalThis.__log ??= []);
export async function group(name, fn) { log.push('group ' + name); const v = await fn(); log.push('/group ' + name); return v; }
export async function sleep(s) { await new Promise((r) => setTimeout(r, 1)); log.push('slept'); }
export function check(v, sets) {
  for (const [n, f] of Object.entries(sets)) {
    if (v && typeof v.then === 'function') throw new Error('check got a promise');
    log.push('check ' + n + ' ' + Boolean(f(v)));
  }
}
export default { group, sleep, check };
`;

let seq = 0;

/** Writes the modules, transforms them as the loader would, and runs the entry's default export. */
async function runK6(
  files: Record<string, string>,
  entry = 'main.js',
): Promise<{ log: string[]; result: unknown; out: Record<string, string> }> {
  const root = mkdtempSync(join(tmpdir(), `k6-transform-${seq++}-`));
  const src = join(root, 'src');
  const run = join(root, 'run');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(src, name)), { recursive: true });
    writeFileSync(join(src, name), text);
  }
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'stub-http.js'), STUB_HTTP);
  writeFileSync(join(run, 'stub-k6.js'), STUB_K6);
  const out: Record<string, string> = {};
  // Node loads the entry before the modules it imports: transform in that order.
  const order = [entry, ...Object.keys(files).filter((n) => n !== entry)];
  for (const [name, text] of order.map((n) => [n, files[n]!] as const)) {
    const transformed = transformK6Source(text, pathToFileURL(join(src, name)).href) ?? text;
    out[name] = transformed;
    const depth = name.split('/').length - 1;
    const up = depth === 0 ? './' : '../'.repeat(depth);
    const runnable = transformed
      .replaceAll(`'k6/http'`, `'${up}stub-http.js'`)
      .replaceAll(`'k6'`, `'${up}stub-k6.js'`)
      .replaceAll(JSON.stringify(RUNTIME_SPECIFIER), JSON.stringify(RUNTIME_URL))
      .replaceAll(pathToFileURL(join(src, name)).href, pathToFileURL(join(run, name)).href);
    mkdirSync(dirname(join(run, name)), { recursive: true });
    writeFileSync(join(run, name), runnable);
  }
  const g = globalThis as { __log?: string[] };
  g.__log = [];
  const mod = (await import(pathToFileURL(join(run, entry)).href)) as { default: () => unknown };
  const result = await mod.default();
  // Anything not awaited would still be running: give it the chance to show up in the log.
  await new Promise((r) => setTimeout(r, 20));
  return { log: g.__log, result, out };
}

const lines = (s: string) => s.split('\n').length;

test('a helper that calls http becomes async and is awaited; line numbers do not move', async () => {
  const main = `import http from 'k6/http';
function item(id) {
  const r = http.get('/items/' + id);
  return r.json().url;
}
const twice = (id) => item(id) + item(id);
export default function () {
  return twice(7);
}
`;
  const { log, result, out } = await runK6({ 'main.js': main });
  assert.equal(result, '/items/7/items/7');
  assert.deepEqual(log, ['start GET /items/7', 'end GET /items/7', 'start GET /items/7', 'end GET /items/7']);
  assert.equal(lines(out['main.js']!), lines(main) + 1, 'only the appended registration line is added');
  assert.match(out['main.js']!, /async function item/);
  assert.match(out['main.js']!, /const r = \(await http\.get\('\/items\/' \+ id\)\);/);
});

test('forEach and map callbacks run one after the other, as in k6, and map gives values', async () => {
  const { log, result } = await runK6({
    'main.js': `import { get, post } from 'k6/http';
export default function () {
  ['a', 'b'].forEach((x) => { post('/p/' + x, x); });
  return [1, 2].map(function (n) { return get('/m/' + n).url; });
}
`,
  });
  assert.deepEqual(result, ['/m/1', '/m/2']);
  assert.deepEqual(log, [
    'start POST /p/a',
    'end POST /p/a',
    'start POST /p/b',
    'end POST /p/b',
    'start GET /m/1',
    'end GET /m/1',
    'start GET /m/2',
    'end GET /m/2',
  ]);
});

test('filter, some, find and reduce with requests keep k6 order and results', async () => {
  const { result, log } = await runK6({
    'main.js': `import http from 'k6/http';
export default function () {
  const kept = ['x', 'fail-no', 'y'].filter((u) => { try { http.get(u); return true; } catch (e) { return false; } });
  const found = ['p', 'q'].find((u) => http.get(u).url === 'q');
  const any = [1].some(() => http.get('s').status === 200);
  const total = [1, 2, 3].reduce((acc, n) => acc + http.get('r' + n).url.length, 0);
  return { kept, found, any, total };
}
`,
  });
  assert.deepEqual(result, { kept: ['x', 'y'], found: 'q', any: true, total: 6 });
  assert.equal(log.filter((l) => l.startsWith('start')).length, log.filter((l) => l.startsWith('end')).length);
});

test('a request that fails inside try/catch is caught by that catch', async () => {
  const { result } = await runK6({
    'main.js': `import http from 'k6/http';
export default function () {
  try {
    http.get('/fail');
    return 'not caught';
  } catch (e) {
    return 'caught: ' + e.message;
  }
}
`,
  });
  assert.equal(result, 'caught: request failed: /fail');
});

test('group callbacks (nested) complete inside their group; sleep is awaited', async () => {
  const { log } = await runK6({
    'main.js': `import http from 'k6/http';
import { group, sleep, check } from 'k6';
export default function () {
  group('outer', function () {
    group('inner', () => {
      const r = http.get('/g');
      check(r, { 'ok': (x) => x.status === 200 });
    });
    sleep(0.001);
  });
}
`,
  });
  assert.deepEqual(log, [
    'group outer',
    'group inner',
    'start GET /g',
    'end GET /g',
    'check ok true',
    '/group inner',
    'slept',
    '/group outer',
  ]);
});

test('a callback handed to a local helper: the helper awaits it (retry pattern)', async () => {
  const { result, log } = await runK6({
    'main.js': `import http from 'k6/http';
function retry(fn, times = 3) {
  for (let i = 0; i < times; i++) {
    try { return fn(i); } catch (e) { /* next */ }
  }
  return 'gave up';
}
export default function () {
  return retry((i) => http.get(i < 2 ? '/fail' + i : '/ok').url);
}
`,
  });
  assert.equal(result, '/ok');
  assert.deepEqual(
    log.filter((l) => l.startsWith('end')),
    ['end GET /fail0', 'end GET /fail1', 'end GET /ok'],
  );
});

test('across local modules: named, namespace, object and class exports', async () => {
  const { result, log } = await runK6({
    'lib/api.js': `import http from 'k6/http';
export function login(u) { return http.post('/login', u).body; }
export const api = { profile() { return http.get('/me').url; } };
export class Client { orders() { return http.get('/orders').url; } }
`,
    'lib/flows.js': `import { login } from './api.js';
export function signIn() { return 'signed ' + login('bob'); }
`,
    'main.js': `import { signIn } from './lib/flows.js';
import * as api from './lib/api.js';
export default function () {
  const c = new api.Client();
  return [signIn(), api.api.profile(), c.orders()];
}
`,
  });
  assert.deepEqual(result, ['signed bob', '/me', '/orders']);
  assert.equal(log.length, 6);
});

test('module-level (init) code stays synchronous; batch is awaited', async () => {
  const { out, result } = await runK6({
    'main.js': `import http from 'k6/http';
const urls = ['/a', '/b'].map((u) => u.toUpperCase());
export const options = { vus: 1 };
export default function () {
  const rs = http.batch(urls);
  return rs.map((r) => r.url);
}
`,
  });
  assert.deepEqual(result, ['/A', '/B']);
  assert.match(out['main.js']!, /const urls = \['\/a', '\/b'\]\.map\(\(u\) => u\.toUpperCase\(\)\);/, 'init code is not rewritten');
});

test('Set.forEach and a for-of loop over requests run in order', async () => {
  const { log } = await runK6({
    'main.js': `import http from 'k6/http';
export default function () {
  new Set(['/s1', '/s2']).forEach((u) => http.get(u));
  for (const u of ['/f1', '/f2']) http.get(u);
}
`,
  });
  assert.deepEqual(
    log.filter((l) => l.startsWith('start')),
    ['start GET /s1', 'start GET /s2', 'start GET /f1', 'start GET /f2'],
  );
  assert.equal(log.length, 8);
  for (let i = 0; i < log.length; i += 2) assert.equal(log[i]!.replace('start', 'end'), log[i + 1]);
});

test('a script without k6 imports is left alone', () => {
  assert.equal(transformK6Source(`export default async function () { await fetch('x'); }`, 'file:///tmp/native.js'), undefined);
});

// Property: however the request is wrapped (helpers, arrows, methods, callbacks, try, group), the
// transformed script makes every request, in k6's order, returns the same value, and keeps lines.
const WRAPPERS = ['fn', 'arrow', 'method', 'forEach', 'map', 'try', 'group', 'param'] as const;
type Wrapper = (typeof WRAPPERS)[number];

function program(chain: Wrapper[]): string {
  const defs: string[] = [];
  let inner = `http.get('/leaf').url`;
  chain.forEach((w, i) => {
    const name = `h${i}`;
    switch (w) {
      case 'fn':
        defs.push(`function ${name}() {\n  return ${inner};\n}`);
        inner = `${name}()`;
        break;
      case 'arrow':
        defs.push(`const ${name} = () =>\n  ${inner};`);
        inner = `${name}()`;
        break;
      case 'method':
        defs.push(`const o${i} = {\n  ${name}() { return ${inner}; },\n};`);
        inner = `o${i}.${name}()`;
        break;
      case 'forEach':
        defs.push(`function ${name}() {\n  let v;\n  [0, 1].forEach(() => { v = ${inner}; });\n  return v;\n}`);
        inner = `${name}()`;
        break;
      case 'map':
        defs.push(`function ${name}() {\n  return [0].map(() => ${inner})[0];\n}`);
        inner = `${name}()`;
        break;
      case 'try':
        defs.push(`function ${name}() {\n  try { return ${inner}; } catch (e) { return 'x'; }\n}`);
        inner = `${name}()`;
        break;
      case 'group':
        defs.push(`function ${name}() {\n  let v;\n  group('g${i}', () => { v = ${inner}; });\n  return v;\n}`);
        inner = `${name}()`;
        break;
      case 'param':
        defs.push(`function call${i}(f) { return f(); }\nfunction ${name}() {\n  return call${i}(() => ${inner});\n}`);
        inner = `${name}()`;
        break;
    }
  });
  return (
    `import http from 'k6/http';\nimport { group } from 'k6';\n${defs.join('\n')}\nexport default function () {\n  return ` +
    `${inner};\n}\n`
  );
}

test('property: any nesting of helpers and callbacks keeps k6 semantics', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...WRAPPERS), { minLength: 1, maxLength: 5 }), async (chain) => {
      const source = program(chain);
      const { log, result, out } = await runK6({ 'main.js': source });
      assert.equal(result, '/leaf', source);
      const requests = 2 ** chain.filter((w) => w === 'forEach').length;
      assert.equal(log.filter((l) => l === 'end GET /leaf').length, requests, source);
      // Each request ends before the next starts (k6 blocks).
      const http = log.filter((l) => l.endsWith('GET /leaf'));
      http.forEach((l, i) => assert.equal(l, i % 2 === 0 ? 'start GET /leaf' : 'end GET /leaf', source));
      assert.equal(lines(out['main.js']!), lines(source) + 1, source);
    }),
    { numRuns: 40 },
  );
});
