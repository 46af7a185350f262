// Connection use, from pg_stat_activity sampled during the measured windows (ActivitySummary):
// - connections near max_connections (ASSESSMENT-RULES.md §3: < 80 % of the pool) — new connections get refused;
// - sessions idle in transaction — they hold locks and old snapshots (vacuum cannot clean behind them);
// - backends waiting on locks — requests serialise behind each other;
// - the application's pool saturated: its connections are all active in (nearly) every sample — a
//   plateau — while request latency climbs (over the SLO, or rising from one phase to the next with
//   the same plateau): requests queue for a connection, not for the database.
import { bandOf } from '../analysis/severity.ts';
import type { PhaseName } from '../record/phase-name.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';
import type { ActivitySummary } from '../record/database-probes.ts';
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { ms, pct, round } from '../analysis/format.ts';
import { activities, dbView, shortSql, type DbView } from '../analysis/database-figures.ts';
import { dbComponent } from './support/database.ts';
import { steadyStats } from './support/record.ts';

export const DB_CONNECTIONS_ID = 'db-connections';
export const NEAR_MAX = 0.8;
export const AT_MAX = 0.95;
/** Idle-in-transaction sessions present on average (≥ half a session) → low; this share of connections → medium. */
export const IDLE_TX_MEAN = 0.5;
export const IDLE_TX_SHARE = 0.2;
/** Active connections at ≥ this share of their maximum on average: a plateau (the pool's size), not a peak. */
export const PLATEAU_FILL = 0.85;
/** Latency growth between two windows with the same plateau that counts as "climbing". */
export const LATENCY_CLIMB = 1.5;

type Win = { phase: PhaseName | 'window'; activity: ActivitySummary };

export const dbConnections: Audit = {
  id: DB_CONNECTIONS_ID,
  effect: 'objective',
  title: 'Database connections',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v) return [];
    const wins = activities(v).filter((w) => w.activity.samples > 0);
    if (!wins.length) return [];
    const out: AuditFinding[] = [];
    const near = nearMax(v, wins);
    if (near) out.push(near);
    const idle = idleInTransaction(v, wins);
    if (idle) out.push(idle);
    const locks = lockWaits(v, wins);
    if (locks) out.push(locks);
    const pool = poolSaturation(ctx, v, wins);
    if (pool) out.push(pool);
    return out;
  },
};

const phaseOf = (w: Win) => (w.phase === 'window' ? {} : { phase: w.phase });
const confidenceOf = (samples: number) => (samples >= 30 ? 0.85 : samples >= 10 ? 0.75 : 0.55);
const base = (v: DbView) => ({
  audit: DB_CONNECTIONS_ID,
  type: 'database' as const,
  location: null,
  component: dbComponent(v, 'connections'),
});

