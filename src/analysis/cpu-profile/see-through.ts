// Instrumentation frames are see-through (issue 12): speedguard's agent and its driver hooks run
// inside the target, on the target's own call paths (a patched pg Client.query sits between the
// handler and the driver). Left in the profile they were charged self time and, worse, named as the
// application frame doing a native's work — "writev in sql-hooks.mjs" on the demo. This removes them
// from the tree before anything is measured: a sample taken in an agent frame counts for the frame
// that called it, and the agent frame's callees hang under that caller, as if the hook were not there.
import { isInstrumentationUrl } from './categories.ts';
import type { ParsedProfile } from './parse.ts';

/** The profile without instrumentation nodes (mutates and returns `p`; the root is never removed). */
export function seeThroughInstrumentation(p: ParsedProfile): ParsedProfile {
  const { nodes } = p;
  const hidden = new Set<number>();
  for (const n of nodes.values()) if (n.id !== p.rootId && isInstrumentationUrl(n.callFrame.url)) hidden.add(n.id);
  if (hidden.size === 0) return p;
  // The nearest visible ancestor of each hidden node (chains of agent frames collapse at once).
  const visibleAbove = (id: number): number => {
    let a = nodes.get(id)!.parent;
    while (a !== null && hidden.has(a)) a = nodes.get(a)!.parent;
    return a ?? p.rootId;
  };
  const target = new Map<number, number>();
  for (const id of hidden) target.set(id, visibleAbove(id));
  for (const n of nodes.values()) {
    if (hidden.has(n.id)) continue;
    if (n.parent !== null && hidden.has(n.parent)) n.parent = target.get(n.parent)!;
    if (n.children.some((c) => hidden.has(c))) n.children = n.children.filter((c) => !hidden.has(c));
  }
  // Hidden nodes' visible children move up to the visible ancestor (their parent field is set above).
  for (const id of hidden) {
    const up = nodes.get(target.get(id)!)!;
    for (const c of nodes.get(id)!.children) if (!hidden.has(c)) up.children.push(c);
  }
  for (const id of hidden) nodes.delete(id);
  p.samples = p.samples.map((s) => target.get(s) ?? s);
  return p;
}
