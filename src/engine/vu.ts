// A virtual user: its own HTTP client (so its own keep-alive connections, as in k6), its variables
// (captured from responses), its data cursors, and a way to be interrupted at the graceful-stop deadline.
import type { HttpClient } from './http/types.ts';

export class VirtualUser {
  /** 1-based id, unique across all workers (k6's exec.vu.idInTest). */
  readonly id: number;
  /** Replaced after an interrupt: a closed client answers every request with 'aborted'. */
  client: HttpClient;
  private readonly makeClient: () => HttpClient;
  private openedByOldClients = 0;
  /** Variables captured from responses and set by scripts; visible to ${} templates. */
  readonly vars: Record<string, string> = Object.create(null);
  /**
   * Tags this VU adds to every sample it emits from now on (k6's exec.vu.metrics.tags); a sample's
   * own tags win over them. Empty for nearly every VU, so the hot paths test `vuTagCount` first.
   */
  readonly tags: Record<string, string> = {};
  vuTagCount = 0;
  /** Iterations this VU started (k6's exec.vu.iterationInScenario). */
  iteration = 0;
  busy = false;
  interrupted = false;
  private wakers = new Set<() => void>();

  constructor(id: number, makeClient: () => HttpClient) {
    this.id = id;
    this.makeClient = makeClient;
    this.client = makeClient();
  }

  /** TCP connections this VU opened over its life. */
  get connectionsOpened(): number {
    return this.openedByOldClients + this.client.connectionsOpened;
  }

  /** Think time that ends early when the VU is interrupted. */
  sleep(ms: number): Promise<void> {
    if (this.interrupted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Stop at once: sleeps end, in-flight requests fail as 'aborted' (and are not recorded). */
  interrupt(): void {
    this.interrupted = true;
    for (const wake of [...this.wakers]) wake();
    this.client.close();
  }

  /** After an interrupted iteration, a VU that is reused starts clean. */
  resume(): void {
    if (!this.interrupted) return;
    this.interrupted = false;
    this.openedByOldClients += this.client.connectionsOpened;
    this.client = this.makeClient();
  }
}
