/**
 * Decides a choice's output up front, deterministically: the same seed, prompt, choice
 * index and request `seed` give the same tokens. The model "samples" EOS after a natural
 * length drawn uniformly from [1, 2 × outputLenMean − 1] (echo mode: the prompt's length);
 * `min_tokens` holds EOS back, `ignore_eos` removes it, `max_tokens` cuts the output
 * (finish_reason "length"). A stop ends with the EOS token, which counts in
 * completion_tokens (as in vLLM) and has empty text.
 */
import { createRandom, hashString } from "./seeded-random.ts";
import type { OutputMode } from "./simulator-options.ts";
import { WORDS } from "./tokenizer.ts";

export interface OutputPlanInput {
  readonly seed: number;
  readonly mode: OutputMode;
  readonly outputLenMean: number;
  /** The prompt's tokens (template markers included): same prompt, same answer. */
  readonly promptTokens: readonly string[];
  /** The prompt's text tokens, repeated by echo mode. */
  readonly contentTokens: readonly string[];
  readonly choiceIndex: number;
  readonly requestSeed: number | undefined;
  readonly maxTokens: number;
  readonly minTokens: number;
  readonly ignoreEos: boolean;
  /** Chat answers start without a leading space. */
  readonly chat: boolean;
}

export interface OutputPlan {
  /** Text of each generated token; the EOS token (when finishReason is "stop") is "". */
  readonly tokens: readonly string[];
  readonly finishReason: "stop" | "length";
}

export function planOutput(input: OutputPlanInput): OutputPlan {
  const key = hashString(`${input.promptTokens.join("")}\u0000${input.choiceIndex}\u0000${input.requestSeed ?? ""}`, input.seed);
  const random = createRandom(key % 4294967296);
  const natural = input.mode === "echo" ? Math.max(1, input.contentTokens.length) : 1 + Math.floor(random() * (2 * input.outputLenMean - 1));
  const contentLength = Math.max(natural, input.minTokens);
  const stops = !input.ignoreEos && contentLength + 1 <= input.maxTokens;
  const count = stops ? contentLength : input.maxTokens;
  const tokens: string[] = new Array(stops ? count + 1 : count);
  for (let i = 0; i < count; i++) {
    if (input.mode === "echo") tokens[i] = input.contentTokens[i % input.contentTokens.length] ?? " ";
    else {
      const word = WORDS[Math.floor(random() * WORDS.length)] as string;
      tokens[i] = i === 0 && input.chat ? word : ` ${word}`;
    }
  }
  if (stops) tokens[count] = "";
  return { tokens, finishReason: stops ? "stop" : "length" };
}
