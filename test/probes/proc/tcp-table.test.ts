// The TCP table reader shared by the wait sampler and the listener lookup: a real listening socket
// and a real connection of this process are found with their state, ports and addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { readTcpTable, TCP_LISTEN, tcpAddress, tcpPort } from '../../../src/probes/proc/tcp-table.ts';

test('addresses in the kernel hex read as dotted IPv4 and a port', () => {
  assert.equal(tcpAddress('0100007F:1538'), '127.0.0.1:5432');
  assert.equal(tcpPort('0100007F:1538'), 5432);
  assert.match(tcpAddress('00000000000000000000000001000000:0050'), /^\[0+10+\]:80$/);
});

test('a listening socket and a connection to it are rows of /proc/PID/net/tcp', { skip: process.platform !== 'linux' }, async () => {
  const server = createServer((s) => s.on('data', () => {})).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  try {
    const rows = await readTcpTable(`/proc/${process.pid}/net`);
    const listening = rows.find((r) => r.state === TCP_LISTEN && tcpPort(r.local) === port);
    assert.ok(listening && listening.inode !== '0', JSON.stringify(rows.slice(0, 5)));
    const out = rows.find((r) => r.state !== TCP_LISTEN && tcpAddress(r.remote) === `127.0.0.1:${port}`);
    assert.ok(out, 'the client side names the server as its peer');
    assert.equal(tcpAddress(out.local), `127.0.0.1:${client.localPort}`);
    assert.deepEqual(await readTcpTable('/nonexistent'), []);
  } finally {
    client.destroy();
    server.close();
  }
});
