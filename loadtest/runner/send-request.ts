/**
 * Sends one completion request with Bun's `fetch` and reads the streamed body, recording receive
 * times into the request's record. The per-chunk path only parses the frame and stores a timestamp;
 * deadlines (TTFT, stall, whole request) are enforced from outside by the watchdog through `signal`,
 * whose abort reason is the typed error to record.
 */
import type { PreparedRequest } from "../workload/request-source.ts";
import {
  ConnectError,
  DisconnectedError,
  HttpStatusError,
  ProtocolError,
  RequestError,
  AbortedError,
} from "./request-failure.ts";
import { pushChunkTime, type RequestRecord } from "./request-record.ts";
import { SseParser } from "./sse-parser.ts";

/** What every request of a run shares. */
export interface SendContext {
  /** Target base URL without a trailing slash. */
  readonly baseUrl: string;
  /** Headers for every request (content type, auth, the scenario's own). */
  readonly headers: Readonly<Record<string, string>>;
  readonly stream: boolean;
  /** `fetch`, injectable. */
  readonly fetch: typeof fetch;
  /** Monotonic clock in ms (`performance.now`). */
  readonly now: () => number;
}

const MAX_ERROR_BODY_CHARS = 300;
/** TextDecoder options of every streamed read (one object, not one per chunk). */
const STREAM_DECODE: TextDecodeOptions = { stream: true };

/**
 * Sends `prepared` and fills `record` (times, tokens, failure). Never throws: every failure becomes
 * `record.failure`. `record.sentMs` must already be set by the caller, just before this call.
 */
export async function sendRequest(context: SendContext, record: RequestRecord, prepared: PreparedRequest, signal: AbortSignal): Promise<void> {
  try {
    let response: Response;
    try {
      response = await context.fetch(context.baseUrl + prepared.path, {
        method: "POST",
        headers: { ...context.headers, "x-request-id": record.requestId },
        body: prepared.body,
        signal,
      });
    } catch (error) {
      throw asRequestError(error, signal, (cause) => new ConnectError(`cannot connect to ${context.baseUrl}: ${describe(cause)}`, { cause }));
    }
    record.headersMs = context.now();
    record.status = response.status;
    if (response.status < 200 || response.status > 299) {
      const text = await response.text().catch((error: unknown) => `(body unreadable: ${describe(error)})`);
      throw new HttpStatusError(response.status, `HTTP ${response.status}: ${errorMessageOf(text)}`);
    }
    if (context.stream) await readStream(context, record, response, signal);
    else await readJson(context, record, response, signal);
  } catch (error) {
    const typed = asRequestError(error, signal, (cause) => new DisconnectedError(`response broke off: ${describe(cause)}`, { cause }));
    record.failure = { type: typed.code, message: typed.message, status: typed.status ?? record.status };
  }
  record.endMs = context.now();
}

/** Reads an SSE body; sets record.failure for protocol problems, throws on transport ones. */
async function readStream(context: SendContext, record: RequestRecord, response: Response, signal: AbortSignal): Promise<void> {
  const body = response.body;
  if (!body) throw new ProtocolError("streamed response has no body", record.status);
  const handler = new ChunkHandler(record);
  const parser = new SseParser(handler);
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    handler.nowMs = context.now();
    parser.feed(decoder.decode(value, STREAM_DECODE));
    if (handler.failure !== null || handler.done) break;
  }
  if (handler.failure === null && !handler.done) {
    parser.feed(decoder.decode());
    parser.end();
  }
  if (handler.failure !== null || handler.done) {
    // Stop reading: after [DONE] nothing matters; after a malformed chunk the request is already failed.
    // A cancel() that rejects tells us nothing more about this request.
    await reader.cancel().catch(() => undefined);
  }
  if (handler.failure !== null) throw handler.failure;
  if (signal.aborted) throw signal.reason;
  if (!handler.done) throw new DisconnectedError(`stream ended before [DONE] after ${record.contentChunks} content chunks`);
  if (record.firstChoiceMs === null) throw new ProtocolError("stream ended without a chunk carrying choices", record.status);
}

