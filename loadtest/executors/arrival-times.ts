/**
 * Arrival times for open-loop executors with a piecewise-linear rate, by time rescaling: draw
 * unit-mean gaps (constant 1 for `uniform`, Exp(1) for `poisson`, Gamma(b, 1/b) for `gamma`, vLLM's
 * burstiness model) in "expected-arrivals" time Λ, then map each cumulative Λ back to wall time through
 * Λ(t) = ∫ rate. A constant rate is the one-segment case.
 */
import type { SeededRandom } from "../random/seeded-random.ts";
import type { ArrivalProcess } from "./plan.ts";

/** A segment of the rate curve: rate goes linearly from `fromPerMs` to `toPerMs` over `durationMs`. */
export interface RateSegment {
  readonly durationMs: number;
  readonly fromPerMs: number;
  readonly toPerMs: number;
}

/**
 * Planned arrival times (ms from 0), ascending, within the segments; at most `maxCount` of them.
 * @example arrivalTimes([{ durationMs: 1000, fromPerMs: 0.01, toPerMs: 0.01 }], { arrival: "uniform", burstiness: 1 }, random) // 10 times, 100 ms apart
 */
export function arrivalTimes(
  segments: readonly RateSegment[],
  process: ArrivalProcess,
  random: SeededRandom,
  maxCount = Number.POSITIVE_INFINITY,
): Float64Array {
  const out: number[] = [];
  const gap = (): number => {
    if (process.arrival === "uniform") return 1;
    if (process.arrival === "poisson") return random.exponential();
    return random.gamma(process.burstiness) / process.burstiness;
  };
  // The first uniform arrival is at 0 (k6 starts an iteration immediately); random ones after one gap.
  let nextLambda = process.arrival === "uniform" ? 0 : gap();
  let segmentStartMs = 0;
  let lambdaAtSegmentStart = 0;
  for (const segment of segments) {
    const { durationMs, fromPerMs: r0, toPerMs: r1 } = segment;
    const slope = durationMs > 0 ? (r1 - r0) / durationMs : 0;
    const segmentLambda = ((r0 + r1) / 2) * durationMs;
    while (out.length < maxCount && nextLambda < lambdaAtSegmentStart + segmentLambda) {
      const within = nextLambda - lambdaAtSegmentStart;
      out.push(segmentStartMs + solveOffset(within, r0, slope));
      nextLambda += gap();
    }
    segmentStartMs += durationMs;
    lambdaAtSegmentStart += segmentLambda;
  }
  return Float64Array.from(out);
}

/** Solves r0·τ + slope·τ²/2 = lambda for τ >= 0. */
function solveOffset(lambda: number, r0: number, slope: number): number {
  if (lambda <= 0) return 0; // also avoids 0/0 on a ramp starting at rate 0
  if (Math.abs(slope) < 1e-15) return lambda / r0;
  // Stable form of the positive root: τ = 2λ / (r0 + sqrt(r0² + 2·slope·λ)).
  const disc = Math.max(0, r0 * r0 + 2 * slope * lambda);
  return (2 * lambda) / (r0 + Math.sqrt(disc));
}

/** Open-loop arrivals with no duration: exactly `count` arrivals at a constant rate. */
export function arrivalTimesByCount(count: number, ratePerMs: number, process: ArrivalProcess, random: SeededRandom): Float64Array {
  return arrivalTimes([{ durationMs: Number.MAX_SAFE_INTEGER, fromPerMs: ratePerMs, toPerMs: ratePerMs }], process, random, count);
}