function nearMax(v: DbView, wins: Win[]): AuditFinding | null {
  const worst = wins
    .map((w) => ({ w, use: w.activity.total.max / Math.max(1, w.activity.maxConnections) }))
    .sort((a, b) => b.use - a.use)[0]!;
  if (worst.use < NEAR_MAX) return null;
  const a = worst.w.activity;
  const severity: Severity = worst.use >= AT_MAX ? 'high' : 'medium';
  return {
    ...base(v),
    title: `Connections at ${pct(worst.use)} of max_connections (${a.total.max} of ${a.maxConnections})`,
    severity,
    confidence: confidenceOf(a.samples),
    description:
      `Up to ${a.total.max} connections to ${v.database} (mean ${round(a.total.mean, 1)}) against max_connections = ` +
      `${a.maxConnections}: ` +
      ((severity === 'high'
        ? 'at the limit, new connections are refused ("too many clients already")'
        : "above ASSESSMENT-RULES.md §3's 80 % of the pool") +
        `. `) +
      `${a.idle.max ? `${a.idle.max} of them sat idle at some point.` : ''}`,
    evidence: [
      { label: 'connections (max over samples)', value: a.total.max, unit: 'count', ...phaseOf(worst.w) },
      { label: 'max_connections', value: a.maxConnections, unit: 'count' },
      { label: 'share of max_connections', value: round(worst.use * 100, 1), unit: '%', ...phaseOf(worst.w) },
      { label: 'idle connections (max)', value: a.idle.max, unit: 'count', ...phaseOf(worst.w) },
      { label: 'active connections (max)', value: a.active.max, unit: 'count', ...phaseOf(worst.w) },
    ],
    rootCause:
      "Each application instance opens its own pool; instances × pool size approaches the server's limit (often with many idle " +
      'connections).',
    impact: { userExperience: 'When the limit is reached, requests that need a new connection fail.' },
    recommendation: {
      approach:
        "Put a transaction-mode pooler in front (PgBouncer, or the platform's proxy) and shrink per-instance pools to what the load " +
        'needs (active connections, not instances × max); raise max_connections only with the memory for it (each backend costs ' +
        'work_mem and more).',
      expectedImprovement: `Connections well under ${pct(NEAR_MAX)} of max_connections with the same throughput.`,
      effort: 'medium',
      testingRequired: 'Re-run the load with --db: peak connections below 80 % of max_connections, no connection errors.',
      rollbackPlan: 'Restore the previous pool sizes / bypass the pooler.',
    },
  };
}

function idleInTransaction(v: DbView, wins: Win[]): AuditFinding | null {
  const worst = [...wins].sort((a, b) => b.activity.idleInTransaction.mean - a.activity.idleInTransaction.mean)[0]!;
  const a = worst.activity;
  if (a.idleInTransaction.max < 1 || a.idleInTransaction.mean < IDLE_TX_MEAN) return null;
  const share = a.total.mean > 0 ? a.idleInTransaction.mean / a.total.mean : 0;
  const severity: Severity = share >= IDLE_TX_SHARE ? 'medium' : 'low';
  return {
    ...base(v),
    title: `Sessions idle in transaction: ${round(a.idleInTransaction.mean, 1)} on average (up to ${a.idleInTransaction.max})`,
    severity,
    confidence: confidenceOf(a.samples),
    description:
      `On average ${round(a.idleInTransaction.mean, 1)} connection(s) (${pct(share)} of those open) sat "idle in ` +
      `transaction": a transaction was opened and the application did something else before committing. They hold their locks and keep ` +
      `an old snapshot that stops vacuum from cleaning up.`,
    evidence: [
      { label: 'idle in transaction (mean over samples)', value: round(a.idleInTransaction.mean, 2), unit: 'count', ...phaseOf(worst) },
      { label: 'idle in transaction (max)', value: a.idleInTransaction.max, unit: 'count', ...phaseOf(worst) },
      { label: 'share of open connections', value: round(share * 100, 1), unit: '%', ...phaseOf(worst) },
      { label: 'samples', value: a.samples, unit: 'count' },
    ],
    rootCause:
      'Application code holds a transaction open across slow work (HTTP calls, computation) or forgets to commit/release a client on ' +
      'an error path.',
    impact: { responseTimeIncrease: 'Other transactions wait on the locks these hold; table bloat grows while vacuum is blocked.' },
    recommendation: {
      approach:
        'Keep transactions around database work only (no network calls inside), always COMMIT/ROLLBACK and release the client in a ' +
        "finally block; set idle_in_transaction_session_timeout (e.g. '30s') as a guard.",
      expectedImprovement: 'No sessions idle in transaction; lock waits behind them disappear.',
      effort: 'medium',
      testingRequired: 'Re-run the load with --db: idle-in-transaction connections at 0.',
      rollbackPlan: 'Reset idle_in_transaction_session_timeout; revert the code change.',
    },
  };
}

