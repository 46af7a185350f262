// Alerts a service should keep after the assessment: decided once when the record is built
// (assess/alert-rules.ts, docs/ASSESSMENT-RULES.md §8), stored in the record, and only rendered by the
// reports (the envelope's monitoring_recommendations). The shape is the seed of the SLO rules the
// monitoring middleware will export, so it names a k6 metric, a statistic and a duration, like a
// Prometheus alerting rule's expr and `for`.
export interface AlertRule {
  /** The k6 metric and statistic watched, e.g. "http_req_duration p95", "http_reqs rate". */
  metric: string;
  comparison: '>' | '<';
  threshold: number;
  unit: 'ms' | 'ratio' | 'req/s';
  /** How long the condition must hold before the alert fires (Prometheus `for`). */
  forSeconds: number;
  /** page: someone acts now; warn: look during working hours; scale: a capacity action. */
  urgency: 'page' | 'warn' | 'scale';
  /** What to do when it fires, in a sentence. */
  action: string;
}
