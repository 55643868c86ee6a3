// Throughput: a closed loop at high concurrency, to find what the server sustains when always busy.
import type { Scenario } from "../loadtest/scenario.ts";

export default {
  name: "throughput",
  description: "128 in flight for 60 s, 256-token prompts, 256-token outputs",
  target: { url: "http://127.0.0.1:8000", model: "meta-llama/Llama-3.1-8B-Instruct", api: "completions" },
  workload: { prompts: { kind: "synthetic", inputTokens: { kind: "uniform", min: 128, max: 384 } }, outputTokens: 256 },
  load: { executor: "constant-vus", vus: 128, duration: "60s" },
  warmup: "10s",
  thresholds: { output_tokens_per_s: ["avg>1000"], error_rate: ["rate<0.01"] },
  seed: 1,
} satisfies Scenario;
