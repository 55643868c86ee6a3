// A few seconds of light load, for CI: is the target up, streaming, and counting tokens?
// bun run sim --port 8000 &  then  bun run loadtest scenarios/smoke.ts
import type { Scenario } from "../loadtest/scenario.ts";

export default {
  name: "smoke",
  description: "3 s of 4 in flight with short prompts; fails on any error",
  target: { url: "http://127.0.0.1:8000", model: "meta-llama/Llama-3.1-8B-Instruct", api: "chat" },
  workload: { prompts: { kind: "synthetic", inputTokens: 64 }, outputTokens: 16 },
  load: { executor: "constant-vus", vus: 4, duration: "3s" },
  gracefulStop: "5s",
  timeouts: { ttft: "10s", stall: "5s" },
  thresholds: { error_rate: ["rate==0"], requests: ["count>0"] },
  seed: 1,
} satisfies Scenario;
