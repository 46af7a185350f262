// ASSESSMENT-RULES.md §2's severity matrix as data, the helpers audits rank with, and the config file that
// overrides it (`assess --config severity.yaml`): partial, JSON or YAML, checked field by field.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Severity, SeverityThresholds } from '../record/findings.ts';
import { UsageError } from '../errors.ts';
import { parseDuration } from '../plan/duration.ts';

/** ASSESSMENT-RULES.md §2 defaults: lower bounds of each band (ms for times, shares 0..1 for rates and utilisation). */
// Frozen (each band too): a caller that mutated the defaults would change every later assessment.
export const DEFAULT_THRESHOLDS: SeverityThresholds = deepFreeze({
  apiP95Ms: { p0: 5000, p1: 2000, p2: 1000 },
  errorRate: { p0: 0.05 },
  throughputShare: { p1: 0.5 },
  cpu: { p0: 0.95, p1: 0.85, p2: 0.75 },
  memory: { p0: 0.9, p1: 0.8, p2: 0.7 },
  dbQueryMs: { p0: 2000, p1: 1000, p2: 500 },
  cacheHitRate: { p2: 0.8 },
});

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  return Object.freeze(o);
}

/** The band a "higher is worse" value falls in: > p0 critical, > p1 high, > p2 medium, else null. */
export function bandOf(value: number, band: { p0?: number; p1?: number; p2?: number }): Severity | null {
  if (band.p0 !== undefined && value > band.p0) return 'critical';
  if (band.p1 !== undefined && value > band.p1) return 'high';
  if (band.p2 !== undefined && value > band.p2) return 'medium';
  return null;
}

/** Bad severity config: one line naming the file and field. The CLI maps UsageError to exit 2. */
export class SeverityConfigError extends UsageError {
  override name = 'SeverityConfigError';
}

type Kind = 'ms' | 'share';
/** How each group's values are written: durations ("2s", 500) or shares ("90%", 0.9). */
const KIND: Record<keyof SeverityThresholds, Kind> = {
  apiP95Ms: 'ms',
  errorRate: 'share',
  throughputShare: 'share',
  cpu: 'share',
  memory: 'share',
  dbQueryMs: 'ms',
  cacheHitRate: 'share',
};
/** Groups where a higher value is worse, so p0 ≥ p1 ≥ p2 must hold. */
const HIGHER_IS_WORSE: ReadonlySet<string> = new Set(['apiP95Ms', 'cpu', 'memory', 'dbQueryMs']);

function parseValue(v: unknown, kind: Kind, fail: (problem: string) => never): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && kind === 'share' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v)) n = Number.parseFloat(v) / 100;
  else if (typeof v === 'string' && kind === 'ms') {
    try {
      n = parseDuration(v.trim());
    } catch {
      fail(`must be a duration such as "2s" or "500ms", or a number of milliseconds (got ${JSON.stringify(v)})`);
    }
  } else {
    fail(
      kind === 'ms'
        ? `must be a number of milliseconds or a duration such as "2s" (got ${JSON.stringify(v)})`
        : `must be a share between 0 and 1 or a percentage such as "90%" (got ${JSON.stringify(v)})`,
    );
  }
  if (!Number.isFinite(n) || n <= 0) fail(`must be > 0 (got ${JSON.stringify(v)})`);
  if (kind === 'share' && n > 1) fail(`must be at most 1 (100 %) (got ${JSON.stringify(v)})`);
  return n;
}

const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks parsed config content and merges it over the defaults. `file` names the source in messages. */
export function parseSeverityConfig(input: unknown, file: string): SeverityThresholds {
  const fail = (path: string, problem: string): never => {
    throw new SeverityConfigError(`${file}: ${path ? `${path}: ` : ''}${problem}`);
  };
  // Allow the thresholds at the top level or under `severity:` (one section of a larger config).
  let root = input;
  if (isMapping(root) && Object.keys(root).length === 1 && 'severity' in root) root = root.severity;
  if (!isMapping(root))
    fail(
      '',
      `must be a mapping of severity thresholds, e.g. "apiP95Ms: { p1: 1500 }" (got ` +
        `${Array.isArray(root) ? 'a list' : JSON.stringify(root)})`,
    );
  const out = structuredClone(DEFAULT_THRESHOLDS) as unknown as Record<string, Record<string, number>>;
  const groups = Object.keys(DEFAULT_THRESHOLDS);
  for (const [group, value] of Object.entries(root as Record<string, unknown>)) {
    if (!groups.includes(group)) fail(group, `unknown field (allowed: ${groups.join(', ')})`);
    if (!isMapping(value))
      fail(
        group,
        `must be a mapping of bands, e.g. { ${Object.keys(out[group]!)
          .map((b) => `${b}: …`)
          .join(', ')} }`,
      );
    const bands = Object.keys(out[group]!);
    for (const [band, v] of Object.entries(value as Record<string, unknown>)) {
      if (!bands.includes(band)) fail(`${group}.${band}`, `unknown field (allowed: ${bands.join(', ')})`);
      out[group]![band] = parseValue(v, KIND[group as keyof SeverityThresholds], (p) => fail(`${group}.${band}`, p));
    }
  }
  for (const group of HIGHER_IS_WORSE) {
    const b = out[group]!;
    if (!(b.p0! >= b.p1! && b.p1! >= b.p2!)) {
      fail(group, `bands must satisfy p0 ≥ p1 ≥ p2 (got p0 ${b.p0}, p1 ${b.p1}, p2 ${b.p2} after applying the defaults)`);
    }
  }
  return out as unknown as SeverityThresholds;
}

/** Reads a JSON or YAML file of partial overrides of DEFAULT_THRESHOLDS. */
export function loadSeverityConfig(path: string): SeverityThresholds {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SeverityConfigError(`${path}: ${code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`}`);
  }
  let value: unknown;
  try {
    // JSON is YAML 1.2, so one parser reads both; JSON files get JSON's stricter syntax first.
    value = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SeverityConfigError(
      `${path}: invalid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (value === null || value === undefined)
    throw new SeverityConfigError(`${path}: the file is empty (expected severity thresholds, e.g. "apiP95Ms: { p1: 1500 }")`);
  return parseSeverityConfig(value, path);
}
