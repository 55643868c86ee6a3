// Capacity search: open-loop rate levels; the knee is the highest rate whose TTFT p95 and error rate
// meet the thresholds (refined by bisection between the last passing and first failing level).
import type { Scenario } from "../loadtest/scenario.ts";

export default {
  name: "sweep",
  description: "Poisson rate levels 1..64 req/s, 20 s each, knee on TTFT p95 < 1 s",
  target: { url: "http://127.0.0.1:8000", model: "meta-llama/Llama-3.1-8B-Instruct", api: "chat" },
  workload: { prompts: { kind: "synthetic", inputTokens: 256 }, outputTokens: 128 },
  load: { executor: "sweep", mode: "rate", levels: [1, 2, 4, 8, 16, 32, 64], levelDuration: "20s", levelWarmup: "3s", refine: 2, arrival: "poisson" },
  thresholds: { ttft_ms: ["p(95)<1000"], error_rate: ["rate<0.01"] },
  gracefulStop: "10s",
  seed: 1,
} satisfies Scenario;
