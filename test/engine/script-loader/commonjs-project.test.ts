// A script kept in an ordinary npm project ("type": "commonjs", npm init's default) that did not
// install speedguard: run through the CLI with two load workers, so the main thread and each worker
// thread load it through the script hooks. Its own ES-module helper is loaded as an ES module, its
// CommonJS helper stays CommonJS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../helpers/servers.ts';

const BIN = fileURLToPath(new URL('../../../bin/speedguard.js', import.meta.url));

test('a .ts script in a "type": "commonjs" project imports speedguard, an ESM helper and a CommonJS helper', async () => {
  const seen: string[] = [];
  const srv = await startServer((req, res) => {
    seen.push(req.url ?? '');
    res.end('ok');
  });
  const dir = mkdtempSync(join(tmpdir(), 'sg-cjs-project-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'shop-tests', version: '1.0.0', type: 'commonjs' }));
    writeFileSync(join(dir, 'paths.js'), `export const path = (vu) => '/esm-helper/' + vu;\n`);
    writeFileSync(join(dir, 'tag.js'), `module.exports = { tag: 'cjs-helper' };\n`);
    writeFileSync(
      join(dir, 'load.ts'),
      `import { http, check, exec, type Options } from 'speedguard';
import { path } from './paths.js';
import cjs from './tag.js';
export const options: Options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } } };
export default async function (): Promise<void> {
  const r = await http.get('${srv.url}' + path(exec.vu.idInTest) + '?' + cjs.tag);
  check(r, { ok: (x) => x.status === 200 });
}
`,
    );
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'run', 'load.ts', '-w', '2', '--no-history', '--json'],
        { cwd: dir, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', CI: '1' } },
        (e, stdout, stderr) => {
          resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr });
        },
      );
    });
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout) as { status: string; config?: unknown };
    assert.equal(record.status, 'completed');
    assert.equal(seen.length, 4, seen.join(' '));
    assert.ok(
      seen.every((u) => /^\/esm-helper\/\d+\?cjs-helper$/.test(u)),
      seen.join(' '),
    );
    assert.equal(new Set(seen.map((u) => u.split('?')[0])).size, 2, 'both VUs ran');
  } finally {
    await srv.close();
  }
});
