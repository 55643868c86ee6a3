import { describe, expect, it } from "vitest";
import { parseCompletionRequest, resolveMaxTokens } from "./parse-completion-request.ts";
import { VllmApiError } from "./vllm-error.ts";

function error(run: () => unknown): VllmApiError {
  try {
    run();
  } catch (caught) {
    if (caught instanceof VllmApiError) return caught;
    throw caught;
  }
  throw new Error("no error thrown");
}

describe("parseCompletionRequest()", () => {
  it("reads completions and chat fields, with vLLM's defaults", () => {
    const completion = parseCompletionRequest("/v1/completions", { prompt: "hello world", stream: true, stream_options: { include_usage: true } });
    expect(completion).toMatchObject({ model: undefined, stream: true, includeUsage: true, n: 1, maxTokens: undefined, minTokens: 0, ignoreEos: false, promptText: "hello world" });
    expect(completion.promptTokens).toEqual(["hell", "o", " worl", "d"]);
    expect(resolveMaxTokens(completion, 100)).toBe(16);
    const chat = parseCompletionRequest("/v1/chat/completions", { messages: [{ role: "user", content: "hi" }], max_completion_tokens: 7 });
    expect(chat.maxTokens).toBe(7);
    expect(chat.promptTokens).toHaveLength(4 + 4 + 1);
    expect(chat.contentTokens).toEqual(["hi"]);
    expect(resolveMaxTokens({ ...chat, maxTokens: undefined }, 100)).toBe(100 - 9);
    expect(parseCompletionRequest("/v1/completions", { prompt: [1, 2, 3] }).promptTokens).toHaveLength(3);
  });

  it.each<[string, string, unknown, string]>([
    ["not an object", "/v1/completions", [1], "model_attributes_type"],
    ["max_tokens of the wrong type", "/v1/completions", { prompt: "x", max_tokens: "5" }, "'loc': ('body', 'max_tokens'), 'msg': 'Input should be a valid integer', 'input': '5'"],
    ["no messages", "/v1/chat/completions", {}, "'loc': ('body', 'messages'), 'msg': 'Field required'"],
    ["a message without a role", "/v1/chat/completions", { messages: [{ content: "x" }] }, "'loc': ('body', 'messages', 0, 'role')"],
    ["n below 1", "/v1/completions", { prompt: "x", n: 0 }, "n must be at least 1, got 0."],
    ["min_tokens above max_tokens", "/v1/completions", { prompt: "x", max_tokens: 2, min_tokens: 3 }, "min_tokens must be less than or equal to max_tokens=2, got 3."],
    ["stream_options without stream", "/v1/completions", { prompt: "x", stream_options: { include_usage: true } }, "Stream options can only be defined when `stream=True`."],
    ["an empty prompt", "/v1/completions", { prompt: "" }, "The prompt cannot be empty"],
  ])("rejects %s with a 400 that says so", (_name, endpoint, body, message) => {
    const failure = error(() => parseCompletionRequest(endpoint as "/v1/completions", body));
    expect(failure.status).toBe(400);
    expect(failure.message).toContain(message);
  });

  it("lists every type problem in one error", () => {
    const failure = error(() => parseCompletionRequest("/v1/completions", { max_tokens: "a", n: "b" }));
    expect(failure.message.match(/'type':/g)).toHaveLength(3);
  });

  it("checks the context length as vLLM words it", () => {
    const request = parseCompletionRequest("/v1/completions", { prompt: "one two three", max_tokens: 100 });
    expect(error(() => resolveMaxTokens(request, 50)).message).toBe(
      "'max_tokens' or 'max_completion_tokens' is too large: 100. This model's maximum context length is 50 tokens and your request has 4 input tokens (100 > 50 - 4).",
    );
    expect(error(() => resolveMaxTokens(request, 4)).message).toContain("your request has 4 input tokens. Please reduce the length of the input messages.");
  });
});
