// The one "capacity at the SLO" figure every report shows (terminal, Markdown, HTML, envelope, GitHub
// summary, history): the capacity model's highest throughput served within the SLO, else the stress
// phase's highest passing rate. Written once so two sections of one report cannot disagree.
import type { AssessmentRecord } from '../record/assessment-record.ts';

export function capacityAtSlo(record: AssessmentRecord): number | null {
  const stress = (Array.isArray(record.phases) ? record.phases : []).find((p) => p.name === 'stress' && p.stress)?.stress;
  const v = record.capacity?.sustainableRps ?? stress?.maxSustainableRate ?? null;
  return v !== null && Number.isFinite(v) ? v : null;
}
