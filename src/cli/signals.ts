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

/** For assess and profile: the first stop signal asks the work to stop. */
export async function stopOnSignals<T>(handle: { result: Promise<T>; stop(): void }, message: string): Promise<T> {
  const off = onStopSignals(() => {
    process.stderr.write(`\nspeedguard: ${message}\n`);
    handle.stop();
  });
  try {
    return await handle.result;
  } finally {
    off();
  }
}
