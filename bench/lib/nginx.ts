// A throw-away nginx (1 worker process, static file, no access log) pinned to the target core.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './net.ts';

export interface NginxTarget {
  /** URL of the static file. */
  url: string;
  /** Master and worker pids (for CPU accounting). */
  pids(): number[];
  stop(): Promise<void>;
}

export async function startNginx(opts: { cpu: number; workerConnections: number }): Promise<NginxTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-nginx-'));
  // nginx's worker drops to `nobody`: the served directory must be world-readable (else 403).
  chmodSync(dir, 0o755);
  const port = await freePort();
  writeFileSync(join(dir, 'index.html'), 'hello world\n');
  // keepalive_requests high so no peer pays for reconnects; the rlimit covers one fd per client
  // plus the file, and is capped by the hard limit of the shell that starts nginx.
  writeFileSync(
    join(dir, 'nginx.conf'),
    `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_rlimit_nofile ${opts.workerConnections * 2};
events { worker_connections ${opts.workerConnections}; multi_accept on; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${port} backlog=8192; root ${dir}; }
}
`,
  );
  const child: ChildProcess = spawn(
    'bash',
    ['-c', `ulimit -n "$(ulimit -Hn)" && exec taskset -c ${opts.cpu} nginx -e ${dir}/error.log -p ${dir} -c ${dir}/nginx.conf`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 10_000);
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    pids: () => (child.pid === undefined ? [] : [child.pid, ...childrenOf(child.pid)]),
    async stop() {
      child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
