// The endpoints the k6 test scripts call, played by one loopback server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startServer, type TestServer } from '../helpers/servers.ts';

export interface K6TestServer extends TestServer {
  /** Bodies POSTed to /teardown. */
  teardowns: string[];
  /** TCP connections accepted so far. */
  connections: number;
}

export async function startK6Server(): Promise<K6TestServer> {
  const teardowns: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      const json = (status: number, v: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(v));
      };
      if (path === '/echo') {
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          /* not JSON */
        }
        return json(200, { method: req.method, body, rawBody: raw, headers: req.headers, query: Object.fromEntries(url.searchParams) });
      }
      if (path === '/login') {
        res.writeHead(200, { 'set-cookie': 'session=abc; Path=/' });
        return res.end('ok');
      }
      if (path === '/me') {
        res.writeHead(/(^|; )session=abc(;|$)/.test(req.headers.cookie ?? '') ? 200 : 401);
        return res.end(req.headers.cookie ?? '');
      }
      const redirect = /^\/redirect\/(\d+)$/.exec(path);
      if (redirect) {
        const n = Number(redirect[1]);
        if (n === 0) return json(200, { done: true });
        res.writeHead(302, { location: `/redirect/${n - 1}` });
        return res.end();
      }
      if (path === '/basic') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('user:passwd').toString('base64')}`;
        res.writeHead(ok ? 200 : 401);
        return res.end();
      }
      const status = /^\/status\/(\d+)$/.exec(path);
      if (status) {
        res.writeHead(Number(status[1]));
        return res.end();
      }
      if (path === '/page') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(
          '<html><head><title>Shop</title></head><body><a href="/echo?from=link">1</a><a href="/two">2</a><form action="/echo" ' +
            'method="POST"><input name="q" value="shoes"><input type="checkbox" name="c" value="1"><input type="submit" name="go" ' +
            'value="Search"></form></body></html>',
        );
      }
      if (path === '/token') return json(200, { token: 'tok123' });
      if (path === '/slow') {
        // Answered after 1 s: longer than the timeouts the scripts set.
        setTimeout(() => res.end('late'), 1000).unref();
        return;
      }
      if (path === '/teardown') {
        teardowns.push(raw);
        res.writeHead(204);
        return res.end();
      }
      res.writeHead(404);
      res.end();
    });
  };
  const server = (await startServer(handler)) as K6TestServer;
  server.teardowns = teardowns;
  server.connections = 0;
  server.server.on('connection', () => server.connections++);
  return server;
}
