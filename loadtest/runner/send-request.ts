/**
 * Sends one completion request and reads the (streamed) body, recording receive times into the
 * request's record. Two transports: our HTTP/1.1 client for plain `http:` targets (each read stamped
 * in the socket's callback), and Bun's `fetch` for `https:` (and when asked
 * for). Both feed the same chunk handler, so the definitions cannot drift apart. The per-chunk path
 * only parses the frame and stores a timestamp; deadlines (TTFT, stall, whole request) are enforced
 * from outside by the watchdog through `cancel`, whose reason is the typed error to record.
 */
import type { ClientInfo } from "../report/report-types.ts";
import type { PreparedRequest } from "../workload/request-source.ts";
import type { Http1Client } from "./http1/http1-client.ts";
import type { ResponseHead } from "./http1/response-parser.ts";
import {
  ConnectError,
  DisconnectedError,
  HttpStatusError,
  ProtocolError,
  RequestError,
  AbortedError,
  describeCause,
} from "./request-failure.ts";
import type { RequestCancel } from "./request-cancel.ts";
import { pushChunkTime, type RequestRecord } from "./request-record.ts";
import { SseParser } from "./sse-parser.ts";

/** How requests travel: our HTTP/1.1 client (plain http), or `fetch` (https, proxies). */
export type Transport = ({ readonly kind: "http1"; readonly client: Http1Client } | { readonly kind: "fetch"; readonly fetch: typeof fetch }) & {
  /** What the report says of it. */
  readonly info: ClientInfo;
};

/** What every request of a run shares. */
export interface SendContext {
  /** Target base URL without a trailing slash. */
  readonly baseUrl: string;
  /** Headers for every request (content type, auth, the scenario's own). */
  readonly headers: Readonly<Record<string, string>>;
  readonly stream: boolean;
  readonly transport: Transport;
  /** Monotonic clock in ms (`performance.now`). */
  readonly now: () => number;
}

const MAX_ERROR_BODY_CHARS = 300;
/** An error body is read this far for its message; the rest is skipped. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;
/** TextDecoder options of every streamed read (one object, not one per chunk). */
const STREAM_DECODE: TextDecodeOptions = { stream: true };

/**
 * Sends `prepared` and fills `record` (times, tokens, failure). Never throws: every failure becomes
 * `record.failure`. `record.sentMs` must already be set by the caller, just before this call.
 */
export async function sendRequest(context: SendContext, record: RequestRecord, prepared: PreparedRequest, cancel: RequestCancel): Promise<void> {
  try {
    if (context.transport.kind === "http1") await sendHttp1(context, context.transport.client, record, prepared, cancel);
    else await sendFetch(context, context.transport.fetch, record, prepared, cancel);
  } catch (error) {
    const typed = asRequestError(error, cancel, (cause) => new DisconnectedError(`response broke off: ${describeCause(cause)}`, { cause }));
    record.failure = { type: typed.code, message: typed.message, status: typed.status ?? record.status };
  }
  record.endMs = context.now();
}

/** Our HTTP/1.1 client: the body is handled inside the socket's data callbacks. */
async function sendHttp1(context: SendContext, client: Http1Client, record: RequestRecord, prepared: PreparedRequest, cancel: RequestCancel): Promise<void> {
  const body = new BodyReader(context, record);
  await client.request({ path: prepared.path, body: prepared.body, extraHeaders: { "x-request-id": record.requestId } }, body, cancel);
  body.finish(cancel);
}

/** Bun's fetch: the same reader, fed from the Response's stream. */
async function sendFetch(context: SendContext, fetchImpl: typeof fetch, record: RequestRecord, prepared: PreparedRequest, cancel: RequestCancel): Promise<void> {
  const signal = cancel.toSignal();
  let response: Response;
  try {
    response = await fetchImpl(context.baseUrl + prepared.path, {
      method: "POST",
      headers: { ...context.headers, "x-request-id": record.requestId },
      body: prepared.body,
      signal,
    });
  } catch (error) {
    throw asRequestError(error, cancel, (cause) => new ConnectError(`cannot connect to ${context.baseUrl}: ${describeCause(cause)}`, { cause }));
  }
  const body = new BodyReader(context, record);
  body.onRead(context.now());
  body.onHead({ status: response.status, headers: FETCH_DECODED, keepAlive: true });
  const stream = response.body;
  if (stream) {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        body.onRead(context.now());
        body.onBody(value);
        if (body.settled) break;
      }
    } catch (error) {
      throw asRequestError(error, cancel, (cause) => new DisconnectedError(`response broke off: ${describeCause(cause)}`, { cause }));
    }
    // After [DONE] nothing matters; after a malformed chunk the request is already failed.
    // A cancel() that rejects tells us nothing more about this request.
    if (body.settled) await reader.cancel().catch(() => undefined);
  }
  cancel.listen(null);
  body.finish(cancel);
}

/** Decodes whole JSON and error bodies (no streaming state, so one serves every request). */
const WHOLE_DECODER = new TextDecoder();

/** fetch has already undone any content coding. */
const FETCH_DECODED: ReadonlyMap<string, string> = new Map();

/**
 * Turns a response into record fields, as bytes arrive: the status and head time, then either the
 * SSE stream (chunk times, tokens), a JSON completion, or an error body for the message.
 * `finish()` throws the request's typed failure, if any.
 */
