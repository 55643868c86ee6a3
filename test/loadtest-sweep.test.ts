/**
 * A concurrency sweep against the simulator finds the capacity knee, and the knee moves with the
 * simulator's --max-num-seqs: beyond it requests queue in the server and TTFT jumps past the threshold.
 */
import { describe, expect, it } from "vitest";
import { spawnSimulator } from "../loadtest/testing/spawn-simulator.ts";
import { runForTest } from "../loadtest/testing/run-for-test.ts";

async function sweepKnee(maxNumSeqs: number) {
  await using sim = await spawnSimulator(["--max-num-seqs", String(maxNumSeqs), "--step-base-ms", "15", "--seed", "2"]);
  const run = await runForTest({
    target: { url: sim.url, model: "meta-llama/Llama-3.1-8B-Instruct", api: "completions" },
    workload: { prompts: { kind: "synthetic", inputTokens: 16 }, outputTokens: 10 },
    // Queued TTFT >= one whole request (10 steps x 15 ms); unqueued about one to two steps.
    load: { executor: "sweep", mode: "concurrency", levels: [1, 2, 4, 8, 16], levelDuration: "800ms", refine: 1 },
    thresholds: { ttft_ms: ["p(90)<100"], error_rate: ["rate==0"] },
    gracefulStop: "5s",
  });
  return run.report;
}

describe("sweep executor", () => {
  it("finds a knee that moves with --max-num-seqs", async () => {
    const small = await sweepKnee(2);
    const large = await sweepKnee(8);
    expect(small.sweep?.knee).toBe(2);
    expect(large.sweep?.knee).toBe(8);
    for (const report of [small, large]) {
      const levels = report.sweep?.levels ?? [];
      expect(levels.some((l) => !l.passed)).toBe(true);
      expect(levels.filter((l) => l.refinement).length).toBeLessThanOrEqual(1);
      expect(report.sweep?.stopReason).toMatch(/threshold-failed|saturated/);
      expect(report.thresholds.every((t) => t.passed)).toBe(true);
      expect(report.run.exitCode).toBe(0);
      expect(report.windows.windows.some((w) => typeof w.phase === "object")).toBe(true);
    }
  });
});