function lockWaits(v: DbView, wins: Win[]): AuditFinding | null {
  const worst = [...wins].sort(
    (a, b) =>
      b.activity.waitingOnLocks.mean - a.activity.waitingOnLocks.mean || b.activity.waitingOnLocks.max - a.activity.waitingOnLocks.max,
  )[0]!;
  const a = worst.activity;
  if (a.waitingOnLocks.max < 1) return null;
  const severity: Severity = a.waitingOnLocks.mean >= 1 ? 'medium' : 'low';
  const events = Object.entries(a.waitEvents ?? {})
    .filter(([k]) => /^Lock/i.test(k))
    .sort((x, y) => y[1] - x[1]);
  const evidence: Evidence[] = [
    { label: 'backends waiting on locks (mean)', value: round(a.waitingOnLocks.mean, 2), unit: 'count', ...phaseOf(worst) },
    { label: 'backends waiting on locks (max)', value: a.waitingOnLocks.max, unit: 'count', ...phaseOf(worst) },
  ];
  for (const [k, n] of events.slice(0, 4))
    evidence.push({ label: `wait event ${k} (samples)`, value: n, unit: 'count', ...phaseOf(worst) });
  if (a.longestActive)
    evidence.push({
      label: `longest active statement: ${shortSql(a.longestActive.query, 80)}`,
      value: round(a.longestActive.ms, 0),
      unit: 'ms',
    });
  return {
    ...base(v),
    title: `Backends waiting on locks (up to ${a.waitingOnLocks.max}, mean ${round(a.waitingOnLocks.mean, 1)})`,
    severity,
    confidence: confidenceOf(a.samples),
    description:
      `Up to ${a.waitingOnLocks.max} backend(s) waited on a ` +
      `lock${events.length ? ` (${events.map(([k, n]) => `${k}: ${n} samples`).join(', ')})` : ''}: requests touching the same rows ` +
      `run one after ` +
      (`another.` +
        (a.longestActive
          ? ` The longest active statement seen ran ${ms(a.longestActive.ms)}: "${shortSql(a.longestActive.query, 100)}".`
          : '')),
    evidence,
    rootCause: events.some(([k]) => /transactionid|tuple/i.test(k))
      ? 'Concurrent updates of the same rows (a hot row: a counter, a balance, a status) serialise on row locks.'
      : 'Transactions hold locks other statements need (long transactions, explicit LOCK, DDL during traffic).',
    impact: { responseTimeIncrease: 'Latency grows with concurrency as requests queue behind the lock holder.' },
    recommendation: {
      approach:
        "Find the blocker (SELECT pid, pg_blocking_pids(pid), query FROM pg_stat_activity WHERE wait_event_type = 'Lock'); shorten " +
        'the transactions that hold the lock, update hot rows less often (batch counters, append instead of update), use SELECT … ' +
        'FOR UPDATE SKIP LOCKED for queues, set lock_timeout so waits fail fast.',
      expectedImprovement: 'No lock waits at this load: latency stops growing with concurrency.',
      effort: 'medium',
      testingRequired: 'Re-run the load with --db: waiting-on-locks at 0, latency flat across the stress steps.',
      rollbackPlan: 'Revert the transaction changes.',
    },
  };
}

/** p95 latency and the SLO of the phase a window covers (null when the record has no such phase). */
function phaseLatency(record: AssessmentRecord, phase: PhaseName | 'window'): { p95: number; pSlo: number; sloMs: number } | null {
  const p =
    phase === 'window'
      ? record.phases.find((x) => x.verdict !== 'skipped')
      : record.phases.find((x) => x.name === phase && x.verdict !== 'skipped');
  if (!p) return null;
  const s = steadyStats(p);
  if (s.samples === 0) return null;
  return { p95: s.quantile(95), pSlo: s.quantile(record.config.slo.latencyPercentile), sloMs: record.config.slo.latencyMs };
}

