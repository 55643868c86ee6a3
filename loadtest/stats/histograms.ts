/**
 * HDR histogram helpers (hdr-histogram-js, pure JS build so it runs the same under Bun and Node).
 * Latencies are recorded in integer microseconds (sub-ms resolution, 3 significant digits);
 * token counts as counts. Window histograms use the packed (sparse) layout to stay small.
 */
import { build, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";
import type { EncodedHistogram, MetricName, MetricSummary } from "../report/report-types.ts";

/** Significant digits kept by every histogram. */
export const SIGNIFICANT_DIGITS = 3;

/** True for metrics recorded in microseconds (all `...Ms`). */
export function isLatencyMetric(metric: MetricName): boolean {
  return metric.endsWith("Ms");
}

/** Recorded units per reported unit: 1000 for latencies (µs per ms), 1 for counts. */
export function unitsPerReported(metric: MetricName): number {
  return isLatencyMetric(metric) ? 1000 : 1;
}

/** A new, auto-resizing histogram; `packed` for the many small per-window ones. */
export function createHistogram(layout: "dense" | "packed" = "dense"): Histogram {
  return build({ bitBucketSize: layout === "packed" ? "packed" : 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, useWebAssembly: false });
}

/** Encodes for the report (HdrHistogram V2 compressed, base64). */
export function encodeHistogram(histogram: Histogram, metric: MetricName): EncodedHistogram {
  return { data: encodeIntoCompressedBase64(histogram), recordedUnit: isLatencyMetric(metric) ? "us" : "count", unitsPerReportedUnit: unitsPerReported(metric), significantDigits: SIGNIFICANT_DIGITS };
}

/** Exact extremes and sum beside the histogram (HDR values are rounded to 3 digits). */
export interface ExactMoments {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Empty moments. */
export function createMoments(): ExactMoments {
  return { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
}

/** Summary in reported units; exact count/mean/min/max, percentiles and stddev from the histogram. */
export function summarize(histogram: Histogram, moments: ExactMoments, metric: MetricName): MetricSummary | null {
  if (moments.count === 0) return null;
  const scale = unitsPerReported(metric);
  const at = (p: number) => Math.min(moments.max, Math.max(moments.min, histogram.getValueAtPercentile(p) / scale));
  return {
    count: moments.count,
    mean: moments.sum / moments.count,
    stddev: histogram.stdDeviation / scale,
    min: moments.min,
    max: moments.max,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
  };
}

/** A percentile of a histogram in reported units, or null when empty. */
export function percentileOf(histogram: Histogram | undefined, metric: MetricName, percentile: number): number | null {
  if (!histogram || histogram.totalCount === 0) return null;
  return histogram.getValueAtPercentile(percentile) / unitsPerReported(metric);
}
