/**
 * The timing model seen from outside: with --max-num-seqs 4 and 16 concurrent streams,
 * requests wait, TTFT grows with queue position, and /metrics counts exactly what was
 * served. Small KV caches preempt; repeated prefixes hit the prefix cache. Assertions
 * are on the simulator's modelled times and counters, never on wall time.
 */
import { describe, expect, it } from "vitest";
import { parseExposition } from "../agent/exposition/parse-exposition.ts";
import { parseSseEvents } from "../loadtest/sim/read-sse-events.ts";
import { type RunningSimulator, startSimulator } from "../loadtest/sim/start-simulator.ts";
import { generateText } from "../loadtest/sim/tokenizer.ts";

type Values = (name: string, labels?: Record<string, string>) => number;

async function scrape(sim: RunningSimulator): Promise<Values> {
  const families = parseExposition(await (await fetch(`${sim.url}/metrics`)).text());
  const samples = families.flatMap((family) => family.samples);
  return (name, labels = {}) => {
    const matches = samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
    return matches.reduce((sum, sample) => sum + sample.value, 0);
  };
}

async function streamCompletion(sim: RunningSimulator, prompt: string, maxTokens: number): Promise<string> {
  const response = await fetch(`${sim.url}/v1/completions`, {
    method: "POST",
    body: JSON.stringify({ prompt, max_tokens: maxTokens, ignore_eos: true, stream: true, stream_options: { include_usage: true } }),
  });
  const events = parseSseEvents(await response.text());
  expect(events.at(-1)).toEqual({ kind: "data", data: "[DONE]" });
  return response.headers.get("x-vigil-sim-request-id") ?? "";
}

