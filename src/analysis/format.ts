// Figures in finding texts: short, with units, never "NaN". (analysis/: the database figures use them too;
// audits/support/format.ts re-exports them for the audits.)
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
