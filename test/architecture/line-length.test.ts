// tools/check-line-length.ts (run by npm run lint): fails on a line over 140 characters in the
// files Biome checks, names the file, line and length; skips test fixtures;
// counts characters, not bytes; and the repository itself passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_COLUMNS } from '../../tools/check-line-length.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TOOL = join(REPO, 'tools', 'check-line-length.ts');

function check(root?: string) {
  const r = spawnSync(process.execPath, [TOOL, ...(root ? [root] : [])], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sg-line-length-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const line = (length: number, char = 'x') => `// ${char.repeat(length - 3)}`;

test('an over-long line fails the check with its file, line and length', (t) => {
  const root = tree({
    'src/ok.ts': `${line(MAX_COLUMNS)}\n`,
    'src/report/long.ts': `const a = 1;\n${line(MAX_COLUMNS + 1)}\n`,
    'bin/cli.js': `${line(MAX_COLUMNS + 5)}\n`,
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const r = check(root);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^src\/report\/long\.ts:2: 141 characters/m);
  assert.match(r.stderr, /^bin\/cli\.js:1: 145 characters/m);
  assert.doesNotMatch(r.stderr, /src\/ok\.ts/);
  assert.match(r.stderr, /2 line\(s\) longer than 140 characters/);
});

test('fixtures and files Biome does not check are skipped; width counts characters, not bytes', (t) => {
  const root = tree({
    'src/ok.ts': `${line(MAX_COLUMNS, 'µ')}\n`,
    'test/fixtures/data/x.ts': `${line(300)}\n`,
    'src/notes.md': `${line(300)}\n`,
  });
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const r = check(root);
  assert.equal(r.status, 0, r.stderr);
  // Every folder of src is checked, the engine and the CLI included.
  writeFileSync(join(root, 'src/ok.ts'), `${line(MAX_COLUMNS + 1)}\n`);
  const again = check(root);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^src\/ok\.ts:1: 141 characters/m);
});

test('the repository passes', () => {
  const r = check();
  assert.equal(r.status, 0, r.stderr);
});
