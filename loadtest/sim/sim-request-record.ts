/**
 * The simulator's ground truth about one HTTP request: what the engine model decided
 * (modelled times) and when the bytes were actually handed to the socket (write
 * times). All times are milliseconds on the simulator's clock, which starts at 0 when
 * the simulator starts; `timeOriginUnixMs` converts: unixMs = timeOriginUnixMs + ms.
 */

/** Faults a request can carry. Status faults answer at once; stream faults strike after `afterTokens` tokens. */
export type InjectedFault = "http_429" | "http_500" | "http_503" | "stall" | "disconnect" | "malformed_chunk";

/** vLLM's finish reasons as the response shows them (`abort` never reaches a client). */
export type FinishReason = "stop" | "length" | "abort";

/** One choice (one engine sequence; `n` > 1 gives several). */
export interface SimChoiceRecord {
  readonly index: number;
  /** Tokens the model generated, EOS included when finishReason is "stop" (as usage.completion_tokens counts). */
  readonly completionTokens: number;
  readonly finishReason: FinishReason | null;
  /** Prompt tokens served from the prefix cache at first admission. */
  readonly cachedPromptTokens: number;
  /** Modelled: first admission into the running batch. null while still waiting. */
  readonly scheduledMs: number | null;
  /** Modelled queue time: scheduledMs - arrivalMs (vLLM's request_queue_time_seconds). */
  readonly queueTimeMs: number | null;
  /** Modelled TTFT: first token - arrivalMs (vLLM's time_to_first_token_seconds). */
  readonly ttftMs: number | null;
  /** Modelled emission time of each generated token (engine step end). */
  readonly tokenTimesMs: readonly number[];
  /** When each token's chunk was written to the stream (streamed), or when the body was written (non-streamed: one entry). */
  readonly writeTimesMs: readonly number[];
  /** Times this sequence was preempted back to the queue. */
  readonly preemptions: number;
  /** Modelled end (last token or abort). */
  readonly finishedMs: number | null;
}

/** Ground truth of one request, served at GET /sim/requests/<simRequestId> and in the stream's trailing comment. */
export interface SimRequestRecord {
  /** The value of the `x-vigil-sim-request-id` response header. */
  readonly simRequestId: string;
  /** The OpenAI response id (`cmpl-…`, `chatcmpl-…`). */
  readonly responseId: string;
  /** The client's `x-request-id` header, if any. */
  readonly clientRequestId: string | null;
  readonly endpoint: "/v1/completions" | "/v1/chat/completions";
  readonly stream: boolean;
  readonly status: number;
  readonly fault: InjectedFault | null;
  readonly promptTokens: number;
  readonly maxTokens: number;
  readonly n: number;
  /** When the request was handed to the engine (after parsing). */
  readonly arrivalMs: number;
  readonly timeOriginUnixMs: number;
  /** When the last byte was written (or the response was cut); null while in flight. */
  readonly completedMs: number | null;
  readonly choices: readonly SimChoiceRecord[];
}
