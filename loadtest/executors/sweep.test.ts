import { describe, expect, it } from "vitest";
import { findKnee, nextSweepStep, type SweepLevelOutcome, type SweepLoad } from "./sweep.ts";

const load = (over: Partial<SweepLoad> = {}): SweepLoad => ({
  executor: "sweep",
  mode: "concurrency",
  levels: [1, 2, 4, 8, 16],
  levelDurationMs: 1000,
  levelWarmupMs: 0,
  refine: 2,
  saturationGrowth: 0.05,
  arrival: "poisson",
  burstiness: 1,
  maxInFlight: null,
  ...over,
});

/** Runs the controller against a fake server: `passes(level)` and `throughput(level)`. */
function simulate(sweep: SweepLoad, passes: (level: number) => boolean, throughput: (level: number) => number) {
  const outcomes: SweepLevelOutcome[] = [];
  for (let i = 0; i < 20; i++) {
    const step = nextSweepStep(sweep, outcomes);
    if (step.kind === "done") return { levels: outcomes.map((o) => o.level), reason: step.reason, knee: findKnee(outcomes) };
    outcomes.push({ level: step.level, passed: passes(step.level), throughputPerS: throughput(step.level), achievedRatio: null });
  }
  throw new Error("did not stop");
}

describe("nextSweepStep()", () => {
  const table: Array<[string, SweepLoad, (l: number) => boolean, (l: number) => number, number[], string, number | null]> = [
    ["all pass", load(), () => true, (l) => l, [1, 2, 4, 8, 16], "levels-done", 16],
    ["fails at 8, refines 6 then 7", load(), (l) => l < 7, (l) => l, [1, 2, 4, 8, 6, 7], "threshold-failed", 6],
    ["fails at 8, 5 passes too", load(), (l) => l <= 6, (l) => l, [1, 2, 4, 8, 6, 7], "threshold-failed", 6],
    ["no refinement room (1 -> 2)", load({ levels: [1, 2] }), (l) => l < 2, (l) => l, [1, 2], "threshold-failed", 1],
    ["first level fails", load(), () => false, (l) => l, [1], "threshold-failed", null],
    ["saturates at 4: throughput flat, stops early", load(), () => true, (l) => Math.min(l, 2.02), [1, 2, 4], "saturated", 4],
    ["refine 0", load({ refine: 0 }), (l) => l < 8, (l) => l, [1, 2, 4, 8], "threshold-failed", 4],
    ["rate mode midpoints keep 3 digits", load({ mode: "rate", levels: [1, 3], refine: 1 }), (l) => l < 3, (l) => l, [1, 3, 2], "threshold-failed", 2],
  ];
  it.each(table)("%s", (_name, sweep, passes, throughput, levels, reason, knee) => {
    expect(simulate(sweep, passes, throughput)).toEqual({ levels, reason, knee });
  });

  it("treats a rate level whose achieved rate fell below 90 % as saturated", () => {
    const sweep = load({ mode: "rate", levels: [10, 20, 40] });
    const step = nextSweepStep(sweep, [
      { level: 10, passed: true, throughputPerS: 10, achievedRatio: 1 },
      { level: 20, passed: true, throughputPerS: 17, achievedRatio: 0.85 },
    ]);
    expect(step).toEqual({ kind: "done", reason: "saturated" });
  });
});
