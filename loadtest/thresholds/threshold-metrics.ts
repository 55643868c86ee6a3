/**
 * The metric names thresholds may use (k6-style snake_case) and the aggregations each allows.
 * Trend metrics are distributions; `*_per_s` are per-window rates (`avg` = whole measured run,
 * `min`/`max`/`med`/`p(N)` over the measured windows); rates are fractions 0..1.
 */
import type { MetricName } from "../report/report-types.ts";

/** How a threshold metric aggregates. */
export type ThresholdMetricKind = "trend" | "rate" | "counter" | "per-second" | "gauge";

/** A threshold metric's definition. */
export interface ThresholdMetric {
  readonly kind: ThresholdMetricKind;
  /** The report metric behind a trend. */
  readonly metric?: MetricName;
  readonly description: string;
}

const trend = (metric: MetricName, description: string): ThresholdMetric => ({ kind: "trend", metric, description });

/** Every metric a threshold may name. */
export const THRESHOLD_METRICS: Readonly<Record<string, ThresholdMetric>> = {
  ttft_ms: trend("ttftMs", "time to first content token (ms)"),
  ttft_vllm_ms: trend("ttftVllmMs", "TTFT as vllm bench serve counts it (ms)"),
  itl_ms: trend("itlMs", "every gap between content chunks (ms)"),
  tpot_ms: trend("tpotMs", "time per output token per request (ms)"),
  e2e_ms: trend("e2eMs", "request end to end (ms)"),
  ttft_from_planned_ms: trend("ttftFromPlannedMs", "TTFT from the planned send (ms, open loop)"),
  e2e_from_planned_ms: trend("e2eFromPlannedMs", "E2E from the planned send (ms, open loop)"),
  queue_ms: trend("queueMs", "wait for a maxInFlight slot (ms)"),
  schedule_lag_ms: trend("scheduleLagMs", "actual minus planned send (ms, open loop)"),
  input_tokens: trend("inputTokens", "prompt tokens per request"),
  output_tokens: trend("outputTokens", "output tokens per request"),
  error_rate: { kind: "rate", description: "failed / started requests (0..1)" },
  good_ratio: { kind: "rate", description: "requests meeting every SLO / completed (0..1)" },
  requests: { kind: "counter", description: "completed requests (count; rate = per second)" },
  failed_requests: { kind: "counter", description: "failed requests (count; rate = per second)" },
  requests_per_s: { kind: "per-second", description: "completed requests per second" },
  output_tokens_per_s: { kind: "per-second", description: "output tokens per second" },
  total_tokens_per_s: { kind: "per-second", description: "input + output tokens per second" },
  goodput_per_s: { kind: "per-second", description: "requests meeting every SLO per second" },
  achieved_ratio: { kind: "gauge", description: "achieved / planned send rate (open loop)" },
};

/** Aggregations allowed per kind (`p(N)` stands for any percentile). */
export const AGGREGATIONS_BY_KIND: Readonly<Record<ThresholdMetricKind, readonly string[]>> = {
  trend: ["avg", "min", "max", "med", "count", "p(N)"],
  rate: ["rate"],
  counter: ["count", "rate"],
  "per-second": ["avg", "min", "max", "med", "p(N)", "value"],
  gauge: ["value"],
};

/** True when `aggregation` (as parsed, e.g. `p(95)`) is allowed for the metric kind. */
export function allowsAggregation(kind: ThresholdMetricKind, aggregation: string): boolean {
  const allowed = AGGREGATIONS_BY_KIND[kind];
  return allowed.includes(aggregation) || (aggregation.startsWith("p(") && allowed.includes("p(N)"));
}
