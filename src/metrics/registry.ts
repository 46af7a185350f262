// A worker's metric series for the current 1-second interval. Accumulators are reset in place at
// each snapshot, so the engine can cache references to them on its hot path.
import { Accumulator, type AccumulatorData } from './accumulator.ts';
import { BUILTIN_METRICS, type MetricDef } from './catalog.ts';
import { tagsKey, type Tags } from './tags.ts';
import type { MetricType } from './types.ts';

export interface SeriesSnapshot {
  metric: string;
  tags: Tags;
  data: AccumulatorData;
}

/** Everything one worker measured during one interval (index = whole seconds since run start). */
export interface IntervalSnapshot {
  index: number;
  series: SeriesSnapshot[];
}

export class Series {
  readonly metric: string;
  readonly tags: Tags;
  readonly acc: Accumulator;
  constructor(metric: string, tags: Tags, type: MetricType) {
    this.metric = metric;
    this.tags = tags;
    this.acc = new Accumulator(type);
  }
}

export class MetricRegistry {
  private readonly defs = new Map<string, MetricDef>(BUILTIN_METRICS);
  private readonly series = new Map<string, Series>();
  /** Sees every sample as it is added (per-sample outputs); set before the first series is made. */
  onSample: ((series: Series, def: MetricDef, value: number) => void) | null = null;

  /** Custom metrics from scripts (k6's `new Trend('name')`). Re-defining with another type is an error. */
  define(name: string, type: MetricType, contains: MetricDef['contains'] = 'default'): MetricDef {
    const existing = this.defs.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric "${name}" is already a ${existing.type}, cannot redefine it as a ${type}`);
      return existing;
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`metric name "${name}" is invalid: use letters, digits and _`);
    const def: MetricDef = { name, type, contains, description: 'custom metric' };
    this.defs.set(name, def);
    return def;
  }

  def(name: string): MetricDef | undefined {
    return this.defs.get(name);
  }

  get(metric: string, tags: Tags): Series {
    const key = metric + '|' + tagsKey(tags);
    let s = this.series.get(key);
    if (!s) {
      const def = this.defs.get(metric);
      if (!def) throw new Error(`unknown metric "${metric}"`);
      s = new Series(metric, { ...tags }, def.type);
      this.series.set(key, s);
      const listen = this.onSample;
      if (listen) {
        // Only when something listens: the engine holds these accumulators on its hot path.
        const acc = s.acc;
        const add = acc.add.bind(acc);
        const series = s;
        acc.add = (value: number) => {
          add(value);
          listen(series, def, value);
        };
      }
    }
    return s;
  }

  /** Take the interval's data and reset every series for the next interval. */
  snapshot(index: number): IntervalSnapshot {
    const out: SeriesSnapshot[] = [];
    for (const s of this.series.values()) {
      if (s.acc.count === 0) continue;
      out.push({ metric: s.metric, tags: s.tags, data: s.acc.toData() });
      s.acc.reset();
    }
    return { index, series: out };
  }
}
