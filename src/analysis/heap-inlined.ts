// Allocation sites hidden by inlining. V8's sampling heap profile records the stack of optimised
// code without the frames it inlined: when TurboFan inlines `rememberRequest` into its caller, the
// bytes it allocates are booked on the caller — often an anonymous request callback. The CPU
// profile of the same window does expand inlined frames. So a site whose function is anonymous is
// given to a named function of the same file when both profiles agree: the named function is itself
// an allocation site in the heap profile (it allocates: V8 kept its frame on other samples), and the
// CPU profile shows it running below the anonymous one. Pure; works on a saved record.
import type { CpuProfileAnalysis, FlameNode, HeapAllocationSite, HeapProfileAnalysis } from '../record/target-probes.ts';

const ANONYMOUS = /^\(anonymous\)$|^$/;

/** Function names (same file) that run below a node matching `site` in the flame tree. */
function calleesInFile(root: FlameNode, site: HeapAllocationSite): Set<string> {
  const found = new Set<string>();
  const below = (n: FlameNode): void => {
    for (const c of n.children) {
      if (c.file === site.file) found.add(c.name);
      below(c);
    }
  };
  const visit = (n: FlameNode): void => {
    if (n.file === site.file && n.line === site.line && n.name === site.function) below(n);
    else for (const c of n.children) visit(c);
  };
  visit(root);
  found.delete(site.function);
  return found;
}

/**
 * The heap analysis with anonymous sites merged into the one named site of the same file that the CPU
 * profile shows below them (the bytes moved, shares recomputed, largest first). Unchanged when the
 * evidence is missing or ambiguous (no CPU flame tree, no such named site, or several candidates).
 */
export function attributeInlinedAllocations(heap: HeapProfileAnalysis, cpu: CpuProfileAnalysis | null): HeapProfileAnalysis {
  if (!cpu?.flame || heap.topAllocators.length < 2) return heap;
  const sites = heap.topAllocators.map((s) => ({ ...s }));
  let moved = false;
  for (const anon of sites) {
    if (!ANONYMOUS.test(anon.function) || anon.bytes === 0) continue;
    const callees = calleesInFile(cpu.flame, anon);
    const candidates = sites.filter((s) => s !== anon && s.file === anon.file && !ANONYMOUS.test(s.function) && callees.has(s.function));
    if (candidates.length !== 1) continue;
    const target = candidates[0]!;
    target.bytes += anon.bytes;
    target.inlinedFrom = [...(target.inlinedFrom ?? []), `${anon.function} (${anon.file}:${anon.line})`];
    anon.bytes = 0;
    moved = true;
  }
  if (!moved) return heap;
  const total = heap.totalBytes > 0 ? heap.totalBytes : sites.reduce((t, s) => t + s.bytes, 0) || 1;
  const topAllocators = sites
    .filter((s) => s.bytes > 0)
    .map((s) => ({ ...s, share: s.bytes / total }))
    .sort((a, b) => b.bytes - a.bytes);
  return { ...heap, topAllocators };
}
