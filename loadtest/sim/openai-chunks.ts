/**
 * The JSON objects vLLM's OpenAI server sends, field for field and in its field order
 * (reference/vllm.md §3.6): non-streamed bodies and SSE chunks for completions and chat.
 */
import type { CompletionEndpoint } from "./parse-completion-request.ts";

export interface Usage {
  readonly prompt_tokens: number;
  readonly total_tokens: number;
  readonly completion_tokens: number;
  readonly prompt_tokens_details: null;
}

export function usage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens, prompt_tokens_details: null };
}

/** Identity shared by every chunk of one response. */
export interface ResponseIdentity {
  readonly endpoint: CompletionEndpoint;
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

const isChat = (identity: ResponseIdentity) => identity.endpoint === "/v1/chat/completions";

/** `data: {...}\n\n` */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

/** The chat role chunk vLLM sends first for each choice: role assistant, empty content. */
export function roleChunk(identity: ResponseIdentity, index: number): unknown {
  return {
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [{ index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
  };
}

/** A content chunk; the last one carries finish_reason (and stop_reason). */
export function contentChunk(identity: ResponseIdentity, index: number, text: string, finishReason: string | null, chunkUsage?: Omit<Usage, "prompt_tokens_details">): unknown {
  const finish = finishReason === null ? { finish_reason: null } : { finish_reason: finishReason, stop_reason: null };
  const choice = isChat(identity)
    ? { index, delta: { content: text }, logprobs: null, ...finish }
    : { index, text, logprobs: null, finish_reason: finishReason, stop_reason: null };
  const chunk: Record<string, unknown> = { id: identity.id, object: isChat(identity) ? "chat.completion.chunk" : "text_completion", created: identity.created, model: identity.model, choices: [choice] };
  if (chunkUsage !== undefined) chunk.usage = chunkUsage;
  return chunk;
}

/** Usage as a stream chunk carries it: vLLM serialises chunks with exclude_unset, so no prompt_tokens_details. */
export function streamUsage(promptTokens: number, completionTokens: number): Omit<Usage, "prompt_tokens_details"> {
  return { prompt_tokens: promptTokens, total_tokens: promptTokens + completionTokens, completion_tokens: completionTokens };
}

/** The final usage chunk (stream_options.include_usage): empty choices. */
export function usageChunk(identity: ResponseIdentity, value: Omit<Usage, "prompt_tokens_details">): unknown {
  return { id: identity.id, object: isChat(identity) ? "chat.completion.chunk" : "text_completion", created: identity.created, model: identity.model, choices: [], usage: value };
}

export interface FinishedChoice {
  readonly index: number;
  readonly text: string;
  readonly finishReason: string;
}

/** A non-streamed response body. */
export function completionBody(identity: ResponseIdentity, choices: readonly FinishedChoice[], value: Usage): unknown {
  if (isChat(identity)) {
    return {
      id: identity.id,
      object: "chat.completion",
      created: identity.created,
      model: identity.model,
      choices: choices.map((choice) => ({
        index: choice.index,
        message: { role: "assistant", content: choice.text, refusal: null, annotations: null, audio: null, function_call: null, tool_calls: [], reasoning_content: null },
        logprobs: null,
        finish_reason: choice.finishReason,
        stop_reason: null,
      })),
      service_tier: null,
      system_fingerprint: null,
      usage: value,
      prompt_logprobs: null,
      kv_transfer_params: null,
    };
  }
  return {
    id: identity.id,
    object: "text_completion",
    created: identity.created,
    model: identity.model,
    choices: choices.map((choice) => ({ index: choice.index, text: choice.text, logprobs: null, finish_reason: choice.finishReason, stop_reason: null, prompt_logprobs: null })),
    service_tier: null,
    system_fingerprint: null,
    usage: value,
    kv_transfer_params: null,
  };
}
