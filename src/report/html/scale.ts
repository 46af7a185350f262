// Linear scales and "nice" axis ticks for the report's SVG charts (d3-style, in a few lines).

export interface Scale {
  (v: number): number;
  domain: [number, number];
  range: [number, number];
}

/** Maps [d0, d1] onto [r0, r1]; a degenerate domain maps everything to the middle of the range. */
export function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const f = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0))) as Scale;
  f.domain = [d0, d1];
  f.range = [r0, r1];
  return f;
}

/** Step of 1, 2 or 5 × 10^k giving about `count` intervals over [min, max]. */
export function tickStep(min: number, max: number, count: number): number {
  const span = max - min;
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const rough = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(rough));
  const r = rough / mag;
  const nice = r >= 7.5 ? 10 : r >= 3.5 ? 5 : r >= 1.5 ? 2 : 1;
  return nice * mag;
}

/** Extends [min, max] outwards to multiples of the tick step; gives the ticks too. */
export function niceDomain(min: number, max: number, count = 5): { domain: [number, number]; ticks: number[] } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { domain: [0, 1], ticks: [0, 1] };
  if (min > max) [min, max] = [max, min];
  if (max - min <= 1e-9 * Math.max(1, Math.abs(min), Math.abs(max))) {
    // One value (or a span below floating-point resolution): give it room on both sides, and
    // keep a zero-based axis at zero.
    const pad = Math.abs(min) < 1e-9 ? 1 : Math.abs(min) * 0.5;
    min = min >= 0 && min - pad < 0 ? 0 : min - pad;
    max = max + pad;
  }
  const step = tickStep(min, max, count);
  const lo = Math.floor(min / step) * step + 0; // + 0 turns -0 into 0
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Bounded: (hi - lo) / step ≤ count + 2 by construction of the step.
  for (let i = 0, v = lo; v <= hi + step * 1e-9 && i < 100; i++, v = lo + i * step) ticks.push(roundTo(v, step));
  return { domain: [lo, hi], ticks };
}

/** Removes floating-point noise (0.30000000000000004 → 0.3) below a hundredth of the step, and -0. */
function roundTo(v: number, step: number): number {
  const digits = Math.min(100, Math.max(0, 2 - Math.floor(Math.log10(step))));
  return Number(v.toFixed(digits)) + 0;
}

/** Compact tick label: 1500 → "1.5k", 0.25 → "0.25". */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}k`;
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toFixed(2)));
}

/** Seconds on a time axis: 45 → "45s", 90 → "1m30s", 120 → "2m". */
export function fmtSeconds(v: number): string {
  if (Math.abs(v) < 60) return `${trim(v)}s`;
  const m = Math.floor(v / 60);
  const s = Math.round(v - m * 60);
  return s ? `${m}m${s}s` : `${m}m`;
}