describe("continuous batching in the simulator", () => {
  it("queues beyond max-num-seqs: waiting rises, TTFT grows with queue position, histograms count every request", async () => {
    await using sim = await startSimulator({ maxNumSeqs: 4, seed: 3 });
    const PROMPT_TOKENS = 100;
    const OUTPUT_TOKENS = 20;
    let maxWaiting = 0;
    let maxRunning = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const values = await scrape(sim);
        maxWaiting = Math.max(maxWaiting, values("vllm:num_requests_waiting"));
        maxRunning = Math.max(maxRunning, values("vllm:num_requests_running"));
        await Bun.sleep(5);
      }
    })();
    const ids = await Promise.all(Array.from({ length: 16 }, (_, i) => streamCompletion(sim, generateText(PROMPT_TOKENS, 100 + i), OUTPUT_TOKENS)));
    polling = false;
    await poller;

    expect(maxWaiting).toBeGreaterThan(0);
    expect(maxRunning).toBeLessThanOrEqual(4);
    const records = ids.map((id) => sim.record(id)).filter((record) => record !== undefined).sort((a, b) => a.arrivalMs - b.arrivalMs);
    expect(records).toHaveLength(16);
    const scheduled = records.map((record) => record.choices[0]?.scheduledMs ?? Number.NaN);
    // FIFO: nobody is admitted before an earlier arrival.
    for (let i = 1; i < scheduled.length; i++) expect(scheduled[i]).toBeGreaterThanOrEqual(scheduled[i - 1] as number);
    const ttft = records.map((record) => record.choices[0]?.ttftMs ?? Number.NaN);
    const waveMean = (wave: number) => ttft.slice(wave * 4, wave * 4 + 4).reduce((sum, value) => sum + value, 0) / 4;
    for (let wave = 1; wave < 4; wave++) expect(waveMean(wave)).toBeGreaterThan(waveMean(wave - 1));
    expect(records.at(-1)?.choices[0]?.queueTimeMs ?? 0).toBeGreaterThan(records[0]?.choices[0]?.queueTimeMs ?? 0);

    const values = await scrape(sim);
    expect(values("vllm:num_requests_running")).toBe(0);
    expect(values("vllm:num_requests_waiting")).toBe(0);
    for (const histogram of ["e2e_request_latency_seconds", "time_to_first_token_seconds", "request_queue_time_seconds", "request_prefill_time_seconds", "request_decode_time_seconds", "request_inference_time_seconds", "request_time_per_output_token_seconds", "request_prompt_tokens", "request_generation_tokens", "request_params_n", "request_params_max_tokens"]) {
      expect(values(`vllm:${histogram}_count`), histogram).toBe(16);
      expect(values(`vllm:${histogram}_bucket`, { le: "+Inf" }), histogram).toBe(16);
    }
    expect(values("vllm:request_success_total", { finished_reason: "length" })).toBe(16);
    expect(values("vllm:request_success_total")).toBe(16);
    expect(values("vllm:prompt_tokens_total")).toBe(16 * PROMPT_TOKENS);
    expect(values("vllm:generation_tokens_total")).toBe(16 * OUTPUT_TOKENS);
    expect(values("vllm:inter_token_latency_seconds_count")).toBe(16 * (OUTPUT_TOKENS - 1));
    expect(values("vllm:iteration_tokens_total_sum")).toBe(16 * (PROMPT_TOKENS + OUTPUT_TOKENS));
    expect(values("vllm:request_generation_tokens_sum")).toBe(16 * OUTPUT_TOKENS);
    expect(values("vllm:kv_cache_usage_perc")).toBe(0);
    expect(values("http_requests_total", { handler: "/v1/completions", status: "2xx" })).toBe(16);
    // vLLM observes TTFT in the frontend; ours must agree with the records' modelled TTFTs.
    const ttftSum = ttft.reduce((sum, value) => sum + value, 0) / 1000;
    expect(values("vllm:time_to_first_token_seconds_sum")).toBeCloseTo(ttftSum, 6);
  });

  it("preempts the newest sequence when the KV cache runs out, and still serves everyone", async () => {
    // 20 blocks × 16 = 320 KV tokens; four sequences growing to 64 + 40 tokens need 416. Real-time
    // steps (timeScale 1): at 0.2 a loaded machine could start the fourth request after the first had
    // finished, and nothing was preempted (seen once in CI).
    await using sim = await startSimulator({ maxNumSeqs: 4, numGpuBlocks: 20, blockSize: 16, timeScale: 1, enablePrefixCaching: false });
    const ids = await Promise.all(Array.from({ length: 4 }, (_, i) => streamCompletion(sim, generateText(64, i), 40)));
    const values = await scrape(sim);
    expect(values("vllm:num_preemptions_total")).toBeGreaterThan(0);
    expect(values("vllm:num_preemptions_total")).toBe(sim.counters().preemptions);
    expect(values("vllm:generation_tokens_total")).toBe(160);
    const preemptions = ids.map((id) => sim.record(id)?.choices[0]?.preemptions ?? 0);
    expect(preemptions.reduce((sum, value) => sum + value, 0)).toBe(values("vllm:num_preemptions_total"));
    for (const id of ids) expect(sim.record(id)?.choices[0]?.completionTokens).toBe(40);
  });

  it("serves a repeated prompt prefix from the prefix cache: counted, and a shorter modelled TTFT", async () => {
    await using sim = await startSimulator({ seed: 1 });
    const prompt = generateText(800, 9);
    const first = sim.record(await streamCompletion(sim, prompt, 2));
    const second = sim.record(await streamCompletion(sim, prompt, 2));
    expect(first?.choices[0]?.cachedPromptTokens).toBe(0);
    expect(second?.choices[0]?.cachedPromptTokens).toBe(784); // 800 tokens = 50 blocks; the last block holds the last token
    expect(second?.choices[0]?.ttftMs ?? 0).toBeLessThan(first?.choices[0]?.ttftMs ?? 0);
    const values = await scrape(sim);
    expect(values("vllm:prefix_cache_queries_total")).toBe(1600);
    expect(values("vllm:prefix_cache_hits_total")).toBe(784);
    expect(values("vllm:prompt_tokens_by_source_total", { source: "local_cache_hit" })).toBe(784);
    expect(values("vllm:prompt_tokens_by_source_total")).toBe(values("vllm:prompt_tokens_total"));
    expect(values("vllm:request_prefill_kv_computed_tokens_sum")).toBe(1600 - 784);
  });
});
