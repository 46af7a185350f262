// `speedguard profile --port P -- python3 server.py` where python3 is pyenv's shim: a bash script
// that runs pyenv, which runs the interpreter as a child of a bash process — the process speedguard
// spawns is not the server. The probes must watch the process that holds the listening socket (the
// interpreter): it is on a CPU most of the time (the shim waits in wait4), and with -X perf and
// Linux perf the CPU-bound finding names the Python function. Skipped, saying why, without pyenv.
// (pyenv 2.x keeps the pid — every step execs — but a start script around it does not.)
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { targetProbesOf } from '../../src/record/target-probes.ts';
import { describeFindings } from '../helpers/profile.ts';
import { perfCannotRecord, profileWithPerf } from '../helpers/perf.ts';
import { freePort } from '../helpers/postgres.ts';

const SHIM = '/root/.pyenv/shims/python3';
const VERSIONS = '/root/.pyenv/versions';
const FIXTURE = fileURLToPath(new URL('../fixtures/perf/hot_server.py', import.meta.url));
const START_SCRIPT = fileURLToPath(new URL('../fixtures/perf/start-server.sh', import.meta.url));

/** A pyenv Python ≥ 3.12 (for -X perf), else any pyenv Python. */
function pyenvVersion(): string | null {
  if (!existsSync(SHIM) || !existsSync(VERSIONS)) return null;
  const versions = readdirSync(VERSIONS).filter((v) => /^3\.\d+\.\d+$/.test(v));
  const minor = (v: string) => Number(v.split('.')[1]);
  return versions.sort((a, b) => minor(b) - minor(a))[0] ?? null;
}

/** Profiles hot_server.py started by `launcher` + the shim, and checks the probes watched the interpreter. */
async function profileThroughShim(t: TestContext, launcher: string[]): Promise<void> {
  const version = pyenvVersion();
  if (!version) {
    t.skip(`pyenv is absent (no ${SHIM} or no Python 3 under ${VERSIONS})`);
    return;
  }
  const perfOk = Number(version.split('.')[1]) >= 12 && perfCannotRecord() === null;
  const port = await freePort();
  const saved = process.env.PYENV_VERSION;
  process.env.PYENV_VERSION = version; // the shim picks the interpreter from it
  try {
    const command = [...launcher, SHIM, ...(perfOk ? ['-X', 'perf'] : []), FIXTURE, String(port)];
    const r = await profileWithPerf({ command, port });
    const p = targetProbesOf(r)!;
    // A waiting shell (wait4, no CPU) is not the server; the interpreter computes checksum.
    const summary = p.proc?.summary;
    assert.ok(summary?.supported && summary.cpu && summary.cpu.avgPercent > 30, `target CPU: ${JSON.stringify(summary)}`);
    assert.ok(p.waits && p.waits.runningShare > 0.3, `main thread of the watched process: ${JSON.stringify(p.waits)}`);
    assert.ok(!p.waits.waits.some((w) => w.syscall === 'wait4' && w.share > 0.5), JSON.stringify(p.waits.waits.slice(0, 3)));
    if (!perfOk) {
      t.diagnostic(`no perf stacks: ${perfCannotRecord() ?? `pyenv's newest Python is ${version} (-X perf needs 3.12)`}`);
      return;
    }
    const f = r.findings.find((x) => x.audit === 'cpu-bound');
    assert.ok(f, describeFindings(r));
    assert.equal(f.location?.function, 'checksum', describeFindings(r));
    console.log(`${command.slice(0, 3).join(' ')} …: pid ${p.target.pid}, ${f.title}`);
  } finally {
    if (saved === undefined) delete process.env.PYENV_VERSION;
    else process.env.PYENV_VERSION = saved;
  }
}

// pyenv's shim execs pyenv, which execs the interpreter: the pid stays (this passes with or without
// following the listening socket, and guards against a pyenv that forks).
test('python3 server.py through the pyenv shim: the probes watch the interpreter', (t) => profileThroughShim(t, []));

// A start script runs the shim as its child: the listening socket's owner is the interpreter.
test('a start script that runs the shim as its child: the probes watch the interpreter, not the shell', (t) =>
  profileThroughShim(t, ['/bin/sh', START_SCRIPT]));
