import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseExposition } from "../../agent/exposition/parse-exposition.ts";
import { renderVllmMetrics } from "./render-vllm-metrics.ts";
import { VllmMetrics } from "./vllm-metrics.ts";

const FIXTURE = readFileSync(new URL("../../test/fixtures/vllm/vllm-metrics-v1.txt", import.meta.url), "utf8");

function render(metrics: VllmMetrics): string {
  return renderVllmMetrics({
    metrics,
    model: "meta-llama/Llama-3.1-8B-Instruct",
    running: 4,
    waiting: 0,
    kvCacheUsage: 0.25,
    cacheConfig: { blockSize: 16, numGpuBlocks: 28268, enablePrefixCaching: true, maxModelLen: 131072 },
    process: { virtualMemoryBytes: 24073863168, residentMemoryBytes: 1712783360, startTimeSeconds: 1789559903.41, cpuSecondsTotal: 1433.27, openFds: 83, maxFds: 1048576 },
  });
}

describe("renderVllmMetrics()", () => {
  it("writes the fixture's HELP and TYPE lines, in its order", () => {
    const metrics = new VllmMetrics(131072, 1789560041.29);
    metrics.observeHttp({ handler: "/v1/chat/completions", method: "POST", status: 200, requestBytes: 100, responseBytes: 0, durationSeconds: 1.2, nowUnixSeconds: 1789560067.9 });
    const headers = (text: string) => text.split("\n").filter((line) => line.startsWith("# "));
    expect(headers(render(metrics))).toEqual(headers(FIXTURE));
  });

  it("writes the fixture's label sets, bucket bounds and float style", () => {
    const body = render(new VllmMetrics(131072, 1789560041.29));
    const shape = (text: string, family: string) => text.split("\n").filter((line) => line.startsWith(`${family}_bucket`)).map((line) => line.replace(/ \S+$/, ""));
    for (const family of ["vllm:request_prompt_tokens", "vllm:time_to_first_token_seconds", "vllm:inter_token_latency_seconds", "vllm:e2e_request_latency_seconds", "vllm:iteration_tokens_total", "vllm:request_params_n"]) {
      expect(shape(body, family)).toEqual(shape(FIXTURE, family));
    }
    const cacheConfig = (text: string) => text.split("\n").find((line) => line.startsWith("vllm:cache_config_info{"));
    expect(cacheConfig(body)).toBe(cacheConfig(FIXTURE));
    expect(body).toContain("process_virtual_memory_bytes 2.4073863168e+010\n");
    expect(body).toContain('vllm:request_success_total{engine="0",finished_reason="repetition",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0\n');
  });

  it("parses with the agent's parser, histograms cumulative and consistent", () => {
    const metrics = new VllmMetrics(131072, 1789560041.29);
    for (const ttft of [0.003, 0.03, 0.3]) metrics.timeToFirstToken.observe(ttft);
    const families = parseExposition(render(metrics));
    const ttft = families.find((family) => family.name === "vllm:time_to_first_token_seconds");
    const buckets = ttft?.samples.filter((sample) => sample.name.endsWith("_bucket")) ?? [];
    expect(buckets.at(-1)?.value).toBe(3);
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
    expect(ttft?.samples.find((sample) => sample.name.endsWith("_count"))?.value).toBe(3);
  });
});
