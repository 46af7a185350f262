// The inside view of a target over one measured window: the agent's samples, /proc samples, a CPU
// profile and a sampling heap profile covering exactly that window, assembled into the record's
// TargetProbes. Used by `speedguard profile`, `assess --profile` and `speedguard demo` (for the
// assessments the window is the baseline phase: the expected load).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyseCpuProfile } from '../analysis/cpu-profile.ts';
import { analyseHeapProfile } from '../analysis/heap-profile.ts';
import { summarise } from '../probes/proc/compute.ts';
import { startProcSampler } from '../probes/proc/sampler.ts';
import type { ProcSampler } from '../probes/proc/types.ts';
import type { StartedTarget } from '../probes/target.ts';
import type { CpuProfileAnalysis, HeapProfileAnalysis, TargetProbes } from '../record/target-probes.ts';

export interface WindowProbes {
  /** Start the measured window: the CPU profile begins now. */
  begin(): Promise<void>;
  /** End it: the CPU profile is saved and analysed. */
  end(): Promise<void>;
  /** Everything measured, cut to the window (call after end()). */
  probes(): TargetProbes;
  /** Stop sampling (the target itself is stopped by its owner). */
  close(): void;
}

export function startWindowProbes(target: StartedTarget, o: { outDir: string; name: string; log(line: string): void; samplingIntervalUs?: number }): WindowProbes {
  const proc: ProcSampler = startProcSampler(target.pid, { intervalMs: 1000 });
  const agent = target.collector;
  let from = 0;
  let to = 0;
  let cpuOn = false;
  let heapOn = false;
  let cpuProfile: CpuProfileAnalysis | null = null;
  let heapProfile: HeapProfileAnalysis | null = null;
  let closed = false;
  // Saved beside the reports (they link to them); the .cpuprofile opens in Chrome DevTools.
  const dir = resolve(o.outDir, 'ANALYSIS');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const cpuPath = join(dir, `${o.name}-${stamp}.cpuprofile`);
  const heapPath = join(dir, `${o.name}-${stamp}.heapprofile`);
  const attempt = async (what: string, fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (e) {
      o.log(`${what}: ${(e as Error).message}`);
      return false;
    }
  };
  return {
    async begin() {
      if (agent) {
        cpuOn = await attempt('CPU profile not started', () => agent.startCpuProfile(o.samplingIntervalUs ? { samplingIntervalUs: o.samplingIntervalUs } : {}));
        // Over the same window: allocations still live at its end (a leak's sites).
        heapOn = await attempt('heap profile not started', () => agent.startHeapProfile());
      }
      from = Date.now();
    },
    async end() {
      to = Date.now();
      if (!agent) return;
      mkdirSync(dir, { recursive: true });
      if (cpuOn) {
        cpuOn = false;
        await attempt('CPU profile not saved', async () => {
          await agent.stopCpuProfile(cpuPath);
          cpuProfile = analyseCpuProfile(JSON.parse(readFileSync(cpuPath, 'utf8')), { path: cpuPath, projectRoot: process.cwd() });
        });
      }
      if (heapOn) {
        heapOn = false;
        await attempt('heap profile not saved', async () => {
          await agent.stopHeapProfile(heapPath);
          heapProfile = analyseHeapProfile(JSON.parse(readFileSync(heapPath, 'utf8')), { path: heapPath, projectRoot: process.cwd() });
        });
      }
    },
    probes(): TargetProbes {
      // stop() may be called again: it returns the same summary.
      const base = proc.stop();
      closed = true;
      const until = (to || Date.now()) + 1000;
      const inWindow = proc.samples.filter((s) => s.t >= from && s.t <= until);
      const windowSummary = base.supported && inWindow.length
        ? summarise(inWindow, { pid: base.pid, exited: base.exited, clockTicksPerSecond: base.clockTicksPerSecond, cgroup: base.cgroup })
        : base;
      return {
        target: target.info(),
        window: from ? { fromEpochMs: from, toEpochMs: to || Date.now() } : null,
        agent: agent ? { hello: target.hello, samples: agent.samples.filter((s) => s.time >= from && s.time <= until) } : null,
        proc: { samples: inWindow, summary: windowSummary },
        cpuProfile,
        heapProfile,
      };
    },
    close() {
      if (!closed) proc.stop();
      closed = true;
    },
  };
}
