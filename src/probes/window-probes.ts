// The inside view of a target over one measured window: the agent's samples, /proc samples, a CPU
// profile covering exactly that window and two sampling heap profiles (the allocation rate over its
// first seconds, then what stays live over the rest), assembled into the record's TargetProbes. Used
// by `speedguard profile`, `assess --profile` and `speedguard demo` (for the assessments the window is
// the capacity phase, or the baseline phase without a stress phase: ASSESSMENT-RULES.md §6).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyseCpuProfile } from '../analysis/cpu-profile.ts';
import { analyseHeapProfile } from '../analysis/heap-profile.ts';
import { attributeInlinedAllocations } from '../analysis/heap-inlined.ts';
import { summarise } from './proc/compute.ts';
import { startProcSampler } from './proc/sampler.ts';
import { startWaitSampler, type WaitSampler } from './proc/wait-sampler.ts';
import type { MainThreadWaits } from '../record/proc-samples.ts';
import type { ProcSampler } from './proc/types.ts';
import type { StartedTarget } from './target.ts';
import type { CpuProfileAnalysis, HeapProfileAnalysis, TargetProbes } from '../record/target-probes.ts';
import { startHeapSnapshots } from './heap-snapshots.ts';
import { startPerfRecord, type PerfRecording } from './perf/record.ts';
import { pythonLineReader } from './perf/python-lines.ts';
import { tracePerfSyscalls } from './perf/trace.ts';
import { waitsWorthNaming } from '../analysis/off-cpu.ts';
import type { SyscallTrace } from '../record/proc-samples.ts';
import { perfScriptToCpuProfile } from '../analysis/perf-script.ts';
import { summariseAsyncWaits } from '../analysis/async-waits.ts';

/**
 * The allocation-rate heap profile covers the first seconds of the window, the live-only one the
 * rest: V8 runs one sampling heap profile at a time and cannot tell live from collected samples
 * within one. A few seconds give thousands of samples at any allocation rate that makes GC pressure,
 * and the target keeps every sample of this kind until it stops (1.5 GB/s at V8's 32 KiB interval
 * was 43,000 samples a second on the GC fixture): hence also the coarser interval. The switch costs
 * the target one JSON.stringify of that profile (milliseconds) inside the window.
 */
export const ALLOCATION_PROFILE_MS = 3000;
export const ALLOCATION_SAMPLING_BYTES = 128 * 1024;
/**
 * When the /proc wait samples are looked at to decide on a perf trace slice: after this much of the
 * window (or half of a shorter one), so the samples say something and the slice ends inside it.
 */
export const TRACE_DECISION_MS = 2000;

/**
 * The CPU profiler's default sampling interval (µs): V8's own, for every profiled run (profile,
 * assess --profile, the demo). Its cost is measured in every run (the observer effect); 1000 against
 * 2000 µs differed by less than this machine's noise (BENCHMARKS.md), and a coarser interval loses
 * the few samples that name light work (the issuer of threadpool jobs).
 */
export const DEFAULT_SAMPLING_INTERVAL_US = 1000;

export interface WindowProbes {
  /**
   * The V8 CPU profiler's sampling interval (µs) when the target has the Node agent; null without it
   * (perf's stacks, whose cost is not the CPU profiler's: no observer-effect reference is run).
   */
  readonly samplingIntervalUs: number | null;
  /** Start the measured window: the CPU profile begins now. */
  begin(): Promise<void>;
  /** End it: the CPU profile is saved and analysed. */
  end(): Promise<void>;
  /** Everything measured, cut to the window (call after end()). */
  probes(): TargetProbes;
  /** Stop sampling (the target itself is stopped by its owner). */
  close(): void;
}

