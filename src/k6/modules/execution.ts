// The `k6/execution` module. test.abort() and test.fail() reach the coordinator through two hidden
// counters: the k6 plan gives `k6_test_abort` an abortOnFail threshold (the run stops within an
// interval, teardown still runs) and the exit code is read from both (108 / 110), as k6 does.
import { performance } from 'node:perf_hooks';
import { currentIteration, iterationStore } from '../../engine/script/context.ts';
import { instanceCounters } from '../../engine/instance-counters.ts';
import { perVu, scriptOptions } from './runtime.ts';
import { vuTags } from './vu-tags.ts';
import { declareCustomMetric } from '../../metrics/declared-metrics.ts';

export const ABORT_METRIC = 'k6_test_abort';
export const FAIL_METRIC = 'k6_test_fail';
// Declared where they are defined, so the plan's threshold on the abort counter names a known metric.
declareCustomMetric(ABORT_METRIC, 'counter');
declareCustomMetric(FAIL_METRIC, 'counter');

/** Thrown by test.abort(), and by every k6 call in this thread after it: it ends iterations at once. */
export class TestAbortError extends Error {
  override name = 'TestAbortError';
  /** Said once by test.abort(); the engine does not print each iteration it ends. */
  readonly alreadyReported = true;
}

let abortedWith: string | null = null;

export function isAborted(): boolean {
  return abortedWith !== null;
}

/**
 * After test.abort(), a request ends its iteration instead of running. It waits a little first
 * (ended early when the run stops the VU): iterations that fail at once would spin the thread
 * until the coordinator's stop arrives.
 */
export async function stopIfAborted(sleep: (ms: number) => Promise<void>): Promise<void> {
  if (abortedWith === null) return;
  await sleep(100);
  throw new TestAbortError(abortedWith);
}

const started = performance.now();
const scenarioIterations = new Map<string, number>();
const iterationNumber = new WeakMap<object, number>();

function mark(metric: string, reason: string): void {
  const ctx = iterationStore.getStore();
  if (!ctx) return;
  const sc = ctx.scenario;
  sc.registry.define(metric, 'counter', 'default');
  sc.registry.get(metric, { scenario: sc.scenarioName }).acc.add(1);
  if (reason)
    process.stderr.write(`speedguard: ${metric === ABORT_METRIC ? 'test aborted' : 'test marked failed'} by the script: ${reason}\n`);
}

const execution = {
  get vu() {
    const ctx = currentIteration('exec.vu');
    const tags = vuTags(ctx);
    return {
      idInInstance: ctx.vu.id,
      idInTest: ctx.vu.id,
      iterationInInstance: ctx.iteration,
      iterationInScenario: ctx.iteration,
      tags,
      // Metadata goes to outputs as non-indexed values in k6; speedguard keeps no per-sample metadata.
      metrics: { tags, metadata: perVu(ctx.vu, 'metadata', () => ({})) },
    };
  },
  get scenario() {
    const ctx = currentIteration('exec.scenario');
    const name = ctx.scenario.scenarioName;
    const defined = (scriptOptions().scenarios as Record<string, { executor?: string }> | undefined)?.[name];
    // Counted per worker: unique within it, not across worker threads (k6's is across the test).
    // Numbered once per iteration, at its first read: a script that reads it twice (to pick a row
    // of a SharedArray, then to log it) must see the same number both times.
    let n = iterationNumber.get(ctx);
    if (n === undefined) {
      n = scenarioIterations.get(name) ?? 0;
      scenarioIterations.set(name, n + 1);
      iterationNumber.set(ctx, n);
    }
    return {
      name,
      executor:
        defined?.executor ?? (scriptOptions().stages ? 'ramping-vus' : scriptOptions().duration ? 'constant-vus' : 'per-vu-iterations'),
      // k6 gives the start as Unix ms; this module's load is when the worker's scenarios begin.
      startTime: Math.round(performance.timeOrigin + started),
      progress: 0,
      iterationInInstance: n,
      iterationInTest: n,
    };
  },
  get instance() {
    return {
      currentTestRunDuration: performance.now() - started,
      vusActive: instanceCounters.vusActive,
      vusInitialized: instanceCounters.vusInitialized,
      iterationsCompleted: instanceCounters.iterationsCompleted,
      iterationsInterrupted: instanceCounters.iterationsInterrupted,
    };
  },
  test: {
    abort(reason = ''): never {
      if (abortedWith === null) mark(ABORT_METRIC, reason || 'test.abort()');
      abortedWith = reason || 'test aborted';
      throw new TestAbortError(reason || 'test aborted');
    },
    fail(reason = ''): void {
      mark(FAIL_METRIC, reason || 'test.fail()');
    },
    get options() {
      return scriptOptions();
    },
  },
};

export default execution;
export const { test } = execution;
