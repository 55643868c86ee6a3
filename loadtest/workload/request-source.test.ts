import { describe, expect, it } from "vitest";
import { normalizeScenario } from "../scenario/normalize-scenario.ts";
import { countChatPromptTokens, countTokens } from "../sim/tokenizer.ts";
import { parseDataset } from "./read-dataset.ts";
import { createRequestSource } from "./request-source.ts";

const scenario = (api: "chat" | "completions", prompts: unknown) =>
  normalizeScenario(
    { target: { url: "http://x", model: "m", api }, workload: { prompts, outputTokens: { kind: "uniform", min: 5, max: 9 } }, load: { executor: "constant-vus", vus: 1, requests: 1 } },
    { file: "", defaultName: "t" },
  );

describe("createRequestSource()", () => {
  it.each([["chat" as const], ["completions" as const]])("builds %s prompts of exactly the drawn token count", (api) => {
    const source = createRequestSource(scenario(api, { kind: "synthetic", inputTokens: { kind: "uniform", min: 20, max: 300 }, sharedPrefixTokens: 10 }));
    for (let i = 0; i < 50; i++) {
      const request = source.next();
      const body = JSON.parse(request.body) as { messages?: { role: string; content: string }[]; prompt?: string; max_tokens: number; stream_options: unknown; ignore_eos: boolean };
      const counted = api === "chat" ? countChatPromptTokens(body.messages ?? []) : countTokens(body.prompt ?? "");
      expect(counted).toBe(request.inputTokens);
      expect(request.inputTokens).toBeGreaterThanOrEqual(20);
      expect(request.inputTokens).toBeLessThanOrEqual(300);
      expect(body.max_tokens).toBe(request.maxTokens);
      expect(body.stream_options).toEqual({ include_usage: true });
      expect(body.ignore_eos).toBe(true);
    }
  });

  it.each([
    ["chat" as const, 0],
    ["completions" as const, 0],
    ["chat" as const, 400],
    ["completions" as const, 400],
  ])("counts %s prompt tokens by construction as the tokenizer does (shared prefix %i)", (api, sharedPrefixTokens) => {
    const source = createRequestSource(scenario(api, { kind: "synthetic", inputTokens: { kind: "uniform", min: 1, max: 300 }, sharedPrefixTokens }));
    for (let i = 0; i < 50; i++) {
      const request = source.next();
      const body = JSON.parse(request.body) as { messages?: { role: string; content: string }[]; prompt?: string };
      expect(api === "chat" ? countChatPromptTokens(body.messages ?? []) : countTokens(body.prompt ?? "")).toBe(request.inputTokens);
    }
  });

  it("is deterministic for a seed and shares the prefix", () => {
    const a = createRequestSource(scenario("completions", { kind: "synthetic", inputTokens: 50, sharedPrefixTokens: 20 }));
    const b = createRequestSource(scenario("completions", { kind: "synthetic", inputTokens: 50, sharedPrefixTokens: 20 }));
    const first = JSON.parse(a.next().body).prompt as string;
    const second = JSON.parse(a.next().body).prompt as string;
    expect(JSON.parse(b.next().body).prompt).toBe(first);
    expect(first).not.toBe(second);
    expect(first.slice(0, 40)).toBe(second.slice(0, 40));
  });

  it("cycles dataset lines, with their own max_tokens", () => {
    const dataset = parseDataset('{"prompt":"hello there"}\n\n{"messages":[{"role":"user","content":"hi"}],"max_tokens":3}\n', "d.jsonl");
    const source = createRequestSource(scenario("chat", { kind: "dataset", path: "d.jsonl" }), dataset);
    const [one, two, three] = [source.next(), source.next(), source.next()];
    expect(JSON.parse(one.body).messages).toEqual([{ role: "user", content: "hello there" }]);
    expect(two.maxTokens).toBe(3);
    expect(three.body).toBe(one.body.replace(/"max_tokens":\d+/, `"max_tokens":${three.maxTokens}`));
  });

  it("reports every bad dataset line", () => {
    expect(() => parseDataset('{"prompt":1}\nnot json\n{"prompt":"ok","max_tokens":0}\n', "d.jsonl")).toThrow(/d\.jsonl:1.*\n.*d\.jsonl:2.*\n.*d\.jsonl:3/s);
  });
});
