// Durations and byte sizes as users write them in plans and on the command line.
//
// Durations follow k6 (which follows Go's time.ParseDuration plus a `d` unit): a sequence of
// <number><unit> with units d h m s ms us µs ns, e.g. "1m30s", "1.5s", "2h", "500ms".
// A bare number — JSON/YAML number or a numeric string like "250" — means MILLISECONDS, as in
// k6 (types.Duration treats unit-less values as ms). Negative durations are rejected.
//
// Sizes use binary multiples, as most server configs do (nginx, JVM): 1KB = 1KiB = 1024 bytes,
// 1MB = 1MiB = 1024², 1GB = 1GiB = 1024³. Units are case-insensitive; a bare number means bytes.
import { InputError } from '../errors.ts';

export class DurationError extends InputError {
  override name = 'DurationError';
}

const UNIT_MS: Record<string, number> = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001, // Greek mu as well as the micro sign
  ns: 0.000_001,
};

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`;
const BARE_NUMBER = new RegExp(`^${NUMBER}$`);
const DURATION = new RegExp(`^(?:${NUMBER}(?:ms|us|µs|μs|ns|d|h|m|s))+$`);
const DURATION_PART = new RegExp(`(${NUMBER})(ms|us|µs|μs|ns|d|h|m|s)`, 'g');

/** Shared wording, also used by the schema error formatter. */
export const DURATION_HINT = 'a duration such as "30s", "1m30s", "500ms" or a number of milliseconds';
export const SIZE_HINT = 'a size such as "100MB", "64KB" or a number of bytes';

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Round away binary noise ("0.3s" → 300, not 300.00000000000006) while keeping ns resolution. */
function tidy(ms: number): number {
  return ms < 1e9 ? Math.round(ms * 1e6) / 1e6 : Math.round(ms);
}

/** "1m30s" → 90000; 250 → 250; "250" → 250. Throws DurationError. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new DurationError(`invalid duration ${show(input)}: must be ${DURATION_HINT} (>= 0)`);
    }
    return input;
  }
  if (typeof input !== 'string') {
    throw new DurationError(`invalid duration ${show(input)}: must be ${DURATION_HINT}`);
  }
  const text = input.trim();
  if (BARE_NUMBER.test(text)) return tidy(Number(text));
  if (!DURATION.test(text)) {
    const why = text.startsWith('-') ? ' (negative durations are not allowed)' : '';
    throw new DurationError(`invalid duration ${show(input)}: must be ${DURATION_HINT}${why}`);
  }
  let total = 0;
  for (const match of text.matchAll(DURATION_PART)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  if (!Number.isFinite(total)) throw new DurationError(`invalid duration ${show(input)}: too large`);
  return tidy(total);
}

/** 5_025_500 → "1h23m45.5s"; 250 → "250ms"; 0 → "0s". Inverse of parseDuration for whole ms. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new DurationError(`cannot format duration ${ms}`);
  if (ms === 0) return '0s';
  if (ms < 1000) return `${tidy(ms)}ms`;
  let rest = ms;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = tidy(rest / 1000);
  let out = '';
  if (hours > 0) out += `${hours}h`;
  if (minutes > 0) out += `${minutes}m`;
  if (seconds > 0) out += `${seconds}s`;
  return out;
}

const SIZE = /^((?:\d+(?:\.\d*)?|\.\d+))\s*([kmgt]i?b?|b)?$/i;
const SIZE_FACTOR: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "100MB" → 104857600; "64kb" → 65536; 512 → 512. Throws DurationError (same family). */
export function parseSize(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new DurationError(`invalid size ${show(input)}: must be ${SIZE_HINT} (>= 0)`);
    }
    return Math.round(input);
  }
  const match = typeof input === 'string' ? SIZE.exec(input.trim()) : null;
  if (match === null) throw new DurationError(`invalid size ${show(input)}: must be ${SIZE_HINT}`);
  const unit = (match[2] ?? '').toLowerCase().charAt(0);
  const factor = SIZE_FACTOR[unit === 'b' ? 'b' : unit]!;
  return Math.round(Number(match[1]) * factor);
}