export function startWindowProbes(
  target: StartedTarget,
  o: {
    outDir: string;
    name: string;
    log(line: string): void;
    samplingIntervalUs?: number;
    windowMs?: number;
    heapSnapshots?: boolean;
    perf?: boolean;
  },
): WindowProbes {
  const proc: ProcSampler = startProcSampler(target.pid, { intervalMs: 1000 });
  // Without the Node agent (another language, --pid): Linux perf's stacks stand in for the V8 profile.
  const agent = target.hello ? target.collector : null;
  const samplingIntervalUs = o.samplingIntervalUs ?? DEFAULT_SAMPLING_INTERVAL_US;
  let perf: PerfRecording | null = null;
  // Off-CPU: where the main thread waits, sampled from here (any language, no cost to the target).
  let waitSampler: WaitSampler | null = null;
  let waits: MainThreadWaits | null = null;
  let perfError: string | null = null;
  // perf trace over a slice of the window, only when the wait samples show a wait worth naming.
  let traceTimer: NodeJS.Timeout | undefined;
  let tracing: Promise<void> | undefined;
  let syscallTrace: SyscallTrace | null = null;
  let syscallTraceError: string | null = null;
  // Heap snapshots before and after the load (and in its middle when cheap): what holds a leak.
  const snapshots = agent && o.heapSnapshots !== false ? startHeapSnapshots(agent, { log: o.log, projectRoot: process.cwd() }) : null;
  let from = 0;
  let to = 0;
  let cpuOn = false;
  let heapOn = false;
  let heapFrom = 0;
  let allocationOn = false;
  let allocationFrom = 0;
  let switchTimer: NodeJS.Timeout | undefined;
  let switching: Promise<void> | undefined;
  let cpuProfile: CpuProfileAnalysis | null = null;
  let heapProfile: HeapProfileAnalysis | null = null;
  let heapAllocationProfile: HeapProfileAnalysis | null = null;
  let closed = false;
  // Saved beside the reports (they link to them); the .cpuprofile opens in Chrome DevTools.
  const dir = resolve(o.outDir, 'ANALYSIS');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const cpuPath = join(dir, `${o.name}-${stamp}.cpuprofile`);
  const heapPath = join(dir, `${o.name}-${stamp}.heapprofile`);
  const allocationPath = join(dir, `${o.name}-${stamp}-allocations.heapprofile`);
  const attempt = async (what: string, fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (e) {
      o.log(`${what}: ${(e as Error).message}`);
      return false;
    }
  };
  const startLive = async () => {
    if (!agent) return;
    heapOn = await attempt('heap profile not started', async () => {
      await agent.startHeapProfile();
    });
    heapFrom = Date.now();
  };
  const stopAllocation = async () => {
    if (!agent || !allocationOn) return;
    allocationOn = false;
    const durationMs = Date.now() - allocationFrom;
    await attempt('allocation profile not saved', async () => {
      mkdirSync(dir, { recursive: true });
      heapAllocationProfile = await saveHeapProfile(agent, allocationPath, 'allocated', durationMs);
    });
  };
  return {
    samplingIntervalUs: agent ? samplingIntervalUs : null,
    async begin() {
      // Before the CPU profile starts: the snapshot's pause is not the target's work.
      await snapshots?.begin(o.windowMs ?? null);
      if (agent) {
        cpuOn = await attempt('CPU profile not started', () => agent.startCpuProfile({ samplingIntervalUs }));
        // First the allocation rate (GC pressure's sites), then what stays live (a leak's sites).
        await attempt('allocation profile not started', async () => {
          const { includesCollected } = await agent.startHeapProfile({
            includeCollected: true,
            samplingIntervalBytes: ALLOCATION_SAMPLING_BYTES,
          });
          // A V8 that cannot keep collected samples gave a live-only profile (at the coarser
          // interval): it stays on as that one.
          if (includesCollected) allocationOn = true;
          else heapOn = true;
        });
        if (allocationOn) {
          switchTimer = setTimeout(() => {
            switching = stopAllocation().then(startLive);
          }, ALLOCATION_PROFILE_MS);
          switchTimer.unref();
        } else if (!heapOn) {
          await startLive();
        }
      }
      if (!agent && o.perf !== false) perf = startPerfRecord(target.pid);
      if (process.platform === 'linux') waitSampler = startWaitSampler(target.pid);
      if (waitSampler && o.perf !== false) {
        const sampler = waitSampler;
        traceTimer = setTimeout(
          () => {
            const sofar = sampler.peek();
            if (!sofar || !waitsWorthNaming(sofar)) return;
            tracing = tracePerfSyscalls(target.pid).then((r) => {
              if ('error' in r) {
                syscallTraceError = r.error;
                o.log(`no system-call trace: ${r.error}`);
              } else syscallTrace = r;
            });
          },
          Math.min(TRACE_DECISION_MS, (o.windowMs ?? 2 * TRACE_DECISION_MS) / 2),
        );
        traceTimer.unref();
      }
      from = Date.now();
      allocationFrom = from;
      if (heapOn) heapFrom = from;
    },
    async end() {
      to = Date.now();
      waits = waitSampler?.stop() ?? null;
      waitSampler = null;
      clearTimeout(traceTimer);
      await tracing;
      clearTimeout(switchTimer);
      if (perf) {
        const r = await perf.stop();
        perf = null;
        if ('error' in r) {
          perfError = r.error;
          o.log(`no stacks from perf: ${r.error}`);
        } else {
          await attempt('perf stacks not analysed', async () => {
            mkdirSync(dir, { recursive: true });
            const profile = perfScriptToCpuProfile(r.script, {
              pid: target.pid,
              ...(r.exe ? { mainDso: r.exe } : {}),
              pythonLine: pythonLineReader(),
            });
            writeFileSync(cpuPath, JSON.stringify(profile));
            cpuProfile = analyseCpuProfile(profile, { path: cpuPath, projectRoot: process.cwd() });
          });
        }
      }
      if (!agent) return;
      await switching;
      mkdirSync(dir, { recursive: true });
      // The window was shorter than the allocation phase: no live profile then.
      await stopAllocation();
      if (cpuOn) {
        cpuOn = false;
        await attempt('CPU profile not saved', async () => {
          await agent.stopCpuProfile(cpuPath);
          cpuProfile = analyseCpuProfile(JSON.parse(readFileSync(cpuPath, 'utf8')), { path: cpuPath, projectRoot: process.cwd() });
        });
      }
      await snapshots?.end();
      if (heapOn) {
        heapOn = false;
        const durationMs = Date.now() - heapFrom;
        await attempt('heap profile not saved', async () => {
          heapProfile = await saveHeapProfile(agent, heapPath, 'live', durationMs);
        });
      }
    },
    probes(): TargetProbes {
      // stop() may be called again: it returns the same summary.
      const base = proc.stop();
      closed = true;
      const until = (to || Date.now()) + 1000;
      const inWindow = proc.samples.filter((s) => s.t >= from && s.t <= until);
      const windowSummary =
        base.supported && inWindow.length
          ? summarise(inWindow, { pid: base.pid, exited: base.exited, clockTicksPerSecond: base.clockTicksPerSecond, cgroup: base.cgroup })
          : base;
      // Inlined allocators: the CPU profile of the same window names what the heap profile cannot.
      if (heapProfile) heapProfile = attributeInlinedAllocations(heapProfile, cpuProfile);
      if (heapAllocationProfile) heapAllocationProfile = attributeInlinedAllocations(heapAllocationProfile, cpuProfile);
      const agentSamples = target.collector ? target.collector.samples.filter((s) => s.time >= from && s.time <= until) : null;
      // Where requests waited, by call site (the agent's async-wait tracker), named as the CPU profile names functions.
      const asyncWaits = agentSamples ? summariseAsyncWaits(agentSamples, { projectRoot: process.cwd() }) : null;
      return {
        target: target.info(),
        window: from ? { fromEpochMs: from, toEpochMs: to || Date.now() } : null,
        agent: agentSamples ? { hello: target.hello, samples: agentSamples } : null,
        proc: { samples: inWindow, summary: windowSummary },
        cpuProfile,
        heapProfile,
        heapAllocationProfile,
        ...(snapshots?.result() ? { heapSnapshots: snapshots.result() } : {}),
        ...(perfError ? { perfError } : {}),
        ...(waits ? { waits } : {}),
        ...(asyncWaits ? { asyncWaits } : {}),
        ...(syscallTrace ? { syscallTrace } : {}),
        ...(syscallTraceError ? { syscallTraceError } : {}),
      };
    },
    close() {
      clearTimeout(switchTimer);
      clearTimeout(traceTimer);
      waitSampler?.stop();
      snapshots?.close();
      if (!closed) proc.stop();
      closed = true;
    },
  };
}

/** Stops the agent's heap sampling into `path` and reads the profile back for the record. */
async function saveHeapProfile(
  agent: { stopHeapProfile(path: string): Promise<unknown> },
  path: string,
  kind: 'live' | 'allocated',
  durationMs: number,
): Promise<HeapProfileAnalysis> {
  await agent.stopHeapProfile(path);
  return analyseHeapProfile(JSON.parse(readFileSync(path, 'utf8')), { path, projectRoot: process.cwd(), kind, durationMs });
}
