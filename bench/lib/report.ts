// Medians, ratios and plain-text tables; the verdict is always a median or a ratio of medians.
import { cpus } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sh } from './proc.ts';

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function fmt(n: number | undefined, digits = 2): string {
  if (n === undefined || Number.isNaN(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function mb(bytes: number | undefined): string {
  return bytes === undefined ? '–' : `${(bytes / 1048576).toFixed(1)} MB`;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function verdict(ok: boolean): string {
  return ok ? 'MET' : 'NOT MET';
}

export interface Machine {
  date: string;
  nproc: number;
  cpu: string;
  node: string;
  kernel: string;
}

export async function machine(): Promise<Machine> {
  return {
    date: new Date().toISOString(),
    nproc: Number((await sh('nproc')).out.trim()),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    kernel: (await sh('uname -r')).out.trim(),
  };
}

/** Keeps the raw rounds next to the printed medians so BENCHMARKS.md can cite them. */
export function saveResults(name: string, data: unknown): string {
  const dir = '/tmp/sg-bench-results';
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2));
  return file;
}
