/**
 * The calibration setup that compare's simulator test and its false-alarm benchmark share: one
 * scenario and one set of deterministic simulator timings, so the benchmark measures exactly what
 * the test gates on.
 */
import type { Report } from "../report/report-types.ts";
import type { Scenario } from "../scenario.ts";
import { runForTest } from "./run-for-test.ts";
import { spawnSimulator } from "./spawn-simulator.ts";

/** Prefill 0.25 ms/token × 200 tokens = 50 ms TTFT; decode 10 ms per token; no fixed step cost. */
export function compareSimFlags(options: { prefillMsPerToken?: number; decodeMsPerSeq?: number } = {}): string[] {
  return [
    "--seed", "1",
    "--no-enable-prefix-caching", // the same seeded prompts every run: a cache would make run 2 faster than run 1
    "--step-base-ms", "0",
    "--prefill-ms-per-token", String(options.prefillMsPerToken ?? 0.25),
    "--decode-ms-per-seq", String(options.decodeMsPerSeq ?? 10),
  ];
}

/** One VU, 2 s after an 800 ms warm-up, 200-token prompts, 16 output tokens. */
export function compareSimScenario(url: string): Scenario {
  return {
    name: "compare-sim",
    target: { url, model: "meta-llama/Llama-3.1-8B-Instruct", api: "chat" },
    workload: { prompts: { kind: "synthetic", inputTokens: 200 }, outputTokens: 16 },
    load: { executor: "constant-vus", vus: 1, duration: "2s" },
    warmup: "800ms",
    window: "250ms", // 8+ windows per run, so the window block bootstrap sees hiccups that hit a few windows
    seed: 1,
  };
}

/** Runs the scenario `count` times against one simulator started with `flags`. */
export async function compareSimRuns(flags: readonly string[], count: number): Promise<Report[]> {
  await using sim = await spawnSimulator(flags);
  const reports: Report[] = [];
  for (let i = 0; i < count; i++) reports.push((await runForTest(compareSimScenario(sim.url))).report);
  return reports;
}
