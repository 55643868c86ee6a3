/**
 * Small deterministic randomness: a 32-bit PRNG (mulberry32) and a 53-bit string hash
 * (cyrb53). Everything random in the simulator comes from these, seeded from --seed,
 * so a run is reproducible bit for bit.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: tiny, fast, good enough statistically for workload shaping.
 * @example const next = createRandom(42); next() // 0.6011037519201636
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return function random() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * cyrb53 string hash (53 bits, a safe integer). Used to key output text and prefix-cache
 * blocks; collisions are negligible at simulator scale.
 * @example hashString("abc", 0) === hashString("abc", 0) // true
 */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Folds a number into a 32-bit seed together with a base seed (for derived streams). */
export function deriveSeed(base: number, salt: number): number {
  return hashString(`${base}:${salt}`) % 4294967296;
}
