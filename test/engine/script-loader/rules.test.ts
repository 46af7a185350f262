// The script hooks' rules as plain functions: which specifiers plugins own, which user files are
// loaded as ES modules whatever their package.json says, and how plugin transforms apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isUserFile, pluginLoad, pluginResolve } from '../../../src/engine/script-loader/rules.ts';
import { SCRIPT_LOADER_PLUGINS } from '../../../src/engine/script-loader/plugins.ts';
import type { ScriptLoaderPlugin } from '../../../src/engine/script-loader/plugin.ts';

const OWN_INDEX = new URL('../../../src/index.ts', import.meta.url).href;
const user = (name: string) => pathToFileURL(join(tmpdir(), 'project', name)).href;

test("'speedguard' resolves to the running package's own index; other specifiers are left to Node", () => {
  assert.equal(pluginResolve(SCRIPT_LOADER_PLUGINS, 'speedguard', user('load.ts')), OWN_INDEX);
  for (const s of ['speedguard/other', 'pg', './speedguard', 'node:http', '/abs/speedguard', 'file:///x.js']) {
    assert.equal(pluginResolve(SCRIPT_LOADER_PLUGINS, s, user('load.ts')), undefined, s);
  }
});

test('the first plugin that resolves a specifier wins', () => {
  const a: ScriptLoaderPlugin = { name: 'a', resolve: (s) => (s === 'k6/http' ? 'file:///a/http.js' : undefined) };
  const b: ScriptLoaderPlugin = { name: 'b', resolve: (s) => (s.startsWith('k6') ? 'file:///b/any.js' : undefined) };
  assert.equal(pluginResolve([a, b], 'k6/http', undefined), 'file:///a/http.js');
  assert.equal(pluginResolve([a, b], 'k6', undefined), 'file:///b/any.js');
  assert.equal(pluginResolve([a, b], 'lodash', undefined), undefined);
});

test("speedguard's own files and dependencies are never user files", () => {
  assert.equal(isUserFile(user('load.ts')), true);
  assert.equal(isUserFile(OWN_INDEX), false);
  assert.equal(isUserFile(pathToFileURL('/p/node_modules/pg/lib/index.js').href), false);
  assert.equal(isUserFile('node:http'), false);
});

test('an ES-module script that Node would load as CommonJS is loaded as an ES module', () => {
  const esm = `import { http } from 'speedguard';\nexport default async function () {}\n`;
  assert.deepEqual(pluginLoad([], user('load.js'), { format: 'commonjs', source: esm }), { format: 'module', source: esm });
  assert.deepEqual(pluginLoad([], user('load.ts'), { format: 'commonjs-typescript', source: esm }), {
    format: 'module-typescript',
    source: esm,
  });
  // Bytes, as Node's loader hands them over.
  assert.deepEqual(pluginLoad([], user('load.js'), { format: 'commonjs', source: new TextEncoder().encode(esm) }), {
    format: 'module',
    source: esm,
  });
});

test('CommonJS source is read from disk when Node leaves it to its CommonJS loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-rules-'));
  const file = join(dir, 'load.js');
  writeFileSync(file, 'export const options = {};\nexport default function () {}\n');
  assert.equal(pluginLoad([], pathToFileURL(file).href, { format: 'commonjs', source: null })?.format, 'module');
});

test('true CommonJS, .cjs/.cts files, ES modules and dependencies are left to Node', () => {
  const cjs = `const x = require('./x');\nmodule.exports = function () { return import('./y.js'); };\n`;
  assert.equal(pluginLoad([], user('helper.js'), { format: 'commonjs', source: cjs }), undefined);
  assert.equal(pluginLoad([], user('helper.cjs'), { format: 'commonjs', source: 'export default 1' }), undefined);
  assert.equal(pluginLoad([], user('load.mjs'), { format: 'module', source: 'export default 1' }), undefined);
  assert.equal(
    pluginLoad([], pathToFileURL('/p/node_modules/x/index.js').href, { format: 'commonjs', source: 'export default 1' }),
    undefined,
  );
  assert.equal(pluginLoad([], user('data.json'), { format: 'json', source: '{}' }), undefined);
});

test('transforms apply in turn to user files only, and a rewrite keeps the forced format', () => {
  const calls: string[] = [];
  const first: ScriptLoaderPlugin = {
    name: 'first',
    transform: (src, url) => {
      calls.push(`first ${url}`);
      return src.replace('k6/http', 'speedguard');
    },
  };
  const second: ScriptLoaderPlugin = { name: 'second', transform: (src) => (src.includes('speedguard') ? `${src}// seen\n` : undefined) };
  const idle: ScriptLoaderPlugin = { name: 'idle', transform: () => undefined };
  const src = `import http from 'k6/http';\nexport default function () {}\n`;
  const out = pluginLoad([first, idle, second], user('k6.js'), { format: 'commonjs', source: src });
  assert.deepEqual(out, { format: 'module', source: `import http from 'speedguard';\nexport default function () {}\n// seen\n` });
  assert.equal(pluginLoad([first, second], OWN_INDEX, { format: 'module-typescript', source: src }), undefined);
  assert.deepEqual(calls, [`first ${user('k6.js')}`]);
  assert.equal(
    pluginLoad([idle], user('plain.mjs'), { format: 'module', source: src }),
    undefined,
    'nothing changed: Node keeps its own result',
  );
});
