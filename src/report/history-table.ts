// The table `speedguard history` prints: one row per stored run or assessment, newest first, with the
// key figures the history stored (HistoryEntry.summary); it formats them and decides nothing.
import type { HistoryEntry } from '../history/store.ts';
import { GATE_SEVERITIES, priorityLabel } from '../record/findings.ts';
import { term } from './escape.ts';
import { colours, fmtDuration, fmtNumber, fmtPercent } from './format.ts';

const TARGET_WIDTH = 40;

function when(iso: string): string {
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) return iso.slice(0, 16);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function clip(s: string, width: number): string {
  // Stored targets come from users' plans and URLs: never let them drive the terminal.
  const safe = term(s);
  return safe.length <= width ? safe : safe.slice(0, width - 1) + '…';
}

function findingsText(e: HistoryEntry): string {
  if (!e.summary.findings) return '-';
  const parts = GATE_SEVERITIES.filter((s) => e.summary.findings![s] > 0).map((s) => `${e.summary.findings![s]}×${priorityLabel(s)}`);
  return parts.length ? parts.join(' ') : 'none';
}

const dash = (n: number | null, f: (n: number) => string) => (n === null ? '-' : f(n));

export function renderHistoryTable(entries: HistoryEntry[], shortId: (id: string) => string, colour: boolean): string {
  const c = colours(colour);
  const header = ['ID', 'WHEN', 'KIND', 'STATUS', 'DURATION', 'TARGET', 'REQ/S', 'P95', 'ERRORS', 'CAPACITY', 'FINDINGS'];
  const rows = entries.map((e) => [
    shortId(e.id),
    when(e.startedAt),
    e.command,
    e.status,
    dash(e.durationMs, fmtDuration),
    clip(e.target, TARGET_WIDTH),
    dash(e.summary.rps, (n) => fmtNumber(n, 1)),
    dash(e.summary.p95Ms, fmtDuration),
    dash(e.summary.errorRate, fmtPercent),
    dash(e.summary.sustainableRps, (n) => `${fmtNumber(n, 0)} req/s`),
    findingsText(e),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [c.bold(line(header))];
  rows.forEach((r, i) => {
    const text = line(r);
    const e = entries[i]!;
    const bad = e.status !== 'completed' || (e.summary.findings && (e.summary.findings.critical > 0 || e.summary.findings.high > 0));
    out.push(bad ? c.red(text) : text);
  });
  return out.join('\n') + '\n';
}
