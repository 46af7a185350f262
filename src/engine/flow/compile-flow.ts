// Request-list mode (URL and YAML/JSON plans): compile a scenario's steps once into closures, so
// an iteration does no parsing, no tag building and — for requests with no ${} — no encoding.
import type { RequestPacer } from '../request-pacer.ts';
import type { Accumulator } from '../../metrics/accumulator.ts';
import type { MetricRegistry } from '../../metrics/registry.ts';
import { normaliseUrlName, type CardinalityGuard, type Tags } from '../../metrics/tags.ts';
import type { HttpSettings, RequestStep, Step } from '../../plan/types.ts';
import { compileTemplate } from '../../plan/template.ts';
import { prepareRequest } from '../http/encode.ts';
import type { HttpResponse, PreparedRequest, SendOptions } from '../http/types.ts';
import { ResponseRecorder } from '../response-metrics.ts';
import type { VirtualUser } from '../vu.ts';
import { compileCaptures, compileChecks, type CompiledCheck } from './checks-captures.ts';

export interface FlowEnv {
  registry: MetricRegistry;
  /** scenario tag + plan tags + scenario tags. */
  baseTags: Tags;
  http: HttpSettings;
  guard: CardinalityGuard;
  now(): number;
  /** The run's cap on requests per second (http.rps), when set. */
  pacer?: RequestPacer | undefined;
}

/** Variables visible to ${} templates during one iteration. */
export type Vars = Record<string, unknown>;

/**
 * Runs one step, then calls `next` with the time it ended, or false when the VU was interrupted
 * mid-way (stop the iteration). Callbacks, not promises: a request step costs one closure, where
 * an async function per layer (step, step list, flow, iteration) cost four suspended frames and
 * as many promises per request, all alive for the request's round trip (issue 10).
 */
export type StepDone = (t: number | false) => void;
export type CompiledStep = (vu: VirtualUser, vars: Vars, ready: number, next: StepDone) => void;

export function compileSteps(steps: readonly Step[], env: FlowEnv, group: string): CompiledStep[] {
  return steps.map((step): CompiledStep => {
    switch (step.kind) {
      case 'request':
        return compileRequest(step, env, group);
      case 'sleep': {
        const { minMs, maxMs } = step;
        return (vu, _vars, _ready, next) => {
          vu.sleep(minMs === maxMs ? minMs : minMs + Math.random() * (maxMs - minMs)).then(() => next(vu.interrupted ? false : env.now()));
        };
      }
      case 'group': {
        const path = group + '::' + step.name;
        const inner = compileSteps(step.steps, env, path);
        const duration = env.registry.get('group_duration', { ...env.baseTags, group: path }).acc;
        return (vu, vars, ready, next) => {
          const t0 = env.now();
          runSteps(inner, vu, vars, ready, (r) => {
            if (r !== false) duration.add(env.now() - t0);
            next(r);
          });
        };
      }
    }
  });
}

/** Run steps one after the other; `done` gets the last step's end time, or false. */
export function runSteps(steps: readonly CompiledStep[], vu: VirtualUser, vars: Vars, ready: number, done: StepDone): void {
  if (steps.length === 1) return steps[0]!(vu, vars, ready, done);
  let i = 0;
  const next: StepDone = (t) => {
    if (t === false || i === steps.length) return done(t);
    steps[i++]!(vu, vars, t, next);
  };
  next(ready);
}

