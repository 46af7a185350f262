// Builds the function a VU runs once per iteration — a compiled request flow (URL/YAML plans) or an
// exported script function — and wraps it with the iteration metrics every executor shares.
import { pathToFileURL } from 'node:url';
import type { MetricRegistry } from '../metrics/registry.ts';
import type { CardinalityGuard } from '../metrics/tags.ts';
import type { Plan, Scenario } from '../plan/types.ts';
import { iterationStore, vuInitStore, type IterationContext, type ScriptScenarioEnv } from './script/context.ts';
import type { CallbackIterationRunner, IterationRunner } from './executors/context.ts';
import type { Stripe } from './executors/stripe.ts';
import { compileSteps, runSteps, type StepDone, type Vars } from './flow/compile-flow.ts';
import type { VirtualUser } from './vu.ts';
import type { RequestPacer } from './request-pacer.ts';
import { openFeeders, type FeederSet } from './feeder-set.ts';
import { countUnhandledWith, failureBackoffMs, threadScriptErrors } from './script-errors.ts';
import { warnPendingRequests } from './script-warnings.ts';
import { instanceCounters } from './instance-counters.ts';

export interface RunnerInput {
  plan: Plan;
  scenarioName: string;
  scenario: Scenario;
  registry: MetricRegistry;
  guard: CardinalityGuard;
  setupData: unknown;
  /** The run's cap on requests per second (http.rps), when set. */
  pacer?: RequestPacer | undefined;
  stripe: Stripe;
  now(): number;
}

export async function buildIterationRunner(input: RunnerInput): Promise<IterationRunner> {
  const { plan, scenario, scenarioName, registry, now } = input;
  const baseTags = { ...plan.tags, ...scenario.tags, scenario: scenarioName };
  const iterTags = { ...baseTags, group: '' };
  const iterations = registry.get('iterations', iterTags).acc;
  const iterationDuration = registry.get('iteration_duration', iterTags).acc;
  // Created on first use: a run the stop cut nothing of shows no such metric.
  const interrupted = () => {
    instanceCounters.iterationsInterrupted++;
    registry.get('interrupted_iterations', { scenario: scenarioName }).acc.add(1);
  };
  const scheduleDelay = registry.get('iteration_schedule_delay', { scenario: scenarioName }).acc;
  const feeders = await openFeeders(plan.feeders, input.stripe);
  const env = { ...plan.env, ...scenario.env };

  if (scenario.flow) {
    // Request-list mode: the iteration runs on callbacks end to end; the promise form (open
    // model, anything that awaits) wraps it with one promise per iteration.
    const run = flowBody(scenario.flow, input, baseTags, feeders, env);
    // Per-VU state with its end-of-iteration callback made once: an iteration allocates nothing.
    interface FlowState {
      t0: number;
      done: () => void;
      end: StepDone;
    }
    const states = new WeakMap<VirtualUser, FlowState>();
    const stateOf = (vu: VirtualUser): FlowState => {
      let st = states.get(vu);
      if (st === undefined) {
        const s: FlowState = {
          t0: 0,
          done: noop,
          end: (t) => {
            if (t !== false && !vu.interrupted) {
              instanceCounters.iterationsCompleted++;
              iterations.add(1);
              iterationDuration.add(now() - s.t0);
            } else interrupted();
            const done = s.done;
            s.done = noop;
            done();
          },
        };
        states.set(vu, (st = s));
      }
      return st;
    };
    const withCallback: CallbackIterationRunner = (vu, intendedStart, done) => {
      const st = stateOf(vu);
      st.t0 = now();
      scheduleDelay.add(st.t0 - intendedStart);
      st.done = done;
      run(vu, intendedStart, st.end);
    };
    const runner: IterationRunner = (vu, intendedStart) => new Promise<void>((resolve) => withCallback(vu, intendedStart, resolve));
    runner.withCallback = withCallback;
    return runner;
  }

  const body = await scriptBody(input, baseTags, env);
  const paced = !scenario.executor.endsWith('arrival-rate');
  const minIterationMs = plan.minIterationDurationMs ?? 0;
  const failures = new WeakMap<object, number>();
  countUnhandledWith(() => registry.get('iteration_errors', { ...baseTags, error: 'UnhandledRejection' }).acc.add(1));
  return async (vu, intendedStart) => {
    // A VU's own script instance is set up before its first iteration is timed (k6 inits VUs first).
    if (body.prepare) {
      try {
        await body.prepare(vu);
      } catch (e) {
        // The VU's init threw: every iteration of that VU fails the same way (as a k6 VU would not start).
        if (!vu.interrupted && !alreadyReported(e)) threadScriptErrors.add(e, 'init');
        registry.get('iteration_errors', { ...baseTags, error: errorName(e) }).acc.add(1);
        return;
      }
    }
    const t0 = now();
    scheduleDelay.add(t0 - intendedStart);
    let completed = false;
    let threw = false;
    try {
      completed = await body(vu, intendedStart);
    } catch (e) {
      // A script exception ends the iteration (as in k6) and is counted, not fatal; the first of
      // each distinct error is kept with the user's stack for the summary. One thrown after the
      // stop interrupted the VU (a cut response read as JSON) is the stop's doing: the iteration
      // counts as interrupted only.
      if (!vu.interrupted) {
        registry.get('iteration_errors', { ...baseTags, error: errorName(e) }).acc.add(1);
        if (!alreadyReported(e)) threadScriptErrors.add(e, 'iteration');
        threw = true;
      }
      completed = true;
    }
    if (completed && !vu.interrupted) {
      const took = now() - t0;
      instanceCounters.iterationsCompleted++;
      if (vu.vuTagCount > 0) {
        // Tags the VU set (k6's exec.vu.metrics.tags) mark its iteration samples too.
        const tags = { ...iterTags, ...vu.tags, group: '' };
        registry.get('iterations', tags).acc.add(1);
        registry.get('iteration_duration', tags).acc.add(took);
      } else {
        iterations.add(1);
        iterationDuration.add(took);
      }
      // k6's minIterationDuration: the VU waits out the rest after the iteration is timed, so
      // iteration_duration keeps what the iteration itself took.
      if (minIterationMs > took) await vu.sleep(minIterationMs - took);
    } else interrupted();
    const streak = threw ? (failures.get(vu) ?? 0) + 1 : 0;
    failures.set(vu, streak);
    if (paced && streak > 0) await vu.sleep(failureBackoffMs(streak));
  };
}

