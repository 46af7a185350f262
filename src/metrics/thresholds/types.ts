// The parsed form of one threshold expression (k6 syntax plus our `over <duration>` window).

export type AggregationKind = 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value';

export type Aggregation = { kind: AggregationKind } | { kind: 'p'; p: number };

/** `==` and `===` mean the same (k6 keeps both); the one written is kept so it can be shown back. */
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface ParsedThreshold {
  /** The expression exactly as written. */
  source: string;
  aggregation: Aggregation;
  op: ThresholdOp;
  value: number;
  /** Sliding window from `over <duration>` (a whole number of seconds, in ms), or null for the whole run. */
  windowMs: number | null;
}
