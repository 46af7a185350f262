// Micro-benchmark of the HTTP/1.1 client: 50 keep-alive connections (one client each, as 50 VUs)
// hammer a node:http server running in a child process for 3 s; prints req/s.
// Not a test (no assertions): run by hand to compare changes.
//   ./node_modules/.bin/node bench/http-client-micro.ts [--connections 50] [--seconds 3] [--pipelining 1] [--body 13]

import http from 'node:http';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createHttpClient } from '../src/engine/http/client.ts';
import { prepareRequest } from '../src/engine/http/encode.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '3' },
    pipelining: { type: 'string', default: '1' },
    body: { type: 'string', default: '13' },
    server: { type: 'boolean', default: false },
  },
});

if (values.server) {
  const payload = Buffer.alloc(Number(values.body), 0x61);
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(payload);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

async function main(): Promise<void> {
  const connections = Number(values.connections);
  const seconds = Number(values.seconds);
  const pipelining = Number(values.pipelining);
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--server', '--body', values.body!], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  const req = prepareRequest('GET', `http://127.0.0.1:${port}/`);
  const clients = Array.from({ length: connections }, () => createHttpClient({ pipelining }));
  let ok = 0;
  let failed = 0;
  let bytes = 0;
  const end = performance.now() + seconds * 1000;
  const opts = { keepBody: false, requestTimeoutMs: 10_000 };
  const loop = async (client: (typeof clients)[number]): Promise<void> => {
    while (performance.now() < end) {
      const res = await client.send(req, opts);
      if (res.error === null) ok++;
      else failed++;
      bytes += res.bytesReceived;
    }
  };
  const t0 = performance.now();
  // With pipelining > 1, each client runs that many concurrent loops to fill its pipeline.
  await Promise.all(clients.flatMap((c) => Array.from({ length: pipelining }, () => loop(c))));
  const elapsed = (performance.now() - t0) / 1000;
  for (const c of clients) c.close();
  child.disconnect();
  const opened = clients.reduce((n, c) => n + c.connectionsOpened, 0);
  console.log(`node ${process.version}, ${connections} connections, pipelining ${pipelining}, ${elapsed.toFixed(2)} s`);
  console.log(`requests ok ${ok}, failed ${failed}, connections opened ${opened}`);
  console.log(`${Math.round(ok / elapsed)} req/s, ${(bytes / elapsed / 1e6).toFixed(1)} MB/s received`);
}
