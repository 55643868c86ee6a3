/**
 * A small seeded PRNG (mulberry32) with the distributions the planners need. Same seed, same
 * sequence, on every platform: that is what makes a plan reproducible from the report's seed.
 */

/** A source of uniform numbers in [0, 1) plus derived distributions. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  integer(min: number, max: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Exponential with mean 1. */
  exponential(): number;
  /** Gamma with the given shape and scale 1 (Marsaglia-Tsang). */
  gamma(shape: number): number;
}

/**
 * Creates a generator from a 32-bit seed.
 * @example createRandom(1).next() // always the same number
 */
export function createRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    // 1 - next() is in (0, 1], so the log is finite.
    const u = 1 - next();
    const v = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const gamma = (shape: number): number => {
    if (shape < 1) {
      // Boost: Gamma(k) = Gamma(k + 1) * U^(1/k) (Marsaglia-Tsang, section 6).
      return gamma(shape + 1) * Math.pow(1 - next(), 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  return {
    next,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    normal,
    exponential: () => -Math.log(1 - next()),
    gamma,
  };
}

/** Derives an independent seed for a sub-stream (prompts vs arrivals), so adding draws to one does not shift the other. */
export function deriveSeed(seed: number, stream: string): number {
  let hash = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < stream.length; i++) hash = Math.imul(hash ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
