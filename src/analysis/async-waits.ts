// The agent's async-wait figures (AgentSample.asyncWaits, per interval) summed over a window, by
// (kind, function, file, line): the columns of one line are one site (a call and the await around it
// give two). Call sites are shown as the CPU profile's are (cpu-profile/locations.ts): relative to
// the project root, and through the script's source map when it has one (a compiled TypeScript target
// reports its .ts file and line).
import type { AgentSample } from '../record/agent-samples.ts';
import type { AsyncWaitSite, AsyncWaitSummary } from '../record/target-probes.ts';
import { fileUrl, Locator } from './cpu-profile/locations.ts';

/** Sites kept in the record: the top of a long tail is what a reader acts on. */
export const MAX_ASYNC_WAIT_SITES = 20;

/**
 * The window's async waits, or null when no sample carries any (no tracker). requestBusyMs 0 is a
 * finding of its own: no request was ever in flight across a turn of the event loop (they compute).
 */
export function summariseAsyncWaits(samples: readonly AgentSample[], opts: { projectRoot?: string } = {}): AsyncWaitSummary | null {
  const loc = new Locator(opts.projectRoot);
  const sites = new Map<string, AsyncWaitSite>();
  let requestBusyMs = 0;
  let coveredMs = 0;
  let tracked = 0;
  let ignored = 0;
  let acceptingMs = 0;
  let windowMs = 0;
  let untracked = 0;
  let inFlightMs = 0;
  let seen = false;
  for (const s of samples) {
    const w = s.asyncWaits;
    if (!w) continue;
    seen = true;
    requestBusyMs += w.requestBusyMs;
    coveredMs += w.coveredMs;
    tracked += w.tracked;
    acceptingMs += w.acceptingMs ?? s.intervalMs;
    windowMs += s.intervalMs;
    ignored += w.ignored ?? 0;
    untracked += w.untracked;
    for (const g of w.groups) {
      const at = loc.locate(fileUrl(g.site.file), g.site.line - 1, g.site.column - 1);
      const key = `${g.kind}\n${g.site.function}\n${at.file}:${at.line}`;
      let site = sites.get(key);
      if (!site) {
        site = {
          kind: g.kind,
          function: g.site.function,
          file: at.file,
          line: at.line,
          inDependency: g.inDependency === true,
          inFlightMs: 0,
          share: 0,
          started: 0,
        };
        sites.set(key, site);
      }
      site.inFlightMs += g.inFlightMs;
      site.started += g.started;
      inFlightMs += g.inFlightMs;
    }
  }
  if (!seen) return null;
  const ranked = [...sites.values()].sort((a, b) => b.inFlightMs - a.inFlightMs).slice(0, MAX_ASYNC_WAIT_SITES);
  for (const s of ranked) s.share = inFlightMs > 0 ? s.inFlightMs / inFlightMs : 0;
  const acceptingShare = windowMs > 0 ? Math.min(1, acceptingMs / windowMs) : 1;
  return { requestBusyMs, coveredMs, acceptingShare, tracked, ignored, untracked, inFlightMs, sites: ranked };
}
