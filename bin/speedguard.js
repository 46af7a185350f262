#!/usr/bin/env node
// speedguard's executable. The sources are TypeScript run by Node's built-in type stripping
// (Node ≥ 22.18 / 23.6 unflagged); older Nodes get a clear message instead of a syntax error.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`speedguard needs Node.js ≥ 22.12 (this is ${process.version}). Inside the repository, run it through npm scripts (they use the pinned Node 24).\n`);
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Leftover sockets or timers must not keep a finished run alive: flush stdout, then exit.
process.stdout.write('', () => process.exit(code));
