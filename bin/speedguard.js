#!/usr/bin/env node
// speedguard's executable. Kept to syntax every Node runs, so an old Node prints one line instead
// of a syntax error.
// - Installed (npm i, npm i -g, npx): the package ships the JavaScript build, dist/src/cli/main.js.
// - In the repository (src/ beside this file): the TypeScript sources run directly, never dist/, so a
//   stale build cannot be run by accident.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const fromSources = existsSync(sources);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  const hint = fromSources ? ' Inside the repository, run it through npm scripts (they use the pinned Node 24).' : '';
  process.stderr.write(`speedguard needs Node.js ≥ 22.12 (this is ${process.version}).${hint}\n`);
  process.exit(1);
}
// Flags this Node needs: type stripping for the sources and for users' .ts scripts (the build itself
// is JavaScript), node:sqlite (the history) before 22.13. Re-run once with them; newer Nodes never do.
const flags = [];
if (!process.features.typescript) flags.push('--experimental-strip-types');
if (major === 22 && minor < 13) flags.push('--experimental-sqlite');
if (flags.length > 0 && !process.env.SPEEDGUARD_REEXEC) {
  const r = spawnSync(
    process.execPath,
    [...flags, '--no-warnings', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, SPEEDGUARD_REEXEC: '1' },
    },
  );
  process.exit(r.status ?? 1);
}
// The installed package keeps V8's compiled code of its modules in Node's compile cache (the OS temp
// dir, keyed by file content): from the second run on, `run` reaches its first request sooner
// (BENCHMARKS.md, cold start). Not for the sources, which change while being worked on.
if (!fromSources && typeof module.enableCompileCache === 'function') module.enableCompileCache();
const { main } = await import(fromSources ? sources.href : '../dist/src/cli/main.js');
const code = await main(process.argv.slice(2));
// Leftover sockets or timers must not keep a finished run alive: flush stdout, then exit.
process.stdout.write('', () => process.exit(code));
