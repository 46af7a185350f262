// The inside view of a target over one measured window: the agent's samples, /proc samples and a
// CPU profile covering exactly that window, assembled into the record's TargetProbes. Used by
// `assess --profile` and `speedguard demo` (the profile covers the baseline phase: the expected load).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyseCpuProfile } from '../analysis/cpu-profile.ts';
import { summarise } from '../probes/proc/compute.ts';
import { startProcSampler } from '../probes/proc/sampler.ts';
import type { ProcSampler } from '../probes/proc/types.ts';
import type { StartedTarget } from '../probes/target.ts';
import type { CpuProfileAnalysis, TargetProbes } from '../record/target-probes.ts';

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
  let from = 0;
  let to = 0;
  let profiling = false;
  let cpuProfile: CpuProfileAnalysis | null = null;
  let closed = false;
  const dir = resolve(o.outDir, 'ANALYSIS');
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const path = join(dir, `${o.name}-${stamp}.cpuprofile`);
  return {
    async begin() {
      from = Date.now();
      if (!target.collector) return;
      try {
        await target.collector.startCpuProfile(o.samplingIntervalUs ? { samplingIntervalUs: o.samplingIntervalUs } : {});
        profiling = true;
      } catch (e) {
        o.log(`CPU profile not started: ${(e as Error).message}`);
      }
    },
    async end() {
      to = Date.now();
      if (!profiling || !target.collector) return;
      profiling = false;
      try {
        mkdirSync(dir, { recursive: true });
        await target.collector.stopCpuProfile(path);
        cpuProfile = analyseCpuProfile(JSON.parse(readFileSync(path, 'utf8')), { path, projectRoot: process.cwd() });
      } catch (e) {
        o.log(`CPU profile not saved: ${(e as Error).message}`);
      }
    },
    probes(): TargetProbes {
      // stop() may be called again: it returns the same summary.
      const base = proc.stop();
      closed = true;
      const inWindow = proc.samples.filter((s) => s.t >= from && s.t <= to + 1000);
      const windowSummary = base.supported && inWindow.length
        ? summarise(inWindow, { pid: base.pid, exited: base.exited, clockTicksPerSecond: base.clockTicksPerSecond, cgroup: base.cgroup })
        : base;
      return {
        target: target.info(),
        window: from ? { fromEpochMs: from, toEpochMs: to || Date.now() } : null,
        agent: target.collector ? { hello: target.hello, samples: target.collector.samples.filter((s) => s.time >= from && s.time <= (to || Date.now()) + 1000) } : null,
        proc: { samples: inWindow, summary: windowSummary },
        cpuProfile,
      };
    },
    close() {
      if (!closed) proc.stop();
      closed = true;
    },
  };
}
