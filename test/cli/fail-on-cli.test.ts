// --fail-on takes a severity name on every command that gates on findings; a typo is bad input
// (exit 2, one line), never a gate that silently matches every finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';

for (const args of [
  ['profile', '--fail-on', 'mediun', '--', process.execPath, '-e', '0'],
  ['db', 'postgres://x@127.0.0.1:1/x', '--fail-on', 'severe'],
  ['assess', 'http://127.0.0.1:1/', '--fail-on', 'P1'],
]) {
  test(`${args[0]} --fail-on ${args[2]}: exit 2 naming the allowed values`, async () => {
    const r = await runCli(args, { timeoutMs: 30_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--fail-on <severity>.*Allowed choices are low, medium, high, critical/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
}
