/**
 * The simulator speaks vLLM's OpenAI API to a plain client: chunk sequences, usage,
 * errors, models/health/version, and the ground truth beside it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseEvents } from "../loadtest/sim/read-sse-events.ts";
import { type RunningSimulator, startSimulator } from "../loadtest/sim/start-simulator.ts";
import { countTokens, generateText } from "../loadtest/sim/tokenizer.ts";

let sim: RunningSimulator;
const MODEL = "meta-llama/Llama-3.1-8B-Instruct";

beforeAll(async () => {
  // Scaled-down timing keeps the test quick; the wire format does not depend on it.
  sim = await startSimulator({ seed: 11, timeScale: 0.1 });
});
afterAll(async () => {
  await sim.stop();
});

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${sim.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

type Chunk = { id: string; object: string; model: string; created: number; choices: Record<string, unknown>[]; usage?: Record<string, number> };

async function stream(path: string, body: Record<string, unknown>): Promise<{ response: Response; chunks: Chunk[]; comments: string[]; data: string[] }> {
  const response = await post(path, { ...body, stream: true });
  const events = parseSseEvents(await response.text());
  const data = events.flatMap((event) => (event.kind === "data" ? [event.data] : []));
  const comments = events.flatMap((event) => (event.kind === "comment" ? [event.text] : []));
  const chunks = data.filter((item) => item !== "[DONE]").map((item) => JSON.parse(item) as Chunk);
  return { response, chunks, comments, data };
}

describe("the simulator's OpenAI API, as vLLM serves it", () => {
  it("streams chat: role chunk, content chunks, finish_reason, usage chunk, [DONE]", async () => {
    const { response, chunks, data } = await stream("/v1/chat/completions", {
      model: MODEL,
      messages: [{ role: "user", content: generateText(20) }],
      max_tokens: 5,
      ignore_eos: true,
      stream_options: { include_usage: true },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(data.at(-1)).toBe("[DONE]");
    expect(chunks).toHaveLength(1 + 5 + 1);
    const [role, ...rest] = chunks;
    expect(role?.choices).toEqual([{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]);
    const content = rest.slice(0, 5);
    for (const chunk of content.slice(0, 4)) expect(chunk.choices[0]).toMatchObject({ index: 0, logprobs: null, finish_reason: null });
    expect(content[4]?.choices[0]).toMatchObject({ finish_reason: "length", stop_reason: null });
    for (const chunk of chunks) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
      expect(chunk.model).toBe(MODEL);
    }
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 4 + 4 + 20, completion_tokens: 5, total_tokens: 33 } });
    expect(Object.keys(chunks.at(-1)?.usage ?? {})).toEqual(["prompt_tokens", "total_tokens", "completion_tokens"]);
  });

  it("streams completions as text_completion chunks, no usage chunk unless asked", async () => {
    const prompt = generateText(30, 2);
    const { chunks, data } = await stream("/v1/completions", { model: MODEL, prompt, max_tokens: 4, ignore_eos: true });
    expect(data.at(-1)).toBe("[DONE]");
    expect(chunks).toHaveLength(4);
    for (const chunk of chunks) expect(chunk.object).toBe("text_completion");
    expect(chunks[0]?.choices[0]).toEqual({ index: 0, text: expect.any(String), logprobs: null, finish_reason: null, stop_reason: null });
    expect(chunks[3]?.choices[0]).toMatchObject({ finish_reason: "length" });
    const text = chunks.map((chunk) => chunk.choices[0]?.text).join("");
    expect(countTokens(text)).toBe(4);
  });

  it("answers non-streamed requests with usage; n choices; min_tokens and a natural stop", async () => {
    const response = await post("/v1/completions", { model: MODEL, prompt: generateText(12), max_tokens: 400, min_tokens: 3, n: 2 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; choices: { index: number; text: string; finish_reason: string }[]; usage: Record<string, unknown> };
    expect(body.object).toBe("text_completion");
    expect(body.choices.map((choice) => choice.index)).toEqual([0, 1]);
    const record = sim.record(response.headers.get("x-vigil-sim-request-id") ?? "");
    expect(record?.choices).toHaveLength(2);
    const completion = (record?.choices ?? []).reduce((sum, choice) => sum + choice.completionTokens, 0);
    expect(body.usage).toEqual({ prompt_tokens: 12, total_tokens: 12 + completion, completion_tokens: completion, prompt_tokens_details: null });
    for (const [i, choice] of body.choices.entries()) {
      const truth = record?.choices[i];
      expect(truth?.finishReason).toBe(choice.finish_reason);
      // A stop ends with EOS: counted in completion_tokens, no text.
      const eos = choice.finish_reason === "stop" ? 1 : 0;
      expect(countTokens(choice.text)).toBe((truth?.completionTokens ?? 0) - eos);
      expect(truth?.completionTokens ?? 0).toBeGreaterThanOrEqual(3);
    }
  });

  it("answers chat without max_tokens from the rest of the context, with a chat.completion body", async () => {
    const response = await post("/v1/chat/completions", { messages: [{ role: "user", content: "hi" }] });
    const body = (await response.json()) as { object: string; choices: { message: { role: string; content: string }; finish_reason: string }[] };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message.role).toBe("assistant");
    expect(body.choices[0]?.finish_reason).toBe("stop");
  });

  it.each<[string, string, unknown, number, Record<string, unknown>]>([
    ["an unknown model", "/v1/chat/completions", { model: "gpt-x", messages: [{ role: "user", content: "hi" }] }, 404, { message: "The model `gpt-x` does not exist.", type: "NotFoundError", param: "model", code: 404 }],
    ["bad JSON", "/v1/completions", "{not json", 400, { type: "Bad Request", code: 400, message: expect.stringContaining("json_invalid") }],
    ["a field of the wrong type", "/v1/completions", { prompt: "x", max_tokens: "ten" }, 400, { type: "Bad Request", code: 400, message: expect.stringContaining("'loc': ('body', 'max_tokens')") }],
    ["a missing prompt", "/v1/completions", { model: MODEL }, 400, { message: expect.stringContaining("'msg': 'Field required'") }],
    ["max_tokens 0", "/v1/completions", { prompt: "x", max_tokens: 0 }, 400, { message: "max_tokens must be at least 1, got 0.", type: "BadRequestError", code: 400 }],
    ["n 0", "/v1/completions", { prompt: "x", n: 0 }, 400, { message: "n must be at least 1, got 0.", type: "BadRequestError" }],
    ["a context overflow", "/v1/completions", { prompt: "x", max_tokens: 200000 }, 400, { message: expect.stringContaining("maximum context length is 131072 tokens"), type: "BadRequestError" }],
  ])("answers %s as vLLM does", async (_name, path, body, status, error) => {
    const response = await post(path, body);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("x-vigil-sim-request-id")).toMatch(/^sim-\d+$/);
    const answer = (await response.json()) as { error: Record<string, unknown> };
    expect(Object.keys(answer)).toEqual(["error"]);
    expect(Object.keys(answer.error)).toEqual(["message", "type", "param", "code"]);
    expect(answer.error).toMatchObject({ param: null, code: status, ...error });
  });

  it("serves /v1/models, /health, /version and 404s like Starlette", async () => {
    const models = (await (await fetch(`${sim.url}/v1/models`)).json()) as { object: string; data: { id: string; owned_by: string; max_model_len: number }[] };
    expect(models.object).toBe("list");
    expect(models.data[0]).toMatchObject({ id: MODEL, object: "model", owned_by: "vllm", root: MODEL, max_model_len: 131072 });
    const health = await fetch(`${sim.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("");
    expect(await (await fetch(`${sim.url}/version`)).json()).toEqual({ version: "0.30.0" });
    const missing = await fetch(`${sim.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Not Found" });
  });

  it("carries ground truth: header, /sim/requests/<id>, and a trailing SSE comment before [DONE]", async () => {
    const { response, chunks, comments, data } = await stream("/v1/completions", { prompt: generateText(8), max_tokens: 6, ignore_eos: true });
    const id = response.headers.get("x-vigil-sim-request-id") ?? "";
    expect(comments).toHaveLength(1);
    expect(comments[0]?.startsWith("vigil-sim {")).toBe(true);
    const trailer = JSON.parse((comments[0] ?? "").slice("vigil-sim ".length)) as { simRequestId: string; choices: { tokenTimesMs: number[]; writeTimesMs: number[]; ttftMs: number; queueTimeMs: number }[] };
    expect(trailer.simRequestId).toBe(id);
    expect(trailer.choices[0]?.tokenTimesMs).toHaveLength(6);
    expect(trailer.choices[0]?.writeTimesMs).toHaveLength(6);
    expect(data.at(-1)).toBe("[DONE]");
    expect(chunks[0]?.id).toMatch(/^cmpl-/);
    const fetched = (await (await fetch(`${sim.url}/sim/requests/${id}`)).json()) as { responseId: string; status: number; completedMs: number | null; choices: { ttftMs: number; tokenTimesMs: number[]; writeTimesMs: number[] }[] };
    expect(fetched.responseId).toBe(chunks[0]?.id);
    expect(fetched.status).toBe(200);
    expect(fetched.completedMs).not.toBeNull();
    const truth = fetched.choices[0];
    // Writes follow the modelled emissions (timers never fire early) and are in order.
    truth?.tokenTimesMs.forEach((modelled, i) => expect(truth.writeTimesMs[i]).toBeGreaterThanOrEqual(modelled - 1));
    expect(truth?.ttftMs).toBeGreaterThan(0);
    expect((await fetch(`${sim.url}/sim/requests/sim-999999`)).status).toBe(404);
  });

  it("uses the client's x-request-id in the response id, as vLLM does", async () => {
    const response = await fetch(`${sim.url}/v1/chat/completions`, { method: "POST", headers: { "x-request-id": "bench-1234-0" }, body: JSON.stringify({ messages: [{ role: "user", content: "x" }], max_tokens: 1 }) });
    expect(((await response.json()) as { id: string }).id).toBe("chatcmpl-bench-1234-0");
  });
});
