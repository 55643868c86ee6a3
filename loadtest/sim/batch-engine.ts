/**
 * The timing model: continuous batching as vLLM V1's scheduler does it, as a pure,
 * clock-injected state machine (no timers, no I/O). The server calls submit(), abort()
 * and advance(nowMs) and sleeps until nextWakeMs(); every call returns what happened.
 *
 * Model:
 * - Sequences arrive in an unbounded FIFO waiting queue. At most `maxNumSeqs` run.
 * - Engine steps run back to back while there is work (none when idle: nothing to
 *   poll). A step's plan is fixed at its start and its tokens appear at its end.
 * - Planning a step (vLLM V1 order): running sequences first, in admission order, each
 *   taking 1 token (decode) or the rest of its prompt (chunked prefill), within the
 *   step's budget of `maxNumBatchedTokens`; each needs KV blocks for the tokens it will
 *   hold. When the cache has no free block for a running sequence, the newest running
 *   sequence is preempted: its blocks are freed and it goes back to the head of the
 *   queue, to recompute prompt + generated tokens later (counted in preemptions). Then,
 *   if nothing was preempted, waiting sequences are admitted in FIFO order while a slot,
 *   budget and blocks are free (no skipping: the head blocks the queue).
 * - With prefix caching, an admitted sequence first reuses the cached full blocks of its
 *   prompt prefix (never its last token, which must be computed), so only the rest is
 *   prefilled; full prompt blocks become cached as they are computed.
 * - Step duration = (stepBaseMs + decodeMsPerSeq × decoding sequences + prefillMsPerToken
 *   × prefill tokens) × (1 ± stepJitter, seeded) × timeScale.
 * - At a step's end every sequence whose known tokens are now all computed emits one
 *   token; a sequence finishes when it has emitted its `outputTokens`.
 */
import { BlockPool } from "./block-pool.ts";
import { createRandom, type Random } from "./seeded-random.ts";

export interface EngineConfig {
  readonly maxNumSeqs: number;
  readonly maxNumBatchedTokens: number;
  readonly numGpuBlocks: number;
  readonly blockSize: number;
  readonly enablePrefixCaching: boolean;
  readonly stepBaseMs: number;
  readonly decodeMsPerSeq: number;
  readonly prefillMsPerToken: number;
  readonly stepJitter: number;
  readonly timeScale: number;
  readonly seed: number;
}

/** What the engine needs to know about a sequence. Its output length is decided up front. */
export interface SequenceSpec {
  readonly id: number;
  readonly promptTokens: number;
  /** Chained hashes of the prompt's full blocks (prefix caching); may be empty. */
  readonly promptBlockHashes: readonly number[];
  /** Tokens to emit before finishing (>= 1). */
  readonly outputTokens: number;
}

export type EngineEvent =
  /** First admission into the running batch (re-admissions after preemption are not reported). */
  | { readonly kind: "scheduled"; readonly seqId: number; readonly timeMs: number; readonly cachedTokens: number }
  /** Prefix-cache lookup at any admission (vLLM counts queries and hits per scheduling). */
  | { readonly kind: "cache_query"; readonly seqId: number; readonly timeMs: number; readonly queriedTokens: number; readonly hitTokens: number }
  | { readonly kind: "token"; readonly seqId: number; readonly timeMs: number; readonly index: number; readonly last: boolean }
  | { readonly kind: "preempted"; readonly seqId: number; readonly timeMs: number }
  /** One finished step: tokens = prompt tokens of sequences whose prefill completed + tokens generated (vllm:iteration_tokens_total). */
  | { readonly kind: "step"; readonly startMs: number; readonly endMs: number; readonly iterationTokens: number; readonly prefillTokens: number; readonly decodeSeqs: number };

interface Sequence {
  readonly spec: SequenceSpec;
  state: "waiting" | "running" | "done";
  /** Tokens whose KV is computed. */
  computed: number;
  /** Tokens emitted so far. */
  generated: number;
  blocks: number[];
  /** Prompt blocks already registered in the prefix cache. */
  cachedBlocks: number;
  everScheduled: boolean;
  /** Prompt tokens already counted in an iteration (prefill completion), once per sequence. */
  promptCounted: boolean;
}

interface PlannedStep {
  readonly startMs: number;
  readonly endMs: number;
  readonly work: readonly { readonly seq: Sequence; readonly tokens: number }[];
  readonly prefillTokens: number;
  readonly decodeSeqs: number;
}

/** A point-in-time view of the engine, for /metrics gauges and GPU emulation. */
export interface EngineSnapshot {
  readonly running: number;
  readonly waiting: number;
  readonly kvCacheUsage: number;
  readonly busy: boolean;
  /** The step in flight, if any (GPU emulation counts it as busy while it runs). */
  readonly stepStartMs: number | null;
  readonly stepEndMs: number | null;
}

