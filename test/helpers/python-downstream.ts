// Shared by the off-CPU tests of a Python service without an agent (test/profile/off-cpu.test.ts,
// thread-waits.test.ts): the system's python3, a downstream over plain TCP that answers late, and
// `speedguard profile` of test/fixtures/perf/blocking_client.py asking it on every request.
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AssessmentRecord } from '../../src/record/assessment-record.ts';
import { profileWithPerf } from './perf.ts';
import { freePort } from './postgres.ts';

/** The interpreter itself (not a version manager's shim), or null. */
export function systemPython(): string | null {
  return ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => spawnSync(p, ['--version']).status === 0) ?? null;
}

/**
 * Profiles blocking_client.py (one thread, or a thread per request with `threads`) in front of a
 * downstream that answers each connection after 40 ms; returns the record and the downstream's port.
 */
export async function profileBlockingClient(
  python: string,
  o: { threads: boolean; vus: number },
): Promise<{ record: AssessmentRecord; downstreamPort: number }> {
  const downstream = net.createServer((s) => {
    s.once('data', () => setTimeout(() => s.end('42\n'), 40));
    s.on('error', () => {});
  });
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  const downstreamPort = (downstream.address() as net.AddressInfo).port;
  const port = await freePort();
  try {
    const fixture = fileURLToPath(new URL('../fixtures/perf/blocking_client.py', import.meta.url));
    const command = [python, fixture, String(port), String(downstreamPort), ...(o.threads ? ['threads'] : [])];
    const record = await profileWithPerf({ command, port }, { vus: o.vus, duration: 4000 });
    return { record, downstreamPort };
  } finally {
    downstream.close();
  }
}
