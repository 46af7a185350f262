// A service started with speedguard's Node agent and measured from inside for the length of some work:
// start it, open the measured-window probes (CPU/heap profiles, /proc, agent samples), run the work,
// then close the probes and stop the service — whatever the work did. assess --profile and the demo
// run their assessment inside one.
import { startTarget, type StartedTarget, type StartTargetOptions } from '../probes/target.ts';
import { startWindowProbes, type WindowProbes } from '../probes/window-probes.ts';

export interface ProfiledTargetOptions extends StartTargetOptions {
  /** Where the .cpuprofile / .heapprofile files go, and the name they carry. */
  outDir: string;
  name: string | ((origin: string) => string);
  log(line: string): void;
  /** Told as soon as the service runs (the demo kills its process group on a second Ctrl-C). */
  onStarted?(svc: StartedTarget): void;
}

export async function withProfiledTarget<T>(
  o: ProfiledTargetOptions,
  work: (origin: string, window: WindowProbes) => Promise<T>,
): Promise<T> {
  const svc = await startTarget(o);
  o.onStarted?.(svc);
  const origin = `http://127.0.0.1:${svc.port}`;
  o.log(`service listens on 127.0.0.1:${svc.port} (pid ${svc.pid}${svc.hello ? ', agent attached' : ''})`);
  const window = startWindowProbes(svc, { outDir: o.outDir, name: typeof o.name === 'function' ? o.name(origin) : o.name, log: o.log });
  try {
    return await work(origin, window);
  } finally {
    window.close();
    await svc.stop();
  }
}
