// `speedguard profile` on a Python 3.12+ service started with `-X perf`: Linux perf's stacks (DWARF
// unwinding: CPython has no frame pointers) are symbolised through the perf map CPython writes, the
// interpreter's frames are folded into the Python function they run, and the CPU-bound finding names
// that function. Skipped, saying why, when no Python ≥ 3.12 is found or perf cannot record here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFindings } from '../helpers/profile.ts';
import { perfCannotRecord, profileWithPerf, topUserFunction } from '../helpers/perf.ts';
import { freePort } from '../helpers/postgres.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/perf/hot_server.py', import.meta.url));

/** A Python ≥ 3.12 interpreter: on PATH, or installed by pyenv. */
function python312(): string | null {
  const pyenv = '/root/.pyenv/versions';
  const candidates = ['python3.14', 'python3.13', 'python3.12', 'python3'];
  if (existsSync(pyenv)) for (const v of readdirSync(pyenv).sort().reverse()) candidates.push(join(pyenv, v, 'bin', 'python3'));
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', 'import sys; print(sys.version_info >= (3, 12))'], { encoding: 'utf8' });
    if (!r.error && r.stdout.trim() === 'True') return c;
  }
  return null;
}

function cannotRun(python: string | null): string | null {
  if (!python) return 'no Python ≥ 3.12 found (python3.12/3.13/3.14 on PATH or under /root/.pyenv/versions): -X perf needs 3.12';
  return perfCannotRecord();
}

test('a Python 3.12 service under -X perf: the CPU-bound finding names checksum', async (t) => {
  const python = python312();
  const why = cannotRun(python);
  if (why) {
    t.skip(why);
    return;
  }
  const port = await freePort();
  const r = await profileWithPerf({ command: [python!, '-X', 'perf', FIXTURE, String(port)], port });
  const top = topUserFunction(r, 50);
  assert.equal(top.function, 'checksum');
  assert.match(top.file, /hot_server\.py$/);
  // perf's map gives no line: it is the line of `def checksum` in the source.
  const defLine =
    readFileSync(FIXTURE, 'utf8')
      .split('\n')
      .findIndex((l) => l.startsWith('def checksum(')) + 1;
  assert.equal(top.line, defLine);
  assert.ok(top.selfShare > 0.3, `checksum self share ${top.selfShare}`);
  const f = r.findings.find((x) => x.audit === 'cpu-bound');
  assert.ok(f, describeFindings(r));
  assert.equal(f.location?.function, 'checksum', describeFindings(r));
  assert.match(f.title, /checksum takes \d+ % of the CPU/);
  assert.equal(f.location?.line, defLine, describeFindings(r));
  assert.ok(f.description.includes(`checksum (`) && f.description.includes(`hot_server.py:${defLine})`), f.description);
  // A Python service: no "JavaScript thread" in what it is told.
  assert.doesNotMatch(`${f.description} ${f.rootCause}`, /JavaScript/, f.description);
  console.log(`Python finding: ${f.title} (${f.location?.file}:${f.location?.line}) — ${f.description}`);
});
