import { describe, expect, it } from "vitest";
import { BatchEngine, type EngineConfig, type EngineEvent } from "./batch-engine.ts";

const CONFIG: EngineConfig = {
  maxNumSeqs: 4,
  maxNumBatchedTokens: 8192,
  numGpuBlocks: 1000,
  blockSize: 16,
  enablePrefixCaching: false,
  stepBaseMs: 5,
  decodeMsPerSeq: 1,
  prefillMsPerToken: 0.1,
  stepJitter: 0,
  timeScale: 1,
  seed: 0,
};

/** Runs the engine to idle, jumping the clock to each step end (no timers). */
function runToIdle(engine: BatchEngine, events: EngineEvent[]): EngineEvent[] {
  for (let wake = engine.nextWakeMs(); wake !== undefined; wake = engine.nextWakeMs()) events.push(...engine.advance(wake));
  return events;
}

const tokens = (events: readonly EngineEvent[], seqId: number) => events.filter((e): e is Extract<EngineEvent, { kind: "token" }> => e.kind === "token" && e.seqId === seqId);

describe("BatchEngine", () => {
  it("times one sequence exactly: prefill step, then one decode step per token", () => {
    const engine = new BatchEngine(CONFIG);
    const events = runToIdle(engine, engine.submit({ id: 1, promptTokens: 100, promptBlockHashes: [], outputTokens: 3 }, 0));
    // Prefill: 5 + 0.1 × 100 = 15 ms; each decode: 5 + 1 × 1 = 6 ms.
    expect(tokens(events, 1).map((e) => e.timeMs)).toEqual([15, 21, 27]);
    expect(tokens(events, 1).map((e) => e.last)).toEqual([false, false, true]);
    expect(events.find((e) => e.kind === "scheduled")).toMatchObject({ seqId: 1, timeMs: 0 });
    expect(engine.nextWakeMs()).toBeUndefined();
    expect(engine.snapshot()).toMatchObject({ running: 0, waiting: 0, kvCacheUsage: 0, busy: false, stepStartMs: null });
  });

  it("queues beyond max-num-seqs in FIFO order and admits as slots free", () => {
    const engine = new BatchEngine(CONFIG);
    const events: EngineEvent[] = [];
    for (let id = 1; id <= 8; id++) events.push(...engine.submit({ id, promptTokens: 10, promptBlockHashes: [], outputTokens: 2 + id }, 0));
    // The first arrival starts a step at once; the others wait for its end (steps are not interrupted).
    expect(engine.snapshot()).toMatchObject({ running: 1, waiting: 7 });
    events.push(...engine.advance(engine.nextWakeMs() ?? 0));
    expect(engine.snapshot()).toMatchObject({ running: 4, waiting: 4 });
    runToIdle(engine, events);
    const firstTokenMs = (id: number) => tokens(events, id)[0]?.timeMs ?? Number.NaN;
    const scheduled = events.filter((e) => e.kind === "scheduled").map((e) => e.seqId);
    expect(scheduled).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let id = 3; id <= 4; id++) expect(firstTokenMs(id)).toBe(firstTokenMs(2));
    expect(firstTokenMs(2)).toBeGreaterThan(firstTokenMs(1));
    expect(firstTokenMs(5)).toBeGreaterThan(firstTokenMs(4));
    expect(firstTokenMs(8)).toBeGreaterThanOrEqual(firstTokenMs(5));
    for (let id = 1; id <= 8; id++) expect(tokens(events, id)).toHaveLength(2 + id);
  });

  it("chunks a long prefill over steps within max-num-batched-tokens", () => {
    const engine = new BatchEngine({ ...CONFIG, maxNumBatchedTokens: 64 });
    const events = runToIdle(engine, engine.submit({ id: 1, promptTokens: 200, promptBlockHashes: [], outputTokens: 1 }, 0));
    const steps = events.filter((e) => e.kind === "step");
    expect(steps.map((e) => e.prefillTokens)).toEqual([64, 64, 64, 8]);
    expect(tokens(events, 1)).toHaveLength(1);
    expect(steps.at(-1)).toMatchObject({ iterationTokens: 201 });
  });

  it("preempts the newest sequence when the KV cache runs out during decode, and still finishes all", () => {
    // 6 blocks of 4 tokens: two sequences of 8 prompt tokens fit (2 blocks each) but not their growth.
    const engine = new BatchEngine({ ...CONFIG, numGpuBlocks: 6, blockSize: 4 });
    const events: EngineEvent[] = [];
    events.push(...engine.submit({ id: 1, promptTokens: 8, promptBlockHashes: [], outputTokens: 8 }, 0));
    events.push(...engine.submit({ id: 2, promptTokens: 8, promptBlockHashes: [], outputTokens: 8 }, 0));
    runToIdle(engine, events);
    const preempted = events.filter((e) => e.kind === "preempted");
    expect(preempted.length).toBeGreaterThan(0);
    expect(preempted[0]).toMatchObject({ seqId: 2 });
    expect(tokens(events, 1)).toHaveLength(8);
    expect(tokens(events, 2)).toHaveLength(8);
    expect(engine.snapshot().kvCacheUsage).toBe(0);
  });

  it("reuses cached prompt blocks with prefix caching, never the last token", () => {
    const engine = new BatchEngine({ ...CONFIG, enablePrefixCaching: true, blockSize: 16 });
    const hashes = [11, 22, 33, 44];
    const events = runToIdle(engine, engine.submit({ id: 1, promptTokens: 64, promptBlockHashes: hashes, outputTokens: 1 }, 0));
    const later = runToIdle(engine, engine.submit({ id: 2, promptTokens: 64, promptBlockHashes: hashes, outputTokens: 1 }, 100));
    expect(events.find((e) => e.kind === "cache_query")).toMatchObject({ queriedTokens: 64, hitTokens: 0 });
    // 64 tokens = 4 full blocks, but the last token must be computed: 3 blocks hit.
    expect(later.find((e) => e.kind === "cache_query")).toMatchObject({ queriedTokens: 64, hitTokens: 48 });
    expect(later.find((e) => e.kind === "step")).toMatchObject({ prefillTokens: 16 });
    expect(tokens(later, 2)[0]?.timeMs).toBeCloseTo(100 + 5 + 0.1 * 16);
  });

  it("is idle with no timer when nothing runs, and an abort frees the blocks", () => {
    const engine = new BatchEngine(CONFIG);
    expect(engine.nextWakeMs()).toBeUndefined();
    engine.submit({ id: 1, promptTokens: 50, promptBlockHashes: [], outputTokens: 100 }, 0);
    expect(engine.snapshot().kvCacheUsage).toBeGreaterThan(0);
    engine.abort(1, 1);
    expect(engine.snapshot()).toMatchObject({ running: 0, waiting: 0, kvCacheUsage: 0 });
    runToIdle(engine, []);
    expect(engine.nextWakeMs()).toBeUndefined();
  });

  it("gives the same events for the same inputs (seeded jitter included)", () => {
    const run = () => {
      const engine = new BatchEngine({ ...CONFIG, stepJitter: 0.2, seed: 7 });
      const events: EngineEvent[] = [];
      for (let id = 1; id <= 6; id++) events.push(...engine.submit({ id, promptTokens: 30 * id, promptBlockHashes: [], outputTokens: 5 }, id * 3));
      return runToIdle(engine, events);
    };
    expect(run()).toEqual(run());
  });
});
