#!/usr/bin/env node
// speedguard's executable. The sources are TypeScript run by Node's built-in type stripping, which
// is on by default from Node 22.18 / 23.6. On Node 22.12–22.17 it (and node:sqlite before 22.13)
// needs a flag: re-run this file once with the flags instead of failing with a syntax error.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`speedguard needs Node.js ≥ 22.12 (this is ${process.version}). Inside the repository, run it through npm scripts (they use the pinned Node 24).\n`);
  process.exit(1);
}
if (!process.features.typescript && !process.env.SPEEDGUARD_REEXEC) {
  const flags = ['--experimental-strip-types', '--experimental-sqlite', '--no-warnings'];
  const r = spawnSync(process.execPath, [...flags, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, SPEEDGUARD_REEXEC: '1' },
  });
  process.exit(r.status ?? 1);
}
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Leftover sockets or timers must not keep a finished run alive: flush stdout, then exit.
process.stdout.write('', () => process.exit(code));
