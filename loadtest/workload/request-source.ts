/**
 * Builds the HTTP body of request i: synthetic prompts of exactly N tokens under the simulator's
 * token rule (loadtest/sim/tokenizer.ts, ~4 characters per token like a BPE tokenizer) or lines of a
 * JSONL dataset, and `max_tokens` from the output-length distribution. Deterministic: the same seed
 * gives the same request sequence, whatever the timing.
 */
import { CHAT_TOKENS_PER_CONVERSATION, CHAT_TOKENS_PER_MESSAGE, countChatPromptTokens, countTokens, generateText } from "../sim/tokenizer.ts";
import { createRandom, deriveSeed } from "../random/seeded-random.ts";
import type { NormalizedScenario } from "../scenario/normalized-scenario.ts";
import type { DatasetEntry } from "./read-dataset.ts";
import { sampleLength } from "./sample-length.ts";

/** A request ready to send. */
export interface PreparedRequest {
  /** `/v1/chat/completions` or `/v1/completions`. */
  readonly path: string;
  /** JSON body. */
  readonly body: string;
  /** Prompt tokens as the harness counts them (the simulator's rule; a real server's usage wins). */
  readonly inputTokens: number;
  /** `max_tokens` asked for. */
  readonly maxTokens: number;
}

/** Produces request bodies in send order. */
export interface RequestSource {
  /** The body for the next request (call once per request, in send order). */
  next(): PreparedRequest;
}

/** Template tokens the simulator (Llama-3-shaped) adds to a one-message chat: 4 per conversation + 4 per message. */
const CHAT_OVERHEAD_TOKENS = CHAT_TOKENS_PER_CONVERSATION + CHAT_TOKENS_PER_MESSAGE;

/**
 * Creates the request source of a scenario.
 * @param dataset lines of the JSONL dataset when `workload.prompts.kind` is `dataset`.
 */
export function createRequestSource(scenario: NormalizedScenario, dataset: readonly DatasetEntry[] = []): RequestSource {
  const { workload, target } = scenario;
  const lengths = createRandom(deriveSeed(scenario.seed, "lengths"));
  const textSeeds = createRandom(deriveSeed(scenario.seed, "prompts"));
  const chat = target.api === "chat";
  const path = chat ? "/v1/chat/completions" : "/v1/completions";
  const prompts = workload.prompts;
  const prefix = prompts.kind === "synthetic" && prompts.sharedPrefixTokens > 0 ? generateText(prompts.sharedPrefixTokens, scenario.seed) : "";
  const prefixTokens = prompts.kind === "synthetic" ? prompts.sharedPrefixTokens : 0;
  const base: Record<string, unknown> = { model: target.model, ...workload.extraBody };
  if (workload.stream) {
    base.stream = true;
    if (workload.includeUsage) base.stream_options = { include_usage: true };
  }
  if (workload.ignoreEos) base.ignore_eos = true;
  let datasetIndex = 0;
  return {
    next(): PreparedRequest {
      let maxTokens = sampleLength(workload.outputTokens, lengths);
      let prompt: string | undefined;
      let messages: readonly unknown[] | undefined;
      /** Tokens of the prompt text when known by construction (generateText makes exactly the tokens asked for). */
      let textTokens: number | null = null;
      if (prompts.kind === "synthetic") {
        const wanted = sampleLength(prompts.inputTokens, lengths);
        const contentTokens = Math.max(1, chat ? wanted - CHAT_OVERHEAD_TOKENS : wanted);
        const own = Math.max(0, contentTokens - prefixTokens);
        const body = generateText(own, Math.floor(textSeeds.next() * 2 ** 32));
        const text = prefix === "" ? body : own === 0 ? prefix : `${prefix} ${body}`;
        // The space before the body joins its first word's token: prefix + body tokens, no more.
        textTokens = prefixTokens + own;
        if (chat) messages = [{ role: "user", content: text }];
        else prompt = text;
      } else {
        const entry = dataset[datasetIndex % dataset.length] as DatasetEntry;
        datasetIndex++;
        if (entry.maxTokens !== null) maxTokens = entry.maxTokens;
        if (chat) messages = entry.messages ?? [{ role: "user", content: entry.prompt ?? "" }];
        else prompt = entry.prompt ?? (entry.messages ?? []).map((m) => m.content).join("\n");
      }
      const inputTokens =
        textTokens !== null
          ? (chat ? CHAT_OVERHEAD_TOKENS : 0) + textTokens
          : chat
            ? countChatPromptTokens(messages as { role: string; content: string }[])
            : countTokens(prompt ?? "");
      const body = JSON.stringify(chat ? { ...base, messages, max_tokens: maxTokens } : { ...base, prompt, max_tokens: maxTokens });
      return { path, body, inputTokens, maxTokens };
    },
  };
}