function compileRequest(step: RequestStep, env: FlowEnv, group: string): CompiledStep {
  const url = compileTemplate(step.url);
  const body = step.body === null ? null : compileTemplate(step.body);
  const headerTemplates = Object.entries(step.headers).map(([k, v]) => [k, compileTemplate(v)] as const);
  const isStatic =
    url.constant !== null && (body === null || body.constant !== null) && headerTemplates.every(([, t]) => t.constant !== null);
  const checks: CompiledCheck[] = compileChecks(step.checks, env.registry, { ...env.baseTags, group });
  const captures = compileCaptures(step.capture);
  const needsBody = !env.http.discardResponseBodies || checks.some((c) => c.needsBody) || captures.some((c) => c.needsBody);
  const needsHeaders = checks.some((c) => c.needsHeaders) || captures.some((c) => c.needsHeaders);
  const opts: SendOptions = { keepBody: needsBody, keepHeaders: needsHeaders, requestTimeoutMs: env.http.timeoutMs };

  const build = (vars: Vars): PreparedRequest => {
    const headers: Record<string, string> = {};
    for (const [k, t] of headerTemplates) headers[k] = t(vars);
    return prepareRequest(step.method, url(vars), headers, body ? body(vars) : null);
  };
  // One recorder per distinct name tag; a static request has exactly one.
  const recorders = new Map<string, ResponseRecorder>();
  const recorderFor = (req: PreparedRequest): ResponseRecorder => {
    const name = env.guard.value('name', step.name ?? normaliseUrlName(req.url));
    let r = recorders.get(name);
    if (!r) {
      const tags = { ...env.baseTags, ...step.tags, name, method: req.method, group };
      recorders.set(name, (r = new ResponseRecorder(env.registry, tags, step.expectedStatuses)));
    }
    return r;
  };
  const staticReq = isStatic ? build({}) : null;
  const staticRecorder = staticReq ? recorderFor(staticReq) : null;

  // Per-VU state with its response callback made once: a request allocates no closure (at
  // thousands of connections each one lived a whole round trip and ended in the old space).
  interface RequestState {
    ready: number;
    next: StepDone;
    rec: ResponseRecorder | null;
    onResponse: (res: HttpResponse) => void;
  }
  const states = new WeakMap<VirtualUser, RequestState>();
  const stateOf = (vu: VirtualUser): RequestState => {
    let st = states.get(vu);
    if (st === undefined) {
      const s: RequestState = {
        ready: 0,
        next: noopStep,
        rec: null,
        onResponse: (res) => {
          const next = s.next;
          s.next = noopStep;
          const kind = res.error?.kind;
          // Never started (the client was already closed by the stop): nothing to record.
          if (kind === 'aborted') return next(false);
          try {
            s.rec!.record(res, s.ready);
            // Cut at the stop: counted as a failed request (kind cut_at_stop, its time so far); the
            // iteration ends there, interrupted, and no check or capture judges a response never read.
            if (kind === 'cut_at_stop') return next(false);
            for (const c of checks) c.run(res);
            for (const c of captures) c.run(res, vu.vars);
          } catch (e) {
            // This runs inside the connection's read callback: a bug here must end this iteration
            // as an iteration error (as a throwing script does), not break the connection.
            env.registry.get('iteration_errors', { ...env.baseTags, group, error: e instanceof Error ? e.name : 'Error' }).acc.add(1);
          }
          next(res.timings.endedAt);
        },
      };
      states.set(vu, (st = s));
    }
    return st;
  };

  return (vu, vars, ready, next) => {
    let req = staticReq;
    let recorder = staticRecorder;
    if (!req) {
      try {
        req = build(vars);
      } catch (e) {
        // A template that renders to an invalid request is a script/data problem: count it as a
        // failed request so it shows in the summary instead of stopping the run.
        recordBuildFailure(env, group, step, e as Error);
        return next(env.now());
      }
      recorder = recorderFor(req);
    }
    const st = stateOf(vu);
    st.ready = ready;
    st.next = next;
    st.rec = recorder!;
    const pacer = env.pacer;
    if (pacer === undefined) vu.client.sendWith(req, opts, st.onResponse);
    else {
      const paced = req;
      pacer.take(vu).then(() => vu.client.sendWith(paced, opts, st.onResponse));
    }
  };
}

function noopStep(): void {}

const buildFailures = new WeakMap<MetricRegistry, Accumulator>();
function recordBuildFailure(env: FlowEnv, group: string, step: RequestStep, _e: Error): void {
  let acc = buildFailures.get(env.registry);
  if (!acc) {
    acc = env.registry.get('http_req_errors', { ...env.baseTags, group, name: step.name ?? step.url, error: 'invalid_request' }).acc;
    buildFailures.set(env.registry, acc);
  }
  acc.add(1);
}
