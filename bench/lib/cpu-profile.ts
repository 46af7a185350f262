// Reads a V8 .cpuprofile (node --cpu-prof) and lists the functions with the most self time,
// so a benchmark that misses its goal can say what the generator spent its core on.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

export interface HotFunction {
  name: string;
  where: string;
  selfPct: number;
}

export function topSelfTime(dir: string, repo: string, n = 15): HotFunction[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const total = p.nodes.reduce((a, x) => a + (x.hitCount ?? 0), 0);
  const byFn = new Map<string, HotFunction>();
  for (const node of p.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.startsWith('file://') ? relative(repo, new URL(url).pathname) : url}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const e = byFn.get(key) ?? { name: functionName || '(anonymous)', where, selfPct: 0 };
    e.selfPct += (100 * (node.hitCount ?? 0)) / total;
    byFn.set(key, e);
  }
  return [...byFn.values()].sort((a, b) => b.selfPct - a.selfPct).slice(0, n);
}
