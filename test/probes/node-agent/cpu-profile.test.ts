import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startAgentCollector } from '../../../src/probes/node-agent/collector.ts';
import { drive, FIXTURES, spawnTarget, stopTarget } from './helpers.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

/** Self-time sample counts by function name, biggest first. */
function topSelf(profile: Profile): [string, number][] {
  const by = new Map<string, number>();
  for (const n of profile.nodes) {
    const name = n.callFrame.functionName || '(anonymous)';
    by.set(name, (by.get(name) ?? 0) + (n.hitCount ?? 0));
  }
  return [...by].sort((a, b) => b[1] - a[1]);
}

test('a CPU profile over 2 s of load names the hot function', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-agent-test-'));
  const c = await startAgentCollector({ intervalMs: 500 });
  const t = spawnTarget(process.execPath, [join(FIXTURES, 'server.mjs')], c.env);
  try {
    const { port } = await c.waitForHello();
    await assert.rejects(c.stopCpuProfile(join(dir, 'none.cpuprofile')), /no CPU profile is running/);
    await c.startCpuProfile({ samplingIntervalUs: 500 });
    await assert.rejects(c.startCpuProfile(), /already running/);
    const end = Date.now() + 2000;
    let sent = 0;
    while (Date.now() < end && sent < 2000) {
      // bounded by time and count
      await drive(port, '/burn', 4, 4);
      sent += 4;
    }
    const path = join(dir, 'target.cpuprofile');
    await c.stopCpuProfile(path);
    const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
    assert.ok(profile.samples.length > 500, `${profile.samples.length} samples`);
    assert.ok(profile.endTime - profile.startTime >= 1_900_000, 'spans the 2 s window (µs)');
    const top = topSelf(profile)
      .slice(0, 3)
      .map(([name]) => name);
    assert.ok(top.includes('burnCpu'), `top self-time: ${top.join(', ')}`);
    const burn = profile.nodes.find((n) => n.callFrame.functionName === 'burnCpu')!;
    assert.match(burn.callFrame.url, /fixtures\/agent\/server\.mjs$/);
  } finally {
    await stopTarget(t);
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
