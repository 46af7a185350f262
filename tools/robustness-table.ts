// Issue 11's closing table, re-run: the built CLI driven as a hostile but fair user would, case by case,
// against loopback servers this tool starts itself (one that answers, one that accepts and never
// answers, one that resets every connection, and a port nobody listens on). Not part of `npm test`
// (the fuzz test in test/cli/fuzz-cli.test.ts is the test); this produces the figures for the note.
//
//   ./node_modules/.bin/node tools/robustness-table.ts [--jobs N] [--only TEXT] [--list]
//
// Each case runs `node bin/speedguard.js …` (from the sources inside the repository) in its own temporary
// working directory, which is also HOME, so the history database it writes (.speedguard/history.db
// under the working directory) is its own and the user's is untouched. Every case has a hard bound
// (SIGKILL after `timeoutS`). A case is "handled" when all of these hold:
//   - it ended by itself within its bound (no hang), with an exit code the case expects (0/1/2/99/130, or
//     k6's for k6 scripts);
//   - no stack trace of speedguard's or Node's frames (a user's script frames are allowed: they are
//     the point of issue 11 §3), no "internal error", no TimeoutOverflowWarning, no unhandled 'error';
//   - exit 2 is one line on stderr and no request reached any server;
//   - the planted secret appears in no output: stdout, stderr, every file the run wrote (exports,
//     reports, the history database and its WAL), and what `report latest` renders from history;
//   - the case's own check (a partial result written and marked interrupted, the record re-renderable…).
// Anything else is "crashed / lost", listed with its reasons under the table. Exit 0 when every case
// was handled, 1 otherwise.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { constants as osConstants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'bin', 'speedguard.js');

const CATEGORIES = ['bad input', 'output paths', 'signals', 'secrets', 'huge values', 'target faults, script errors (§1, §3)'] as const;
type Category = (typeof CATEGORIES)[number];

// ---------------------------------------------------------------------------------------------------
// Loopback servers, one set per case so "no request was sent" is the case's own count.

