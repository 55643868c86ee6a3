/** A Prometheus histogram's state: per-bucket counts (non-cumulative), sum and count. */
export class Histogram {
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  /** `bounds` ascending, without +Inf (added on render). */
  constructor(readonly bounds: readonly number[]) {
    this.#counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.bounds.length && value > (this.bounds[i] as number)) i++;
    this.#counts[i] = (this.#counts[i] as number) + 1;
    this.#sum += value;
    this.#count++;
  }

  get sum(): number {
    return this.#sum;
  }

  get count(): number {
    return this.#count;
  }

  /** Cumulative counts per bound, the +Inf bucket last. */
  cumulative(): number[] {
    const out: number[] = [];
    let running = 0;
    for (const count of this.#counts) out.push((running += count));
    return out;
  }
}

/** vLLM's build_1_2_5_buckets(max): 1, 2, 5, 10, 20, 50, ... up to max. */
export function buckets125(max: number): number[] {
  const out: number[] = [];
  for (let exponent = 1; ; exponent *= 10) {
    for (const mantissa of [1, 2, 5]) {
      const value = mantissa * exponent;
      if (value > max) return out;
      out.push(value);
    }
  }
}
