// Declarative checks (each a `checks` rate sample, as k6's check()) and captures (values taken
// from a response into the VU's variables, for later requests' ${} templates).
import type { MetricRegistry } from '../../metrics/registry.ts';
import type { Tags } from '../../metrics/tags.ts';
import type { CaptureSource, CheckSpec } from '../../plan/types.ts';
import type { HttpResponse } from '../http/types.ts';

export interface CompiledCheck {
  needsBody: boolean;
  needsHeaders: boolean;
  run(res: HttpResponse): boolean;
}

export function compileChecks(specs: readonly CheckSpec[], registry: MetricRegistry, tags: Tags): CompiledCheck[] {
  return specs.map((spec) => {
    const acc = registry.get('checks', { ...tags, check: spec.name }).acc;
    const statuses = spec.status === undefined ? null : Array.isArray(spec.status) ? spec.status : [spec.status];
    const needle = spec.bodyIncludes;
    const header = spec.headerPresent?.toLowerCase();
    const maxMs = spec.maxDurationMs;
    return {
      needsBody: needle !== undefined,
      needsHeaders: header !== undefined,
      run(res: HttpResponse): boolean {
        let ok = res.error === null;
        if (ok && statuses) ok = statuses.includes(res.status);
        if (ok && needle !== undefined) ok = res.body !== null && res.body.includes(needle);
        if (ok && header !== undefined) ok = header in res.headers;
        if (ok && maxMs !== undefined) ok = res.timings.duration <= maxMs;
        acc.add(ok ? 1 : 0);
        return ok;
      },
    };
  });
}

export interface CompiledCapture {
  needsBody: boolean;
  needsHeaders: boolean;
  run(res: HttpResponse, vars: Record<string, string>): void;
}

/** Follow a dotted path ("data.items.0.id") into parsed JSON. */
export function jsonPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const key of path.split('.')) {
    if (key === '') continue;
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function compileCaptures(capture: Readonly<Record<string, CaptureSource>>): CompiledCapture[] {
  return Object.entries(capture).map(([name, src]) => {
    if ('header' in src) {
      const h = src.header.toLowerCase();
      return {
        needsBody: false,
        needsHeaders: true,
        run(res, vars) {
          const v = res.headers[h];
          if (v !== undefined) vars[name] = v;
        },
      };
    }
    if ('json' in src) {
      const path = src.json;
      return {
        needsBody: true,
        needsHeaders: false,
        run(res, vars) {
          if (!res.body) return;
          try {
            const v = jsonPath(JSON.parse(res.body.toString('utf8')), path);
            if (v !== undefined && v !== null) vars[name] = typeof v === 'object' ? JSON.stringify(v) : String(v);
          } catch {
            // Not JSON: the variable keeps its previous value; a check is the way to assert on it.
          }
        },
      };
    }
    const re = new RegExp(src.regex);
    const group = src.group ?? 1;
    return {
      needsBody: true,
      needsHeaders: false,
      run(res, vars) {
        if (!res.body) return;
        const m = re.exec(res.body.toString('utf8'));
        const v = m ? (m[group] ?? m[0]) : undefined;
        if (v !== undefined) vars[name] = v;
      },
    };
  });
}
