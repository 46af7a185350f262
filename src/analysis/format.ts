// Figures in prose — findings, verdict reasons, comparisons, report tables: short, with units, never
// "NaN". The one other formatter, report/format.ts, writes the run summary in k6's own units (1.23ms,
// 0.00%) so that a k6 user reads the figures they know; everything else formats here.
export function ms(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  if (v >= 10) return `${v.toFixed(1)} ms`;
  return `${v.toFixed(2)} ms`;
}

/** A share 0..1 as a percentage. */
export function pct(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  const p = v * 100;
  return `${p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toFixed(2)} %`;
}

/** A share 0..1 as a percentage with fixed digits, for tables and limits where figures line up: "12.50 %". */
export function percent(share: number, digits = 2): string {
  return `${(share * 100).toFixed(digits)} %`;
}

/** A relative change as a signed percentage: "+12.3 %", "−4.0 %" (a true minus), "±0.0 %" when it rounds to nothing. */
export function signedPercent(change: number, digits = 1): string {
  if (!Number.isFinite(change)) return change > 0 ? '+∞' : '−∞';
  const v = Math.abs(change * 100).toFixed(digits);
  if (Number(v) === 0) return `±${v} %`;
  return `${change > 0 ? '+' : '−'}${v} %`;
}

export function rate(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} req/s`;
}

export function bytes(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)} MB`;
  if (v >= 1024) return `${(v / 1024).toFixed(1)} KB`;
  return `${Math.round(v)} B`;
}

/** Rounded for evidence values: enough digits to read, not float noise. */
export function round(v: number, digits = 2): number {
  if (!Number.isFinite(v)) return 0;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
