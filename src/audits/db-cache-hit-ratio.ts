// The shared-buffer cache hit ratio: below ASSESSMENT-RULES.md §2's cache-hit-rate band (default 80 %, overridable
// as cacheHitRate.p2) medium; below pgHero's alert threshold (99 %: a transactional database should
// serve almost every read from memory) low. Judged only with enough blocks behind the ratio: a
// freshly started server or a few queries give a meaningless ratio. "Read" means not in shared
// buffers: it may still have come from the OS page cache, so the ratio understates memory hits.
import type { Evidence, Severity } from '../record/findings.ts';
import type { Audit, AuditContext, AuditFinding } from './types.ts';
import { bytes, pct, round } from '../analysis/format.ts';
import { cacheFigure, dbView } from '../analysis/database-figures.ts';
import { dbComponent, recheckText } from './support/database.ts';

export const DB_CACHE_HIT_RATIO_ID = 'db-cache-hit-ratio';
/** pgHero's cache_hit_rate_threshold (lib/pghero.rb): 99 %. */
export const PGHERO_CACHE_HIT = 0.99;
/** Fewer blocks (hit + read) than this (≈ 80 MB of reads) do not make a ratio worth judging. */
export const MIN_BLOCKS = 10_000;

export const dbCacheHitRatio: Audit = {
  id: DB_CACHE_HIT_RATIO_ID,
  effect: 'hygiene',
  title: 'Database cache hit ratio',
  run(ctx: AuditContext): AuditFinding[] {
    const v = dbView(ctx.record);
    if (!v) return [];
    const c = cacheFigure(v);
    const idx = v.mode === 'snapshot' ? (v.probes.cacheHitRatio?.indexes ?? null) : null;
    const idxBlocks = v.probes.cacheHitRatio?.blocks
      ? v.probes.cacheHitRatio.blocks.idxHit + v.probes.cacheHitRatio.blocks.idxRead
      : (c?.blocks ?? null);
    // The worse of the tables' and the indexes' ratios (pgHero shows both).
    const judged: Array<{ what: string; ratio: number; blocks: number | null; source: string }> = [];
    if (c) judged.push({ what: v.mode === 'load' ? 'reads under the load' : 'table reads', ...c });
    if (idx !== null) judged.push({ what: 'index reads', ratio: idx, blocks: idxBlocks, source: 'indexes (pg_statio_user_indexes)' });
    const enough = judged.filter((j) => j.blocks !== null && j.blocks >= MIN_BLOCKS);
    if (!enough.length) return [];
    const worst = enough.sort((a, b) => a.ratio - b.ratio)[0]!;
    const spec = ctx.thresholds.cacheHitRate.p2;
    const severity: Severity | null = worst.ratio < spec ? 'medium' : worst.ratio < PGHERO_CACHE_HIT ? 'low' : null;
    if (!severity) return [];
    const sb = v.probes.server?.settings?.sharedBuffersKb ?? null;
    const evidence: Evidence[] = enough.map((j) => ({
      label: `cache hit ratio, ${j.what} (${j.source})`,
      value: round(j.ratio * 100, 2),
      unit: '%',
      ...(v.phase ? { phase: v.phase } : {}),
    }));
    evidence.push({ label: 'blocks behind the ratio (hit + read)', value: worst.blocks ?? 0, unit: 'count' });
    if (sb !== null) evidence.push({ label: 'shared_buffers', value: sb * 1024, unit: 'bytes' });
    const dataBytes =
      (v.probes.tables ?? []).reduce((t, x) => t + x.sizeBytes, 0) + (v.probes.indexes ?? []).reduce((t, x) => t + x.sizeBytes, 0);
    if (dataBytes > 0) evidence.push({ label: 'size of tables + indexes', value: dataBytes, unit: 'bytes' });
    const small = sb !== null && dataBytes > sb * 1024;
    return [
      {
        audit: DB_CACHE_HIT_RATIO_ID,
        title:
          `Database cache hit ratio ${pct(worst.ratio)} (${worst.what}) is below ` +
          `${pct(severity === 'medium' ? spec : PGHERO_CACHE_HIT)}`,
        type: 'database',
        severity,
        confidence: round(worst.blocks !== null && worst.blocks >= MIN_BLOCKS * 100 ? 0.8 : 0.6, 2),
        component: dbComponent(v, 'shared buffers'),
        description:
          `${pct(1 - worst.ratio)} of the ${worst.what} missed PostgreSQL's shared ` +
          `buffers${v.mode === 'load' ? ' during the load' : ' since the statistics were reset'} ` +
          `(${(worst.blocks ?? 0).toLocaleString('en-US')} ` +
          (`blocks).` +
            (sb !== null
              ? ` shared_buffers is ${bytes(sb * 1024)}${dataBytes ? ` for ${bytes(dataBytes)} of tables and indexes` : ''}.`
              : '') +
            ` `) +
          `A miss may still be served by the OS page cache; a freshly restarted server also starts cold.`,
        evidence,
        location: null,
        rootCause: small
          ? 'The working set (hot tables and indexes) is larger than shared_buffers.'
          : 'Queries read more data than stays cached: large scans (a missing index) evict the hot pages.',
        impact: {
          responseTimeIncrease: 'Every miss is a read from the OS cache or disk instead of memory: slower queries, more I/O under load.',
        },
        recommendation: {
          approach:
            `First cut the reads (the missing-index and slow-query findings: sequential scans evict the cache); then size the ` +
            `cache: shared_buffers ≈ 25 % of the server's RAM${sb !== null ? ` (now ${bytes(sb * 1024)})` : ''} (restart needed), ` +
            `effective_cache_size ≈ 50–75 %, or more RAM for a working set that outgrew it.`,
          expectedImprovement: `A hit ratio back above ${pct(PGHERO_CACHE_HIT)}: fewer reads from disk, steadier query times.`,
          effort: 'medium',
          testingRequired: recheckText(v),
          rollbackPlan: 'Restore the previous shared_buffers (restart) or drop what was added.',
        },
      },
    ];
  },
};
