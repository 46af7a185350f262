// `npm test`: every test file, in two passes. Most files run two at a time. The end-to-end files
// that put a real service under load and then judge what it did (timing, CPU, the diagnosis) run
// one at a time afterwards: on a 2-core CI machine two of them side by side starve each other's
// targets of CPU, and the verdicts then describe the machine instead of the fixture.
// Extra arguments go to node --test (e.g. --test-name-pattern=…).
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';

/** Files that load a real target and judge its behaviour (or measure latency) — run alone. */
const UNDER_LOAD = [
  'test/profile/*.test.ts',
  'test/examples/*.test.ts',
  'test/assess/suite.test.ts',
  'test/assess/generator-ceiling.test.ts',
  'test/assess/profile-capacity.test.ts',
  'test/assess/profile-statement.test.ts',
  'test/cli/assess-cli.test.ts',
  'test/cli/compare-e2e.test.ts',
  'test/cli/profile-db.test.ts',
  'test/cli/profile-db-no-extensions.test.ts',
  'test/engine/run.test.ts',
  'test/probes/node-agent/n-plus-one.test.ts',
];

const all = globSync('test/**/*.test.ts').sort();
const alone = new Set(UNDER_LOAD.flatMap((p) => globSync(p)));
const shared = all.filter((f) => !alone.has(f));
const extra = process.argv.slice(2);

function pass(files: string[], concurrency: number): number {
  if (!files.length) return 0;
  const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...extra, ...files], { stdio: 'inherit' });
  return r.status ?? 1;
}

const first = pass(shared, 2);
const second = pass([...alone].sort(), 1);
process.exit(first || second);
