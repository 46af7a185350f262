// The package as users get it: `npm pack`, then a plain `npm install` of the tarball into a fresh
// CommonJS project (npm init's default), and everything run from there with this Node (≥ 22.12) first
// on PATH: npx, URL runs, .ts/.mts/.js scripts importing 'speedguard', the shipped types under the
// user's tsc, a script in a project that never installed speedguard, and a profile of a tiny target.
// Nothing here imports the repository's sources: only the tarball is used.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../helpers/servers.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(REPO, 'node_modules', '.bin', 'tsc');
const ENV = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
  NO_COLOR: '1',
  CI: '1',
  npm_config_update_notifier: 'false',
};

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: ENV, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const show = (r: Result) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;

let work: string;
let project: string;
let srv: TestServer;

before(
  async () => {
    work = mkdtempSync(join(tmpdir(), 'sg-package-'));
    // npm pack runs `prepare`: the JavaScript build in dist/.
    const pack = await sh('npm', ['pack', '--silent', '--pack-destination', work], REPO, 90_000);
    assert.equal(pack.code, 0, show(pack));
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
    project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'commonjs' }, null, 2),
    );
    const install = await sh('npm', ['install', '--no-audit', '--no-fund', tarball], project, 90_000);
    assert.equal(install.code, 0, show(install));
    srv = await startServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    });
  },
  { timeout: 180_000 },
);

