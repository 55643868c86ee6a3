/**
 * The result of `compareReports()`, schema `vigil.comparison/v1`: one entry per gated metric with
 * both values, the change, the noise interval and a verdict. Every view (table, Markdown, JUnit,
 * JSON, HTML) is a pure function of it.
 */

/** The schema tag of a comparison (the `--format json` output). */
export const COMPARISON_SCHEMA = "vigil.comparison/v1" as const;

/**
 * What a metric's change means:
 * - `better`: outside the noise, in the good direction.
 * - `same`: the interval contains zero (within noise).
 * - `worse-within-tolerance`: outside the noise in the bad direction, but no larger than the tolerance.
 * - `regression`: outside the noise and larger than the tolerance: fails the gate.
 * - `not-measured`: one of the reports has no value (e.g. no request had two tokens for TPOT).
 */
export type Verdict = "better" | "same" | "worse-within-tolerance" | "regression" | "not-measured";

/** Which direction is an improvement. */
export type Better = "lower" | "higher";

/** One gated metric. */
export interface MetricComparison {
  /** Stable key, also the tolerance key: `ttft_p95`, `requests_per_s`, `error_rate`, ... */
  readonly key: string;
  /** Human label: `TTFT p95`. */
  readonly label: string;
  /** Unit of `baseline` and `candidate`: `ms`, `req/s`, `tok/s`, or `ratio` (0..1). */
  readonly unit: "ms" | "req/s" | "tok/s" | "ratio";
  readonly better: Better;
  readonly baseline: number | null;
  readonly candidate: number | null;
  /**
   * Candidate versus baseline: a relative change (`0.1` = +10 %) for `changeKind: "relative"`, or an
   * absolute difference in the metric's unit (error rate: `0.01` = +1 percentage point).
   */
  readonly change: number | null;
  readonly changeKind: "relative" | "absolute";
  /** The noise interval of `change` (same kind), at the comparison's confidence; null when not measured. */
  readonly interval: { readonly low: number; readonly high: number } | null;
  /** The tolerance applied (same kind as `change`, always positive: the allowed worsening). */
  readonly tolerance: number;
  readonly verdict: Verdict;
  /** Where the noise estimate came from, e.g. `runs(5) windows(40) order-stat floor`. */
  readonly noiseSource: string;
  /** Why a verdict was limited, e.g. too few samples beyond a tail percentile to gate it; null when none. */
  readonly note: string | null;
}

/** A field that differs between the two reports. */
export interface FieldDifference {
  /** Dotted path in the report, e.g. `scenario.workload.outputTokens.value`. */
  readonly field: string;
  readonly baseline: unknown;
  readonly candidate: unknown;
}

/** Which report a comparison read. */
export interface ReportRef {
  readonly id: string;
  readonly startedAt: string;
  readonly scenario: string;
  readonly runs: number;
  readonly gitCommit: string | null;
}

/** The whole comparison. */
export interface Comparison {
  readonly schema: typeof COMPARISON_SCHEMA;
  readonly baseline: ReportRef;
  readonly candidate: ReportRef;
  /** Two-sided confidence of every interval (e.g. 0.997). */
  readonly confidence: number;
  readonly metrics: readonly MetricComparison[];
  /** Environment (and minor scenario) differences that do not forbid the comparison. */
  readonly warnings: readonly FieldDifference[];
  /** Keys of the metrics whose verdict is `regression`. */
  readonly regressions: readonly string[];
  /** `regression` when any metric regressed, else `pass`. */
  readonly verdict: "pass" | "regression";
}
