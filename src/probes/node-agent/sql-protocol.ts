// What the agent's SQL instrumentation (sql-agent.ts and the files it imports) reports in
// AgentSample.sql, and the small interface between it and agent.ts. Types only: agent.ts and the
// in-target files import them with `import type`, so nothing here exists at run time.
//
// Per-interval DELTAS, like the rest of AgentSample: sum them over a window (n-plus-one.ts does).
import type { AgentSqlStats } from '../../record/agent-sql-samples.ts';

/** What the SQL instrumentation gives agent.ts once its process listens (see sql-agent.ts). */
export interface SqlProbe {
  /** First thing in the 'request' listener: binds the request's context when a driver is in use. */
  onRequest(response: object): void;
  /** On 'http.server.response.finish', with the request's duration (ms). */
  onFinish(request: { method?: string; url?: string }, response: object, ms: number): void;
  /** The interval's stats (and a reset), or undefined while no driver is instrumented. */
  take(): AgentSqlStats | undefined;
  stop(): void;
}

/** Registered on globalThis[Symbol.for('speedguard.agent.sql')] by sql-agent.ts. */
export interface SqlAgentApi {
  /** Instruments the drivers loaded so far and those loaded later; undefined when it cannot. */
  start(): SqlProbe | undefined;
}
