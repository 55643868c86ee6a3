// The README demo (`npm run demo`): open-loop arrivals ramping from 1 to 5 req/s over 40 s against the
// demo simulator, whose capacity is about 3 req/s, so the queue and the KV cache fill part way through
// and TTFT climbs. scripts/demo.ts passes --target and --agent.
import type { Scenario } from "../loadtest/scenario.ts";

export default {
  name: "demo",
  description: "Ramp 1 -> 5 req/s over 40 s, 256-token prompts, 128-token outputs: load rises past the simulator's capacity",
  target: { url: "http://127.0.0.1:8000", model: "meta-llama/Llama-3.1-8B-Instruct", api: "chat" },
  workload: { prompts: { kind: "synthetic", inputTokens: 256 }, outputTokens: 128 },
  load: { executor: "ramping-arrival-rate", startRate: 1, stages: [{ duration: "10s", target: 1.5 }, { duration: "30s", target: 5 }], arrival: "poisson" },
  gracefulStop: "20s",
  slo: { ttftMs: 1000 },
  thresholds: { ttft_ms: ["p(95)<1000"], error_rate: ["rate<0.01"] },
  seed: 1,
} satisfies Scenario;
