// Errors for bad threshold configuration. Each message is one line naming the input and the problem.
import { InputError } from '../../errors.ts';

/** A threshold expression that does not follow the grammar. `position` is 1-based. */
export class ThresholdSyntaxError extends InputError {
  readonly expression: string;
  readonly position: number;
  constructor(expression: string, problem: string, position: number, hint?: string) {
    super(`threshold ${JSON.stringify(expression)}: ${problem} at position ${position}${hint ? `; ${hint}` : ''}`);
    this.name = 'ThresholdSyntaxError';
    this.expression = expression;
    this.position = position;
  }
}

/** A metric selector such as `http_req_duration{name:login}` that cannot be understood. */
export class MetricSelectorError extends InputError {
  readonly selector: string;
  constructor(selector: string, problem: string) {
    super(`metric selector ${JSON.stringify(selector)}: ${problem}`);
    this.name = 'MetricSelectorError';
    this.selector = selector;
  }
}

/** A well-formed threshold whose aggregation does not exist for the metric's type (k6 rejects these too). */
export class ThresholdAggregationError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdAggregationError';
  }
}

/** A threshold on a metric no run can produce: a typo would otherwise pass for want of data. */
export class UnknownMetricError extends InputError {
  readonly metric: string;
  constructor(metric: string, selector: string, suggestion: string | undefined) {
    super(
      `threshold on ${JSON.stringify(selector)}: unknown metric "${metric}"` +
        (suggestion
          ? `, did you mean "${suggestion}"?`
          : "; see the metric list in the README (custom metrics must be created in the script's init code)"),
    );
    this.name = 'UnknownMetricError';
    this.metric = metric;
  }
}
