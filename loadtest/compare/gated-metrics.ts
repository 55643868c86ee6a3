/**
 * The metrics `compare` gates on, with their direction and default tolerance. One table, so the
 * views, the tolerance parser and the comparison agree on names.
 */
import type { MetricName } from "../report/report-types.ts";
import type { Better, MetricComparison } from "./comparison-types.ts";

/** Where a gated metric's value comes from in a report. */
export type GatedSource =
  | { readonly kind: "latency"; readonly metric: MetricName; readonly percentile: 50 | 95 | 99 }
  | { readonly kind: "rate"; readonly field: "requestsPerS" | "outputTokensPerS" | "goodputPerS" }
  | { readonly kind: "error-rate" };

/** One gated metric. */
export interface GatedMetric {
  readonly key: string;
  readonly label: string;
  readonly unit: MetricComparison["unit"];
  readonly better: Better;
  readonly source: GatedSource;
  /** Allowed worsening before a significant change is a regression (relative, or absolute for error rate). */
  readonly defaultTolerance: number;
}

const LATENCY_FAMILIES: ReadonlyArray<{ readonly family: string; readonly label: string; readonly metric: MetricName }> = [
  { family: "ttft", label: "TTFT", metric: "ttftMs" },
  { family: "itl", label: "ITL", metric: "itlMs" },
  { family: "tpot", label: "TPOT", metric: "tpotMs" },
  { family: "e2e", label: "E2E", metric: "e2eMs" },
];

/**
 * Default tolerances: 5 % on medians and p95, 8 % on p99 (a tail is estimated from fewer samples
 * and moves with scheduler hiccups), 5 % on rates, +1 percentage point on the error rate.
 */
const PERCENTILE_TOLERANCE = { 50: 0.05, 95: 0.05, 99: 0.08 } as const;

/** Every gated metric, in display order. */
export const GATED_METRICS: readonly GatedMetric[] = [
  ...LATENCY_FAMILIES.flatMap(({ family, label, metric }) =>
    ([50, 95, 99] as const).map((percentile) => ({
      key: `${family}_p${percentile}`,
      label: `${label} p${percentile}`,
      unit: "ms" as const,
      better: "lower" as const,
      source: { kind: "latency" as const, metric, percentile },
      defaultTolerance: PERCENTILE_TOLERANCE[percentile],
    })),
  ),
  { key: "requests_per_s", label: "Throughput (req/s)", unit: "req/s", better: "higher", source: { kind: "rate", field: "requestsPerS" }, defaultTolerance: 0.05 },
  { key: "output_tokens_per_s", label: "Throughput (output tok/s)", unit: "tok/s", better: "higher", source: { kind: "rate", field: "outputTokensPerS" }, defaultTolerance: 0.05 },
  { key: "goodput_per_s", label: "Goodput (req/s)", unit: "req/s", better: "higher", source: { kind: "rate", field: "goodputPerS" }, defaultTolerance: 0.05 },
  { key: "error_rate", label: "Error rate", unit: "ratio", better: "lower", source: { kind: "error-rate" }, defaultTolerance: 0.01 },
];

/** Shorthands accepted in `--tolerance`: a family sets all its percentiles; `throughput` both throughputs. */
export const TOLERANCE_GROUPS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(LATENCY_FAMILIES.map(({ family }) => [family, [`${family}_p50`, `${family}_p95`, `${family}_p99`]])),
  throughput: ["requests_per_s", "output_tokens_per_s"],
  goodput: ["goodput_per_s"],
  latency: LATENCY_FAMILIES.flatMap(({ family }) => [`${family}_p50`, `${family}_p95`, `${family}_p99`]),
  all: GATED_METRICS.map((m) => m.key),
};
