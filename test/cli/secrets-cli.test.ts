// Issue 11 §5 end to end: secrets generated into every place a value can enter a run (plan headers,
// query, JSON body, plan env, scenario env, probes.postgres, -e) are found in no output: stdout
// (summary and --json), stderr, the summary export, the NDJSON stream, assessment reports, and the
// bytes of the history database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { runCli } from '../helpers/cli.ts';
import { startServer } from '../helpers/servers.ts';
import { headerName, secretName, secretValue } from '../record/secret-arbitraries.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const envName = (n: string) => n.replace(/[^A-Za-z0-9_]/g, '_');

function planText(url: string, s: { header: string; query: string; env: string; secrets: string[] }, withProbe: boolean): string {
  const [h, q, body, env, scenarioEnv, probe] = s.secrets;
  return JSON.stringify({
    scenarios: {
      s: { executor: 'shared-iterations', vus: 1, iterations: 3, maxDuration: '10s', env: { [envName(s.env) + '_S']: scenarioEnv } },
    },
    flow: [
      {
        request: {
          method: 'POST',
          url: `${url}/login?page=1&${encodeURIComponent(s.query)}=${q}`,
          headers: { [s.header]: h, 'Content-Type': 'application/json' },
          body: JSON.stringify({ user: 'u', password: body }),
        },
      },
    ],
    env: { [envName(s.env)]: env },
    // assess connects to the probe's database before any load: only run keeps it unconnected.
    ...(withProbe ? { probes: { postgres: `postgres://app:${probe}@127.0.0.1:1/shop` } } : {}),
  });
}

test('property: no generated secret reaches any output of run or assess, nor the history file', { timeout: 240_000 }, async () => {
  const srv = await startServer();
  try {
    for (const assess of [false, true])
      await fc.assert(
        fc.asyncProperty(
          headerName,
          secretName,
          secretName,
          fc.array(secretValue, { minLength: 7, maxLength: 7 }),
          async (header, query, env, secrets) => {
            const dir = mkdtempSync(join(tmpdir(), 'sg-secrets-'));
            const plan = join(dir, 'plan.json');
            writeFileSync(plan, planText(srv.url, { header, query, env, secrets }, !assess));
            const history = join(dir, 'h.db');
            const flagEnv = `DB=postgres://app:${secrets[6]}@db.internal:5432/shop`;
            const outputs: string[] = [];
            if (assess) {
              const r = await runCli(
                [
                  'assess',
                  plan,
                  '--quick',
                  '--suite',
                  'baseline',
                  '--expected-rate',
                  '5',
                  '--workers',
                  '1',
                  '--history',
                  history,
                  '--out-dir',
                  join(dir, 'out'),
                ],
                { timeoutMs: 120_000 },
              );
              assert.ok(r.code === 0 || r.code === 99, `assess exit ${r.code}: ${r.stderr}`);
              outputs.push(r.stdout, r.stderr, ...filesUnder(join(dir, 'out')).map((f) => readFileSync(f, 'latin1')));
            } else {
              const r = await runCli(
                [
                  'run',
                  plan,
                  '-e',
                  flagEnv,
                  '--json',
                  '--history',
                  history,
                  '--summary-export',
                  join(dir, 's.json'),
                  '--out',
                  `json=${join(dir, 'm.ndjson')}`,
                ],
                { timeoutMs: 60_000 },
              );
              assert.equal(r.code, 0, r.stderr);
              assert.equal(JSON.parse(r.stdout).kind, 'run');
              outputs.push(r.stdout, r.stderr, readFileSync(join(dir, 's.json'), 'utf8'), readFileSync(join(dir, 'm.ndjson'), 'utf8'));
              const summary = await runCli(['report', 'latest', '--history', history], { timeoutMs: 30_000 });
              outputs.push(summary.stdout, summary.stderr);
            }
            outputs.push(readFileSync(history, 'latin1'));
            for (const f of readdirSync(dir).filter((f) => f.startsWith('h.db-'))) outputs.push(readFileSync(join(dir, f), 'latin1'));
            const all = outputs.join('\n');
            for (const [i, secret] of secrets.entries()) {
              if (assess && i >= 5) continue; // the probe and -e are given to run only
              assert.ok(!all.includes(secret), `secret #${i} (${secret}) leaked; header ${header}, query ${query}, env ${env}`);
            }
            assert.ok(srv.requests > 0);
          },
        ),
        { numRuns: assess ? 1 : 2, endOnFailure: true },
      );
  } finally {
    await srv.close();
  }
});
