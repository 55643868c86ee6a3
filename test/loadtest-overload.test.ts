/**
 * Open loop above the simulator's capacity, with a maxInFlight ceiling at the server's batch size:
 * latency from the planned send grows through the run while service latency does not, and the
 * report flags that the generator fell behind (coordinated omission made visible).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportWindow } from "../loadtest/report/report-types.ts";
import { spawnSimulator, type SpawnedSimulator } from "../loadtest/testing/spawn-simulator.ts";
import { runForTest, type TestRun } from "../loadtest/testing/run-for-test.ts";

describe("open loop above capacity", () => {
  let sim: SpawnedSimulator;
  let run: TestRun;

  beforeAll(async () => {
    // 2 sequences × ~12 tokens × 10 ms steps: about 15 req/s of capacity; we ask for 50 req/s.
    sim = await spawnSimulator(["--max-num-seqs", "2", "--step-base-ms", "10", "--seed", "1"]);
    run = await runForTest({
      target: { url: sim.url, model: "meta-llama/Llama-3.1-8B-Instruct", api: "completions" },
      workload: { prompts: { kind: "synthetic", inputTokens: 32 }, outputTokens: 12 },
      load: { executor: "constant-arrival-rate", rate: 50, duration: "1200ms", arrival: "uniform", maxInFlight: 2 },
      gracefulStop: "20s",
      timeouts: { ttft: "20s" },
      window: "500ms",
    });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("sends every planned request (queued, never dropped)", () => {
    expect(run.report.counts.planned).toBe(60);
    expect(run.report.counts.completed).toBe(60);
    expect(run.report.schedule.queuedRequests).toBeGreaterThan(30);
    expect(run.report.summary.queueMs?.count).toBe(60);
  });

  it("shows latency from the planned send growing while service latency stays flat", () => {
    const byWindow = run.report.windows.windows.filter((w: ReportWindow) => w.latency.ttftFromPlannedMs && w.latency.ttftMs);
    const first = byWindow[0] as ReportWindow;
    const last = byWindow[byWindow.length - 1] as ReportWindow;
    expect(last.latency.ttftFromPlannedMs?.p50 as number).toBeGreaterThan(5 * (first.latency.ttftFromPlannedMs?.p50 as number));
    const service = run.report.summary.ttftMs;
    const planned = run.report.summary.ttftFromPlannedMs;
    expect(planned?.p95 as number).toBeGreaterThan(10 * (service?.p95 as number));
    // Service TTFT never includes the client-side queue: its tail stays within a few steps of its median.
    expect(service?.p99 as number).toBeLessThan(5 * (service?.p50 as number) + 50);
  });

  it("flags the run: the generator fell behind its schedule", () => {
    const schedule = run.report.schedule;
    expect(schedule.fellBehind).toBe(true);
    expect(schedule.achievedRatio as number).toBeLessThan(0.97);
    expect(schedule.reasons.join(" ")).toContain("maxInFlight");
    expect(run.report.findings.map((f) => f.code)).toContain("generator-behind");
  });
});