function poolSaturation(ctx: AuditContext, v: DbView, wins: Win[]): AuditFinding | null {
  const record = ctx.record;
  const plateaus = wins.filter((w) => {
    const a = w.activity;
    return (
      a.active.max >= 2 &&
      a.active.mean >= PLATEAU_FILL * a.active.max &&
      a.active.max < NEAR_MAX * a.maxConnections &&
      // all the application's connections busy: active ≈ open connections (one may be speedguard's sampler)
      a.active.max >= a.total.max - 1 - a.idleInTransaction.max
    );
  });
  if (!plateaus.length) return null;
  let chosen: { w: Win; lat: NonNullable<ReturnType<typeof phaseLatency>>; climb: number | null } | null = null;
  // Same plateau in two windows while latency climbed from one to the other.
  for (let i = 0; i < plateaus.length && !chosen; i++) {
    for (let j = i + 1; j < plateaus.length && !chosen; j++) {
      const a = plateaus[i]!;
      const b = plateaus[j]!;
      if (a.activity.active.max !== b.activity.active.max) continue;
      const la = phaseLatency(record, a.phase);
      const lb = phaseLatency(record, b.phase);
      if (la && lb && la.p95 > 0 && lb.p95 / la.p95 >= LATENCY_CLIMB) chosen = { w: b, lat: lb, climb: lb.p95 / la.p95 };
    }
  }
  if (!chosen) {
    for (const w of plateaus) {
      const lat = phaseLatency(record, w.phase);
      if (lat && lat.pSlo > lat.sloMs) {
        chosen = { w, lat, climb: null };
        break;
      }
    }
  }
  if (!chosen) return null;
  const a = chosen.w.activity;
  const slo = record.config.slo;
  let severity: Severity = 'medium';
  const band = bandOf(chosen.lat.p95, ctx.thresholds.apiP95Ms);
  if (band === 'critical' || band === 'high') severity = band;
  const evidence: Evidence[] = [
    { label: 'active connections (max)', value: a.active.max, unit: 'count', ...phaseOf(chosen.w) },
    { label: 'active connections (mean over samples)', value: round(a.active.mean, 2), unit: 'count', ...phaseOf(chosen.w) },
    { label: 'open connections (max)', value: a.total.max, unit: 'count', ...phaseOf(chosen.w) },
    {
      label: `p${slo.latencyPercentile} latency (SLO ${slo.latencyMs} ms)`,
      value: round(chosen.lat.pSlo),
      unit: 'ms',
      ...phaseOf(chosen.w),
    },
  ];
  if (chosen.climb !== null)
    evidence.push({ label: 'p95 latency growth with the same active plateau', value: round(chosen.climb, 2), unit: '×' });
  return {
    ...base(v),
    title: `Application connection pool saturated at ${a.active.max} connections`,
    severity,
    confidence: round(confidenceOf(a.samples) - 0.1, 2),
    description:
      `${a.active.max} connections were active in nearly every sample (mean ${round(a.active.mean, 1)}) — all the ` +
      `connections the application had open — while p${slo.latencyPercentile} latency ` +
      ((chosen.climb !== null
        ? `climbed ${round(chosen.climb, 1)}× with the same plateau`
        : `was ${ms(chosen.lat.pSlo)}, over the ${ms(slo.latencyMs)} SLO`) +
        `: `) +
      `requests queue for a connection from the pool. The database itself had room (max_connections ${a.maxConnections}).`,
    evidence,
    rootCause:
      `The application's pool (pg Pool max, Prisma connection_limit, …) allows ${a.active.max} connections; at this load more ` +
      `queries than that want to run at once.`,
    impact: { responseTimeIncrease: 'Each request waits for a free connection before its queries run; the wait grows with load.' },
    recommendation: {
      approach:
        `First make each query hold a connection for less time (the slow-query and N+1 findings); then raise the pool size step ` +
        `by step (e.g. ${a.active.max} → ${a.active.max * 2}) while the database's CPU and active connections stay healthy — ` +
        `PostgreSQL does best with active connections near its CPU cores × 2–4.`,
      expectedImprovement: 'The pool wait disappears from request latency at this load.',
      effort: 'low',
      testingRequired: 'Re-run the same load with --db: active connections no longer pinned at the pool size, latency within the SLO.',
      rollbackPlan: 'Restore the previous pool size.',
    },
  };
}
