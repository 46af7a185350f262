import { startAssessment } from '../../src/assess/suite.ts';
import { parseSlo } from '../../src/assess/options.ts';
import { startServer } from '../helpers/servers.ts';
import { get, plan, scenario } from '../helpers/plan.ts';
const mode = process.argv[2] ?? 'healthy';
const srv = await startServer((req, res) => {
  if (mode === 'healthy') { res.setHeader('content-type', 'application/json'); res.setHeader('cache-control', 'no-store'); res.end('{"ok":true}'); return; }
  // big uncompressed json, no caching, a bit slow
  setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ items: Array.from({ length: 800 }, (_, i) => ({ id: i, name: 'product ' + i })) })); }, 5);
});
const p = plan({ default: scenario({ executor: 'constant-vus', vus: 1, durationMs: 1000 } as never, [get(srv.url + '/api')]) });
const h = startAssessment(p, { config: { expectedRate: 100, slo: parseSlo([]), suite: ['baseline', 'stress', 'spike', 'sustained', 'recovery'], soakMs: 8000, growthPercentPerQuarter: null, targetRate: null }, log: (l) => console.error(l), baselineMs: 8000, maxRate: 1600 });
const rec = await h.result;
await srv.close();
for (const f of rec.findings) console.log(`${f.id} [${f.severity} ${f.confidence}] ${f.audit}: ${f.title}\n   ${f.description.slice(0, 400)}`); for (const ph of rec.phases) console.log(ph.name, JSON.stringify(ph.run.generator), ph.run.intervals.map(i => i.generator.cpuMax.toFixed(2) + "/" + i.generator.loopDelayP99MaxMs.toFixed(0)).join(" "));
