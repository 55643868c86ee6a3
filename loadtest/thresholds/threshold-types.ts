/** Thresholds as scenario files write them: k6's `{ metric: ["p(95)<500", ...] }`. */

/** Metric name (`ttft_ms`, `error_rate`, `output_tokens_per_s`, ...) to expressions. */
export type ThresholdMap = Record<string, string[]>;

/** A comparison operator of the grammar. */
export type ThresholdOperator = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** One parsed expression: `aggregation operator limit`. */
export interface ParsedThreshold {
  /** `avg`, `min`, `max`, `med`, `count`, `rate`, `value`, or `p(N)`. */
  readonly aggregation: string;
  /** N of `p(N)` (0..100), else null. */
  readonly percentile: number | null;
  readonly operator: ThresholdOperator;
  readonly limit: number;
}
