// TTFT-focused: a low-rate open loop (Poisson arrivals) so queueing does not hide prefill latency.
// Latency is reported from the actual send and from the planned send; the report flags a generator that fell behind.
import type { Scenario } from "../loadtest/scenario.ts";

export default {
  name: "ttft",
  description: "2 req/s Poisson for 60 s, 512-token prompts, 64-token outputs",
  target: { url: "http://127.0.0.1:8000", model: "meta-llama/Llama-3.1-8B-Instruct", api: "chat" },
  workload: { prompts: { kind: "synthetic", inputTokens: { kind: "normal", mean: 512, stddev: 64, min: 64, max: 1024 } }, outputTokens: 64 },
  load: { executor: "constant-arrival-rate", rate: 2, duration: "60s", arrival: "poisson" },
  warmup: "5s",
  slo: { ttftMs: 500, tpotMs: 50 },
  thresholds: { ttft_ms: ["p(95)<500", "p(50)<200"], error_rate: ["rate<0.01"] },
  seed: 1,
} satisfies Scenario;
