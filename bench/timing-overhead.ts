// Timing overhead: how much does speedguard add to a measured request at low load?
//   ./node_modules/.bin/node bench/timing-overhead.ts [--rounds 5] [--duration 10]
// One keep-alive connection to nginx (core 0), generator on core 1: speedguard's http_req_duration
// p50 minus wrk's latency p50 (wrk --latency). Goal ≤ 50 µs. The req/s at one connection is
// 1 / (round trip + generator time per request), so it shows the same overhead from another side.
// autocannon is left out: it records whole milliseconds, too coarse for a 50 µs question.
import { parseArgs } from 'node:util';
import { runWhenQuiet, stopOnSignal } from './lib/cpu-load.ts';
import { startNginx } from './lib/nginx.ts';
import { ensurePeers } from './lib/peers.ts';
import { fmt, machine, median, saveResults, table, verdict } from './lib/report.ts';
import { runSpeedguard, runWrk, speedguardArgv, type GeneratorRunOptions, type Measurement } from './lib/tools.ts';

const TARGET_CPU = 0;
const GENERATOR_CPU = 1;
const GOAL_US = 50;

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, duration: { type: 'string', default: '10' } },
});
const rounds = Math.max(3, Number(args.rounds));
const durationS = Number(args.duration);
if (!(durationS > 0 && durationS <= 120)) throw new Error(`--duration ${args.duration}: expected 1..120 seconds`);

await ensurePeers(['wrk', 'nginx']);
const m = await machine();
console.log(`timing-overhead · ${m.date} · ${m.nproc} cores · ${m.cpu} · Node ${m.node}`);
const nginx = await startNginx({ cpu: TARGET_CPU, workerConnections: 1024 });
const opts: GeneratorRunOptions = { url: nginx.url, cpu: GENERATOR_CPU, connections: 1, durationS, targetPids: nginx.pids };
console.log(`speedguard: taskset -c ${GENERATOR_CPU} ${speedguardArgv(opts, 'S.json').join(' ')}`);
console.log(`wrk:        taskset -c ${GENERATOR_CPU} wrk -t1 -c1 -d${durationS}s --latency URL\n`);

stopOnSignal(() => nginx.stop());
const all: { sg: Measurement; wrk: Measurement }[] = [];
try {
  await runWrk({ ...opts, durationS: 2 }); // warm the target
  for (let r = 0; r < rounds; r++) {
    let sg: Measurement | undefined;
    let wrk: Measurement | undefined;
    for (const which of r % 2 === 0 ? ['sg', 'wrk'] : ['wrk', 'sg']) {
      if (which === 'sg') sg = await runWhenQuiet(() => runSpeedguard(opts), nginx.pids);
      else wrk = await runWhenQuiet(() => runWrk(opts), nginx.pids);
    }
    all.push({ sg: sg!, wrk: wrk! });
    const d = (sg!.extra['durationP50Ms']! - wrk!.p50Ms!) * 1000;
    console.log(
      `round ${r + 1}: speedguard p50 ${fmt(sg!.extra['durationP50Ms']! * 1000, 1)} µs, ${fmt(sg!.rps, 0)} req/s · wrk p50 ` +
        `${fmt(wrk!.p50Ms! * 1000, 1)} µs, ${fmt(wrk!.rps, 0)} req/s · Δ ${fmt(d, 1)} ` +
        `µs${[...sg!.warnings, ...wrk!.warnings].map((w) => ` [${w}]`).join('')}`,
    );
  }
} finally {
  await nginx.stop();
}

const sgP50 = median(all.map((x) => x.sg.extra['durationP50Ms']! * 1000));
const sgLatP50 = median(all.map((x) => x.sg.p50Ms! * 1000));
const wrkP50 = median(all.map((x) => x.wrk.p50Ms! * 1000));
const diffs = all.map((x) => (x.sg.extra['durationP50Ms']! - x.wrk.p50Ms!) * 1000);
const sgRps = median(all.map((x) => x.sg.rps));
const wrkRps = median(all.map((x) => x.wrk.rps));
console.log(
  `\n${table(
    ['median of rounds', 'p50 µs', 'req/s', 'µs per request (1/rate)'],
    [
      ['speedguard http_req_duration', fmt(sgP50, 1), fmt(sgRps, 0), fmt(1e6 / sgRps, 1)],
      ['speedguard http_req_latency', fmt(sgLatP50, 1), '', ''],
      ['wrk', fmt(wrkP50, 1), fmt(wrkRps, 0), fmt(1e6 / wrkRps, 1)],
    ],
  )}`,
);
const medDiff = median(diffs);
console.log(
  `p50 difference speedguard − wrk: median of rounds ${fmt(medDiff, 1)} µs (per round ${diffs.map((d) => fmt(d, 1)).join(', ')}) · ` +
    `goal ≤ ${GOAL_US} µs: ${verdict(medDiff <= GOAL_US)}`,
);
console.log(
  `time per request at 1 connection, speedguard − wrk: ${fmt(1e6 / sgRps - 1e6 / wrkRps, 1)} µs (ratio of rates ${fmt(sgRps / wrkRps, 3)})`,
);
console.log(`raw rounds: ${saveResults('timing-overhead', { machine: m, durationS, rounds: all })}`);
