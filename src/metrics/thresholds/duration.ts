// Durations in the `over <duration>` window: Go/k6 style — one or more <number><unit> parts,
// units ms, s, m, h, decimals allowed: 30s, 5m, 1m30s, 1.5m, 2h, 90000ms.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

// Sticky so each part is matched exactly at the cursor. `ms` must come before `m`.
const PART = /(\d+(?:\.\d*)?|\.\d+)(ms|h|m|s)?/y;

export type DurationScan = { ok: true; ms: number; end: number } | { ok: false; problem: string; at: number; hint: string };

/** Reads a duration starting at index `start` of `text`; stops at the first character that cannot continue it. */
export function scanDuration(text: string, start: number): DurationScan {
  let i = start;
  let total = 0;
  let parts = 0;
  for (;;) {
    PART.lastIndex = i;
    const m = PART.exec(text);
    if (m === null) break;
    const unit = m[2];
    if (unit === undefined) {
      return { ok: false, problem: `missing unit after "${m[1]}"`, at: i + m[1]!.length, hint: 'use ms, s, m or h, e.g. 30s' };
    }
    total += Number(m[1]) * UNIT_MS[unit]!;
    i += m[0].length;
    parts++;
  }
  if (parts === 0) {
    return { ok: false, problem: 'expected a duration', at: start, hint: 'e.g. 30s, 5m or 1m30s' };
  }
  // Decimal parts (1.1s) give float noise; thresholds never need sub-microsecond precision.
  return { ok: true, ms: Math.round(total * 1000) / 1000, end: i };
}
