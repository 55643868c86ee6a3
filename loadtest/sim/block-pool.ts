/**
 * The KV cache as vLLM V1's BlockPool keeps it: a fixed number of blocks, each with a
 * reference count and optionally the hash of the full prompt block it holds. A block
 * whose count drops to 0 stays in the prefix cache (it still answers lookups) but is
 * free: it is evicted, least recently freed first, when a new block is needed. So
 * "usage" counts only referenced blocks, as vllm:kv_cache_usage_perc does.
 */
export class BlockPool {
  readonly #refCounts: Int32Array;
  readonly #hashOf: (number | undefined)[];
  /** hash -> block id, for blocks holding a computed full prompt block. */
  readonly #byHash = new Map<number, number>();
  /** Free blocks in eviction order (a Map keeps insertion order: first = least recently freed). */
  readonly #free = new Map<number, true>();
  #used = 0;

  constructor(readonly numBlocks: number) {
    this.#refCounts = new Int32Array(numBlocks);
    this.#hashOf = new Array<number | undefined>(numBlocks).fill(undefined);
    for (let id = 0; id < numBlocks; id++) this.#free.set(id, true);
  }

  /** Blocks with at least one reference. */
  get usedBlocks(): number {
    return this.#used;
  }

  get freeBlocks(): number {
    return this.numBlocks - this.#used;
  }

  /** Fraction 0..1 of blocks referenced. */
  usage(): number {
    return this.#used / this.numBlocks;
  }

  /** How many leading hashes are cached (in use or free but not yet evicted). */
  countCachedPrefix(hashes: readonly number[], limit: number): number {
    let count = 0;
    while (count < limit && count < hashes.length && this.#byHash.has(hashes[count] as number)) count++;
    return count;
  }

  /** Takes a reference on the cached blocks of the first `count` hashes (must be cached). */
  acquireCached(hashes: readonly number[], count: number): number[] {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.#byHash.get(hashes[i] as number) as number;
      this.#ref(id);
      ids.push(id);
    }
    return ids;
  }

  /** Blocks that allocate(count) would need to find free: the free count must cover it. */
  canAllocate(count: number): boolean {
    return count <= this.freeBlocks;
  }

  /** Allocates fresh blocks, evicting cached free ones as needed. Caller checks canAllocate first. */
  allocate(count: number): number[] {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const first = this.#free.keys().next();
      if (first.done === true) throw new Error(`BlockPool has no free block (asked for ${count})`);
      const id = first.value;
      const hash = this.#hashOf[id];
      if (hash !== undefined) {
        this.#byHash.delete(hash);
        this.#hashOf[id] = undefined;
      }
      this.#ref(id);
      ids.push(id);
    }
    return ids;
  }

  /** Records that block `id` now holds the full prompt block with `hash` (first holder wins). */
  cache(id: number, hash: number): void {
    if (this.#byHash.has(hash) || this.#hashOf[id] !== undefined) return;
    this.#byHash.set(hash, id);
    this.#hashOf[id] = hash;
  }

  /** Drops one reference from each block; blocks reaching 0 become free (and stay cached until evicted). */
  release(ids: readonly number[]): void {
    // Freed in reverse so a sequence's tail blocks are evicted before its prefix, as vLLM does.
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i] as number;
      const count = (this.#refCounts[id] as number) - 1;
      this.#refCounts[id] = count;
      if (count === 0) {
        this.#used--;
        this.#free.set(id, true);
      }
    }
  }

  #ref(id: number): void {
    const count = this.#refCounts[id] as number;
    if (count === 0) {
      this.#used++;
      this.#free.delete(id);
    }
    this.#refCounts[id] = count + 1;
  }
}
