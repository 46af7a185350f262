// Number formatting shared by the text renderers (units chosen like k6: µs, ms, s; kB, MB).

export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 1) return `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 1)}µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms % 60_000) / 1000).toFixed(1)}s`;
}

export function fmtBytes(b: number): string {
  if (b < 1000) return `${b.toFixed(0)} B`;
  if (b < 1e6) return `${(b / 1e3).toFixed(1)} kB`;
  if (b < 1e9) return `${(b / 1e6).toFixed(1)} MB`;
  return `${(b / 1e9).toFixed(2)} GB`;
}

export function fmtNumber(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return '-';
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(digits);
}

export function fmtPercent(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}

/** Colours only on a TTY without NO_COLOR. */
export function colours(enabled: boolean) {
  const wrap = (code: number) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}