/** Reads a non-streamed JSON completion. */
async function readJson(context: SendContext, record: RequestRecord, response: Response, signal: AbortSignal): Promise<void> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw asRequestError(error, signal, (cause) => new DisconnectedError(`response broke off: ${describe(cause)}`, { cause }));
  }
  record.lastChunkMs = context.now();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError(`response is not JSON: ${text.slice(0, 80)}`, record.status);
  }
  const usage = (value as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
  if (usage && typeof usage.completion_tokens === "number") record.usageCompletionTokens = usage.completion_tokens;
  if (usage && typeof usage.prompt_tokens === "number") record.usagePromptTokens = usage.prompt_tokens;
}

/** Parses each SSE data frame into record fields. Sync, called inside the read loop. */
class ChunkHandler {
  nowMs = 0;
  done = false;
  failure: RequestError | null = null;
  readonly #record: RequestRecord;

  constructor(record: RequestRecord) {
    this.#record = record;
  }

  onData(data: string): void {
    if (this.done || this.failure !== null) return;
    const record = this.#record;
    record.lastChunkMs = this.nowMs;
    if (data === "[DONE]") {
      this.done = true;
      return;
    }
    let chunk: ChunkShape;
    try {
      chunk = JSON.parse(data) as ChunkShape;
    } catch {
      this.failure = new ProtocolError(`malformed chunk after ${record.contentChunks} content chunks: ${data.slice(0, 80)}`, record.status);
      return;
    }
    if (chunk === null || typeof chunk !== "object") {
      this.failure = new ProtocolError(`chunk is not an object: ${data.slice(0, 80)}`, record.status);
      return;
    }
    if (chunk.error) {
      this.failure = new ProtocolError(`error in stream: ${errorMessageOf(data)}`, record.status);
      return;
    }
    const choices = chunk.choices;
    if (Array.isArray(choices) && choices.length > 0) {
      if (record.firstChoiceMs === null) record.firstChoiceMs = this.nowMs;
      const choice = choices[0];
      const content = choice?.delta?.content ?? choice?.text;
      if (typeof content === "string" && content.length > 0) {
        if (record.firstContentMs === null) record.firstContentMs = this.nowMs;
        record.lastContentMs = this.nowMs;
        pushChunkTime(record, this.nowMs);
      }
    }
    const usage = chunk.usage;
    if (usage && typeof usage.completion_tokens === "number") {
      record.usageCompletionTokens = usage.completion_tokens;
      if (typeof usage.prompt_tokens === "number") record.usagePromptTokens = usage.prompt_tokens;
    }
  }
}

interface ChunkShape {
  readonly choices?: ReadonlyArray<{ readonly delta?: { readonly content?: unknown }; readonly text?: unknown } | undefined>;
  readonly usage?: { readonly prompt_tokens?: unknown; readonly completion_tokens?: unknown } | null;
  readonly error?: unknown;
}

/** Our own abort reasons win; anything else is wrapped by `fallback`. */
function asRequestError(error: unknown, signal: AbortSignal, fallback: (cause: unknown) => RequestError): RequestError {
  if (error instanceof RequestError) return error;
  if (signal.aborted) return signal.reason instanceof RequestError ? signal.reason : new AbortedError(`aborted: ${describe(signal.reason)}`);
  return fallback(error);
}

/** The error message of an OpenAI/vLLM error body (`{"error":{"message"}}`, `{"message"}`, `{"detail"}`), else the text. */
export function errorMessageOf(text: string): string {
  try {
    const value = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const candidate = typeof value.error === "object" ? value.error?.message : (value.error ?? value.message ?? value.detail);
    if (typeof candidate === "string" && candidate !== "") return candidate.slice(0, MAX_ERROR_BODY_CHARS);
  } catch {
    // Not JSON: the raw text (trimmed) is the best message there is.
  }
  const trimmed = text.trim().replace(/\s+/g, " ");
  return trimmed === "" ? "(empty body)" : trimmed.slice(0, MAX_ERROR_BODY_CHARS);
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as Error & { code?: string }).code ? `${error.message} (${(error as Error & { code?: string }).code})` : error.message;
  return String(error);
}
