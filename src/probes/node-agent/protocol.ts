// Messages between the in-target agent (agent.ts) and speedguard's collector (collector.ts).
// Newline-delimited JSON over a private unix socket. Every type here is plain JSON so that the
// samples can go into a RunRecord's probes as they are. Times are ms unless the name says otherwise.
import type { AgentHello, AgentSample } from '../../record/agent-samples.ts';

/** Bumped when a message changes shape incompatibly; the collector rejects other versions. 2: agents measure only after 'sampling' on. */
export const AGENT_PROTOCOL_VERSION = 2;

/** Env var holding the unix socket path the agent reports to. Without it the agent does nothing. */
export const AGENT_SOCKET_ENV = 'SPEEDGUARD_AGENT_SOCKET';
/** Env var overriding the sample interval (ms, ≥ 100). */
export const AGENT_INTERVAL_ENV = 'SPEEDGUARD_AGENT_INTERVAL_MS';

export interface CpuProfileStarted {
  type: 'cpu-profile-started';
  id: number;
}
export interface CpuProfileWritten {
  type: 'cpu-profile-written';
  id: number;
  path: string;
  bytes: number;
}
/** includesCollected: the profile also keeps allocations the GC collected (asked for, and V8 ≥ 11 took it). */
export interface HeapProfileStarted {
  type: 'heap-profile-started';
  id: number;
  includesCollected?: boolean;
}
export interface HeapProfileWritten {
  type: 'heap-profile-written';
  id: number;
  path: string;
  bytes: number;
}
/** A heap snapshot written by the target: how long it paused the target (ms) and how big the heap was. */
export interface HeapSnapshotWritten {
  type: 'heap-snapshot-written';
  id: number;
  path: string;
  bytes: number;
  pauseMs: number;
  heapUsedBytes: number;
  externalBytes: number;
}
export interface AgentCommandError {
  type: 'error';
  id: number;
  message: string;
}
/** Answer to a SamplingCommand: whether the agent is measuring now. */
export interface SamplingState {
  type: 'sampling';
  id: number;
  on: boolean;
}

export type AgentMessage =
  | AgentHello
  | AgentSample
  | CpuProfileStarted
  | CpuProfileWritten
  | HeapProfileStarted
  | HeapProfileWritten
  | HeapSnapshotWritten
  | AgentCommandError
  | SamplingState;

export interface CpuProfileStartCommand {
  cmd: 'cpu-profile-start';
  id: number;
  samplingIntervalUs?: number;
}
export interface CpuProfileStopCommand {
  cmd: 'cpu-profile-stop';
  id: number;
  path: string;
}
/**
 * Sampling heap profile (HeapProfiler.startSampling): allocations still live when it stops, or with
 * includeCollected every sampled allocation (includeObjectsCollectedByMinorGC/MajorGC: the allocation rate).
 */
export interface HeapProfileStartCommand {
  cmd: 'heap-profile-start';
  id: number;
  samplingIntervalBytes?: number;
  includeCollected?: boolean;
}
/** Stops it and writes the SamplingHeapProfile JSON (a .heapprofile, opens in DevTools) to `path`. */
export interface HeapProfileStopCommand {
  cmd: 'heap-profile-stop';
  id: number;
  path: string;
}
/**
 * Starts (on) or stops measuring. An agent says hello when its process listens, then measures nothing
 * (no hooks, no timers) until the collector turns sampling on: only the process it follows pays.
 */
export interface SamplingCommand {
  cmd: 'sampling';
  id: number;
  on: boolean;
}
/**
 * Writes a V8 heap snapshot (v8.writeHeapSnapshot: synchronous, the target pauses meanwhile) to
 * `path`; refused when the heap is larger than maxHeapBytes (a snapshot needs time and memory in
 * proportion to the heap).
 */
export interface HeapSnapshotCommand {
  cmd: 'heap-snapshot';
  id: number;
  path: string;
  maxHeapBytes: number;
}
export type AgentCommand =
  | HeapSnapshotCommand
  | CpuProfileStartCommand
  | CpuProfileStopCommand
  | HeapProfileStartCommand
  | HeapProfileStopCommand
  | SamplingCommand;
