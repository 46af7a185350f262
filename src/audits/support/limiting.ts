// The resource that limits the capacity, read from the target probes of the phase where the capacity is
// decided (assess --profile profiles the highest rate the stress phase sustained, src/assess/suite.ts):
// a saturated connection pool, the main thread's CPU (and the function holding it), a SQL statement
// (the database's pool pinned by it, or the database's time most of the request time), or a downstream
// taking most of the request time. The capacity finding names it, and the finding that describes that
// resource ranks first within its severity (ASSESSMENT-RULES.md §2: findings rank by their effect on
// the capacity and the objective). Null when the probes show no resource at its limit: no guess.
import type { AssessmentRecord } from '../../record/assessment-record.ts';
import type { Finding } from '../../record/findings.ts';
import { pct } from '../../analysis/format.ts';
import { originsOf, SHARE_DOMINANT } from '../downstream-wait.ts';
import { DB_STATEMENT_WAIT_ID } from '../db-statement-wait.ts';
import { databaseTimeOf, limitingStatement, statementName, statementText } from './statements.ts';
import { loopBusyOf, mainThreadDemand, MIN_SAMPLES, primaryCpuCause, siteOf, siteText, targetView, userHotspots } from './target.ts';

/** The main thread busy this share of the time is saturated (the lower edge of the P2 CPU band, §2). */
export const LOOP_SATURATED = 0.75;

export interface LimitingResource {
  kind: 'pool' | 'cpu' | 'statement' | 'downstream';
  /** Which audit's finding describes this resource (and `component` when several findings of it may exist). */
  audit: string;
  component?: string;
  /** "the connection pool to http://… (1 socket busy in most seconds while more requests waited)" */
  text: string;
  /** The resource without its figures, for a title: "the connection pool to http://…". */
  name: string;
  location: Finding['location'];
  /** The phase the probes measured, and its offered rate. */
  phase: string;
  rate: number;
}

const CPU_AUDIT = { sync: 'event-loop-blocked', gc: 'gc-pressure', js: 'cpu-bound' } as const;

export function limitingResource(record: AssessmentRecord): LimitingResource | null {
  const v = targetView(record);
  if (!v) return null;
  // A capacity phase the load generator could not fully drive is left out of the phases the audits
  // judge (phasesRun), but a pool pinned or a thread busy there is still what the probes measured.
  const phase = v.phase ?? record.phases.find((p) => p.name === 'capacity' && p.verdict !== 'skipped') ?? null;
  if (!phase) return null;
  const at = { phase: phase.name, rate: phase.offeredRate };
  const use = v.agent.length >= MIN_SAMPLES ? originsOf(v.agent) : null;
  // A pool pinned at its size while more requests wait is a hard limit, whatever the CPU does.
  const pool = use?.origins.find((o) => o.plateau !== null && use.incomingInFlightMedian > o.plateau);
  if (pool)
    return {
      kind: 'pool',
      audit: 'downstream-wait',
      component: pool.origin,
      text:
        `the connection pool to ${pool.origin} (${pool.plateau} socket${pool.plateau === 1 ? '' : 's'} busy in most seconds while ` +
        `more requests waited)`,
      name: `the connection pool to ${pool.origin}`,
      location: { endpoint: pool.origin },
      ...at,
    };
  // Busy by the profile, or by what the thread wanted on a host that made it wait for a core (the
  // cpu-bound audit's demand path): a starved thread shows idle samples while it is the limit.
  const busy = Math.max(loopBusyOf(v)?.value ?? 0, mainThreadDemand(v) ?? 0);
  if (busy >= LOOP_SATURATED) {
    const cause = primaryCpuCause(v);
    const top = userHotspots(v.profile, 'self')[0];
    const site = top ? siteOf(top) : null;
    return {
      kind: 'cpu',
      audit: CPU_AUDIT[cause],
      text:
        `the main thread's CPU (busy ${pct(busy)} of the time` +
        (site && cause === 'js'
          ? `; ${siteText(site)} holds ${pct(top!.selfShare)} of it)`
          : cause === 'js'
            ? ')'
            : `, mostly ${cause === 'gc' ? 'garbage collection' : 'synchronous blocking work'})`),
      name: "the main thread's CPU",
      location:
        site && cause === 'js'
          ? { function: site.function, ...(site.file ? { file: site.file } : {}), ...(site.line ? { line: site.line } : {}) }
          : null,
      ...at,
    };
  }
  // With the main thread not saturated: a statement that pins the database's pool, or the database's
  // time most of the request time (unless a downstream takes more of it).
  const downstream = use?.origins[0];
  const db = v.agent.length >= MIN_SAMPLES ? databaseTimeOf(v.agent) : null;
  const statement = limitingStatement(db);
  if (statement && (statement.how === 'pool' || db!.share > (downstream?.share ?? 0))) {
    const s = statement.top;
    const site = s.location;
    return {
      kind: 'statement',
      audit: DB_STATEMENT_WAIT_ID,
      component: statementName(s),
      text: statementText(db!, statement),
      name: statementName(s),
      location: site ? { function: site.function, file: site.file, line: site.line } : null,
      ...at,
    };
  }
  if (downstream && downstream.share >= SHARE_DOMINANT)
    return {
      kind: 'downstream',
      audit: 'downstream-wait',
      component: downstream.origin,
      text: `calls to ${downstream.origin} (${pct(downstream.share)} of the request time)`,
      name: `calls to ${downstream.origin}`,
      location: { endpoint: downstream.origin },
      ...at,
    };
  return null;
}

/** The finding that describes the limiting resource. */
export function describesLimit(f: Pick<Finding, 'audit' | 'component'>, limit: LimitingResource | null): boolean {
  return limit !== null && f.audit === limit.audit && (limit.component === undefined || f.component === limit.component);
}