after(async () => {
  await srv?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('npx speedguard --version prints the package version', async () => {
  const r = await sh('npx', ['--no-install', 'speedguard', '--version'], project);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
});

// The machine's own Node (Debian's) is older than the engines range here; elsewhere there may be none.
const OLD_NODE = '/usr/bin/node';
const oldNodeVersion = (() => {
  try {
    return execFileSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
const isOld = (v: string) => {
  const [a, b] = v.split('.').map(Number);
  return a! < 22 || (a === 22 && b! < 12);
};

test('a Node older than 22.12 gets one line saying what is needed', {
  skip: (oldNodeVersion === null || !isOld(oldNodeVersion)) && `no Node older than 22.12 at ${OLD_NODE}`,
}, async () => {
  const r = await sh(OLD_NODE, [join(project, 'node_modules', 'speedguard', 'bin', 'speedguard.js'), '--help'], project);
  assert.equal(r.code, 1, show(r));
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `speedguard needs Node.js ≥ 22.12 (this is v${oldNodeVersion}).\n`);
});

test('npx speedguard run URL sends the requests it reports', async () => {
  const before = srv.requests;
  const r = await sh(
    'npx',
    ['--no-install', 'speedguard', 'run', `${srv.url}/hello`, '-u', '2', '-i', '20', '--no-history', '--json'],
    project,
  );
  assert.equal(r.code, 0, show(r));
  const record = JSON.parse(r.stdout) as { status: string; metrics: unknown };
  assert.equal(record.status, 'completed');
  assert.equal(srv.requests - before, 20);
  assert.match(r.stdout, /http_reqs/);
});

test('a bad plan is one line naming the file and field, exit 2 (the build validates with its precompiled schema)', async () => {
  writeFileSync(
    join(project, 'bad.yaml'),
    `target: ${srv.url}\nscenarios:\n  a:\n    executor: constant-arrival-rate\n    rate: -5\n    duration: 1s\n    preAllocatedVUs: ` +
      `1\nflow:\n  - request: { url: / }\n`,
  );
  const r = await sh('npx', ['--no-install', 'speedguard', 'run', 'bad.yaml', '--no-history'], project);
  assert.equal(r.code, 2, show(r));
  assert.equal(r.stderr.trim(), 'speedguard: bad.yaml:5:5: scenarios.a.rate: must be a number > 0 (got -5)');
});

/** A k6-style script; `header` is its first lines (imports), `typed` adds TypeScript annotations. */
function script(header: string, typed: boolean, tag: string): string {
  return `${header}
export const options${typed ? ': Options' : ''} = { vus: 1, iterations: 3 };
export default async function ()${typed ? ': Promise<void>' : ''} {
  const r = await http.get('${srv.url}/${tag}');
  check(r, { 'status is 200': (res${typed ? ': Response' : ''}) => res.status === 200 });
}
`;
}

const TS_IMPORT = `import { http, check, type Options, type Response } from 'speedguard';`;
const JS_IMPORT = `import { http, check } from 'speedguard';`;

async function runScript(dir: string, file: string, bin = 'npx'): Promise<void> {
  const before = srv.requests;
  const args =
    bin === 'npx' ? ['--no-install', 'speedguard', 'run', file, '--no-history', '--json'] : [bin, 'run', file, '--no-history', '--json'];
  const r = await sh(bin === 'npx' ? 'npx' : process.execPath, args, dir);
  assert.equal(r.code, 0, `${file}: ${show(r)}`);
  const record = JSON.parse(r.stdout) as { status: string };
  assert.equal(record.status, 'completed', file);
  assert.equal(srv.requests - before, 3, `${file}: three iterations, one request each`);
  assert.match(r.stdout, /"checks"/, file);
}

test('.ts, .mts and .js scripts importing speedguard run in a "type": "commonjs" project', async () => {
  writeFileSync(join(project, 'load.ts'), script(TS_IMPORT, true, 'ts'));
  writeFileSync(join(project, 'load.mts'), script(TS_IMPORT, true, 'mts'));
  writeFileSync(join(project, 'load.js'), script(JS_IMPORT, false, 'js'));
  for (const f of ['load.ts', 'load.mts', 'load.js']) await runScript(project, f);
});

test("the shipped types check a script under the user's tsc, and reject a wrong call", async () => {
  const dir = join(project, 'typed');
  mkdirSync(dir, { recursive: true });
  const tsconfig = (files: string[]) =>
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files,
    });
  writeFileSync(join(dir, 'good.mts'), script(TS_IMPORT, true, 'typed'));
  writeFileSync(
    join(dir, 'bad.mts'),
    `${TS_IMPORT}\nexport default async function (): Promise<void> {\n  await http.get(42);\n  check('x', 'not checks');\n}\n`,
  );
  writeFileSync(join(dir, 'tsconfig.json'), tsconfig(['good.mts']));
  writeFileSync(join(dir, 'tsconfig.bad.json'), tsconfig(['bad.mts']));
  const good = await sh(TSC, ['-p', 'tsconfig.json'], dir);
  assert.equal(good.code, 0, show(good));
  const bad = await sh(TSC, ['-p', 'tsconfig.bad.json'], dir);
  assert.notEqual(bad.code, 0, show(bad));
  assert.match(bad.stdout, /bad\.mts\(3,\d+\): error TS2345/, show(bad));
  assert.match(bad.stdout, /bad\.mts\(4,\d+\): error TS2345/, show(bad));
});

test("a script in a project that did not install speedguard imports the running CLI's own package", async () => {
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0', type: 'commonjs' }));
  writeFileSync(join(elsewhere, 'load.ts'), script(TS_IMPORT, true, 'elsewhere'));
  await runScript(elsewhere, 'load.ts', join(project, 'node_modules', 'speedguard', 'bin', 'speedguard.js'));
});

test('npx speedguard profile measures a small node:http target from inside', async () => {
  writeFileSync(
    join(project, 'target.js'),
    `const http = require('node:http');
http.createServer((req, res) => { let x = 0; for (let i = 0; i < 20000; i++) x += i; res.end(String(x)); }).listen(0, '127.0.0.1');
`,
  );
  const out = join(work, 'profile-out');
  const r = await sh(
    'npx',
    [
      '--no-install',
      'speedguard',
      'profile',
      '-u',
      '2',
      '-d',
      '2s',
      '--warmup',
      '1s',
      '--no-history',
      '--json',
      '--out-dir',
      out,
      '--',
      process.execPath,
      'target.js',
    ],
    project,
    90_000,
  );
  assert.equal(r.code, 0, show(r));
  const record = JSON.parse(r.stdout) as {
    status: string;
    probes: { target?: { agent?: { samples: unknown[] }; cpuProfile?: { topSelf: unknown[] }; target: { died: boolean } } };
  };
  assert.equal(record.status, 'completed', show(r));
  const probes = record.probes.target;
  assert.ok(probes, 'target probes recorded');
  assert.ok(probes.agent && probes.agent.samples.length > 0, 'the agent reported from inside the target');
  assert.ok(probes.cpuProfile && probes.cpuProfile.topSelf.length > 0, 'the CPU profile was taken and analysed');
  assert.equal(probes.target.died, false);
  assert.ok(
    readdirSync(out, { recursive: true }).some((f) => String(f).endsWith('.cpuprofile')),
    'the .cpuprofile is saved beside the reports',
  );
});

test('an unchanged k6 script runs from the installed package (k6 modules, the async transform, k6 summary export)', async () => {
  const dir = join(project, 'k6');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'script.js'),
    `import http from 'k6/http';
import { check, group } from 'k6';
export const options = { vus: 1, iterations: 4, thresholds: { checks: ['rate==1'] } };
function fetch(path) { return http.get(__ENV.BASE + path); }
export default function () {
  group('home', () => {
    const res = fetch('/k6');
    check(res, { 'status 200': (r) => r.status === 200, 'echoes the path': (r) => r.json('path') === '/k6' });
  });
}
`,
  );
  const before = srv.requests;
  const r = await sh(
    'npx',
    ['--no-install', 'speedguard', 'run', 'script.js', '-e', `BASE=${srv.url}`, '--no-history', '--summary-export', 'summary.json'],
    dir,
  );
  assert.equal(r.code, 0, show(r));
  assert.equal(srv.requests - before, 4);
  const summary = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'summary.json'), 'utf8')) as {
    metrics: { checks: { passes: number; fails: number } };
  };
  assert.deepEqual([summary.metrics.checks.passes, summary.metrics.checks.fails], [8, 0]);
});
