// Signals that end a run: Ctrl-C, a kill, and a closed terminal or SSH session (SIGHUP, whose default
// action would kill the process and lose the whole run). Each is handled alike: the first asks the
// work to stop (what was measured is kept and reported), the handlers go away when it is done.
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Installs `handler` for every stop signal; returns the function that removes it. */
export function onStopSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return () => {
    for (const s of STOP_SIGNALS) process.off(s, handler);
  };
}

/**
 * The one Ctrl-C policy of every command that runs load: the first stop signal asks the work to stop
 * gracefully (what was measured is kept, reported, marked interrupted); a second one aborts at once
 * when the work can be aborted (a run: in-flight requests are cut, stuck workers terminated).
 */
export async function stopOnSignals<T>(
  handle: { result: Promise<T>; stop(reason: string): void; abort?(reason: string): void },
  message: (signal: NodeJS.Signals) => string,
): Promise<T> {
  let signals = 0;
  const off = onStopSignals((sig) => {
    if (++signals === 1) {
      process.stderr.write(`\nspeedguard: ${message(sig)}\n`);
      handle.stop(`interrupted by ${sig}`);
    } else {
      handle.abort?.(`interrupted by ${sig} (twice)`);
    }
  });
  try {
    return await handle.result;
  } finally {
    off();
  }
}
