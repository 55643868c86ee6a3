/**
 * The calibration setup that compare's simulator test and its false-alarm benchmark share: one
 * scenario and one set of deterministic simulator timings, so the benchmark measures exactly what
 * the test gates on.
 */
import type { Report } from "../report/report-types.ts";
import type { Scenario } from "../scenario.ts";
import { runForTest } from "./run-for-test.ts";
import { spawnSimulator } from "./spawn-simulator.ts";

/**
 * The modelled timings: prefill 0.5 ms/token × 200 tokens = 100 ms TTFT; decode 20 ms per token,
 * 15 gaps, so E2E ≈ 400 ms; no fixed step cost. Sized so host noise, which is absolute, stays well
 * inside the 5 % tolerances:
 * - TTFT: a late simulator wake-up costs the same milliseconds whatever the TTFT. At 50 ms TTFT the
 *   tolerance was 2.6 ms, and one CI run out of many shifted a run's TTFT median by that much.
 * - ITL: Bun truncates a timer's delay to whole milliseconds, so a step ends 0.1-1.1 ms late
 *   depending on the sub-millisecond phase, which shifts a whole run's ITL median by up to ~0.5 ms.
 *   At 10 ms ITL that is the whole tolerance; at 20 ms it is half.
 * Prefill is a quarter of E2E, so +10 % prefill moves E2E by 2.5 % and +10 % decode moves it by
 * 7.5 %: both clear of the tolerance on their side.
 */
export const COMPARE_SIM_TIMINGS = { prefillMsPerToken: 0.5, decodeMsPerSeq: 20 } as const;

/** Simulator flags for the calibration, with either timing overridden (a "slower simulator"). */
export function compareSimFlags(options: { prefillMsPerToken?: number; decodeMsPerSeq?: number } = {}): string[] {
  return [
    "--seed", "1",
    "--no-enable-prefix-caching", // the same seeded prompts every run: a cache would make run 2 faster than run 1
    "--step-base-ms", "0",
    "--prefill-ms-per-token", String(options.prefillMsPerToken ?? COMPARE_SIM_TIMINGS.prefillMsPerToken),
    "--decode-ms-per-seq", String(options.decodeMsPerSeq ?? COMPARE_SIM_TIMINGS.decodeMsPerSeq),
  ];
}

/** One VU, 4 s after an 800 ms warm-up (about 10 requests), 200-token prompts, 16 output tokens. */
export function compareSimScenario(url: string): Scenario {
  return {
    name: "compare-sim",
    target: { url, model: "meta-llama/Llama-3.1-8B-Instruct", api: "chat" },
    workload: { prompts: { kind: "synthetic", inputTokens: 200 }, outputTokens: 16 },
    load: { executor: "constant-vus", vus: 1, duration: "4s" },
    warmup: "800ms",
    window: "250ms", // 16 windows per run, so the window block bootstrap sees hiccups that hit a few windows
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
