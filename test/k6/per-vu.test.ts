// Which k6 scripts need a module instance per VU (k6 semantics: init code and module-level state
// per VU) and which can share one per thread because they hold no state and their init has no effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseGraph } from '../../src/k6/transform/analyse.ts';
import { needsInstancePerVu } from '../../src/k6/transform/per-vu.ts';

const dir = mkdtempSync(join(tmpdir(), 'k6-per-vu-'));
let n = 0;

/** Writes the entry (and any local modules) and asks whether it needs an instance per VU. */
function perVu(entry: string, locals: Record<string, string> = {}): boolean {
  const sub = join(dir, String(n++));
  for (const [name, text] of Object.entries({ ...locals, 'main.js': `import http from 'k6/http';\n${entry}` })) {
    writeFileSync(`${sub}-${name}`, text);
  }
  return needsInstancePerVu(analyseGraph(`${sub}-main.js`));
}

const BODY = `export default function () { http.get(BASE); }\n`;

test('stateless init shares one instance: imports, functions, env reads, metrics, SharedArray, literal options', () => {
  assert.equal(
    perVu(
      `import { Trend } from 'k6/metrics';
import { SharedArray } from 'k6/data';
export const options = { vus: 2, thresholds: { http_req_duration: ['p(95)<500'] }, tags: { team: 'a' } };
const BASE = __ENV.BASE || 'http://127.0.0.1:1';
const t = new Trend('t', true);
const users = new SharedArray('u', () => JSON.parse(open('./users.json')));
const params = { headers: { 'Content-Type': 'application/json' } };
http.setResponseCallback(http.expectedStatuses(200, 404));
function helper(x) { return http.post(BASE, x, params); }
${BODY}`,
    ),
    false,
  );
});

test('state or effects keep an instance per VU', () => {
  for (const init of [
    'let token = null;',
    'var n = 0;',
    'const me = __VU;',
    "const data = JSON.parse(open('./d.json'));",
    "console.log('init');",
    'const cache = {};\nexport function f() { cache.x = 1; }',
    'const seen = [];\nexport function f(v) { seen.push(v); }',
    'const o = { n: 0 };\nexport function f() { o.n++; }',
    'const cfg = { a: 1 };\nexport function f() { Object.assign(cfg, { a: 2 }); }',
    'class C { static n = 0; }',
    'if (__ENV.X) { http.setResponseCallback(null); }',
    "import exec from 'k6/execution';\nconst id = exec.vu.idInTest;",
  ]) {
    assert.equal(perVu(`const BASE = 'x';\n${init}\n${BODY}`), true, init);
  }
});

test('a local module with state keeps the whole script per VU', () => {
  const sub = n;
  assert.equal(
    perVu(`import { next } from './${sub}-lib.js';\nconst BASE = 'x';\n${BODY}`, {
      'lib.js': 'let calls = 0;\nexport function next() { return ++calls; }\n',
    }),
    true,
  );
  const sub2 = n;
  assert.equal(
    perVu(`import { login } from './${sub2}-lib.js';\nconst BASE = 'x';\n${BODY}`, { 'lib.js': 'export function login() { return 1; }\n' }),
    false,
  );
});

test('a module-level object that escapes to code that might change it keeps an instance per VU', () => {
  for (const init of [
    // handed to the script's own function, which changes it
    'const cache = {};\nfunction remember(c, v) { c[v] = 1; }\nexport function f(v) { remember(cache, v); }',
    // aliased inside a function, then changed through the alias
    'const seen = [];\nexport function f(v) { const s = seen; s.push(v); }',
    // an element taken out of it and changed
    "const USERS = [{ name: 'a', visits: 0 }];\nexport function f() { USERS.find((u) => u.name === 'a').visits++; }",
    "const USERS = [{ name: 'a', visits: 0 }];\nexport function f() { const u = USERS[0]; u.visits = 1; }",
    "const USERS = [{ name: 'a', visits: 0 }];\nexport function f() { for (const u of USERS) u.visits += 1; }",
    // returned to a caller
    'const state = { n: 0 };\nfunction get() { return state; }\nexport function f() { get().n = 2; }',
    // a nested object handed out
    "const CFG = { headers: { a: '1' } };\nfunction tweak(h) { h.b = '2'; }\nexport function f() { tweak(CFG.headers); }",
  ]) {
    assert.equal(perVu(`const BASE = 'x';\n${init}\n${BODY}`), true, init);
  }
  // An object a local module exports, handed to a function of the script.
  const sub = n;
  assert.equal(
    perVu(
      `import { pool } from './${sub}-lib.js';\nconst BASE = 'x';\n` +
        `function add(p) { p.push(1); }\nexport function f() { add(pool); }\n${BODY}`,
      {
        'lib.js': 'export const pool = [];\n',
      },
    ),
    true,
  );
});

test('module-level objects only read, or handed to k6 functions, still share one instance', () => {
  for (const init of [
    "const params = { headers: { 'Content-Type': 'application/json' } };\nexport function f() { http.post(BASE, '{}', params); }",
    "const CFG = { path: '/a', n: 2 };\nexport function f() { http.get(`${BASE}${CFG.path}`); return CFG.n * 2; }",
    "const PATHS = ['/a', '/b'];\nexport function f() { for (const p of PATHS.map((x) => BASE + x)) http.get(p); }",
    "const PATHS = ['/a', '/b'];\nexport function f(i) { const p = PATHS[i % 2]; http.get(BASE + p); }",
    'const CFG = { list: [{ a: 1 }] };\nexport function f() { if (CFG.list.includes(1)) http.get(JSON.stringify(CFG)); }',
  ]) {
    assert.equal(perVu(`const BASE = 'x';\n${init}\n${BODY}`), false, init);
  }
});
