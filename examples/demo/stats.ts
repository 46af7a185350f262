// Counters the demo keeps about itself, served by GET /debug/stats: requests per route and the CPU
// time of the functions that matter. They make each deliberate bottleneck measurable from outside.

export interface FunctionTiming {
  calls: number;
  /**
   * CPU time of this thread spent inside the function (ms); null for an async function, whose awaits
   * let other requests' work run on the thread in between (its time is waiting, mostly: wallMs).
   */
  cpuMs: number | null;
  /** Wall-clock time inside the function (ms). */
  wallMs: number;
}

// process.threadCpuUsage (Node ≥ 23.9) measures this thread only, so a timing is not inflated by
// worker or libuv threads; fall back to the process-wide figure elsewhere.
const threadCpu: () => NodeJS.CpuUsage =
  typeof process.threadCpuUsage === 'function' ? () => process.threadCpuUsage() : () => process.cpuUsage();

export class DemoStats {
  readonly startedAt = new Date().toISOString();
  readonly requests: Record<string, number> = {};
  readonly functions: Record<string, FunctionTiming> = {};

  countRequest(route: string): void {
    this.requests[route] = (this.requests[route] ?? 0) + 1;
  }

  /** Runs a synchronous function and adds its CPU and wall time under `name`. */
  measure<T>(name: string, fn: () => T): T {
    const cpu0 = threadCpu();
    const wall0 = performance.now();
    try {
      return fn();
    } finally {
      const cpu = threadCpu();
      const t = (this.functions[name] ??= { calls: 0, cpuMs: 0, wallMs: 0 });
      t.calls++;
      t.cpuMs = (t.cpuMs ?? 0) + (cpu.user - cpu0.user + cpu.system - cpu0.system) / 1000;
      t.wallMs += performance.now() - wall0;
    }
  }

  /** Runs an async function and adds its wall time (the time its callers waited) under `name`. */
  async measureAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const wall0 = performance.now();
    try {
      return await fn();
    } finally {
      const t = (this.functions[name] ??= { calls: 0, cpuMs: null, wallMs: 0 });
      t.calls++;
      t.wallMs += performance.now() - wall0;
    }
  }
}
