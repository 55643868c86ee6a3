/**
 * A scenario's thresholds in k6's grammar, on the generated script's own metrics and restricted to the
 * measured k6 scenario (`vigil_e2e_ms{scenario:measure}`), so k6 and Vigil judge the same numbers.
 * What k6 cannot evaluate the same way (per-second windows, open-loop schedule figures, a count of a
 * Trend) is left to Vigil and listed. Pure.
 */
import type { ScenarioThreshold } from "../../scenario/normalized-scenario.ts";
import { K6_CUSTOM_METRICS, MEASURE_SCENARIO } from "./k6-metric-names.ts";

/** The thresholds k6 evaluates, and those only Vigil evaluates (with why). */
export interface K6Thresholds {
  readonly thresholds: Readonly<Record<string, readonly string[]>>;
  readonly vigilOnly: ReadonlyArray<{ readonly metric: string; readonly expression: string; readonly reason: string }>;
}

const TREND_AGGREGATIONS = ["avg", "min", "max", "med"];
const STREAM_ONLY = new Set(["ttft_ms", "ttft_vllm_ms", "itl_ms", "tpot_ms"]);

/** Our threshold metric name to the k6 metric of the generated script and the aggregations k6 evaluates the same way. */
const K6_EQUIVALENTS: Readonly<Record<string, { readonly metric: string; readonly aggregations: (aggregation: string) => boolean }>> = {
  e2e_ms: { metric: K6_CUSTOM_METRICS.e2eMs.name, aggregations: isTrendAggregation },
  ttft_ms: { metric: K6_CUSTOM_METRICS.ttftMs.name, aggregations: isTrendAggregation },
  ttft_vllm_ms: { metric: K6_CUSTOM_METRICS.ttftVllmMs.name, aggregations: isTrendAggregation },
  itl_ms: { metric: K6_CUSTOM_METRICS.itlMs.name, aggregations: isTrendAggregation },
  tpot_ms: { metric: K6_CUSTOM_METRICS.tpotMs.name, aggregations: isTrendAggregation },
  input_tokens: { metric: K6_CUSTOM_METRICS.inputTokens.name, aggregations: isTrendAggregation },
  output_tokens: { metric: K6_CUSTOM_METRICS.outputTokens.name, aggregations: isTrendAggregation },
  error_rate: { metric: K6_CUSTOM_METRICS.errorRate.name, aggregations: (a) => a === "rate" },
  good_ratio: { metric: K6_CUSTOM_METRICS.goodRatio.name, aggregations: (a) => a === "rate" },
  requests: { metric: K6_CUSTOM_METRICS.requests.name, aggregations: (a) => a === "count" },
  failed_requests: { metric: K6_CUSTOM_METRICS.failedRequests.name, aggregations: (a) => a === "count" },
};

function isTrendAggregation(aggregation: string): boolean {
  return TREND_AGGREGATIONS.includes(aggregation) || aggregation.startsWith("p(");
}

/**
 * Maps thresholds for a script that streams (`streaming`: TTFT/ITL/TPOT Trends exist) or not, and has
 * SLOs (`goodRatio`: the good-ratio Rate exists).
 */
export function k6Thresholds(thresholds: readonly ScenarioThreshold[], options: { readonly streaming: boolean; readonly goodRatio: boolean }): K6Thresholds {
  const mapped: Record<string, string[]> = {};
  const vigilOnly: Array<{ metric: string; expression: string; reason: string }> = [];
  for (const threshold of thresholds) {
    const equivalent = K6_EQUIVALENTS[threshold.metric];
    const skip = (reason: string) => vigilOnly.push({ metric: threshold.metric, expression: threshold.expression, reason });
    if (equivalent === undefined) skip("no k6 equivalent (per-window rates and open-loop schedule figures are computed by Vigil)");
    else if (!equivalent.aggregations(threshold.aggregation)) skip(`k6 does not evaluate ${threshold.aggregation} of this metric the same way`);
    else if (STREAM_ONLY.has(threshold.metric) && !options.streaming) skip("not measured: the script sends non-streamed requests (no xk6-sse)");
    else if (threshold.metric === "good_ratio" && !options.goodRatio) skip("the scenario has no slo");
    else (mapped[`${equivalent.metric}{scenario:${MEASURE_SCENARIO}}`] ??= []).push(threshold.expression);
  }
  return { thresholds: mapped, vigilOnly };
}
