import { describe, expect, it } from "vitest";
import { parseExposition } from "../exposition/parse-exposition.ts";
import { summarizeVllm } from "./summarize-vllm.ts";
import { isVllmFamily } from "./scrape-vllm.ts";

const FIXTURE = new URL("../../test/fixtures/vllm/vllm-metrics-v1.txt", import.meta.url);

describe("summarizeVllm()", () => {
  it("reads the values the harness correlates with from a real-shaped body", async () => {
    const families = parseExposition(await Bun.file(FIXTURE).text()).filter((f) => isVllmFamily(f.name));
    const summary = summarizeVllm(families);
    expect(summary).toMatchObject({
      requestsRunning: 4,
      requestsWaiting: 0,
      kvCacheUsageRatio: 0.006296872789019386,
      preemptionsTotal: 0,
      promptTokensTotal: 3410264,
      generationTokensTotal: 934705,
      requestSuccessTotal: 3553 + 328 + 9,
    });
    const ttft = summary.timeToFirstTokenSeconds;
    expect(ttft?.count).toBe(3894);
    expect(ttft?.sum).toBeCloseTo(153.9096405506134, 9);
    expect(ttft?.cumulativeCounts.at(-1)).toBe(3894);
    expect(ttft?.cumulativeCounts).toHaveLength((ttft?.upperBounds.length ?? 0) + 1);
    expect(summary.requestQueueTimeSeconds).not.toBeNull();
  });

  it("gives null, never 0, for what the server does not expose", () => {
    const summary = summarizeVllm([]);
    expect(Object.values(summary).every((value) => value === null)).toBe(true);
  });

  it("sums histograms over models", () => {
    const text = [
      "# TYPE vllm:time_to_first_token_seconds histogram",
      'vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="a"} 1',
      'vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="a"} 2',
      'vllm:time_to_first_token_seconds_sum{model_name="a"} 0.5',
      'vllm:time_to_first_token_seconds_count{model_name="a"} 2',
      'vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="b"} 3',
      'vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="b"} 3',
      'vllm:time_to_first_token_seconds_sum{model_name="b"} 0.2',
      'vllm:time_to_first_token_seconds_count{model_name="b"} 3',
      "",
    ].join("\n");
    expect(summarizeVllm(parseExposition(text)).timeToFirstTokenSeconds).toEqual({ upperBounds: [0.1], cumulativeCounts: [4, 5], sum: 0.7, count: 5 });
  });
});
