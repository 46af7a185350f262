// speedguard as the benchmarks run it: the checkout's JavaScript build, built once per bench
// process (run-built.mjs says why the build and not the sources).
import { join } from 'node:path';
import { sh } from './proc.ts';

const RUNNER = join(import.meta.dirname, 'run-built.mjs');
const built = new Map<string, Promise<void>>();

/** Builds checkout's dist/ (npm run build) the first time it is asked for in this process. */
export function ensureBuilt(checkout: string): Promise<void> {
  let p = built.get(checkout);
  if (p === undefined) {
    p = sh(`cd ${JSON.stringify(checkout)} && npm run build --silent >/dev/null`).then((r) => {
      if (r.code !== 0) throw new Error(`npm run build failed in ${checkout}: ${r.out.slice(-800)}`);
    });
    built.set(checkout, p);
  }
  return p;
}

/** The command prefix that runs checkout's build: `node [nodeArgs] run-built.mjs <checkout>`. */
export function speedguardBuilt(checkout: string, nodeArgs: readonly string[] = []): string[] {
  // The repo's pinned Node 24 (what runs the benchmarks), as for every other generator.
  return [process.execPath, ...nodeArgs, RUNNER, checkout];
}
