// Where a Node service waits (issue 12, off-CPU time): the asynchronous operations in flight while
// incoming requests are, each named by the call site in the service that started it. Loaded into the
// target by its own `--import` after agent.ts (companion-install.ts ships it); loading registers an
// object on globalThis and does nothing else: agent.ts starts it when its collector turns sampling on.
//
// How, within the agent's 5 % budget (bench/agent-overhead.ts; figures in BENCHMARKS.md §4):
// - one async_hooks hook with trackPromises: false (Node ≥ 24.14): init for native resources and
//   timers only, never for promises, whose hooks would run on every await of the service;
// - init returns at once for resources that are not a request's wait (NOT_WAITS, setInterval timers);
//   for the others a call-site stack is taken for a random subset — about STACKS_PER_SECOND, at most
//   MAX_TRACKED in flight at once. The choice does not depend on the kind, the site or the moment, so
//   the sampled shares estimate the shares of all operations;
// - `before` (the operation's callback is about to run: its result arrived) ends one; no destroy
//   hook (Node would call it for every tick and resource); a cleared timer is seen by its _destroyed;
// - agent.ts's 10 ms tick adds the tick to every tracked operation in flight while a request is:
//   the time-weighted share of each (kind, site), like a sampling profiler's;
// - the hook's own cost is Node calling it for every tick, callback and resource (≈ 2 % of the demo's
//   CPU with the hook always on). So it is on for windows of WINDOW_MS, as often as keeps those calls
//   near CALLS_PER_SECOND: always, on a service that waits (few events), a fraction of the time on a
//   busy one. Between windows it stays on only until the operations it follows have ended (their end
//   is their `before`), at most DRAIN_MS. acceptingMs says how long new operations were taken, so
//   the audit can scale the sampled time back up.
// A Node without trackPromises reports a PROMISE init at once: the hook is turned off and nothing is
// reported (tracking every promise would cost far more than the budget).
//
// Same rules as agent.ts: never crash the target, never keep it alive, plain JS after type stripping
// on Node 20+, only node: built-ins and the sibling files shipped with it.
import { createHook } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { AsyncWaitGroup, AsyncWaitStats } from '../../record/agent-samples.ts';
import { fromAgent, OWN_DIR, stackFrames } from './stack-frames.ts';

/** Operations tracked at once; others started meanwhile are counted as untracked. */
export const MAX_TRACKED = 64;
/** Call-site stacks taken per second, on average (each costs ~10–30 µs); never more than STACK_CAP in one second. */
export const STACKS_PER_SECOND = 100;
const STACK_CAP = 2 * STACKS_PER_SECOND;
/** Frames read per stack: enough to step out of Node's fs/promises and a library into the service. */
const STACK_LIMIT = 24;
/** (kind, site) groups kept: a service has few call sites that wait; a cap keeps a bad case bounded. */
const MAX_GROUPS = 200;
/** An operation in flight this long is dropped from tracking (its end was missed; it must not hold a slot). */
const MAX_AGE_MS = 30_000;
/** How long one window takes new operations (ms). */
export const WINDOW_MS = 200;
/** Hook calls per second (all resources and callbacks) the windows are spaced to: ~0.3 % of a core. */
export const CALLS_PER_SECOND = 5000;
/** After a window, the hook stays on at most this long for the operations it follows to end (ms). */
const DRAIN_MS = 2000;
/**
 * Resource types that are not what a request waits on: continuations (ticks, immediates, microtasks),
 * long-lived handles (sockets, servers, file handles, watchers, ports, workers), the incoming request
 * and its writes, and promises (not tracked at all; listed for a Node that tracks them anyway).
 */
const NOT_WAITS = new Set([
  'PROMISE',
  'TickObject',
  'Immediate',
  'Microtask',
  'TCPWRAP',
  'TCPSERVERWRAP',
  'PIPEWRAP',
  'PIPESERVERWRAP',
  'TTYWRAP',
  'UDPWRAP',
  'SIGNALWRAP',
  'FILEHANDLE',
  'FSEVENTWRAP',
  'STATWATCHER',
  'HTTPINCOMINGMESSAGE',
  'HTTPSERVERREQUEST',
  'HTTPPARSER',
  'WRITEWRAP',
  'SHUTDOWNWRAP',
  'MESSAGEPORT',
  'WORKER',
  'ELDHISTOGRAM',
  'JSSTREAM',
  'JSUDPWRAP',
  'HEAPSNAPSHOT',
  'INSPECTORJSBINDING',
]);

