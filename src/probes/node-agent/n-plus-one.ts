// Collector side of the agent's N+1 detection: the window's agent samples (their `sql` deltas, see
// sql-protocol.ts) → NPlusOneGroup[] (src/record/database-probes.ts). Works on a saved record; reads the
// application's sources (when still there) to find the loop that issues a repeated statement.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { NPlusOneGroup } from '../../record/database-probes.ts';
import type { TargetProbes } from '../../record/target-probes.ts';
import type { AgentSample } from '../../record/agent-samples.ts';
import type { SqlLocation, SqlRepetition } from '../../record/agent-sql-samples.ts';
import { loopingFrame } from './loop-site.ts';

export interface NPlusOneOptions {
  /** Paths inside this folder are given relative to it (as the CPU profile analysis does). Default: absolute. */
  projectRoot?: string;
}

/** The window's sum per (endpoint, statement): the same fields as one interval's repetition. */
type Sum = SqlRepetition;

function display(file: string, root: string | null): string {
  if (!root) return file;
  const rel = relative(root, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : file;
}

/**
 * The place to show for a repeated statement: the frame that loops over it (walked past query
 * helpers and repository layers, loop-site.ts), with the first application frame as `via` when it
 * is another one; else the first application frame.
 */
function loopLocation(loc: SqlLocation, root: string | null): NonNullable<NPlusOneGroup['location']> {
  const first = { file: display(loc.file, root), line: loc.line, function: loc.function };
  const loop = loc.frames && loc.frames.length > 1 ? loopingFrame(loc.frames) : null;
  if (!loop || (loop.file === loc.file && loop.line === loc.line)) return first;
  return { file: display(loop.file, root), line: loop.line, function: loop.function, via: first };
}

/**
 * Statements that ran ≥ the agent's threshold (5) times inside single requests, per (endpoint,
 * statement), over the given samples (cut them to the window first). Sorted by the time they cost
 * (affected requests × ms per request), largest first. [] when the agent saw no instrumented driver.
 */
export function nPlusOneFromSamples(samples: readonly AgentSample[], o: NPlusOneOptions = {}): NPlusOneGroup[] {
  const root = o.projectRoot ? resolve(o.projectRoot) : null;
  const endpoints = new Map<string, number>();
  const sums = new Map<string, Sum>();
  for (const s of samples) {
    const sql = s.sql;
    if (!sql) continue;
    for (const [endpoint, n] of Object.entries(sql.endpoints ?? {})) endpoints.set(endpoint, (endpoints.get(endpoint) ?? 0) + n);
    for (const r of sql.repeated ?? []) {
      const key = `${r.endpoint}\n${r.statement}`;
      const sum = sums.get(key);
      // The first interval's repetition starts the sum; later ones add to it.
      if (!sum) {
        sums.set(key, { ...r });
        continue;
      }
      sum.requests += r.requests;
      sum.executions += r.executions;
      sum.maxExecutions = Math.max(sum.maxExecutions, r.maxExecutions);
      sum.ms += r.ms;
      sum.requestMs += r.requestMs;
      sum.location ??= r.location;
    }
  }
  const groups: NPlusOneGroup[] = [];
  for (const sum of sums.values()) {
    if (sum.requests <= 0) continue;
    groups.push({
      endpoint: sum.endpoint,
      statement: sum.statement,
      requests: sum.requests,
      // A request is counted in both at its finish; max() guards a sample cut at the window's edge.
      endpointRequests: Math.max(sum.requests, endpoints.get(sum.endpoint) ?? 0),
      perRequestMean: sum.executions / sum.requests,
      perRequestMax: sum.maxExecutions,
      msPerRequest: sum.ms / sum.requests,
      // Statements a request runs in parallel can add up to more than its duration.
      shareOfRequest: sum.requestMs > 0 ? Math.min(1, sum.ms / sum.requestMs) : 0,
      driver: sum.driver,
      location: sum.location ? loopLocation(sum.location, root) : null,
    });
  }
  return groups.sort((a, b) => b.requests * b.msPerRequest - a.requests * a.msPerRequest || b.perRequestMean - a.perRequestMean);
}

/** The N+1 groups of a record's target probes (its agent samples are already cut to the measured window). */
export function nPlusOneOfTarget(probes: Pick<TargetProbes, 'agent'> | null | undefined, o: NPlusOneOptions = {}): NPlusOneGroup[] {
  return probes?.agent ? nPlusOneFromSamples(probes.agent.samples, o) : [];
}
