// The process that holds a listening socket, found below the one speedguard spawned (a shell that
// runs the server as its child).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { listenerOf, listeningInodes } from '../../../src/probes/proc/listener.ts';
import { freePort } from '../../helpers/postgres.ts';

test("a server started by a shell: the listener is the shell's child, not the shell", {
  skip: process.platform !== 'linux' && 'needs /proc',
}, async () => {
  const port = await freePort();
  const server = `require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('listening'))`;
  // "; true" keeps sh from exec-ing node: node runs as its child.
  const sh = spawn('/bin/sh', ['-c', `"${process.execPath}" -e "${server}"; true`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true, // its own process group: the shell and the server are stopped together
  });
  try {
    await new Promise<void>((resolve) => sh.stdout.once('data', () => resolve()));
    assert.equal((await listeningInodes(port)).size, 1);
    const pid = await listenerOf(port, sh.pid!);
    assert.ok(pid !== null && pid !== sh.pid, `listener ${pid}, shell ${sh.pid}`);
    assert.equal(await listenerOf(port + 1 === 65536 ? 1 : port + 1, sh.pid!), null, 'nothing listens there');
  } finally {
    process.kill(-sh.pid!, 'SIGKILL');
  }
});
