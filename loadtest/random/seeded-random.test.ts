import { describe, expect, it } from "vitest";
import { createRandom, deriveSeed } from "./seeded-random.ts";

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

describe("createRandom()", () => {
  it("repeats the same sequence for the same seed", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
    expect(createRandom(43).next()).not.toBe(createRandom(42).next());
  });

  it("draws exponential and gamma with the right means", () => {
    const random = createRandom(7);
    const n = 20_000;
    expect(mean(Array.from({ length: n }, () => random.exponential()))).toBeCloseTo(1, 1);
    expect(mean(Array.from({ length: n }, () => random.gamma(0.5)))).toBeCloseTo(0.5, 1);
    expect(mean(Array.from({ length: n }, () => random.gamma(4)))).toBeCloseTo(4, 1);
    const normals = Array.from({ length: n }, () => random.normal());
    expect(mean(normals)).toBeCloseTo(0, 1);
  });

  it("keeps integer() within its bounds", () => {
    const random = createRandom(3);
    for (let i = 0; i < 1000; i++) {
      const value = random.integer(5, 7);
      expect(value).toBeGreaterThanOrEqual(5);
      expect(value).toBeLessThanOrEqual(7);
    }
  });

  it("derives different seeds per stream", () => {
    expect(deriveSeed(1, "arrivals")).not.toBe(deriveSeed(1, "prompts"));
    expect(deriveSeed(1, "arrivals")).toBe(deriveSeed(1, "arrivals"));
  });
});