class BodyReader {
  /** When the bytes being handled arrived. */
  #nowMs = 0;
  readonly #context: SendContext;
  readonly #record: RequestRecord;
  /** The stream's decoder (a UTF-8 character may be split across reads). */
  #decoder: TextDecoder | null = null;
  #mode: "stream" | "json" | "error" | "ignored" = "ignored";
  /** Copies of a JSON or error body's pieces, decoded once at the end. */
  #pieces: Uint8Array[] = [];
  #pieceBytes = 0;
  #handler: ChunkHandler | null = null;
  #parser: SseParser | null = null;
  #failure: RequestError | null = null;

  constructor(context: SendContext, record: RequestRecord) {
    this.#context = context;
    this.#record = record;
  }

  /** Nothing more in the body can change the request's outcome. */
  get settled(): boolean {
    return this.#failure !== null || (this.#handler !== null && (this.#handler.done || this.#handler.failure !== null));
  }

  onRead(receivedMs: number): void {
    this.#nowMs = receivedMs;
  }

  onHead(head: ResponseHead): void {
    const record = this.#record;
    record.headersMs = this.#nowMs;
    record.status = head.status;
    if (head.status < 200 || head.status > 299) {
      this.#mode = "error";
      return;
    }
    const coding = head.headers.get("content-encoding");
    if (coding !== undefined && coding.toLowerCase() !== "identity") {
      this.#failure = new ProtocolError(`response is compressed (content-encoding: ${coding}), which was not asked for`, head.status);
      return;
    }
    if (this.#context.stream) {
      this.#mode = "stream";
      this.#handler = new ChunkHandler(record);
      this.#parser = new SseParser(this.#handler);
    } else this.#mode = "json";
  }

  onBody(bytes: Uint8Array): void {
    switch (this.#mode) {
      case "stream": {
        const handler = this.#handler as ChunkHandler;
        if (handler.done || handler.failure !== null) return;
        handler.nowMs = this.#nowMs;
        // Pieces nearly always end on a frame, so on a whole character: the shared decoder does. Only
        // a piece that splits a character needs a stream decoder of its own (kept from then on).
        const decoder = this.#decoder ?? (endsOnWholeCharacter(bytes) ? null : (this.#decoder = new TextDecoder()));
        (this.#parser as SseParser).feed(decoder === null ? WHOLE_DECODER.decode(bytes) : decoder.decode(bytes, STREAM_DECODE));
        return;
      }
      case "json":
        this.#keep(bytes);
        return;
      case "error":
        if (this.#pieceBytes < MAX_ERROR_BODY_BYTES) this.#keep(bytes);
        return;
      case "ignored":
        return;
    }
  }

  #keep(bytes: Uint8Array): void {
    this.#pieces.push(bytes.slice());
    this.#pieceBytes += bytes.length;
  }

  #keptText(): string {
    const pieces = this.#pieces;
    return WHOLE_DECODER.decode(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, this.#pieceBytes));
  }

  /** The body is over (or was cut off): throws the typed failure, if any. */
  finish(cancel: RequestCancel): void {
    if (this.#failure !== null) throw this.#failure;
    const record = this.#record;
    if (this.#mode === "error") {
      const text = this.#keptText();
      throw new HttpStatusError(record.status ?? 0, `HTTP ${record.status}: ${errorMessageOf(text)}`);
    }
    if (this.#mode === "json") {
      record.lastChunkMs = this.#nowMs;
      readJsonCompletion(this.#keptText(), record);
      return;
    }
    const handler = this.#handler;
    const parser = this.#parser;
    if (handler === null || parser === null) throw new ProtocolError("streamed response has no body", record.status);
    if (handler.failure === null && !handler.done) {
      if (this.#decoder !== null) parser.feed(this.#decoder.decode());
      parser.end();
    }
    if (handler.failure !== null) throw handler.failure;
    if (cancel.reason !== null) throw cancel.reason;
    if (!handler.done) throw new DisconnectedError(`stream ended before [DONE] after ${record.contentChunks} content chunks`);
    if (record.firstChoiceMs === null) throw new ProtocolError("stream ended without a chunk carrying choices", record.status);
  }
}

/** True when `bytes` does not end inside a UTF-8 sequence (so decoding it alone loses nothing). */
export function endsOnWholeCharacter(bytes: Uint8Array): boolean {
  const length = bytes.length;
  // Walk back over at most 3 continuation bytes (10xxxxxx) to the sequence's lead byte.
  let continuation = 0;
  while (continuation < 3 && continuation < length && ((bytes[length - 1 - continuation] as number) & 0xc0) === 0x80) continuation++;
  if (continuation === length) return continuation === 0;
  const lead = bytes[length - 1 - continuation] as number;
  const needed = lead < 0x80 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return continuation >= needed;
}

/** A non-streamed JSON completion: usage into the record. */
function readJsonCompletion(text: string, record: RequestRecord): void {
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
function asRequestError(error: unknown, cancel: RequestCancel, fallback: (cause: unknown) => RequestError): RequestError {
  if (error instanceof RequestError) return error;
  const reason = cancel.reason;
  if (reason !== null) return reason instanceof RequestError ? reason : new AbortedError(`aborted: ${describeCause(reason)}`);
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