export class BatchEngine {
  readonly #config: EngineConfig;
  readonly #pool: BlockPool;
  readonly #random: Random;
  readonly #sequences = new Map<number, Sequence>();
  #waiting: Sequence[] = [];
  #running: Sequence[] = [];
  #step: PlannedStep | undefined;
  /** End of the last step: the next one starts here when work is waiting (back to back). */
  #clockMs = 0;

  constructor(config: EngineConfig) {
    this.#config = config;
    this.#pool = new BlockPool(config.numGpuBlocks);
    this.#random = createRandom(config.seed ^ 0x5bd1e995);
  }

  /**
   * Queues sequences that arrived together at nowMs (a request's `n` choices arrive as
   * one, as vLLM's ParentRequest fans them out); returns what happened up to nowMs,
   * including a step they start.
   */
  submit(specs: SequenceSpec | readonly SequenceSpec[], nowMs: number): EngineEvent[] {
    const list = Array.isArray(specs) ? specs : [specs as SequenceSpec];
    for (const spec of list) {
      if (this.#sequences.has(spec.id)) throw new Error(`Sequence ${spec.id} was already submitted`);
      if (spec.outputTokens < 1) throw new RangeError(`Sequence ${spec.id} must emit at least 1 token: outputTokens is ${spec.outputTokens}`);
    }
    const events = this.#complete(nowMs, Number.POSITIVE_INFINITY);
    for (const spec of list) {
      const seq: Sequence = { spec, state: "waiting", computed: 0, generated: 0, blocks: [], cachedBlocks: 0, everScheduled: false, promptCounted: false };
      this.#sequences.set(spec.id, seq);
      this.#waiting.push(seq);
    }
    if (this.#step === undefined) this.#plan(Math.max(nowMs, this.#clockMs), events);
    return events;
  }

  /** Removes a sequence (client gone); its blocks are freed at once. A step in flight keeps its plan. */
  abort(seqId: number, nowMs: number): EngineEvent[] {
    const events = this.#complete(nowMs, Number.POSITIVE_INFINITY);
    const seq = this.#sequences.get(seqId);
    if (seq === undefined || seq.state === "done") return events;
    this.#finish(seq);
    if (this.#step === undefined) this.#plan(Math.max(nowMs, this.#clockMs), events);
    return events;
  }

  /** Completes steps that ended by nowMs (at most maxSteps of them) and plans the next. */
  advance(nowMs: number, maxSteps = Number.POSITIVE_INFINITY): EngineEvent[] {
    return this.#complete(nowMs, maxSteps);
  }

  /** When the step in flight ends; undefined when idle (then nothing needs a timer). */
  nextWakeMs(): number | undefined {
    return this.#step?.endMs;
  }

  snapshot(): EngineSnapshot {
    return { running: this.#running.length, waiting: this.#waiting.length, kvCacheUsage: this.#pool.usage(), busy: this.#step !== undefined, stepStartMs: this.#step?.startMs ?? null, stepEndMs: this.#step?.endMs ?? null };
  }

  #complete(nowMs: number, maxSteps: number): EngineEvent[] {
    const events: EngineEvent[] = [];
    let steps = 0;
    while (this.#step !== undefined && this.#step.endMs <= nowMs && steps < maxSteps) {
      const step = this.#step;
      this.#step = undefined;
      this.#finishStep(step, events);
      this.#clockMs = step.endMs;
      steps++;
      this.#plan(step.endMs, events);
    }
    return events;
  }

  #finishStep(step: PlannedStep, events: EngineEvent[]): void {
    let iterationTokens = 0;
    for (const { seq, tokens } of step.work) {
      if (seq.state !== "running") continue; // aborted or preempted while the step ran
      seq.computed += tokens;
      this.#cacheComputedPromptBlocks(seq);
      const known = seq.spec.promptTokens + seq.generated;
      if (seq.computed < known) continue; // a prefill chunk: no token yet
      if (!seq.promptCounted) {
        seq.promptCounted = true;
        iterationTokens += seq.spec.promptTokens;
      }
      seq.generated++;
      iterationTokens++;
      const last = seq.generated >= seq.spec.outputTokens;
      events.push({ kind: "token", seqId: seq.spec.id, timeMs: step.endMs, index: seq.generated - 1, last });
      if (last) this.#finish(seq);
    }
    events.push({ kind: "step", startMs: step.startMs, endMs: step.endMs, iterationTokens, prefillTokens: step.prefillTokens, decodeSeqs: step.decodeSeqs });
  }

  #cacheComputedPromptBlocks(seq: Sequence): void {
    if (!this.#config.enablePrefixCaching) return;
    const full = Math.min(Math.floor(Math.min(seq.computed, seq.spec.promptTokens) / this.#config.blockSize), seq.spec.promptBlockHashes.length);
    for (let i = seq.cachedBlocks; i < full; i++) {
      const id = seq.blocks[i];
      if (id !== undefined) this.#pool.cache(id, seq.spec.promptBlockHashes[i] as number);
    }
    seq.cachedBlocks = Math.max(seq.cachedBlocks, full);
  }

  #finish(seq: Sequence): void {
    seq.state = "done";
    this.#pool.release(seq.blocks);
    seq.blocks = [];
    this.#running = this.#running.filter((other) => other !== seq);
    this.#waiting = this.#waiting.filter((other) => other !== seq);
    this.#sequences.delete(seq.spec.id);
  }

  #blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.#config.blockSize);
  }

  #preempt(victim: Sequence, timeMs: number, events: EngineEvent[]): void {
    this.#pool.release(victim.blocks);
    victim.blocks = [];
    victim.computed = 0;
    victim.cachedBlocks = 0;
    victim.state = "waiting";
    this.#running = this.#running.filter((other) => other !== victim);
    this.#waiting.unshift(victim);
    events.push({ kind: "preempted", seqId: victim.spec.id, timeMs });
  }

  #plan(startMs: number, events: EngineEvent[]): void {
    const config = this.#config;
    let budget = config.maxNumBatchedTokens;
    const work: { seq: Sequence; tokens: number }[] = [];
    let prefillTokens = 0;
    let decodeSeqs = 0;
    let preempted = false;
    for (let i = 0; i < this.#running.length && budget > 0; i++) {
      const seq = this.#running[i] as Sequence;
      const known = seq.spec.promptTokens + seq.generated;
      const tokens = Math.min(known - seq.computed, budget);
      const needed = this.#blocksFor(seq.computed + tokens) - seq.blocks.length;
      let fits = needed <= 0 || this.#pool.canAllocate(needed);
      while (!fits) {
        const victim = this.#running[this.#running.length - 1] as Sequence;
        this.#preempt(victim, startMs, events);
        preempted = true;
        if (victim === seq) break;
        fits = this.#pool.canAllocate(needed);
      }
      if (!fits) break;
      if (needed > 0) seq.blocks.push(...this.#pool.allocate(needed));
      budget -= tokens;
      work.push({ seq, tokens });
      if (seq.computed < seq.spec.promptTokens || tokens > 1) prefillTokens += tokens;
      else decodeSeqs++;
    }
    while (!preempted && this.#waiting.length > 0 && this.#running.length < config.maxNumSeqs && budget > 0) {
      const seq = this.#waiting[0] as Sequence;
      const known = seq.spec.promptTokens + seq.generated;
      // Never reuse the last known token: its logits must be computed (vLLM caps hits the same way).
      const hitBlocks = config.enablePrefixCaching ? this.#pool.countCachedPrefix(seq.spec.promptBlockHashes, Math.floor((known - 1) / config.blockSize)) : 0;
      const hitTokens = hitBlocks * config.blockSize;
      const tokens = Math.min(known - hitTokens, budget);
      const needed = this.#blocksFor(hitTokens + tokens) - hitBlocks;
      if (!this.#pool.canAllocate(needed)) break;
      seq.blocks = [...this.#pool.acquireCached(seq.spec.promptBlockHashes, hitBlocks), ...this.#pool.allocate(needed)];
      seq.computed = hitTokens;
      seq.cachedBlocks = hitBlocks;
      seq.state = "running";
      this.#waiting.shift();
      this.#running.push(seq);
      if (config.enablePrefixCaching) events.push({ kind: "cache_query", seqId: seq.spec.id, timeMs: startMs, queriedTokens: seq.spec.promptTokens, hitTokens: Math.min(hitTokens, seq.spec.promptTokens) });
      if (!seq.everScheduled) {
        seq.everScheduled = true;
        events.push({ kind: "scheduled", seqId: seq.spec.id, timeMs: startMs, cachedTokens: hitTokens });
      }
      budget -= tokens;
      work.push({ seq, tokens });
      prefillTokens += tokens;
    }
    if (work.length === 0) return;
    const jitter = config.stepJitter === 0 ? 1 : 1 + config.stepJitter * (2 * this.#random() - 1);
    const durationMs = (config.stepBaseMs + config.decodeMsPerSeq * decodeSeqs + config.prefillMsPerToken * prefillTokens) * jitter * config.timeScale;
    this.#step = { startMs, endMs: startMs + durationMs, work, prefillTokens, decodeSeqs };
  }
}