interface Servers {
  /** Answers every request with 200 "ok". */
  ok: string;
  /** Accepts connections, reads, never writes a byte. */
  dead: string;
  /** Accepts and resets the connection on its first bytes. */
  reset: string;
  /** A port nobody listens on (connection refused). */
  refused: string;
  /** Requests to `ok` and connections to `dead` and `reset`. */
  readonly hits: number;
  /** What reached `ok`: each request's line, headers and body as text (a planted secret must be sent to count). */
  readonly received: string[];
  close(): Promise<void>;
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function startServers(): Promise<Servers> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    hits++;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  };
  const received: string[] = [];
  const ok = createHttpServer((q, r) => {
    hits++;
    let text = `${q.method} ${q.url}\n${q.rawHeaders.join('\n')}\n`;
    q.on('data', (d: Buffer) => (text += d.toString('latin1')));
    q.on('end', () => {
      received.push(text);
      r.end('ok');
    });
  });
  ok.on('connection', (s) => sockets.add(s));
  const dead = createTcpServer((s) => track(s));
  const reset = createTcpServer((s) => {
    track(s);
    s.once('data', () => s.resetAndDestroy());
  });
  const free = createTcpServer();
  const freePort = await listen(free);
  await new Promise<void>((r) => free.close(() => r()));
  const url = (p: number) => `http://127.0.0.1:${p}/`;
  const s = { ok: url(await listen(ok)), dead: url(await listen(dead)), reset: url(await listen(reset)), refused: url(freePort) };
  return {
    ...s,
    received,
    get hits() {
      return hits;
    },
    async close() {
      for (const k of sockets) k.destroy();
      ok.closeAllConnections();
      await Promise.all([ok, dead, reset].map((v) => new Promise<void>((r) => v.close(() => r()))));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Cases.

interface Ctx extends Servers {
  /** The case's working directory (cwd and HOME of the CLI): everything it writes lands here. */
  work: string;
  /** Path of an input file the case wrote (inputs live outside `work`, so the secret grep skips them). */
  input(name: string): string;
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Case {
  category: Category;
  name: string;
  /** Input files (name → content) written before the run; may use the servers' URLs. */
  inputs?: (c: Ctx) => Record<string, string>;
  args: (c: Ctx) => string[];
  /** Exit codes that are the right answer here. */
  codes: number[];
  stdout?: RegExp;
  stderr?: RegExp;
  /** Signals to send while it runs: the first once `when` holds, each next one when the CLI said it saw the last. */
  signals?: { when: (c: Ctx, r: { stdout: string; stderr: string }) => boolean; send: NodeJS.Signals[] };
  /** Values that must appear in no output. */
  secrets?: string[];
  /** The case's own check: a problem, or undefined. */
  check?: (c: Ctx, r: RunResult) => Promise<string | undefined> | string | undefined;
  /** Hard bound in seconds (default 30). */
  timeoutS?: number;
}

const ANY_ARGS = ['--no-history'];
const json = (v: unknown) => JSON.stringify(v);
const plan = (flow: unknown[], rest: Record<string, unknown> = {}) => json({ vus: 1, iterations: 2, ...rest, flow });
const req = (url: string, extra: Record<string, unknown> = {}) => ({ request: { url, ...extra } });

function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The summary export was written and marked interrupted, with requests counted. */
function interruptedExport(file: string) {
  return (c: Ctx) => {
    const s = readJson(join(c.work, file));
    if (s === undefined) return `${file} not written (or not JSON)`;
    if (s.speedguard?.status !== 'interrupted') return `${file} status ${s.speedguard?.status}, expected interrupted`;
    return undefined;
  };
}

/** The record is in the working directory's history and renders again. */
async function storedAndRenderable(c: Ctx, status?: string): Promise<string | undefined> {
  const r = await cli(['report', 'latest', '--format', 'json'], c.work, 30);
  if (r.code !== 0) return `report latest → exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`;
  const rec = (() => {
    try {
      return JSON.parse(r.stdout);
    } catch {
      return undefined;
    }
  })();
  if (!rec) return 'report latest printed no JSON';
  if (status && rec.status !== status) return `stored record status ${rec.status}, expected ${status}`;
  return undefined;
}

const SCRIPT_STUCK_AFTER_3 = (marker: string) => `import { writeFileSync } from 'node:fs';
export const options = { vus: 1, duration: '60s' };
let n = 0;
export default function () {
  if (++n > 3) { writeFileSync(${json(marker)}, 'x'); for (;;) {} }
}
`;

const markerSeen = (name: string) => (c: Ctx) => existsSync(join(c.work, name));
const requestsSeen = (n: number) => (c: Ctx) => c.hits >= n;

function secretCases(): Case[] {
  const S = (i: number) => `ZqPlanted${i}Secret${'k'.repeat(4)}`;
  const out: Case[] = [];
  /** `sent`: the secret travels in a request, so the case proves it reached the target (else it tested nothing). */
  const viaRun = (name: string, secret: string, args: (c: Ctx) => string[], inputs?: Case['inputs'], codes = [0], sent = false): Case => ({
    category: 'secrets',
    name,
    inputs,
    args: (c) => [...args(c), '--json', '--summary-export', 'summary.json', '--out', 'json=metrics.ndjson'],
    codes,
    secrets: [secret],
    // Reports rendered from the stored record, too.
    check: async (c) => {
      if (sent && !c.received.some((t) => t.includes(secret))) return 'the planted secret never reached the target';
      if (codes.includes(2)) return undefined;
      const r = await cli(['report', 'latest', '--format', 'all', '--out-dir', 'rendered'], c.work, 30);
      if (r.code !== 0) return `report latest --format all → exit ${r.code}: ${r.stderr.trim().split('\n')[0]}`;
      const leaked = [r.stdout, r.stderr].some((t) => t.includes(secret));
      return leaked ? 'report latest printed the secret' : undefined;
    },
  });
  const headers = ['Authorization: Bearer', 'X-Session-Token:', 'X-Auth:', 'X-CSRF-Token:', 'Private-Token:', 'Cookie: sid=', 'X-Api-Key:'];
  headers.forEach((h, i) => {
    out.push(
      viaRun(`-H '${h} …'`, S(i), (c) => ['run', c.ok, '-i', '2', '-H', `${h}${h.endsWith('=') ? '' : ' '}${S(i)}`], undefined, [0], true),
    );
  });
  for (const [i, q] of [
    [10, 'api_key'],
    [11, 'client_secret'],
    [12, 'session_id'],
    [13, 'access_token'],
  ] as const) {
    out.push(viaRun(`query ?${q}=…`, S(i), (c) => ['run', `${c.ok}p?page=1&${q}=${S(i)}`, '-i', '2'], undefined, [0], true));
  }
  out.push(
    viaRun('JSON body password', S(20), (c) => ['run', c.ok, '-i', '2', '--body', json({ user: 'u', password: S(20) })], undefined, [0], true),
  );
  out.push(
    viaRun('form body client_secret', S(21), (c) => [
      'run',
      c.ok,
      '-i',
      '2',
      '-H',
      'Content-Type: application/x-www-form-urlencoded',
      '--body',
      `grant=x&client_secret=${S(21)}`,
    ], undefined, [0], true),
  );
  out.push(viaRun('-e DATABASE_URL=postgres://u:…@h/db', S(22), (c) => ['run', c.ok, '-i', '2', '-e', `DATABASE_URL=postgres://u:${S(22)}@h/db`]));
  out.push(viaRun('-e API_KEY=…', S(23), (c) => ['run', c.ok, '-i', '2', '-e', `API_KEY=${S(23)}`]));
  out.push(viaRun('-e CONN=…password=… (libpq string)', S(24), (c) => ['run', c.ok, '-i', '2', '-e', `CONN=host=db user=u password=${S(24)}`]));
  out.push(
    viaRun(
      'plan probes.postgres password',
      S(25),
      (c) => ['run', c.input('p.json')],
      (c) => ({ 'p.json': plan([req(c.ok)], { probes: { postgres: `postgres://app:${S(25)}@127.0.0.1:1/shop` } }) }),
    ),
  );
  out.push(
    viaRun(
      'plan scenario env',
      S(26),
      (c) => ['run', c.input('p.json')],
      (c) => ({
        'p.json': json({
          scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 2, env: { SHOP_TOKEN: S(26) } } },
          flow: [req(c.ok, { headers: { 'X-Shop': '${env.SHOP_TOKEN}' } })],
        }),
      }),
      [0],
      true,
    ),
  );
  out.push(
    viaRun(
      'plan env with a connection string',
      S(27),
      (c) => ['run', c.input('p.json')],
      (c) => ({ 'p.json': plan([req(c.ok)], { env: { MAIN_DB: `mysql://root:${S(27)}@db:3306/x` } }) }),
    ),
  );
  out.push(
    viaRun(
      'plan header + JSON body key',
      S(28),
      (c) => ['run', c.input('p.json')],
      (c) => ({ 'p.json': plan([req(c.ok, { method: 'POST', headers: { 'X-Refresh-Token': S(28) }, json: { apiKey: S(28) } })]) }),
      [0],
      true,
    ),
  );
  out.push(
    viaRun(
      'script error quoting a -e secret',
      S(29),
      (c) => ['run', c.input('s.ts'), '-e', `API_TOKEN=${S(29)}`],
      (c) => ({
        's.ts': `import { http } from 'speedguard';
export const options = { vus: 1, iterations: 3 };
export default async function () { await http.get(${json(c.ok)}); throw new Error('token ' + process.env.API_TOKEN + ' refused'); }
`,
      }),
      [0, 1],
    ),
  );
  out.push(
    viaRun(
      '--http-debug with a token header',
      S(30),
      (c) => ['run', c.input('s.ts'), '--http-debug', 'full', '-e', `API_TOKEN=${S(30)}`],
      (c) => ({
        's.ts': `import { http } from 'speedguard';
export const options = { vus: 1, iterations: 2 };
export default async function () { await http.get(${json(c.ok)}, { headers: { 'X-Session-Token': process.env.API_TOKEN } }); }
`,
      }),
      [0],
      true,
    ),
  );
  // Bad input that carries a secret: exit 2, the line names the field, not the secret.
  out.push(viaRun('URL with user:password@ (refused)', S(31), (c) => ['run', c.ok.replace('//', `//u:${S(31)}@`), '-i', '1'], undefined, [2]));
  out.push(viaRun('malformed -H carrying a token', S(32), (c) => ['run', c.ok, '-i', '1', '-H', `X-Auth-Token ${S(32)}`], undefined, [2]));
  out.push(viaRun('malformed -e carrying a DB URL', S(33), (c) => ['run', c.ok, '-i', '1', '-e', `DB postgres://u:${S(33)}@h/x`], undefined, [2]));
  out.push({
    category: 'secrets',
    name: 'assess: plan header secret in reports and history',
    inputs: (c) => ({ 'p.json': plan([req(c.ok, { headers: { 'X-Session-Token': S(34) } })], {}) }),
    args: (c) => ['assess', c.input('p.json'), '--quick', '--suite', 'baseline', '--expected-rate', '10', '--workers', '1', '--out-dir', 'out'],
    codes: [0, 99],
    secrets: [S(34)],
    timeoutS: 60,
  });
  out.push({
    category: 'secrets',
    name: 'db: password in the URL (unreachable)',
    args: () => ['db', `postgres://u:${S(35)}@127.0.0.1:1/x`, '--out-dir', 'out'],
    codes: [1],
    secrets: [S(35)],
  });
  return out;
}

function cases(): Case[] {
  const bad = (name: string, args: (c: Ctx) => string[], stderr?: RegExp, inputs?: Case['inputs']): Case => ({
    category: 'bad input',
    name,
    args: (c) => [...args(c), ...ANY_ARGS],
    codes: [2],
    stderr,
    inputs,
  });
  const badPlan = (name: string, text: (c: Ctx) => string, stderr?: RegExp, file = 'p.json', extra: Record<string, string> = {}) =>
    bad(name, (c) => ['run', c.input(file)], stderr, (c) => ({ [file]: text(c), ...extra }));
  const huge = (name: string, args: (c: Ctx) => string[], stderr = /limit|timer|finite|too (large|long)|above/): Case => ({
    category: 'huge values',
    name,
    args: (c) => [...args(c), ...ANY_ARGS],
    codes: [2],
    stderr,
  });
  const hugePlan = (name: string, body: (c: Ctx) => unknown, stderr?: RegExp) =>
    ({ ...huge(name, (c) => ['run', c.input('p.json')], stderr), inputs: (c: Ctx) => ({ 'p.json': json(body(c)) }) }) as Case;
  const outPath = (name: string, args: (c: Ctx) => string[], stderr: RegExp, inputs?: Case['inputs']): Case => ({
    category: 'output paths',
    name,
    args,
    codes: [2],
    stderr,
    inputs: (c) => {
      writeFileSync(join(c.work, 'a-file'), 'x');
      return inputs?.(c) ?? {};
    },
  });
  const signal = (
    name: string,
    args: (c: Ctx) => string[],
    send: NodeJS.Signals[],
    when: (c: Ctx, r: { stdout: string; stderr: string }) => boolean,
    o: Partial<Case> = {},
  ): Case => ({
    category: 'signals',
    name,
    args,
    codes: [130],
    stdout: /INTERRUPTED/,
    signals: { when, send },
    ...o,
  });

  return [
    // ------------------------------------------------------------------ bad input
    bad('unknown flag --bogus', (c) => ['run', c.ok, '--bogus'], /bogus/),
    bad('no target at all', () => ['run']),
    bad('unknown command', () => ['rnu', 'x']),
    bad('-u abc', (c) => ['run', c.ok, '-u', 'abc', '-d', '1s'], /--vus/),
    bad('-u -1', (c) => ['run', c.ok, '-u', '-1', '-d', '1s'], /--vus/),
    bad('-u 2.5', (c) => ['run', c.ok, '-u', '2.5', '-d', '1s'], /--vus/),
    bad('-u 0', (c) => ['run', c.ok, '-u', '0', '-d', '1s'], /--vus/),
    bad('-i abc', (c) => ['run', c.ok, '-i', 'abc'], /--iterations/),
    bad('-d 1 (no unit)', (c) => ['run', c.ok, '-d', '1'], /--duration.*unit/),
    bad('-d abc', (c) => ['run', c.ok, '-d', 'abc'], /--duration/),
    bad('-d -1s', (c) => ['run', c.ok, '-d', '-1s'], /--duration/),
    bad('--rate abc', (c) => ['run', c.ok, '--rate', 'abc', '-d', '1s'], /--rate/),
    bad('--rate -5', (c) => ['run', c.ok, '--rate', '-5', '-d', '1s'], /--rate/),
    bad('--timeout x', (c) => ['run', c.ok, '-i', '1', '--timeout', 'x'], /--timeout/),
    bad('--workers 0', (c) => ['run', c.ok, '-i', '1', '--workers', '0'], /--workers/),
    bad('--stop-grace abc', (c) => ['run', c.ok, '-i', '1', '--stop-grace', 'abc'], /--stop-grace/),
    bad('-H without a colon', (c) => ['run', c.ok, '-i', '1', '-H', 'no-colon'], /--header/),
    bad('-H with CR/LF', (c) => ['run', c.ok, '-i', '1', '-H', 'X-A: a\r\nX-B: b'], /header/i),
    bad('-H with a space in the name', (c) => ['run', c.ok, '-i', '1', '-H', 'Bad Name: x'], /header|Bad Name/i),
    bad('-H Content-Length', (c) => ['run', c.ok, '-i', '1', '-H', 'Content-Length: 5'], /Content-Length/),
    bad('-H Transfer-Encoding', (c) => ['run', c.ok, '-i', '1', '-H', 'Transfer-Encoding: chunked'], /Transfer-Encoding/),
    bad('-m CONNECT', (c) => ['run', c.ok, '-i', '1', '-m', 'CONNECT'], /CONNECT/),
    bad('-m "GE T"', (c) => ['run', c.ok, '-i', '1', '-m', 'GE T'], /method/),
    bad('-e =x', (c) => ['run', c.ok, '-i', '1', '-e', '=x'], /--env/),
    bad('--tag without =', (c) => ['run', c.ok, '-i', '1', '--tag', 'nope'], /--tag/),
    bad('--out bogus=x', (c) => ['run', c.ok, '-i', '1', '--out', 'bogus=x'], /--out/),
    bad('URL with ftp scheme', () => ['run', 'ftp://127.0.0.1/x', '-i', '1']),
    bad('URL with bad port', () => ['run', 'http://127.0.0.1:99999/', '-i', '1'], /url/i),
    bad('threshold on an unknown metric', (c) => ['run', c.ok, '-i', '1', '--threshold', 'http_req_durashun:p(95)<200'], /did you mean/),
    bad('threshold "avg<" (no value)', (c) => ['run', c.ok, '-i', '1', '--threshold', 'http_req_duration:avg<'], /threshold/),
    bad('threshold p(101)', (c) => ['run', c.ok, '-i', '1', '--threshold', 'http_req_duration:p(101)<1'], /threshold|p\(101\)/),
    bad('threshold option ",bogus"', (c) => ['run', c.ok, '-i', '1', '--threshold', 'checks:rate>0.9,bogus'], /bogus/),
    bad('threshold without ":"', (c) => ['run', c.ok, '-i', '1', '--threshold', 'http_req_duration'], /threshold/),
    bad('plan file missing', (c) => ['run', c.input('nosuch.yaml')], /nosuch\.yaml/),
    badPlan('plan: invalid JSON', () => '{"vus": 1, "flow": [', /p\.json/),
    badPlan('plan: invalid YAML', () => 'vus: 1\nflow:\n  - request: {url: [\n', /p\.yaml/, 'p.yaml'),
    badPlan('plan: empty file', () => '', /p\.yaml/, 'p.yaml'),
    badPlan('plan: a YAML list, not a map', () => '- 1\n- 2\n', /p\.yaml/, 'p.yaml'),
    badPlan('plan: unknown field', (c) => plan([req(c.ok)], { vuss: 3 }), /vuss/),
    badPlan('plan: vus is a string', (c) => plan([req(c.ok)], { vus: 'many' }), /vus/),
    badPlan(
      'plan: unknown executor',
      (c) => json({ scenarios: { s: { executor: 'warp-speed', vus: 1 } }, flow: [req(c.ok)] }),
      /executor|warp-speed/,
    ),
    badPlan('plan: no flow', () => json({ vus: 1, iterations: 1 }), /flow/),
    badPlan('plan: thresholds on an unknown metric', (c) => plan([req(c.ok)], { thresholds: { http_req_durashun: ['p(95)<1'] } }), /durashun/),
    badPlan('plan: bad duration "5 minutes"', (c) => plan([req(c.ok)], { iterations: undefined, duration: '5 minutes' }), /duration/),
    badPlan('plan: header with CR/LF', (c) => plan([req(c.ok, { headers: { 'X-A': 'a\r\nX-I: 1' } })]), /X-A/),
    badPlan('plan: duplicate header', (c) => plan([req(c.ok, { headers: { Accept: 'a', accept: 'b' } })]), /Accept/i),
    badPlan('plan: Transfer-Encoding header', (c) => plan([req(c.ok, { headers: { 'Transfer-Encoding': 'chunked' } })]), /Transfer-Encoding/),
    badPlan('plan: method CONNECT', (c) => plan([req(c.ok, { method: 'CONNECT' })]), /CONNECT/),
    badPlan(
      'plan: feeder column missing',
      (c) => plan([req(`${c.ok}u/\${users.emal}`)], { data: { users: 'users.csv' } }),
      /emal.*did you mean/,
      'p.json',
      { 'users.csv': 'id,email\n1,a@x\n' },
    ),
    badPlan('plan: feeder file missing', (c) => plan([req(c.ok)], { data: { users: 'nosuch.csv' } }), /nosuch\.csv/),
    badPlan('plan: malformed feeder CSV', (c) => plan([req(c.ok)], { data: { users: 'bad.csv' } }), /bad\.csv/, 'p.json', {
      'bad.csv': 'id,email\n1,"unterminated\n',
    }),
    badPlan('plan: template of an unknown env', (c) => plan([req(`${c.ok}\${env.NOPE}`)]), /NOPE/),
    {
      category: 'bad input',
      name: 'JSON plan with a UTF-8 BOM is accepted',
      inputs: (c) => ({ 'p.json': '\ufeff' + plan([req(c.ok)]) }),
      args: (c) => ['run', c.input('p.json'), ...ANY_ARGS],
      codes: [0],
    },
    {
      category: 'bad input',
      name: 'YAML plan with a UTF-8 BOM is accepted',
      inputs: (c) => ({ 'p.yaml': `\ufeffvus: 1\niterations: 2\nflow:\n  - request: { url: "${c.ok}" }\n` }),
      args: (c) => ['run', c.input('p.yaml'), ...ANY_ARGS],
      codes: [0],
    },
    bad('script with a syntax error', (c) => ['run', c.input('s.ts')], /s\.ts/, () => ({ 's.ts': 'export default function ( {\n' })),
    bad('script whose thresholds name an unknown metric', (c) => ['run', c.input('s.ts')], /did you mean/, (c) => ({
      's.ts': `import { http } from 'speedguard';
export const options = { vus: 1, iterations: 1, thresholds: { http_req_durashun: ['p(95)<200'] } };
export default async function () { await http.get(${json(c.ok)}); }
`,
    })),
    bad('script importing a missing module', (c) => ['run', c.input('s.ts')], /nosuch-module/, () => ({
      's.ts': `import 'nosuch-module';\nexport default function () {}\n`,
    })),
    { ...bad('report nosuch', () => ['report', 'nosuch'], /nosuch|history/), args: () => ['report', 'nosuch'] },
    { ...bad('compare nosuch nosuch', () => [], /nosuch/), args: () => ['compare', 'nosuch', 'nosuch2'] },
    bad('assess --baseline nosuch', (c) => ['assess', c.ok, '--quick', '--suite', 'baseline', '--baseline', 'nosuch'], /nosuch|history/),
    bad('assess --slo bogus', (c) => ['assess', c.ok, '--quick', '--slo', 'p95<<1'], /--slo/),
    bad('assess --suite nosuch', (c) => ['assess', c.ok, '--quick', '--suite', 'nosuch'], /--suite|nosuch/),
    bad('db with a bad URL', () => ['db', 'mysql://x'], /postgres|URL/i),

    // ------------------------------------------------------------------ output paths
    outPath('--summary-export into a missing directory', (c) => ['run', c.ok, '-i', '1', '--summary-export', 'missing/s.json'], /missing/),
    outPath('--summary-export onto a directory', (c) => ['run', c.ok, '-i', '1', '--summary-export', '.'], /is a directory/),
    outPath('--summary-export under a file', (c) => ['run', c.ok, '-i', '1', '--summary-export', 'a-file/s.json'], /a-file/),
    outPath('--summary-export ""', (c) => ['run', c.ok, '-i', '1', '--summary-export', ''], /--summary-export/),
    outPath('--out json= into a missing directory', (c) => ['run', c.ok, '-i', '1', '--out', 'json=missing/m.ndjson'], /missing/),
    outPath('--out json= onto a directory', (c) => ['run', c.ok, '-i', '1', '--out', 'json=.'], /is a directory/),
    outPath('--out json= under a file', (c) => ['run', c.ok, '-i', '1', '--out', 'json=a-file/m.ndjson'], /a-file/),
    outPath('--history under a file', (c) => ['run', c.ok, '-i', '1', '--history', 'a-file/h.db'], /a-file/),
    outPath('assess --out-dir a file', (c) => ['assess', c.ok, '--quick', '--suite', 'baseline', '--out-dir', 'a-file'], /--out-dir.*a-file/),
    outPath('assess --out-dir under a file', (c) => ['assess', c.ok, '--quick', '--suite', 'baseline', '--out-dir', 'a-file/x'], /a-file/),
    outPath('db --out-dir a file', () => ['db', 'postgres://u@127.0.0.1:1/x', '--out-dir', 'a-file'], /--out-dir.*a-file/),
    outPath(
      'profile --out-dir a file',
      () => ['profile', '--out-dir', 'a-file', '--', process.execPath, '-e', 'setTimeout(()=>{},1e6)'],
      /--out-dir.*a-file/,
    ),
    outPath('report --out-dir a file', () => ['report', 'latest', '--format', 'all', '--out-dir', 'a-file'], /a-file|history/),
    {
      category: 'output paths',
      name: '--summary-export /dev/full: stored, printed, one error line, exit 1',
      args: (c) => ['run', c.ok, '-i', '3', '--summary-export', '/dev/full'],
      codes: [1],
      stdout: /http_reqs/,
      stderr: /\/dev\/full/,
      check: (c) => storedAndRenderable(c),
    },
    {
      category: 'output paths',
      name: '--out json=/dev/full: stored, printed, one error line, exit 1',
      args: (c) => ['run', c.ok, '-i', '3', '--out', 'json=/dev/full'],
      codes: [1],
      stdout: /http_reqs/,
      stderr: /\/dev\/full/,
      check: (c) => storedAndRenderable(c),
    },
    {
      category: 'output paths',
      name: '--summary-export /dev/full --json',
      args: (c) => ['run', c.ok, '-i', '3', '--summary-export', '/dev/full', '--json'],
      codes: [1],
      stdout: /"kind":\s*"run"/,
      stderr: /\/dev\/full/,
      check: (c) => storedAndRenderable(c),
    },
    {
      category: 'output paths',
      name: 'assess: reports directory blocked at the end: stored, exit 1',
      inputs: (c) => {
        mkdirSync(join(c.work, 'out'));
        writeFileSync(join(c.work, 'out', 'ANALYSIS'), 'a file where a directory should be');
        return {};
      },
      args: (c) => ['assess', c.ok, '--quick', '--suite', 'baseline', '--expected-rate', '10', '--workers', '1', '--out-dir', 'out'],
      codes: [1],
      stderr: /ANALYSIS/,
      check: (c) => storedAndRenderable(c),
      timeoutS: 60,
    },
    {
      category: 'output paths',
      name: 'k6 script --summary-export into a missing directory',
      inputs: (c) => ({ 'k.js': `import http from 'k6/http';\nexport default function () { http.get(${json(c.ok)}); }\n` }),
      args: (c) => ['run', c.input('k.js'), '--summary-export', 'missing/s.json'],
      codes: [2],
      stderr: /missing/,
    },

    // ------------------------------------------------------------------ signals
    ...(['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((sig) =>
      signal(
        `${sig} during a URL run: partial export, stored as interrupted`,
        (c) => ['run', c.ok, '-u', '2', '-d', '60s', '--stop-grace', '1s', '--summary-export', 's.json'],
        [sig],
        requestsSeen(1),
        {
          check: async (c) => interruptedExport('s.json')(c) ?? (await storedAndRenderable(c, 'interrupted')),
        },
      ),
    ),
    signal(
      'SIGINT during an open-model plan run, with --out json=',
      (c) => ['run', c.input('p.json'), '--stop-grace', '1s', '--out', 'json=m.ndjson', '--summary-export', 's.json'],
      ['SIGINT'],
      requestsSeen(1),
      {
        inputs: (c) => ({ 'p.json': json({ rate: 50, duration: '60s', flow: [req(c.ok)] }) }),
        check: (c) => interruptedExport('s.json')(c) ?? (existsSync(join(c.work, 'm.ndjson')) ? undefined : 'm.ndjson missing'),
      },
    ),
    signal(
      'Ctrl-C twice, a service that never answers (--stop-grace 60s)',
      (c) => ['run', c.dead, '-u', '2', '-d', '60s', '--stop-grace', '60s', '--summary-export', 's.json'],
      ['SIGINT', 'SIGINT'],
      requestsSeen(2),
      { stdout: /cut_at_stop: 2/, check: interruptedExport('s.json') },
    ),
    signal(
      'Ctrl-C once, a service that never answers (--stop-grace 1s)',
      (c) => ['run', c.dead, '-u', '2', '-d', '60s', '--stop-grace', '1s', '--summary-export', 's.json'],
      ['SIGINT'],
      requestsSeen(2),
      { stdout: /cut_at_stop: 2/, check: interruptedExport('s.json') },
    ),
    ...(['SIGINT', 'SIGTERM'] as const).map((sig) =>
      signal(
        `${sig} twice, a script stuck in a synchronous loop`,
        (c) => ['run', c.input('s.ts'), '--stop-grace', '30s', '--summary-export', 's.json'],
        [sig, sig],
        markerSeen('stuck'),
        { inputs: (c) => ({ 's.ts': SCRIPT_STUCK_AFTER_3(join(c.work, 'stuck')) }), check: interruptedExport('s.json') },
      ),
    ),
    signal(
      'Ctrl-C once, a stuck script (--stop-grace 1s): the worker is terminated',
      (c) => ['run', c.input('s.ts'), '--stop-grace', '1s', '--summary-export', 's.json'],
      ['SIGINT'],
      markerSeen('stuck'),
      { inputs: (c) => ({ 's.ts': SCRIPT_STUCK_AFTER_3(join(c.work, 'stuck')) }), check: interruptedExport('s.json'), timeoutS: 40 },
    ),
    // A script that writes its marker, then never yields: in setup() (before or after an await) or in its init code.
    ...(
      [
        ['SIGINT', 'setup() stuck in a synchronous loop', 'export function setup() { MARK; for (;;) {} }'],
        ['SIGINT', 'setup() stuck in a loop after an await', 'export async function setup() { await new Promise((r) => setTimeout(r, 10)); MARK; for (;;) {} }'],
        ['SIGTERM', 'setup() stuck in a synchronous loop', 'export function setup() { MARK; for (;;) {} }'],
        ['SIGINT', 'a script stuck at module level (init)', 'MARK;\nfor (;;) {}'],
      ] as const
    ).map(([sig, what, code]) =>
      signal(`${sig} twice, ${what}`, (c) => ['run', c.input('s.ts'), '--stop-grace', '1s'], [sig, sig], markerSeen('stuck'), {
        stdout: undefined,
        inputs: (c) => ({
          's.ts':
            `import { writeFileSync } from 'node:fs';\nexport const options = { vus: 1, iterations: 1 };\n` +
            `${code.replace('MARK', `writeFileSync(${json(join(c.work, 'stuck'))}, 'x')`)}\nexport default function () {}\n`,
        }),
      }),
    ),
    signal(
      'Ctrl-C during a k6 script: k6 exit 105, summary written',
      (c) => ['run', c.input('k.js'), '--stop-grace', '1s', '--summary-export', 's.json'],
      ['SIGINT'],
      requestsSeen(1),
      {
        codes: [105],
        stdout: undefined,
        inputs: (c) => ({
          'k.js': `import http from 'k6/http';\nexport const options = { vus: 1, duration: '60s' };\n` +
            `export default function () { http.get(${json(c.ok)}); }\n`,
        }),
        check: (c) => (existsSync(join(c.work, 's.json')) ? undefined : 's.json not written'),
      },
    ),
    signal(
      'Ctrl-C during assess: partial assessment kept',
      (c) => ['assess', c.ok, '--quick', '--suite', 'baseline,sustained', '--expected-rate', '10', '--workers', '1', '--out-dir', 'out'],
      ['SIGINT'],
      requestsSeen(5),
      { stdout: undefined, check: (c) => storedAndRenderable(c), timeoutS: 60 },
    ),
    signal(
      'SIGTERM during the wait for a dead service (no Ctrl-C grace given)',
      (c) => ['run', c.dead, '-u', '1', '-d', '1s'],
      ['SIGTERM'],
      requestsSeen(1),
      { stdout: /cut_at_stop/ },
    ),

    // ------------------------------------------------------------------ huge values
    hugePlan('plan rate: 1e300', (c) => ({ rate: 1e300, duration: '1s', flow: [req(c.ok)] }), /rate/),
    hugePlan('plan vus: 1e12', (c) => ({ vus: 1e12, duration: '1s', flow: [req(c.ok)] }), /vus/),
    hugePlan('plan duration: 99999999999999999999h', (c) => ({ vus: 1, duration: '99999999999999999999h', flow: [req(c.ok)] }), /duration/),
    hugePlan('plan iterations: 1e15', (c) => ({ vus: 1, iterations: 1e15, flow: [req(c.ok)] }), /iterations/),
    hugePlan(
      'plan arrival rate maxVUs: 1e9',
      (c) => ({
        scenarios: { s: { executor: 'constant-arrival-rate', rate: 10, duration: '1s', preAllocatedVUs: 1, maxVUs: 1e9 } },
        flow: [req(c.ok)],
      }),
      /maxVUs|VUs/,
    ),
    hugePlan(
      'plan preAllocatedVUs: 1e9',
      (c) => ({
        scenarios: { s: { executor: 'constant-arrival-rate', rate: 10, duration: '1s', preAllocatedVUs: 1e9 } },
        flow: [req(c.ok)],
      }),
      /VUs/,
    ),
    hugePlan(
      'plan ramping-vus target 1e12',
      (c) => ({ scenarios: { s: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 1e12 }] } }, flow: [req(c.ok)] }),
      /target|VUs/,
    ),
    hugePlan(
      'plan ramping-arrival-rate target 1e300',
      (c) => ({
        scenarios: { s: { executor: 'ramping-arrival-rate', preAllocatedVUs: 1, stages: [{ duration: '1s', target: 1e300 }] } },
        flow: [req(c.ok)],
      }),
      /target|rate/,
    ),
    hugePlan(
      'plan rate 1 per timeUnit 0s',
      (c) => ({ scenarios: { s: { executor: 'constant-arrival-rate', rate: 1, timeUnit: '0s', duration: '1s' } }, flow: [req(c.ok)] }),
      /timeUnit/,
    ),
    hugePlan(
      'plan gracefulStop 99999999999h',
      (c) => ({ scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '99999999999h' } }, flow: [req(c.ok)] }),
      /gracefulStop/,
    ),
    hugePlan('plan sleep 99999999999h', (c) => ({ vus: 1, iterations: 1, flow: [req(c.ok), { sleep: '99999999999h' }] }), /sleep/),
    hugePlan('plan http.timeout 1e20h', (c) => ({ vus: 1, iterations: 1, http: { timeout: '100000000000000000000h' }, flow: [req(c.ok)] }), /timeout/),
    huge('--rate 1e7', (c) => ['run', c.ok, '--rate', '1e7', '-d', '3s', '--workers', '2'], /rate.*limit/),
    huge('--rate 1e300', (c) => ['run', c.ok, '--rate', '1e300', '-d', '1s'], /rate/),
    huge('--rate Infinity', (c) => ['run', c.ok, '--rate', 'Infinity', '-d', '1s'], /--rate/),
    huge('-u 200000', (c) => ['run', c.ok, '-u', '200000', '-d', '1s', '--workers', '2'], /vus.*limit/),
    huge('-u 1e12', (c) => ['run', c.ok, '-u', '1e12', '-d', '1s'], /vus/),
    huge('-u NaN', (c) => ['run', c.ok, '-u', 'NaN', '-d', '1s'], /vus/),
    huge('-i 1e12', (c) => ['run', c.ok, '-i', '1e12'], /iterations/),
    huge('-d 99999999999999999999h', (c) => ['run', c.ok, '-u', '1', '-d', '99999999999999999999h'], /duration/),
    huge('-d 8d (above 7 days)', (c) => ['run', c.ok, '-u', '1', '-d', '8d'], /duration|7 days/),
    huge('--stop-grace 99999999999h', (c) => ['run', c.ok, '-i', '1', '--stop-grace', '99999999999h'], /--stop-grace/),
    huge('--timeout 99999999999999h', (c) => ['run', c.ok, '-i', '1', '--timeout', '99999999999999h'], /timeout/),
    huge('--workers 1e6', (c) => ['run', c.ok, '-i', '1', '--workers', '1000000'], /workers/),
    huge('assess --expected-rate 1e300', (c) => ['assess', c.ok, '--expected-rate', '1e300', '--out-dir', 'out'], /--expected-rate/),
    huge('assess --soak 200h', (c) => ['assess', c.ok, '--suite', 'sustained', '--expected-rate', '10', '--soak', '200h'], /--soak/),
    huge('profile --rate 1e7', () => ['profile', '--rate', '1e7', '--workers', '2', '--', process.execPath, '-e', '0'], /--rate/),
    huge('profile -d 99999999999999999999h', () => ['profile', '-d', '99999999999999999999h', '--', process.execPath, '-e', '0'], /duration/),
    {
      category: 'huge values',
      name: '-H with a 100 kB value (Node answers 431: a completed run)',
      args: (c) => ['run', c.ok, '-i', '2', '-H', `X-Big: ${'v'.repeat(100_000)}`, ...ANY_ARGS],
      codes: [0],
      stdout: /HTTP 431: 2/,
    },
    {
      category: 'huge values',
      name: '--body of 120 kB',
      args: (c) => ['run', c.ok, '-i', '2', '--body', 'b'.repeat(120_000), ...ANY_ARGS],
      codes: [0],
    },
    {
      category: 'huge values',
      // Exit 1 (nothing answered); exit 2 where `ulimit -n` is below 20,256 (the VU limit follows it).
      name: '-u 20000 (the limit with 2 workers) -d 1s against a refused port: ends, exit 1',
      args: (c) => ['run', c.refused, '-u', '20000', '-d', '1s', '--workers', '2', ...ANY_ARGS],
      codes: [1, 2],
      timeoutS: 60,
    },

    // ------------------------------------------------------------------ target faults, script errors
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'a service that never answers fails both thresholds (exit 99), bounded',
      args: (c) => [
        'run',
        c.dead,
        '-u',
        '2',
        '-d',
        '1s',
        '--threshold',
        'http_req_failed:rate<0.01',
        '--threshold',
        'http_req_duration:p(95)<200',
        ...ANY_ARGS,
      ],
      codes: [99],
      stdout: /cut_at_stop: 2/,
      check: (_c, r) => (r.ms > 15_000 ? `took ${r.ms} ms` : undefined),
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'a service that never answers, no thresholds: exit 1',
      args: (c) => ['run', c.dead, '-u', '1', '-d', '1s', ...ANY_ARGS],
      codes: [1],
      stderr: /no HTTP request completed/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'a service that resets every connection: exit 1, kind reset',
      args: (c) => ['run', c.reset, '-u', '1', '-d', '1s', ...ANY_ARGS],
      codes: [1],
      stdout: /reset/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'connection refused: exit 1, kind connect_refused',
      args: (c) => ['run', c.refused, '-u', '1', '-d', '1s', ...ANY_ARGS],
      codes: [1],
      stdout: /connect_refused/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'resets with a threshold: exit 99',
      args: (c) => ['run', c.reset, '-i', '3', '--threshold', 'http_req_failed:rate<0.01', ...ANY_ARGS],
      codes: [99],
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'a threshold on a known metric with no data fails (exit 99)',
      args: (c) => ['run', c.ok, '-i', '2', '--threshold', 'checks:rate>0.9', ...ANY_ARGS],
      codes: [99],
      stdout: /no data/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'a tag filter that matches nothing fails (exit 99)',
      args: (c) => ['run', c.ok, '-i', '2', '--threshold', 'http_req_duration{name:lgoin}:p(95)<200', ...ANY_ARGS],
      codes: [99],
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'allowEmpty opts out: exit 0 with a warning',
      args: (c) => ['run', c.ok, '-i', '2', '--threshold', 'checks:rate>0.9,allowEmpty', ...ANY_ARGS],
      codes: [0],
      stdout: /⚠/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: "k6 script with an empty threshold: k6's verdict (0), named in a warning",
      inputs: (c) => ({
        'k.js': `import http from 'k6/http';
export const options = { vus: 1, iterations: 2, thresholds: { 'http_req_duration{name:nosuch}': ['p(95)<200'] } };
export default function () { http.get(${json(c.ok)}); }
`,
      }),
      args: (c) => ['run', c.input('k.js'), ...ANY_ARGS],
      codes: [0],
      stdout: /nosuch/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: "default() that throws: the user's file:line, counted, paced, exit 1",
      inputs: () => ({
        's.ts': `export const options = { vus: 2, duration: '1s' };
function helper(x: any) { return x.missing.field; }
export default function () { helper({}); }
`,
      }),
      args: (c) => ['run', c.input('s.ts'), ...ANY_ARGS],
      codes: [1],
      stdout: /s\.ts:2:\d+/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'an unhandled rejection (1 VU) is an iteration error',
      inputs: (c) => ({
        's.ts': `import { http } from 'speedguard';
export const options = { vus: 1, iterations: 3 };
export default async function () { Promise.reject(new Error('forgot to await')); await http.get(${json(c.ok)}); }
`,
      }),
      args: (c) => ['run', c.input('s.ts'), ...ANY_ARGS],
      codes: [0],
      stdout: /forgot to await/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'an unhandled rejection (2 VUs) is an iteration error',
      inputs: (c) => ({
        's.ts': `import { http } from 'speedguard';
export const options = { vus: 2, iterations: 6 };
export default async function () { Promise.reject(new Error('forgot to await')); await http.get(${json(c.ok)}); }
`,
      }),
      args: (c) => ['run', c.input('s.ts'), ...ANY_ARGS],
      codes: [0],
      stdout: /forgot to await/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: "setup() that throws: the user's message and stack, exit 1, stored",
      inputs: () => ({
        's.ts': `export const options = { vus: 1, iterations: 1 };
export function setup() { throw new Error('cannot log in as admin'); }
export default function () {}
`,
      }),
      args: (c) => ['run', c.input('s.ts')],
      codes: [1],
      stdout: /cannot log in as admin[\s\S]*s\.ts:2:\d+/,
      check: (c) => storedAndRenderable(c, 'failed'),
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'a script whose module throws at load: its message, exit 1 or 2',
      inputs: () => ({ 's.ts': `throw new Error('config missing');\nexport default function () {}\n` }),
      args: (c) => ['run', c.input('s.ts'), ...ANY_ARGS],
      codes: [1, 2],
      stderr: /config missing/,
    },
    {
      category: 'target faults, script errors (§1, §3)',
      name: 'a script that sends nothing: not a success',
      inputs: () => ({ 's.ts': `export const options = { vus: 1, iterations: 2 };\nexport default function () {}\n` }),
      args: (c) => ['run', c.input('s.ts'), ...ANY_ARGS],
      codes: [1],
    },
    ...secretCases(),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Running one case.

