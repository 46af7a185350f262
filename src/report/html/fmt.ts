// Null-safe number formatting for the HTML report (a stored record's numbers are not trusted to be
// numbers; a missing figure shows as "–").
import { fmtBytes, fmtDuration } from '../format.ts';
import { num } from './safe.ts';
import { percent } from '../../analysis/format.ts';

export const DASH = '–';

export function ms(v: unknown): string {
  const n = num(v);
  return n === null ? DASH : fmtDuration(n);
}

export function rps(v: unknown): string {
  const n = num(v);
  if (n === null) return DASH;
  return `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)} req/s`;
}

export function pct(share: unknown, digits = 2): string {
  const n = num(share);
  return n === null ? DASH : percent(n, digits);
}

export function bytes(v: unknown): string {
  const n = num(v);
  return n === null ? DASH : fmtBytes(n);
}

export function plain(v: unknown, digits = 2): string {
  const n = num(v);
  if (n === null) return DASH;
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) !== 0 && Math.abs(n) < 10 ** -digits) return n.toExponential(2);
  return String(Number(n.toFixed(digits)));
}

/** "2026-11-25 10:00:00 UTC" from an ISO timestamp; the raw text when it does not parse. */
export function dateTime(iso: unknown): string {
  const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
  if (!Number.isFinite(t)) return String(iso ?? DASH);
  return new Date(t)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** An evidence value with its unit: numbers formatted by unit, strings as they are. */
export function withUnit(value: unknown, unit: unknown): string {
  const u = typeof unit === 'string' ? unit : '';
  const n = num(value);
  if (n === null) return `${String(value ?? DASH)}${u && typeof value !== 'number' ? ` ${u}` : ''}`;
  switch (u) {
    case 'ms':
      return fmtDuration(n);
    case 'bytes':
      return fmtBytes(n);
    case '%':
      return `${plain(n)} %`;
    case 'req/s':
      return rps(n);
    case '':
      return plain(n);
    default:
      return `${plain(n)} ${u}`;
  }
}
