// `speedguard demo` (and `npm start`): start the bundled loopback service in its own process (so it
// never shares a CPU thread with the generator), load-test it, stop it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { planFromUrl } from '../plan/load-url.ts';
import { executePlan, type RunCliOptions } from './run.ts';
import { once } from 'node:events';

const SERVICE = fileURLToPath(new URL('../../examples/basic-service.ts', import.meta.url));

export async function demoCommand(o: RunCliOptions): Promise<number> {
  const child = spawn(process.execPath, [SERVICE], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /listening (\d+)/.exec(buf);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`demo service exited early (code ${code})`)));
    });
    const url = `http://127.0.0.1:${port}/api/products?limit=20`;
    if (!o.quiet) process.stderr.write(`speedguard demo: service on 127.0.0.1:${port}; ${o.rate ?? 300} req/s for ${o.duration ?? '10s'}\n`);
    const plan = planFromUrl(url, {
      rate: o.rate ?? 300,
      duration: o.duration ?? '10s',
      thresholds: o.threshold.length ? o.threshold : ['http_req_duration:p(95)<200', 'http_req_failed:rate<0.01'],
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
    });
    return await executePlan({ ...plan, source: 'speedguard demo (examples/basic-service.ts)' }, o, null, 5000);
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}
