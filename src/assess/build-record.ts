// The one assessment builder: assess, profile, db and demo all describe what they measured with these
// parts, and this fills in the rest the same way for each (id, redacted target, environment), runs the
// audits and decides the verdict. So no command hand-builds an AssessmentRecord with its own fallbacks.
import { randomUUID } from 'node:crypto';
import { dbFigures, dbView } from '../analysis/database-figures.ts';
import { DEFAULT_THRESHOLDS } from '../analysis/severity.ts';
import { targetResources } from '../analysis/target-resources.ts';
import { runAudits } from '../audits/index.ts';
import {
  ASSESSMENT_SCHEMA,
  type AssessmentCommand,
  type AssessmentConfig,
  type AssessmentProbes,
  type AssessmentRecord,
  type CapacityModel,
  type HttpInspection,
  type PhaseRecord,
} from '../record/assessment-record.ts';
import { currentEnvironment } from '../record/environment.ts';
import type { SeverityThresholds } from '../record/findings.ts';
import { redactUrl } from '../record/redact.ts';
import { alertRules } from './alert-rules.ts';
import { decideVerdict } from './verdict.ts';

export interface AssessmentParts {
  command: AssessmentCommand;
  /** The URL, plan or database assessed; credentials are redacted here. */
  target: string;
  /** File-name-safe name for the reports (default: derived from target). */
  targetName?: string;
  status: AssessmentRecord['status'];
  statusReason: string | null;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  config: AssessmentConfig;
  phases?: PhaseRecord[];
  inspection?: HttpInspection[];
  capacity?: CapacityModel | null;
  probes?: AssessmentProbes;
  /** Worker threads the load used (0: no load). */
  workers?: number;
  thresholds?: SeverityThresholds | undefined;
}

export function buildAssessment(parts: AssessmentParts): AssessmentRecord {
  const phases = parts.phases ?? [];
  const record: AssessmentRecord = {
    schema: ASSESSMENT_SCHEMA,
    id: randomUUID(),
    kind: 'assess',
    command: parts.command,
    target: redactUrl(parts.target),
    targetName: parts.targetName ?? targetName(parts.target),
    status: parts.status,
    statusReason: parts.statusReason,
    startedAt: new Date(parts.startedAt).toISOString(),
    endedAt: new Date(parts.endedAt).toISOString(),
    durationMs: parts.endedAt - parts.startedAt,
    config: parts.config,
    // The load's own environment when a phase ran (it counted the workers), else this process's.
    environment: phases[0]?.run.environment ?? currentEnvironment(parts.workers ?? 0),
    phases,
    inspection: parts.inspection ?? [],
    capacity: parts.capacity ?? null,
    resources: targetResources(parts.probes?.target ?? null),
    findings: [],
    verdict: { status: 'optimal', score: 10, headline: '', unreliable: false },
    comparison: null,
    probes: parts.probes ?? {},
  };
  const db = dbView(record);
  record.databaseFigures = db ? dbFigures(db, (parts.thresholds ?? DEFAULT_THRESHOLDS).dbQueryMs) : null;
  record.findings = runAudits(record, parts.thresholds);
  record.verdict = decideVerdict(record);
  record.alerts = alertRules(record);
  return record;
}

/** Short, file-name-safe name of a target (for ANALYSIS/<target>-<timestamp>.md). */
export function targetName(source: string): string {
  let s = source;
  try {
    const u = new URL(source);
    s = `${u.hostname}-${u.port || (u.protocol === 'https:' ? '443' : '80')}${u.pathname}`;
  } catch {
    s = source.replace(/^.*[\\/]/, '').replace(/\.[a-z]+$/i, '');
  }
  return (
    s
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'target'
  );
}
