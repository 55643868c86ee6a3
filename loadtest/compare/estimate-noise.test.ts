import { describe, expect, it } from "vitest";
import { buildReport, lognormalSamples } from "../../test/support/report-builder.ts";
import { orderStatisticNoise, runSpread, windowBootstrapNoise } from "./estimate-noise.ts";
import { normalQuantile } from "./normal-quantile.ts";

const reportOf = (values: number[], windows = 10) => buildReport({ samples: { ttftMs: values, e2eMs: values }, windows });

describe("noise estimates", () => {
  it("orderStatisticNoise() shrinks as samples grow", () => {
    const small = orderStatisticNoise(reportOf(lognormalSamples({ seed: 1, count: 50, medianMs: 50, sigma: 0.2 })), "ttftMs", 50);
    const large = orderStatisticNoise(reportOf(lognormalSamples({ seed: 1, count: 5000, medianMs: 50, sigma: 0.2 })), "ttftMs", 50);
    expect(small?.sigma).toBeGreaterThan((large?.sigma ?? 0) * 3);
    expect(large?.sigma).toBeGreaterThan(0);
  });

  it("windowBootstrapNoise() sees a slow window that i.i.d. order statistics underrate, and is reproducible", () => {
    const steady = lognormalSamples({ seed: 2, count: 400, medianMs: 50, sigma: 0.02 });
    const hiccup = steady.map((v, i) => (i >= 360 ? v * 1.5 : v)); // the last of 10 windows 50 % slower
    const calm = windowBootstrapNoise(reportOf(steady), "ttftMs", 95);
    const bumpy = windowBootstrapNoise(reportOf(hiccup), "ttftMs", 95);
    expect(bumpy?.sigma).toBeGreaterThan((calm?.sigma ?? 0) * 3);
    expect(windowBootstrapNoise(reportOf(hiccup), "ttftMs", 95)).toEqual(bumpy);
    expect(windowBootstrapNoise(reportOf(steady, 3), "ttftMs", 95)).toBeNull();
  });

  it("runSpread() needs two runs and is zero for identical ones", () => {
    expect(runSpread([10])).toBeNull();
    expect(runSpread([10, 10, 10])?.sigma).toBe(0);
    expect(runSpread([0.1, 0.3], "absolute")?.sigma).toBeCloseTo(Math.SQRT2 * 0.1, 9);
  });

  it("normalQuantile() matches the tables", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.9985)).toBeCloseTo(2.967738, 4);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});
