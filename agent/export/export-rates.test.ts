import { describe, expect, it } from "vitest";
import type { RecordedPoint, RecordedSample } from "../outputs/record/recorded-sample.ts";
import { exportRates } from "./export-rates.ts";

const counter = (value: number): RecordedPoint => ({ series: 'vllm:prompt_tokens_total{model_name="m"}', family: "vllm:prompt_tokens_total", type: "counter", value });
const histogram = (counts: [number, number, number], sum: number): RecordedPoint[] => [
  { series: 'ttft_seconds_bucket{le="0.1"}', family: "ttft_seconds", type: "histogram", value: counts[0] },
  { series: 'ttft_seconds_bucket{le="1"}', family: "ttft_seconds", type: "histogram", value: counts[1] },
  { series: 'ttft_seconds_bucket{le="+Inf"}', family: "ttft_seconds", type: "histogram", value: counts[2] },
  { series: "ttft_seconds_count", family: "ttft_seconds", type: "histogram", value: counts[2] },
  { series: "ttft_seconds_sum", family: "ttft_seconds", type: "histogram", value: sum },
];
const at = (seconds: number, points: RecordedPoint[]): RecordedSample => ({ timeMs: seconds * 1000, points });
const valueOf = (sample: RecordedSample | undefined, series: string) => sample?.points.find((p) => p.series === series)?.value;

describe("exportRates()", () => {
  it("turns a counter into per-second rates and treats a drop as a reset", () => {
    const rates = exportRates([at(0, [counter(10)]), at(1, [counter(20)]), at(3, [counter(5)]), at(4, [counter(15)])]);
    const series = 'vllm:prompt_tokens_total:rate{model_name="m"}';
    expect(rates.map((s) => s.timeMs)).toEqual([1000, 3000, 4000]);
    expect(rates.map((s) => valueOf(s, series))).toEqual([10, 2.5, 10]);
  });

  it("gives each interval's p50/p90/p99, rate and mean from the bucket increases, through a reset", () => {
    const rates = exportRates([
      at(0, histogram([0, 0, 0], 0)),
      at(1, histogram([10, 10, 10], 0.5)), // 10 fast requests
      at(2, histogram([10, 20, 20], 5.5)), // then 10 between 0.1 and 1 s
      at(3, histogram([0, 4, 4], 2)), // restarted: 4 slow requests since
    ]);
    expect(valueOf(rates[0], "ttft_seconds:p50")).toBeCloseTo(0.05);
    expect(valueOf(rates[0], "ttft_seconds:rate")).toBe(10);
    expect(valueOf(rates[0], "ttft_seconds:mean")).toBeCloseTo(0.05);
    expect(valueOf(rates[1], "ttft_seconds:p50")).toBeCloseTo(0.55);
    expect(valueOf(rates[1], "ttft_seconds:p99")).toBeCloseTo(0.991);
    expect(valueOf(rates[2], "ttft_seconds:rate")).toBe(4);
    expect(valueOf(rates[2], "ttft_seconds:p50")).toBeCloseTo(0.55);
  });

  it("passes gauges through and gives NaN quantiles for an interval without observations", () => {
    const gauge: RecordedPoint = { series: "node_load1", family: "node_load1", type: "gauge", value: 0.5 };
    const rates = exportRates([at(0, [gauge, ...histogram([1, 1, 1], 0.01)]), at(1, [gauge, ...histogram([1, 1, 1], 0.01)])]);
    expect(valueOf(rates[0], "node_load1")).toBe(0.5);
    expect(valueOf(rates[0], "ttft_seconds:p50")).toBeNaN();
  });
});
