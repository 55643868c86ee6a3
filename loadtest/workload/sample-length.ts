/** Draws a token length from a distribution (seeded), always an integer >= 1. */
import type { SeededRandom } from "../random/seeded-random.ts";
import type { LengthDistribution } from "../scenario.ts";

/**
 * One draw. Normal is clamped to [min, max] (min defaults to 1), so long tails cannot exceed a model's context.
 * @example sampleLength({ kind: "uniform", min: 10, max: 20 }, random) // 10..20
 */
export function sampleLength(distribution: LengthDistribution, random: SeededRandom): number {
  switch (distribution.kind) {
    case "fixed":
      return distribution.value;
    case "uniform":
      return random.integer(distribution.min, distribution.max);
    case "normal": {
      const value = Math.round(distribution.mean + distribution.stddev * random.normal());
      return Math.min(distribution.max ?? Number.MAX_SAFE_INTEGER, Math.max(distribution.min ?? 1, value));
    }
  }
}
