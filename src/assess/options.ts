// Parsing `assess` options: SLO expressions, growth, the phase list. Bad input → UsageError (exit 2).
import { UsageError } from '../errors.ts';
import type { PhaseName } from '../record/phase-name.ts';
import type { Slo } from '../record/assessment-record.ts';

/** ASSESSMENT-RULES.md §3 targets: API response < 200 ms (p95), error rate < 1 % at load (the source allows 0.1 % at peak). */
export const DEFAULT_SLO: Slo = { latencyPercentile: 95, latencyMs: 200, errorRate: 0.01, source: ['p95<200ms', 'errors<1%'] };

export const ALL_PHASES: PhaseName[] = ['baseline', 'stress', 'spike', 'sustained', 'recovery'];

/** A profiled service's measured window is the baseline phase (ASSESSMENT-RULES.md §6): a profiled suite always has one. */
export function profiledSuite(suite: readonly PhaseName[]): PhaseName[] {
  return suite.includes('baseline') ? [...suite] : ['baseline', ...suite];
}

const LATENCY = /^\s*p\(?(\d+(?:\.\d+)?)\)?\s*<\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/i;
const ERRORS = /^\s*(?:errors?|error_rate|http_req_failed)\s*<\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/i;

/** "p95<200ms", "p(99)<1s", "errors<1%", "error_rate<0.01" — later ones override earlier ones. */
export function parseSlo(exprs: readonly string[]): Slo {
  const slo: Slo = { ...DEFAULT_SLO, source: [] };
  let latencySet = false;
  let errorsSet = false;
  for (const e of exprs) {
    let m = LATENCY.exec(e);
    if (m) {
      const p = Number(m[1]);
      if (!((p > 0 && p < 100) || p === 100)) throw new UsageError(`--slo ${JSON.stringify(e)}: percentile must be in (0, 100]`);
      slo.latencyPercentile = p;
      slo.latencyMs = Number(m[2]) * (m[3]?.toLowerCase() === 's' ? 1000 : 1);
      if (!(slo.latencyMs > 0)) throw new UsageError(`--slo ${JSON.stringify(e)}: the latency limit must be > 0`);
      latencySet = true;
      slo.source.push(e.trim());
      continue;
    }
    m = ERRORS.exec(e);
    if (m) {
      slo.errorRate = Number(m[1]) / (m[2] ? 100 : 1);
      if (!(slo.errorRate >= 0 && slo.errorRate <= 1))
        throw new UsageError(`--slo ${JSON.stringify(e)}: the error rate must be between 0 and 1 (or 0 % and 100 %)`);
      errorsSet = true;
      slo.source.push(e.trim());
      continue;
    }
    throw new UsageError(`--slo ${JSON.stringify(e)}: expected e.g. "p95<200ms", "p99<1s" or "errors<1%"`);
  }
  if (!latencySet) slo.source.unshift(`p${slo.latencyPercentile}<${slo.latencyMs}ms`);
  if (!errorsSet) slo.source.push(`errors<${slo.errorRate * 100}%`);
  return slo;
}

/** "20%/quarter", "20%" (per quarter), "5%/month", "80%/year" → percent per quarter. */
export function parseGrowth(s: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*(?:\/\s*(quarter|month|year))?\s*$/i.exec(s);
  if (!m) throw new UsageError(`--growth ${JSON.stringify(s)}: expected e.g. "20%/quarter", "5%/month" or "80%/year"`);
  const g = Number(m[1]) / 100;
  switch ((m[2] ?? 'quarter').toLowerCase()) {
    case 'month':
      return ((1 + g) ** 3 - 1) * 100;
    case 'year':
      return ((1 + g) ** 0.25 - 1) * 100;
    default:
      return g * 100;
  }
}

export function parseSuite(s: string | undefined): PhaseName[] {
  if (!s) return [...ALL_PHASES];
  const names = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(ALL_PHASES as string[]).includes(n) && n !== 'peak')
      throw new UsageError(`--suite: unknown phase "${n}" (choose from ${[...ALL_PHASES, 'peak'].join(', ')})`);
  }
  if (names.length === 0) throw new UsageError('--suite: name at least one phase');
  return names as PhaseName[];
}
