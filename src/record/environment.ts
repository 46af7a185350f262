// The environment a record was measured in, filled in one place for runs and assessments alike.
import { availableParallelism } from 'node:os';
import { VERSION } from '../version.ts';
import type { RunRecord } from './run-record.ts';

export type RunEnvironment = RunRecord['environment'];

/** This process: speedguard's version, Node, the platform, the cores it may use, the worker threads. */
export function currentEnvironment(workers: number): RunEnvironment {
  return {
    speedguard: VERSION,
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: availableParallelism(),
    workers,
  };
}
