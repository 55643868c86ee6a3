/** Measured values for threshold expressions, read from a recorder (pure). */
import type { MetricName } from "../report/report-types.ts";
import type { ScenarioThreshold } from "../scenario/normalized-scenario.ts";
import type { ThresholdLookup } from "../thresholds/evaluate-thresholds.ts";
import { THRESHOLD_METRICS } from "../thresholds/threshold-metrics.ts";
import { percentileOf } from "./histograms.ts";
import type { MetricsRecorder } from "./metrics-recorder.ts";
import { achievedRatioOf, goodputOf, throughputOf } from "./run-statistics.ts";

/** Builds the lookup for `evaluateThresholds` over one recorder. */
export function thresholdLookup(recorder: MetricsRecorder): ThresholdLookup {
  return (threshold: ScenarioThreshold): number | null => {
    const definition = THRESHOLD_METRICS[threshold.metric];
    if (!definition) return null;
    switch (definition.kind) {
      case "trend":
        return trendValue(recorder, definition.metric as MetricName, threshold);
      case "rate":
        if (threshold.metric === "error_rate") return recorder.started > 0 ? recorder.failed / recorder.started : null;
        return goodputOf(recorder).goodRatio;
      case "counter": {
        const count = threshold.metric === "requests" ? recorder.completed : recorder.failed;
        if (threshold.aggregation === "count") return count;
        const durationMs = throughputOf(recorder).durationMs;
        return durationMs > 0 ? (count * 1000) / durationMs : null;
      }
      case "per-second":
        return perSecondValue(recorder, threshold);
      case "gauge":
        return achievedRatioOf(recorder).ratio;
    }
  };
}

function trendValue(recorder: MetricsRecorder, metric: MetricName, threshold: ScenarioThreshold): number | null {
  const moments = recorder.moments[metric];
  if (moments.count === 0) return threshold.aggregation === "count" ? 0 : null;
  switch (threshold.aggregation) {
    case "avg":
      return moments.sum / moments.count;
    case "min":
      return moments.min;
    case "max":
      return moments.max;
    case "count":
      return moments.count;
    case "med":
      return percentileOf(recorder.histograms[metric], metric, 50);
    default:
      return percentileOf(recorder.histograms[metric], metric, threshold.percentile ?? 50);
  }
}

/** `avg`/`value` = over the whole measured span; `min`/`max`/`med`/`p(N)` over the measured windows. */
function perSecondValue(recorder: MetricsRecorder, threshold: ScenarioThreshold): number | null {
  const throughput = throughputOf(recorder);
  const goodput = goodputOf(recorder);
  const overall: Record<string, number> = {
    requests_per_s: throughput.requestsPerS,
    output_tokens_per_s: throughput.outputTokensPerS,
    total_tokens_per_s: throughput.totalTokensPerS,
    goodput_per_s: goodput.goodputPerS,
  };
  if (throughput.durationMs === 0) return null;
  if (threshold.aggregation === "avg" || threshold.aggregation === "value") return overall[threshold.metric] ?? null;
  const series = measuredWindows(recorder).map((w) => {
    const perS = 1000 / recorder.options.windowMs;
    if (threshold.metric === "requests_per_s") return w.completed * perS;
    if (threshold.metric === "output_tokens_per_s") return w.outputTokens * perS;
    return Number.NaN; // total tokens and goodput are not kept per window
  });
  if (series.length === 0 || series.some(Number.isNaN)) return null;
  const sorted = [...series].sort((a, b) => a - b);
  if (threshold.aggregation === "min") return sorted[0] as number;
  if (threshold.aggregation === "max") return sorted[sorted.length - 1] as number;
  const p = threshold.aggregation === "med" ? 50 : (threshold.percentile ?? 50);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Windows fully inside the measured span (the partial first and last windows would skew min/max). */
function measuredWindows(recorder: MetricsRecorder) {
  const width = recorder.options.windowMs;
  const first = Math.ceil((recorder.firstSentMs - recorder.options.originMs) / width);
  const last = Math.floor((recorder.lastEndMs - recorder.options.originMs) / width) - 1;
  return recorder.windows.slice(Math.max(0, first), Math.max(0, last + 1));
}