type Body = ((vu: Parameters<IterationRunner>[0], intendedStart: number) => Promise<boolean>) & {
  /** Per-VU setup awaited before the iteration's clock starts (Plan.scriptPerVu). */
  prepare?: (vu: VirtualUser) => Promise<unknown>;
};
type FlowBody = (vu: VirtualUser, intendedStart: number, done: StepDone) => void;

function flowBody(
  flow: NonNullable<Scenario['flow']>,
  input: RunnerInput,
  baseTags: Record<string, string>,
  feeders: FeederSet,
  env: Record<string, string>,
): FlowBody {
  const steps = compileSteps(
    flow,
    { registry: input.registry, baseTags, http: input.plan.http, guard: input.guard, now: input.now, pacer: input.pacer },
    '',
  );
  const needsVars = feeders.size > 0 || flow.some((s) => JSON.stringify(s).includes('${'));
  return (vu, intendedStart, done) => {
    let vars: Vars = vu.vars;
    if (needsVars) {
      // Env, the feeder row and __VU/__ITER are own properties; captured variables live in vu.vars
      // (the prototype), so a value captured by one step is visible to the next at once.
      vars = Object.assign(Object.create(vu.vars) as Vars, feeders.next(vu.id), {
        env,
        __VU: String(vu.id),
        __ITER: String(vu.iteration - 1),
        __SCENARIO: input.scenarioName,
      });
    }
    runSteps(steps, vu, vars, intendedStart, done);
  };
}

async function scriptBody(input: RunnerInput, baseTags: Record<string, string>, env: Record<string, string>): Promise<Body> {
  const path = input.plan.scriptPath;
  if (!path) throw new Error(`scenario "${input.scenarioName}" has neither a flow nor a script`);
  // Scripts read __ENV like k6; process.env is shared by the worker so expose the plan's env there too.
  Object.assign(process.env, env);
  // Loaded with the script only: a request-list plan never passes a user module through the hooks.
  (await import('./script-loader/hooks.ts')).installScriptHooks();
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const fn = mod[input.scenario.exec];
  if (typeof fn !== 'function')
    throw new Error(
      `${path}: scenario "${input.scenarioName}" runs exec "${input.scenario.exec}", but the module exports no such function`,
    );
  const sc: ScriptScenarioEnv = {
    scenarioName: input.scenarioName,
    registry: input.registry,
    baseTags,
    http: input.plan.http,
    guard: input.guard,
    env,
    now: input.now,
    recorders: new Map(),
    pacer: input.pacer,
  };
  const data = input.setupData;
  const exec = input.scenario.exec;
  // Per-VU instances (k6 semantics): a VU's module is imported, its init code run, before its first iteration.
  const instances = new WeakMap<VirtualUser, Promise<(d: unknown) => unknown>>();
  const instanceFor = (vu: VirtualUser) => {
    let p = instances.get(vu);
    if (!p) {
      const url = `${pathToFileURL(path).href}?vu=${vu.id}`;
      p = vuInitStore.run({ vuId: vu.id }, () => import(url)).then((m: Record<string, unknown>) => m[exec] as (d: unknown) => unknown);
      instances.set(vu, p);
    }
    return p;
  };
  const body: Body = async (vu, intendedStart) => {
    const ctx: IterationContext = { vu, scenario: sc, group: '', intendedStart, iteration: vu.iteration - 1 };
    const run = input.plan.scriptPerVu ? await instanceFor(vu) : (fn as (d: unknown) => unknown);
    try {
      await iterationStore.run(ctx, () => run(data));
    } finally {
      if (ctx.pending) warnPendingRequests(input.scenarioName, ctx.pending, PENDING_HINT);
    }
    return true;
  };
  if (input.plan.scriptPerVu) body.prepare = instanceFor;
  return body;
}

function noop(): void {}

const PENDING_HINT =
  'an http call was not awaited. In a native script, write `await http.get(…)`; in a k6 script, the call is in a callback ' +
  'handed to code speedguard cannot see (a library, setTimeout, a Promise) — call it from a plain loop or function instead.';

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : 'Error';
}

/** An error its thrower already explained to the user (k6's test.abort()): counted, not listed again. */
function alreadyReported(e: unknown): boolean {
  return (e as { alreadyReported?: boolean } | null)?.alreadyReported === true;
}
