// Ctrl-C and SIGTERM for the long-running commands (assess, profile): the first signal asks the
// work to stop (what was measured is kept and reported), the handlers go away when it is done.
export async function stopOnSignals<T>(handle: { result: Promise<T>; stop(): void }, message: string): Promise<T> {
  const onSignal = () => {
    process.stderr.write(`\nspeedguard: ${message}\n`);
    handle.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await handle.result;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
