import { describe, expect, it } from "vitest";
import { createRandom } from "../random/seeded-random.ts";
import { arrivalTimes } from "./arrival-times.ts";
import { planConstantArrivalRate, type ConstantArrivalRateLoad } from "./constant-arrival-rate.ts";
import { planConstantVus } from "./constant-vus.ts";
import { planRampingArrivalRate } from "./ramping-arrival-rate.ts";
import { planRampingVus } from "./ramping-vus.ts";

const car = (over: Partial<ConstantArrivalRateLoad>): ConstantArrivalRateLoad => ({
  executor: "constant-arrival-rate",
  ratePerS: 10,
  durationMs: 10_000,
  requests: null,
  arrival: "uniform",
  burstiness: 1,
  maxInFlight: null,
  ...over,
});

describe("planConstantArrivalRate()", () => {
  const table: Array<[string, Partial<ConstantArrivalRateLoad>, number, number]> = [
    ["uniform 10/s for 10 s", {}, 0, 100],
    ["uniform 10/s with 2 s warm-up", {}, 2_000, 120],
    ["uniform by count", { durationMs: null, requests: 25 }, 0, 25],
    ["count after warm-up", { durationMs: null, requests: 25 }, 1_000, 35],
  ];
  it.each(table)("%s", (_name, over, warmupMs, expected) => {
    const plan = planConstantArrivalRate(car(over), { warmupMs, seed: 1 });
    expect(plan.sendAtMs.length).toBe(expected);
    expect(plan.measureStartMs).toBe(warmupMs);
  });

  it("spaces uniform arrivals exactly 1/rate apart from 0", () => {
    const plan = planConstantArrivalRate(car({ ratePerS: 4, durationMs: 1_000 }), { warmupMs: 0, seed: 1 });
    expect([...plan.sendAtMs]).toEqual([0, 250, 500, 750]);
  });

  it("is reproducible from the seed and ascending", () => {
    const a = planConstantArrivalRate(car({ arrival: "poisson" }), { warmupMs: 0, seed: 9 });
    const b = planConstantArrivalRate(car({ arrival: "poisson" }), { warmupMs: 0, seed: 9 });
    expect([...a.sendAtMs]).toEqual([...b.sendAtMs]);
    for (let i = 1; i < a.sendAtMs.length; i++) expect(a.sendAtMs[i] as number).toBeGreaterThanOrEqual(a.sendAtMs[i - 1] as number);
    expect(planConstantArrivalRate(car({ arrival: "poisson" }), { warmupMs: 0, seed: 10 }).sendAtMs[0]).not.toBe(a.sendAtMs[0]);
  });

  it("draws Poisson and gamma at the right mean rate, gamma burstier below 1", () => {
    const gaps = (arrival: "poisson" | "gamma", burstiness: number) => {
      const times = arrivalTimes([{ durationMs: 2_000_000, fromPerMs: 0.01, toPerMs: 0.01 }], { arrival, burstiness }, createRandom(3));
      const g = Array.from({ length: times.length - 1 }, (_, i) => (times[i + 1] as number) - (times[i] as number));
      const mean = g.reduce((s, x) => s + x, 0) / g.length;
      const cv = Math.sqrt(g.reduce((s, x) => s + (x - mean) ** 2, 0) / g.length) / mean;
      return { count: times.length, cv };
    };
    const poisson = gaps("poisson", 1);
    expect(poisson.count).toBeGreaterThan(19_000);
    expect(poisson.count).toBeLessThan(21_000);
    expect(poisson.cv).toBeCloseTo(1, 1);
    expect(gaps("gamma", 0.25).cv).toBeGreaterThan(1.7);
    expect(gaps("gamma", 4).cv).toBeLessThan(0.6);
  });
});

describe("planRampingArrivalRate()", () => {
  it("follows a linear ramp: 0 -> 10/s over 10 s is 50 arrivals, denser at the end", () => {
    const plan = planRampingArrivalRate(
      { executor: "ramping-arrival-rate", startRatePerS: 0, stages: [{ durationMs: 10_000, target: 10 }], arrival: "uniform", burstiness: 1, maxInFlight: null },
      { warmupMs: 0, seed: 1 },
    );
    expect(plan.sendAtMs.length).toBe(50);
    expect(plan.targetRatePerS).toBe(5);
    const firstHalf = [...plan.sendAtMs].filter((t) => t < 5_000).length;
    expect(firstHalf).toBe(13);
  });
});

describe("closed-loop planners", () => {
  it("constant-vus: one step, end after warm-up + duration", () => {
    expect(planConstantVus({ executor: "constant-vus", vus: 3, durationMs: 5_000, requests: null }, { warmupMs: 1_000 })).toEqual({
      kind: "closed",
      steps: [{ atMs: 0, vus: 3 }],
      measureStartMs: 1_000,
      endMs: 6_000,
      maxRequests: null,
    });
  });

  const ramps: Array<[string, number, Array<{ durationMs: number; target: number }>, Array<{ atMs: number; vus: number }>]> = [
    ["up 0 -> 4 over 4 s", 0, [{ durationMs: 4_000, target: 4 }], [{ atMs: 0, vus: 0 }, { atMs: 1_000, vus: 1 }, { atMs: 2_000, vus: 2 }, { atMs: 3_000, vus: 3 }, { atMs: 4_000, vus: 4 }]],
    ["up then down", 1, [{ durationMs: 1_000, target: 2 }, { durationMs: 2_000, target: 0 }], [{ atMs: 0, vus: 1 }, { atMs: 1_000, vus: 2 }, { atMs: 2_000, vus: 1 }, { atMs: 3_000, vus: 0 }]],
    ["jump in a zero-length stage", 1, [{ durationMs: 0, target: 5 }, { durationMs: 1_000, target: 5 }], [{ atMs: 0, vus: 5 }]],
  ];
  it.each(ramps)("ramping-vus %s", (_name, startVUs, stages, steps) => {
    const plan = planRampingVus({ executor: "ramping-vus", startVUs, stages }, { warmupMs: 0 });
    expect(plan.steps).toEqual(steps);
  });
});
