// The line of a Python function's def from its qualified name (CPython's perf map gives no line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonDefLines, pythonLineReader } from '../../../src/probes/perf/python-lines.ts';
import { perfScriptToCpuProfile } from '../../../src/analysis/perf-script.ts';

const SOURCE = [
  'import os', // 1
  '', // 2
  'def checksum(rounds):', // 3
  '    def step(x):', // 4
  '        return x', // 5
  '    return step(rounds)', // 6
  '', // 7
  'class Handler:', // 8
  '    @property', // 9
  '    def size(self):', // 10
  '        return 1', // 11
  '    async def do_GET(self):', // 12
  '        pass', // 13
  'if os.name == "nt":', // 14
  '    def pick(): return 1', // 15
  'else:', // 16
  '    def pick(): return 2', // 17
  'def step(x):', // 18
  '    return x', // 19
  'def doc():', // 20
  '    """A docstring whose text', // 21
  'starts at column 0.', // 22
  '    """', // 23
  '    def inner(): pass', // 24
].join('\n');

test('qualified names map to the line of their def: methods, nested defs, same short name in two scopes', () => {
  const lines = pythonDefLines(SOURCE);
  assert.equal(lines.get('checksum'), 3);
  assert.equal(lines.get('checksum.<locals>.step'), 4);
  assert.equal(lines.get('step'), 18);
  assert.equal(lines.get('Handler'), 8);
  assert.equal(lines.get('Handler.size'), 10);
  assert.equal(lines.get('Handler.do_GET'), 12);
  // Defined twice (which one runs depends on the platform): no line rather than a wrong one.
  assert.equal(lines.get('pick'), null);
  assert.equal(lines.get('<module>'), undefined);
  // Text of a multi-line string is not a statement: it closes no scope.
  assert.equal(lines.get('doc.<locals>.inner'), 24);
});

test('perf script py:: frames get the def line of a readable file, none for an unreadable one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-pylines-'));
  const file = join(dir, 'server.py');
  writeFileSync(file, SOURCE);
  const script = [
    'python3.12 5/5 100.000001: cpu-clock:',
    `\t7f0000000010 py::Handler.do_GET:${file} (/tmp/perf-5.map)`,
    '',
    'python3.12 5/5 100.000002: cpu-clock:',
    `\t7f0000000020 py::checksum:${join(dir, 'missing.py')} (/tmp/perf-5.map)`,
    '',
  ].join('\n');
  const profile = perfScriptToCpuProfile(script, { pid: 5, pythonLine: pythonLineReader() });
  const frames = (profile.nodes as { callFrame: { functionName: string; lineNumber: number } }[]).map((n) => n.callFrame);
  assert.equal(frames.find((f) => f.functionName === 'Handler.do_GET')?.lineNumber, 11, '0-based line of def do_GET');
  assert.equal(frames.find((f) => f.functionName === 'checksum')?.lineNumber, -1);
});
