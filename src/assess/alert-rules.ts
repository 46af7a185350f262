// The alerts every assessment recommends (docs/ASSESSMENT-RULES.md §7.1), decided here once and stored
// in the record; the reports only render them.
import { capacityAtSlo } from '../analysis/capacity-figure.ts';
import type { AlertRule } from '../record/alert-rules.ts';
import type { AssessmentRecord } from '../record/assessment-record.ts';

/** Traffic above this share of the measured capacity calls for a scale-out (§7.1). */
const SCALE_AT_CAPACITY_SHARE = 0.8;
const SLO_FOR_SECONDS = 120;
const SCALE_FOR_SECONDS = 300;

export function alertRules(record: AssessmentRecord): AlertRule[] {
  const slo = record.config.slo;
  const rules: AlertRule[] = [
    {
      metric: `http_req_duration p${slo.latencyPercentile}`,
      comparison: '>',
      threshold: slo.latencyMs,
      unit: 'ms',
      forSeconds: SLO_FOR_SECONDS,
      urgency: 'warn',
      action: `Warn: p${slo.latencyPercentile} latency above the SLO for 2 minutes; check the findings' components first.`,
    },
    {
      metric: 'http_req_failed rate',
      comparison: '>',
      threshold: slo.errorRate,
      unit: 'ratio',
      forSeconds: SLO_FOR_SECONDS,
      urgency: 'page',
      action: 'Page: error rate above the SLO; the error budget is burning.',
    },
  ];
  const capacity = capacityAtSlo(record);
  if (capacity !== null) {
    rules.push({
      metric: 'http_reqs rate',
      comparison: '>',
      threshold: Math.round(capacity * SCALE_AT_CAPACITY_SHARE * 100) / 100,
      unit: 'req/s',
      forSeconds: SCALE_FOR_SECONDS,
      urgency: 'scale',
      action: `Scale out: traffic above 80 % of the measured capacity (${Math.round(capacity * 100) / 100} req/s).`,
    });
  }
  return rules;
}
