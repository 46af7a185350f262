// Running a k6 script with `speedguard run` and reading the k6-shaped --summary-export it writes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.ts';

export interface K6Export {
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
  root_group: K6Group;
}
export interface K6Group {
  name: string;
  path: string;
  groups: Record<string, K6Group>;
  checks: Record<string, { name: string; path: string; passes: number; fails: number }>;
}

const out = mkdtempSync(join(tmpdir(), 'k6-export-'));
let runs = 0;

/** Runs the script with the given arguments (-e …); `exp` is null when no export was written. */
export async function runK6(script: string, args: string[] = []): Promise<CliResult & { exp: K6Export | null }> {
  const file = join(out, `summary-${runs++}.json`);
  const r = await runCli(['run', script, '--no-history', '-q', '--summary-export', file, ...args], { timeoutMs: 60_000 });
  let exp: K6Export | null = null;
  try {
    exp = JSON.parse(readFileSync(file, 'utf8')) as K6Export;
  } catch {
    /* not written (bad input) */
  }
  return { ...r, exp };
}

/** Every check of the export by path: [passes, fails]. */
export function checksOf(g: K6Group, acc: Record<string, [number, number]> = {}): Record<string, [number, number]> {
  for (const c of Object.values(g.checks)) acc[c.path] = [c.passes, c.fails];
  for (const sub of Object.values(g.groups)) checksOf(sub, acc);
  return acc;
}

export const countOf = (e: K6Export, metric: string) => e.metrics[metric]?.count as number;
