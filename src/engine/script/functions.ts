// check, group, sleep, custom metrics and exec info for scripts, with k6's names and meaning.
import { declareCustomMetric } from '../../metrics/declared-metrics.ts';
import type { MetricType } from '../../metrics/types.ts';
import { currentIteration } from './context.ts';

/** k6's check(): each named predicate (or boolean) is one `checks` sample; never throws, returns all-passed. */
export function check<T>(value: T, checks: Record<string, ((v: T) => unknown) | boolean>, tags: Record<string, string> = {}): boolean {
  const ctx = currentIteration('check()');
  const sc = ctx.scenario;
  if (isThenable(value))
    warnPromiseCheck(
      'check() was given a promise, not a response: await the request first (`const res = await http.get(…)`) — every check on it fails',
    );
  let all = true;
  for (const [name, fn] of Object.entries(checks)) {
    let ok: boolean;
    try {
      const out = typeof fn === 'function' ? fn(value) : fn;
      if (isThenable(out))
        warnPromiseCheck(`check "${name}" returned a promise: a check must decide synchronously (await the request before check())`);
      ok = Boolean(out) && !isThenable(out);
    } catch {
      ok = false;
    }
    sc.registry.get('checks', { ...sc.baseTags, ...ctx.vu.tags, ...tags, group: ctx.group, check: name }).acc.add(ok ? 1 : 0);
    if (!ok) all = false;
  }
  return all;
}

function isThenable(v: unknown): boolean {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

let promiseWarned = false;
function warnPromiseCheck(message: string): void {
  if (promiseWarned) return;
  promiseWarned = true;
  process.stderr.write(`speedguard: ${message}\n`);
}

/** k6's group(): runs fn with a nested group tag and records group_duration. */
export async function group<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const ctx = currentIteration('group()');
  const outer = ctx.group;
  ctx.group = outer + '::' + name;
  const t0 = ctx.scenario.now();
  try {
    return await fn();
  } finally {
    const sc = ctx.scenario;
    sc.registry.get('group_duration', { ...sc.baseTags, ...ctx.vu.tags, group: ctx.group }).acc.add(sc.now() - t0);
    ctx.group = outer;
  }
}

/** k6's sleep(seconds) — awaitable; ends early if the VU is interrupted. */
export function sleep(seconds: number): Promise<void> {
  const ctx = currentIteration('sleep()');
  return ctx.vu.sleep(seconds * 1000);
}

class CustomMetric {
  readonly name: string;
  private readonly type: MetricType;
  private readonly contains: 'time' | 'default';
  constructor(name: string, type: MetricType, isTime = false) {
    this.name = name;
    this.type = type;
    this.contains = isTime ? 'time' : 'default';
    // Known to threshold checks before any load (a threshold on an undeclared metric is a typo).
    declareCustomMetric(name, type);
  }
  add(value: number | boolean, tags: Record<string, string> = {}): void {
    const ctx = currentIteration(`${this.name}.add()`);
    const sc = ctx.scenario;
    sc.registry.define(this.name, this.type, this.contains);
    sc.registry.get(this.name, { ...sc.baseTags, ...ctx.vu.tags, ...tags, group: ctx.group }).acc.add(Number(value));
  }
}

/** Custom metrics (k6/metrics). Trend values are ms when isTime, plain numbers otherwise. */
export class Trend extends CustomMetric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime);
  }
}
export class Counter extends CustomMetric {
  constructor(name: string) {
    super(name, 'counter');
  }
}
export class Rate extends CustomMetric {
  constructor(name: string) {
    super(name, 'rate');
  }
}
export class Gauge extends CustomMetric {
  constructor(name: string) {
    super(name, 'gauge');
  }
}

/** k6/execution: who is running this iteration. */
export const exec = {
  get vu() {
    const ctx = currentIteration('exec.vu');
    return { idInTest: ctx.vu.id, iterationInScenario: ctx.iteration, vars: ctx.vu.vars };
  },
  get scenario() {
    const ctx = currentIteration('exec.scenario');
    return { name: ctx.scenario.scenarioName };
  },
};
