import { describe, expect, it } from "vitest";
import { bucketQuantile } from "./bucket-quantile.ts";

const bounds = [0.1, 0.5, 1, Infinity];

describe("bucketQuantile() matches PromQL's histogram_quantile", () => {
  it.each([
    // 10 observations: 4 <= 0.1, 4 in (0.1, 0.5], 2 in (0.5, 1]
    [0.5, [4, 8, 10, 10], 0.1 + 0.4 * (1 / 4)],
    [0.2, [4, 8, 10, 10], 0.05],
    [0.9, [4, 8, 10, 10], 0.75],
    [0.99, [4, 8, 10, 12], 1], // in the +Inf bucket: the highest finite bound
    [0.5, [0, 0, 0, 0], NaN],
  ])("q=%d of %j", (q, cumulative, expected) => {
    const got = bucketQuantile(q, bounds, cumulative);
    if (Number.isNaN(expected)) expect(got).toBeNaN();
    else expect(got).toBeCloseTo(expected, 10);
  });
});
