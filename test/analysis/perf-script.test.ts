// perf script text → a V8-style CPU profile → analyseCpuProfile: the executable's own functions are
// the application's, libraries and the kernel are native, a runtime's own binary is not the
// application, Node's perf-map JIT frames get their file and line, other processes are left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perfScriptToCpuProfile } from '../../src/analysis/perf-script.ts';
import { analyseCpuProfile } from '../../src/analysis/cpu-profile.ts';

const sample = (pid: number, t: string, frames: string[]) =>
  `hot-server ${pid}/${pid}  ${t}: cpu-clock: \n${frames.map((f) => `\t    55d0c0ffee ${f}`).join('\n')}\n\n`;

test('own executable frames are user code with their caller chain; other pids and libc are not', () => {
  let text = '';
  for (let i = 0; i < 8; i++)
    text += sample(42, `100.${String(i).padStart(6, '0')}`, [
      'burn_cpu (/srv/hot-server)',
      'main (/srv/hot-server)',
      '__libc_start_main (/usr/lib/x86_64-linux-gnu/libc.so.6)',
    ]);
  for (let i = 8; i < 10; i++)
    text += sample(42, `100.${String(i).padStart(6, '0')}`, ['write (/usr/lib/x86_64-linux-gnu/libc.so.6)', 'main (/srv/hot-server)']);
  text += sample(7, '100.000011', ['other (/bin/other)']);
  const p = perfScriptToCpuProfile(text, { pid: 42, mainDso: '/srv/hot-server' });
  assert.equal(p.samples.length, 10);
  const a = analyseCpuProfile(p, { path: 'perf.cpuprofile', projectRoot: '/srv' });
  assert.deepEqual([a.topSelf[0]!.function, a.topSelf[0]!.category, a.topSelf[0]!.file], ['burn_cpu', 'user', 'hot-server']);
  const write = a.topSelf.find((h) => h.function === 'write')!;
  assert.equal(write.category, 'native');
  assert.equal(write.caller?.function, 'main');
  assert.ok(!a.topTotal.some((h) => h.function === 'other'));
});

test("a runtime's own binary is not the application; Node perf-map JIT frames carry file and line", () => {
  let text = '';
  for (let i = 0; i < 4; i++)
    text += sample(9, `5.${String(i).padStart(6, '0')}`, [
      'JS:*computeScore /srv/app/score.js:12:3 (/tmp/perf-9.map)',
      'v8::internal::Execution::Call (/usr/bin/node)',
    ]);
  const a = analyseCpuProfile(perfScriptToCpuProfile(text, { pid: 9, mainDso: '/usr/bin/node' }), { path: 'p', projectRoot: '/srv' });
  const js = a.topSelf[0]!;
  assert.deepEqual([js.function, js.file, js.line, js.category], ['computeScore', 'app/score.js', 12, 'user']);
  assert.equal(a.topTotal.find((h) => h.function === 'v8::internal::Execution::Call')?.category, 'native');
});

test('Python -X perf: py:: frames are the functions with their file, the interpreter under them folded in, a C call native', () => {
  const lib = '/opt/py/lib/libpython3.12.so.1.0';
  let text = '';
  for (let i = 0; i < 6; i++)
    text += sample(5, `7.${String(i).padStart(6, '0')}`, [
      `_PyLong_Add (${lib})`,
      'pymalloc_alloc (inlined)',
      `_PyEval_EvalFrameDefault (${lib})`,
      'py::checksum:/srv/app/server.py (/tmp/perf-5.map)',
      `_PyEval_EvalFrameDefault (${lib})`,
      'py::do_GET:/srv/app/server.py (/tmp/perf-5.map)',
      'py::handle:/opt/py/lib/python3.12/http/server.py (/tmp/perf-5.map)',
      `_PyEval_EvalFrameDefault (${lib})`,
    ]);
  for (let i = 6; i < 8; i++)
    text += sample(5, `7.${String(i).padStart(6, '0')}`, [
      'sock_sendall (/opt/py/lib/python3.12/lib-dynload/_socket.cpython-312-x86_64-linux-gnu.so)',
      `_PyEval_EvalFrameDefault (${lib})`,
      'py::do_GET:/srv/app/server.py (/tmp/perf-5.map)',
    ]);
  const a = analyseCpuProfile(perfScriptToCpuProfile(text, { pid: 5, mainDso: '/opt/py/bin/python3.12' }), {
    path: 'p',
    projectRoot: '/srv',
  });
  const top = a.topSelf[0]!;
  assert.deepEqual([top.function, top.category, top.file], ['checksum', 'user', 'app/server.py']);
  assert.ok(top.selfShare > 0.7, `checksum self ${top.selfShare}`);
  assert.ok(!a.topSelf.some((h) => /_PyEval|_PyLong|pymalloc/.test(h.function)), 'interpreter frames folded');
  const send = a.topSelf.find((h) => h.function === 'sock_sendall')!;
  assert.equal(send.category, 'native');
  assert.equal(send.caller?.function, 'do_GET');
  assert.equal(a.topTotal.find((h) => h.function === 'handle')?.category, 'dependency', 'the standard library is not the application');
});