/** What agent.ts drives: ticks from its 10 ms timer, a take per sample. */
export interface AsyncWaitProbe {
  /** `ms` since the last tick; `requestsInFlight`: an incoming request was in flight. */
  tick(ms: number, requestsInFlight: boolean): void;
  /** The interval's figures (and a reset), or undefined once the tracker has turned itself off. */
  take(): AsyncWaitStats | undefined;
  stop(): void;
}
/** Registered on globalThis[Symbol.for('speedguard.agent.async')]. */
export interface AsyncWaitApi {
  start(): AsyncWaitProbe | undefined;
}

interface Group extends AsyncWaitGroup {
  live: number;
}
interface Op {
  group: Group;
  t0: number;
  /** The Timeout itself: clearTimeout marks it _destroyed at once, while its destroy hook comes later. */
  timer: { _destroyed?: boolean } | null;
}

export function startAsyncWaits(ownDir = OWN_DIR): AsyncWaitProbe | undefined {
  const live = new Map<number, Op>();
  const groups = new Map<string, Group>();
  // Sampling: each candidate is tracked with probability `chance`, set each second from the last
  // second's rate so that about STACKS_PER_SECOND stacks are taken; STACK_CAP bounds a sudden burst.
  let chance = 1;
  let second = performance.now();
  let candidates = 0;
  let stacks = 0;
  let capturing = false;
  let dead = false;
  let interval = { requestBusyMs: 0, coveredMs: 0, acceptingMs: 0, tracked: 0, ignored: 0, untracked: 0 };
  // Windows: 'accepting' takes new operations; 'draining' only waits for those followed to end; 'off'.
  let state: 'accepting' | 'draining' | 'off' = 'accepting';
  let calls = 0;
  let since = performance.now();
  let nextWindow = 0;

  const end = (asyncId: number) => {
    const op = live.get(asyncId);
    if (!op) return;
    live.delete(asyncId);
    op.group.live--;
  };
  const track = (asyncId: number, type: string, resource: unknown) => {
    const now = performance.now();
    if (now - second >= 1000) {
      const rate = (candidates * 1000) / (now - second);
      chance = rate > STACKS_PER_SECOND ? STACKS_PER_SECOND / rate : 1;
      second = now;
      candidates = 0;
      stacks = 0;
    }
    candidates++;
    // A coin per operation, not first come first served: a burst of quick operations (a read's fstat,
    // read and close) must not use up the budget before the slow one that follows (the next open).
    if ((chance < 1 && Math.random() >= chance) || stacks >= STACK_CAP) {
      interval.untracked++;
      return;
    }
    stacks++;
    const limit = Error.stackTraceLimit;
    const holder: { stack?: string } = {};
    capturing = true;
    try {
      Error.stackTraceLimit = STACK_LIMIT;
      // From below the hook: its own frames are in the agent's folder, like those of the agent's probes.
      Error.captureStackTrace(holder, onInit);
    } finally {
      Error.stackTraceLimit = limit;
      capturing = false;
    }
    const stack = holder.stack;
    // The agent's own probes (its threadpool probe, its socket) are not the service's waits.
    const frames = fromAgent(stack, ownDir) ? [] : stackFrames(stack, ownDir, 8, true);
    const own = frames.filter((f) => !f.dependency);
    // An anonymous callback defined in the function above it (a promise executor, an inline
    // callback) is named by that function: "fetchPrice", not "(anonymous)".
    const site =
      own[0]?.function === '(anonymous)' && own[1] && own[1].file === own[0].file && own[1].function !== '(anonymous)'
        ? own[1]
        : (own[0] ?? frames[0]);
    // No frame of the service or a library: Node's own (a keep-alive timer, a socket's internals).
    if (!site) {
      interval.ignored++;
      return;
    }
    const key = `${type}\n${site.file}:${site.line}:${site.column}\n${site.function}`;
    let group = groups.get(key);
    if (!group) {
      if (groups.size >= MAX_GROUPS) {
        interval.untracked++;
        return;
      }
      group = {
        kind: type,
        site: { file: site.file, line: site.line, column: site.column, function: site.function },
        inFlightMs: 0,
        started: 0,
        live: 0,
      };
      if (site.dependency) group.inDependency = true;
      groups.set(key, group);
    }
    group.started++;
    group.live++;
    interval.tracked++;
    live.set(asyncId, { group, t0: now, timer: type === 'Timeout' ? (resource as { _destroyed?: boolean }) : null });
  };

  function onInit(asyncId: number, type: string, _trigger: number, resource: unknown): void {
    calls++;
    if (capturing || state !== 'accepting') return;
    try {
      if (NOT_WAITS.has(type)) {
        if (type === 'PROMISE') turnOff();
        return;
      }
      // setInterval is a schedule, not a wait; an unref'd timer is a socket's idle or keep-alive
      // timeout (res.end arms one) or a background chore: nothing a request waits for.
      if (type === 'Timeout') {
        const timer = resource as { _repeat?: unknown; hasRef?: () => boolean };
        if (timer._repeat || timer.hasRef?.() === false) return;
      }
      if (live.size >= MAX_TRACKED) {
        interval.untracked++;
        return;
      }
      track(asyncId, type, resource);
    } catch {
      /* never break the target */
    }
  }
  const hook = createHook({
    trackPromises: false,
    init: onInit,
    before(asyncId: number) {
      calls++;
      if (live.size !== 0) end(asyncId);
    },
  } as Parameters<typeof createHook>[0]);
  /** Moves between the windows' states; called on every tick. */
  let windowStart = performance.now();
  const schedule = (now: number) => {
    if (state === 'accepting') {
      interval.acceptingMs += now - since;
      since = now;
      if (now - windowStart < WINDOW_MS) return;
      // Hook calls a second while on: how much of the time it may be on to stay near CALLS_PER_SECOND.
      const rate = (calls * 1000) / (now - windowStart);
      calls = 0;
      windowStart = now;
      if (rate <= CALLS_PER_SECOND) return; // few events: it stays on
      nextWindow = now + WINDOW_MS * (rate / CALLS_PER_SECOND - 1);
      state = 'draining';
    }
    if (state === 'draining' && (live.size === 0 || now - windowStart >= DRAIN_MS)) {
      // Still in flight after DRAIN_MS: no longer followed (a wait that long shows in the next windows).
      for (const id of [...live.keys()]) end(id);
      hook.disable();
      state = 'off';
    }
    // Here it is draining or off: an accepting window returned above or has just ended.
    if (now >= nextWindow) {
      if (state === 'off') hook.enable();
      state = 'accepting';
      since = now;
      windowStart = now;
      calls = 0;
    }
  };
  const turnOff = () => {
    dead = true;
    hook.disable();
    live.clear();
    groups.clear();
  };
  try {
    hook.enable();
    // A Node without trackPromises: this promise's init turns the hook off before any cost is paid.
    void Promise.resolve();
  } catch {
    return undefined;
  }

  return {
    tick(ms, requestsInFlight) {
      if (dead) return;
      const now = performance.now();
      schedule(now);
      if (!requestsInFlight) return;
      interval.requestBusyMs += ms;
      if (live.size === 0) return;
      let covered = false;
      for (const [id, op] of live) {
        if ((op.timer && op.timer._destroyed) || now - op.t0 > MAX_AGE_MS) {
          end(id);
          continue;
        }
        op.group.inFlightMs += ms;
        covered = true;
      }
      if (covered) interval.coveredMs += ms;
    },
    take() {
      if (dead) return undefined;
      const out: AsyncWaitGroup[] = [];
      for (const [key, g] of groups) {
        if (g.inFlightMs > 0 || g.started > 0) {
          const figures: AsyncWaitGroup = { kind: g.kind, site: g.site, inFlightMs: g.inFlightMs, started: g.started };
          if (g.inDependency) figures.inDependency = true;
          out.push(figures);
        }
        g.inFlightMs = 0;
        g.started = 0;
        if (g.live <= 0) groups.delete(key);
      }
      out.sort((a, b) => b.inFlightMs - a.inFlightMs);
      const stats: AsyncWaitStats = { ...interval, groups: out };
      interval = { requestBusyMs: 0, coveredMs: 0, acceptingMs: 0, tracked: 0, ignored: 0, untracked: 0 };
      return stats;
    },
    stop() {
      dead = true;
      hook.disable();
      live.clear();
      groups.clear();
    },
  };
}

const KEY = Symbol.for('speedguard.agent.async');
const g = globalThis as unknown as Record<symbol, unknown>;
if (process.env.SPEEDGUARD_AGENT_SOCKET && !g[KEY]) {
  // One tracker at a time: sampling may be turned off and on again (bench/agent-overhead.ts --same-process).
  let current: AsyncWaitProbe | undefined;
  const api: AsyncWaitApi = {
    start() {
      try {
        current?.stop();
        current = startAsyncWaits();
        return current;
      } catch {
        return undefined;
      }
    },
  };
  g[KEY] = api;
}