function cli(args: string[], cwd: string, timeoutS: number, onStart?: (child: ChildProcess, out: { stdout: string; stderr: string }) => void) {
  return new Promise<RunResult>((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, HOME: cwd, NO_COLOR: '1', CI: '1', GITHUB_STEP_SUMMARY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => (out.stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    onStart?.(child, out);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, ...out, ms: Date.now() - started });
    });
  });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    const s = statSync(p);
    return s.isDirectory() ? filesUnder(p) : s.isFile() ? [p] : [];
  });
}

/** A frame line of a stack trace that is not the user's own file. */
function foreignStack(text: string, userDir: string): string | undefined {
  return text.split('\n').find((l) => /^\s+at \S/.test(l) && /:\d+:\d+\)?\s*$/.test(l) && !l.includes(userDir));
}

interface Outcome {
  c: Case;
  problems: string[];
  result: RunResult;
}

async function runCase(c: Case, root: string, index: number): Promise<Outcome> {
  const base = join(root, String(index).padStart(3, '0'));
  const work = join(base, 'work');
  const inputs = join(base, 'in');
  mkdirSync(work, { recursive: true });
  mkdirSync(inputs, { recursive: true });
  const servers = await startServers();
  const ctx: Ctx = Object.assign(Object.create(servers) as Servers, { work, input: (n: string) => join(inputs, n) }) as Ctx;
  const problems: string[] = [];
  let result: RunResult = { code: null, signal: null, stdout: '', stderr: '', ms: 0 };
  try {
    for (const [name, text] of Object.entries(c.inputs?.(ctx) ?? {})) writeFileSync(join(inputs, name), text);
    const timeoutS = c.timeoutS ?? 30;
    result = await cli(c.args(ctx), work, timeoutS, (child, out) => {
      if (!c.signals) return;
      let sent = 0;
      const poll = setInterval(() => {
        const send = c.signals!.send;
        if (sent === 0 && c.signals!.when(ctx, out)) child.kill(send[sent++]!);
        // The next one once the CLI said it saw the last (it prints "— stopping" on the first).
        else if (sent > 0 && sent < send.length && /stopping|interrupt/i.test(out.stderr)) child.kill(send[sent++]!);
        if (sent >= send.length) clearInterval(poll);
      }, 25);
      child.on('close', () => clearInterval(poll));
    });
    // Ended by the default action of a signal the case sent (no handler yet): the shell sees 128+n.
    if (result.code === null && result.signal !== null && result.signal !== 'SIGKILL' && c.signals?.send.includes(result.signal))
      result = { ...result, code: 128 + osConstants.signals[result.signal] };
    const r = result;
    writeFileSync(join(base, 'stdout'), r.stdout);
    writeFileSync(join(base, 'stderr'), r.stderr);
    if (r.code === null) problems.push(`hung: killed after ${timeoutS} s (signal ${r.signal})`);
    else if (!c.codes.includes(r.code)) problems.push(`exit ${r.code}, expected ${c.codes.join('/')}`);
    const all = `${r.stdout}\n${r.stderr}`;
    const frame = foreignStack(all, inputs);
    if (frame) problems.push(`stack trace: ${frame.trim()}`);
    for (const bad of [/internal error/i, /TimeoutOverflowWarning/, /Unhandled 'error' event/, /please report/i]) {
      if (bad.test(all)) problems.push(`says ${bad.source}`);
    }
    if (r.code === 2) {
      const lines = r.stderr.trim().split('\n').filter(Boolean);
      if (lines.length !== 1) problems.push(`exit 2 with ${lines.length} lines on stderr`);
      if (servers.hits > 0) problems.push(`exit 2 after ${servers.hits} connection(s) reached the servers`);
    }
    if (c.stdout && !c.stdout.test(r.stdout)) problems.push(`stdout lacks ${c.stdout.source}`);
    if (c.stderr && !c.stderr.test(r.stderr)) problems.push(`stderr lacks ${c.stderr.source}: ${r.stderr.trim().slice(0, 160)}`);
    if (r.code !== null) {
      const own = await c.check?.(ctx, r);
      if (own) problems.push(own);
    }
    if (c.secrets) {
      const outputs: Array<[string, string]> = [
        ['stdout', r.stdout],
        ['stderr', r.stderr],
        ...filesUnder(work).map((f): [string, string] => [f.slice(work.length + 1), readFileSync(f, 'latin1')]),
      ];
      for (const s of c.secrets) for (const [where, text] of outputs) if (text.includes(s)) problems.push(`secret in ${where}`);
    }
  } catch (e) {
    problems.push(`driver error: ${(e as Error).message}`);
  } finally {
    await servers.close();
  }
  return { c, problems, result };
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const jobs = Math.max(1, Number(opt('--jobs') ?? 2));
  const only = opt('--only');
  const all = cases().filter((c) => !only || `${c.category} ${c.name}`.includes(only));
  if (argv.includes('--list')) {
    for (const c of all) console.log(`${c.category}\t${c.name}`);
    return 0;
  }
  const root = mkdtempSync(join(tmpdir(), 'sg-robustness-'));
  const started = Date.now();
  const outcomes: Outcome[] = new Array(all.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < all.length) {
        const i = next++;
        const o = await runCase(all[i]!, root, i);
        outcomes[i] = o;
        const mark = o.problems.length === 0 ? 'ok  ' : 'FAIL';
        process.stderr.write(`${mark} ${String(o.result.ms).padStart(6)} ms  exit ${o.result.code}  [${o.c.category}] ${o.c.name}\n`);
      }
    }),
  );
  const rows = CATEGORIES.map((cat) => {
    const of = outcomes.filter((o) => o.c.category === cat);
    const ok = of.filter((o) => o.problems.length === 0).length;
    return { cat, tried: of.length, ok, lost: of.length - ok };
  }).filter((r) => r.tried > 0);
  const total = rows.reduce((a, r) => ({ tried: a.tried + r.tried, ok: a.ok + r.ok, lost: a.lost + r.lost }), { tried: 0, ok: 0, lost: 0 });
  const out: string[] = ['| category | tried | handled | crashed / lost |', '|---|---|---|---|'];
  for (const r of rows) out.push(`| ${r.cat} | ${r.tried} | ${r.ok} | ${r.lost} |`);
  out.push(`| **total** | ${total.tried} | ${total.ok} | ${total.lost} |`);
  const failing = outcomes.filter((o) => o.problems.length > 0);
  if (failing.length > 0) {
    out.push('', 'Crashed / lost:');
    for (const o of failing) out.push(`- [${o.c.category}] ${o.c.name} (exit ${o.result.code}, ${o.result.ms} ms): ${o.problems.join('; ')}`);
  }
  out.push('', `${all.length} cases in ${((Date.now() - started) / 1000).toFixed(0)} s, ${jobs} at a time; case directories under ${root}`);
  console.log(out.join('\n'));
  if (failing.length === 0 && !argv.includes('--keep')) rmSync(root, { recursive: true, force: true });
  return failing.length === 0 ? 0 : 1;
}

process.exitCode = await main();
