import { describe, expect, it } from "vitest";
import { parseThreshold } from "../../thresholds/parse-threshold.ts";
import { k6TimeUnit } from "./k6-load.ts";
import { k6Thresholds } from "./k6-thresholds.ts";

const threshold = (metric: string, expression: string) => ({ metric, expression, ...parseThreshold(expression) });

describe("k6Thresholds()", () => {
  it.each([
    ["e2e_ms", "p(95)<500", false, "vigil_e2e_ms{scenario:measure}"],
    ["e2e_ms", "avg<300", false, "vigil_e2e_ms{scenario:measure}"],
    ["ttft_ms", "p(99)<800", true, "vigil_ttft_ms{scenario:measure}"],
    ["itl_ms", "med<20", true, "vigil_itl_ms{scenario:measure}"],
    ["error_rate", "rate<0.01", false, "vigil_error_rate{scenario:measure}"],
    ["requests", "count>10", false, "vigil_requests{scenario:measure}"],
    ["failed_requests", "count==0", false, "vigil_failed_requests{scenario:measure}"],
    ["output_tokens", "p(50)>=16", false, "vigil_output_tokens{scenario:measure}"],
  ])("%s %s (streaming %s) -> %s", (metric, expression, streaming, k6Metric) => {
    const mapped = k6Thresholds([threshold(metric, expression)], { streaming, goodRatio: false });
    expect(mapped.thresholds).toEqual({ [k6Metric]: [expression] });
    expect(mapped.vigilOnly).toEqual([]);
  });

  it.each([
    ["ttft_ms", "p(95)<500", false, /non-streamed/],
    ["output_tokens_per_s", "avg>1000", true, /no k6 equivalent/],
    ["schedule_lag_ms", "p(99)<5", true, /no k6 equivalent/],
    ["e2e_ms", "count>5", true, /does not evaluate count/],
    ["requests", "rate>5", true, /does not evaluate rate/],
    ["good_ratio", "rate>0.9", true, /no slo/],
  ])("%s %s (streaming %s) is Vigil's only", (metric, expression, streaming, reason) => {
    const mapped = k6Thresholds([threshold(metric, expression)], { streaming, goodRatio: false });
    expect(mapped.thresholds).toEqual({});
    expect(mapped.vigilOnly[0]?.reason).toMatch(reason);
  });
});

describe("k6TimeUnit()", () => {
  it.each([
    [[2], 1, [2]],
    [[2.5], 2, [5]],
    [[1, 1.5, 5], 2, [2, 3, 10]],
    [[1 / 3], 3, [1]],
    [[0.25, 0.1], 20, [5, 2]],
  ])("%j per second -> per %d s %j", (rates, timeUnitS, scaled) => {
    expect(k6TimeUnit(rates)).toEqual({ timeUnitS, rates: scaled });
  });
});
